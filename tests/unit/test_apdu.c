/*
 * test_apdu.c - command APDU encoding and decoding (ISO 7816-4 cases 1-4,
 * short and extended), status word messages, and BER-TLV building and
 * parsing as the card layer uses them.
 */
#include "testutil.h"

#include "../../cards/apdu.h"
#include "../../cards/tlv.h"

static uint8_t data300[300];

/* Encodes a, compares with want[0..wn), decodes it back and compares. */
static void
roundtrip(const struct apdu *a, int ext, const uint8_t *want, size_t wn)
{
	uint8_t out[APDU_MAX_LEN];
	struct apdu d;
	size_t n = 0;
	int x = -1;

	assert_int_equal(apdu_encode(a, ext, out, sizeof(out), &n), 0);
	assert_int_equal(n, wn);
	assert_memory_equal(out, want, wn);
	assert_int_equal(apdu_decode(out, n, &d, &x), 0);
	assert_int_equal(d.cla, a->cla);
	assert_int_equal(d.ins, a->ins);
	assert_int_equal(d.p1, a->p1);
	assert_int_equal(d.p2, a->p2);
	assert_int_equal(d.nc, a->nc);
	assert_int_equal(d.ne, a->ne);
	if (a->nc > 0)
		assert_memory_equal(d.data, a->data, a->nc);
	assert_int_equal(x, ext || a->nc > 255 || a->ne > 256);
}

static void
test_case1(void **state)
{
	struct apdu a = { 0x00, 0x20, 0x00, 0x81, NULL, 0, 0 };
	const uint8_t want[] = { 0x00, 0x20, 0x00, 0x81 };

	(void)state;
	roundtrip(&a, 0, want, sizeof(want));
}

static void
test_case2_short(void **state)
{
	struct apdu a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 8 };
	const uint8_t w8[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
	const uint8_t w256[] = { 0x00, 0x84, 0x00, 0x00, 0x00 };

	(void)state;
	roundtrip(&a, 0, w8, sizeof(w8));
	a.ne = 256;			/* Le 256 -> 00 */
	roundtrip(&a, 0, w256, sizeof(w256));
}

static void
test_case2_extended(void **state)
{
	struct apdu a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 300 };
	const uint8_t w300[] = { 0x00, 0x84, 0x00, 0x00, 0x00, 0x01, 0x2C };
	const uint8_t wmax[] = { 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 };
	const uint8_t w256[] = { 0x00, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00 };

	(void)state;
	roundtrip(&a, 0, w300, sizeof(w300));
	a.ne = 65536;			/* Le 65536 -> 0000 */
	roundtrip(&a, 0, wmax, sizeof(wmax));
	a.ne = 256;			/* forced extended: 0100 */
	roundtrip(&a, 1, w256, sizeof(w256));
}

static void
test_case3(void **state)
{
	const uint8_t pin[] = { '1', '2', '3', '4', '5', '6' };
	struct apdu a = { 0x00, 0x20, 0x00, 0x81, pin, 6, 0 };
	const uint8_t ws[] = { 0x00, 0x20, 0x00, 0x81, 0x06,
	    '1', '2', '3', '4', '5', '6' };
	const uint8_t we[] = { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x06,
	    '1', '2', '3', '4', '5', '6' };
	uint8_t out[APDU_MAX_LEN];
	size_t n;

	(void)state;
	roundtrip(&a, 0, ws, sizeof(ws));
	roundtrip(&a, 1, we, sizeof(we));
	/* 300 bytes need the extended form. */
	a.data = data300;
	a.nc = sizeof(data300);
	assert_int_equal(apdu_encode(&a, 0, out, sizeof(out), &n), 0);
	assert_int_equal(n, 4 + 3 + 300);
	assert_int_equal(out[4], 0);
	assert_int_equal(out[5], 0x01);
	assert_int_equal(out[6], 0x2C);
	assert_memory_equal(out + 7, data300, 300);
	roundtrip(&a, 1, out, n);
}

