/* sc_hsm_keys.c - SmartCard-HSM keys and files, client side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "../common/secmem.h"
#include "card.h"
#include "cvc.h"
#include "emu/emu.h"
#include "sc_hsm.h"
#include "sc_hsm_keys.h"


void
sc_hsm_key_clear(struct sc_hsm_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pub);
	memset(k, 0, sizeof(*k));
}

int
sc_hsm_device_chr(struct card *c, char chr[17])
{
	uint8_t *d = NULL;
	size_t n = 0;
	struct cvc cv;
	int r;

	chr[0] = '\0';
	if ((r = sc_hsm_read_ef(c, 0x2F02, &d, &n)) != 0)
		return r;
	if ((r = cvc_parse(d, n, &cv)) == 0)
		memcpy(chr, cv.chr, 17);
	free(d);
	return r;
}

int
sc_hsm_serial(struct card *c, char out[17])
{
	size_t l;
	int r;

	if ((r = sc_hsm_device_chr(c, out)) != 0)
		return r;
	l = strlen(out);
	if (l > 5)		/* less the 5-digit sequence number */
		out[l - 5] = '\0';
	return 0;
}

int
sc_hsm_pub_from_ce(const uint8_t *d, size_t n, EVP_PKEY **pub)
{
	const unsigned char *p = d;
	struct cvc cv;
	X509 *x;
	int r;

	*pub = NULL;
	if (d == NULL || n < 2)
		return CUSTOS_ERR_FORMAT;
	if (d[0] == 0x67 || (d[0] == 0x7F && d[1] == 0x21)) {
		if ((r = cvc_parse(d, n, &cv)) != 0)
			return r;
		return cvc_pubkey(cv.pub, cv.pub_len, NULL, pub);
	}
	if (d[0] != 0x30 || (x = d2i_X509(NULL, &p, (long)n)) == NULL)
		return CUSTOS_ERR_FORMAT;
	*pub = X509_get_pubkey(x);
	X509_free(x);
	return *pub != NULL ? 0 : CUSTOS_ERR_UNSUPPORTED;
}

void
sc_hsm_key_describe(struct sc_hsm_key *k)
{
	const char *curve;

	memset(k->fpr, 0, sizeof(k->fpr));
	if (k->pub != NULL) {
		if (EVP_PKEY_get_base_id(k->pub) == EVP_PKEY_RSA)
			snprintf(k->kind, sizeof(k->kind), "RSA-%d",
			    EVP_PKEY_get_bits(k->pub));
		else if ((curve = cvc_curve_name(k->pub)) != NULL)
			snprintf(k->kind, sizeof(k->kind), "EC %s", curve);
		else
			snprintf(k->kind, sizeof(k->kind), "EC");
		if (cvc_spki_sha256(k->pub, k->fpr) != 0)
			memset(k->fpr, 0, sizeof(k->fpr));
		return;
	}
	if (k->has_prkd && k->prkd.type == PRKD_RSA)
		snprintf(k->kind, sizeof(k->kind), "RSA-%u", k->prkd.bits);
	else if (k->has_prkd && k->prkd.type == PRKD_EC)
		snprintf(k->kind, sizeof(k->kind), "EC-%u", k->prkd.bits);
	else
		snprintf(k->kind, sizeof(k->kind), "unknown");
}

