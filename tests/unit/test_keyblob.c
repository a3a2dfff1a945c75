/*
 * test_keyblob.c - SmartCard-HSM key blobs: round trips (RSA-CRT, RSA
 * d/n/e, all eight curves), wrong DKEK, tampering, truncation, the clear
 * header, the plaintext layout checked by decrypting with OpenSSL alone,
 * and blobs built by hand here (independently of cards/keyblob.c) that
 * keyblob_unwrap() must accept or refuse.
 */
#include "testutil.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "../../cards/keyblob.h"

static const uint8_t oid_rsa[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x01, 0x02
};
static const uint8_t oid_ec[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03
};

/* SEC 2 / FIPS 186-4 P-256, typed in from the standard. */
static const char p256_p[] =
    "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
static const char p256_a[] =
    "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC";
static const char p256_b[] =
    "5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B";
static const char p256_n[] =
    "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
static const char p256_g[] = "04"
    "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
/* SEC 2 secp256k1. */
static const char k1_p[] =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F";
static const char k1_n[] =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";
static const char k1_g[] = "04"
    "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"
    "483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8";

static uint8_t dkek[32];

/* ---- helpers, written without cards/keyblob.c ---- */

static size_t
unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = 0;

	assert_int_equal(sodium_hex2bin(out, max, hex, strlen(hex), NULL, &n,
	    NULL), 0);
	return n;
}

static void
sha256_ctr(uint8_t out[32], const uint8_t k[32], uint8_t ctr)
{
	uint8_t buf[36];

	memcpy(buf, k, 32);
	buf[32] = buf[33] = buf[34] = 0;
	buf[35] = ctr;
	SHA256(buf, sizeof(buf), out);
}

static void
ref_cbc(uint8_t *out, const uint8_t key[32], const uint8_t *in, size_t len,
    int enc)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0;

	assert_non_null(c);
	assert_true(EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv,
	    enc));
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_true(EVP_CipherUpdate(c, out, &n1, in, (int)len));
	assert_true(EVP_CipherFinal_ex(c, out + n1, &n2));
	assert_int_equal(n1 + n2, len);
	EVP_CIPHER_CTX_free(c);
}

static void
ref_cmac(uint8_t mac[16], const uint8_t key[32], const uint8_t *d,
    size_t len)
{
	char cipher[] = "AES-256-CBC";
	OSSL_PARAM prm[2];
	EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *c;
	size_t n = 0;

	assert_non_null(m);
	c = EVP_MAC_CTX_new(m);
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	prm[1] = OSSL_PARAM_construct_end();
	assert_true(EVP_MAC_init(c, key, 32, prm));
	assert_true(EVP_MAC_update(c, d, len));
	assert_true(EVP_MAC_final(c, mac, &n, 16));
	assert_int_equal(n, 16);
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
}

/* A plaintext under construction. */
struct pb {
	uint8_t b[KEYBLOB_MAX];
	size_t n;
};

static void
pb_start(struct pb *p, unsigned keysize)
{
	memset(p->b, 0xA5, 8);		/* the "random" prefix */
	p->b[8] = (uint8_t)(keysize >> 8);
	p->b[9] = (uint8_t)keysize;
	p->n = 10;
}

