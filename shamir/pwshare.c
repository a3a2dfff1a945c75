/* pwshare.c - sc-hsm-tool's M-of-N password shares, without its bugs. */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>

#include "../common/secmem.h"
#include "pwshare.h"

/* The field: a secure BN_CTX and the prime. */
struct field {
	BN_CTX *ctx;
	BIGNUM *p;
};

static int
field_open(struct field *f, const unsigned char prime[PWSHARE_NUM_LEN])
{
	f->ctx = BN_CTX_secure_new();
	f->p = BN_new();
	if (f->ctx == NULL || f->p == NULL)
		return CUSTOS_ERR_NOMEM;
	if (BN_bin2bn(prime, PWSHARE_NUM_LEN, f->p) == NULL)
		return CUSTOS_ERR_CRYPTO;
	return CUSTOS_OK;
}

static void
field_close(struct field *f)
{
	BN_CTX_free(f->ctx);
	BN_free(f->p);
	f->ctx = NULL;
	f->p = NULL;
}

/* Public 64-bit number from 8 big-endian bytes (primes only). */
static uint64_t
be64(const unsigned char b[PWSHARE_NUM_LEN])
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < PWSHARE_NUM_LEN; i++)
		v = (v << 8) | b[i];
	return v;
}

/* 1 when p (BIGNUM) is a 64-bit safe prime, 0 when not, -1 on error. */
static int
is_safe_prime64(const BIGNUM *p, BN_CTX *ctx)
{
	BIGNUM *q = NULL;
	int r = -1, c;

	if (BN_num_bits(p) != 64)
		return 0;
	if ((c = BN_check_prime(p, ctx, NULL)) != 1) {
		r = c == 0 ? 0 : -1;
		goto out;
	}
	if ((q = BN_dup(p)) == NULL || !BN_rshift1(q, q))
		goto out;
	c = BN_check_prime(q, ctx, NULL);
	r = c == 1 ? 1 : c == 0 ? 0 : -1;
 out:
	BN_free(q);
	return r;
}

/*
 * out = L(x): the polynomial through the shares s[idx[0..t)] evaluated at
 * x, mod p. Returns 0, CUSTOS_ERR_FORMAT (no inverse: p is not prime) or
 * CUSTOS_ERR_CRYPTO.
 */
static int
lagrange_at(struct field *f, unsigned long x, const struct pwshare *s,
    const size_t *idx, size_t t, BIGNUM *out)
{
	BIGNUM *num, *den, *a, *b, *tmp, *y;
	size_t i, j;
	int r = CUSTOS_ERR_CRYPTO;

	BN_CTX_start(f->ctx);
	num = BN_CTX_get(f->ctx);
	den = BN_CTX_get(f->ctx);
	a = BN_CTX_get(f->ctx);
	b = BN_CTX_get(f->ctx);
	tmp = BN_CTX_get(f->ctx);
	if ((y = BN_CTX_get(f->ctx)) == NULL)
		goto out;
	BN_zero(out);
	for (i = 0; i < t; i++) {
		if (!BN_one(num) || !BN_one(den))
			goto out;
		for (j = 0; j < t; j++) {
			if (j == i)
				continue;
			if (!BN_set_word(b, s[idx[j]].id) ||
			    !BN_set_word(a, x) ||
			    !BN_mod_sub(tmp, a, b, f->p, f->ctx) ||
			    !BN_mod_mul(num, num, tmp, f->p, f->ctx) ||
			    !BN_set_word(a, s[idx[i]].id) ||
			    !BN_mod_sub(tmp, a, b, f->p, f->ctx) ||
			    !BN_mod_mul(den, den, tmp, f->p, f->ctx))
				goto out;
		}
		if (BN_mod_inverse(den, den, f->p, f->ctx) == NULL) {
			r = CUSTOS_ERR_FORMAT;
			goto out;
		}
		if (BN_bin2bn(s[idx[i]].value, PWSHARE_NUM_LEN, y) == NULL ||
		    !BN_mod_mul(tmp, num, den, f->p, f->ctx) ||
		    !BN_mod_mul(tmp, tmp, y, f->p, f->ctx) ||
		    !BN_mod_add(out, out, tmp, f->p, f->ctx))
			goto out;
	}
	r = CUSTOS_OK;
 out:
	BN_CTX_end(f->ctx);
	return r;
}

int
pwshare_split_poly(const unsigned char prime[PWSHARE_NUM_LEN],
    const unsigned char *coef, unsigned int t, unsigned int n,
    struct pwshare *shares)
{
	struct field f = { NULL, NULL };
	BIGNUM *y, *c, *x;
	unsigned int i, k;
	int r;

