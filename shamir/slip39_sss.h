/*
 * slip39_sss.h - the one-level Shamir scheme inside SLIP-39: a secret of
 * len bytes (16..32) is the value at x = 255 of a polynomial over
 * GF(256) per byte, whose value at x = 254 is the digest share
 * (HMAC-SHA256(key = R, msg = secret)[0..4) || R, R random); shares are
 * its values at x = 0, 1, ... SLIP-39 runs it twice: over groups, then
 * over the members of each group.
 */
#ifndef CUSTOS_SLIP39_SSS_H
#define CUSTOS_SLIP39_SSS_H

#include <stddef.h>
#include <stdint.h>

#include "slip39.h"

/*
 * SplitSecret(t, count, secret): count share values for x = 0..count-1
 * into out[]; with t = 1 each is the secret. Random bytes from rng.
 * out must not alias secret. Returns 0 or a negative error code.
 */
int slip39_sss_split(unsigned t, unsigned count, const unsigned char *secret,
    size_t len, unsigned char (*out)[SLIP39_SECRET_MAX], slip39_rng_fn rng,
    void *rngctx) CUSTOS_WUR;

/*
 * RecoverSecret(t, points): the secret from the n points (xs[i], ys[i]),
 * checked against the digest when t > 1 (with t = 1 it is ys[0]).
 * Returns 0, CUSTOS_ERR_CORRUPT (digest mismatch; out wiped), or
 * CUSTOS_ERR_INVALID_ARG (two xs equal).
 */
int slip39_sss_recover(unsigned t, const uint8_t *xs,
    const uint8_t *const *ys, size_t n, size_t len, unsigned char *out)
    CUSTOS_WUR;

/*
 * Of the c points of a t-threshold sharing, the one without which the
 * others lie on one polynomial with a valid digest (t > 1) or are equal
 * (t = 1) while all c do not: its index in *bad. Returns 1 when found,
 * 0 when all c agree, CUSTOS_ERR_CORRUPT when no single point can be
 * blamed (too few points, or more than one wrong), or another error.
 */
int slip39_sss_odd_one_out(unsigned t, const uint8_t *xs,
    const uint8_t *const *ys, size_t c, size_t len, size_t *bad)
    CUSTOS_WUR;

#endif