static void
test_case4(void **state)
{
	const uint8_t d[] = { 0xAA, 0xBB };
	struct apdu a = { 0x80, 0x68, 0x01, 0x20, d, 2, 256 };
	const uint8_t ws[] = { 0x80, 0x68, 0x01, 0x20, 0x02, 0xAA, 0xBB,
	    0x00 };
	const uint8_t we[] = { 0x80, 0x68, 0x01, 0x20, 0x00, 0x00, 0x02,
	    0xAA, 0xBB, 0x02, 0x00 };
	const uint8_t wm[] = { 0x80, 0x68, 0x01, 0x20, 0x00, 0x00, 0x02,
	    0xAA, 0xBB, 0x00, 0x00 };

	(void)state;
	roundtrip(&a, 0, ws, sizeof(ws));
	a.ne = 512;
	roundtrip(&a, 0, we, sizeof(we));
	a.ne = 65536;
	roundtrip(&a, 0, wm, sizeof(wm));
}

static void
test_encode_limits(void **state)
{
	static uint8_t big[APDU_MAX_NC + 1];
	struct apdu a = { 0x00, 0xD7, 0x00, 0x00, big, APDU_MAX_NC + 1, 0 };
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(apdu_encode(&a, 0, out, sizeof(out), &n),
	    CUSTOS_ERR_LIMIT);
	a.nc = 0;
	a.ne = APDU_MAX_NE + 1;
	assert_int_equal(apdu_encode(&a, 0, out, sizeof(out), &n),
	    CUSTOS_ERR_LIMIT);
	a.ne = 0;
	a.nc = 5;
	a.data = NULL;
	assert_int_equal(apdu_encode(&a, 0, out, sizeof(out), &n),
	    CUSTOS_ERR_LIMIT);
	a.data = data300;
	a.nc = 20;
	assert_int_equal(apdu_encode(&a, 0, out, sizeof(out), &n),
	    CUSTOS_ERR_TOO_LARGE);
}

static void
test_decode_malformed(void **state)
{
	/* Each: bytes that do not form a command APDU. */
	static const struct { uint8_t b[12]; size_t n; } bad[] = {
		{ { 0x00, 0x20, 0x00 }, 3 },
		{ { 0 }, 0 },
		/* short Lc 3 but 2 bytes of data */
		{ { 0x00, 0x20, 0x00, 0x81, 0x03, 0x01, 0x02 }, 7 },
		/* short Lc 1, data, Le and one byte too many */
		{ { 0x00, 0x20, 0x00, 0x81, 0x01, 0x01, 0x00, 0x00 }, 8 },
		/* 00 then a single byte: neither form */
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x01 }, 6 },
		/* extended Lc = 0 */
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x00, 0x01 }, 8 },
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x00, 0x01, 0x02 },
		    9 },
		/* extended Lc 2, one byte of data */
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x02, 0x01 }, 8 },
		/* extended Lc 1, data and a 1-byte Le */
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x01, 0x01, 0x00 },
		    9 },
		/* extended Lc 1, data and a 3-byte Le */
		{ { 0x00, 0x20, 0x00, 0x81, 0x00, 0x00, 0x01, 0x01, 0x00,
		    0x00, 0x00 }, 11 },
	};
	struct apdu a;
	size_t i;
	int x;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(apdu_decode(bad[i].b, bad[i].n, &a, &x),
		    CUSTOS_ERR_FORMAT);
}

static void
test_decode_le(void **state)
{
	const uint8_t s[] = { 0x00, 0xB0, 0x00, 0x00, 0x00 };
	const uint8_t e[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00 };
	const uint8_t e4[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x01,
	    0x55, 0x00, 0x00 };
	struct apdu a;
	int x;

	(void)state;
	assert_int_equal(apdu_decode(s, sizeof(s), &a, &x), 0);
	assert_int_equal(a.ne, 256);
	assert_int_equal(x, 0);
	assert_int_equal(apdu_decode(e, sizeof(e), &a, &x), 0);
	assert_int_equal(a.ne, 65536);
	assert_int_equal(x, 1);
	assert_int_equal(apdu_decode(e4, sizeof(e4), &a, &x), 0);
	assert_int_equal(a.nc, 1);
	assert_int_equal(a.data[0], 0x55);
	assert_int_equal(a.ne, 65536);
}