static void
pb_field(struct pb *p, const uint8_t *v, size_t n)
{
	p->b[p->n++] = (uint8_t)(n >> 8);
	p->b[p->n++] = (uint8_t)n;
	if (n > 0)
		memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void
pb_hexfield(struct pb *p, const char *hex)
{
	uint8_t v[256];

	pb_field(p, v, unhex(v, sizeof(v), hex));
}

static void
pb_bn(struct pb *p, const BIGNUM *bn, size_t width)
{
	uint8_t v[1024];

	assert_int_equal(BN_bn2binpad(bn, v, (int)width), (int)width);
	pb_field(p, v, width);
}

/* 80 00.. to a multiple of 16, as a card does. */
static void
pb_pad(struct pb *p)
{
	p->b[p->n++] = 0x80;
	while (p->n % 16 != 0)
		p->b[p->n++] = 0;
}

/* KCV | type | OID | 00 00 | 00 00 | 00 00 | CBC | CMAC, built here. */
static size_t
build_blob(uint8_t *out, const uint8_t k[32], int type, const struct pb *p)
{
	const uint8_t *oid = type == KEYBLOB_EC ? oid_ec : oid_rsa;
	uint8_t h[32], kenc[32], kmac[32];
	size_t n = 0;

	assert_int_equal(p->n % 16, 0);
	SHA256(k, 32, h);
	memcpy(out, h, 8);
	n = 8;
	out[n++] = (uint8_t)type;
	out[n++] = 0;
	out[n++] = 10;
	memcpy(out + n, oid, 10);
	n += 10;
	memset(out + n, 0, 6);
	n += 6;
	sha256_ctr(kenc, k, 1);
	sha256_ctr(kmac, k, 2);
	ref_cbc(out + n, kenc, p->b, p->n, 1);
	n += p->n;
	ref_cmac(out + n, kmac, out, n);
	return n + 16;
}

static BIGNUM *
get_bn(const EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;

	assert_true(EVP_PKEY_get_bn_param(k, name, &bn));
	return bn;
}

static void
assert_bn_field(const uint8_t *pt, size_t *off, const BIGNUM *want,
    size_t width)
{
	size_t n = ((size_t)pt[*off] << 8) | pt[*off + 1];
	BIGNUM *got;

	assert_int_equal(n, width);
	got = BN_bin2bn(pt + *off + 2, (int)n, NULL);
	assert_non_null(got);
	assert_int_equal(BN_cmp(got, want), 0);
	BN_free(got);
	*off += 2 + n;
}

static void
assert_hex_field(const uint8_t *pt, size_t *off, const char *hex)
{
	uint8_t v[256];
	size_t n = unhex(v, sizeof(v), hex);

	assert_int_equal(((size_t)pt[*off] << 8) | pt[*off + 1], n);
	assert_memory_equal(pt + *off + 2, v, n);
	*off += 2 + n;
}

/* From off to the end of the plaintext: exactly 80 00.. (1-16 bytes). */
static void
assert_padding(const uint8_t *pt, size_t off, size_t len)
{
	assert_int_equal(len % 16, 0);
	assert_true(len - off >= 1 && len - off <= 16);
	assert_int_equal(pt[off], 0x80);
	for (off++; off < len; off++)
		assert_int_equal(pt[off], 0);
}

/*
 * Checks the CMAC of blob with Kmac = SHA-256(dkek|00000002) and decrypts
 * its ciphertext with Kenc = SHA-256(dkek|00000001) into pt; returns the
 * plaintext length.
 */
static size_t
ref_open(uint8_t *pt, const uint8_t *blob, size_t len)
{
	struct keyblob_info info;
	uint8_t kenc[32], kmac[32], mac[16];

	assert_int_equal(keyblob_parse(blob, len, &info), CUSTOS_OK);
	sha256_ctr(kmac, dkek, 2);
	ref_cmac(mac, kmac, blob, len - 16);
	assert_memory_equal(mac, blob + len - 16, 16);
	assert_ptr_equal(info.enc + info.enc_len + 16, blob + len);
	sha256_ctr(kenc, dkek, 1);
	ref_cbc(pt, kenc, info.enc, info.enc_len, 0);
	return info.enc_len;
}

static EVP_PKEY *
gen_rsa(size_t bits)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);

	assert_non_null(k);
	return k;
}

static EVP_PKEY *
gen_ec(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(k);
	return k;
}

/* Signs with a, verifies with b (SHA-256). */
static void
sign_verify(EVP_PKEY *a, EVP_PKEY *b)
{
	static const uint8_t msg[] = "custos key blob round trip";
	uint8_t sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	assert_non_null(c);
	assert_int_equal(EVP_DigestSignInit_ex(c, NULL, "SHA256", NULL, NULL,
	    a, NULL), 1);
	assert_int_equal(EVP_DigestSign(c, sig, &siglen, msg, sizeof(msg)),
	    1);
	EVP_MD_CTX_free(c);
	c = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit_ex(c, NULL, "SHA256", NULL,
	    NULL, b, NULL), 1);
	assert_int_equal(EVP_DigestVerify(c, sig, siglen, msg, sizeof(msg)),
	    1);
	sig[siglen / 2] ^= 1;
	assert_int_not_equal(EVP_DigestVerify(c, sig, siglen, msg,
	    sizeof(msg)), 1);
	EVP_MD_CTX_free(c);
	ERR_clear_error();
}

/* OpenSSL's own full check of a rebuilt key pair. */
static void
key_check(EVP_PKEY *k)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);

	assert_non_null(c);
	assert_int_equal(EVP_PKEY_check(c), 1);
	EVP_PKEY_CTX_free(c);
}

/* Wraps k, unwraps it, checks the same key came back; returns the blob. */
static size_t
roundtrip(EVP_PKEY *k, uint8_t *blob, int want_type)
{
	struct keyblob_info info;
	EVP_PKEY *u = NULL;
	size_t len = 0;

	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, KEYBLOB_MAX,
	    &len), CUSTOS_OK);
	assert_int_equal(keyblob_parse(blob, len, &info), CUSTOS_OK);
	assert_int_equal(info.type, want_type);
	assert_int_equal(keyblob_unwrap(dkek, blob, len, &u), CUSTOS_OK);
	assert_non_null(u);
	assert_int_equal(EVP_PKEY_eq(k, u), 1);
	assert_int_equal(EVP_PKEY_get_bits(k), EVP_PKEY_get_bits(u));
	sign_verify(u, k);
	sign_verify(k, u);
	EVP_PKEY_free(u);
	return len;
}

/* ---- round trips ---- */

static void
test_roundtrip_rsa2048_crt(void **state)
{
	static const char *const parts[] = {
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	EVP_PKEY *k = gen_rsa(2048), *u = NULL;
	uint8_t blob[KEYBLOB_MAX];
	size_t len, i;

	(void)state;
	len = roundtrip(k, blob, KEYBLOB_RSA_CRT);
	/* Every private part comes back, d as OpenSSL makes it. */
	assert_int_equal(keyblob_unwrap(dkek, blob, len, &u), CUSTOS_OK);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		BIGNUM *a = get_bn(k, parts[i]), *b = get_bn(u, parts[i]);

		assert_int_equal(BN_cmp(a, b), 0);
		BN_clear_free(a);
		BN_clear_free(b);
	}
	key_check(u);
	EVP_PKEY_free(u);
	EVP_PKEY_free(k);
}

