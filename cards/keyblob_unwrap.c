/*
 * keyblob_unwrap.c - a SmartCard-HSM key blob opened off-card: its MAC
 * checked, its plaintext decrypted and its RSA or EC key rebuilt and
 * checked (layout and sources: keyblob.c).
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

/*
 * Splits the plaintext pt[0..len) after random[8] and key size[2] into nf
 * fields, then insists on 80 00.. (1 to 16 bytes) up to its end.
 */
static int
split_fields(const uint8_t *pt, size_t len, struct field *f, size_t nf)
{
	size_t off = 10, i;

	if (len < off)
		return CUSTOS_ERR_FORMAT;
	for (i = 0; i < nf; i++)
		if (kb_rd_field(pt, len, &off, &f[i].v, &f[i].n) != CUSTOS_OK)
			return CUSTOS_ERR_FORMAT;
	if (len - off == 0 || len - off > 16 || pt[off] != 0x80)
		return CUSTOS_ERR_FORMAT;
	for (off++; off < len; off++)
		if (pt[off] != 0)
			return CUSTOS_ERR_FORMAT;
	return CUSTOS_OK;
}

/* A new BIGNUM (secure one when secret) from a field; NULL on error. */
static BIGNUM *
field_bn(const struct field *f, int secret)
{
	BIGNUM *bn = secret ? BN_secure_new() : BN_new();

	if (bn == NULL)
		return NULL;
	if (BN_bin2bn(f->v, (int)f->n, bn) == NULL) {
		BN_clear_free(bn);
		return NULL;
	}
	if (secret)
		BN_set_flags(bn, BN_FLG_CONSTTIME);
	return bn;
}

/* Makes *pkey of type name ("RSA", "EC") from params. */
static int
from_params(EVP_PKEY **pkey, const char *name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	int r = CUSTOS_ERR_CRYPTO;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pc = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pc) <= 0 ||
	    EVP_PKEY_fromdata(pc, pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		goto out;
	r = CUSTOS_OK;
 out:
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);	/* clears the secure part: the BNs */
	return r;
}

/*
 * RSA from dp, dq, p, qi, q, n, e (type 6) or d, n, e (type 5). The parts
 * must fit together: n = p*q, e*dp = 1 mod p-1, e*dq = 1 mod q-1,
 * qi*q = 1 mod p (type 6; d = e^-1 mod lcm(p-1, q-1)), or (2^d)^e = 2
 * mod n (type 5); CUSTOS_ERR_CORRUPT otherwise.
 */
