/* cvc.c - card-verifiable certificates: public keys, requests, chain. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "cvc.h"

const uint8_t cvc_oid_rsa_v15_sha256[10] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x01, 0x02
};
const uint8_t cvc_oid_ecdsa_sha256[10] = {
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03
};

static const int known_curves[] = {
	NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1,
	NID_brainpoolP192r1, NID_brainpoolP224r1, NID_brainpoolP256r1,
	NID_brainpoolP320r1, NID_brainpoolP384r1, NID_brainpoolP512r1,
	NID_secp256k1, NID_secp192k1, NID_X9_62_prime192v1, NID_secp224r1,
};

static void
refstr(char out[17], const uint8_t *v, size_t n)
{
	static const char printable[] = " !\"#$%&'()*+,-./0123456789:;<=>?"
	    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz"
	    "{|}~";
	size_t i;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		if (v[i] >= 0x20 && v[i] < 0x7f)
			out[i] = printable[v[i] - 0x20];
		else
			out[i] = printable['?' - 0x20];
	}
	out[n] = '\0';
}

int
cvc_parse(const uint8_t *buf, size_t len, struct cvc *c)
{
	const uint8_t *p = buf, *v, *q, *bv, *bp;
	size_t left = len, vl, ql, bl, bleft;
	uint32_t tag;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = tlv_next(&p, &left, &tag, &v, &vl)) != 0)
		return r;
	c->total_len = len - left;
	if (tag == 0x67) {
		/* Authenticated request: 7F21, outer CAR 42, outer sig. */
		q = v;
		ql = vl;
		if ((r = tlv_next(&q, &ql, &tag, &bv, &bl)) != 0)
			return r;
		if (tag != 0x7F21)
			return CUSTOS_ERR_FORMAT;
		if (tlv_find(q, ql, 0x42, &c->outer_car,
		    &c->outer_car_len) != 0)
			c->outer_car = NULL;
		if (tlv_find(q, ql, 0x5F37, &c->outer_sig,
		    &c->outer_sig_len) != 0)
			c->outer_sig = NULL;
		if (c->outer_car != NULL) {
			c->outer_tbs = v;
			c->outer_tbs_len = (size_t)(c->outer_car - v) +
			    c->outer_car_len;
		}
		v = bv;
		vl = bl;
	} else if (tag != 0x7F21)
		return CUSTOS_ERR_FORMAT;
	/* Inside 7F21: 7F4E body and 5F37 signature. */
	q = v;
	ql = vl;
	c->body = q;
	if ((r = tlv_next(&q, &ql, &tag, &bv, &bl)) != 0)
		return r;
	if (tag != 0x7F4E)
		return CUSTOS_ERR_FORMAT;
	c->body_len = (size_t)(q - c->body);
	if ((r = tlv_find(q, ql, 0x5F37, &c->sig, &c->sig_len)) != 0)
		return r == CUSTOS_ERR_NOT_FOUND ? CUSTOS_ERR_FORMAT : r;
	bp = bv;
	bleft = bl;
	while (bleft > 0) {
		if ((r = tlv_next(&bp, &bleft, &tag, &v, &vl)) != 0)
			return r;
		if (tag == 0x42)
			refstr(c->car, v, vl);
		else if (tag == 0x5F20)
			refstr(c->chr, v, vl);
		else if (tag == 0x7F49) {
			c->pub = v;
			c->pub_len = vl;
		}
	}
	if (c->pub == NULL)
		return CUSTOS_ERR_FORMAT;
	return 0;
}

const char *
cvc_curve_name(EVP_PKEY *key)
{
	char name[64];
	size_t n = 0;
	int nid;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), &n) != 1)
		return NULL;
	if ((nid = OBJ_txt2nid(name)) == NID_undef)
		return NULL;
	return OBJ_nid2sn(nid);
}

static int
bn_eq(const BIGNUM *x, const uint8_t *v, size_t n)
{
	BIGNUM *y = BN_bin2bn(v, (int)n, NULL);
	int eq = y != NULL && BN_cmp(x, y) == 0;

	BN_free(y);
	return eq;
}