/* Over 2048 bits CardContact's tools wrap RSA as d, n, e; so do we. */
static void
test_roundtrip_rsa3072_plain(void **state)
{
	EVP_PKEY *k = gen_rsa(3072);
	uint8_t blob[KEYBLOB_MAX];

	(void)state;
	roundtrip(k, blob, KEYBLOB_RSA);
	EVP_PKEY_free(k);
}

static void
test_roundtrip_ec(void **state)
{
	static const char *const curves[] = {
		"P-256", "P-384", "brainpoolP256r1", "P-521",
		"brainpoolP320r1", "brainpoolP384r1", "brainpoolP512r1",
		"secp256k1",
	};
	uint8_t blob[KEYBLOB_MAX];
	char name[64], uname[64];
	size_t i, len;
	EVP_PKEY *k, *u;

	(void)state;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		k = gen_ec(curves[i]);
		len = roundtrip(k, blob, KEYBLOB_EC);
		/* The result is on the named curve, not explicit params. */
		assert_int_equal(keyblob_unwrap(dkek, blob, len, &u),
		    CUSTOS_OK);
		assert_true(EVP_PKEY_get_utf8_string_param(k,
		    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), NULL));
		assert_true(EVP_PKEY_get_utf8_string_param(u,
		    OSSL_PKEY_PARAM_GROUP_NAME, uname, sizeof(uname), NULL));
		assert_string_equal(name, uname);
		key_check(u);
		EVP_PKEY_free(u);
		EVP_PKEY_free(k);
	}
}

static void
test_random_prefix(void **state)
{
	EVP_PKEY *k = gen_ec("P-256");
	uint8_t a[KEYBLOB_MAX], b[KEYBLOB_MAX], pa[KEYBLOB_MAX],
	    pb2[KEYBLOB_MAX];
	size_t la = 0, lb = 0, na, nb;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, a, sizeof(a), &la),
	    CUSTOS_OK);
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, b, sizeof(b), &lb),
	    CUSTOS_OK);
	assert_int_equal(la, lb);
	/* Same 27-byte header, fresh first block, same plaintext after. */
	assert_memory_equal(a, b, 27);
	assert_memory_not_equal(a + 27, b + 27, 16);
	na = ref_open(pa, a, la);
	nb = ref_open(pb2, b, lb);
	assert_int_equal(na, nb);
	assert_memory_not_equal(pa, pb2, 8);
	assert_memory_equal(pa + 8, pb2 + 8, na - 8);
	EVP_PKEY_free(k);
}

/* ---- header ---- */

static void
test_parse_wrapped(void **state)
{
	static const uint8_t allowed[] = { 0x21, 0x70, 0x91 };
	EVP_PKEY *k = gen_ec("P-256");
	struct keyblob_info info;
	uint8_t blob[KEYBLOB_MAX], h[32];
	size_t len = 0;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, allowed, sizeof(allowed), blob,
	    sizeof(blob), &len), CUSTOS_OK);
	assert_int_equal(keyblob_parse(blob, len, &info), CUSTOS_OK);
	SHA256(dkek, 32, h);
	assert_memory_equal(info.kcv, h, 8);
	assert_int_equal(info.type, KEYBLOB_EC);
	assert_int_equal(info.default_alg_len, sizeof(oid_ec));
	assert_memory_equal(info.default_alg, oid_ec, sizeof(oid_ec));
	assert_ptr_equal(info.default_alg, blob + 11);
	assert_int_equal(info.allowed_algs_len, sizeof(allowed));
	assert_memory_equal(info.allowed_algs, allowed, sizeof(allowed));
	assert_int_equal(info.access_len, 0);
	assert_int_equal(info.key_oid_len, 0);
	/* Exact bytes: 00 0A oid | 00 03 list | 00 00 | 00 00. */
	assert_int_equal(blob[9], 0x00);
	assert_int_equal(blob[10], 0x0A);
	assert_int_equal(blob[21], 0x00);
	assert_int_equal(blob[22], 0x03);
	assert_memory_equal(blob + 26, "\0\0\0\0", 4);
	assert_ptr_equal(info.enc, blob + 30);
	assert_int_equal(info.enc_len, len - 30 - 16);
	assert_int_equal(info.enc_len % 16, 0);
	EVP_PKEY_free(k);
}

