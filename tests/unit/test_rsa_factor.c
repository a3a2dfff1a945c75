/*
 * test_rsa_factor.c - RSA primes recovered from (n, e, d): for keys that
 * OpenSSL generated (d mod lcm) and for d mod phi, as other tools make
 * it; the primes, CRT exponents and coefficient must be the key's own;
 * a wrong d is refused.
 */
#include "testutil.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "../../cards/rsa_factor.h"

static BIGNUM *
param(EVP_PKEY *k, const char *name)
{
	BIGNUM *b = NULL;

	assert_int_equal(EVP_PKEY_get_bn_param(k, name, &b), 1);
	return b;
}

static void
check_key(unsigned bits, int use_phi)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	BIGNUM *n, *e, *d, *kp, *kq, *p = BN_new(), *q = BN_new(),
	    *dp = BN_new(), *dq = BN_new(), *qi = BN_new(), *phi = BN_new(),
	    *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();

	assert_non_null(k);
	n = param(k, OSSL_PKEY_PARAM_RSA_N);
	e = param(k, OSSL_PKEY_PARAM_RSA_E);
	d = param(k, OSSL_PKEY_PARAM_RSA_D);
	kp = param(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
	kq = param(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
	if (use_phi) {		/* d = e^-1 mod (p-1)(q-1) */
		assert_true(BN_sub(phi, kp, BN_value_one()));
		assert_true(BN_sub(t, kq, BN_value_one()));
		assert_true(BN_mul(phi, phi, t, ctx));
		assert_non_null(BN_mod_inverse(d, e, phi, ctx));
	}
	assert_int_equal(rsa_factor(n, e, d, p, q, dp, dq, qi, ctx), 0);
	if (BN_cmp(kp, kq) < 0)
		BN_swap(kp, kq);
	assert_int_equal(BN_cmp(p, kp), 0);
	assert_int_equal(BN_cmp(q, kq), 0);
	assert_true(BN_mul(t, p, q, ctx));
	assert_int_equal(BN_cmp(t, n), 0);
	assert_true(BN_mod_mul(t, qi, q, p, ctx));
	assert_true(BN_is_one(t));
	assert_true(BN_sub(t, p, BN_value_one()));
	assert_true(BN_mod(t, d, t, ctx));
	assert_int_equal(BN_cmp(t, dp), 0);
	/* A d that does not belong to (n, e). */
	assert_true(BN_add_word(d, 2));
	assert_int_equal(rsa_factor(n, e, d, p, q, dp, dq, qi, ctx),
	    CUSTOS_ERR_CORRUPT);
	BN_free(n); BN_free(e); BN_free(d); BN_free(kp); BN_free(kq);
	BN_free(p); BN_free(q); BN_free(dp); BN_free(dq); BN_free(qi);
	BN_free(phi); BN_free(t);
	BN_CTX_free(ctx);
	EVP_PKEY_free(k);
}

static void
test_2048(void **state)
{
	(void)state;
	check_key(2048, 0);
	check_key(2048, 1);
}

static void
test_3072_4096(void **state)
{
	(void)state;
	check_key(3072, 1);
	check_key(4096, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2048),
		cmocka_unit_test(test_3072_4096),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
