/* test_textwrap.c - lines laid out for a screen: words kept whole. */
#include "testutil.h"

#include "../../common/textwrap.h"

/* The laid-out lines joined by '|', and how many there were. */
struct got {
	char s[1024];
	size_t len, lines;
};

static int
collect(void *ctx, const char *s, size_t n)
{
	struct got *g = ctx;

	assert_true(g->len + n + 2 < sizeof(g->s));
	if (g->lines++ > 0)
		g->s[g->len++] = '|';
	memcpy(g->s + g->len, s, n);
	g->len += n;
	g->s[g->len] = '\0';
	return 0;
}

static const char *
wrap(struct got *g, const char *s, size_t width, size_t indent)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(textwrap_line(s, strlen(s), width, indent, collect,
	    g), 0);
	return g->s;
}

static void
test_breaks_at_spaces(void **state)
{
	struct got g;

	(void)state;
	/* the case of the issue: "proven" must not come out as "prov" "en" */
	assert_string_equal(wrap(&g, "    keys[0]: label signer, proven yes",
	    24, 8), "    keys[0]: label|        signer, proven|        yes");
	assert_string_equal(wrap(&g, "short", 20, 4), "short");
	assert_string_equal(wrap(&g, "", 20, 4), "");
	assert_int_equal(g.lines, 1);
	/* a word that ends exactly at the width stays on its line */
	assert_string_equal(wrap(&g, "abcd efgh ijkl", 9, 1), "abcd efgh| ijkl");
	/* leading spaces of the first line are kept, never a break point */
	assert_string_equal(wrap(&g, "      abcdefghij", 10, 2),
	    "      abcd|  efghij");
}

static void
test_never_mid_word(void **state)
{
	static const char text[] = "the closing signature covers every "
	    "record of the transcript and the ceremony public key, so any "
	    "later change to either is detected";
	struct got g;
	size_t w;
	char *tok, *save = NULL;

	(void)state;
	for (w = 15; w < 60; w++) {	/* the longest word fits */
		wrap(&g, text, w, 4);
		/* every word of the text appears whole in the output */
		char copy[sizeof(text)];
		memcpy(copy, text, sizeof(text));
		for (tok = strtok_r(copy, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save)) {
			char want[64];

			snprintf(want, sizeof(want), "%s", tok);
			assert_non_null(strstr(g.s, want));
		}
		/* and no line is wider than w */
		char *p = g.s, *bar;
		for (; (bar = strchr(p, '|')) != NULL; p = bar + 1)
			assert_true((size_t)(bar - p) <= w);
		assert_true(strlen(p) <= w);
	}
}

static void
test_hex(void **state)
{
	static const char h64[] = "0123456789ABCDEF0123456789ABCDEF"
	    "0123456789ABCDEF0123456789ABCDEF";
	char in[200];
	struct got g;

	(void)state;
	/* a hash that fits on a line of its own is moved there whole */
	snprintf(in, sizeof(in), "    sha256: %s", h64);
	assert_string_equal(wrap(&g, in, 74, 8), "    sha256:|        "
	    "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	/* one too long for any line is split in groups of four */
	assert_string_equal(wrap(&g, in, 40, 8), "    sha256: 0123 4567 89AB "
	    "CDEF 0123|        4567 89AB CDEF 0123 4567 89AB|        CDEF "
	    "0123 4567 89AB CDEF");
	/* a KCV is a word like any other */
	assert_string_equal(wrap(&g, "kcv: 1A2B3C4D5E6F7A8B", 20, 4),
	    "kcv:|    1A2B3C4D5E6F7A8B");
}

static void
test_long_word_cut_only_when_needed(void **state)
{
	struct got g;

	(void)state;
	assert_string_equal(wrap(&g, "a /very/long/path/name/here x", 12, 2),
	    "a|  /very/long|  /path/name|  /here x");
	/* code points, not bytes: "é" is one column, never split */
	assert_string_equal(wrap(&g, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8, 0),
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9|"
	    "\xc3\xa9");
}

static int
stop(void *ctx, const char *s, size_t n)
{
	(void)s;
	(void)n;
	return ++*(int *)ctx == 2 ? CUSTOS_ERR_CANCELLED : 0;
}

static void
test_refusals(void **state)
{
	int calls = 0;

	(void)state;
	assert_int_equal(textwrap_line("a\nb", 3, 20, 2, collect, NULL),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(textwrap_line("ab", 2, 9, 2, collect, NULL),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(textwrap_line("ab", 2, 20, 2, NULL, NULL),
	    CUSTOS_ERR_INVALID_ARG);
	/* put's error stops the layout and comes back */
	assert_int_equal(textwrap_line("aaaa bbbb cccc dddd", 19, 8, 0, stop,
	    &calls), CUSTOS_ERR_CANCELLED);
	assert_int_equal(calls, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaks_at_spaces),
		cmocka_unit_test(test_never_mid_word),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_long_word_cut_only_when_needed),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
