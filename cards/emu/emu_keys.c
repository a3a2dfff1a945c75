/*
 * emu_keys.c - the emulated card's keys: the device key and its
 * certificate chain, key pair generation (answering with an authenticated
 * CV request, as the card does), signing, deciphering, and wrap/unwrap
 * under the DKEK in the SmartCard-HSM key blob format.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "../../common/secmem.h"
#include "../apdu.h"
#include "../cvc.h"
#include "../cvc_roots.h"
#include "../keyblob.h"
#include "../tlv.h"
#include "emu_int.h"

/* References that mark everything this emulator issues as emulated. */
#define EMU_ROOT_CHR	CVC_EMU_ROOT_CHR
#define EMU_DICA_CHR	CVC_EMU_DICA_CHR

static EVP_PKEY *
gen_ec(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

/* Builds one CV certificate: body (CPI, CAR, public key, CHR), signed. */
static int
make_cert(struct tlv_buf *out, EVP_PKEY *signer, const char *car,
    EVP_PKEY *holder, const char *chr, int with_domain)
{
	struct tlv_buf body;
	size_t m;
	int r;

	tlv_init(&body);
	m = tlv_begin(&body, 0x7F4E);
	tlv_put_u8(&body, 0x5F29, 0x00);
	tlv_put(&body, 0x42, car, strlen(car));
	cvc_put_pubkey(&body, holder, cvc_oid_ecdsa_sha256,
	    sizeof(cvc_oid_ecdsa_sha256), with_domain);
	tlv_put(&body, 0x5F20, chr, strlen(chr));
	tlv_end(&body, m);
	if ((r = tlv_error(&body)) != 0)
		goto out;
	m = tlv_begin(out, 0x7F21);
	tlv_raw(out, body.p, body.len);
	if ((r = cvc_sign(out, signer, body.p, body.len)) != 0)
		goto out;
	tlv_end(out, m);
	r = tlv_error(out);
 out:
	tlv_free(&body);
	return r;
}

int
emu_make_device(struct emu *e)
{
	EVP_PKEY *root = NULL, *dica = NULL;
	struct tlv_buf chain;
	uint8_t rnd[3];
	int r = CUSTOS_ERR_CRYPTO;

	tlv_init(&chain);
	secmem_random(rnd, sizeof(rnd));
	/* CHR: country "ZZ" (user-assigned: not a real issuer), "EMU",
	 * six hex digits, sequence number. */
	snprintf(e->serial, sizeof(e->serial), EMU_SERIAL_PREFIX
	    "%02X%02X%02X00001",
	    rnd[0], rnd[1], rnd[2]);
	/* Every emulated device has the same (emulated) issuer and root,
	 * as real devices share CardContact's: one emulated device can
	 * then check another's chain (public key authentication). */
	if (cvc_emu_ca_key(0, &root) != 0 || cvc_emu_ca_key(1, &dica) != 0 ||
	    (e->devkey = gen_ec("prime256v1")) == NULL)
		goto out;
	/* EF.C_DevAut: the device certificate, then the issuer's. */
	if ((r = make_cert(&chain, dica, EMU_DICA_CHR, e->devkey, e->serial,
	    0)) != 0 || (r = make_cert(&chain, root, EMU_ROOT_CHR, dica,
	    EMU_DICA_CHR, 1)) != 0)
		goto out;
	r = emu_file_put(e, 0x2F02, chain.p, chain.len);
 out:
	EVP_PKEY_free(root);
	EVP_PKEY_free(dica);
	tlv_free(&chain);
	return r;
}

/* Signs body with key for a request's inner signature. */
static int
self_sign(struct tlv_buf *b, EVP_PKEY *key, const uint8_t *body, size_t len)
{
	EVP_MD_CTX *md;
	uint8_t sig[600];
	size_t sl = sizeof(sig);
	int r = CUSTOS_ERR_CRYPTO;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
		return cvc_sign(b, key, body, len);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return CUSTOS_ERR_NOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, sig, &sl, body, len) == 1) {
		tlv_put(b, 0x5F37, sig, sl);
		r = 0;
	}
	EVP_MD_CTX_free(md);
	return r;
}

uint16_t
emu_keygen(struct emu *e, uint8_t ref, const uint8_t *d, size_t n,
    struct emu_rsp *rsp)
{
	const uint8_t *pub = NULL, *v, *car = NULL, *chr = NULL, *algs = NULL;
	size_t publ = 0, vl, carl = 0, chrl = 0, algsl = 0, left = n;
	struct cvc_pubfields pf;
	const uint8_t *p = d, *oid, *const *f = pf.f;
	const size_t *fl = pf.fl;
	struct tlv_buf req, body;
	EVP_PKEY *key = NULL;
	const char *curve;
	uint32_t tag;
	uint16_t sw = SW_WRONG_DATA;
	unsigned bits = 2048, domain = 0;
	size_t m, m2;

