/*
 * pwshare.h - sc-hsm-tool's M-of-N password shares (docs/formats/
 * pwshares.md), compatible in both directions and without its bugs.
 *
 * The password of a .pbe share file is 8 random bytes with the top bit
 * cleared (a 63-bit number s). It is split with Shamir's scheme over a
 * random 64-bit safe prime p > s: f(x) = s + a1 x + ... + a(t-1) x^(t-1)
 * mod p, coefficients random mod p; custodian x (1..n) gets y = f(x). The
 * password is recovered by Lagrange interpolation at 0 and is ALWAYS used
 * as its 8-byte left-padded big-endian form.
 *
 * Pure: no I/O, no terminal, no file (the printed text: pwshare_text.h).
 * Arithmetic is OpenSSL BIGNUM in secure BIGNUMs (BN_secure_new,
 * BN_CTX_secure_new). The scheme has no integrity of its own: a wrong share
 * gives a wrong password, so callers check the result against the .pbe
 * file (its CBC padding) and any recorded share fingerprint.
 */
#ifndef CUSTOS_PWSHARE_H
#define CUSTOS_PWSHARE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define PWSHARE_PWD_LEN 8	/* the .pbe password, left-padded */
#define PWSHARE_NUM_LEN 8	/* a prime or a share value, big-endian */
#define PWSHARE_MAX 255		/* most shares of a split (sc-hsm-tool: u8) */
#define PWSHARE_SEARCH_MAX 16	/* most shares searched subset by subset */
#define PWSHARE_SEARCH_SUBSETS 20000UL	/* most subsets searched */

/* One custodian's share. The prime and id are public, the value secret. */
struct pwshare {
	unsigned char prime[PWSHARE_NUM_LEN];	/* p, big-endian */
	unsigned int id;			/* x, 1..PWSHARE_MAX */
	unsigned char value[PWSHARE_NUM_LEN];	/* y = f(x) mod p */
};

/* A password that some t shares agree on (see pwshare_candidates()). */
struct pwshare_cand {
	unsigned char pwd[PWSHARE_PWD_LEN];
	uint32_t support;	/* bit i: share i lies on the same polynomial */
	unsigned int nsupport;	/* number of bits set in support */
};

/*
 * Makes a new random password (pwd: 8 bytes, top bit clear; guarded memory
 * advised), a random 64-bit safe prime, and n shares of it with threshold
 * t into shares[0..n) (ids 1..n). 2 <= t <= n <= PWSHARE_MAX. Returns 0,
 * CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO; on error
 * pwd and shares are wiped.
 */
int pwshare_split(unsigned char pwd[PWSHARE_PWD_LEN], struct pwshare *shares,
    unsigned int t, unsigned int n) CUSTOS_WUR;

/*
 * Deterministic split for tests and known answers: the polynomial with
 * coefficients coef[0..t) (8 bytes each, big-endian; coef[0] is the
 * secret) mod prime, evaluated at x = 1..n into shares. Any prime 3 <= p
 * < 2^64 (not checked for primality: hand-checkable small ones work);
 * every coefficient and n must be below p. Returns 0,
 * CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO.
 */
int pwshare_split_poly(const unsigned char prime[PWSHARE_NUM_LEN],
    const unsigned char *coef, unsigned int t, unsigned int n,
    struct pwshare *shares) CUSTOS_WUR;

/*
 * Checks k shares before any interpolation: at least t of them (t >= 2),
 * all with the same prime, which is a 64-bit safe prime when strict is
 * non-zero (else any p >= 3), ids 1..PWSHARE_MAX and below p, no id twice,
 * values below p. Returns 0, or CUSTOS_ERR_LIMIT (too few),
 * CUSTOS_ERR_CORRUPT (different primes: shares of different splits),
 * CUSTOS_ERR_DUPLICATE_SHARE (an id twice) or CUSTOS_ERR_FORMAT (id 0 or
 * out of range, value >= p, prime not a 64-bit safe prime); then *which
 * (when non-NULL) is the index of the offending share and *why (when
 * non-NULL) a static one-line reason.
 */
int pwshare_check(const struct pwshare *s, size_t k, size_t t, int strict,
    size_t *which, const char **why) CUSTOS_WUR;

/*
 * Checks one share as it is typed, before the others are known: id,
 * value below its prime, and (strict) a 64-bit safe prime. Returns 0 or
 * CUSTOS_ERR_FORMAT with *why (when non-NULL) a static reason; or
 * CUSTOS_ERR_NOMEM / CUSTOS_ERR_CRYPTO.
 */
int pwshare_check_one(const struct pwshare *s, int strict, const char **why)
    CUSTOS_WUR;

/*
 * Lagrange interpolation at 0 mod p through all k shares (checked as by
 * pwshare_check() with t = 2, strict = 0) into secret (8 bytes,
 * big-endian, left-padded). Returns 0, a pwshare_check() error,
 * CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO.
 */
int pwshare_interpolate(const struct pwshare *s, size_t k,
    unsigned char secret[PWSHARE_NUM_LEN]) CUSTOS_WUR;

/*
 * Recovers the .pbe password from k shares (all used; pwshare_check()
 * with t = 2, strict) into pwd, always 8 bytes left-padded. Returns 0, a
 * pwshare_check() error, CUSTOS_ERR_CORRUPT when the result has its top
 * bit set (no sc-hsm-tool password does: a share is wrong), or
 * CUSTOS_ERR_NOMEM / CUSTOS_ERR_CRYPTO. On error pwd is wiped.
 */
int pwshare_combine(const struct pwshare *s, size_t k,
    unsigned char pwd[PWSHARE_PWD_LEN]) CUSTOS_WUR;

/*
 * With k > t shares of a threshold-t split (k <= PWSHARE_SEARCH_MAX,
 * C(k, t) <= PWSHARE_SEARCH_SUBSETS): interpolates every t-subset, and for
 * each distinct password with the top bit clear records which of the k
 * shares lie on that subset's polynomial. Writes up to max candidates to
 * out (guarded memory advised), most supported first, and their number to
 * *nout. A candidate supported by more than t shares is what the rest
 * agree on; the shares outside its support are the wrong ones. Callers
 * must still check a candidate against the .pbe file. Returns 0, a
 * pwshare_check() error (strict), CUSTOS_ERR_INVALID_ARG (k <= t),
 * CUSTOS_ERR_LIMIT (too many shares or subsets), CUSTOS_ERR_NOMEM or
 * CUSTOS_ERR_CRYPTO.
 */
int pwshare_candidates(const struct pwshare *s, size_t k, size_t t,
    struct pwshare_cand *out, size_t max, size_t *nout) CUSTOS_WUR;

#endif