static void
test_parse_by_hand(void **state)
{
	uint8_t b[8 + 1 + 12 + 4 + 2 + 6 + 32 + 16];
	struct keyblob_info info;
	size_t n;

	(void)state;
	memset(b, 0x11, sizeof(b));
	n = 8;
	b[n++] = KEYBLOB_RSA_CRT;
	b[n++] = 0;
	b[n++] = 10;
	memcpy(b + n, oid_rsa, 10);
	n += 10;
	/* allowed AB CD | no access conditions | key OID 01 02 03 04 */
	memcpy(b + n, "\x00\x02\xAB\xCD\x00\x00\x00\x04\x01\x02\x03\x04",
	    12);
	n += 12;
	assert_int_equal(sizeof(b) - n, 32 + 16);
	assert_int_equal(keyblob_parse(b, sizeof(b), &info), CUSTOS_OK);
	assert_int_equal(info.type, KEYBLOB_RSA_CRT);
	assert_memory_equal(info.kcv, "\x11\x11\x11\x11\x11\x11\x11\x11", 8);
	assert_ptr_equal(info.default_alg, b + 11);
	assert_int_equal(info.default_alg_len, 10);
	assert_int_equal(info.allowed_algs_len, 2);
	assert_int_equal(info.allowed_algs[1], 0xCD);
	assert_int_equal(info.access_len, 0);
	assert_int_equal(info.key_oid_len, 4);
	assert_int_equal(info.key_oid[3], 4);
	assert_ptr_equal(info.enc, b + n);
	assert_int_equal(info.enc_len, 32);

	/* Ciphertext and MAC not 16 + a multiple of 16: FORMAT. */
	assert_int_equal(keyblob_parse(b, sizeof(b) - 1, &info),
	    CUSTOS_ERR_FORMAT);
	/* Less than one block and a MAC: TRUNCATED. */
	assert_int_equal(keyblob_parse(b, n + 31, &info),
	    CUSTOS_ERR_TRUNCATED);
	/* Unknown key type. */
	b[8] = 7;
	assert_int_equal(keyblob_parse(b, sizeof(b), &info), CUSTOS_ERR_FORMAT);
	b[8] = KEYBLOB_AES;
	assert_int_equal(keyblob_parse(b, sizeof(b), &info), CUSTOS_OK);
	/* A length running past the end; *info left zeroed. */
	b[9] = 0xff;
	assert_int_equal(keyblob_parse(b, sizeof(b), &info),
	    CUSTOS_ERR_TRUNCATED);
	assert_null(info.default_alg);
	assert_int_equal(info.type, 0);
	assert_int_equal(keyblob_parse(NULL, 0, &info), CUSTOS_ERR_TRUNCATED);
	assert_int_equal(keyblob_parse(b, sizeof(b), NULL),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(keyblob_parse(b, KEYBLOB_MAX + 1, &info),
	    CUSTOS_ERR_TOO_LARGE);
}

/* ---- the plaintext, opened with OpenSSL alone ---- */

static void
test_layout_rsa_crt(void **state)
{
	EVP_PKEY *k = gen_rsa(2048);
	BIGNUM *bn[7];
	static const char *const names[7] = {
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_N,
		OSSL_PKEY_PARAM_RSA_E,
	};
	static const size_t width[7] = { 128, 128, 128, 128, 128, 256, 3 };
	uint8_t blob[KEYBLOB_MAX], pt[KEYBLOB_MAX];
	size_t len = 0, n, off = 10, i;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_OK);
	assert_int_equal(blob[8], KEYBLOB_RSA_CRT);
	assert_memory_equal(blob + 11, oid_rsa, sizeof(oid_rsa));
	n = ref_open(pt, blob, len);
	assert_int_equal(pt[8], 2048 >> 8);
	assert_int_equal(pt[9], 0);
	/* dp1, dq1, p, pq = q^-1 mod p, q, n, e */
	for (i = 0; i < 7; i++) {
		bn[i] = get_bn(k, names[i]);
		assert_bn_field(pt, &off, bn[i], width[i]);
		BN_clear_free(bn[i]);
	}
	assert_padding(pt, off, n);
	assert_int_equal(len, 27 + n + 16);
	EVP_PKEY_free(k);
}

static void
test_layout_ec_p256(void **state)
{
	EVP_PKEY *k = gen_ec("P-256");
	uint8_t blob[KEYBLOB_MAX], pt[KEYBLOB_MAX], pub[65];
	size_t len = 0, n, off = 10, publen = 0;
	BIGNUM *d;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_OK);
	assert_int_equal(blob[8], KEYBLOB_EC);
	assert_memory_equal(blob + 11, oid_ec, sizeof(oid_ec));
	n = ref_open(pt, blob, len);
	assert_int_equal(((unsigned)pt[8] << 8) | pt[9], 256);
	assert_hex_field(pt, &off, p256_a);
	assert_hex_field(pt, &off, p256_b);
	assert_hex_field(pt, &off, p256_p);
	assert_hex_field(pt, &off, p256_n);
	assert_hex_field(pt, &off, p256_g);
	d = get_bn(k, OSSL_PKEY_PARAM_PRIV_KEY);
	assert_bn_field(pt, &off, d, 32);
	BN_clear_free(d);
	assert_true(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub), &publen));
	assert_int_equal(publen, 65);
	assert_int_equal(((size_t)pt[off] << 8) | pt[off + 1], 65);
	assert_memory_equal(pt + off + 2, pub, 65);
	off += 2 + 65;
	assert_padding(pt, off, n);
	EVP_PKEY_free(k);
}

/* P-521: fields 66 bytes wide, key size 66 * 8 = 528 as CardContact. */
static void
test_layout_ec_p521(void **state)
{
	EVP_PKEY *k = gen_ec("P-521");
	uint8_t blob[KEYBLOB_MAX], pt[KEYBLOB_MAX];
	size_t len = 0, n, off = 10, i;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_OK);
	n = ref_open(pt, blob, len);
	assert_int_equal(((unsigned)pt[8] << 8) | pt[9], 528);
	for (i = 0; i < 7; i++) {
		size_t fl = ((size_t)pt[off] << 8) | pt[off + 1];

		assert_int_equal(fl, (i == 4 || i == 6) ? 133 : 66);
		off += 2 + fl;
	}
	assert_padding(pt, off, n);
	EVP_PKEY_free(k);
}

