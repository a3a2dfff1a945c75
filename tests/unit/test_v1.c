/*
 * test_v1.c - custos v1 share files: the committed known-answer vector,
 * decryption by raw libsodium calls as docs/formats/share-file.md says,
 * and every kind of damaged input.
 */
#include "testutil.h"

#include <sodium.h>

#include "../../ceremony/sharefile_v1.h"
#include "../../common/secmem.h"

#define VECTOR "tests/vectors/share-v1-kat.txt"
static const char kat_pw[] = "correct horse battery staple";

static unsigned char kat_share[32];
static char *kat_text;
static size_t kat_len;

static void
kat_header(struct v1_header *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	strcpy(h->label, "alice");
	strcpy(h->ceremony, "rehearsal-2026-11");
	strcpy(h->comment, "known-answer vector");
	strcpy(h->created, "2026-11-23T12:00:00Z");
	h->opslimit = 1;
	h->mem_kib = 8192;
	for (i = 0; i < V1_SALT_LEN; i++)
		h->salt[i] = (unsigned char)(0xa0 + i);
	for (i = 0; i < V1_NONCE_LEN; i++)
		h->nonce[i] = (unsigned char)(0xb0 + i);
}

static int
setup(void **state)
{
	FILE *f = fopen(VECTOR, "rb");
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		kat_share[i] = (unsigned char)i;
	if (f == NULL)
		return -1;
	kat_text = calloc(1, V1_FILE_MAX + 1);
	kat_len = fread(kat_text, 1, V1_FILE_MAX + 1, f);
	fclose(f);
	return kat_len > 0 && kat_len <= V1_FILE_MAX ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	free(kat_text);
	return 0;
}

/* Sealing the vector's inputs gives the committed file byte for byte. */
static void
test_kat_seal(void **state)
{
	struct v1_header h;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	kat_header(&h);
	assert_int_equal(v1_seal_deterministic(&out, &len, &h, kat_share,
	    (const unsigned char *)kat_pw, strlen(kat_pw)), CUSTOS_OK);
	assert_int_equal(len, kat_len);
	assert_memory_equal(out, kat_text, len);
	free(out);
}

static void
test_kat_open(void **state)
{
	struct v1_header h;
	unsigned char share[32];

	(void)state;
	assert_int_equal(v1_open(share, kat_text, kat_len,
	    (const unsigned char *)kat_pw, strlen(kat_pw), &h), CUSTOS_OK);
	assert_memory_equal(share, kat_share, 32);
	assert_string_equal(h.label, "alice");
	assert_string_equal(h.ceremony, "rehearsal-2026-11");
	assert_int_equal(h.mem_kib, 8192);
}

/* What an independent implementer does from the format document alone. */
static void
test_kat_by_spec(void **state)
{
	unsigned char key[32], salt[16], nonce[24], ct[48], share[32];
	unsigned char fpr[32];
	const char *data;
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		salt[i] = (unsigned char)(0xa0 + i);
	for (i = 0; i < 24; i++)
		nonce[i] = (unsigned char)(0xb0 + i);
	/* The Data lines, hex without spaces. */
	data = strstr(kat_text, "Data-1: ");
	assert_non_null(data);
	for (i = 0; i < 3; i++) {
		char hex[33];
		const char *l = strstr(kat_text, i == 0 ? "Data-1: " :
		    i == 1 ? "Data-2: " : "Data-3: ") + 8;
		size_t o = 0, k;

		for (k = 0; o < 32; k++)
			if (l[k] != ' ')
				hex[o++] = l[k];
		hex[32] = '\0';
		assert_int_equal(sodium_hex2bin(ct + 16 * i, 16, hex, 32, NULL,
		    NULL, NULL), 0);
	}
	assert_int_equal(crypto_pwhash(key, 32, kat_pw, strlen(kat_pw), salt,
	    1, 8192 * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(share,
	    NULL, NULL, ct, 48, (const unsigned char *)kat_text,
	    (size_t)(data - kat_text), nonce, key), 0);
	assert_memory_equal(share, kat_share, 32);
	/* Fingerprint: SHA-256("custos/dkek-share-fingerprint/v1\0" || s). */
	{
		crypto_hash_sha256_state st;
		char hex[17];

		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, (const unsigned char *)
		    "custos/dkek-share-fingerprint/v1", 33);
		crypto_hash_sha256_update(&st, share, 32);
		crypto_hash_sha256_final(&st, fpr);
		sodium_bin2hex(hex, sizeof(hex), fpr, 8);
		for (i = 0; i < 16; i++)
			if (hex[i] >= 'a')
				hex[i] = (char)(hex[i] - 32);
		assert_non_null(strstr(kat_text, hex));
	}
}