/* Marks which references have a key, a PrKD or a CExx. */
static int
scan(struct card *c, uint8_t key[256], uint8_t any[256])
{
	uint16_t fids[1024];
	size_t n = 0, i;
	int r;

	memset(key, 0, 256);
	memset(any, 0, 256);
	if ((r = sc_hsm_enumerate(c, fids, 1024, &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		uint8_t hi = (uint8_t)(fids[i] >> 8), lo = (uint8_t)fids[i];

		if (hi == 0xCC)
			key[lo] = 1;
		if (hi == 0xCC || hi == 0xC4 || hi == 0xCE)
			any[lo] = 1;
	}
	return 0;
}

/* Reads C4xx and CExx of k->ref; a missing file is not an error. */
static int
load_key(struct card *c, struct sc_hsm_key *k)
{
	uint8_t *d = NULL;
	size_t n = 0;
	int r;

	if ((r = sc_hsm_read_ef_opt(c, (uint16_t)(0xC400 | k->ref), &d, &n)) !=
	    0)
		return r;
	k->has_prkd = d != NULL && prkd_parse(d, n, &k->prkd) == 0;
	free(d);
	d = NULL;
	if ((r = sc_hsm_read_ef_opt(c, (uint16_t)(0xCE00 | k->ref), &d, &n)) !=
	    0)
		return r;
	if (d != NULL && sc_hsm_pub_from_ce(d, n, &k->pub) != 0)
		k->pub = NULL;
	free(d);
	sc_hsm_key_describe(k);
	return 0;
}

int
sc_hsm_list_keys(struct card *c, struct sc_hsm_key *keys, size_t cap,
    size_t *n)
{
	uint8_t key[256], any[256];
	size_t i;
	int r, ref;

	*n = 0;
	if ((r = scan(c, key, any)) != 0)
		return r;
	for (ref = 1; ref <= 255 && *n < cap; ref++) {
		if (!key[ref])
			continue;
		memset(&keys[*n], 0, sizeof(keys[*n]));
		keys[*n].ref = ref;
		if ((r = load_key(c, &keys[*n])) != 0) {
			sc_hsm_key_clear(&keys[*n]);
			for (i = 0; i < *n; i++)
				sc_hsm_key_clear(&keys[i]);
			*n = 0;
			return r;
		}
		(*n)++;
	}
	return 0;
}

int
sc_hsm_free_ref(struct card *c, int *ref)
{
	uint8_t key[256], any[256];
	int r, i;

	*ref = -1;
	if ((r = scan(c, key, any)) != 0)
		return r;
	for (i = 1; i <= 255; i++)
		if (!any[i]) {
			*ref = i;
			return 0;
		}
	return CUSTOS_ERR_CARD_FULL;
}

int
sc_hsm_default_id(EVP_PKEY *pub, uint8_t id[20])
{
	uint8_t buf[1024];
	size_t n = 0;
	BIGNUM *bn = NULL;
	int r = CUSTOS_ERR_CRYPTO;

	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &bn) == 1
		    && BN_num_bytes(bn) <= (int)sizeof(buf)) {
			n = (size_t)BN_bn2bin(bn, buf);
			r = 0;
		}
	} else if (EVP_PKEY_get_octet_string_param(pub,
	    OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &n) == 1)
		r = 0;
	if (r == 0 && EVP_Digest(buf, n, id, NULL, EVP_sha1(), NULL) != 1)
		r = CUSTOS_ERR_CRYPTO;
	BN_free(bn);
	return r;
}

/* The GAKP command data: CPI, CAR, the template, CHR. */
static int
gakp_data(struct card *c, const char *curve, unsigned bits, int domain,
    struct tlv_buf *b)
{
	char serial[17], chr[24];
	int r;

	if (sc_hsm_serial(c, serial) != 0 || serial[0] == '\0')
		snprintf(serial, sizeof(serial), "UTTM");
	snprintf(chr, sizeof(chr), "%s00001", serial);
	tlv_put_u8(b, 0x5F29, 0x00);
	tlv_put(b, 0x42, "UTCA00001", 9);
	if ((r = cvc_put_keygen_template(b, curve, bits)) != 0)
		return r;
	tlv_put(b, 0x5F20, chr, strlen(chr));
	if (domain >= 0)	/* the key domain (docs/emulator.md) */
		tlv_put_u8(b, 0x92, (uint8_t)domain);
	return tlv_error(b);
}