/* ---- blobs built here, by hand ---- */

/* P-256 with d = 1 (so Q = G), d written dw bytes wide. */
static void
pb_p256(struct pb *p, unsigned keysize, size_t dw, uint8_t dlast,
    const char *q)
{
	uint8_t d[66];

	pb_start(p, keysize);
	pb_hexfield(p, p256_a);
	pb_hexfield(p, p256_b);
	pb_hexfield(p, p256_p);
	pb_hexfield(p, p256_n);
	pb_hexfield(p, p256_g);
	memset(d, 0, dw);
	d[dw - 1] = dlast;
	pb_field(p, d, dw);
	pb_hexfield(p, q);
}

static int
unwrap_pb(int type, const struct pb *p, EVP_PKEY **u)
{
	uint8_t blob[KEYBLOB_MAX];
	size_t len = build_blob(blob, dkek, type, p);
	int r;

	*u = (EVP_PKEY *)1;
	r = keyblob_unwrap(dkek, blob, len, u);
	if (r != CUSTOS_OK)
		assert_null(*u);
	else
		assert_non_null(*u);
	return r;
}

static void
test_hand_ec_p256(void **state)
{
	struct pb p;
	EVP_PKEY *u;
	BIGNUM *d;
	uint8_t pub[65], g[65];
	size_t publen = 0;
	char name[64];

	(void)state;
	/* Fixed width, as we write it. */
	pb_p256(&p, 256, 32, 1, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_OK);
	d = get_bn(u, OSSL_PKEY_PARAM_PRIV_KEY);
	assert_true(BN_is_one(d));
	BN_free(d);
	assert_true(EVP_PKEY_get_octet_string_param(u, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub), &publen));
	assert_int_equal(publen, 65);
	unhex(g, sizeof(g), p256_g);
	assert_memory_equal(pub, g, 65);
	assert_true(EVP_PKEY_get_utf8_string_param(u,
	    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), NULL));
	assert_string_equal(name, "prime256v1");
	EVP_PKEY_free(u);

	/* Minimal width (pico-hsm writes integers so): d = 01. */
	pb_p256(&p, 256, 1, 1, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_OK);
	EVP_PKEY_free(u);

	/* d = 2 but Q = G: CORRUPT. */
	pb_p256(&p, 256, 32, 2, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_CORRUPT);
	/* Q off the curve: CORRUPT. */
	pb_p256(&p, 256, 32, 1, p256_g);
	p.b[p.n - 1] ^= 1;
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_CORRUPT);
	/* d = 0 or d = n: FORMAT. */
	pb_p256(&p, 256, 32, 0, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	/* Key size neither 256 bits nor 32 bytes * 8. */
	pb_p256(&p, 255, 32, 1, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	/* Compressed G: FORMAT (04|x|y only). */
	pb_start(&p, 256);
	pb_hexfield(&p, p256_a);
	pb_hexfield(&p, p256_b);
	pb_hexfield(&p, p256_p);
	pb_hexfield(&p, p256_n);
	pb_hexfield(&p, "03"
	    "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296");
	pb_hexfield(&p, "01");
	pb_hexfield(&p, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	/* A field missing. */
	pb_start(&p, 256);
	pb_hexfield(&p, p256_a);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
}

/* P-256 with B, P, N, G and d written in full, A empty or given. */
static void
pb_p256_a(struct pb *p, const uint8_t *a, size_t alen)
{
	uint8_t d[32];

	pb_start(p, 256);
	pb_field(p, a, alen);
	pb_hexfield(p, p256_b);
	pb_hexfield(p, p256_p);
	pb_hexfield(p, p256_n);
	pb_hexfield(p, p256_g);
	memset(d, 0, sizeof(d));
	d[31] = 1;
	pb_field(p, d, sizeof(d));
	pb_hexfield(p, p256_g);
	pb_pad(p);
}

/*
 * Issue 14: an independent implementation writes the coefficient A of
 * P-256, P-384 and P-521 as an empty field (a = -3 implied). It is taken,
 * and said so; a wrong non-empty A is still refused.
 */
static void
test_hand_ec_empty_a(void **state)
{
	uint8_t blob[KEYBLOB_MAX], a[32] = { 0 };
	struct pb p;
	EVP_PKEY *u = NULL;
	unsigned notes = 0;
	size_t len;

	(void)state;
	pb_p256_a(&p, a, 0);
	len = build_blob(blob, dkek, KEYBLOB_EC, &p);
	assert_int_equal(keyblob_unwrap_notes(dkek, blob, len, &u, &notes),
	    CUSTOS_OK);
	assert_non_null(u);
	assert_int_equal(notes, KEYBLOB_NOTE_A_IMPLIED);
	EVP_PKEY_free(u);
	/* the A written in full: no note */
	unhex(a, sizeof(a), p256_a);
	pb_p256_a(&p, a, sizeof(a));
	len = build_blob(blob, dkek, KEYBLOB_EC, &p);
	notes = 0;
	assert_int_equal(keyblob_unwrap_notes(dkek, blob, len, &u, &notes),
	    CUSTOS_OK);
	assert_int_equal(notes, 0);
	EVP_PKEY_free(u);
	/* a wrong non-empty A (0, written as one byte): refused */
	a[0] = 0;
	pb_p256_a(&p, a, 1);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u),
	    CUSTOS_ERR_UNSUPPORTED);
	/* A off by one: refused */
	unhex(a, sizeof(a), p256_a);
	a[31] ^= 1;
	pb_p256_a(&p, a, sizeof(a));
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u),
	    CUSTOS_ERR_UNSUPPORTED);
}

