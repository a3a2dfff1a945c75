/* test_encode.c - hex, base64 and the grouped read-aloud form. */
#include "testutil.h"

#include "../../common/encode.h"
#include "../../common/secmem.h"

static int
group_setup(void **state)
{
	(void)state;
	return secmem_init() == CUSTOS_OK ? 0 : -1;
}

static void
test_hex_lower_upper(void **state)
{
	const unsigned char in[] = { 0x00, 0x01, 0xab, 0xcd, 0xef, 0x7f, 0xff };
	char out[2 * sizeof(in) + 1];

	(void)state;
	assert_int_equal(encode_hex(out, sizeof(out), in, sizeof(in), 0), 0);
	assert_string_equal(out, "0001abcdef7fff");
	assert_int_equal(encode_hex(out, sizeof(out), in, sizeof(in), 1), 0);
	assert_string_equal(out, "0001ABCDEF7FFF");
}

static void
test_hex_empty(void **state)
{
	char out[1] = { 'x' };
	unsigned char b = 0x42;

	(void)state;
	assert_int_equal(encode_hex(out, sizeof(out), &b, 0, 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(decode_hex(&b, 0, "", 0), 0);
	assert_int_equal(b, 0x42);
}

static void
test_hex_small_buffer(void **state)
{
	const unsigned char in[4] = { 1, 2, 3, 4 };
	char out[8];

	(void)state;
	/* Needs 9 bytes: 8 digits and the NUL. */
	assert_int_equal(encode_hex(out, sizeof(out), in, sizeof(in), 0),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(encode_hex(NULL, 9, in, sizeof(in), 0),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_hex_round_trip(void **state)
{
	unsigned char in[256], back[256];
	char hex[2 * sizeof(in) + 1];
	size_t i;
	int upper;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	for (upper = 0; upper <= 1; upper++) {
		memset(back, 0, sizeof(back));
		assert_int_equal(encode_hex(hex, sizeof(hex), in, sizeof(in),
		    upper), 0);
		assert_int_equal(strlen(hex), 2 * sizeof(in));
		assert_int_equal(decode_hex(back, sizeof(back), hex,
		    strlen(hex)), 0);
		assert_memory_equal(in, back, sizeof(in));
	}
	/* Random bytes too. */
	secmem_random(in, sizeof(in));
	assert_int_equal(encode_hex(hex, sizeof(hex), in, sizeof(in), 1), 0);
	assert_int_equal(decode_hex(back, sizeof(back), hex, strlen(hex)), 0);
	assert_memory_equal(in, back, sizeof(in));
}

static void
test_hex_decode_mixed_case(void **state)
{
	const unsigned char want[] = { 0xde, 0xad, 0xbe, 0xef };
	unsigned char out[4];

	(void)state;
	assert_int_equal(decode_hex(out, sizeof(out), "DeAdbEeF", 8), 0);
	assert_memory_equal(out, want, sizeof(want));
}

static void
test_hex_decode_rejects(void **state)
{
	unsigned char out[4];

	(void)state;
	/* Wrong length: too short, too long (even), odd. */
	assert_int_equal(decode_hex(out, 4, "deadbe", 6), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "deadbeef00", 10),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "deadbee", 7), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "deadbeef0", 9),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 3, "deadbee", 7), CUSTOS_ERR_FORMAT);
	/* Non-hex characters, in every position, with the right length. */
	assert_int_equal(decode_hex(out, 4, "deadbeeg", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "gdeadbee", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "dead beef", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "de:ad:be", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "0xdeadbe", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "deadbee ", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "dead\nbee", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "dead\0bee", 8), CUSTOS_ERR_FORMAT);
	assert_int_equal(decode_hex(out, 4, "+1234567", 8), CUSTOS_ERR_FORMAT);
}

/* RFC 4648 section 10. */
static const struct {
	const char *plain;
	const char *b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_base64_rfc4648_encode(void **state)
{
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t len = strlen(rfc4648[i].plain);

		assert_int_equal(encode_base64_size(len),
		    strlen(rfc4648[i].b64) + 1);
		memset(out, 'x', sizeof(out));
		assert_int_equal(encode_base64(out, encode_base64_size(len),
		    rfc4648[i].plain, len), 0);
		assert_string_equal(out, rfc4648[i].b64);
	}
}

static void
test_base64_rfc4648_decode(void **state)
{
	unsigned char out[16];
	size_t i, outlen;

	(void)state;
	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		outlen = 999;
		assert_int_equal(decode_base64(out, sizeof(out), &outlen,
		    rfc4648[i].b64, strlen(rfc4648[i].b64)), 0);
		assert_int_equal(outlen, strlen(rfc4648[i].plain));
		assert_memory_equal(out, rfc4648[i].plain, outlen);
	}
}

