/* sc_hsm.c - SmartCard-HSM client protocol: select, status, PINs, DKEK. */
#include <string.h>

#include "../common/secmem.h"

#include "apdu.h"
#include "card.h"
#include "sc_hsm.h"
#include "tlv.h"

static const uint8_t aid[] = {
	0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01
};

/* Per thread: devices restored at once (op_restore_many.c) each have
   their own thread, and a status word is read in the thread that got it. */
static _Thread_local uint16_t last_sw;

uint16_t
sc_hsm_last_sw(void)
{
	return last_sw;
}

int
sc_hsm_sw_err(uint16_t sw)
{
	if (sw == SW_OK)
		return 0;
	if ((sw & 0xfff0) == 0x63c0)
		return (sw & 0x0f) ? CUSTOS_ERR_WRONG_PIN :
		    CUSTOS_ERR_PIN_BLOCKED;
	switch (sw) {
	case SW_PIN_BLOCKED: return CUSTOS_ERR_PIN_BLOCKED;
	case SW_SECURITY: return CUSTOS_ERR_NOT_LOGGED_IN;
	case SW_NO_SPACE: case SW_MEMORY_FAILURE: return CUSTOS_ERR_CARD_FULL;
	case SW_INS_NOT_SUPP: case SW_CLA_NOT_SUPP:
		return CUSTOS_ERR_NOT_SC_HSM;
	}
	return CUSTOS_ERR_CARD;
}

int
sc_hsm_transmit(struct card *c, const struct apdu *a, uint8_t *rsp,
    size_t cap, size_t *rl, uint16_t *sw)
{
	int r = card_transmit(c, a, rsp, cap, rl, &last_sw);

	if (r != 0)
		last_sw = 0;
	if (sw != NULL)
		*sw = last_sw;
	return r;
}

/* Sends a; keeps the status word. */
static int
xfer(struct card *c, const struct apdu *a, uint8_t *rsp, size_t cap,
    size_t *rl)
{
	return sc_hsm_transmit(c, a, rsp, cap, rl, NULL);
}

int
sc_hsm_select(struct card *c, int *major, int *minor)
{
	struct apdu a = { 0x00, 0xA4, 0x04, 0x00, aid, sizeof(aid), 256 };
	uint8_t rsp[258];
	const uint8_t *v, *p;
	size_t rl = 0, vl;
	int r;

	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if (last_sw != SW_OK)
		return CUSTOS_ERR_NOT_SC_HSM;
	/* FCP 62 { ... 85 { ..., major, minor } } */
	if (rl < 2 || rsp[0] != 0x62 || tlv_find(rsp, rl, 0x62, &p, &vl) != 0
	    || tlv_find(p, vl, 0x85, &v, &vl) != 0 || vl < 2)
		return CUSTOS_ERR_NOT_SC_HSM;
	if (major != NULL)
		*major = v[vl - 2];
	if (minor != NULL)
		*minor = v[vl - 1];
	return 0;
}

