/*
 * keyblob.c - SmartCard-HSM key blobs, made and opened off-card.
 *
 * Layout from the project's SmartCard-HSM reference (smartcard-hsm.md,
 * "Key blob (what WRAP KEY returns)"), re-checked against CardContact's
 * scsh-scripts (DKEK.js: encodeKey, dumpKeyBLOB) and pico-hsm
 * (src/hsm/kek.c: dkek_encode_key, dkek_decode_key). Both agree with the
 * reference on: Kenc/Kmac derivation, AES-256-CBC with IV 0, the
 * CMAC over every byte before it (KCV to the last ciphertext byte), the
 * header field order, RSA-CRT order dp1, dq1, p, pq (q^-1 mod p), q, n, e
 * and EC order A, B, P, N, G, d, Q. Where they say more than the reference:
 *
 * - Access conditions and key OID: both write each as an *empty* field,
 *   i.e. the "00 00" of the reference is the length, with no value. So do
 *   we; parsing takes any value.
 * - Key size: both write the byte length << 3 (RSA: of n; EC: of the prime
 *   p), so P-521 says 528, not 521. We write the same; unwrap takes either.
 * - RSA type: CardContact turns CRT keys over 2048 bits into d, n, e
 *   (type 5) before wrapping; we do too. pico-hsm always writes type 5.
 * - Integer widths: pico-hsm writes minimal-length integers (A = 0 of
 *   secp256k1 is an empty field, d may be short). We write fixed widths
 *   (field size; d and N: order size; CRT parts: size of the larger prime;
 *   d of type 5: modulus size; e minimal) and compare values when reading,
 *   so both are accepted.
 * - Padding: CardContact always pads (ISO 9797-1 method 2, 80 00.., to 16
 *   bytes), as the reference says. pico-hsm pads only when the plaintext is
 *   not already a multiple of 16, and ignores padding when decoding; such a
 *   blob gets CUSTOS_ERR_FORMAT here, since padding is checked strictly.
 * - AES (not handled here): key size in bytes, then the key with no length
 *   prefix; default algorithm 2.16.840.1.101.3.4.1.
 * - pico-hsm's decoder refuses a default-algorithm OID that does not fit
 *   the key type; we take any (the CMAC already vouches for the header).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "../common/secmem.h"
#include "keyblob.h"
#include "keyblob_int.h"
#include "rsa_factor.h"

/* id-TA-RSA-v1-5-SHA-256 and id-TA-ECDSA-SHA-256 (BSI TR-03110). */
static const uint8_t oid_rsa[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x01, 0x02
};
static const uint8_t oid_ec[] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03
};

/* The curves a SmartCard-HSM knows, by OpenSSL NID. */
const int kb_ec_curves[8] = {
	NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1,
	NID_brainpoolP256r1, NID_brainpoolP320r1, NID_brainpoolP384r1,
	NID_brainpoolP512r1, NID_secp256k1,
};

static char cmac_cipher[] = "AES-256-CBC";

/* A fixed-size output buffer; errors are sticky. */
struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static uint8_t *
wb_reserve(struct wbuf *b, size_t n)
{
	uint8_t *p;

	if (b->err != 0)
		return NULL;
	if (n > b->cap - b->len) {
		b->err = CUSTOS_ERR_TOO_LARGE;
		return NULL;
	}
	p = b->p + b->len;
	b->len += n;
	return p;
}

static void
wb_put(struct wbuf *b, const void *v, size_t n)
{
	uint8_t *p;

	if (n > 0 && (p = wb_reserve(b, n)) != NULL)
		memcpy(p, v, n);
}

