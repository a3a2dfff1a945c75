/* sc_hsm_ef.c - SmartCard-HSM elementary files, client side: read and
 * write in chunks, replace, delete, enumerate. */
#include <stdlib.h>
#include <string.h>

#include "../common/secmem.h"
#include "card.h"
#include "sc_hsm.h"
#include "sc_hsm_ef.h"

#define READ_CHUNK 1024		/* extended Le, as the card answers */
/* UPDATE BINARY data per APDU: the card's buffer is 1439 bytes, less the
 * 8 bytes of offset and data TLVs (OpenSC writes up to 1431). */
#define WRITE_CHUNK 1024

/* Maps a status word of a file command. */
static int
file_err(uint16_t sw)
{
	switch (sw) {
	case SW_FILE_NOT_FOUND: case SW_REF_NOT_FOUND:
		return CUSTOS_ERR_NOT_FOUND;
	}
	return sc_hsm_sw_err(sw);
}

int
sc_hsm_read_ef(struct card *c, uint16_t fid, uint8_t **out, size_t *len)
{
	uint8_t cmd[4], rsp[READ_CHUNK + 2], *buf = NULL;
	struct apdu a = { 0x00, 0xB1, (uint8_t)(fid >> 8), (uint8_t)fid, cmd,
	    sizeof(cmd), READ_CHUNK };
	size_t off = 0, rl;
	uint16_t sw;
	int r;

	*out = NULL;
	*len = 0;
	if ((buf = malloc(SC_HSM_EF_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	for (;;) {
		cmd[0] = 0x54;
		cmd[1] = 0x02;
		cmd[2] = (uint8_t)(off >> 8);
		cmd[3] = (uint8_t)off;
		rl = 0;
		if ((r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw)) !=
		    0)
			goto out;
		/* At the end: an empty answer, or one of the status words
		 * cards give for an offset past the end. */
		if (off > 0 && rl == 0 && (sw == SW_WRONG_PARAMS ||
		    sw == 0x6282 || sw == SW_WRONG_P1P2 ||
		    sw == SW_WRONG_LENGTH))
			break;
		if (sw != SW_OK && sw != 0x6282) {
			r = file_err(sw);
			goto out;
		}
		if (off + rl > SC_HSM_EF_MAX) {
			r = CUSTOS_ERR_TOO_LARGE;
			goto out;
		}
		memcpy(buf + off, rsp, rl);
		off += rl;
		if (rl < READ_CHUNK || sw == 0x6282)
			break;
	}
	*out = buf;
	*len = off;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	return r;
}

int
sc_hsm_read_ef_opt(struct card *c, uint16_t fid, uint8_t **out, size_t *len)
{
	int r = sc_hsm_read_ef(c, fid, out, len);

	return r == CUSTOS_ERR_NOT_FOUND ? 0 : r;
}

int
sc_hsm_write_ef(struct card *c, uint16_t fid, const uint8_t *d, size_t n)
{
	uint8_t cmd[8 + WRITE_CHUNK], rsp[8];
	struct apdu a = { 0x00, 0xD7, (uint8_t)(fid >> 8), (uint8_t)fid, cmd,
	    0, 0 };
	size_t off, k, h, rl;
	uint16_t sw;
	int r;

	if (d == NULL || n == 0 || n > SC_HSM_EF_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	for (off = 0; off < n; off += k) {
		k = n - off > WRITE_CHUNK ? WRITE_CHUNK : n - off;
		h = 0;
		cmd[h++] = 0x54;
		cmd[h++] = 0x02;
		cmd[h++] = (uint8_t)(off >> 8);
		cmd[h++] = (uint8_t)off;
		cmd[h++] = 0x53;
		if (k >= 0x100) {
			cmd[h++] = 0x82;
			cmd[h++] = (uint8_t)(k >> 8);
		} else if (k >= 0x80)
			cmd[h++] = 0x81;
		cmd[h++] = (uint8_t)k;
		memcpy(cmd + h, d + off, k);
		a.nc = h + k;
		r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw);
		secmem_wipe(cmd, sizeof(cmd));
		if (r != 0)
			return r;
		if (sw != SW_OK)
			return file_err(sw);
	}
	return 0;
}

int
sc_hsm_replace_ef(struct card *c, uint16_t fid, const uint8_t *d, size_t n)
{
	int r = sc_hsm_delete_ef(c, fid);

	if (r != 0 && r != CUSTOS_ERR_NOT_FOUND)
		return r;
	return sc_hsm_write_ef(c, fid, d, n);
}

int
sc_hsm_delete_ef(struct card *c, uint16_t fid)
{
	uint8_t id[2] = { (uint8_t)(fid >> 8), (uint8_t)fid }, rsp[8];
	struct apdu a = { 0x00, 0xE4, 0x02, 0x00, id, 2, 0 };
	size_t rl;
	uint16_t sw;
	int r;

	if ((r = sc_hsm_transmit(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	return file_err(sw);
}

int
sc_hsm_enumerate(struct card *c, uint16_t *fids, size_t cap, size_t *n)
{
	struct apdu a = { 0x80, 0x58, 0x00, 0x00, NULL, 0, 65536 };
	uint8_t *rsp;
	size_t rl = 0, i;
	uint16_t sw;
	int r;

	*n = 0;
	if ((rsp = malloc(SC_HSM_EF_MAX + 2)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = sc_hsm_transmit(c, &a, rsp, SC_HSM_EF_MAX + 2, &rl, &sw)) ==
	    0 && (r = sc_hsm_sw_err(sw)) == 0) {
		if (rl % 2 != 0)
			r = CUSTOS_ERR_PROTOCOL;
		else if (rl / 2 > cap)
			r = CUSTOS_ERR_TOO_LARGE;
		for (i = 0; r == 0 && i + 1 < rl; i += 2)
			fids[(*n)++] = (uint16_t)((rsp[i] << 8) | rsp[i + 1]);
	}
	free(rsp);
	return r;
}

