/*
 * apdu.h - ISO 7816-4 command APDUs (short and extended length) and the
 * meaning of status words. Pure functions: no I/O.
 */
#ifndef CUSTOS_APDU_H
#define CUSTOS_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define APDU_MAX_NC	65535U	/* most command data an APDU can carry */
#define APDU_MAX_NE	65536U	/* most response data one can ask for */
#define APDU_MAX_LEN	(7U + APDU_MAX_NC + 2U)

/* A command. ne == 0: no Le field; ne == 256 / 65536: "all there is". */
struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t nc;
	size_t ne;
};

/*
 * Encodes a in short form when it fits (nc <= 255, ne <= 256) unless
 * extended is set, else in extended form, into out[0..cap). Returns 0,
 * CUSTOS_ERR_LIMIT (nc or ne too large) or CUSTOS_ERR_TOO_LARGE (cap).
 */
int apdu_encode(const struct apdu *a, int extended, uint8_t *out,
    size_t cap, size_t *outlen) CUSTOS_WUR;

/*
 * Decodes a command APDU (the card's side); a->data points into in.
 * *extended tells which form was used. Returns 0 or CUSTOS_ERR_FORMAT.
 */
int apdu_decode(const uint8_t *in, size_t len, struct apdu *a,
    int *extended) CUSTOS_WUR;

/* Status words this project names. */
#define SW_OK			0x9000
#define SW_BYTES_LEFT(x)	(0x6100 | (x))
#define SW_WRONG_LENGTH		0x6700
#define SW_SECURITY		0x6982
#define SW_PIN_BLOCKED		0x6983
#define SW_DATA_INVALID		0x6984
#define SW_CONDITIONS		0x6985
#define SW_NO_EF		0x6986
#define SW_WRONG_DATA		0x6A80
#define SW_FUNC_NOT_SUPP	0x6A81
#define SW_FILE_NOT_FOUND	0x6A82
#define SW_RECORD_NOT_FOUND	0x6A83
#define SW_NO_SPACE		0x6A84
#define SW_WRONG_P1P2		0x6A86
#define SW_REF_NOT_FOUND	0x6A88
#define SW_FILE_EXISTS		0x6A89
#define SW_INS_NOT_SUPP		0x6D00
#define SW_CLA_NOT_SUPP		0x6E00
#define SW_UNKNOWN		0x6F00
#define SW_EXEC_ERROR		0x6400
#define SW_MEMORY_FAILURE	0x6581
#define SW_WRONG_PARAMS		0x6B00

/* A short English message for a status word ("file not found"); 63Cx
 * says how many tries are left. Never NULL. */
const char *apdu_sw_message(uint16_t sw, char *buf, size_t cap);

#endif
