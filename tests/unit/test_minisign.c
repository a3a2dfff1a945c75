/*
 * test_minisign.c - minisign-format keys and signatures: round trip,
 * tampering of message, signature, trusted comment and key id. (That
 * Debian's minisign accepts them is checked in tests/cli/ceremony.sh.)
 */
#include "testutil.h"

#include <sodium.h>

#include "../../ceremony/minisign.h"

static unsigned char pk[32], sk[64], kid[8];
static const char msg[] = "{\"seq\":0}\n{\"seq\":1}\n";

static void
test_pubkey_roundtrip(void **state)
{
	unsigned char pk2[32], kid2[8];
	char text[256];

	(void)state;
	assert_int_equal(minisign_pubkey_text(text, sizeof(text), kid, pk,
	    "custos ceremony x public key"), CUSTOS_OK);
	assert_memory_equal(text, "untrusted comment: custos ceremony x", 36);
	assert_int_equal(minisign_pubkey_parse(text, strlen(text), kid2, pk2),
	    CUSTOS_OK);
	assert_memory_equal(pk2, pk, 32);
	assert_memory_equal(kid2, kid, 8);
	/* The second line is base64 of "Ed" || key id || key: 56 chars. */
	assert_int_equal(strlen(strchr(text, '\n') + 1), 57);
	assert_int_equal(minisign_pubkey_text(text, sizeof(text), kid, pk,
	    "two\nlines"), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(minisign_pubkey_parse("garbage", 7, kid2, pk2),
	    CUSTOS_ERR_FORMAT);
}

static void
test_sign_verify_and_tamper(void **state)
{
	unsigned char other_pk[32], other_sk[64], kid2[8];
	char *sig = NULL, *t;
	size_t len = 0;

	(void)state;
	assert_int_equal(minisign_sign(&sig, &len, (const unsigned char *)msg,
	    strlen(msg), kid, sk, "custos ceremony x closed"), CUSTOS_OK);
	assert_int_equal(minisign_verify(sig, len, (const unsigned char *)msg,
	    strlen(msg), kid, pk), CUSTOS_OK);
	/* Prehashed: the signature line decodes to "ED" || key id || sig. */
	{
		unsigned char raw[74];
		const char *l = strchr(sig, '\n') + 1;
		size_t got = 0;

		assert_int_equal(sodium_base642bin(raw, sizeof(raw), l,
		    (size_t)(strchr(l, '\n') - l), NULL, &got, NULL,
		    sodium_base64_VARIANT_ORIGINAL), 0);
		assert_int_equal(got, 74);
		assert_memory_equal(raw, "ED", 2);
		assert_memory_equal(raw + 2, kid, 8);
	}
	/* Another message. */
	assert_int_equal(minisign_verify(sig, len, (const unsigned char *)msg,
	    strlen(msg) - 1, kid, pk), CUSTOS_ERR_CORRUPT);
	/* Another key, another key id. */
	crypto_sign_keypair(other_pk, other_sk);
	assert_int_equal(minisign_verify(sig, len, (const unsigned char *)msg,
	    strlen(msg), kid, other_pk), CUSTOS_ERR_CORRUPT);
	memcpy(kid2, kid, 8);
	kid2[0] ^= 1;
	assert_int_equal(minisign_verify(sig, len, (const unsigned char *)msg,
	    strlen(msg), kid2, pk), CUSTOS_ERR_CORRUPT);
	/* An edited trusted comment breaks the global signature. */
	t = strdup(sig);
	*strstr(t, "closed") = 'C';
	assert_int_equal(minisign_verify(t, len, (const unsigned char *)msg,
	    strlen(msg), kid, pk), CUSTOS_ERR_CORRUPT);
	free(t);
	assert_int_equal(minisign_verify("untrusted comment: x\n", 21,
	    (const unsigned char *)msg, strlen(msg), kid, pk),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(minisign_sign(&t, &len, (const unsigned char *)msg,
	    1, kid, sk, "a\nb"), CUSTOS_ERR_INVALID_ARG);
	free(sig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pubkey_roundtrip),
		cmocka_unit_test(test_sign_verify_and_tamper),
	};

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	randombytes_buf(kid, sizeof(kid));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
