/*
 * emu_pin.c - the emulated SmartCard-HSM's PIN and DKEK commands: VERIFY
 * (user PIN and SO PIN status), CHANGE REFERENCE DATA, RESET RETRY
 * COUNTER, INITIALIZE DEVICE and IMPORT DKEK SHARE. Dispatched from
 * emu.c; behaviour and sources in docs/emulator.md.
 */
#include <string.h>

#include <openssl/evp.h>

#include "../../common/secmem.h"
#include "../apdu.h"
#include "../tlv.h"
#include "emu_int.h"

static uint16_t
pin_status(const struct emu *e)
{
	if (!e->initialized)
		return SW_REF_NOT_FOUND;
	if (e->pin_tries == 0)
		return SW_PIN_BLOCKED;
	if (emu_user_ok(e))
		return SW_OK;
	if (e->pin_len == 0)
		return SW_REF_NOT_FOUND;	/* PKA without a user PIN */
	return (uint16_t)(0x63C0 | (e->pin_tries & 0x0f));
}

static uint16_t
so_status(const struct emu *e)
{
	if (!e->initialized)
		return SW_REF_NOT_FOUND;
	if (e->so_tries == 0)
		return SW_PIN_BLOCKED;
	return (uint16_t)(0x63C0 | (e->so_tries & 0x0f));
}

/* Checks the SO PIN (8 bytes) and counts a wrong one. */
static uint16_t
so_check(struct emu *e, const uint8_t *so)
{
	if (e->so_tries == 0)
		return SW_PIN_BLOCKED;
	if (secmem_equal(so, e->so_pin, 8) != 0) {
		e->so_tries--;
		return e->so_tries ? (uint16_t)(0x63C0 | (e->so_tries & 0xf)) :
		    SW_PIN_BLOCKED;
	}
	e->so_tries = EMU_SO_TRIES;
	return SW_OK;
}

uint16_t
emu_cmd_verify(struct emu *e, const struct apdu *a)
{
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p2 == 0x88) {
		if (a->nc == 0)
			return so_status(e);
		if (!e->initialized)
			return SW_REF_NOT_FOUND;
		return a->nc == 8 ? so_check(e, a->data) : SW_WRONG_LENGTH;
	}
	if (a->p2 != 0x81)
		return SW_REF_NOT_FOUND;
	if (a->nc == 0)
		return pin_status(e);
	if (!e->initialized || e->pin_len == 0)
		return SW_REF_NOT_FOUND;
	if (e->pin_tries == 0)
		return SW_PIN_BLOCKED;
	if (a->nc != e->pin_len || secmem_equal(a->data, e->pin, a->nc) != 0) {
		e->pin_ok = 0;
		e->pin_tries--;
		return e->pin_tries ?
		    (uint16_t)(0x63C0 | (e->pin_tries & 0xf)) : SW_PIN_BLOCKED;
	}
	e->pin_tries = e->pin_max;
	e->pin_ok = 1;
	return SW_OK;
}

uint16_t
emu_cmd_change(struct emu *e, const struct apdu *a)
{
	uint16_t sw;

	if (!e->initialized)
		return SW_REF_NOT_FOUND;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p2 == 0x88) {
		if (a->nc != 16)
			return SW_WRONG_LENGTH;
		if ((sw = so_check(e, a->data)) != SW_OK)
			return sw;
		memcpy(e->so_pin, a->data + 8, 8);
		return SW_OK;
	}
	if (a->p2 != 0x81 || e->pin_len == 0)
		return SW_REF_NOT_FOUND;	/* PKA without a user PIN */
	if (e->pin_tries == 0)
		return SW_PIN_BLOCKED;
	if (a->nc < e->pin_len + 6 || a->nc > e->pin_len + 16)
		return SW_WRONG_LENGTH;
	if (secmem_equal(a->data, e->pin, e->pin_len) != 0) {
		e->pin_ok = 0;
		e->pin_tries--;
		return e->pin_tries ?
		    (uint16_t)(0x63C0 | (e->pin_tries & 0xf)) : SW_PIN_BLOCKED;
	}
	e->pin_len = a->nc - e->pin_len;
	memmove(e->pin, a->data + (a->nc - e->pin_len), e->pin_len);
	e->pin_tries = e->pin_max;
	e->pin_ok = 1;
	return SW_OK;
}