const char *
cvc_curve_match(const uint8_t *p, size_t plen, const uint8_t *a,
    size_t alen, const uint8_t *b, size_t blen, const uint8_t *g,
    size_t glen, const uint8_t *n, size_t nlen)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < sizeof(known_curves) / sizeof(known_curves[0]) &&
	    found == NULL; i++) {
		EC_GROUP *grp = EC_GROUP_new_by_curve_name(known_curves[i]);
		BIGNUM *gp = BN_new(), *ga = BN_new(), *gb = BN_new();
		uint8_t gen[200];
		size_t gl;

		if (grp != NULL && gp != NULL && ga != NULL && gb != NULL &&
		    EC_GROUP_get_curve(grp, gp, ga, gb, NULL) == 1 &&
		    bn_eq(gp, p, plen) && bn_eq(ga, a, alen) &&
		    bn_eq(gb, b, blen) &&
		    bn_eq(EC_GROUP_get0_order(grp), n, nlen)) {
			gl = EC_POINT_point2oct(grp,
			    EC_GROUP_get0_generator(grp),
			    POINT_CONVERSION_UNCOMPRESSED, gen, sizeof(gen),
			    NULL);
			if (gl == glen && memcmp(gen, g, gl) == 0)
				found = OBJ_nid2sn(known_curves[i]);
		}
		BN_free(gp);
		BN_free(ga);
		BN_free(gb);
		EC_GROUP_free(grp);
	}
	return found;
}

