/*
 * emu_ef.c - the emulated SmartCard-HSM's elementary-file commands: READ
 * BINARY, UPDATE BINARY (odd instruction, offset in a data object),
 * DELETE FILE and ENUMERATE OBJECTS. Dispatched from emu.c; behaviour
 * and sources in docs/emulator.md.
 */
#include <string.h>

#include "../apdu.h"
#include "../tlv.h"
#include "emu_int.h"

static uint16_t
odd_offset(const struct apdu *a, size_t *off, const uint8_t **d, size_t *dn)
{
	const uint8_t *p = a->data, *v;
	size_t left = a->nc, vl;
	uint32_t tag;

	*off = 0;
	*d = NULL;
	*dn = 0;
	while (left > 0) {
		if (tlv_next(&p, &left, &tag, &v, &vl) != 0)
			return SW_WRONG_DATA;
		if (tag == 0x54) {
			if (vl < 1 || vl > 3)
				return SW_WRONG_DATA;
			*off = tlv_uint(v, vl);
		} else if (tag == 0x53 || tag == 0x73) {
			*d = v;
			*dn = vl;
		}
	}
	return SW_OK;
}

static uint16_t
file_id(struct emu *e, const struct apdu *a, uint16_t *fid)
{
	*fid = (uint16_t)((a->p1 << 8) | a->p2);
	if (*fid == 0)
		*fid = e->cur_ef;
	return *fid == 0 ? SW_NO_EF : SW_OK;
}

/* Key files (CCxx) and the device key are not readable. */
uint16_t
emu_cmd_read_binary(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	const struct emu_file *f;
	const uint8_t *d;
	size_t off = 0, dn, n;
	uint16_t fid, sw;

	if (a->ins == 0xB1) {
		if ((sw = file_id(e, a, &fid)) != SW_OK)
			return sw;
		if ((sw = odd_offset(a, &off, &d, &dn)) != SW_OK)
			return sw;
	} else {
		if (a->p1 & 0x80)
			return SW_WRONG_P1P2;	/* short EF id: none here */
		fid = e->cur_ef;
		if (fid == 0)
			return SW_NO_EF;
		off = (size_t)((a->p1 << 8) | a->p2);
	}
	if ((fid >> 8) == 0xCC)
		return SW_SECURITY;
	if ((f = emu_file_find(e, fid)) == NULL)
		return SW_FILE_NOT_FOUND;
	e->cur_ef = fid;
	if (off > f->len)
		return SW_WRONG_PARAMS;
	n = f->len - off;
	if (a->ne != 0 && n > a->ne)
		n = a->ne;
	/* Reading at the end gives no data and 9000: clients read until
	 * an empty answer. */
	if (emu_rsp_add(r, f->data + off, n) != 0)
		return SW_UNKNOWN;
	return SW_OK;
}

/* Which files a client may write: PrKD, certificates, data, token info. */
static int
writable(uint16_t fid)
{
	uint8_t hi = (uint8_t)(fid >> 8);

	if (fid == 0x2F02 || hi == 0xCC)
		return 0;
	return 1;
}

uint16_t
emu_cmd_update_binary(struct emu *e, const struct apdu *a)
{
	const struct emu_file *f;
	const uint8_t *d;
	uint8_t *buf = NULL;
	size_t off, dn, len;
	uint16_t fid, sw;

	if (a->ins != 0xD7)
		return SW_INS_NOT_SUPP;
	if ((sw = file_id(e, a, &fid)) != SW_OK)
		return sw;
	if ((sw = odd_offset(a, &off, &d, &dn)) != SW_OK)
		return sw;
	if (!writable(fid))
		return SW_SECURITY;
	if (!emu_user_ok(e))
		return SW_SECURITY;
	f = emu_file_find(e, fid);
	len = f ? f->len : 0;
	if (off > len)
		return SW_WRONG_PARAMS;
	if (off + dn > EMU_MAX_FILE)
		return SW_NO_SPACE;
	if (off + dn > len)
		len = off + dn;
	if ((buf = calloc(1, len ? len : 1)) == NULL)
		return SW_MEMORY_FAILURE;
	if (f != NULL)
		memcpy(buf, f->data, f->len);
	if (dn)
		memcpy(buf + off, d, dn);
	sw = emu_file_put(e, fid, buf, len) == 0 ? SW_OK : SW_NO_SPACE;
	free(buf);
	e->cur_ef = fid;
	return sw;
}

uint16_t
emu_cmd_delete(struct emu *e, const struct apdu *a)
{
	uint16_t fid;

	if (a->p1 != 0x02 || a->p2 != 0x00 || a->nc != 2)
		return SW_WRONG_P1P2;
	fid = (uint16_t)((a->data[0] << 8) | a->data[1]);
	if (!emu_user_ok(e))
		return SW_SECURITY;
	if ((fid >> 8) == 0xCC) {
		if (e->keys[fid & 0xff].pkey == NULL)
			return SW_FILE_NOT_FOUND;
		emu_key_clear(&e->keys[fid & 0xff]);
		return SW_OK;
	}
	if (!writable(fid))
		return SW_SECURITY;
	if (emu_file_find(e, fid) == NULL)
		return SW_FILE_NOT_FOUND;
	emu_file_delete(e, fid);
	if (e->cur_ef == fid)
		e->cur_ef = 0;
	return SW_OK;
}

/* Lists every file and key: 2 bytes each. */
uint16_t
emu_cmd_enumerate(struct emu *e, struct emu_rsp *r)
{
	uint8_t fid[2];
	size_t i;

	/* CC00 is the device authentication key, as on a real card. */
	for (i = 0; i < EMU_MAX_KEYS; i++) {
		if (i > 0 && e->keys[i].pkey == NULL)
			continue;
		fid[0] = 0xCC;
		fid[1] = (uint8_t)i;
		if (emu_rsp_add(r, fid, 2) != 0)
			return SW_UNKNOWN;
	}
	for (i = 0; i < e->nfiles; i++) {
		fid[0] = (uint8_t)(e->files[i].fid >> 8);
		fid[1] = (uint8_t)e->files[i].fid;
		if (emu_rsp_add(r, fid, 2) != 0)
			return SW_UNKNOWN;
	}
	return SW_OK;
}
