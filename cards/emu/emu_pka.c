/*
 * emu_pka.c - public key authentication on the emulated SmartCard-HSM:
 * checking a device certificate chain (MANAGE SECURITY ENVIRONMENT, PSO
 * VERIFY CERTIFICATE), registering the custodians' keys and the status
 * (MANAGE PUBLIC KEY, 80 54), and the n-of-m challenge-response
 * (MSE SET AT, GET CHALLENGE, EXTERNAL AUTHENTICATE). What a real device
 * does, and where each fact comes from: docs/emulator.md, "Public key
 * authentication".
 */
#include <string.h>

#include <openssl/evp.h>

#include "../apdu.h"
#include "../cvc.h"
#include "../cvc_roots.h"
#include "../tlv.h"
#include "emu_int.h"

static unsigned
authenticated(const struct emu *e)
{
	unsigned i, n = 0;

	for (i = 0; i < e->pka_total; i++)
		n += e->pka_ok[i] != 0;
	return n;
}

int
emu_user_ok(const struct emu *e)
{
	if (e->pka_total > 0)
		return authenticated(e) >= e->pka_required;
	return e->pin_ok;
}

void
emu_pka_reset(struct emu *e)
{
	size_t i;

	memset(e->pka_ok, 0, sizeof(e->pka_ok));
	e->pka_sel = -1;
	memset(e->chal, 0, sizeof(e->chal));
	e->chal_len = 0;
	for (i = 0; i < e->ntrust; i++)
		EVP_PKEY_free(e->trust[i].pub);
	memset(e->trust, 0, sizeof(e->trust));
	e->ntrust = 0;
	e->trust_sel = -1;
}

void
emu_pka_clear(struct emu *e)
{
	size_t i;

	for (i = 0; i < EMU_MAX_PKA; i++)
		EVP_PKEY_free(e->pka[i].pub);
	memset(e->pka, 0, sizeof(e->pka));
	e->pka_total = e->pka_required = 0;
	emu_pka_reset(e);
}

void
emu_pka_challenge(struct emu *e, const uint8_t *c, size_t n)
{
	/* Kept for EXTERNAL AUTHENTICATE when it fits (pico-hsm keeps up
	   to 256 bytes); a new challenge replaces the old one. */
	e->chal_len = 0;
	if (n == 0 || n > sizeof(e->chal))
		return;
	memcpy(e->chal, c, n);
	e->chal_len = n;
}

/* The 83 value (a key reference) of an MSE SET, as a string. */
static int
ref_of(const struct apdu *a, char out[17])
{
	const uint8_t *v;
	size_t vl;

	if (tlv_find(a->data, a->nc, 0x83, &v, &vl) != 0 || vl < 1 ||
	    vl > 16)
		return -1;
	memcpy(out, v, vl);
	out[vl] = '\0';
	return (int)strlen(out) == (int)vl ? 0 : -1;
}

/* Adds a checked key to the session's trust list (same CHR replaced;
   when full, the last entry is reused). Returns its index. */
static int
trust_add(struct emu *e, const char *chr, EVP_PKEY *pub, int depth)
{
	size_t i;

	for (i = 0; i < e->ntrust; i++)
		if (strcmp(e->trust[i].chr, chr) == 0)
			break;
	if (i == e->ntrust) {
		if (e->ntrust < EMU_MAX_TRUST)
			e->ntrust++;
		else
			i = EMU_MAX_TRUST - 1;
	}
	EVP_PKEY_free(e->trust[i].pub);
	snprintf(e->trust[i].chr, sizeof(e->trust[i].chr), "%s", chr);
	e->trust[i].pub = pub;
	e->trust[i].depth = depth;
	return (int)i;
}

