/*
 * prkd.h - the PKCS#15 private key description (PrKD) a SmartCard-HSM
 * keeps beside each key in EF C4xx, encoded as OpenSC writes it, so that
 * OpenSC's PKCS#15 emulation (pkcs11-tool, sc-hsm-tool) shows custos's
 * keys with their labels and IDs. Pure: no I/O.
 *
 *   RSA:  30 { 30 { 0C label, 03 flags, 04 authId },
 *              30 { 04 ID, 03 usage, 02 keyRef },
 *              A1 { 30 { 30 { 04 00 }, 02 modulus bits } } }
 *   EC:   A0 { ... the same ..., field size in bits }
 */
#ifndef CUSTOS_PRKD_H
#define CUSTOS_PRKD_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "tlv.h"

#define PRKD_LABEL_MAX 64
#define PRKD_ID_MAX 32

enum prkd_type { PRKD_UNKNOWN = 0, PRKD_RSA = 1, PRKD_EC = 2 };

struct prkd {
	enum prkd_type type;
	char label[PRKD_LABEL_MAX + 1];	/* UTF-8, NUL-terminated */
	uint8_t id[PRKD_ID_MAX];
	size_t id_len;
	int key_ref;		/* 1..255; -1 when absent */
	unsigned bits;		/* modulus or field size; 0 when absent */
};

/*
 * Appends the encoding of p (type RSA or EC, label without control
 * characters, id_len 1..PRKD_ID_MAX, key_ref 1..255, bits > 0) to b.
 * Returns 0, CUSTOS_ERR_INVALID_ARG, or the buffer's error.
 */
int prkd_encode(const struct prkd *p, struct tlv_buf *b) CUSTOS_WUR;

/*
 * Parses one PrKD entry at d[0..n) into *p. Tolerates fields OpenSC or
 * CardContact's tools add (they are skipped) but requires the outer
 * structure. An unknown key kind (neither RSA nor EC) parses with type
 * PRKD_UNKNOWN. Labels longer than PRKD_LABEL_MAX are cut; control
 * characters become '?'. Returns 0, CUSTOS_ERR_FORMAT or
 * CUSTOS_ERR_TRUNCATED.
 */
int prkd_parse(const uint8_t *d, size_t n, struct prkd *p) CUSTOS_WUR;

#endif