static void
test_sw_message(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(apdu_sw_message(0x63C2, buf, sizeof(buf)),
	    "wrong PIN, 2 tries left");
	assert_string_equal(apdu_sw_message(0x63C1, buf, sizeof(buf)),
	    "wrong PIN, 1 try left");
	assert_string_equal(apdu_sw_message(0x6983, buf, sizeof(buf)),
	    "PIN blocked");
	assert_string_equal(apdu_sw_message(0x9000, buf, sizeof(buf)),
	    "success");
	assert_string_equal(apdu_sw_message(0x6A82, buf, sizeof(buf)),
	    "file or application not found");
	assert_string_equal(apdu_sw_message(0x1234, buf, sizeof(buf)),
	    "card status 1234");
	assert_string_equal(apdu_sw_message(0x6FAB, buf, sizeof(buf)),
	    "card status 6FAB");
}

/* ---- TLV ---- */

/* Builds tag/len TLV, checks its header bytes, parses it back. */
static void
put_and_parse(uint32_t tag, size_t len, const uint8_t *hdr, size_t hn)
{
	struct tlv_buf b;
	uint8_t *v = calloc(1, len + 1);
	const uint8_t *p, *val;
	size_t left, vlen;
	uint32_t t;

	assert_non_null(v);
	memset(v, 0x5A, len);
	tlv_init(&b);
	tlv_put(&b, tag, v, len);
	assert_int_equal(tlv_error(&b), 0);
	assert_int_equal(b.len, hn + len);
	assert_memory_equal(b.p, hdr, hn);
	p = b.p;
	left = b.len;
	assert_int_equal(tlv_next(&p, &left, &t, &val, &vlen), 0);
	assert_int_equal(t, tag);
	assert_int_equal(vlen, len);
	assert_int_equal(left, 0);
	assert_ptr_equal(val, b.p + hn);
	/* Every shorter prefix is truncated. */
	for (left = 0; left < b.len; left += left < 8 ? 1 : 4099) {
		p = b.p;
		size_t l = left;

		assert_int_equal(tlv_next(&p, &l, &t, &val, &vlen),
		    CUSTOS_ERR_TRUNCATED);
	}
	/* begin/end gives the same bytes. */
	{
		struct tlv_buf c;
		size_t m;

		tlv_init(&c);
		m = tlv_begin(&c, tag);
		tlv_raw(&c, v, len);
		tlv_end(&c, m);
		assert_int_equal(tlv_error(&c), 0);
		assert_int_equal(c.len, b.len);
		assert_memory_equal(c.p, b.p, b.len);
		tlv_free(&c);
	}
	tlv_free(&b);
	free(v);
}

static void
test_tlv_lengths(void **state)
{
	(void)state;
	put_and_parse(0x80, 0, (const uint8_t[]){ 0x80, 0x00 }, 2);
	put_and_parse(0x80, 127, (const uint8_t[]){ 0x80, 0x7F }, 2);
	put_and_parse(0x80, 128, (const uint8_t[]){ 0x80, 0x81, 0x80 }, 3);
	put_and_parse(0x80, 255, (const uint8_t[]){ 0x80, 0x81, 0xFF }, 3);
	put_and_parse(0x80, 256,
	    (const uint8_t[]){ 0x80, 0x82, 0x01, 0x00 }, 4);
	put_and_parse(0x80, 65536,
	    (const uint8_t[]){ 0x80, 0x83, 0x01, 0x00, 0x00 }, 5);
}

static void
test_tlv_tags(void **state)
{
	(void)state;
	put_and_parse(0x5F20, 3, (const uint8_t[]){ 0x5F, 0x20, 0x03 }, 3);
	put_and_parse(0x7F49, 200,
	    (const uint8_t[]){ 0x7F, 0x49, 0x81, 0xC8 }, 4);
	put_and_parse(0x7F8101, 1,
	    (const uint8_t[]){ 0x7F, 0x81, 0x01, 0x01 }, 4);
	put_and_parse(0x5FFF21, 256,
	    (const uint8_t[]){ 0x5F, 0xFF, 0x21, 0x82, 0x01, 0x00 }, 6);
}