uint16_t
emu_cmd_mse(struct emu *e, const struct apdu *a)
{
	char chr[17];
	EVP_PKEY *pub;
	size_t i;
	int emulated;

	if ((a->p1 & 0x01) == 0)
		return SW_WRONG_P1P2;	/* only SET */
	if (a->p2 != 0xB6 && a->p2 != 0xA4)
		return SW_WRONG_P1P2;
	if (ref_of(a, chr) != 0)
		return SW_WRONG_DATA;
	if (a->p2 == 0xB6) {	/* DST: the key to check a certificate */
		e->trust_sel = -1;
		for (i = 0; i < e->ntrust; i++)
			if (strcmp(e->trust[i].chr, chr) == 0) {
				e->trust_sel = (int)i;
				return SW_OK;
			}
		if (cvc_root_key(chr, &pub, &emulated) != 0)
			return SW_REF_NOT_FOUND;
		e->trust_sel = trust_add(e, chr, pub, 0);
		return SW_OK;
	}
	/* AT: the registered key the next EXTERNAL AUTHENTICATE is for. */
	e->pka_sel = -1;
	if (e->pka_total == 0)
		return SW_REF_NOT_FOUND;
	for (i = 0; i < e->pka_total; i++) {
		if (e->pka[i].pub == NULL || strcmp(e->pka[i].chr, chr) != 0)
			continue;
		if (e->pka_ok[i])
			return SW_CONDITIONS;	/* already authenticated */
		e->pka_sel = (int)i;
		return SW_OK;
	}
	return SW_REF_NOT_FOUND;
}

uint16_t
emu_cmd_pso_verify(struct emu *e, const struct apdu *a)
{
	const struct emu_trust *t;
	EVP_PKEY *holder = NULL;
	struct cvc c;

	if (a->p1 != 0x00 || a->p2 != 0xBE)
		return SW_WRONG_P1P2;
	if (e->trust_sel < 0)
		return SW_CONDITIONS;	/* no MSE SET DST before */
	t = &e->trust[e->trust_sel];
	if (cvc_check(a->data, a->nc, t->chr, t->pub, &holder, &c) != 0)
		return SW_WRONG_DATA;
	/* The chain is root, device issuer, device: a certificate signed
	   by a key that was itself checked against a device issuer is
	   not taken (a device key issues no certificates). */
	if (t->depth >= 2) {
		EVP_PKEY_free(holder);
		return SW_WRONG_DATA;
	}
	trust_add(e, c.chr, holder, t->depth + 1);
	return SW_OK;
}

/* The public key in an authenticated request, checked against the
   device key selected by MSE SET DST. */
static uint16_t
request_key(struct emu *e, const struct apdu *a, EVP_PKEY **key,
    char chr[17])
{
	const struct emu_trust *t;
	struct tlv_buf req;
	struct cvc c;
	size_t m;
	int r;

	if (e->trust_sel < 0 || e->trust[e->trust_sel].depth != 2)
		return SW_CONDITIONS;	/* the device was not checked */
	t = &e->trust[e->trust_sel];
	/* The data is the request's value (7F21, 42, 5F37), as OpenSC
	   sends it; a whole request (67) is taken too. */
	tlv_init(&req);
	if (a->nc >= 2 && a->data[0] == 0x7F && a->data[1] == 0x21) {
		m = tlv_begin(&req, 0x67);
		tlv_raw(&req, a->data, a->nc);
		tlv_end(&req, m);
	} else
		tlv_raw(&req, a->data, a->nc);
	r = tlv_error(&req) == 0 ? cvc_check_request(req.p, req.len, t->chr,
	    t->pub, key, &c) : -1;
	if (r == 0)
		memcpy(chr, c.chr, 17);
	tlv_free(&req);
	if (r != 0)
		return SW_WRONG_DATA;
	/* The answer is a SHA-256 signature: keys of more than 256 bits
	   are refused (Nitrokey's documentation of the real device). */
	if (EVP_PKEY_get_bits(*key) > 256) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return SW_WRONG_DATA;
	}
	return SW_OK;
}

static uint16_t
pka_status(const struct emu *e, struct emu_rsp *r)
{
	uint8_t out[4];
	unsigned i, missing = 0;

	for (i = 0; i < e->pka_total; i++)
		missing += e->pka[i].pub == NULL;
	out[0] = e->pka_total;
	out[1] = (uint8_t)missing;
	out[2] = e->pka_required;
	out[3] = (uint8_t)authenticated(e);
	return emu_rsp_add(r, out, sizeof(out)) == 0 ? SW_OK : SW_UNKNOWN;
}