	if (prime == NULL || coef == NULL || shares == NULL || t < 1 ||
	    n < 1 || n > PWSHARE_MAX || be64(prime) < 3 || n >= be64(prime))
		return CUSTOS_ERR_INVALID_ARG;
	for (k = 0; k < t; k++)
		if (memcmp(coef + (size_t)8 * k, prime, PWSHARE_NUM_LEN) >= 0)
			return CUSTOS_ERR_INVALID_ARG;
	if ((r = field_open(&f, prime)) != CUSTOS_OK)
		goto out;
	r = CUSTOS_ERR_CRYPTO;
	BN_CTX_start(f.ctx);
	y = BN_CTX_get(f.ctx);
	c = BN_CTX_get(f.ctx);
	if ((x = BN_CTX_get(f.ctx)) == NULL)
		goto end;
	for (i = 1; i <= n; i++) {
		/* Horner: y = (..(c[t-1] x + c[t-2]) x + ..) x + c[0]. */
		if (BN_bin2bn(coef + (size_t)8 * (t - 1), 8, y) == NULL ||
		    !BN_set_word(x, i))
			goto end;
		for (k = t - 1; k-- > 0;) {
			if (BN_bin2bn(coef + (size_t)8 * k, 8, c) == NULL ||
			    !BN_mod_mul(y, y, x, f.p, f.ctx) ||
			    !BN_mod_add(y, y, c, f.p, f.ctx))
				goto end;
		}
		memcpy(shares[i - 1].prime, prime, PWSHARE_NUM_LEN);
		shares[i - 1].id = i;
		if (BN_bn2binpad(y, shares[i - 1].value, 8) != 8)
			goto end;
	}
	r = CUSTOS_OK;
 end:
	BN_CTX_end(f.ctx);
 out:
	field_close(&f);
	if (r != CUSTOS_OK)
		secmem_wipe(shares, sizeof(*shares) * n);
	return r;
}

int
pwshare_split(unsigned char pwd[PWSHARE_PWD_LEN], struct pwshare *shares,
    unsigned int t, unsigned int n)
{
	BN_CTX *ctx = NULL;
	BIGNUM *p = NULL, *c = NULL;
	unsigned char *coef = NULL, prime[PWSHARE_NUM_LEN];
	unsigned int k;
	int r = CUSTOS_ERR_INVALID_ARG;

	if (pwd == NULL || shares == NULL || t < 2 || t > n ||
	    n > PWSHARE_MAX)
		return r;
	r = CUSTOS_ERR_NOMEM;
	if ((coef = secmem_alloc((size_t)t * 8)) == NULL ||
	    (ctx = BN_CTX_secure_new()) == NULL || (p = BN_new()) == NULL ||
	    (c = BN_secure_new()) == NULL)
		goto out;
	r = CUSTOS_ERR_CRYPTO;
	/* A 64-bit prime is >= 2^63, above any 63-bit password. */
	if (!BN_generate_prime_ex2(p, 64, 1, NULL, NULL, NULL, ctx) ||
	    BN_num_bits(p) != 64 || BN_bn2binpad(p, prime, 8) != 8)
		goto out;
	secmem_random(pwd, PWSHARE_PWD_LEN);
	pwd[0] &= 0x7f;
	memcpy(coef, pwd, PWSHARE_PWD_LEN);
	for (k = 1; k < t; k++)
		if (!BN_priv_rand_range(c, p) ||
		    BN_bn2binpad(c, coef + (size_t)8 * k, 8) != 8)
			goto out;
	r = pwshare_split_poly(prime, coef, t, n, shares);
 out:
	secmem_free(coef);
	BN_clear_free(c);
	BN_free(p);
	BN_CTX_free(ctx);
	if (r != CUSTOS_OK) {
		secmem_wipe(pwd, PWSHARE_PWD_LEN);
		secmem_wipe(shares, sizeof(*shares) * n);
	}
	return r;
}

/* Sets *which and *why (each when non-NULL) and returns err. */
static int
problem(int err, size_t i, const char *reason, size_t *which,
    const char **why)
{
	if (which != NULL)
		*which = i;
	if (why != NULL)
		*why = reason;
	return err;
}