static void
test_wrong_passphrase(void **state)
{
	unsigned char share[32];

	(void)state;
	assert_int_equal(v1_open(share, kat_text, kat_len,
	    (const unsigned char *)"correct horse battery stapl", 27, NULL),
	    CUSTOS_ERR_BAD_PASSPHRASE);
	assert_int_equal(v1_open(share, kat_text, kat_len,
	    (const unsigned char *)"", 0, NULL), CUSTOS_ERR_BAD_PASSPHRASE);
}

/* Every single-bit change anywhere in the file is detected. */
static void
test_every_bit_flip_detected(void **state)
{
	unsigned char share[32];
	char *buf = malloc(kat_len);
	size_t i;
	int bit, r;

	(void)state;
	for (i = 0; i < kat_len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, kat_text, kat_len);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			r = v1_open(share, buf, kat_len,
			    (const unsigned char *)kat_pw, strlen(kat_pw),
			    NULL);
			if (r == CUSTOS_OK)
				fail_msg("flip of bit %d at offset %zu "
				    "undetected", bit, i);
		}
	}
	free(buf);
}

static void
test_truncated_and_padded(void **state)
{
	struct v1_header h;
	char *buf = malloc(kat_len + 2);
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < kat_len; i++) {
		r = v1_parse(kat_text, i, &h, NULL);
		if (r == CUSTOS_OK)
			fail_msg("truncation to %zu bytes accepted", i);
	}
	/* A cut at the end of a line is reported as truncation. */
	assert_int_equal(v1_parse(kat_text, kat_len - 32, &h, NULL),
	    CUSTOS_ERR_TRUNCATED);
	memcpy(buf, kat_text, kat_len);
	buf[kat_len] = '\n';
	assert_int_not_equal(v1_parse(buf, kat_len + 1, &h, NULL), CUSTOS_OK);
	buf[kat_len] = 'x';
	assert_int_not_equal(v1_parse(buf, kat_len + 1, &h, NULL), CUSTOS_OK);
	free(buf);
}