int
sc_hsm_keygen(struct card *c, int ref, const char *curve, unsigned bits,
    const char *label, const uint8_t *id, size_t idlen,
    struct sc_hsm_key *out)
{
	return sc_hsm_keygen_kd(c, ref, card_domain(c), curve, bits, label, id,
	    idlen, out);
}

int
sc_hsm_keygen_kd(struct card *c, int ref, int domain, const char *curve,
    unsigned bits, const char *label, const uint8_t *id, size_t idlen,
    struct sc_hsm_key *out)
{
	struct apdu a = { 0x00, 0x46, (uint8_t)ref, 0x00, NULL, 0, 65536 };
	uint8_t key[256], any[256], *rsp = NULL, defid[20];
	struct tlv_buf data, pb;
	struct sc_hsm_key k;
	size_t rl = 0;
	uint16_t sw;
	int r;

	memset(&k, 0, sizeof(k));
	tlv_init(&data);
	tlv_init(&pb);
	r = CUSTOS_ERR_INVALID_ARG;
	if (ref < 1 || ref > 255 || label == NULL ||
	    strlen(label) > PRKD_LABEL_MAX || idlen > PRKD_ID_MAX ||
	    (id != NULL && idlen == 0))
		goto out;
	if ((r = scan(c, key, any)) != 0)
		goto out;
	if (any[ref]) {
		r = CUSTOS_ERR_EXISTS;
		goto out;
	}
	if (domain > 255 || (r = gakp_data(c, curve, bits, domain, &data)) !=
	    0)
		goto out;
	if ((rsp = malloc(SC_HSM_EF_MAX + 2)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	a.data = data.p;
	a.nc = data.len;
	if ((r = sc_hsm_transmit(c, &a, rsp, SC_HSM_EF_MAX + 2, &rl, &sw)) !=
	    0)
		goto out;
	if (sw == SW_FILE_EXISTS) {
		r = CUSTOS_ERR_EXISTS;
		goto out;
	}
	if (sw == SW_WRONG_DATA) {
		r = CUSTOS_ERR_UNSUPPORTED;
		goto out;
	}
	if (domain >= 0 && sw == SW_REF_NOT_FOUND) {
		r = CUSTOS_ERR_NOT_FOUND;	/* no such key domain */
		goto out;
	}
	if ((r = sc_hsm_sw_err(sw)) != 0)
		goto out;
	k.ref = ref;
	if (sc_hsm_pub_from_ce(rsp, rl, &k.pub) != 0) {
		r = CUSTOS_ERR_PROTOCOL;
		goto out;
	}
	/* The request first: it holds the public key for everyone. */
	if ((r = sc_hsm_write_ef(c, (uint16_t)(0xCE00 | ref), rsp, rl)) != 0)
		goto out;
	k.has_prkd = 1;
	k.prkd.type = EVP_PKEY_get_base_id(k.pub) == EVP_PKEY_RSA ? PRKD_RSA :
	    PRKD_EC;
	snprintf(k.prkd.label, sizeof(k.prkd.label), "%s", label);
	if (id == NULL) {
		if ((r = sc_hsm_default_id(k.pub, defid)) != 0)
			goto out;
		id = defid;
		idlen = sizeof(defid);
	}
	memcpy(k.prkd.id, id, idlen);
	k.prkd.id_len = idlen;
	k.prkd.key_ref = ref;
	k.prkd.bits = (unsigned)EVP_PKEY_get_bits(k.pub);
	if ((r = prkd_encode(&k.prkd, &pb)) != 0 ||
	    (r = sc_hsm_write_ef(c, (uint16_t)(0xC400 | ref), pb.p, pb.len)) !=
	    0)
		goto out;
	sc_hsm_key_describe(&k);
	*out = k;
	memset(&k, 0, sizeof(k));
	r = 0;
 out:
	sc_hsm_key_clear(&k);
	free(rsp);
	tlv_free(&data);
	tlv_free(&pb);
	return r;
}

int
sc_hsm_delete_key(struct card *c, int ref)
{
	int r, had;

	if (ref < 1 || ref > 255)
		return CUSTOS_ERR_INVALID_ARG;
	r = sc_hsm_delete_ef(c, (uint16_t)(0xCC00 | ref));
	if (r != 0 && r != CUSTOS_ERR_NOT_FOUND)
		return r;
	had = r == 0;
	r = sc_hsm_delete_ef(c, (uint16_t)(0xC400 | ref));
	if (r != 0 && r != CUSTOS_ERR_NOT_FOUND)
		return r;
	r = sc_hsm_delete_ef(c, (uint16_t)(0xCE00 | ref));
	if (r != 0 && r != CUSTOS_ERR_NOT_FOUND)
		return r;
	return had ? 0 : CUSTOS_ERR_NO_KEY;
}

/* Status words of WRAP and UNWRAP. */
static int
wrap_err(uint16_t sw)
{
	switch (sw) {
	case SW_REF_NOT_FOUND: case SW_FILE_NOT_FOUND:
		return CUSTOS_ERR_NO_KEY;
	case SW_CONDITIONS:
		return CUSTOS_ERR_NO_DKEK;
	case SW_WRONG_DATA:
		return CUSTOS_ERR_DKEK_MISMATCH;
	case SW_FILE_EXISTS:
		return CUSTOS_ERR_EXISTS;
	}
	return sc_hsm_sw_err(sw);
}

int
sc_hsm_wrap_key(struct card *c, int ref, uint8_t *blob, size_t cap,
    size_t *len)
{
	struct apdu a = { 0x80, 0x72, (uint8_t)ref, 0x92, NULL, 0, 65536 };
	uint16_t sw;
	int r;

	*len = 0;
	if (ref < 1 || ref > 255)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = sc_hsm_transmit(c, &a, blob, cap, len, &sw)) != 0)
		return r;
	if (sw != SW_OK) {
		secmem_wipe(blob, *len);
		*len = 0;
		return wrap_err(sw);
	}
	return *len > 0 ? 0 : CUSTOS_ERR_PROTOCOL;
}