uint16_t
emu_cmd_manage_puk(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	EVP_PKEY *key = NULL;
	char chr[17];
	unsigned i, slot = EMU_MAX_PKA;
	uint16_t sw;

	if (e->pka_total == 0)
		return SW_INS_NOT_SUPP;	/* as sc-hsm-tool expects */
	if (a->p1 == 0x02) {	/* the key in slot P2 */
		if (a->p2 >= e->pka_total)
			return SW_WRONG_P1P2;
		if (e->pka[a->p2].pub == NULL)
			return SW_REF_NOT_FOUND;
		if (emu_rsp_add(r, e->pka[a->p2].chr,
		    strlen(e->pka[a->p2].chr)) != 0)
			return SW_UNKNOWN;
		return e->pka_ok[a->p2] ? 0x9001 : SW_OK;
	}
	if (a->nc == 0)
		return a->p1 == 0x00 && a->p2 == 0x00 ? pka_status(e, r) :
		    SW_WRONG_P1P2;
	if (a->p1 == 0x00) {		/* register in the first free slot */
		if (a->p2 != 0x00)
			return SW_WRONG_P1P2;
		for (i = 0; i < e->pka_total; i++)
			if (e->pka[i].pub == NULL) {
				slot = i;
				break;
			}
		if (slot == EMU_MAX_PKA)
			return SW_NO_SPACE;
	} else if (a->p1 == 0x01) {	/* replace the key in slot P2 */
		if (!(e->options & 0x0008))
			return SW_CONDITIONS;
		if (!emu_user_ok(e))
			return SW_SECURITY;
		if (a->p2 >= e->pka_total)
			return SW_WRONG_P1P2;
		slot = a->p2;
	} else
		return SW_WRONG_P1P2;
	if ((sw = request_key(e, a, &key, chr)) != SW_OK)
		return sw;
	for (i = 0; i < e->pka_total; i++) {
		if (i == slot || e->pka[i].pub == NULL)
			continue;
		if (strcmp(e->pka[i].chr, chr) == 0 ||
		    EVP_PKEY_eq(e->pka[i].pub, key) == 1) {
			EVP_PKEY_free(key);
			return SW_FILE_EXISTS;	/* registered already */
		}
	}
	EVP_PKEY_free(e->pka[slot].pub);
	e->pka[slot].pub = key;
	memcpy(e->pka[slot].chr, chr, sizeof(e->pka[slot].chr));
	e->pka_ok[slot] = 0;
	return pka_status(e, r);
}

uint16_t
emu_cmd_ext_auth(struct emu *e, const struct apdu *a)
{
	uint8_t tbs[16 + sizeof(e->chal)];
	size_t dl = strlen(e->serial);
	int sel = e->pka_sel, ok;

	if (a->p1 != 0x00 || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (e->pka_total == 0 || sel < 0 || e->pka[sel].pub == NULL)
		return SW_REF_NOT_FOUND;
	if (a->nc == 0)
		return SW_WRONG_LENGTH;
	if (e->chal_len == 0)
		return SW_CONDITIONS;	/* no challenge pending */
	/* The signed message: the device's holder reference (the CHR of
	   its certificate), then the challenge (pico-hsm,
	   cmd_external_authenticate.c), hashed with SHA-256. */
	memcpy(tbs, e->serial, dl);
	memcpy(tbs + dl, e->chal, e->chal_len);
	ok = cvc_verify(e->pka[sel].pub, tbs, dl + e->chal_len, a->data,
	    a->nc) == 0;
	/* A challenge answers once: a replayed signature finds none. */
	memset(e->chal, 0, sizeof(e->chal));
	e->chal_len = 0;
	e->pka_sel = -1;
	if (!ok)
		return SW_CONDITIONS;
	e->pka_ok[sel] = 1;
	return SW_OK;
}