static void
test_hand_padding(void **state)
{
	struct pb p;
	EVP_PKEY *u;

	(void)state;
	/* d 6 bytes wide: 10 + 4 * 34 + 67 + 8 + 67 = 288 = 18 blocks. */
	pb_p256(&p, 256, 6, 1, p256_g);
	assert_int_equal(p.n, 288);
	/* Unpadded (pico-hsm does this when aligned): refused. */
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	/* A whole block of padding: fine. */
	pb_pad(&p);
	assert_int_equal(p.n, 304);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_OK);
	EVP_PKEY_free(u);
	/* Padding longer than a block. */
	memset(p.b + p.n, 0, 16);
	p.n += 16;
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	/* 81 instead of 80, or a non-zero after the 80. */
	pb_p256(&p, 256, 32, 1, p256_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_OK);
	EVP_PKEY_free(u);
	p.b[314] = 0x81;
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
	p.b[314] = 0x80;
	p.b[p.n - 1] = 0x01;
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_ERR_FORMAT);
}

static void
test_hand_ec_curves(void **state)
{
	struct pb p;
	EVP_PKEY *u;
	char name[64];
	EC_GROUP *grp;
	BIGNUM *cp, *ca, *cb;
	uint8_t g[133];
	size_t gl;

	(void)state;
	/* secp256k1, A = 0 as an empty field (minimal width). */
	pb_start(&p, 256);
	pb_field(&p, NULL, 0);
	pb_hexfield(&p, "07");
	pb_hexfield(&p, k1_p);
	pb_hexfield(&p, k1_n);
	pb_hexfield(&p, k1_g);
	pb_hexfield(&p, "01");
	pb_hexfield(&p, k1_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u), CUSTOS_OK);
	assert_true(EVP_PKEY_get_utf8_string_param(u,
	    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), NULL));
	assert_string_equal(name, "secp256k1");
	EVP_PKEY_free(u);

	/* P-256 parameters with secp256k1's G: no known curve. */
	pb_p256(&p, 256, 32, 1, p256_g);
	p.n = 10 + 4 * 34;
	pb_hexfield(&p, k1_g);
	pb_hexfield(&p, "01");
	pb_hexfield(&p, k1_g);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u),
	    CUSTOS_ERR_UNSUPPORTED);

	/* P-256 with A, B, P or the order changed in its last byte. */
	for (gl = 0; gl < 4; gl++) {
		pb_p256(&p, 256, 32, 1, p256_g);
		p.b[10 + 34 * gl + 33] ^= 0x02;
		pb_pad(&p);
		assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u),
		    CUSTOS_ERR_UNSUPPORTED);
	}

	/* brainpoolP256t1 shares the prime of P256r1 but is not known. */
	grp = EC_GROUP_new_by_curve_name(NID_brainpoolP256t1);
	cp = BN_new();
	ca = BN_new();
	cb = BN_new();
	assert_non_null(grp);
	assert_true(EC_GROUP_get_curve(grp, cp, ca, cb, NULL));
	gl = EC_POINT_point2oct(grp, EC_GROUP_get0_generator(grp),
	    POINT_CONVERSION_UNCOMPRESSED, g, sizeof(g), NULL);
	assert_int_equal(gl, 65);
	pb_start(&p, 256);
	pb_bn(&p, ca, 32);
	pb_bn(&p, cb, 32);
	pb_bn(&p, cp, 32);
	pb_bn(&p, EC_GROUP_get0_order(grp), 32);
	pb_field(&p, g, gl);
	pb_hexfield(&p, "01");
	pb_field(&p, g, gl);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_EC, &p, &u),
	    CUSTOS_ERR_UNSUPPORTED);
	BN_free(cp);
	BN_free(ca);
	BN_free(cb);
	EC_GROUP_free(grp);
}

/* RSA CRT from k's parts; bump adds 1 to part number bump (or none). */
static void
pb_rsa_crt(struct pb *p, EVP_PKEY *k, int bump)
{
	static const char *const names[7] = {
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_N,
		OSSL_PKEY_PARAM_RSA_E,
	};
	int i;

	pb_start(p, 2048);
	for (i = 0; i < 7; i++) {
		BIGNUM *bn = get_bn(k, names[i]);

		if (i == bump)
			assert_true(BN_add_word(bn, 2));
		/* minimal widths, as pico-hsm writes them */
		pb_bn(p, bn, (size_t)BN_num_bytes(bn));
		BN_clear_free(bn);
	}
	pb_pad(p);
}

