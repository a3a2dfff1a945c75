/*
 * gf256.c - constant-time GF(2^8) arithmetic for SLIP-39 (gf256.h).
 *
 * Multiplication is shift-and-add over the 8 bits of b with masks in
 * place of branches; inversion is a^254 by a fixed addition chain.
 */
#include <string.h>

#include "gf256.h"

uint8_t
gf256_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0, aa = a, bb = b;
	int i;

	for (i = 0; i < 8; i++) {
		/* mask is all ones when the low bit of bb is set */
		r ^= aa & (0U - (bb & 1U));
		bb >>= 1;
		/* aa *= x, reduced when bit 8 would be set */
		aa = (aa << 1) ^ (0x11BU & (0U - ((aa >> 7) & 1U)));
	}
	return (uint8_t)r;
}

uint8_t
gf256_inv(uint8_t a)
{
	uint8_t a2, a3, a6, a12, a15, a30, a60, a120, a126, a127;

	/* 254 = 2 * 127; 127 = 120 + 7; chain of squarings and products */
	a2 = gf256_mul(a, a);
	a3 = gf256_mul(a2, a);
	a6 = gf256_mul(a3, a3);
	a12 = gf256_mul(a6, a6);
	a15 = gf256_mul(a12, a3);
	a30 = gf256_mul(a15, a15);
	a60 = gf256_mul(a30, a30);
	a120 = gf256_mul(a60, a60);
	a126 = gf256_mul(a120, a6);
	a127 = gf256_mul(a126, a);
	return gf256_mul(a127, a127);
}

int
gf256_interpolate(const uint8_t *xs, const uint8_t *const *ys, size_t n,
    size_t len, uint8_t x, uint8_t *out)
{
	size_t i, j, k;
	uint8_t basis;

	if (n == 0 || xs == NULL || ys == NULL || out == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (xs[i] == xs[j])
				return CUSTOS_ERR_INVALID_ARG;

	memset(out, 0, len);
	for (i = 0; i < n; i++) {
		uint8_t num = 1, den = 1;

		/*
		 * Lagrange basis polynomial i at x:
		 * prod_{j != i} (x - xj) / (xi - xj); subtraction is xor.
		 * It is 1 when x == xi and 0 when x is another xj, so the
		 * formula needs no special case for x among the xs.
		 */
		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			num = gf256_mul(num, (uint8_t)(x ^ xs[j]));
			den = gf256_mul(den, (uint8_t)(xs[i] ^ xs[j]));
		}
		basis = gf256_mul(num, gf256_inv(den));
		for (k = 0; k < len; k++)
			out[k] ^= gf256_mul(basis, ys[i][k]);
	}
	return CUSTOS_OK;
}