int
pwshare_check(const struct pwshare *s, size_t k, size_t t, int strict,
    size_t *which, const char **why)
{
	struct field f = { NULL, NULL };
	BIGNUM *v = NULL;
	uint64_t p;
	size_t i, j;
	int r, sp;

	if (t < 2)
		t = 2;
	if (s == NULL || k < t)
		return problem(CUSTOS_ERR_LIMIT, k, "too few shares for the "
		    "threshold", which, why);
	for (i = 1; i < k; i++)
		if (memcmp(s[i].prime, s[0].prime, PWSHARE_NUM_LEN) != 0)
			return problem(CUSTOS_ERR_CORRUPT, i, "its prime "
			    "differs from the first share's: the shares come "
			    "from different splits", which, why);
	p = be64(s[0].prime);
	if (p < 3)
		return problem(CUSTOS_ERR_FORMAT, 0, "the prime is not a "
		    "prime", which, why);
	for (i = 0; i < k; i++) {
		if (s[i].id == 0)
			return problem(CUSTOS_ERR_FORMAT, i, "share ID 0 is "
			    "not a share (f(0) is the secret itself)", which,
			    why);
		if (s[i].id > PWSHARE_MAX || s[i].id >= p)
			return problem(CUSTOS_ERR_FORMAT, i, "share ID out of "
			    "range (1-255)", which, why);
		for (j = 0; j < i; j++)
			if (s[j].id == s[i].id)
				return problem(CUSTOS_ERR_DUPLICATE_SHARE, i,
				    "the same share ID was given twice",
				    which, why);
	}
	if ((r = field_open(&f, s[0].prime)) != CUSTOS_OK ||
	    (v = BN_secure_new()) == NULL) {
		r = r != CUSTOS_OK ? r : CUSTOS_ERR_NOMEM;
		goto out;
	}
	if (strict) {
		if ((sp = is_safe_prime64(f.p, f.ctx)) < 0) {
			r = CUSTOS_ERR_CRYPTO;
			goto out;
		} else if (sp == 0) {
			r = problem(CUSTOS_ERR_FORMAT, 0, "the prime is not a "
			    "64-bit safe prime, as sc-hsm-tool makes", which,
			    why);
			goto out;
		}
	}
	for (i = 0; i < k; i++) {
		if (BN_bin2bn(s[i].value, PWSHARE_NUM_LEN, v) == NULL) {
			r = CUSTOS_ERR_CRYPTO;
			goto out;
		}
		if (BN_ucmp(v, f.p) >= 0) {
			r = problem(CUSTOS_ERR_FORMAT, i, "share value is not "
			    "below the prime", which, why);
			goto out;
		}
	}
 out:
	BN_clear_free(v);
	field_close(&f);
	return r;
}

int
pwshare_check_one(const struct pwshare *s, int strict, const char **why)
{
	struct pwshare two[2];
	int r;

	two[0] = *s;
	two[1] = *s;
	two[1].id = s->id == 1 ? 2 : 1;
	memset(two[1].value, 0, PWSHARE_NUM_LEN);
	r = pwshare_check(two, 2, 2, strict, NULL, why);
	secmem_wipe(two, sizeof(two));
	return r;
}

/* Interpolates at 0 through s[idx[0..t)] into secret (8 bytes). */
static int
secret_of(struct field *f, const struct pwshare *s, const size_t *idx,
    size_t t, unsigned char secret[PWSHARE_NUM_LEN])
{
	BIGNUM *v;
	int r = CUSTOS_ERR_CRYPTO;

	BN_CTX_start(f->ctx);
	if ((v = BN_CTX_get(f->ctx)) != NULL &&
	    (r = lagrange_at(f, 0, s, idx, t, v)) == CUSTOS_OK &&
	    BN_bn2binpad(v, secret, PWSHARE_NUM_LEN) != PWSHARE_NUM_LEN)
		r = CUSTOS_ERR_CRYPTO;
	BN_CTX_end(f->ctx);
	return r;
}

static int
interpolate(const struct pwshare *s, size_t k, int strict,
    unsigned char secret[PWSHARE_NUM_LEN])
{
	struct field f = { NULL, NULL };
	size_t idx[PWSHARE_MAX], i;
	int r;

	if (k > PWSHARE_MAX)
		return CUSTOS_ERR_LIMIT;
	if ((r = pwshare_check(s, k, 2, strict, NULL, NULL)) != CUSTOS_OK)
		return r;
	for (i = 0; i < k; i++)
		idx[i] = i;
	if ((r = field_open(&f, s[0].prime)) == CUSTOS_OK)
		r = secret_of(&f, s, idx, k, secret);
	field_close(&f);
	if (r != CUSTOS_OK)
		secmem_wipe(secret, PWSHARE_NUM_LEN);
	return r;
}

int
pwshare_interpolate(const struct pwshare *s, size_t k,
    unsigned char secret[PWSHARE_NUM_LEN])
{
	return interpolate(s, k, 0, secret);
}

int
pwshare_combine(const struct pwshare *s, size_t k,
    unsigned char pwd[PWSHARE_PWD_LEN])
{
	int r;

	if ((r = interpolate(s, k, 1, pwd)) != CUSTOS_OK)
		return r;
	if (pwd[0] & 0x80) {
		secmem_wipe(pwd, PWSHARE_PWD_LEN);
		return CUSTOS_ERR_CORRUPT;
	}
	return CUSTOS_OK;
}