	tlv_init(&req);
	tlv_init(&body);
	if (ref == 0)
		return SW_WRONG_P1P2;
	if (e->keys[ref].pkey != NULL)
		return SW_FILE_EXISTS;
	while (left > 0) {
		if (tlv_next(&p, &left, &tag, &v, &vl) != 0)
			goto out;
		if (tag == 0x7F49) {
			pub = v;
			publ = vl;
		} else if (tag == 0x42) {
			car = v;
			carl = vl;
		} else if (tag == 0x5F20) {
			chr = v;
			chrl = vl;
		} else if (tag == 0x91) {
			algs = v;
			algsl = vl;
		} else if (tag == 0x92) {	/* its key domain */
			if (vl != 1)
				goto out;
			domain = v[0];
		}
	}
	if (pub == NULL || algsl > sizeof(e->keys[ref].algs))
		goto out;
	/* a key domain that does not exist: refused (without key domain
	   slots only domain 0, the DKEK's, with or without a DKEK) */
	if (domain != 0 && !emu_kd_exists(e, domain)) {
		sw = SW_REF_NOT_FOUND;
		goto out;
	}
	if (cvc_pubkey_fields(pub, publ, &pf) != 0)
		goto out;
	oid = pf.oid;
	if (pf.bits_given)
		bits = pf.bits;
	if (oid == NULL || pf.oid_len != 10 ||
	    memcmp(oid, cvc_oid_rsa_v15_sha256, 8) != 0)
		goto out;
	if (oid[8] == 0x01) {
		if (bits < 1024 || bits > 4096 || bits % 256 != 0) {
			sw = SW_WRONG_DATA;
			goto out;
		}
		/* Exponent 82 is 65537 in every client; others refused. */
		if (f[2] != NULL && !(fl[2] >= 3 &&
		    tlv_uint(f[2], fl[2]) == 65537))
			goto out;
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (oid[8] == 0x02) {
		if (f[1] == NULL || (curve = cvc_curve_match(f[1], fl[1], f[2],
		    fl[2], f[3], fl[3], f[4], fl[4], f[5], fl[5])) == NULL)
			goto out;
		key = gen_ec(curve);
	} else
		goto out;
	if (key == NULL) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	/* The request: body with the new public key, signed by it, then
	 * authenticated by the device key. */
	m = tlv_begin(&body, 0x7F4E);
	tlv_put_u8(&body, 0x5F29, 0x00);
	if (car != NULL)
		tlv_put(&body, 0x42, car, carl);
	cvc_put_pubkey(&body, key, oid, pf.oid_len, oid[8] == 0x02);
	if (chr != NULL)
		tlv_put(&body, 0x5F20, chr, chrl);
	else
		tlv_put(&body, 0x5F20, e->serial, strlen(e->serial));
	tlv_end(&body, m);
	m = tlv_begin(&req, 0x67);
	m2 = tlv_begin(&req, 0x7F21);
	tlv_raw(&req, body.p, body.len);
	if (tlv_error(&body) != 0 ||
	    self_sign(&req, key, body.p, body.len) != 0) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	tlv_end(&req, m2);
	tlv_put(&req, 0x42, e->serial, strlen(e->serial));
	if (tlv_error(&req) != 0 ||
	    cvc_sign(&req, e->devkey, req.p + m, req.len - m) != 0) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	tlv_end(&req, m);
	if (tlv_error(&req) != 0 || emu_rsp_add(rsp, req.p, req.len) != 0) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	emu_key_clear(&e->keys[ref]);
	e->keys[ref].pkey = key;
	key = NULL;
	e->keys[ref].exportable = emu_kd_ready(e, domain);
	e->keys[ref].domain = (uint8_t)domain;
	if (algsl)
		memcpy(e->keys[ref].algs, algs, algsl);
	e->keys[ref].nalgs = algsl;
	sw = SW_OK;
 out:
	EVP_PKEY_free(key);
	tlv_free(&req);
	tlv_free(&body);
	return sw;
}

static int
alg_allowed(const struct emu_key *k, uint8_t alg)
{
	size_t i;

	if (k->nalgs == 0)
		return 1;
	for (i = 0; i < k->nalgs; i++)
		if (k->algs[i] == alg)
			return 1;
	return 0;
}

static const EVP_MD *
md_for_len(size_t n)
{
	switch (n) {
	case 20: return EVP_sha1();
	case 28: return EVP_sha224();
	case 32: return EVP_sha256();
	case 48: return EVP_sha384();
	case 64: return EVP_sha512();
	}
	return NULL;
}

/* One private-key operation through EVP_PKEY_sign/decrypt. */
static uint16_t
pkey_op(EVP_PKEY *key, int decrypt, int pad, const EVP_MD *md, int pss,
    const uint8_t *in, size_t n, struct emu_rsp *rsp)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	uint8_t out[1024];
	size_t ol = sizeof(out);
	uint16_t sw = SW_WRONG_DATA;
	int ok;