static EVP_PKEY *
fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (params != NULL && ctx != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

int
cvc_pubkey_fields(const uint8_t *pub, size_t len, struct cvc_pubfields *pf)
{
	const uint8_t *p = pub, *v;
	size_t left = len, vl;
	uint32_t tag;
	int r;

	memset(pf, 0, sizeof(*pf));
	while (left > 0) {
		if ((r = tlv_next(&p, &left, &tag, &v, &vl)) != 0)
			return r;
		if (tag == 0x06) {
			pf->oid = v;
			pf->oid_len = vl;
		} else if (tag >= 0x81 && tag <= 0x87) {
			pf->f[tag - 0x80] = v;
			pf->fl[tag - 0x80] = vl;
		} else if (tag == 0x02 && vl >= 1 && vl <= 2) {
			pf->bits = tlv_uint(v, vl);
			pf->bits_given = 1;
		}
	}
	return 0;
}

int
cvc_pubkey(const uint8_t *pub, size_t len, EVP_PKEY *domain,
    EVP_PKEY **out)
{
	struct cvc_pubfields pf;
	const uint8_t *oid, *const *f = pf.f;
	const size_t *fl = pf.fl;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	const char *curve;
	int r;

	*out = NULL;
	if ((r = cvc_pubkey_fields(pub, len, &pf)) != 0)
		return r;
	oid = pf.oid;
	if (oid == NULL || pf.oid_len != 10 ||
	    memcmp(oid, cvc_oid_rsa_v15_sha256, 8) != 0)
		return CUSTOS_ERR_FORMAT;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return CUSTOS_ERR_NOMEM;
	r = CUSTOS_ERR_FORMAT;
	if (oid[8] == 0x01) {		/* RSA */
		if (f[1] == NULL || f[2] == NULL)
			goto out;
		n = BN_bin2bn(f[1], (int)fl[1], NULL);
		e = BN_bin2bn(f[2], (int)fl[2], NULL);
		if (n == NULL || e == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
		*out = fromdata("RSA", bld);
	} else if (oid[8] == 0x02) {	/* ECDSA */
		if (f[6] == NULL)
			goto out;
		if (f[1] != NULL) {
			curve = cvc_curve_match(f[1], fl[1], f[2], fl[2], f[3],
			    fl[3], f[4], fl[4], f[5], fl[5]);
			if (curve == NULL) {
				r = CUSTOS_ERR_UNSUPPORTED;
				goto out;
			}
		} else if (domain == NULL ||
		    (curve = cvc_curve_name(domain)) == NULL)
			goto out;
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, f[6], fl[6]))
			goto out;
		*out = fromdata("EC", bld);
	} else
		goto out;
	r = *out != NULL ? 0 : CUSTOS_ERR_FORMAT;
 out:
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

static void
put_bn(struct tlv_buf *b, uint32_t tag, const BIGNUM *x, int width)
{
	uint8_t buf[1024];
	int n = width > 0 ? width : BN_num_bytes(x);

	if (x == NULL || n <= 0 || n > (int)sizeof(buf) ||
	    BN_bn2binpad(x, buf, n) != n) {
		b->err = CUSTOS_ERR_CRYPTO;
		return;
	}
	tlv_put(b, tag, buf, (size_t)n);
}

/* Appends EC domain parameters 81 p, 82 a, 83 b, 84 G, 85 order. */
static void
put_domain(struct tlv_buf *b, const EC_GROUP *grp)
{
	BIGNUM *gp = BN_new(), *ga = BN_new(), *gb = BN_new();
	uint8_t gen[200];
	size_t gl;
	int w;

	if (gp == NULL || ga == NULL || gb == NULL ||
	    EC_GROUP_get_curve(grp, gp, ga, gb, NULL) != 1 ||
	    (gl = EC_POINT_point2oct(grp, EC_GROUP_get0_generator(grp),
	    POINT_CONVERSION_UNCOMPRESSED, gen, sizeof(gen), NULL)) == 0) {
		b->err = CUSTOS_ERR_CRYPTO;
		goto out;
	}
	w = BN_num_bytes(gp);
	put_bn(b, 0x81, gp, w);
	put_bn(b, 0x82, ga, w);
	put_bn(b, 0x83, gb, w);
	tlv_put(b, 0x84, gen, gl);
	put_bn(b, 0x85, EC_GROUP_get0_order(grp), 0);
 out:
	BN_free(gp);
	BN_free(ga);
	BN_free(gb);
}

void
cvc_put_pubkey(struct tlv_buf *b, EVP_PKEY *key, const uint8_t *oid,
    size_t oidlen, int with_domain)
{
	size_t m = tlv_begin(b, 0x7F49);
	BIGNUM *n = NULL, *e = NULL;
	EC_GROUP *grp = NULL;
	uint8_t pt[200];
	size_t ptl = 0;

	tlv_put(b, 0x06, oid, oidlen);
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
		    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
			b->err = CUSTOS_ERR_CRYPTO;
			goto out;
		}
		put_bn(b, 0x81, n, 0);
		put_bn(b, 0x82, e, 0);
	} else {
		const char *curve = cvc_curve_name(key);

		if (curve == NULL || (grp = EC_GROUP_new_by_curve_name(
		    OBJ_sn2nid(curve))) == NULL ||
		    EVP_PKEY_get_octet_string_param(key,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptl) != 1) {
			b->err = CUSTOS_ERR_CRYPTO;
			goto out;
		}
		if (with_domain)
			put_domain(b, grp);
		tlv_put(b, 0x86, pt, ptl);
		if (with_domain)
			put_bn(b, 0x87, EC_GROUP_get0_cofactor(grp), 0);
	}
 out:
	tlv_end(b, m);
	BN_free(n);
	BN_free(e);
	EC_GROUP_free(grp);
}

