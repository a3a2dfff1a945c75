/* rsa_factor.c - RSA primes from (n, e, d), SP 800-56B appendix C.2. */
#include "rsa_factor.h"

/* p, q from n and k = e*d - 1 = 2^s * t with t odd. */
static int
find_primes(const BIGNUM *n, const BIGNUM *t, int s, BIGNUM *p, BIGNUM *q,
    BN_CTX *ctx)
{
	BIGNUM *g, *y, *x, *n1;
	unsigned long base;
	int i, r = CUSTOS_ERR_NOMEM;

	BN_CTX_start(ctx);
	g = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	n1 = BN_CTX_get(ctx);
	if (n1 == NULL || !BN_sub(n1, n, BN_value_one()))
		goto out;
	r = CUSTOS_ERR_CORRUPT;
	/* Each base finds the primes with probability >= 1/2. */
	for (base = 2; base < 2 + 200; base++) {
		if (!BN_set_word(g, base) ||
		    !BN_mod_exp_mont_consttime(y, g, t, n, ctx, NULL))
			goto out;
		if (BN_is_one(y) || BN_cmp(y, n1) == 0)
			continue;
		for (i = 0; i < s; i++) {
			if (!BN_mod_sqr(x, y, n, ctx))
				goto out;
			if (BN_is_one(x)) {
				/* y is a non-trivial square root of 1. */
				if (!BN_sub(x, y, BN_value_one()) ||
				    !BN_gcd(p, x, n, ctx) ||
				    !BN_div(q, x, n, p, ctx) || !BN_is_zero(x))
					goto out;
				r = 0;
				goto out;
			}
			if (BN_cmp(x, n1) == 0)
				break;
			if (!BN_copy(y, x))
				goto out;
		}
	}
 out:
	BN_CTX_end(ctx);
	return r;
}

int
rsa_factor(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d, BIGNUM *p,
    BIGNUM *q, BIGNUM *dp, BIGNUM *dq, BIGNUM *qi, BN_CTX *ctx)
{
	BIGNUM *k, *t, *p1;
	int s = 0, r = CUSTOS_ERR_NOMEM;

	BN_CTX_start(ctx);
	k = BN_CTX_get(ctx);
	t = BN_CTX_get(ctx);
	p1 = BN_CTX_get(ctx);
	if (p1 == NULL || !BN_mul(k, e, d, ctx) ||
	    !BN_sub_word(k, 1) || !BN_copy(t, k))
		goto out;
	r = CUSTOS_ERR_CORRUPT;
	if (BN_is_zero(k) || BN_is_odd(k))
		goto out;
	while (!BN_is_odd(t)) {
		if (!BN_rshift1(t, t))
			goto out;
		s++;
	}
	if ((r = find_primes(n, t, s, p, q, ctx)) != 0)
		goto out;
	r = CUSTOS_ERR_CORRUPT;
	if (BN_is_one(p) || BN_is_one(q))
		goto out;
	if (BN_cmp(p, q) < 0)
		BN_swap(p, q);
	r = CUSTOS_ERR_NOMEM;
	if (!BN_sub(p1, p, BN_value_one()) || !BN_mod(dp, d, p1, ctx) ||
	    !BN_sub(p1, q, BN_value_one()) || !BN_mod(dq, d, p1, ctx) ||
	    BN_mod_inverse(qi, q, p, ctx) == NULL)
		goto out;
	r = 0;
 out:
	BN_CTX_end(ctx);
	return r;
}