int
sc_hsm_unwrap_key(struct card *c, int ref, const uint8_t *blob, size_t len,
    int staged)
{
	struct apdu a = { 0x80, 0x74, (uint8_t)ref, 0x93, blob, len, 0 };
	uint8_t rsp[8];
	size_t rl;
	uint16_t sw;
	int r;

	if (ref < 1 || ref > 255 || blob == NULL || len == 0)
		return CUSTOS_ERR_INVALID_ARG;
	if (staged) {
		/* A longer blob left by an interrupted run would keep its
		 * tail after a shorter write. */
		if ((r = sc_hsm_replace_ef(c, 0x2F10, blob, len)) != 0)
			return r;
		a.data = NULL;
		a.nc = 0;
	}
	if ((r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	/* 6A80 is the SmartCard-HSM's answer to a blob of another DKEK;
	   another implementation answers 6400 (execution error, memory
	   unchanged) to a blob altered inside its encrypted part. Either
	   way the blob does not open under this DKEK (issue 14). */
	r = sw == SW_EXEC_ERROR ? CUSTOS_ERR_DKEK_MISMATCH : wrap_err(sw);
	/* Leave no blob behind (the next staged unwrap replaces it
	 * anyway); only a removed card changes the answer. */
	if (staged && sw != SW_OK && sc_hsm_delete_ef(c, 0x2F10) ==
	    CUSTOS_ERR_CARD_REMOVED)
		r = CUSTOS_ERR_CARD_REMOVED;
	return r;
}

int
sc_hsm_sign(struct card *c, int ref, uint8_t alg, const uint8_t *in,
    size_t n, uint8_t *sig, size_t cap, size_t *siglen)
{
	struct apdu a = { 0x80, 0x68, (uint8_t)ref, alg, in, n, 65536 };
	uint16_t sw;
	int r;

	*siglen = 0;
	if ((r = sc_hsm_transmit(c, &a, sig, cap, siglen, &sw)) != 0)
		return r;
	if (sw == SW_REF_NOT_FOUND || sw == SW_FILE_NOT_FOUND)
		return CUSTOS_ERR_NO_KEY;
	if ((r = sc_hsm_sw_err(sw)) != 0)
		*siglen = 0;
	return r;
}

int
sc_hsm_prove_key(struct card *c, const struct sc_hsm_key *k)
{
	uint8_t msg[32], sig[1024];
	size_t sl = 0;
	EVP_MD_CTX *md = NULL;
	int r, rsa;

	if (k->pub == NULL)
		return CUSTOS_ERR_NOT_FOUND;
	rsa = EVP_PKEY_get_base_id(k->pub) == EVP_PKEY_RSA;
	secmem_random(msg, sizeof(msg));
	if ((r = sc_hsm_sign(c, k->ref, rsa ? 0x33 : 0x73, msg, sizeof(msg),
	    sig, sizeof(sig), &sl)) != 0)
		return r;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return CUSTOS_ERR_NOMEM;
	r = CUSTOS_ERR_CORRUPT;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pub) == 1 &&
	    EVP_DigestVerify(md, sig, sl, msg, sizeof(msg)) == 1)
		r = 0;
	EVP_MD_CTX_free(md);
	return r;
}