static void
test_hand_rsa(void **state)
{
	EVP_PKEY *k = gen_rsa(2048), *u;
	struct pb p;
	BIGNUM *d, *n, *e;
	int i;

	(void)state;
	pb_rsa_crt(&p, k, -1);
	assert_int_equal(unwrap_pb(KEYBLOB_RSA_CRT, &p, &u), CUSTOS_OK);
	assert_int_equal(EVP_PKEY_eq(k, u), 1);
	sign_verify(u, k);
	EVP_PKEY_free(u);
	/* Any part off by 2 (dp, dq, p, qi, q, n, e): CORRUPT. */
	for (i = 0; i < 7; i++) {
		pb_rsa_crt(&p, k, i);
		assert_int_equal(unwrap_pb(KEYBLOB_RSA_CRT, &p, &u),
		    CUSTOS_ERR_CORRUPT);
	}
	/* A CRT blob read as type 5 has the wrong fields. */
	pb_rsa_crt(&p, k, -1);
	assert_int_equal(unwrap_pb(KEYBLOB_RSA, &p, &u), CUSTOS_ERR_FORMAT);

	/* Type 5 (d, n, e), also at 2048 bits. */
	d = get_bn(k, OSSL_PKEY_PARAM_RSA_D);
	n = get_bn(k, OSSL_PKEY_PARAM_RSA_N);
	e = get_bn(k, OSSL_PKEY_PARAM_RSA_E);
	pb_start(&p, 2048);
	pb_bn(&p, d, 256);
	pb_bn(&p, n, 256);
	pb_bn(&p, e, 3);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_RSA, &p, &u), CUSTOS_OK);
	assert_int_equal(EVP_PKEY_eq(k, u), 1);
	sign_verify(u, k);
	EVP_PKEY_free(u);
	/* Key size 1024 for a 2048-bit modulus. */
	p.b[8] = 1024 >> 8;
	assert_int_equal(unwrap_pb(KEYBLOB_RSA, &p, &u), CUSTOS_ERR_FORMAT);
	/* Wrong d. */
	assert_true(BN_add_word(d, 2));
	pb_start(&p, 2048);
	pb_bn(&p, d, 256);
	pb_bn(&p, n, 256);
	pb_bn(&p, e, 3);
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_RSA, &p, &u), CUSTOS_ERR_CORRUPT);
	BN_clear_free(d);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(k);
}

static void
test_hand_aes_unsupported(void **state)
{
	struct pb p;
	EVP_PKEY *u;
	uint8_t key[32];

	(void)state;
	memset(key, 0x42, sizeof(key));
	pb_start(&p, 32);
	memcpy(p.b + p.n, key, 32);
	p.n += 32;
	pb_pad(&p);
	assert_int_equal(unwrap_pb(KEYBLOB_AES, &p, &u),
	    CUSTOS_ERR_UNSUPPORTED);
}

/* ---- wrong DKEK, tampering, truncation ---- */

static void
test_wrong_dkek(void **state)
{
	EVP_PKEY *k = gen_ec("P-256"), *u = NULL;
	uint8_t blob[KEYBLOB_MAX], other[32];
	size_t len = 0;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_OK);
	memcpy(other, dkek, 32);
	other[31] ^= 0x01;
	assert_int_equal(keyblob_unwrap(other, blob, len, &u),
	    CUSTOS_ERR_DKEK_MISMATCH);
	assert_null(u);
	memset(other, 0, 32);
	assert_int_equal(keyblob_unwrap(other, blob, len, &u),
	    CUSTOS_ERR_DKEK_MISMATCH);
	assert_null(u);
	EVP_PKEY_free(k);
}

static void
tamper_all(EVP_PKEY *k)
{
	static const uint8_t allowed[] = { 0x21, 0x70 };
	uint8_t blob[KEYBLOB_MAX];
	EVP_PKEY *u;
	size_t len = 0, i;
	int r;

	assert_int_equal(keyblob_wrap(dkek, k, allowed, sizeof(allowed),
	    blob, sizeof(blob), &len), CUSTOS_OK);
	for (i = 0; i < len; i++) {
		blob[i] ^= 0x01;
		u = NULL;
		r = keyblob_unwrap(dkek, blob, len, &u);
		assert_null(u);
		if (i < 8)
			assert_int_equal(r, CUSTOS_ERR_DKEK_MISMATCH);
		else if (i == 8 || i == 9 || i == 10 || i == 21 || i == 22 ||
		    (i >= 25 && i <= 28))
			/* type or a length: the header no longer parses */
			assert_true(r < 0);
		else	/* OID, allowed list, ciphertext, MAC */
			assert_int_equal(r, CUSTOS_ERR_CORRUPT);
		blob[i] ^= 0x01;
	}
	/* Another valid type, KCV intact: CORRUPT. */
	blob[8] = blob[8] == KEYBLOB_EC ? KEYBLOB_RSA_CRT : KEYBLOB_EC;
	assert_int_equal(keyblob_unwrap(dkek, blob, len, &u),
	    CUSTOS_ERR_CORRUPT);
	blob[8] = blob[8] == KEYBLOB_EC ? KEYBLOB_RSA_CRT : KEYBLOB_EC;
	/* A block swapped in from elsewhere, MAC kept. */
	memcpy(blob + 27 + 2, blob + 27 + 2 + 16, 16);
	assert_int_equal(keyblob_unwrap(dkek, blob, len, &u),
	    CUSTOS_ERR_CORRUPT);
}

