/*
 * test_pwshare.c - sc-hsm-tool's M-of-N password shares: known answers
 * (hand-checkable small primes, and a 64-bit safe prime computed
 * independently with Python's integers), round trips, the text format,
 * every bad input, and sc-hsm-tool's bugs 1 (IDs >= 10 read as hex) and 2
 * (a leading zero password byte dropped).
 */
#include "testutil.h"

#include <sodium.h>

#include "../../ceremony/sharefile_pbe.h"
#include "../../common/secmem.h"
#include "../../shamir/pwshare.h"
#include "../../shamir/pwshare_text.h"

/* A 64-bit safe prime (openssl prime -generate -bits 64 -safe). */
static const unsigned char kat_p[8] = {
	0xf7, 0xed, 0xf2, 0x13, 0x46, 0xee, 0x4f, 0x97 };
/* f(x) = 0x00123456789abcde + 0x1111.. x + 0x2222.. x^2 mod p, x = 1..12
 * (Python: sum(c[i] * x**i) % p). */
static const char *const kat_y[12] = {
	"33456789abcdf011", "aabcdf0123456788", "6e8aa8a99812d3ac",
	"769cb69651248414", "c2f308c74e7a78c0", "5b9fad2949266219",
	"389095cf88168fb6", "59c5c2ba0b4b0197", "bf3f33e8d2c3b7bc",
	"710ef7489792628e", "6722feeca0a551a4", "a17b4ad4edfc84fe",
};
static const unsigned char kat_pwd[8] = {
	0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };

static void
be8(unsigned char out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
}

static void
make_share(struct pwshare *s, const unsigned char p[8], unsigned id,
    uint64_t y)
{
	memcpy(s->prime, p, 8);
	s->id = id;
	be8(s->value, y);
}

static void
kat_shares(struct pwshare s[12])
{
	unsigned char coef[24];

	memcpy(coef, kat_pwd, 8);
	memset(coef + 8, 0x11, 8);
	memset(coef + 16, 0x22, 8);
	assert_int_equal(pwshare_split_poly(kat_p, coef, 3, 12, s), 0);
}

/* p = 23, f(x) = 5 + 7x: shares 12, 19, 3 - by hand. */
static void
test_small_prime_by_hand(void **state)
{
	unsigned char p[8], coef[16], sec[8], want[8];
	struct pwshare s[3], two[2];

	(void)state;
	be8(p, 23);
	be8(coef, 5);
	be8(coef + 8, 7);
	assert_int_equal(pwshare_split_poly(p, coef, 2, 3, s), 0);
	assert_int_equal(s[0].value[7], 12);
	assert_int_equal(s[1].value[7], 19);
	assert_int_equal(s[2].value[7], 3);
	assert_int_equal(s[2].id, 3);
	/* (1,12),(3,3): 12*3/2 - 3/2 = 33/2 = 10 * 12 = 5 mod 23. */
	two[0] = s[0];
	two[1] = s[2];
	be8(want, 5);
	assert_int_equal(pwshare_interpolate(two, 2, sec), 0);
	assert_memory_equal(sec, want, 8);
	/* Not a 64-bit safe prime: the strict path refuses it. */
	assert_int_equal(pwshare_combine(two, 2, sec), CUSTOS_ERR_FORMAT);
}

/* p = 31, f(x) = 4 + 2x + 3x^2: 9, 20, 6, 29. */
static void
test_small_prime_degree_two(void **state)
{
	unsigned char p[8], coef[24], sec[8];
	struct pwshare s[4], pick[3];

	(void)state;
	be8(p, 31);
	be8(coef, 4);
	be8(coef + 8, 2);
	be8(coef + 16, 3);
	assert_int_equal(pwshare_split_poly(p, coef, 3, 4, s), 0);
	assert_int_equal(s[0].value[7], 9);
	assert_int_equal(s[1].value[7], 20);
	assert_int_equal(s[2].value[7], 6);
	assert_int_equal(s[3].value[7], 29);
	pick[0] = s[3];
	pick[1] = s[0];
	pick[2] = s[2];
	assert_int_equal(pwshare_interpolate(pick, 3, sec), 0);
	assert_int_equal(sec[7], 4);
	/* Only two of a degree-2 polynomial: some other number. */
	assert_int_equal(pwshare_interpolate(pick, 2, sec), 0);
	assert_int_not_equal(sec[7], 4);
}