static int
decode_rsa(EVP_PKEY **pkey, int type, size_t keysize, const uint8_t *pt,
    size_t len)
{
	struct field f[7];
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
	BIGNUM *dp = NULL, *dq = NULL, *qi = NULL, *t = NULL, *u = NULL;
	BIGNUM *p1 = NULL, *q1 = NULL;
	BN_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	size_t nf = type == KEYBLOB_RSA_CRT ? 7 : 3;
	int r;

	if ((r = split_fields(pt, len, f, nf)) != CUSTOS_OK)
		goto out;
	r = CUSTOS_ERR_NOMEM;
	if ((ctx = BN_CTX_secure_new()) == NULL ||
	    (n = field_bn(&f[nf - 2], 0)) == NULL ||
	    (e = field_bn(&f[nf - 1], 0)) == NULL ||
	    (d = BN_secure_new()) == NULL || (t = BN_secure_new()) == NULL ||
	    (u = BN_secure_new()) == NULL)
		goto out;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	BN_set_flags(t, BN_FLG_CONSTTIME);
	BN_set_flags(u, BN_FLG_CONSTTIME);
	r = CUSTOS_ERR_FORMAT;
	if (BN_num_bits(n) < 512 || !BN_is_odd(n) || !BN_is_odd(e) ||
	    BN_is_one(e) || BN_cmp(e, n) >= 0 ||
	    (keysize != (size_t)BN_num_bits(n) &&
	    keysize != (size_t)BN_num_bytes(n) * 8))
		goto out;
	if (type == KEYBLOB_RSA_CRT) {
		r = CUSTOS_ERR_NOMEM;
		if ((dp = field_bn(&f[0], 1)) == NULL ||
		    (dq = field_bn(&f[1], 1)) == NULL ||
		    (p = field_bn(&f[2], 1)) == NULL ||
		    (qi = field_bn(&f[3], 1)) == NULL ||
		    (q = field_bn(&f[4], 1)) == NULL ||
		    (p1 = BN_secure_new()) == NULL ||
		    (q1 = BN_secure_new()) == NULL)
			goto out;
		r = CUSTOS_ERR_CORRUPT;
		if (BN_cmp(p, BN_value_one()) <= 0 ||
		    BN_cmp(q, BN_value_one()) <= 0 ||
		    !BN_mul(t, p, q, ctx) || BN_cmp(t, n) != 0 ||
		    !BN_sub(p1, p, BN_value_one()) ||
		    !BN_sub(q1, q, BN_value_one()) ||
		    BN_cmp(dp, p1) >= 0 || BN_cmp(dq, q1) >= 0 ||
		    BN_cmp(qi, p) >= 0 ||
		    !BN_mod_mul(t, e, dp, p1, ctx) || !BN_is_one(t) ||
		    !BN_mod_mul(t, e, dq, q1, ctx) || !BN_is_one(t) ||
		    !BN_mod_mul(t, qi, q, p, ctx) || !BN_is_one(t))
			goto out;
		/* d = e^-1 mod lcm(p-1, q-1), as OpenSSL makes it. */
		if (!BN_gcd(t, p1, q1, ctx) || !BN_mul(d, p1, q1, ctx) ||
		    !BN_div(u, NULL, d, t, ctx) ||
		    BN_mod_inverse(d, e, u, ctx) == NULL)
			goto out;
	} else {
		BN_clear_free(d);
		r = CUSTOS_ERR_NOMEM;
		if ((d = field_bn(&f[0], 1)) == NULL)
			goto out;
		r = CUSTOS_ERR_CORRUPT;
		if (BN_cmp(d, BN_value_one()) <= 0 || BN_cmp(d, n) >= 0 ||
		    !BN_set_word(u, 2) ||
		    !BN_mod_exp_mont_consttime(t, u, d, n, ctx, NULL) ||
		    !BN_mod_exp(t, t, e, n, ctx) || !BN_is_word(t, 2))
			goto out;
		/* Keys above 2048 bits come without their primes: recover
		 * them, so the key can be stored and exported whole. */
		r = CUSTOS_ERR_NOMEM;
		if ((p = BN_secure_new()) == NULL ||
		    (q = BN_secure_new()) == NULL ||
		    (dp = BN_secure_new()) == NULL ||
		    (dq = BN_secure_new()) == NULL ||
		    (qi = BN_secure_new()) == NULL)
			goto out;
		if ((r = rsa_factor(n, e, d, p, q, dp, dq, qi, ctx)) != 0)
			goto out;
	}
	r = CUSTOS_ERR_CRYPTO;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d))
		goto out;
	if (p != NULL &&
	    (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	    qi)))
		goto out;
	r = from_params(pkey, "RSA", bld);
 out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(qi);
	BN_clear_free(t);
	BN_clear_free(u);
	BN_clear_free(p1);
	BN_clear_free(q1);
	BN_CTX_free(ctx);
	return r;
}

/*
 * The known curve with prime p, coefficients a, b, order and generator g
 * (04|x|y), as a new group, or NULL.
 */
/*
 * Curves whose a is p - 3. An independent implementation of the card
 * writes their coefficient A as an empty field (a = -3 implied); A is then
 * taken as implied only for these, never a wrong non-empty A.
 */
static int
a_is_minus_3(int nid)
{
	return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 ||
	    nid == NID_secp521r1;
}