static void
test_not_a_share(void **state)
{
	struct v1_header h;
	static const char pbe[] = "Salted__01234567";
	static const char other[] = "-----BEGIN PGP MESSAGE-----\n";

	(void)state;
	assert_int_equal(v1_parse(pbe, sizeof(pbe) - 1, &h, NULL),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(v1_parse(other, sizeof(other) - 1, &h, NULL),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(v1_parse("", 0, &h, NULL), CUSTOS_ERR_FORMAT);
}

/* Replaces the first occurrence of from with to in the vector. */
static char *
edited(const char *from, const char *to, size_t *len)
{
	const char *p = strstr(kat_text, from);
	char *out = calloc(1, kat_len + 64);
	size_t pre;

	assert_non_null(p);
	pre = (size_t)(p - kat_text);
	memcpy(out, kat_text, pre);
	strcpy(out + pre, to);
	strcat(out, p + strlen(from));
	*len = strlen(out);
	return out;
}

static void
test_version_and_limits(void **state)
{
	struct v1_header h;
	size_t len;
	char *t;

	(void)state;
	t = edited("Version: 1", "Version: 2", &len);
	assert_int_equal(v1_parse(t, len, &h, NULL), CUSTOS_ERR_UNSUPPORTED);
	free(t);
	t = edited("m=8192", "m=99999999", &len);
	assert_int_equal(v1_parse(t, len, &h, NULL), CUSTOS_ERR_LIMIT);
	free(t);
	t = edited("t=1 ", "t=0 ", &len);
	assert_int_equal(v1_parse(t, len, &h, NULL), CUSTOS_ERR_LIMIT);
	free(t);
	/* Upper-case hex and missing group spaces are not canonical. */
	t = edited("Salt: a0a1", "Salt: A0A1", &len);
	assert_int_equal(v1_parse(t, len, &h, NULL), CUSTOS_ERR_FORMAT);
	free(t);
	t = edited("Label: alice", "Label:  alice", &len);
	assert_int_equal(v1_parse(t, len, &h, NULL), CUSTOS_ERR_FORMAT);
	free(t);
	t = edited("\n", "\r\n", &len);
	assert_int_not_equal(v1_parse(t, len, &h, NULL), CUSTOS_OK);
	free(t);
}

static void
test_text_checks(void **state)
{
	struct v1_header h;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_null(v1_check_text("Alice Müller", 64));
	assert_non_null(v1_check_text("", 64));
	assert_non_null(v1_check_text(" alice", 64));
	assert_non_null(v1_check_text("alice ", 64));
	assert_non_null(v1_check_text("al\tice", 64));
	assert_non_null(v1_check_text("al\x1b[2Jice", 64));
	assert_non_null(v1_check_text("\xc3", 64));	/* cut UTF-8 */
	assert_non_null(v1_check_text("\xc0\xaf", 64));	/* overlong */
	assert_non_null(v1_check_text("\xed\xa0\x80", 64)); /* surrogate */
	assert_non_null(v1_check_text("\xc2\x9b", 64));	/* C1 control */
	assert_non_null(v1_check_text("abcdefghi", 8));
	kat_header(&h);
	strcpy(h.label, "bad\nlabel");
	assert_int_equal(v1_seal(&out, &len, &h, kat_share,
	    (const unsigned char *)kat_pw, strlen(kat_pw)), CUSTOS_ERR_FORMAT);
	assert_null(out);
}

/* Random salt and nonce: two files of one share differ, both open. */
static void
test_seal_random_roundtrip(void **state)
{
	struct v1_header h1, h2;
	unsigned char share[32];
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	(void)state;
	kat_header(&h1);
	h1.created[0] = '\0';
	h1.ceremony[0] = '\0';
	h1.comment[0] = '\0';
	h2 = h1;
	assert_int_equal(v1_seal(&a, &alen, &h1, kat_share,
	    (const unsigned char *)"pw one", 6), CUSTOS_OK);
	assert_int_equal(v1_seal(&b, &blen, &h2, kat_share,
	    (const unsigned char *)"pw one", 6), CUSTOS_OK);
	assert_memory_not_equal(h1.salt, h2.salt, V1_SALT_LEN);
	assert_memory_not_equal(h1.nonce, h2.nonce, V1_NONCE_LEN);
	assert_null(strstr(a, "Ceremony:"));
	assert_int_equal(v1_open(share, b, blen, (const unsigned char *)
	    "pw one", 6, NULL), CUSTOS_OK);
	assert_memory_equal(share, kat_share, 32);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_seal),
		cmocka_unit_test(test_kat_open),
		cmocka_unit_test(test_kat_by_spec),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_every_bit_flip_detected),
		cmocka_unit_test(test_truncated_and_padded),
		cmocka_unit_test(test_not_a_share),
		cmocka_unit_test(test_version_and_limits),
		cmocka_unit_test(test_text_checks),
		cmocka_unit_test(test_seal_random_roundtrip),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