int
cvc_put_keygen_template(struct tlv_buf *b, const char *curve, unsigned bits)
{
	static const uint8_t f4[] = { 0x01, 0x00, 0x01 };
	EC_GROUP *grp = NULL;
	uint8_t kb[2];
	size_t m;
	int nid, r = CUSTOS_ERR_UNSUPPORTED;

	if (curve == NULL) {
		if (bits < 1024 || bits > 4096 || bits % 256 != 0)
			return CUSTOS_ERR_UNSUPPORTED;
		m = tlv_begin(b, 0x7F49);
		tlv_put(b, 0x06, cvc_oid_rsa_v15_sha256,
		    sizeof(cvc_oid_rsa_v15_sha256));
		tlv_put(b, 0x82, f4, sizeof(f4));
		kb[0] = (uint8_t)(bits >> 8);
		kb[1] = (uint8_t)bits;
		tlv_put(b, 0x02, kb, sizeof(kb));
		tlv_end(b, m);
		return tlv_error(b);
	}
	nid = OBJ_sn2nid(curve);
	for (size_t i = 0; i < sizeof(known_curves) / sizeof(known_curves[0]);
	    i++)
		if (known_curves[i] == nid && nid != NID_undef)
			r = 0;
	if (r != 0)
		return r;
	if ((grp = EC_GROUP_new_by_curve_name(nid)) == NULL)
		return CUSTOS_ERR_CRYPTO;
	m = tlv_begin(b, 0x7F49);
	tlv_put(b, 0x06, cvc_oid_ecdsa_sha256, sizeof(cvc_oid_ecdsa_sha256));
	put_domain(b, grp);
	put_bn(b, 0x87, EC_GROUP_get0_cofactor(grp), 0);
	tlv_end(b, m);
	EC_GROUP_free(grp);
	return tlv_error(b);
}

/* Field size in bytes of an EC key's curve (for r||s). */
static int
ec_order_bytes(EVP_PKEY *key)
{
	return (EVP_PKEY_get_bits(key) + 7) / 8;
}

int
cvc_sign(struct tlv_buf *b, EVP_PKEY *key, const uint8_t *body, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[160], plain[132];
	const unsigned char *p = der;
	size_t dl = sizeof(der);
	ECDSA_SIG *sig = NULL;
	int w = ec_order_bytes(key), r = CUSTOS_ERR_CRYPTO;

	if (md == NULL || w <= 0 || 2 * w > (int)sizeof(plain))
		goto out;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &dl, body, len) != 1)
		goto out;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)dl)) == NULL)
		goto out;
	if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), plain, w) != w ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), plain + w, w) != w)
		goto out;
	tlv_put(b, 0x5F37, plain, 2 * (size_t)w);
	r = 0;
 out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return r;
}

int
cvc_verify(EVP_PKEY *key, const uint8_t *body, size_t len,
    const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r_ = NULL, *s_ = NULL;
	unsigned char *der = NULL;
	int dl, r = CUSTOS_ERR_CORRUPT;

	if (md == NULL || s == NULL || siglen == 0 || siglen % 2 != 0)
		goto out;
	r_ = BN_bin2bn(sig, (int)(siglen / 2), NULL);
	s_ = BN_bin2bn(sig + siglen / 2, (int)(siglen / 2), NULL);
	if (r_ == NULL || s_ == NULL || ECDSA_SIG_set0(s, r_, s_) != 1)
		goto out;
	r_ = s_ = NULL;
	if ((dl = i2d_ECDSA_SIG(s, &der)) <= 0)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)dl, body, len) == 1)
		r = 0;
 out:
	BN_free(r_);
	BN_free(s_);
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(md);
	return r;
}

int
cvc_spki_sha256(EVP_PKEY *key, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der), r = CUSTOS_ERR_CRYPTO;

	if (n > 0 && EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(),
	    NULL) == 1)
		r = 0;
	OPENSSL_free(der);
	return r;
}

/* Whether the value v[0..vl) is exactly the TLVs tags[0..n), in order:
   nothing unsigned may ride along in a checked certificate or request. */
static int
exactly(const uint8_t *v, size_t vl, const uint32_t *tags, size_t n)
{
	const uint8_t *iv;
	size_t i, ivl;
	uint32_t tag;

	for (i = 0; i < n; i++)
		if (tlv_next(&v, &vl, &tag, &iv, &ivl) != 0 || tag != tags[i])
			return 0;
	return vl == 0;
}

/* A certificate (7F21 TLV) is 7F4E then 5F37, nothing else. */
static int
cert_shape(const uint8_t *p, size_t n)
{
	static const uint32_t inner[] = { 0x7F4E, 0x5F37 };
	const uint8_t *v;
	size_t vl;
	uint32_t tag;

	return tlv_next(&p, &n, &tag, &v, &vl) == 0 && tag == 0x7F21 &&
	    n == 0 && exactly(v, vl, inner, 2);
}