/* Number of t-subsets of k, or PWSHARE_SEARCH_SUBSETS + 1 when above. */
static unsigned long
choose(size_t k, size_t t)
{
	unsigned long c = 1;
	size_t i;

	for (i = 1; i <= t; i++) {
		c = c * (unsigned long)(k - t + i) / (unsigned long)i;
		if (c > PWSHARE_SEARCH_SUBSETS)
			return PWSHARE_SEARCH_SUBSETS + 1;
	}
	return c;
}

/* Which of the k shares lie on the polynomial through s[idx[0..t)]. */
static int
support_of(struct field *f, const struct pwshare *s, size_t k,
    const size_t *idx, size_t t, uint32_t *mask)
{
	BIGNUM *v, *y;
	size_t m;
	int r = CUSTOS_ERR_CRYPTO;

	*mask = 0;
	for (m = 0; m < t; m++)
		*mask |= (uint32_t)1 << idx[m];
	BN_CTX_start(f->ctx);
	v = BN_CTX_get(f->ctx);
	if ((y = BN_CTX_get(f->ctx)) == NULL)
		goto out;
	for (m = 0; m < k; m++) {
		if (*mask & ((uint32_t)1 << m))
			continue;
		if ((r = lagrange_at(f, s[m].id, s, idx, t, v)) != CUSTOS_OK)
			goto out;
		r = CUSTOS_ERR_CRYPTO;
		if (BN_bin2bn(s[m].value, PWSHARE_NUM_LEN, y) == NULL)
			goto out;
		if (BN_cmp(v, y) == 0)
			*mask |= (uint32_t)1 << m;
	}
	r = CUSTOS_OK;
 out:
	BN_CTX_end(f->ctx);
	return r;
}

static unsigned int
popcount32(uint32_t v)
{
	unsigned int n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

/* Adds or merges candidate c into out[0..*n) of at most max. */
static void
add_candidate(struct pwshare_cand *out, size_t max, size_t *n,
    const struct pwshare_cand *c)
{
	size_t i, weakest = 0;

	for (i = 0; i < *n; i++) {
		if (secmem_equal(out[i].pwd, c->pwd, PWSHARE_PWD_LEN) == 0) {
			out[i].support |= c->support;
			out[i].nsupport = popcount32(out[i].support);
			return;
		}
		if (out[i].nsupport < out[weakest].nsupport)
			weakest = i;
	}
	if (*n < max)
		out[(*n)++] = *c;
	else if (max > 0 && out[weakest].nsupport < c->nsupport)
		out[weakest] = *c;
}

int
pwshare_candidates(const struct pwshare *s, size_t k, size_t t,
    struct pwshare_cand *out, size_t max, size_t *nout)
{
	struct field f = { NULL, NULL };
	struct pwshare_cand c, tmp;
	size_t idx[PWSHARE_SEARCH_MAX], i, j;
	int r;

	*nout = 0;
	if (t < 2 || k <= t)
		return CUSTOS_ERR_INVALID_ARG;
	if (k > PWSHARE_SEARCH_MAX || choose(k, t) > PWSHARE_SEARCH_SUBSETS)
		return CUSTOS_ERR_LIMIT;
	if ((r = pwshare_check(s, k, t, 1, NULL, NULL)) != CUSTOS_OK ||
	    (r = field_open(&f, s[0].prime)) != CUSTOS_OK)
		goto out;
	for (i = 0; i < t; i++)
		idx[i] = i;
	for (;;) {
		if ((r = secret_of(&f, s, idx, t, c.pwd)) != CUSTOS_OK ||
		    (r = support_of(&f, s, k, idx, t, &c.support)) !=
		    CUSTOS_OK)
			goto out;
		c.nsupport = popcount32(c.support);
		if ((c.pwd[0] & 0x80) == 0)
			add_candidate(out, max, nout, &c);
		/* Next t-subset in lexicographic order. */
		for (i = t; i-- > 0;)
			if (idx[i] < k - t + i)
				break;
		if (i == (size_t)-1)
			break;
		idx[i]++;
		for (j = i + 1; j < t; j++)
			idx[j] = idx[j - 1] + 1;
	}
	for (i = 1; i < *nout; i++)	/* most supported first */
		for (j = i; j > 0 && out[j].nsupport > out[j - 1].nsupport;
		    j--) {
			tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
 out:
	secmem_wipe(&c, sizeof(c));
	secmem_wipe(&tmp, sizeof(tmp));
	field_close(&f);
	if (r != CUSTOS_OK) {
		secmem_wipe(out, sizeof(*out) * max);
		*nout = 0;
	}
	return r;
}
