/*
 * test_prkd.c - PKCS#15 private key descriptions: byte-exact against what
 * OpenSC 0.23 (pkcs11-tool --keypairgen on a SmartCard-HSM) wrote, round
 * trips, and every truncation and malformed input refused.
 */
#include "testutil.h"

#include "../../cards/prkd.h"
#include "../../cards/tlv.h"

/* EF C401 and C402 as OpenSC wrote them (label it-rsa, ID 01, ref 1,
 * RSA 2048; label it-ec, ID 0203, ref 2, EC 256). */
static const char opensc_rsa[] =
    "3029300F0C0669742D727361030206C0040101300A040101030204700201"
    "01A10A30083002040002020800";
static const char opensc_ec[] =
    "A02A300E0C0569742D6563030206C0040101300C04020203030307308002"
    "0102A10A30083002040002020100";

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0') {
		assert_true(n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
check_encode(const struct prkd *p, const char *want_hex)
{
	uint8_t want[256];
	size_t wl = unhex(want_hex, want, sizeof(want));
	struct tlv_buf b;

	tlv_init(&b);
	assert_int_equal(prkd_encode(p, &b), 0);
	assert_int_equal(b.len, wl);
	assert_memory_equal(b.p, want, wl);
	tlv_free(&b);
}

static void
test_opensc_bytes(void **state)
{
	struct prkd p;
	uint8_t d[256];
	size_t n;

	(void)state;
	n = unhex(opensc_rsa, d, sizeof(d));
	assert_int_equal(prkd_parse(d, n, &p), 0);
	assert_int_equal(p.type, PRKD_RSA);
	assert_string_equal(p.label, "it-rsa");
	assert_int_equal(p.id_len, 1);
	assert_int_equal(p.id[0], 0x01);
	assert_int_equal(p.key_ref, 1);
	assert_int_equal(p.bits, 2048);
	check_encode(&p, opensc_rsa);

	n = unhex(opensc_ec, d, sizeof(d));
	assert_int_equal(prkd_parse(d, n, &p), 0);
	assert_int_equal(p.type, PRKD_EC);
	assert_string_equal(p.label, "it-ec");
	assert_int_equal(p.id_len, 2);
	assert_int_equal(p.id[0], 0x02);
	assert_int_equal(p.id[1], 0x03);
	assert_int_equal(p.key_ref, 2);
	assert_int_equal(p.bits, 256);
	check_encode(&p, opensc_ec);
}

static void
test_round_trip(void **state)
{
	static const unsigned sizes[] = { 192, 256, 384, 521, 1024, 4096 };
	struct prkd p, q;
	struct tlv_buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.type = i % 2 ? PRKD_EC : PRKD_RSA;
		snprintf(p.label, sizeof(p.label), "key %zu \xc3\xa9", i);
		memset(p.id, (int)i + 1, 20);
		p.id_len = 20;
		p.key_ref = (int)(i * 50 + 1);	/* 1 .. 251, > 127 too */
		p.bits = sizes[i];
		tlv_init(&b);
		assert_int_equal(prkd_encode(&p, &b), 0);
		assert_int_equal(prkd_parse(b.p, b.len, &q), 0);
		assert_int_equal(q.type, p.type);
		assert_string_equal(q.label, p.label);
		assert_int_equal(q.id_len, 20);
		assert_memory_equal(q.id, p.id, 20);
		assert_int_equal(q.key_ref, p.key_ref);
		assert_int_equal(q.bits, p.bits);
		tlv_free(&b);
	}
}

static void
test_encode_refuses(void **state)
{
	struct prkd p;
	struct tlv_buf b;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.type = PRKD_RSA;
	p.id_len = 1;
	p.key_ref = 1;
	p.bits = 2048;
	tlv_init(&b);
	p.key_ref = 0;
	assert_int_equal(prkd_encode(&p, &b), CUSTOS_ERR_INVALID_ARG);
	p.key_ref = 256;
	assert_int_equal(prkd_encode(&p, &b), CUSTOS_ERR_INVALID_ARG);
	p.key_ref = 1;
	p.id_len = 0;
	assert_int_equal(prkd_encode(&p, &b), CUSTOS_ERR_INVALID_ARG);
	p.id_len = 1;
	p.type = PRKD_UNKNOWN;
	assert_int_equal(prkd_encode(&p, &b), CUSTOS_ERR_INVALID_ARG);
	p.type = PRKD_EC;
	snprintf(p.label, sizeof(p.label), "bad\nlabel");
	assert_int_equal(prkd_encode(&p, &b), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(b.len, 0);
	assert_int_equal(prkd_encode(NULL, &b), CUSTOS_ERR_INVALID_ARG);
	tlv_free(&b);
}

static void
test_truncations(void **state)
{
	struct prkd p;
	uint8_t d[256], e[256];
	size_t n, i;

	(void)state;
	n = unhex(opensc_ec, d, sizeof(d));
	assert_int_not_equal(prkd_parse(NULL, 0, &p), 0);
	for (i = 0; i < n; i++)
		assert_int_not_equal(prkd_parse(d, i, &p), 0);
	/* A wrong outer tag, a label with control characters. */
	memcpy(e, d, n);
	e[0] = 0x04;
	assert_int_equal(prkd_parse(e, n, &p), CUSTOS_ERR_FORMAT);
	memcpy(e, d, n);
	e[6] = 0x07;		/* "it-ec" -> "\x07t-ec" */
	assert_int_equal(prkd_parse(e, n, &p), 0);
	assert_string_equal(p.label, "?t-ec");
	/* C1 controls and broken UTF-8 become '?'; good UTF-8 stays. */
	{
		static const uint8_t lab[][8] = {
			{ 0xC2, 0x9B, 'a' },		/* CSI (C1) */
			{ 0xC3, 0xA9, 'b' },		/* e acute */
			{ 0xE2, 0x82, 'c' },		/* cut short */
			{ 0xC0, 0xAF, 'd' },		/* overlong */
		};
		static const char *const want[] = { "??a", "\xc3\xa9" "b",
		    "??c", "??d" };
		size_t k;

		for (k = 0; k < 4; k++) {
			memcpy(e, d, n);
			memcpy(e + 6, lab[k], 3);	/* over "it-" */
			assert_int_equal(prkd_parse(e, n, &p), 0);
			assert_memory_equal(p.label, want[k],
			    strlen(want[k]));
			assert_string_equal(p.label + strlen(want[k]), "ec");
		}
	}
	/* A key reference that does not fit a byte. */
	n = unhex("300F3000300B0401010302047002020100", e, sizeof(e));
	assert_int_equal(prkd_parse(e, n, &p), CUSTOS_ERR_FORMAT);
	/* ... while 255 is taken. */
	n = unhex("300F3000300B04010103020470020200FF", e, sizeof(e));
	assert_int_equal(prkd_parse(e, n, &p), 0);
	assert_int_equal(p.key_ref, 255);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opensc_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_truncations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