uint16_t
emu_cmd_reset_retry(struct emu *e, const struct apdu *a)
{
	uint16_t sw;

	if (!e->initialized)
		return SW_REF_NOT_FOUND;
	if (a->p2 != 0x81)
		return SW_REF_NOT_FOUND;
	if (!(e->options & 0x0001))
		return SW_CONDITIONS;
	if (a->p1 == 0x00) {
		if (a->nc < 8 + 6 || a->nc > 8 + 16)
			return SW_WRONG_LENGTH;
	} else if (a->p1 == 0x01) {
		if (a->nc != 8)
			return SW_WRONG_LENGTH;
	} else
		return SW_WRONG_P1P2;
	if ((sw = so_check(e, a->data)) != SW_OK)
		return sw;
	if (a->p1 == 0x00) {
		e->pin_len = a->nc - 8;
		memcpy(e->pin, a->data + 8, e->pin_len);
	}
	e->pin_tries = e->pin_max;
	return SW_OK;
}

uint16_t
emu_cmd_initialize(struct emu *e, const struct apdu *a)
{
	const uint8_t *p = a->data, *v, *pin = NULL, *so = NULL;
	size_t left = a->nc, vl, pinlen = 0;
	uint32_t tag;
	uint16_t options = 0, sw;
	uint8_t retry = 3, shares = 0, kds = 0, pka_n = 0, pka_m = 0;

	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	while (left > 0) {
		if (tlv_next(&p, &left, &tag, &v, &vl) != 0)
			return SW_WRONG_DATA;
		switch (tag) {
		case 0x80:
			if (vl != 2)
				return SW_WRONG_DATA;
			options = (uint16_t)((v[0] << 8) | v[1]);
			break;
		case 0x81:
			if (vl < 6 || vl > 16)
				return SW_WRONG_DATA;
			pin = v;
			pinlen = vl;
			break;
		case 0x82:
			if (vl != 8)
				return SW_WRONG_DATA;
			so = v;
			break;
		case 0x91:
			if (vl != 1 || v[0] < 1 || v[0] > 10)
				return SW_WRONG_DATA;
			retry = v[0];
			break;
		case 0x92:
			if (vl != 1)
				return SW_WRONG_DATA;
			shares = v[0];
			break;
		case 0x97:	/* key domain slots */
			if (vl != 1 || v[0] < 1 || v[0] > EMU_MAX_KD)
				return SW_WRONG_DATA;
			kds = v[0];
			break;
		case 0x93:	/* public key authentication: N, then M */
			if (vl != 2 || v[0] < 1 || v[0] > EMU_MAX_PKA ||
			    v[1] < 1 || v[1] > v[0])
				return SW_WRONG_DATA;
			pka_n = v[0];
			pka_m = v[1];
			break;
		default:
			break;
		}
	}
	/* With public key authentication the user PIN may be left out. */
	if ((pin == NULL && pka_n == 0) || so == NULL)
		return SW_WRONG_DATA;
	if (e->initialized && (sw = so_check(e, so)) != SW_OK)
		return sw;
	emu_wipe_user_data(e);
	e->initialized = 1;
	e->options = options;
	secmem_wipe(e->pin, sizeof(e->pin));
	if (pin != NULL)
		memcpy(e->pin, pin, pinlen);
	e->pin_len = pinlen;
	e->pka_total = pka_n;
	e->pka_required = pka_m;
	e->pin_max = e->pin_tries = retry;
	memcpy(e->so_pin, so, 8);
	e->so_tries = EMU_SO_TRIES;
	secmem_wipe(e->kd, sizeof(e->kd));
	/* Key domain slots start empty, slot 0 too: tag 92 is then not
	   used (pico-hsm does the same; docs/emulator.md). */
	e->nkd = kds;
	if (kds == 0)
		e->kd[0].total = e->kd[0].left = shares;
	e->pin_ok = 0;
	return SW_OK;
}

int
emu_kd_exists(const struct emu *e, unsigned d)
{
	if (e->nkd == 0)
		return d == 0 && e->kd[0].total > 0;
	return d < e->nkd && e->kd[d].used;
}