	if (ctx == NULL)
		return SW_EXEC_ERROR;
	ok = decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_sign_init(ctx);
	if (ok != 1)
		goto out;
	if (pad != 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, pad) != 1)
		goto out;
	if (md != NULL && EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
		goto out;
	if (pss && (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		goto out;
	ok = decrypt ? EVP_PKEY_decrypt(ctx, out, &ol, in, n) :
	    EVP_PKEY_sign(ctx, out, &ol, in, n);
	if (ok == 1)
		sw = emu_rsp_add(rsp, out, ol) == 0 ? SW_OK : SW_EXEC_ERROR;
 out:
	secmem_wipe(out, sizeof(out));
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

/* PSS input may be a bare hash or a DigestInfo around it (OpenSC
 * sends both with algorithm 40): keep the hash. */
static void
strip_digest_info(const uint8_t **d, size_t *n)
{
	const uint8_t *p = *d, *v, *q;
	size_t left = *n, vl, ql;
	uint32_t tag;

	if (*n < 2 || p[0] != 0x30 || tlv_next(&p, &left, &tag, &v, &vl) != 0
	    || left != 0)
		return;
	q = v;
	ql = vl;
	if (tlv_next(&q, &ql, &tag, &v, &vl) != 0 || tag != 0x30 ||
	    tlv_next(&q, &ql, &tag, &v, &vl) != 0 || tag != 0x04 || ql != 0)
		return;
	*d = v;
	*n = vl;
}

uint16_t
emu_sign(struct emu *e, uint8_t ref, uint8_t alg, const uint8_t *d,
    size_t n, struct emu_rsp *rsp)
{
	struct emu_key *k = &e->keys[ref];
	uint8_t h[64];
	unsigned hl = 0;
	const EVP_MD *md = NULL;
	int rsa;

	if (k->pkey == NULL)
		return SW_REF_NOT_FOUND;
	if (!alg_allowed(k, alg))
		return SW_CONDITIONS;
	rsa = EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA;
	switch (alg) {
	case 0x31: case 0x41: case 0x71: md = EVP_sha1(); break;
	case 0x72: md = EVP_sha224(); break;
	case 0x33: case 0x43: case 0x73: md = EVP_sha256(); break;
	}
	if (md != NULL) {	/* the card hashes the message itself */
		if (EVP_Digest(d, n, h, &hl, md, NULL) != 1)
			return SW_EXEC_ERROR;
		d = h;
		n = hl;
	}
	if (rsa) {
		switch (alg) {
		case 0x20:
			if (n != (size_t)EVP_PKEY_get_size(k->pkey))
				return SW_WRONG_DATA;
			return pkey_op(k->pkey, 0, RSA_NO_PADDING, NULL, 0, d,
			    n, rsp);
		case 0x30:
			return pkey_op(k->pkey, 0, RSA_PKCS1_PADDING, NULL, 0,
			    d, n, rsp);
		case 0x31: case 0x33:
			return pkey_op(k->pkey, 0, RSA_PKCS1_PADDING, md, 0, d,
			    n, rsp);
		case 0x40: case 0x41: case 0x43:
			strip_digest_info(&d, &n);
			if ((md = md_for_len(n)) == NULL)
				return SW_WRONG_DATA;
			return pkey_op(k->pkey, 0, RSA_PKCS1_PSS_PADDING, md, 1,
			    d, n, rsp);
		}
		return SW_WRONG_P1P2;
	}
	switch (alg) {
	case 0x70: case 0x71: case 0x72: case 0x73:
		return pkey_op(k->pkey, 0, 0, NULL, 0, d, n, rsp);
	}
	return SW_WRONG_P1P2;
}

/* ECDH: the shared point d*Q, 04|x|y, as the card returns it. */
static uint16_t
ecdh_point(EVP_PKEY *key, const uint8_t *q, size_t n, struct emu_rsp *rsp)
{
	const char *curve = cvc_curve_name(key);
	EC_GROUP *g = NULL;
	EC_POINT *pt = NULL, *res = NULL;
	BIGNUM *priv = NULL;
	uint8_t out[200];
	size_t ol;
	uint16_t sw = SW_WRONG_DATA;

	if (curve == NULL ||
	    (g = EC_GROUP_new_by_curve_name(OBJ_sn2nid(curve))) == NULL ||
	    (pt = EC_POINT_new(g)) == NULL || (res = EC_POINT_new(g)) == NULL ||
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	if (EC_POINT_oct2point(g, pt, q, n, NULL) != 1 ||
	    EC_POINT_is_on_curve(g, pt, NULL) != 1)
		goto out;
	if (EC_POINT_mul(g, res, NULL, pt, priv, NULL) != 1 ||
	    (ol = EC_POINT_point2oct(g, res, POINT_CONVERSION_UNCOMPRESSED,
	    out, sizeof(out), NULL)) == 0) {
		sw = SW_EXEC_ERROR;
		goto out;
	}
	sw = emu_rsp_add(rsp, out, ol) == 0 ? SW_OK : SW_EXEC_ERROR;
	secmem_wipe(out, sizeof(out));
 out:
	BN_clear_free(priv);
	EC_POINT_free(pt);
	EC_POINT_clear_free(res);
	EC_GROUP_free(g);
	return sw;
}

uint16_t
emu_decipher(struct emu *e, uint8_t ref, uint8_t alg, const uint8_t *d,
    size_t n, struct emu_rsp *rsp)
{
	struct emu_key *k = &e->keys[ref];
	int rsa;

	if (k->pkey == NULL)
		return SW_REF_NOT_FOUND;
	if (!alg_allowed(k, alg))
		return SW_CONDITIONS;
	rsa = EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA;
	if (rsa && alg == 0x21) {
		if (n != (size_t)EVP_PKEY_get_size(k->pkey))
			return SW_WRONG_DATA;
		return pkey_op(k->pkey, 1, RSA_NO_PADDING, NULL, 0, d, n, rsp);
	}
	if (rsa && alg == 0x22)
		return pkey_op(k->pkey, 1, RSA_PKCS1_PADDING, NULL, 0, d, n,
		    rsp);
	if (!rsa && alg == 0x80)
		return ecdh_point(k->pkey, d, n, rsp);
	return SW_WRONG_P1P2;
}


uint16_t
emu_wrap(struct emu *e, uint8_t ref, struct emu_rsp *rsp)
{
	struct emu_key *k = &e->keys[ref];
	uint8_t blob[KEYBLOB_MAX];
	size_t bl = 0;
	uint16_t sw;

	if (k->pkey == NULL)
		return SW_REF_NOT_FOUND;
	if (!emu_kd_ready(e, k->domain) || !k->exportable)
		return SW_CONDITIONS;
	if (keyblob_wrap(e->kd[k->domain].kek, k->pkey, k->algs, k->nalgs, blob,
	    sizeof(blob), &bl) != 0)
		return SW_EXEC_ERROR;
	sw = emu_rsp_add(rsp, blob, bl) == 0 ? SW_OK : SW_EXEC_ERROR;
	secmem_wipe(blob, sizeof(blob));
	return sw;
}

uint16_t
emu_unwrap(struct emu *e, uint8_t ref, const uint8_t *d, size_t n)
{
	struct keyblob_info info;
	EVP_PKEY *key = NULL;
	uint8_t kcv[8];
	unsigned dom, use = EMU_MAX_KD;
	int r;

	if (ref == 0)
		return SW_WRONG_P1P2;
	/* The domain whose KCV the blob names (pico-hsm does so); without
	   one, the first complete domain, which then refuses the blob. */
	for (dom = 0; dom < EMU_MAX_KD; dom++) {
		if (!emu_kd_ready(e, dom))
			continue;
		if (use == EMU_MAX_KD)
			use = dom;
		if (keyblob_parse(d, n, &info) == 0 &&
		    emu_kd_kcv(e, dom, kcv) == 0 &&
		    memcmp(kcv, info.kcv, sizeof(kcv)) == 0) {
			use = dom;
			break;
		}
	}
	if (use == EMU_MAX_KD)
		return SW_CONDITIONS;
	if (e->keys[ref].pkey != NULL)
		return SW_FILE_EXISTS;
	if (keyblob_parse(d, n, &info) != 0 ||
	    info.allowed_algs_len > sizeof(e->keys[ref].algs))
		return SW_WRONG_DATA;
	if ((r = keyblob_unwrap(e->kd[use].kek, d, n, &key)) != 0)
		return r == CUSTOS_ERR_NOMEM ? SW_MEMORY_FAILURE :
		    SW_WRONG_DATA;
	e->keys[ref].pkey = key;
	e->keys[ref].domain = (uint8_t)use;
	e->keys[ref].exportable = 1;
	memcpy(e->keys[ref].algs, info.allowed_algs, info.allowed_algs_len);
	e->keys[ref].nalgs = info.allowed_algs_len;
	return SW_OK;
}