static EC_GROUP *
match_curve(const BIGNUM *p, const BIGNUM *a, int a_empty, const BIGNUM *b,
    const BIGNUM *order, const struct field *g, BN_CTX *ctx, int *implied)
{
	EC_GROUP *grp = NULL;
	EC_POINT *gp = NULL;
	BIGNUM *cp = NULL, *ca = NULL, *cb = NULL;
	size_t i;
	int found = 0;

	if ((cp = BN_new()) == NULL || (ca = BN_new()) == NULL ||
	    (cb = BN_new()) == NULL)
		goto out;
	for (i = 0; !found && i < sizeof(kb_ec_curves) / sizeof(kb_ec_curves[0]);
	    i++) {
		EC_POINT_free(gp);
		gp = NULL;
		EC_GROUP_free(grp);
		if ((grp = EC_GROUP_new_by_curve_name(kb_ec_curves[i])) == NULL ||
		    !EC_GROUP_get_curve(grp, cp, ca, cb, ctx))
			goto out;
		*implied = a_empty && a_is_minus_3(kb_ec_curves[i]) &&
		    BN_cmp(ca, a) != 0;
		if (BN_cmp(cp, p) != 0 || (BN_cmp(ca, a) != 0 && !*implied) ||
		    BN_cmp(cb, b) != 0 ||
		    BN_cmp(EC_GROUP_get0_order(grp), order) != 0)
			continue;
		found = (gp = EC_POINT_new(grp)) != NULL &&
		    EC_POINT_oct2point(grp, gp, g->v, g->n, ctx) &&
		    EC_POINT_cmp(grp, gp, EC_GROUP_get0_generator(grp),
		    ctx) == 0;
	}
 out:
	ERR_clear_error();	/* a G that does not decode is no match */
	EC_POINT_free(gp);
	BN_free(cp);
	BN_free(ca);
	BN_free(cb);
	if (!found) {
		EC_GROUP_free(grp);
		grp = NULL;
		*implied = 0;
	}
	return grp;
}

/* EC from A, B, P, N, G, d, Q on a known curve, Q = d*G. */
static int
decode_ec(EVP_PKEY **pkey, size_t keysize, const uint8_t *pt, size_t len,
    unsigned *notes)
{
	struct field f[7];
	EC_GROUP *grp = NULL;
	EC_POINT *qp = NULL, *dg = NULL;
	BN_CTX *ctx = NULL;
	BIGNUM *a = NULL, *b = NULL, *p = NULL, *order = NULL, *d = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	uint8_t pub[EC_POINT_MAX];
	size_t fb, publen;
	int r, implied = 0;

	if ((r = split_fields(pt, len, f, 7)) != CUSTOS_OK)
		goto out;
	r = CUSTOS_ERR_NOMEM;
	if ((ctx = BN_CTX_secure_new()) == NULL ||
	    (a = field_bn(&f[0], 0)) == NULL ||
	    (b = field_bn(&f[1], 0)) == NULL ||
	    (p = field_bn(&f[2], 0)) == NULL ||
	    (order = field_bn(&f[3], 0)) == NULL ||
	    (d = field_bn(&f[5], 1)) == NULL)
		goto out;
	fb = (size_t)BN_num_bytes(p);
	r = CUSTOS_ERR_FORMAT;
	if (f[4].n != 1 + 2 * fb || f[4].v[0] != 0x04 ||
	    f[6].n != 1 + 2 * fb || f[6].v[0] != 0x04)
		goto out;
	r = CUSTOS_ERR_UNSUPPORTED;
	if ((grp = match_curve(p, a, f[0].n == 0, b, order, &f[4], ctx,
	    &implied)) == NULL)
		goto out;
	if (implied && notes != NULL)
		*notes |= KEYBLOB_NOTE_A_IMPLIED;
	r = CUSTOS_ERR_FORMAT;
	if ((keysize != (size_t)EC_GROUP_get_degree(grp) &&
	    keysize != fb * 8) ||
	    BN_is_zero(d) || BN_cmp(d, order) >= 0)
		goto out;
	r = CUSTOS_ERR_CRYPTO;
	if ((qp = EC_POINT_new(grp)) == NULL ||
	    (dg = EC_POINT_new(grp)) == NULL ||
	    !EC_POINT_mul(grp, dg, d, NULL, NULL, ctx))
		goto out;
	r = CUSTOS_ERR_CORRUPT;	/* Q off the curve or not d*G */
	if (!EC_POINT_oct2point(grp, qp, f[6].v, f[6].n, ctx) ||
	    EC_POINT_cmp(grp, qp, dg, ctx) != 0) {
		ERR_clear_error();
		goto out;
	}
	r = CUSTOS_ERR_CRYPTO;
	if ((publen = EC_POINT_point2oct(grp, dg,
	    POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), ctx)) == 0 ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    OBJ_nid2sn(EC_GROUP_get_curve_name(grp)), 0) ||
	    !OSSL_PARAM_BLD_push_BN_pad(bld, OSSL_PKEY_PARAM_PRIV_KEY, d,
	    (size_t)BN_num_bytes(order)) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, publen))
		goto out;
	r = from_params(pkey, "EC", bld);
 out:
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(qp);
	EC_POINT_free(dg);
	EC_GROUP_free(grp);
	BN_free(a);
	BN_free(b);
	BN_free(p);
	BN_free(order);
	BN_clear_free(d);
	BN_CTX_free(ctx);
	return r;
}

