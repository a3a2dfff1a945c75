/* test_pwpolicy.c - the passphrase strength policy. */
#include "testutil.h"

#include "../../common/pwpolicy.h"

static const char *
check(const char *pw, int legacy)
{
	return pwpolicy_check(pw, strlen(pw), legacy);
}

static void
assert_refused(const char *pw, int legacy)
{
	const char *why = check(pw, legacy);

	if (why == NULL)
		fail_msg("accepted \"%s\" (legacy %d, %.1f bits)", pw, legacy,
		    pwpolicy_estimate_bits(pw, strlen(pw)));
	assert_true(strlen(why) > 0);
}

static void
assert_accepted(const char *pw, int legacy)
{
	const char *why = check(pw, legacy);

	if (why != NULL)
		fail_msg("refused \"%s\" (legacy %d, %.1f bits): %s", pw,
		    legacy, pwpolicy_estimate_bits(pw, strlen(pw)), why);
}

static void
test_refuses_weak(void **state)
{
	static const char *const weak[] = {
		"",
		"a",
		"Sh0rt!x",
		"Tr0ub4dor&3",		/* strong-looking but 11 < 12 */
		"aaaaaaaaaaaaaaaa",
		"password1234",
		"qwertyuiop12",
		"abcdefghijklmnop",
		"1234567890123456",
		"zyxwvutsrqponmlk",	/* a run downwards */
		"asdfghjkl;asdfgh",
		"QWERTYqwertyQWERTY",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		assert_refused(weak[i], 0);
}

static void
test_empty_with_null_pointer(void **state)
{
	(void)state;
	assert_non_null(pwpolicy_check(NULL, 0, 0));
	assert_non_null(pwpolicy_check(NULL, 0, 1));
}

static void
test_accepts_strong(void **state)
{
	(void)state;
	assert_accepted("correct horse battery staple", 0);
	assert_accepted("Tr0ub4dor&3-xQ", 0);
	/* Whatever is good for v1 is good for legacy too. */
	assert_accepted("correct horse battery staple", 1);
	assert_accepted("Tr0ub4dor&3-xQ", 1);
}

static void
test_legacy_length(void **state)
{
	(void)state;
	assert_accepted("abcdef", 1);
	assert_accepted("aaaaaa", 1);	/* sc-hsm-tool checks only length */
	assert_refused("abcde", 1);
	assert_refused("", 1);
	assert_int_equal(PWPOLICY_LEGACY_MIN_LEN, 6);
	/* The same 6 characters are far too weak for a v1 share. */
	assert_refused("abcdef", 0);
}

static void
test_refuses_line_breaks_and_nul(void **state)
{
	static const char nl[] = "correct horse\nbattery staple";
	static const char cr[] = "correct horse battery staple\r";
	static const char nul[] = "correct horse\0battery staple";

	(void)state;
	assert_non_null(pwpolicy_check(nl, sizeof(nl) - 1, 0));
	assert_non_null(pwpolicy_check(nl, sizeof(nl) - 1, 1));
	assert_non_null(pwpolicy_check(cr, sizeof(cr) - 1, 0));
	assert_non_null(pwpolicy_check(cr, sizeof(cr) - 1, 1));
	assert_non_null(pwpolicy_check(nul, sizeof(nul) - 1, 0));
	assert_non_null(pwpolicy_check(nul, sizeof(nul) - 1, 1));
	/* Trailing newline, as a careless reader would leave it. */
	assert_refused("Tr0ub4dor&3-xQ\n", 0);
}

static void
test_estimate(void **state)
{
	static const char *const chain[] = {
		"x7#K", "x7#Kq9$m", "x7#Kq9$mPz2&", "x7#Kq9$mPz2&vL5!",
	};
	size_t i;

	(void)state;
	assert_true(pwpolicy_estimate_bits("", 0) == 0.0);
	/* A longer random-looking string scores strictly higher. */
	for (i = 1; i < sizeof(chain) / sizeof(chain[0]); i++)
		assert_true(pwpolicy_estimate_bits(chain[i], strlen(chain[i])) >
		    pwpolicy_estimate_bits(chain[i - 1], strlen(chain[i - 1])));
	/* Repeats, runs and keyboard walks score below random text. */
	assert_true(pwpolicy_estimate_bits("aaaaaaaaaaaa", 12) <
	    pwpolicy_estimate_bits("qmzvkxjwbpft", 12));
	assert_true(pwpolicy_estimate_bits("abcdefghijkl", 12) <
	    pwpolicy_estimate_bits("qmzvkxjwbpft", 12));
	assert_true(pwpolicy_estimate_bits("qwertyuiop[]", 12) <
	    pwpolicy_estimate_bits("qmzvkxjwbpft", 12));
	/* More character classes, more bits per character. */
	assert_true(pwpolicy_estimate_bits("qmzvkxjwbpft", 12) <
	    pwpolicy_estimate_bits("qMzV7xJ#bP2t", 12));
	/* The strong examples clear the bar, the weak ones do not. */
	assert_true(pwpolicy_estimate_bits("correct horse battery staple", 28)
	    >= PWPOLICY_MIN_BITS);
	assert_true(pwpolicy_estimate_bits("password1234", 12) <
	    PWPOLICY_MIN_BITS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_weak),
		cmocka_unit_test(test_empty_with_null_pointer),
		cmocka_unit_test(test_accepts_strong),
		cmocka_unit_test(test_legacy_length),
		cmocka_unit_test(test_refuses_line_breaks_and_nul),
		cmocka_unit_test(test_estimate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