static void
test_base64_small_buffer(void **state)
{
	char out[8];

	(void)state;
	/* "foobar" needs 9 bytes. */
	assert_int_not_equal(encode_base64(out, sizeof(out), "foobar", 6), 0);
	assert_int_not_equal(encode_base64(NULL, 9, "foobar", 6), 0);
}

static void
test_base64_round_trip(void **state)
{
	unsigned char in[100], back[100];
	char b64[200];
	size_t len, outlen;

	(void)state;
	secmem_random(in, sizeof(in));
	for (len = 0; len <= sizeof(in); len++) {
		assert_true(encode_base64_size(len) <= sizeof(b64));
		assert_int_equal(encode_base64(b64, sizeof(b64), in, len), 0);
		assert_int_equal(strlen(b64) + 1, encode_base64_size(len));
		assert_int_equal(decode_base64(back, sizeof(back), &outlen, b64,
		    strlen(b64)), 0);
		assert_int_equal(outlen, len);
		assert_memory_equal(in, back, len);
	}
}

static void
test_base64_decode_rejects(void **state)
{
	static const char *const bad[] = {
		"Zm9v!",	/* trailing junk */
		"Zm9vYmFy=",	/* padding after a full group */
		"Zm9vYg==x",	/* junk after the padding */
		"Zm9vYg==Zm9v",	/* data after the padding */
		"Zm9vYg",	/* padding missing */
		"Zm9vYg=",	/* padding short */
		"Zm9vYmE",	/* padding missing */
		"Zg===",	/* too much padding */
		"Z",		/* lone character */
		"Zh==",		/* non-zero unused bits */
		"Zm9v Ym Fy",	/* spaces */
		"Zm9v\nYmFy",	/* line break */
		"Zm9v-_8=",	/* URL-safe alphabet */
		"====",
		"!!!!",
		"Zm9v\0Ymm",	/* embedded NUL (inlen covers it) */
	};
	static const size_t badlen[] = {
		5, 9, 9, 12, 6, 7, 7, 5, 1, 4, 10, 9, 8, 4, 4, 8,
	};
	unsigned char out[32];
	size_t i, outlen;

	(void)state;
	assert_int_equal(sizeof(bad) / sizeof(bad[0]),
	    sizeof(badlen) / sizeof(badlen[0]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_base64(out, sizeof(out), &outlen, bad[i],
		    badlen[i]) != CUSTOS_ERR_FORMAT)
			fail_msg("accepted bad base64 #%zu \"%s\"", i, bad[i]);
	}
}

static void
test_base64_decode_too_long(void **state)
{
	unsigned char out[5];
	size_t outlen;

	(void)state;
	/* "foobar" is 6 bytes; the buffer holds 5. */
	assert_int_equal(decode_base64(out, sizeof(out), &outlen, "Zm9vYmFy",
	    8), CUSTOS_ERR_FORMAT);
}

static void
test_hex_grouped8(void **state)
{
	const unsigned char in[8] = {
		0x66, 0x68, 0x7a, 0xad, 0xf8, 0x62, 0xbd, 0x77,
	};
	const unsigned char zero[8] = { 0 };
	const unsigned char ff[8] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	char out[21];

	(void)state;
	memset(out, 'x', sizeof(out));
	encode_hex_grouped8(out, in);
	assert_string_equal(out, "6668 7AAD F862 BD77");
	assert_int_equal(strlen(out), 19);
	assert_int_equal(out[20], 'x');	/* nothing past the 20 bytes */
	encode_hex_grouped8(out, zero);
	assert_string_equal(out, "0000 0000 0000 0000");
	encode_hex_grouped8(out, ff);
	assert_string_equal(out, "FFFF FFFF FFFF FFFF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_lower_upper),
		cmocka_unit_test(test_hex_empty),
		cmocka_unit_test(test_hex_small_buffer),
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_hex_decode_mixed_case),
		cmocka_unit_test(test_hex_decode_rejects),
		cmocka_unit_test(test_base64_rfc4648_encode),
		cmocka_unit_test(test_base64_rfc4648_decode),
		cmocka_unit_test(test_base64_small_buffer),
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_base64_decode_rejects),
		cmocka_unit_test(test_base64_decode_too_long),
		cmocka_unit_test(test_hex_grouped8),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
