/* test_paper.c - print-ready PDF pages: sizes, pages, dates, repeatable
   bytes, refusals. (tests/cli/paper.sh renders them and reads the QR
   codes back.) */
#include "testutil.h"

#include "../../ceremony/paper.h"
#include "../../common/secmem.h"

static const char words[] = "ACADEMIC ACID ACNE ACQUIRE ACROBAT ACTIVITY "
    "ACTRESS ADAPT ADEQUATE ADJUST ADMIT ADORN ADULT ADVANCE ADVOCATE "
    "AFRAID AGAIN AGENCY AGREE AIDE";

/* Does the n bytes at p hold the string s? */
static int
holds(const unsigned char *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

static void
doc(struct paper_doc *d, enum paper_size size)
{
	memset(d, 0, sizeof(*d));
	d->size = size;
	d->title = "test sheet";
	d->created = "2024-05-06T07:08:09Z";
	d->head = "CUSTOS DKEK SHARE SHEET\n  Group  1:   1 academic\n";
	d->qr = words;
	d->qr_caption = "QR code of the mnemonic:";
	d->tail = "Keep this sheet sealed.\n";
}

static void
test_parse(void **state)
{
	enum paper_size p = PAPER_LETTER;

	(void)state;
	assert_int_equal(paper_parse("a4", &p), CUSTOS_OK);
	assert_int_equal(p, PAPER_A4);
	assert_int_equal(paper_parse("Letter", &p), CUSTOS_OK);
	assert_int_equal(p, PAPER_LETTER);
	assert_int_equal(paper_parse("A4", &p), CUSTOS_OK);
	assert_int_equal(p, PAPER_A4);
	assert_int_equal(paper_parse("legal", &p), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(paper_parse("", &p), CUSTOS_ERR_INVALID_ARG);
	assert_string_equal(paper_name(PAPER_A4), "a4");
	assert_string_equal(paper_name(PAPER_LETTER), "letter");
}

static void
test_a4_and_letter(void **state)
{
	struct paper_doc d;
	unsigned char *a = NULL, *l = NULL;
	size_t alen = 0, llen = 0;

	(void)state;
	doc(&d, PAPER_A4);
	assert_int_equal(paper_render(&a, &alen, &d), CUSTOS_OK);
	assert_true(alen > 1000);
	assert_memory_equal(a, "%PDF-", 5);
	assert_true(holds(a, alen, "/MediaBox [ 0 0 595.275591 841.889764 ]"));
	assert_true(holds(a, alen, "DejaVuSansMono"));
	assert_true(holds(a, alen, "/Count 1"));
	doc(&d, PAPER_LETTER);
	assert_int_equal(paper_render(&l, &llen, &d), CUSTOS_OK);
	assert_true(holds(l, llen, "/MediaBox [ 0 0 612 792 ]"));
	secmem_free(a);
	secmem_free(l);
}

/* The dates are the document's own, and two renders are the same bytes. */
static void
test_repeatable(void **state)
{
	struct paper_doc d;
	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	(void)state;
	doc(&d, PAPER_A4);
	assert_int_equal(paper_render(&a, &alen, &d), CUSTOS_OK);
	assert_int_equal(paper_render(&b, &blen, &d), CUSTOS_OK);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_true(holds(a, alen, "/CreationDate (20240506070809Z)") ||
	    holds(a, alen, "/CreationDate (D:20240506070809Z)"));
	assert_true(holds(a, alen, "/ModDate (20240506070809Z)") ||
	    holds(a, alen, "/ModDate (D:20240506070809Z)"));
	secmem_free(b);
	/* another time: other bytes */
	d.created = "2024-05-06T07:08:10Z";
	assert_int_equal(paper_render(&b, &blen, &d), CUSTOS_OK);
	assert_true(alen != blen || memcmp(a, b, alen) != 0);
	secmem_free(a);
	secmem_free(b);
}

/* Text that fills more than a page goes on to the next ones. */
static void
test_pages(void **state)
{
	struct paper_doc d;
	unsigned char *p = NULL;
	char *text;
	size_t len = 0, i, o = 0;

	(void)state;
	assert_non_null(text = malloc(200 * 100));
	for (i = 0; i < 150; i++)
		o += (size_t)snprintf(text + o, 200 * 100 - o, "line %zu\n", i);
	/* one line of 200 columns wraps to three */
	memset(text + o, 'x', 200);
	text[o + 200] = '\0';
	doc(&d, PAPER_A4);
	d.qr = NULL;
	d.head = text;
	d.tail = NULL;
	assert_int_equal(paper_render(&p, &len, &d), CUSTOS_OK);
	assert_true(holds(p, len, "/Count 3"));
	secmem_free(p);
	free(text);
}

static void
test_refusals(void **state)
{
	struct paper_doc d;
	unsigned char *p = (unsigned char *)"x";
	size_t len = 1;
	char *big;

	(void)state;
	doc(&d, PAPER_A4);
	d.created = NULL;
	assert_int_equal(paper_render(&p, &len, &d), CUSTOS_ERR_INVALID_ARG);
	assert_null(p);
	assert_int_equal(len, 0);
	d.created = "2024-05-06 07:08:09";
	assert_int_equal(paper_render(&p, &len, &d), CUSTOS_ERR_INVALID_ARG);
	/* more than a QR code holds (version 40-M: 2331 bytes) */
	assert_non_null(big = malloc(3000));
	memset(big, 'a', 2999);
	big[2999] = '\0';
	doc(&d, PAPER_A4);
	d.qr = big;
	assert_int_equal(paper_render(&p, &len, &d), CUSTOS_ERR_CRYPTO);
	assert_null(p);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_a4_and_letter),
		cmocka_unit_test(test_repeatable),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_refusals),
	};

	if (secmem_init() != CUSTOS_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