int
keyblob_unwrap(const uint8_t dkek[32], const uint8_t *blob, size_t len,
    EVP_PKEY **pkey)
{
	return keyblob_unwrap_notes(dkek, blob, len, pkey, NULL);
}

int
keyblob_unwrap_notes(const uint8_t dkek[32], const uint8_t *blob,
    size_t len, EVP_PKEY **pkey, unsigned *notes)
{
	struct keyblob_info info;
	struct secrets *s = NULL;
	EVP_PKEY *k = NULL;
	uint8_t kcv[KEYBLOB_KCV_LEN], mac[KEYBLOB_MAC_LEN];
	size_t keysize;
	int r;

	if (pkey != NULL)
		*pkey = NULL;
	if (dkek == NULL || pkey == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = keyblob_parse(blob, len, &info)) != CUSTOS_OK ||
	    (r = keyblob_kcv(kcv, dkek)) != CUSTOS_OK)
		goto out;
	if (secmem_equal(kcv, info.kcv, KEYBLOB_KCV_LEN) != 0) {
		r = CUSTOS_ERR_DKEK_MISMATCH;
		goto out;
	}
	if ((s = secmem_alloc(sizeof(*s))) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if ((r = kb_derive(s->kmac, dkek, 2)) != CUSTOS_OK ||
	    (r = kb_cmac(mac, s->kmac, blob, len - KEYBLOB_MAC_LEN)) !=
	    CUSTOS_OK)
		goto out;
	if (secmem_equal(mac, blob + len - KEYBLOB_MAC_LEN,
	    KEYBLOB_MAC_LEN) != 0) {
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	if (info.type == KEYBLOB_AES) {
		r = CUSTOS_ERR_UNSUPPORTED;
		goto out;
	}
	if ((r = kb_derive(s->kenc, dkek, 1)) != CUSTOS_OK ||
	    (r = kb_cbc(s->plain, s->kenc, info.enc, info.enc_len, 0)) !=
	    CUSTOS_OK)
		goto out;
	keysize = kb_be16(s->plain + 8);	/* enc_len >= 16 */
	if (info.type == KEYBLOB_EC)
		r = decode_ec(&k, keysize, s->plain, info.enc_len, notes);
	else
		r = decode_rsa(&k, info.type, keysize, s->plain,
		    info.enc_len);
	if (r != CUSTOS_OK)
		goto out;
	*pkey = k;
	k = NULL;
 out:
	EVP_PKEY_free(k);
	secmem_free(s);		/* wipes Kenc, Kmac and the plaintext */
	secmem_wipe(mac, sizeof(mac));
	return r;
}
