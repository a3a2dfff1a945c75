/* test_wordlist.c - the SLIP-39 word list and 10-bit word encoding. */
#include "testutil.h"

#include <sodium.h>

#include "../../shamir/wordlist.h"

static void
test_list_properties(void **state)
{
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256_state st;
	size_t i;

	(void)state;
	/* The list file's hash, as published by other SLIP-39 users. */
	crypto_hash_sha256_init(&st);
	for (i = 0; i < WORDLIST_SIZE; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)
		    wordlist_slip39[i], strlen(wordlist_slip39[i]));
		crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(hex, "bcc4555340332d169718aed8bf31dd9d5248cb7da6"
	    "e5d355140ef4f1e601eec3");
	for (i = 1; i < WORDLIST_SIZE; i++) {
		assert_true(strcmp(wordlist_slip39[i - 1], wordlist_slip39[i])
		    < 0);
		assert_int_not_equal(strncmp(wordlist_slip39[i - 1],
		    wordlist_slip39[i], 4), 0);
	}
}

static void
test_encode(void **state)
{
	unsigned char in[10];
	char out[256];

	(void)state;
	memset(in, 0, sizeof(in));
	assert_int_equal(wordlist_encode(out, sizeof(out), in, 10, 8), 0);
	assert_string_equal(out, "academic academic academic academic "
	    "academic academic academic academic");
	memset(in, 0xff, sizeof(in));
	assert_int_equal(wordlist_encode(out, sizeof(out), in, 10, 2), 0);
	assert_string_equal(out, "zero zero");
	/* 0x00 0x40: first 10 bits = 1 -> "acid". */
	in[0] = 0x00;
	in[1] = 0x40;
	assert_int_equal(wordlist_encode(out, sizeof(out), in, 2, 1), 0);
	assert_string_equal(out, "acid");
	assert_int_equal(wordlist_encode(out, sizeof(out), in, 2, 2), -1);
	assert_int_equal(wordlist_encode(out, 4, in, 10, 2), -1);
	assert_int_equal(wordlist_index("zero"), 1023);
	assert_int_equal(wordlist_index("academic"), 0);
	assert_int_equal(wordlist_index("nope"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_properties),
		cmocka_unit_test(test_encode),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