static void
wb_u16(struct wbuf *b, size_t v)
{
	uint8_t *p;

	if (v > 0xffff) {
		if (b->err == 0)
			b->err = CUSTOS_ERR_TOO_LARGE;
		return;
	}
	if ((p = wb_reserve(b, 2)) != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static void
wb_field(struct wbuf *b, const void *v, size_t n)
{
	wb_u16(b, n);
	wb_put(b, v, n);
}

/* A length-prefixed big-endian integer, left-padded to width bytes. */
static void
wb_bn(struct wbuf *b, const BIGNUM *bn, size_t width)
{
	uint8_t *p;

	wb_u16(b, width);
	if ((p = wb_reserve(b, width)) != NULL &&
	    BN_bn2binpad(bn, p, (int)width) != (int)width)
		b->err = CUSTOS_ERR_CRYPTO;
}

/* A length-prefixed uncompressed point 04|x|y. */
static void
wb_point(struct wbuf *b, const EC_GROUP *grp, const EC_POINT *pt,
    BN_CTX *ctx)
{
	uint8_t buf[EC_POINT_MAX];
	size_t n;

	n = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, buf,
	    sizeof(buf), ctx);
	if (n == 0) {
		if (b->err == 0)
			b->err = CUSTOS_ERR_CRYPTO;
		return;
	}
	wb_field(b, buf, n);
}

size_t
kb_be16(const uint8_t *p)
{
	return ((size_t)p[0] << 8) | p[1];
}

/* Reads one length-prefixed field at *off of p[0..len). */
int
kb_rd_field(const uint8_t *p, size_t len, size_t *off, const uint8_t **v,
    size_t *n)
{
	if (len - *off < 2)
		return CUSTOS_ERR_TRUNCATED;
	*n = kb_be16(p + *off);
	*off += 2;
	if (len - *off < *n)
		return CUSTOS_ERR_TRUNCATED;
	*v = p + *off;
	*off += *n;
	return CUSTOS_OK;
}

/* key = SHA-256(dkek | 00 00 00 counter). */
int
kb_derive(uint8_t key[32], const uint8_t dkek[32], uint8_t counter)
{
	const uint8_t c[4] = { 0, 0, 0, counter };
	EVP_MD_CTX *ctx = NULL;
	unsigned int n = 0;
	int r = CUSTOS_ERR_CRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, dkek, KEYBLOB_DKEK_LEN) ||
	    !EVP_DigestUpdate(ctx, c, sizeof(c)) ||
	    !EVP_DigestFinal_ex(ctx, key, &n) || n != 32)
		goto out;
	r = CUSTOS_OK;
 out:
	EVP_MD_CTX_free(ctx);	/* cleanses the digest state */
	if (r != CUSTOS_OK)
		secmem_wipe(key, 32);
	return r;
}

/* AES-256-CMAC of data[0..len) under kmac. */
int
kb_cmac(uint8_t mac[KEYBLOB_MAC_LEN], const uint8_t kmac[32],
    const uint8_t *data, size_t len)
{
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t n = 0;
	int r = CUSTOS_ERR_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cmac_cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(m)) == NULL ||
	    !EVP_MAC_init(ctx, kmac, 32, params) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, mac, &n, KEYBLOB_MAC_LEN) ||
	    n != KEYBLOB_MAC_LEN)
		goto out;
	r = CUSTOS_OK;
 out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return r;
}

/* AES-256-CBC, IV 0, no padding, len a multiple of 16 (<= KEYBLOB_MAX). */
int
kb_cbc(uint8_t *out, const uint8_t kenc[32], const uint8_t *in, size_t len,
    int enc)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *ctx = NULL;
	int n1 = 0, n2 = 0, r = CUSTOS_ERR_CRYPTO;

	if (len % 16 != 0 || len > KEYBLOB_MAX)
		return CUSTOS_ERR_INTERNAL;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_CipherInit_ex2(ctx, EVP_aes_256_cbc(), kenc, iv, enc,
	    NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, out, &n1, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + n1, &n2) ||
	    (size_t)n1 + (size_t)n2 != len)
		goto out;
	r = CUSTOS_OK;
 out:
	EVP_CIPHER_CTX_free(ctx);	/* cleanses the key schedule */
	return r;
}

int
keyblob_kcv(uint8_t kcv[KEYBLOB_KCV_LEN], const uint8_t dkek[KEYBLOB_DKEK_LEN])
{
	uint8_t h[32];
	unsigned int n = 0;
	int r = CUSTOS_ERR_CRYPTO;

	if (!EVP_Digest(dkek, KEYBLOB_DKEK_LEN, h, &n, EVP_sha256(), NULL) ||
	    n != sizeof(h))
		goto out;
	memcpy(kcv, h, KEYBLOB_KCV_LEN);
	r = CUSTOS_OK;
 out:
	secmem_wipe(h, sizeof(h));
	return r;
}

