/*
 * test_gf256.c - GF(2^8) arithmetic of shamir/gf256.c against a slow
 * schoolbook reference: every product, every inverse, the FIPS-197
 * examples, and Lagrange interpolation of random polynomials.
 */
#include "testutil.h"

#include <sodium.h>

#include "../../shamir/gf256.h"

/* Carry-less product of a and b, then reduction modulo 0x11B, bit by bit. */
static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
	unsigned p = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (b & (1U << i))
			p ^= (unsigned)a << i;
	for (i = 14; i >= 8; i--)
		if (p & (1U << i))
			p ^= 0x11BU << (i - 8);
	return (uint8_t)p;
}

/* Horner evaluation of coef[0] + coef[1] x + ... + coef[deg] x^deg. */
static uint8_t
ref_eval(const uint8_t *coef, int deg, uint8_t x)
{
	uint8_t y = 0;
	int i;

	for (i = deg; i >= 0; i--)
		y = (uint8_t)(ref_mul(y, x) ^ coef[i]);
	return y;
}

static void
test_mul_exhaustive(void **state)
{
	unsigned a, b;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			if (gf256_mul((uint8_t)a, (uint8_t)b) !=
			    ref_mul((uint8_t)a, (uint8_t)b))
				fail_msg("mul %02x %02x: %02x != %02x", a, b,
				    gf256_mul((uint8_t)a, (uint8_t)b),
				    ref_mul((uint8_t)a, (uint8_t)b));
}

static void
test_mul_fips197(void **state)
{
	(void)state;
	/* FIPS-197 section 4.2: {57} . {83} = {c1}, {57} . {13} = {fe}. */
	assert_int_equal(gf256_mul(0x57, 0x83), 0xc1);
	assert_int_equal(gf256_mul(0x57, 0x13), 0xfe);
	assert_int_equal(gf256_mul(0x57, 0x02), 0xae);
	assert_int_equal(gf256_mul(0x80, 0x02), 0x1b);
}

static void
test_inv_exhaustive(void **state)
{
	unsigned a, b, found;

	(void)state;
	assert_int_equal(gf256_inv(0), 0);
	for (a = 1; a < 256; a++) {
		for (b = 1, found = 0; b < 256; b++)
			if (ref_mul((uint8_t)a, (uint8_t)b) == 1)
				found = b;
		assert_int_equal(gf256_inv((uint8_t)a), found);
		assert_int_equal(gf256_mul((uint8_t)a, gf256_inv((uint8_t)a)),
		    1);
	}
	/* FIPS-197 section 4.4 (the S-box input): {53}^-1 = {ca}. */
	assert_int_equal(gf256_inv(0x53), 0xca);
}

static void
test_interpolate_random(void **state)
{
	uint8_t coef[3][16], xs[16], ys_store[16][3], out[3], x;
	const uint8_t *ys[16];
	int round, deg, i, k;

	(void)state;
	for (round = 0; round < 200; round++) {
		deg = round % 16;
		randombytes_buf(coef, sizeof(coef));
		/* deg + 1 distinct x values, at random. */
		for (i = 0; i <= deg; i++) {
			int j, dup;

			do {
				xs[i] = (uint8_t)randombytes_uniform(256);
				for (j = 0, dup = 0; j < i; j++)
					dup |= xs[j] == xs[i];
			} while (dup);
			for (k = 0; k < 3; k++)
				ys_store[i][k] = ref_eval(coef[k], deg, xs[i]);
			ys[i] = ys_store[i];
		}
		for (i = 0; i < 8; i++) {
			x = (uint8_t)randombytes_uniform(256);
			assert_int_equal(gf256_interpolate(xs, ys,
			    (size_t)deg + 1, 3, x, out), 0);
			for (k = 0; k < 3; k++)
				assert_int_equal(out[k],
				    ref_eval(coef[k], deg, x));
		}
		/* At a given point, the given value. */
		assert_int_equal(gf256_interpolate(xs, ys, (size_t)deg + 1, 3,
		    xs[deg], out), 0);
		assert_memory_equal(out, ys[deg], 3);
	}
}

static void
test_interpolate_bad_args(void **state)
{
	uint8_t xs[2] = { 7, 7 }, y0[1] = { 1 }, y1[1] = { 2 }, out[1];
	const uint8_t *ys[2] = { y0, y1 };

	(void)state;
	assert_int_equal(gf256_interpolate(xs, ys, 2, 1, 0, out),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(gf256_interpolate(xs, ys, 0, 1, 0, out),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(gf256_interpolate(xs, ys, 1, 1, 9, out), 0);
	assert_int_equal(out[0], 1);	/* one point: a constant */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mul_exhaustive),
		cmocka_unit_test(test_mul_fips197),
		cmocka_unit_test(test_inv_exhaustive),
		cmocka_unit_test(test_interpolate_random),
		cmocka_unit_test(test_interpolate_bad_args),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