static void
test_tamper(void **state)
{
	EVP_PKEY *k;

	(void)state;
	k = gen_ec("P-256");
	tamper_all(k);
	EVP_PKEY_free(k);
	k = gen_rsa(2048);
	tamper_all(k);
	EVP_PKEY_free(k);
}

static void
test_truncated_and_extended(void **state)
{
	EVP_PKEY *k = gen_ec("brainpoolP256r1"), *u;
	struct keyblob_info info;
	uint8_t blob[KEYBLOB_MAX], *cut;
	size_t len = 0, l;
	int r;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_OK);
	for (l = 0; l < len; l++) {
		/* An exact-size copy, so that ASan sees any over-read. */
		cut = malloc(l == 0 ? 1 : l);
		assert_non_null(cut);
		memcpy(cut, blob, l);
		u = NULL;
		r = keyblob_unwrap(dkek, cut, l, &u);
		assert_true(r < 0);
		assert_null(u);
		r = keyblob_parse(cut, l, &info);
		assert_true(r <= 0);
		free(cut);
	}
	/* Trailing bytes: the MAC is taken from the wrong place. */
	memset(blob + len, 0, 16);
	assert_int_equal(keyblob_unwrap(dkek, blob, len + 16, &u),
	    CUSTOS_ERR_CORRUPT);
	assert_int_equal(keyblob_unwrap(dkek, blob, len + 1, &u),
	    CUSTOS_ERR_FORMAT);
	EVP_PKEY_free(k);
}

/* ---- wrap's refusals ---- */

static EVP_PKEY *
public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int n = i2d_PUBKEY(k, &der);

	assert_true(n > 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, n);
	assert_non_null(pub);
	OPENSSL_free(der);
	return pub;
}

static void
test_wrap_errors(void **state)
{
	EVP_PKEY *k = gen_ec("P-256"), *ed, *pub, *rsa, *rpub;
	uint8_t blob[KEYBLOB_MAX];
	size_t len = 0, need = 0;

	(void)state;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &need), CUSTOS_OK);
	len = 99;
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, need - 1,
	    &len), CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(len, 0);
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, need, &len),
	    CUSTOS_OK);
	assert_int_equal(len, need);
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 1, blob, sizeof(blob),
	    &len), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(keyblob_wrap(dkek, NULL, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(keyblob_wrap(NULL, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_INVALID_ARG);
	/* An allowed-algorithms list too long for the blob. */
	assert_int_equal(keyblob_wrap(dkek, k, blob, KEYBLOB_MAX, blob,
	    sizeof(blob), &len), CUSTOS_ERR_TOO_LARGE);

	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	assert_int_equal(keyblob_wrap(dkek, ed, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_UNSUPPORTED);
	pub = public_only(k);
	assert_int_equal(keyblob_wrap(dkek, pub, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_INVALID_ARG);
	rsa = gen_rsa(2048);
	rpub = public_only(rsa);
	assert_int_equal(keyblob_wrap(dkek, rpub, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_INVALID_ARG);
	/* P-224 is not a SmartCard-HSM curve here. */
	EVP_PKEY_free(k);
	k = gen_ec("P-224");
	assert_int_equal(keyblob_wrap(dkek, k, NULL, 0, blob, sizeof(blob),
	    &len), CUSTOS_ERR_UNSUPPORTED);
	ERR_clear_error();
	EVP_PKEY_free(k);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rpub);
}

static void
test_unwrap_args(void **state)
{
	uint8_t blob[64];
	EVP_PKEY *u = (EVP_PKEY *)1;

	(void)state;
	memset(blob, 0, sizeof(blob));
	assert_int_equal(keyblob_unwrap(dkek, blob, sizeof(blob), NULL),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(keyblob_unwrap(NULL, blob, sizeof(blob), &u),
	    CUSTOS_ERR_INVALID_ARG);
	assert_null(u);
	assert_int_equal(keyblob_unwrap(dkek, NULL, 10, &u),
	    CUSTOS_ERR_INVALID_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_rsa2048_crt),
		cmocka_unit_test(test_roundtrip_rsa3072_plain),
		cmocka_unit_test(test_roundtrip_ec),
		cmocka_unit_test(test_random_prefix),
		cmocka_unit_test(test_parse_wrapped),
		cmocka_unit_test(test_parse_by_hand),
		cmocka_unit_test(test_layout_rsa_crt),
		cmocka_unit_test(test_layout_ec_p256),
		cmocka_unit_test(test_layout_ec_p521),
		cmocka_unit_test(test_hand_ec_p256),
		cmocka_unit_test(test_hand_ec_empty_a),
		cmocka_unit_test(test_hand_padding),
		cmocka_unit_test(test_hand_ec_curves),
		cmocka_unit_test(test_hand_rsa),
		cmocka_unit_test(test_hand_aes_unsupported),
		cmocka_unit_test(test_wrong_dkek),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncated_and_extended),
		cmocka_unit_test(test_wrap_errors),
		cmocka_unit_test(test_unwrap_args),
	};

	if (sodium_init() < 0)
		return 1;
	randombytes_buf(dkek, sizeof(dkek));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