/* Wraps the value form (7F4E, 5F37) of a certificate in 7F21. */
static int
as_cert(const uint8_t *cert, size_t len, struct tlv_buf *tmp,
    const uint8_t **p, size_t *n)
{
	size_t m;

	*p = cert;
	*n = len;
	if (len < 2 || cert[0] != 0x7F || cert[1] != 0x4E)
		return 0;
	m = tlv_begin(tmp, 0x7F21);
	tlv_raw(tmp, cert, len);
	tlv_end(tmp, m);
	if (tlv_error(tmp) != 0)
		return CUSTOS_ERR_NOMEM;
	*p = tmp->p;
	*n = tmp->len;
	return 0;
}

int
cvc_check(const uint8_t *cert, size_t len, const char *signer_chr,
    EVP_PKEY *signer, EVP_PKEY **holder, struct cvc *c)
{
	struct tlv_buf tmp;
	struct cvc cc;
	const uint8_t *p;
	size_t n;
	int r;

	*holder = NULL;
	tlv_init(&tmp);
	if (c == NULL)
		c = &cc;
	if ((r = as_cert(cert, len, &tmp, &p, &n)) != 0 ||
	    (r = cvc_parse(p, n, c)) != 0)
		goto out;
	if (c->outer_car != NULL || c->total_len != n || !cert_shape(p, n)) {
		r = CUSTOS_ERR_FORMAT;
		goto out;
	}
	if ((signer_chr != NULL && strcmp(c->car, signer_chr) != 0) ||
	    cvc_verify(signer, c->body, c->body_len, c->sig, c->sig_len) !=
	    0) {
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	r = cvc_pubkey(c->pub, c->pub_len, signer, holder);
 out:
	if (c == &cc || r != 0)
		memset(c, 0, sizeof(*c));
	else if (p == tmp.p) {
		/* the pointers were into tmp: only the references stay */
		char car[17], chr[17];

		memcpy(car, c->car, sizeof(car));
		memcpy(chr, c->chr, sizeof(chr));
		memset(c, 0, sizeof(*c));
		memcpy(c->car, car, sizeof(car));
		memcpy(c->chr, chr, sizeof(chr));
	}
	tlv_free(&tmp);
	return r;
}

int
cvc_check_request(const uint8_t *req, size_t len, const char *dev_chr,
    EVP_PKEY *dev, EVP_PKEY **key, struct cvc *c)
{
	struct cvc cc;
	char car[17];
	int r;

	*key = NULL;
	if (c == NULL)
		c = &cc;
	if ((r = cvc_parse(req, len, c)) != 0)
		return r;
	if (c->outer_car == NULL || c->outer_sig == NULL ||
	    c->total_len != len)
		return CUSTOS_ERR_FORMAT;
	{
		static const uint32_t outer[] = { 0x7F21, 0x42, 0x5F37 };
		const uint8_t *p = req, *v, *q, *iv;
		size_t left = len, vl, ql, ivl;
		uint32_t tag;

		if (tlv_next(&p, &left, &tag, &v, &vl) != 0 || tag != 0x67 ||
		    !exactly(v, vl, outer, 3))
			return CUSTOS_ERR_FORMAT;
		q = v;		/* the request's own 7F21, as a whole */
		ql = vl;
		if (tlv_next(&q, &ql, &tag, &iv, &ivl) != 0 ||
		    !cert_shape(v, (size_t)(q - v)))
			return CUSTOS_ERR_FORMAT;
	}
	refstr(car, c->outer_car, c->outer_car_len);
	if ((r = cvc_pubkey(c->pub, c->pub_len, NULL, key)) != 0)
		return r;
	if (EVP_PKEY_get_base_id(*key) != EVP_PKEY_EC ||
	    cvc_verify(*key, c->body, c->body_len, c->sig, c->sig_len) != 0 ||
	    (dev_chr != NULL && strcmp(car, dev_chr) != 0) ||
	    cvc_verify(dev, c->outer_tbs, c->outer_tbs_len, c->outer_sig,
	    c->outer_sig_len) != 0) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return CUSTOS_ERR_CORRUPT;
	}
	return 0;
}
