/* apdu.c - command APDU encoding/decoding and status word messages. */
#include <stdio.h>
#include <string.h>

#include "apdu.h"

int
apdu_encode(const struct apdu *a, int extended, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t n = 4;

	if (a->nc > APDU_MAX_NC || a->ne > APDU_MAX_NE ||
	    (a->nc > 0 && a->data == NULL))
		return CUSTOS_ERR_LIMIT;
	if (a->nc > 255 || a->ne > 256)
		extended = 1;
	if (cap < 4 + 3 + a->nc + 3)
		return CUSTOS_ERR_TOO_LARGE;
	out[0] = a->cla;
	out[1] = a->ins;
	out[2] = a->p1;
	out[3] = a->p2;
	if (!extended) {
		if (a->nc > 0) {
			out[n++] = (uint8_t)a->nc;
			memcpy(out + n, a->data, a->nc);
			n += a->nc;
		}
		if (a->ne > 0)
			out[n++] = (uint8_t)(a->ne == 256 ? 0 : a->ne);
	} else {
		if (a->nc > 0) {
			out[n++] = 0;
			out[n++] = (uint8_t)(a->nc >> 8);
			out[n++] = (uint8_t)a->nc;
			memcpy(out + n, a->data, a->nc);
			n += a->nc;
		}
		if (a->ne > 0) {
			if (a->nc == 0)
				out[n++] = 0;
			out[n++] = (uint8_t)(a->ne == 65536 ? 0 : a->ne >> 8);
			out[n++] = (uint8_t)(a->ne == 65536 ? 0 : a->ne);
		}
	}
	*outlen = n;
	return 0;
}

int
apdu_decode(const uint8_t *in, size_t len, struct apdu *a, int *extended)
{
	size_t nc, rest;

	memset(a, 0, sizeof(*a));
	*extended = 0;
	if (len < 4)
		return CUSTOS_ERR_FORMAT;
	a->cla = in[0];
	a->ins = in[1];
	a->p1 = in[2];
	a->p2 = in[3];
	in += 4;
	rest = len - 4;
	if (rest == 0)					/* case 1 */
		return 0;
	if (rest == 1) {				/* case 2 short */
		a->ne = in[0] ? in[0] : 256;
		return 0;
	}
	if (in[0] != 0) {				/* short, case 3/4 */
		nc = in[0];
		if (rest == 1 + nc) {
			a->nc = nc;
			a->data = in + 1;
			return 0;
		}
		if (rest == 2 + nc) {
			a->nc = nc;
			a->data = in + 1;
			a->ne = in[1 + nc] ? in[1 + nc] : 256;
			return 0;
		}
		return CUSTOS_ERR_FORMAT;
	}
	*extended = 1;
	if (rest == 3) {				/* case 2 extended */
		a->ne = ((size_t)in[1] << 8) | in[2];
		if (a->ne == 0)
			a->ne = 65536;
		return 0;
	}
	if (rest < 3)
		return CUSTOS_ERR_FORMAT;
	nc = ((size_t)in[1] << 8) | in[2];
	if (nc == 0)
		return CUSTOS_ERR_FORMAT;
	if (rest == 3 + nc) {
		a->nc = nc;
		a->data = in + 3;
		return 0;
	}
	if (rest == 5 + nc) {
		a->nc = nc;
		a->data = in + 3;
		a->ne = ((size_t)in[3 + nc] << 8) | in[4 + nc];
		if (a->ne == 0)
			a->ne = 65536;
		return 0;
	}
	return CUSTOS_ERR_FORMAT;
}

const char *
apdu_sw_message(uint16_t sw, char *buf, size_t cap)
{
	const char *m = NULL;

	if ((sw & 0xfff0) == 0x63c0) {
		unsigned n = sw & 0x0f;
		snprintf(buf, cap, "wrong PIN, %u %s left", n,
		    n == 1 ? "try" : "tries");
		return buf;
	}
	if ((sw & 0xff00) == 0x6100) {
		snprintf(buf, cap, "%u more bytes available", (unsigned)(sw & 0xff));
		return buf;
	}
	if ((sw & 0xff00) == 0x6c00) {
		snprintf(buf, cap, "wrong Le, %u bytes available", (unsigned)(sw & 0xff));
		return buf;
	}
	switch (sw) {
	case SW_OK: m = "success"; break;
	case 0x6281: m = "part of the returned data may be corrupted"; break;
	case 0x6282: m = "end of file reached before Le bytes"; break;
	case SW_EXEC_ERROR: m = "execution error"; break;
	case SW_MEMORY_FAILURE: m = "memory failure"; break;
	case SW_WRONG_LENGTH: m = "wrong length"; break;
	case 0x6881: m = "logical channel not supported"; break;
	case 0x6882: m = "secure messaging not supported"; break;
	case 0x6981: m = "command incompatible with file structure"; break;
	case SW_SECURITY:
		m = "security status not satisfied (PIN not verified)"; break;
	case SW_PIN_BLOCKED: m = "PIN blocked"; break;
	case SW_DATA_INVALID: m = "referenced data invalidated"; break;
	case SW_CONDITIONS: m = "conditions of use not satisfied"; break;
	case SW_NO_EF: m = "command not allowed (no current EF)"; break;
	case 0x6987: m = "expected secure messaging data missing"; break;
	case 0x6988: m = "secure messaging data incorrect"; break;
	case SW_WRONG_DATA: m = "incorrect parameters in the data field"; break;
	case SW_FUNC_NOT_SUPP: m = "function not supported"; break;
	case SW_FILE_NOT_FOUND: m = "file or application not found"; break;
	case SW_RECORD_NOT_FOUND: m = "record not found"; break;
	case SW_NO_SPACE: m = "not enough memory space"; break;
	case 0x6A85: m = "Lc inconsistent with TLV structure"; break;
	case SW_WRONG_P1P2: m = "incorrect parameters P1-P2"; break;
	case 0x6A87: m = "Lc inconsistent with P1-P2"; break;
	case SW_REF_NOT_FOUND: m = "referenced data not found"; break;
	case SW_FILE_EXISTS: m = "file already exists"; break;
	case SW_WRONG_PARAMS: m = "wrong parameters P1-P2"; break;
	case SW_INS_NOT_SUPP: m = "instruction not supported"; break;
	case SW_CLA_NOT_SUPP: m = "class not supported"; break;
	case SW_UNKNOWN: m = "unknown error in the card"; break;
	}
	if (m != NULL)
		return m;
	snprintf(buf, cap, "card status %04X", sw);
	return buf;
}