int
sc_hsm_status(struct card *c, struct sc_hsm_status *st)
{
	struct apdu pin = { 0x00, 0x20, 0x00, 0x81, NULL, 0, 0 };
	struct apdu so = { 0x00, 0x20, 0x00, 0x88, NULL, 0, 0 };
	uint8_t rsp[258];
	size_t rl = 0, i;
	int r;

	memset(st, 0, sizeof(*st));
	st->pin_tries = st->so_tries = st->dkek_total = st->dkek_left = -1;
	st->initialized = -1;
	if ((r = sc_hsm_select(c, &st->fw_major, &st->fw_minor)) != 0)
		return r;
	if ((r = xfer(c, &so, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if ((last_sw & 0xfff0) == 0x63c0) {
		st->so_tries = last_sw & 0x0f;
		st->initialized = 1;
	} else if (last_sw == SW_PIN_BLOCKED) {
		st->so_tries = 0;
		st->initialized = 1;
	} else if (last_sw == SW_REF_NOT_FOUND)
		st->initialized = 0;
	if ((r = xfer(c, &pin, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if (last_sw == SW_OK) {
		st->pin_verified = 1;
		st->initialized = 1;
	} else if ((last_sw & 0xfff0) == 0x63c0) {
		st->pin_tries = last_sw & 0x0f;
		st->initialized = 1;
	} else if (last_sw == SW_PIN_BLOCKED) {
		st->pin_tries = 0;
		st->initialized = 1;
	}
	r = sc_hsm_dkek_query(c, &st->dkek_total, &st->dkek_left, st->kcv);
	if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NOMEM ||
	    r == CUSTOS_ERR_IO)
		return r;	/* transport: the card is gone */
	if (r == 0) {
		for (i = 0; i < 8; i++)
			if (st->kcv[i] != 0)
				st->kcv_known = 1;
	} else {
		st->dkek_total = st->dkek_left = -1;
		memset(st->kcv, 0, sizeof(st->kcv));
	}
	return 0;
}

int
sc_hsm_verify_so_pin(struct card *c, const uint8_t so[8], int *tries)
{
	uint8_t data[8], rsp[16];
	struct apdu a = { 0x00, 0x20, 0x00, 0x88, data, 8, 0 };
	size_t rl = 0;
	int r;

	memcpy(data, so, 8);
	r = xfer(c, &a, rsp, sizeof(rsp), &rl);
	secmem_wipe(data, sizeof(data));
	if (r != 0)
		return r;
	if (tries != NULL && (last_sw & 0xfff0) == 0x63c0)
		*tries = last_sw & 0x0f;
	if (last_sw == 0x6A88 || last_sw == 0x6A86 || last_sw == 0x6D00 ||
	    last_sw == 0x6B00)
		return CUSTOS_ERR_UNSUPPORTED;
	return sc_hsm_sw_err(last_sw);
}

/* INITIALIZE with a DKEK of dkek_shares (-1: none), or with key_domains
   key domain slots (> 0; dkek_shares is then -1). */
static int
initialize(struct card *c, const uint8_t so[8], const char *pin,
    size_t pinlen, int retries, int dkek_shares, int key_domains,
    const struct sc_hsm_pka_init *pka, int *so_tries)
{
	uint8_t data[64], rsp[16];
	struct apdu a = { 0x80, 0x50, 0x00, 0x00, data, 0, 0 };
	size_t n = 0, rl = 0;
	int r;

	if ((pin == NULL ? pka == NULL : (pinlen < 6 || pinlen > 16)) ||
	    retries < 1 || retries > 10 ||
	    dkek_shares < -1 || dkek_shares > 255 || key_domains < 0 ||
	    key_domains > SC_HSM_KD_MAX ||
	    (key_domains > 0 && dkek_shares >= 0) ||
	    (pka != NULL && (pka->total < 1 || pka->total > SC_HSM_PKA_MAX ||
	    pka->required < 1 || pka->required > pka->total)))
		return CUSTOS_ERR_LIMIT;
	data[n++] = 0x80; data[n++] = 2; data[n++] = 0x00;
	data[n++] = pka != NULL && pka->replace ? 0x09 : 0x01;
	if (pin != NULL) {
		data[n++] = 0x81; data[n++] = (uint8_t)pinlen;
		memcpy(data + n, pin, pinlen);
		n += pinlen;
	}
	data[n++] = 0x82; data[n++] = 8;
	memcpy(data + n, so, 8);
	n += 8;
	data[n++] = 0x91; data[n++] = 1; data[n++] = (uint8_t)retries;
	if (dkek_shares >= 0) {
		data[n++] = 0x92; data[n++] = 1;
		data[n++] = (uint8_t)dkek_shares;
	}
	if (key_domains > 0) {
		data[n++] = 0x97; data[n++] = 1;
		data[n++] = (uint8_t)key_domains;
	}
	if (pka != NULL) {
		data[n++] = 0x93; data[n++] = 2;
		data[n++] = (uint8_t)pka->total;
		data[n++] = (uint8_t)pka->required;
	}
	a.nc = n;
	r = xfer(c, &a, rsp, sizeof(rsp), &rl);
	secmem_wipe(data, sizeof(data));
	if (r != 0)
		return r;
	if (so_tries != NULL && (last_sw & 0xfff0) == 0x63c0)
		*so_tries = last_sw & 0x0f;
	if (last_sw == SW_CONDITIONS || last_sw == 0x6900 ||
	    last_sw == SW_NO_EF)
		return CUSTOS_ERR_WRONG_PIN;	/* as OpenSC reads it */
	return sc_hsm_sw_err(last_sw);
}

int
sc_hsm_initialize(struct card *c, const uint8_t so[8], const char *pin,
    size_t pinlen, int retries, int dkek_shares, int *so_tries)
{
	return initialize(c, so, pin, pinlen, retries, dkek_shares, 0,
	    NULL, so_tries);
}

int
sc_hsm_initialize_pka(struct card *c, const uint8_t so[8], const char *pin,
    size_t pinlen, int retries, int dkek_shares, int key_domains,
    const struct sc_hsm_pka_init *pka, int *so_tries)
{
	if (pka == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	return initialize(c, so, pin, pinlen, retries, dkek_shares,
	    key_domains, pka, so_tries);
}

int
sc_hsm_initialize_kd(struct card *c, const uint8_t so[8], const char *pin,
    size_t pinlen, int retries, int key_domains, int *so_tries)
{
	if (key_domains < 1)
		return CUSTOS_ERR_LIMIT;
	return initialize(c, so, pin, pinlen, retries, -1, key_domains,
	    NULL, so_tries);
}

/* The key domain status words: an empty slot, and no such slot. */
static int
kd_sw(uint16_t sw)
{
	if (sw == SW_REF_NOT_FOUND)
		return CUSTOS_ERR_NOT_FOUND;
	if (sw == SW_WRONG_P1P2 || sw == SW_WRONG_PARAMS ||
	    sw == SW_INS_NOT_SUPP)
		return CUSTOS_ERR_LIMIT;
	return 0;
}

/*
 * IMPORT DKEK SHARE / MANAGE KEY DOMAIN (80 52) on domain d: p1 00 with a
 * share or without (the status), 01 create (data: the shares), 04 clear
 * the KEK. kd: read the key domain status words (an empty slot, no such
 * slot); else as the DKEK's command always was.
 */
static int
kd_cmd(struct card *c, int d, uint8_t p1, const uint8_t *data, size_t nc,
    int kd, int *total, int *left, uint8_t kcv[8])
{
	struct apdu a = { 0x80, 0x52, p1, 0, data, nc, 256 };
	uint8_t rsp[258];
	size_t rl = 0;
	int r;

	if (d < 0 || d > 255)
		return CUSTOS_ERR_LIMIT;
	a.p2 = (uint8_t)d;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if (kd && (r = kd_sw(last_sw)) != 0)
		return r;
	if (kd && last_sw == SW_SECURITY)
		return CUSTOS_ERR_NOT_LOGGED_IN;
	if (kd && p1 == 0x01 && last_sw == SW_WRONG_DATA)
		return CUSTOS_ERR_INVALID_ARG;
	if (p1 == 0 && nc > 0 && (last_sw == SW_CONDITIONS ||
	    last_sw == SW_REF_NOT_FOUND || last_sw == SW_INS_NOT_SUPP))
		return CUSTOS_ERR_NO_DKEK;
	if ((r = sc_hsm_sw_err(last_sw)) != 0)
		return r;
	if (rl < 10)
		return CUSTOS_ERR_PROTOCOL;
	*total = rsp[0];
	*left = rsp[1];
	memcpy(kcv, rsp + 2, 8);
	return 0;
}

/* IMPORT DKEK SHARE with a share, or its status form without one. */
static int
dkek_cmd(struct card *c, const uint8_t *share, int *total, int *left,
    uint8_t kcv[8])
{
	int d = card_domain(c);

	return kd_cmd(c, d < 0 ? 0 : d, 0x00, share, share != NULL ? 32 : 0,
	    d >= 0, total, left, kcv);
}

int
sc_hsm_kd_query(struct card *c, int d, int *total, int *left,
    uint8_t kcv[8])
{
	return kd_cmd(c, d, 0x00, NULL, 0, 1, total, left, kcv);
}

int
sc_hsm_kd_import(struct card *c, int d, const uint8_t share[32], int *total,
    int *left, uint8_t kcv[8])
{
	return kd_cmd(c, d, 0x00, share, 32, 1, total, left, kcv);
}

int
sc_hsm_kd_create(struct card *c, int d, int shares, int *total, int *left,
    uint8_t kcv[8])
{
	uint8_t n = (uint8_t)shares;

	if (shares < 1 || shares > 255)
		return CUSTOS_ERR_LIMIT;
	return kd_cmd(c, d, 0x01, &n, 1, 1, total, left, kcv);
}

int
sc_hsm_kd_delete(struct card *c, int d)
{
	struct apdu a = { 0x80, 0x52, 0x03, 0, NULL, 0, 0 };
	uint8_t rsp[8];
	size_t rl = 0;
	int r;

	if (d < 0 || d > 255)
		return CUSTOS_ERR_LIMIT;
	a.p2 = (uint8_t)d;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	/* pico-hsm answers a deletion with 6A88, the status of the slot
	   now empty (a slot already empty is 6A86 there) */
	if (last_sw == SW_OK || last_sw == SW_REF_NOT_FOUND)
		return 0;
	if (last_sw == SW_FILE_EXISTS)
		return CUSTOS_ERR_EXISTS;
	if (last_sw == SW_SECURITY)
		return CUSTOS_ERR_NOT_LOGGED_IN;
	if ((r = kd_sw(last_sw)) != 0)
		return r;
	return sc_hsm_sw_err(last_sw);
}

int
sc_hsm_kd_slots(struct card *c, int *slots)
{
	int d, total, left, r;
	uint8_t kcv[8];

	*slots = 0;
	for (d = 0; d < SC_HSM_KD_MAX; d++) {
		r = sc_hsm_kd_query(c, d, &total, &left, kcv);
		if (r == CUSTOS_ERR_LIMIT)
			break;
		if (r != 0 && r != CUSTOS_ERR_NOT_FOUND)
			return r;
	}
	*slots = d;
	return 0;
}

int
sc_hsm_import_share(struct card *c, const uint8_t share[32], int *total,
    int *left, uint8_t kcv[8])
{
	return dkek_cmd(c, share, total, left, kcv);
}

int
sc_hsm_verify_pin(struct card *c, const char *pin, size_t len, int *tries)
{
	struct apdu a = { 0x00, 0x20, 0x00, 0x81, (const uint8_t *)pin, len,
	    0 };
	uint8_t rsp[8];
	size_t rl = 0;
	int r;

	if (len < 6 || len > 16)
		return CUSTOS_ERR_LIMIT;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if (tries != NULL && (last_sw & 0xfff0) == 0x63c0)
		*tries = last_sw & 0x0f;
	return sc_hsm_sw_err(last_sw);
}

int
sc_hsm_count_keys(struct card *c, int *n)
{
	struct apdu a = { 0x80, 0x58, 0x00, 0x00, NULL, 0, 65536 };
	uint8_t rsp[2048];
	size_t rl = 0, i;
	int r;

	*n = 0;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl)) != 0)
		return r;
	if ((r = sc_hsm_sw_err(last_sw)) != 0)
		return r;
	for (i = 0; i + 1 < rl; i += 2)
		if (rsp[i] == 0xCC && rsp[i + 1] != 0x00)
			(*n)++;
	return 0;
}

int
sc_hsm_dkek_query(struct card *c, int *total, int *left, uint8_t kcv[8])
{
	return dkek_cmd(c, NULL, total, left, kcv);
}