static void
test_kat_64bit(void **state)
{
	struct pwshare s[12], pick[3];
	unsigned char y[8], pwd[8];
	int i;

	(void)state;
	kat_shares(s);
	for (i = 0; i < 12; i++) {
		assert_int_equal(sodium_hex2bin(y, 8, kat_y[i], 16, NULL, NULL,
		    NULL), 0);
		assert_memory_equal(s[i].value, y, 8);
	}
	pick[0] = s[0];
	pick[1] = s[4];
	pick[2] = s[8];
	assert_int_equal(pwshare_combine(pick, 3, pwd), 0);
	assert_memory_equal(pwd, kat_pwd, 8);
	/* All twelve: still the same password. */
	assert_int_equal(pwshare_combine(s, 12, pwd), 0);
	assert_memory_equal(pwd, kat_pwd, 8);
}

/* Bug 1: sc-hsm-tool reads ID "10" as 0x10. custos reads decimal. */
static void
test_bug1_ids_from_ten(void **state)
{
	struct pwshare s[12], pick[3];
	unsigned char pwd[8], sec[8];
	size_t n;
	char text[3 * PWSHARE_FORMAT_MAX];
	int i;

	(void)state;
	kat_shares(s);
	for (i = 0; i < 3; i++)
		pick[i] = s[9 + i];
	assert_int_equal(pwshare_combine(pick, 3, pwd), 0);
	assert_memory_equal(pwd, kat_pwd, 8);
	/* What sc-hsm-tool computes: x = 16, 17, 18 (Python: 86c0d26f..). */
	for (i = 0; i < 3; i++)
		pick[i].id = 16 + (unsigned)i;
	assert_int_equal(pwshare_interpolate(pick, 3, sec), 0);
	assert_int_equal(sodium_hex2bin(pwd, 8, "86c0d26fc347e4e4", 16, NULL,
	    NULL, NULL), 0);
	assert_memory_equal(sec, pwd, 8);
	/* Through the printed text: "Share ID    : 10" is ten. */
	text[0] = '\0';
	for (i = 0; i < 3; i++) {
		char one[PWSHARE_FORMAT_MAX];

		assert_int_equal(pwshare_format(one, sizeof(one), &s[9 + i],
		    10 + (unsigned)i, 12), 0);
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%s", one);
	}
	assert_int_equal(pwshare_parse(text, strlen(text), pick, 3, &n, NULL),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(pick[0].id, 10);
	assert_int_equal(pick[2].id, 12);
	assert_int_equal(pwshare_combine(pick, 3, pwd), 0);
	assert_memory_equal(pwd, kat_pwd, 8);
}

/* Bug 2: the password is 8 bytes even when the first is 0. */
static void
test_bug2_leading_zero_password(void **state)
{
	struct pwshare s[12];
	unsigned char pwd[8], share[32], file[PBE_FILE_LEN], out[32];
	const unsigned char salt[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };

	(void)state;
	kat_shares(s);
	assert_int_equal(pwshare_combine(s + 1, 2 + 1, pwd), 0);
	assert_int_equal(pwd[0], 0);
	/* A file sealed with the 8 bytes opens with them, not with the 7
	 * minimal bytes sc-hsm-tool would use. */
	memset(share, 0x5a, sizeof(share));
	assert_int_equal(pbe_seal(file, share, salt, kat_pwd, 8, 1), 0);
	assert_int_equal(pbe_open(out, file, sizeof(file), pwd, 8, 1), 0);
	assert_memory_equal(out, share, 32);
	assert_int_equal(pbe_open(out, file, sizeof(file), pwd + 1, 7, 1),
	    CUSTOS_ERR_BAD_PASSPHRASE);
}

static void
test_random_round_trips(void **state)
{
	struct pwshare s[PWSHARE_MAX], pick[PWSHARE_MAX];
	unsigned char pwd[8], got[8], primeb[8];
	unsigned t, n, i, round;

	(void)state;
	for (round = 0; round < 12; round++) {
		t = 2 + round % 4;
		n = t + round % 3 + (round == 11 ? 200 : 0);
		assert_int_equal(pwshare_split(pwd, s, t, n), 0);
		assert_int_equal(pwd[0] & 0x80, 0);
		memcpy(primeb, s[0].prime, 8);
		assert_int_equal(primeb[0] & 0x80, 0x80);	/* 64 bits */
		assert_int_equal(pwshare_check(s, n, t, 1, NULL, NULL), 0);
		/* The last t shares, in reverse order. */
		for (i = 0; i < t; i++)
			pick[i] = s[n - 1 - i];
		assert_int_equal(pwshare_combine(pick, t, got), 0);
		assert_memory_equal(got, pwd, 8);
	}
	/* Bad arguments. */
	assert_int_equal(pwshare_split(pwd, s, 1, 3), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(pwshare_split(pwd, s, 4, 3), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(pwshare_split(pwd, s, 2, 256),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_bad_inputs(void **state)
{
	struct pwshare s[12], bad[3];
	unsigned char pwd[8], p2[8];
	const char *why = NULL;
	size_t which = 99;

	(void)state;
	kat_shares(s);
	/* Too few for the threshold; fewer than two at all. */
	assert_int_equal(pwshare_check(s, 2, 3, 1, &which, &why),
	    CUSTOS_ERR_LIMIT);
	assert_non_null(why);
	assert_int_equal(pwshare_combine(s, 1, pwd), CUSTOS_ERR_LIMIT);
	/* ID 0. */
	memcpy(bad, s, sizeof(bad));
	bad[1].id = 0;
	assert_int_equal(pwshare_check(bad, 3, 3, 1, &which, &why),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(which, 1);
	assert_non_null(strstr(why, "ID 0"));
	assert_int_equal(pwshare_combine(bad, 3, pwd), CUSTOS_ERR_FORMAT);
	/* Duplicate ID. */
	memcpy(bad, s, sizeof(bad));
	bad[2].id = 1;
	assert_int_equal(pwshare_check(bad, 3, 3, 1, &which, &why),
	    CUSTOS_ERR_DUPLICATE_SHARE);
	assert_int_equal(which, 2);
	/* Different primes. */
	memcpy(bad, s, sizeof(bad));
	bad[2].prime[7] ^= 2;
	assert_int_equal(pwshare_check(bad, 3, 3, 1, &which, &why),
	    CUSTOS_ERR_CORRUPT);
	assert_int_equal(which, 2);
	assert_non_null(strstr(why, "different splits"));
	/* Value >= p. */
	memcpy(bad, s, sizeof(bad));
	memcpy(bad[0].value, kat_p, 8);
	assert_int_equal(pwshare_check(bad, 3, 3, 1, &which, &why),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(which, 0);
	assert_non_null(strstr(why, "below the prime"));
	/* A prime that is not a 64-bit safe prime: p-2 (even), a 64-bit
	 * prime that is not safe (2^64 - 59), a 63-bit safe prime. */
	memcpy(bad, s, sizeof(bad));
	be8(p2, 0xf7edf21346ee4f95ULL);
	memcpy(bad[0].prime, p2, 8);
	memcpy(bad[1].prime, p2, 8);
	memcpy(bad[2].prime, p2, 8);
	assert_int_equal(pwshare_check(bad, 3, 3, 1, NULL, &why),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "safe prime"));
	be8(p2, 0xffffffffffffffc5ULL);
	make_share(&bad[0], p2, 1, 5);
	make_share(&bad[1], p2, 2, 6);
	assert_int_equal(pwshare_check(bad, 2, 2, 1, NULL, NULL),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_check(bad, 2, 2, 0, NULL, NULL), 0);
	/* One share as typed. */
	assert_int_equal(pwshare_check_one(&s[3], 1, &why), 0);
	memcpy(bad, s, sizeof(bad));
	bad[0].id = 0;
	assert_int_equal(pwshare_check_one(&bad[0], 1, &why),
	    CUSTOS_ERR_FORMAT);
	memcpy(bad[1].value, kat_p, 8);
	assert_int_equal(pwshare_check_one(&bad[1], 1, &why),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "below the prime"));
	/* A result with the top bit set is no sc-hsm-tool password. */
	make_share(&bad[0], kat_p, 1, 0x8000000000000000ULL);
	make_share(&bad[1], kat_p, 2, 0x8000000000000000ULL);
	assert_int_equal(pwshare_combine(bad, 2, pwd), CUSTOS_ERR_CORRUPT);
}

/* With one wrong share among more than t, the rest agree. */
static void
test_candidates_find_the_wrong_share(void **state)
{
	struct pwshare s[12], pick[5];
	struct pwshare_cand c[16];
	size_t n = 0;

	(void)state;
	kat_shares(s);
	memcpy(pick, s, sizeof(pick));
	pick[3].value[5] ^= 0x40;		/* share 4 is wrong */
	assert_int_equal(pwshare_candidates(pick, 5, 3, c, 16, &n), 0);
	assert_true(n >= 1);
	assert_memory_equal(c[0].pwd, kat_pwd, 8);
	assert_int_equal(c[0].nsupport, 4);
	assert_int_equal(c[0].support, 0x17);	/* all but index 3 */
	if (n > 1)
		assert_true(c[1].nsupport <= 3);
	/* All right: one candidate supported by all. */
	assert_int_equal(pwshare_candidates(s, 5, 3, c, 16, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].nsupport, 5);
	/* Bad arguments and limits. */
	assert_int_equal(pwshare_candidates(s, 3, 3, c, 16, &n),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(pwshare_candidates(s, 12, 1, c, 16, &n),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_format_exact(void **state)
{
	struct pwshare s;
	char out[PWSHARE_FORMAT_MAX];

	(void)state;
	memcpy(s.prime, kat_p, 8);
	s.id = 11;
	be8(s.value, 0x0000a1b2c3d4e5f6ULL);
	assert_int_equal(pwshare_format(out, sizeof(out), &s, 11, 12), 0);
	assert_string_equal(out, "Share 11 of 12\n\n\n"
	    "Prime       : f7:ed:f2:13:46:ee:4f:97\n"
	    "Share ID    : 11\n"
	    "Share value : a1:b2:c3:d4:e5:f6\n");
	be8(s.value, 0);
	assert_int_equal(pwshare_format(out, sizeof(out), &s, 1, 3), 0);
	assert_non_null(strstr(out, "Share value : \n"));
	assert_int_equal(pwshare_format(out, 10, &s, 1, 3),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_parse_hex_and_id(void **state)
{
	unsigned char v[8], want[8];
	unsigned id;

	(void)state;
	be8(want, 0xa1b2c3ULL);
	assert_int_equal(pwshare_parse_hex("a1:b2:c3", 8, v), 0);
	assert_memory_equal(v, want, 8);
	assert_int_equal(pwshare_parse_hex(" A1 : B2:c3 \r", 13, v), 0);
	assert_memory_equal(v, want, 8);
	assert_int_equal(pwshare_parse_hex("a1b2c3", 6, v), 0);
	assert_memory_equal(v, want, 8);
	assert_int_equal(pwshare_parse_hex("a1 b2  c3", 9, v), 0);
	assert_memory_equal(v, want, 8);
	assert_int_equal(pwshare_parse_hex("00:00:a1:b2:c3", 14, v), 0);
	assert_memory_equal(v, want, 8);
	be8(want, 0x0a0b0cULL);
	assert_int_equal(pwshare_parse_hex("a:b:c", 5, v), 0);
	assert_memory_equal(v, want, 8);
	be8(want, 0xabcULL);
	assert_int_equal(pwshare_parse_hex("abc", 3, v), 0);
	assert_memory_equal(v, want, 8);
	be8(want, 0);
	assert_int_equal(pwshare_parse_hex("  ", 2, v), 0);
	assert_memory_equal(v, want, 8);
	assert_int_equal(pwshare_parse_hex("a1::b2", 6, v), CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_parse_hex("a1:b2:", 6, v), CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_parse_hex("a1b:c3", 6, v), CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_parse_hex("xy", 2, v), CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_parse_hex("1:2:3:4:5:6:7:8:9", 17, v),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(pwshare_parse_hex("123456789abcdef01", 17, v),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(pwshare_parse_id(" 12 ", 4, &id), 0);
	assert_int_equal(id, 12);
	assert_int_equal(pwshare_parse_id("0", 1, &id), CUSTOS_ERR_LIMIT);
	assert_int_equal(pwshare_parse_id("256", 3, &id), CUSTOS_ERR_LIMIT);
	assert_int_equal(pwshare_parse_id("99999999999999999999", 20, &id),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(pwshare_parse_id("0x1", 3, &id), CUSTOS_ERR_FORMAT);
	assert_int_equal(pwshare_parse_id("", 0, &id), CUSTOS_ERR_FORMAT);
}

static void
test_parse_text(void **state)
{
	static const char once[] =
	    "Please enter prime: ignored\n"
	    "prime: f7:ed:f2:13:46:ee:4f:97\n"
	    "share id: 1\nshare value: 33:45:67:89:ab:cd:f0:11\n"
	    "SHARE ID : 5\nSHARE VALUE : C2F308C74E7A78C0\n"
	    "Share ID    : 9\r\nShare value : bf:3f:33:e8:d2:c3:b7:bc\r\n";
	struct pwshare s[4];
	unsigned char pwd[8];
	size_t n, line;

	(void)state;
	assert_int_equal(pwshare_parse(once, strlen(once), s, 4, &n, &line),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(s[1].id, 5);
	assert_int_equal(pwshare_combine(s, 3, pwd), 0);
	assert_memory_equal(pwd, kat_pwd, 8);
	/* Bad texts, each with its line. */
#define BAD(txt, err, ln) do { \
	assert_int_equal(pwshare_parse(txt, strlen(txt), s, 4, &n, &line), \
	    err); assert_int_equal(line, ln); assert_int_equal(n, 0); \
	} while (0)
	BAD("nothing here\n", CUSTOS_ERR_FORMAT, 0);
	BAD("Share ID : 1\nShare value : 01\n", CUSTOS_ERR_FORMAT, 1);
	BAD("Prime : 17\nShare value : 01\n", CUSTOS_ERR_FORMAT, 2);
	BAD("Prime : 17\nShare ID : 1\n", CUSTOS_ERR_TRUNCATED, 2);
	BAD("Prime : 17\nShare ID : 1\nShare ID : 2\n", CUSTOS_ERR_TRUNCATED,
	    2);
	BAD("Prime : 17\nShare ID : 0\n", CUSTOS_ERR_LIMIT, 2);
	BAD("Prime : 17\nShare ID : a\n", CUSTOS_ERR_FORMAT, 2);
	BAD("Prime : zz\n", CUSTOS_ERR_FORMAT, 1);
	BAD("Prime : 17\nShare ID : 1\nShare value : 1:2:3:4:5:6:7:8:9\n",
	    CUSTOS_ERR_TOO_LARGE, 3);
	BAD("Prime : 17\nShare ID : 1\nShare value : 01\nShare ID : 2\n"
	    "Share value : 02\nShare ID : 3\nShare value : 03\nShare ID : 4\n"
	    "Share value : 04\nShare ID : 5\nShare value : 05\n",
	    CUSTOS_ERR_TOO_LARGE, 11);
	assert_int_equal(pwshare_parse("Prime : 17\n\0", 12, s, 4, &n, &line),
	    CUSTOS_ERR_FORMAT);
#undef BAD
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_prime_by_hand),
		cmocka_unit_test(test_small_prime_degree_two),
		cmocka_unit_test(test_kat_64bit),
		cmocka_unit_test(test_bug1_ids_from_ten),
		cmocka_unit_test(test_bug2_leading_zero_password),
		cmocka_unit_test(test_random_round_trips),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_candidates_find_the_wrong_share),
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_parse_hex_and_id),
		cmocka_unit_test(test_parse_text),
	};

	if (secmem_init() != CUSTOS_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