static void
test_tlv_nested(void **state)
{
	const uint8_t want[] = { 0x62, 0x08, 0x82, 0x01, 0x38, 0x85, 0x03,
	    0x01, 0x02, 0x03 };
	const uint8_t v3[] = { 1, 2, 3 };
	struct tlv_buf b;
	size_t m;

	(void)state;
	tlv_init(&b);
	m = tlv_begin(&b, 0x62);
	tlv_put_u8(&b, 0x82, 0x38);
	tlv_put(&b, 0x85, v3, 3);
	tlv_end(&b, m);
	assert_int_equal(tlv_error(&b), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	tlv_free(&b);
	tlv_free(&b);		/* a freed buffer may be freed again */
}

static void
test_tlv_bad(void **state)
{
	/* Each: input and the error tlv_next gives. */
	static const struct { uint8_t b[8]; size_t n; int err; } bad[] = {
		{ { 0 }, 0, CUSTOS_ERR_TRUNCATED },
		{ { 0x80 }, 1, CUSTOS_ERR_TRUNCATED },
		{ { 0x80, 0x02, 0x01 }, 3, CUSTOS_ERR_TRUNCATED },
		{ { 0x5F }, 1, CUSTOS_ERR_TRUNCATED },
		{ { 0x5F, 0x81 }, 2, CUSTOS_ERR_TRUNCATED },
		{ { 0x80, 0x82, 0x01 }, 3, CUSTOS_ERR_TRUNCATED },
		{ { 0x80, 0x81, 0x05, 0x00 }, 4, CUSTOS_ERR_TRUNCATED },
		/* indefinite length */
		{ { 0x80, 0x80, 0x00, 0x00 }, 4, CUSTOS_ERR_FORMAT },
		/* four length bytes */
		{ { 0x80, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00 }, 7,
		    CUSTOS_ERR_FORMAT },
		/* four tag bytes */
		{ { 0x5F, 0x81, 0x81, 0x01, 0x00 }, 5, CUSTOS_ERR_FORMAT },
	};
	const uint8_t *p, *v;
	size_t i, left, vl;
	uint32_t t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i].b;
		left = bad[i].n;
		assert_int_equal(tlv_next(&p, &left, &t, &v, &vl), bad[i].err);
		/* An error leaves the cursor where it was. */
		assert_ptr_equal(p, bad[i].b);
		assert_int_equal(left, bad[i].n);
	}
}

static void
test_tlv_find(void **state)
{
	const uint8_t buf[] = { 0x80, 0x01, 0xAA, 0x5F, 0x20, 0x02, 0xBB,
	    0xCC, 0x85, 0x00, 0x81, 0x05 };
	const uint8_t *v;
	size_t vl;

	(void)state;
	assert_int_equal(tlv_find(buf, 10, 0x5F20, &v, &vl), 0);
	assert_int_equal(vl, 2);
	assert_ptr_equal(v, buf + 6);
	assert_int_equal(tlv_find(buf, 10, 0x85, &v, &vl), 0);
	assert_int_equal(vl, 0);
	assert_int_equal(tlv_find(buf, 10, 0x86, &v, &vl),
	    CUSTOS_ERR_NOT_FOUND);
	/* found before the broken sibling; not found runs into it */
	assert_int_equal(tlv_find(buf, sizeof(buf), 0x80, &v, &vl), 0);
	assert_int_equal(tlv_find(buf, sizeof(buf), 0x86, &v, &vl),
	    CUSTOS_ERR_TRUNCATED);
	assert_int_equal(tlv_find(buf, 0, 0x80, &v, &vl),
	    CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(tlv_uint((const uint8_t[]){ 0x01, 0x00, 0x01 }, 3),
	    65537);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case1),
		cmocka_unit_test(test_case2_short),
		cmocka_unit_test(test_case2_extended),
		cmocka_unit_test(test_case3),
		cmocka_unit_test(test_case4),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_le),
		cmocka_unit_test(test_sw_message),
		cmocka_unit_test(test_tlv_lengths),
		cmocka_unit_test(test_tlv_tags),
		cmocka_unit_test(test_tlv_nested),
		cmocka_unit_test(test_tlv_bad),
		cmocka_unit_test(test_tlv_find),
	};

	memset(data300, 0xA5, sizeof(data300));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
