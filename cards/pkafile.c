/*
 * pkafile.c - .pka files: parsing both forms, checking the chain,
 * building sc-hsm-tool's form (pkafile.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cvc.h"
#include "cvc_roots.h"
#include "pkafile.h"

/* 1.3.6.1.4.1.24991.4.3.1 (CardContact): the Smart Card Shell's form. */
static const uint8_t scsh_oid[] = {
	0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x04, 0x03, 0x01
};

/* The next TLV of p[0..*left) as a whole: its tag, start and length. */
static int
whole(const uint8_t **p, size_t *left, uint32_t *tag, const uint8_t **t,
    size_t *tl, const uint8_t **v, size_t *vl)
{
	int r;

	*t = *p;
	if ((r = tlv_next(p, left, tag, v, vl)) != 0)
		return r;
	*tl = (size_t)(*p - *t);
	return 0;
}

int
pkafile_parse(const uint8_t *buf, size_t len, struct pkafile *f)
{
	const uint8_t *p = buf, *v, *q, *t, *iv;
	size_t left = len, vl, ql, tl, ivl;
	uint32_t tag;
	int r, i;

	memset(f, 0, sizeof(*f));
	if ((r = tlv_next(&p, &left, &tag, &v, &vl)) != 0)
		return r;
	if (tag != 0x30 || left != 0)
		return CUSTOS_ERR_FORMAT;
	q = v;
	ql = vl;
	if ((r = whole(&q, &ql, &tag, &t, &tl, &iv, &ivl)) != 0)
		return r;
	if (tag == 0x06) {
		if (ivl != sizeof(scsh_oid) || memcmp(iv, scsh_oid, ivl) != 0)
			return CUSTOS_ERR_FORMAT;
		f->scsh = 1;
		for (i = 1; i <= 3; i++) {
			const uint8_t *in, *it;
			size_t inl, itl;
			uint32_t itag;

			if ((r = tlv_next(&q, &ql, &tag, &iv, &ivl)) != 0)
				return r;
			if (tag != (uint32_t)(0x60 + i))
				return CUSTOS_ERR_FORMAT;
			in = iv;
			inl = ivl;
			if ((r = whole(&in, &inl, &itag, &it, &itl, &iv,
			    &ivl)) != 0)
				return r;
			if (inl != 0 || itag != (i == 3 ? 0x67u : 0x7F21u))
				return CUSTOS_ERR_FORMAT;
			if (i == 1) {
				f->dica = it;
				f->dica_len = itl;
			} else if (i == 2) {
				f->dev = it;
				f->dev_len = itl;
			} else {
				f->req = it;
				f->req_len = itl;
			}
		}
	} else {
		if (tag != 0x67)
			return CUSTOS_ERR_FORMAT;
		f->req = t;
		f->req_len = tl;
		if ((r = whole(&q, &ql, &tag, &f->dev, &f->dev_len, &iv,
		    &ivl)) != 0)
			return r;
		if (tag != 0x7F21)
			return CUSTOS_ERR_FORMAT;
		if ((r = whole(&q, &ql, &tag, &f->dica, &f->dica_len, &iv,
		    &ivl)) != 0)
			return r;
		if (tag != 0x7F21)
			return CUSTOS_ERR_FORMAT;
	}
	return ql == 0 ? 0 : CUSTOS_ERR_FORMAT;
}

void
pka_facts_clear(struct pka_facts *out)
{
	if (out == NULL)
		return;
	EVP_PKEY_free(out->pub);
	memset(out, 0, sizeof(*out));
}

int
pkafile_verify(const struct pkafile *f, struct pka_facts *out)
{
	EVP_PKEY *root = NULL, *dica = NULL, *dev = NULL, *key = NULL;
	struct cvc c;
	const char *curve;
	size_t l;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = cvc_parse(f->dica, f->dica_len, &c)) != 0)
		return r;
	snprintf(out->root_chr, sizeof(out->root_chr), "%s", c.car);
	if ((r = cvc_root_key(c.car, &root, &out->emulated)) != 0)
		goto out;
	if ((r = cvc_check(f->dica, f->dica_len, out->root_chr, root, &dica,
	    &c)) != 0)
		goto out;
	snprintf(out->dica_chr, sizeof(out->dica_chr), "%s", c.chr);
	if ((r = cvc_check(f->dev, f->dev_len, out->dica_chr, dica, &dev,
	    &c)) != 0)
		goto out;
	snprintf(out->dev_chr, sizeof(out->dev_chr), "%s", c.chr);
	l = strlen(c.chr) > 5 ? strlen(c.chr) - 5 : strlen(c.chr);
	memcpy(out->serial, c.chr, l);
	out->serial[l] = '\0';
	if ((r = cvc_check_request(f->req, f->req_len, out->dev_chr, dev,
	    &key, &c)) != 0)
		goto out;
	snprintf(out->key_chr, sizeof(out->key_chr), "%s", c.chr);
	if ((curve = cvc_curve_name(key)) == NULL ||
	    EVP_PKEY_get_bits(key) > 256) {
		r = CUSTOS_ERR_UNSUPPORTED;
		goto out;
	}
	snprintf(out->kind, sizeof(out->kind), "EC %s", curve);
	if ((r = cvc_spki_sha256(key, out->fpr)) != 0)
		goto out;
	out->pub = key;
	key = NULL;
 out:
	EVP_PKEY_free(root);
	EVP_PKEY_free(dica);
	EVP_PKEY_free(dev);
	EVP_PKEY_free(key);
	if (r != 0)
		pka_facts_clear(out);
	return r;
}

int
pkafile_build(const uint8_t *req, size_t req_len, const uint8_t *chain,
    size_t chain_len, struct tlv_buf *out)
{
	const uint8_t *p, *v;
	size_t left, vl, rl, dl;
	uint32_t tag;
	size_t m;

	/* One request TLV (EF CExx may hold padding after it). */
	p = req;
	left = req_len;
	if (tlv_next(&p, &left, &tag, &v, &vl) != 0 || tag != 0x67)
		return CUSTOS_ERR_FORMAT;
	rl = (size_t)(p - req);
	p = chain;
	left = chain_len;
	if (tlv_next(&p, &left, &tag, &v, &vl) != 0 || tag != 0x7F21 ||
	    left == 0)
		return CUSTOS_ERR_FORMAT;
	dl = (size_t)(p - chain);
	if (tlv_next(&p, &left, &tag, &v, &vl) != 0 || tag != 0x7F21)
		return CUSTOS_ERR_FORMAT;
	m = tlv_begin(out, 0x30);
	tlv_raw(out, req, rl);
	tlv_raw(out, chain, dl);
	tlv_raw(out, chain + dl, (size_t)(p - chain) - dl);
	tlv_end(out, m);
	return tlv_error(out);
}
