/*
 * test_dkek.c - DKEK shares: KCV and fingerprint against independent
 * SHA-256 (OpenSSL), XOR combination, duplicate and zero-DKEK guards.
 */
#include "testutil.h"

#include <openssl/sha.h>
#include <sodium.h>

#include "../../ceremony/dkek.h"

static void
test_zero_kcv_constant(void **state)
{
	unsigned char zero[32], h[32], kcv[8];
	char hex[17];

	(void)state;
	memset(zero, 0, sizeof(zero));
	SHA256(zero, sizeof(zero), h);
	assert_memory_equal(h, dkek_zero_kcv, 8);
	dkek_kcv(kcv, zero);
	dkek_kcv_hex(hex, kcv);
	assert_string_equal(hex, "66687AADF862BD77");
}

static void
test_kcv_is_sha256_prefix(void **state)
{
	unsigned char dkek[32], h[32], kcv[8];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		randombytes_buf(dkek, sizeof(dkek));
		SHA256(dkek, sizeof(dkek), h);
		dkek_kcv(kcv, dkek);
		assert_memory_equal(kcv, h, 8);
	}
}

static void
test_fingerprint_domain_separated(void **state)
{
	static const char dom[] = "custos/dkek-share-fingerprint/v1";
	unsigned char share[32], buf[sizeof(dom) + 32], h[32], fpr[8], kcv[8];

	(void)state;
	randombytes_buf(share, sizeof(share));
	memcpy(buf, dom, sizeof(dom));	/* with its NUL */
	memcpy(buf + sizeof(dom), share, 32);
	SHA256(buf, sizeof(buf), h);
	dkek_share_fingerprint(fpr, share);
	assert_memory_equal(fpr, h, 8);
	dkek_kcv(kcv, share);
	assert_memory_not_equal(fpr, kcv, 8);
}

static void
test_combine_xor(void **state)
{
	unsigned char a[32], b[32], c[32], dkek[32], want[32], kcv[8], w[8];
	const unsigned char *shares[3] = { a, b, c };
	size_t i;

	(void)state;
	randombytes_buf(a, 32);
	randombytes_buf(b, 32);
	randombytes_buf(c, 32);
	for (i = 0; i < 32; i++)
		want[i] = (unsigned char)(a[i] ^ b[i] ^ c[i]);
	assert_int_equal(dkek_combine(dkek, kcv, shares, 3, NULL, NULL),
	    CUSTOS_OK);
	assert_memory_equal(dkek, want, 32);
	dkek_kcv(w, want);
	assert_memory_equal(kcv, w, 8);
	/* One share: the DKEK is the share itself. */
	assert_int_equal(dkek_combine(dkek, kcv, shares, 1, NULL, NULL),
	    CUSTOS_OK);
	assert_memory_equal(dkek, a, 32);
}

static void
test_duplicate_refused(void **state)
{
	unsigned char a[32], b[32], a2[32], dkek[32], kcv[8];
	const unsigned char *shares[3] = { a, b, a2 };
	size_t da = 99, db = 99;

	(void)state;
	randombytes_buf(a, 32);
	randombytes_buf(b, 32);
	memcpy(a2, a, 32);
	assert_int_equal(dkek_combine(dkek, kcv, shares, 3, &da, &db),
	    CUSTOS_ERR_DUPLICATE_SHARE);
	assert_int_equal(da, 0);
	assert_int_equal(db, 2);
}

static void
test_zero_dkek_refused(void **state)
{
	unsigned char a[32], b[32], c[32], dkek[32], kcv[8];
	const unsigned char *shares[3] = { a, b, c };
	size_t i;

	(void)state;
	randombytes_buf(a, 32);
	randombytes_buf(b, 32);
	for (i = 0; i < 32; i++)
		c[i] = (unsigned char)(a[i] ^ b[i]);	/* cancels out */
	assert_int_equal(dkek_combine(dkek, kcv, shares, 3, NULL, NULL),
	    CUSTOS_ERR_ZERO_DKEK);
	assert_true(sodium_is_zero(dkek, 32));
	memset(a, 0, 32);	/* a lone all-zero share */
	assert_int_equal(dkek_combine(dkek, kcv, shares, 1, NULL, NULL),
	    CUSTOS_ERR_ZERO_DKEK);
	assert_int_equal(dkek_combine(dkek, kcv, shares, 0, NULL, NULL),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_generate(void **state)
{
	unsigned char a[32], b[32], extra[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)state;
	dkek_share_generate(a, NULL, 0);
	dkek_share_generate(b, NULL, 0);
	assert_memory_not_equal(a, b, 32);
	assert_false(sodium_is_zero(a, 32));
	/* Mixing the same card challenge twice still gives fresh shares. */
	dkek_share_generate(a, extra, sizeof(extra));
	dkek_share_generate(b, extra, sizeof(extra));
	assert_memory_not_equal(a, b, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_kcv_constant),
		cmocka_unit_test(test_kcv_is_sha256_prefix),
		cmocka_unit_test(test_fingerprint_domain_separated),
		cmocka_unit_test(test_combine_xor),
		cmocka_unit_test(test_duplicate_refused),
		cmocka_unit_test(test_zero_dkek_refused),
		cmocka_unit_test(test_generate),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