int
emu_kd_ready(const struct emu *e, unsigned d)
{
	return emu_kd_exists(e, d) && e->kd[d].total > 0 &&
	    e->kd[d].left == 0;
}

int
emu_kd_kcv(const struct emu *e, unsigned d, uint8_t kcv[8])
{
	uint8_t h[32];

	if (EVP_Digest(e->kd[d].kek, 32, h, NULL, EVP_sha256(), NULL) != 1)
		return -1;
	memcpy(kcv, h, 8);
	secmem_wipe(h, sizeof(h));
	return 0;
}

/* Shares, outstanding, and the KCV once complete (zeros before). */
static uint16_t
kd_status(struct emu *e, unsigned d, struct emu_rsp *r)
{
	uint8_t out[10];

	out[0] = e->kd[d].total;
	out[1] = e->kd[d].left;
	memset(out + 2, 0, 8);
	if (emu_kd_ready(e, d) && (!e->kcv_after_login || emu_user_ok(e)) &&
	    emu_kd_kcv(e, d, out + 2) != 0)
		return SW_UNKNOWN;
	return emu_rsp_add(r, out, sizeof(out)) == 0 ? SW_OK : SW_UNKNOWN;
}

/* Whether a key lives in domain d. */
static int
kd_holds_keys(const struct emu *e, unsigned d)
{
	size_t i;

	for (i = 1; i < EMU_MAX_KEYS; i++)
		if (e->keys[i].pkey != NULL && e->keys[i].domain == d)
			return 1;
	return 0;
}

/* MANAGE KEY DOMAIN (80 52, P1 01 create, 03 delete, 04 clear the KEK)
   on slot d of a device initialized with key domains. */
static uint16_t
kd_manage(struct emu *e, const struct apdu *a, unsigned d,
    struct emu_rsp *r)
{
	struct emu_kd *k = &e->kd[d];

	if (!emu_user_ok(e))
		return SW_SECURITY;
	switch (a->p1) {
	case 0x01:
		if (a->nc != 1 || a->data[0] < 1)
			return SW_WRONG_DATA;
		if (k->used)
			return SW_WRONG_P1P2;	/* the slot is taken */
		k->used = 1;
		k->total = k->left = a->data[0];
		secmem_wipe(k->kek, sizeof(k->kek));
		return kd_status(e, d, r);
	case 0x03:
		if (!k->used)
			return SW_WRONG_P1P2;
		if (kd_holds_keys(e, d))
			return SW_FILE_EXISTS;
		secmem_wipe(k, sizeof(*k));
		return SW_OK;
	case 0x04:
		if (!k->used)
			return SW_WRONG_P1P2;
		k->left = k->total;
		secmem_wipe(k->kek, sizeof(k->kek));
		return kd_status(e, d, r);
	}
	return SW_FUNC_NOT_SUPP;	/* 02: XKEK domains, not emulated */
}

uint16_t
emu_cmd_import_dkek(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	unsigned d = a->p2;
	struct emu_kd *k;
	size_t i;

	if (a->p1 > 0x04)
		return SW_WRONG_P1P2;
	if (d >= EMU_MAX_KD)
		return SW_WRONG_PARAMS;
	/* Without key domain slots there is the DKEK alone (domain 0). */
	if ((e->nkd == 0 && (d != 0 || a->p1 != 0)) ||
	    (e->nkd > 0 && d >= e->nkd))
		return SW_WRONG_P1P2;
	if (a->p1 != 0)
		return kd_manage(e, a, d, r);
	k = &e->kd[d];
	if (!e->initialized && a->nc != 0)
		return SW_CONDITIONS;
	if (e->nkd > 0 && !k->used)
		return a->nc == 0 ? SW_REF_NOT_FOUND : SW_CONDITIONS;
	if (a->nc != 0) {
		if (a->nc != 32)
			return SW_WRONG_LENGTH;
		if (k->total == 0 || k->left == 0)
			return SW_CONDITIONS;
		for (i = 0; i < 32; i++)
			k->kek[i] ^= a->data[i];
		k->left--;
	}
	/* No DKEK configured: 0 shares, 0 outstanding, KCV unknown. */
	return kd_status(e, d, r);
}
