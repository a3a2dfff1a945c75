/*
 * gf256.h - arithmetic in GF(2^8) modulo the AES polynomial
 * x^8 + x^4 + x^3 + x + 1 (0x11B), as SLIP-39 uses it, in constant time:
 * no table lookups and no branches on the operands, so timing reveals
 * nothing about the secret bytes a share is made of.
 */
#ifndef CUSTOS_GF256_H
#define CUSTOS_GF256_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

/* Product a * b, reduced modulo 0x11B. */
uint8_t gf256_mul(uint8_t a, uint8_t b);

/* Inverse of a (a^254); 0 for a = 0, which has none. */
uint8_t gf256_inv(uint8_t a);

/*
 * Evaluates at x the polynomial through the points (xs[i], ys[i]) for
 * i < n, each ys[i] a vector of len bytes (one instance per byte), by
 * Lagrange interpolation; writes len bytes to out (which may not alias
 * ys). The xs must be pairwise distinct. Returns 0 or
 * CUSTOS_ERR_INVALID_ARG (n == 0, or two xs equal). Only the ys are
 * treated as secret; the xs are public share indices.
 */
int gf256_interpolate(const uint8_t *xs, const uint8_t *const *ys, size_t n,
    size_t len, uint8_t x, uint8_t *out) CUSTOS_WUR;

#endif