int
sc_hsm_change_pin(struct card *c, const char *old, size_t oldlen,
    const char *pin, size_t len, int *tries)
{
	uint8_t data[32], rsp[8];
	struct apdu a = { 0x00, 0x24, 0x00, 0x81, data, oldlen + len, 0 };
	size_t rl;
	uint16_t sw;
	int r;

	if (oldlen < 6 || oldlen > 16 || len < 6 || len > 16)
		return CUSTOS_ERR_LIMIT;
	memcpy(data, old, oldlen);
	memcpy(data + oldlen, pin, len);
	r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw);
	secmem_wipe(data, sizeof(data));
	if (r != 0)
		return r;
	if (tries != NULL && (sw & 0xfff0) == 0x63c0)
		*tries = sw & 0x0f;
	return sc_hsm_sw_err(sw);
}

int
sc_hsm_challenge(struct card *c, uint8_t *buf, size_t n)
{
	struct apdu a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, n };
	uint8_t rsp[258];
	size_t rl = 0;
	uint16_t sw;
	int r;

	if (n == 0 || n > 256)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	if ((r = sc_hsm_sw_err(sw)) == 0 && rl != n)
		r = CUSTOS_ERR_PROTOCOL;
	if (r == 0)
		memcpy(buf, rsp, n);
	secmem_wipe(rsp, sizeof(rsp));
	return r;
}

int
sc_hsm_parse_type(const char *s, const char **curve, unsigned *bits)
{
	static const char *const alias[][2] = {
		{ "P-256", "prime256v1" }, { "P-384", "secp384r1" },
		{ "P-521", "secp521r1" }, { "secp256r1", "prime256v1" },
	};
	char *end = NULL;
	unsigned long v;
	size_t i;

	*curve = NULL;
	*bits = 0;
	if (strncasecmp(s, "rsa:", 4) == 0) {
		v = strtoul(s + 4, &end, 10);
		if (*end != '\0' || (v != 2048 && v != 3072 && v != 4096))
			return CUSTOS_ERR_INVALID_ARG;
		*bits = (unsigned)v;
		return 0;
	}
	if (strncasecmp(s, "ec:", 3) != 0 || s[3] == '\0')
		return CUSTOS_ERR_INVALID_ARG;
	*curve = s + 3;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcasecmp(*curve, alias[i][0]) == 0)
			*curve = alias[i][1];
	return 0;
}

int
sc_hsm_is_emulator(const struct card *c, const char *serial)
{
	return card_is_emulated(c) || (serial != NULL && strncmp(serial,
	    EMU_SERIAL_PREFIX, strlen(EMU_SERIAL_PREFIX)) == 0);
}