int
keyblob_parse(const uint8_t *blob, size_t len, struct keyblob_info *info)
{
	size_t off = KEYBLOB_KCV_LEN + 1, rest;
	int r;

	if (info == NULL || (blob == NULL && len > 0))
		return CUSTOS_ERR_INVALID_ARG;
	memset(info, 0, sizeof(*info));
	if (len > KEYBLOB_MAX) {
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	if (len < off) {
		r = CUSTOS_ERR_TRUNCATED;
		goto out;
	}
	memcpy(info->kcv, blob, KEYBLOB_KCV_LEN);
	info->type = blob[KEYBLOB_KCV_LEN];
	if (info->type != KEYBLOB_RSA && info->type != KEYBLOB_RSA_CRT &&
	    info->type != KEYBLOB_EC && info->type != KEYBLOB_AES) {
		r = CUSTOS_ERR_FORMAT;
		goto out;
	}
	if ((r = kb_rd_field(blob, len, &off, &info->default_alg,
	    &info->default_alg_len)) != CUSTOS_OK ||
	    (r = kb_rd_field(blob, len, &off, &info->allowed_algs,
	    &info->allowed_algs_len)) != CUSTOS_OK ||
	    (r = kb_rd_field(blob, len, &off, &info->access,
	    &info->access_len)) != CUSTOS_OK ||
	    (r = kb_rd_field(blob, len, &off, &info->key_oid,
	    &info->key_oid_len)) != CUSTOS_OK)
		goto out;
	/* At least one cipher block, then the MAC. */
	rest = len - off;
	if (rest < 16 + KEYBLOB_MAC_LEN) {
		r = CUSTOS_ERR_TRUNCATED;
		goto out;
	}
	if ((rest - KEYBLOB_MAC_LEN) % 16 != 0) {
		r = CUSTOS_ERR_FORMAT;
		goto out;
	}
	info->enc = blob + off;
	info->enc_len = rest - KEYBLOB_MAC_LEN;
	r = CUSTOS_OK;
 out:
	if (r != CUSTOS_OK)
		memset(info, 0, sizeof(*info));
	return r;
}

/* Appends key size and the RSA fields of pkey to pt; sets *type. */
static int
encode_rsa(struct wbuf *pt, EVP_PKEY *pkey, int *type)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
	BIGNUM *dp = NULL, *dq = NULL, *qi = NULL, *f3 = NULL;
	size_t nb, hb;
	int crt, r = CUSTOS_ERR_NOMEM;

	if ((n = BN_new()) == NULL || (e = BN_new()) == NULL ||
	    (d = BN_secure_new()) == NULL || (p = BN_secure_new()) == NULL ||
	    (q = BN_secure_new()) == NULL || (dp = BN_secure_new()) == NULL ||
	    (dq = BN_secure_new()) == NULL || (qi = BN_secure_new()) == NULL ||
	    (f3 = BN_secure_new()) == NULL)
		goto out;
	r = CUSTOS_ERR_INVALID_ARG;	/* not an RSA private key */
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d))
		goto out;
	r = CUSTOS_ERR_UNSUPPORTED;	/* multi-prime */
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR3, &f3))
		goto out;
	crt = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, &dp) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, &dq) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &qi);
	ERR_clear_error();	/* the probes above may fail by design */
	nb = (size_t)BN_num_bytes(n);
	wb_u16(pt, nb * 8);
	if (crt && BN_num_bits(n) <= RSA_CRT_MAX_BITS) {
		*type = KEYBLOB_RSA_CRT;
		hb = (size_t)(BN_num_bytes(p) > BN_num_bytes(q) ?
		    BN_num_bytes(p) : BN_num_bytes(q));
		wb_bn(pt, dp, hb);
		wb_bn(pt, dq, hb);
		wb_bn(pt, p, hb);
		wb_bn(pt, qi, hb);
		wb_bn(pt, q, hb);
	} else {
		*type = KEYBLOB_RSA;
		wb_bn(pt, d, nb);
	}
	wb_bn(pt, n, nb);
	wb_bn(pt, e, (size_t)BN_num_bytes(e));
	r = pt->err;
 out:
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(qi);
	BN_clear_free(f3);
	return r;
}

static int
known_curve(int nid)
{
	size_t i;

	for (i = 0; i < sizeof(kb_ec_curves) / sizeof(kb_ec_curves[0]); i++)
		if (kb_ec_curves[i] == nid)
			return 1;
	return 0;
}

