/*
 * test_wrapfile.c - sc-hsm-tool's wrap file: a file the real sc-hsm-tool
 * (OpenSC 0.23) wrote from the emulated card is parsed, its blob opened
 * with the DKEK and its key matched with the public key in the file, and
 * re-encoded byte for byte; truncations and malformed files are refused.
 */
#include "testutil.h"

#include <openssl/evp.h>

#include "../../cards/keyblob.h"
#include "../../cards/prkd.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../cards/wrapfile.h"
#include "../../common/atomicio.h"
#include "../../common/secmem.h"

#define VECTOR "tests/vectors/sc-hsm-tool-ec.wrap"

/* The DKEK the card held (one share) when sc-hsm-tool wrapped key 2. */
static const uint8_t dkek[32] = {
	0x29, 0xF2, 0xBC, 0xEA, 0xEF, 0xE4, 0xEE, 0xCC, 0xC9, 0x03, 0x87, 0x1B,
	0x1A, 0x8F, 0xFC, 0x72, 0x04, 0xC2, 0xC1, 0x53, 0xA3, 0xAD, 0xDB, 0xF4,
	0xA3, 0xA2, 0xED, 0x06, 0x79, 0xA5, 0xCB, 0x33,
};

static unsigned char *file;
static size_t flen;

static int
setup(void **state)
{
	(void)state;
	if (secmem_init() != 0)
		return -1;
	return atomicio_read(VECTOR, WRAPFILE_MAX, 0, &file, &flen);
}

static int
teardown(void **state)
{
	(void)state;
	atomicio_free_buf(file, flen, 0);
	return 0;
}

static void
test_sc_hsm_tool_file(void **state)
{
	struct wrapfile w;
	struct keyblob_info bi;
	struct prkd p;
	EVP_PKEY *priv = NULL, *pub = NULL;
	uint8_t kcv[8];

	(void)state;
	assert_int_equal(flen, 905);
	assert_int_equal(wrapfile_parse(file, flen, &w), 0);
	assert_int_equal(w.blob_len, 0x16b);
	assert_non_null(w.prkd);
	assert_non_null(w.cert);
	assert_int_equal(prkd_parse(w.prkd, w.prkd_len, &p), 0);
	assert_string_equal(p.label, "it-ec");
	assert_int_equal(p.key_ref, 2);
	assert_int_equal(keyblob_parse(w.blob, w.blob_len, &bi), 0);
	assert_int_equal(keyblob_kcv(kcv, dkek), 0);
	assert_memory_equal(bi.kcv, kcv, 8);
	/* The key in the blob is the one whose public key the file holds. */
	assert_int_equal(keyblob_unwrap(dkek, w.blob, w.blob_len, &priv), 0);
	assert_int_equal(sc_hsm_pub_from_ce(w.cert, w.cert_len, &pub), 0);
	assert_int_equal(EVP_PKEY_eq(priv, pub), 1);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void
test_reencode(void **state)
{
	struct wrapfile w;
	struct tlv_buf b;

	(void)state;
	assert_int_equal(wrapfile_parse(file, flen, &w), 0);
	tlv_init(&b);
	assert_int_equal(wrapfile_encode(&b, w.blob, w.blob_len, w.prkd,
	    w.prkd_len, w.cert, w.cert_len), 0);
	assert_int_equal(b.len, flen);
	assert_memory_equal(b.p, file, flen);
	tlv_free(&b);
	/* Blob alone, and blob with description: both parse back. */
	tlv_init(&b);
	assert_int_equal(wrapfile_encode(&b, w.blob, w.blob_len, NULL, 0,
	    NULL, 0), 0);
	assert_int_equal(wrapfile_parse(b.p, b.len, &w), 0);
	assert_null(w.prkd);
	assert_null(w.cert);
	tlv_free(&b);
}

static void
test_refused(void **state)
{
	struct wrapfile w;
	struct tlv_buf b;
	uint8_t *d;
	size_t i;

	(void)state;
	for (i = 0; i < flen; i++)
		assert_int_not_equal(wrapfile_parse(file, i, &w), 0);
	assert_non_null(d = malloc(flen + 8));
	/* Trailing bytes after the outer SEQUENCE. */
	memcpy(d, file, flen);
	d[flen] = 0x00;
	assert_int_equal(wrapfile_parse(d, flen + 1, &w), CUSTOS_ERR_FORMAT);
	/* Not a SEQUENCE; the first element not an OCTET STRING. */
	memcpy(d, file, flen);
	d[0] = 0x31;
	assert_int_equal(wrapfile_parse(d, flen, &w), CUSTOS_ERR_FORMAT);
	memcpy(d, file, flen);
	d[4] = 0x05;
	assert_int_equal(wrapfile_parse(d, flen, &w), CUSTOS_ERR_FORMAT);
	free(d);
	assert_int_equal(wrapfile_parse(file, WRAPFILE_MAX + 1, &w),
	    CUSTOS_ERR_TOO_LARGE);
	/* A fourth element. */
	tlv_init(&b);
	{
		size_t m = tlv_begin(&b, 0x30);

		tlv_put(&b, 0x04, "x", 1);
		tlv_put(&b, 0x30, NULL, 0);
		tlv_put(&b, 0x30, NULL, 0);
		tlv_put(&b, 0x30, NULL, 0);
		tlv_end(&b, m);
	}
	assert_int_equal(wrapfile_parse(b.p, b.len, &w), CUSTOS_ERR_FORMAT);
	tlv_free(&b);
	/* Encoding: a certificate without a description, an empty blob, a
	 * description that is not one TLV. */
	tlv_init(&b);
	assert_int_equal(wrapfile_encode(&b, file, 4, NULL, 0, file, flen),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(wrapfile_encode(&b, file, 0, NULL, 0, NULL, 0),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(wrapfile_encode(&b, file, 4, file, flen - 1, NULL,
	    0), CUSTOS_ERR_INVALID_ARG);
	tlv_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sc_hsm_tool_file),
		cmocka_unit_test(test_reencode),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