/* Appends key size and the EC fields of pkey to pt. */
static int
encode_ec(struct wbuf *pt, EVP_PKEY *pkey)
{
	char name[64];
	size_t namelen = 0, fb, ob;
	EC_GROUP *grp = NULL;
	EC_POINT *qp = NULL;
	BN_CTX *ctx = NULL;
	BIGNUM *p = NULL, *a = NULL, *b = NULL, *d = NULL;
	const BIGNUM *order;
	int nid, r = CUSTOS_ERR_UNSUPPORTED;

	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), &namelen))
		goto out;	/* explicit parameters */
	if ((nid = OBJ_sn2nid(name)) == NID_undef)
		nid = EC_curve_nist2nid(name);
	if (!known_curve(nid))
		goto out;
	r = CUSTOS_ERR_NOMEM;
	if ((ctx = BN_CTX_secure_new()) == NULL || (p = BN_new()) == NULL ||
	    (a = BN_new()) == NULL || (b = BN_new()) == NULL ||
	    (d = BN_secure_new()) == NULL)
		goto out;
	r = CUSTOS_ERR_INVALID_ARG;	/* no private key */
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d))
		goto out;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	r = CUSTOS_ERR_CRYPTO;
	if ((grp = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    !EC_GROUP_get_curve(grp, p, a, b, ctx) ||
	    (order = EC_GROUP_get0_order(grp)) == NULL ||
	    (qp = EC_POINT_new(grp)) == NULL ||
	    !EC_POINT_mul(grp, qp, d, NULL, NULL, ctx))
		goto out;
	fb = (size_t)BN_num_bytes(p);
	ob = (size_t)BN_num_bytes(order);
	wb_u16(pt, fb * 8);
	wb_bn(pt, a, fb);
	wb_bn(pt, b, fb);
	wb_bn(pt, p, fb);
	wb_bn(pt, order, ob);
	wb_point(pt, grp, EC_GROUP_get0_generator(grp), ctx);
	wb_bn(pt, d, ob);
	wb_point(pt, grp, qp, ctx);	/* d*G, never a stale Q */
	r = pt->err;
 out:
	EC_POINT_free(qp);
	EC_GROUP_free(grp);
	BN_free(p);
	BN_free(a);
	BN_free(b);
	BN_clear_free(d);
	BN_CTX_free(ctx);
	return r;
}

int
keyblob_wrap(const uint8_t dkek[32], EVP_PKEY *pkey, const uint8_t *allowed,
    size_t allowed_len, uint8_t *out, size_t cap, size_t *outlen)
{
	struct secrets *s = NULL;
	struct wbuf pt, hd;
	const uint8_t *oid;
	size_t oidlen, hdrlen, total = 0;
	uint8_t tb;
	int type = 0, r;

	if (outlen != NULL)
		*outlen = 0;
	if (dkek == NULL || pkey == NULL || out == NULL || outlen == NULL ||
	    (allowed == NULL && allowed_len > 0) || allowed_len > 0xffff)
		return CUSTOS_ERR_INVALID_ARG;
	if ((s = secmem_alloc(sizeof(*s))) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}

	/* Plaintext: random[8] | key size | fields | 80 00.. to 16. */
	pt.p = s->plain;
	pt.len = 0;
	pt.cap = sizeof(s->plain);
	pt.err = 0;
	secmem_random(wb_reserve(&pt, 8), 8);
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		r = encode_rsa(&pt, pkey, &type);
		oid = oid_rsa;
		oidlen = sizeof(oid_rsa);
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		r = encode_ec(&pt, pkey);
		type = KEYBLOB_EC;
		oid = oid_ec;
		oidlen = sizeof(oid_ec);
	} else
		r = CUSTOS_ERR_UNSUPPORTED;
	if (r != CUSTOS_OK)
		goto out;
	wb_put(&pt, "\x80", 1);
	while (pt.err == 0 && pt.len % 16 != 0)
		wb_put(&pt, "", 1);
	if ((r = pt.err) != CUSTOS_OK)
		goto out;

	hdrlen = KEYBLOB_KCV_LEN + 1 + 2 + oidlen + 2 + allowed_len + 2 + 2;
	total = hdrlen + pt.len + KEYBLOB_MAC_LEN;
	if (total > KEYBLOB_MAX || total > cap) {
		total = 0;
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	if ((r = keyblob_kcv(out, dkek)) != CUSTOS_OK)
		goto out;
	hd.p = out;
	hd.len = KEYBLOB_KCV_LEN;
	hd.cap = cap;
	hd.err = 0;
	tb = (uint8_t)type;
	wb_put(&hd, &tb, 1);
	wb_field(&hd, oid, oidlen);
	wb_field(&hd, allowed, allowed_len);
	wb_field(&hd, NULL, 0);		/* access conditions */
	wb_field(&hd, NULL, 0);		/* key OID */
	if (hd.err != 0 || hd.len != hdrlen) {
		r = CUSTOS_ERR_INTERNAL;
		goto out;
	}
	if ((r = kb_derive(s->kenc, dkek, 1)) != CUSTOS_OK ||
	    (r = kb_cbc(out + hdrlen, s->kenc, s->plain, pt.len, 1)) !=
	    CUSTOS_OK ||
	    (r = kb_derive(s->kmac, dkek, 2)) != CUSTOS_OK ||
	    (r = kb_cmac(out + hdrlen + pt.len, s->kmac, out, hdrlen + pt.len)) !=
	    CUSTOS_OK)
		goto out;
	*outlen = total;
	r = CUSTOS_OK;
 out:
	secmem_free(s);		/* wipes Kenc, Kmac and the plaintext */
	if (r != CUSTOS_OK && total > 0)
		secmem_wipe(out, total);
	return r;
}

