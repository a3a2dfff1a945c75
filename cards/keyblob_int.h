/*
 * keyblob_int.h - what keyblob.c (making and parsing blobs) and
 * keyblob_unwrap.c (opening a blob's key) share; not for other rooms.
 */
#ifndef CUSTOS_KEYBLOB_INT_H
#define CUSTOS_KEYBLOB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "keyblob.h"

#define RSA_CRT_MAX_BITS 2048
#define EC_MAX_FIELD 66			/* bytes: P-521 */
#define EC_POINT_MAX (1 + 2 * EC_MAX_FIELD)

/* Everything secret that one call holds, in guarded memory. */
struct secrets {
	uint8_t kenc[32];
	uint8_t kmac[32];
	uint8_t plain[KEYBLOB_MAX];
};

/* One length-prefixed field of a plaintext, pointing into it. */
struct field {
	const uint8_t *v;
	size_t n;
};

/* The curves a SmartCard-HSM knows, by OpenSSL NID. */
extern const int kb_ec_curves[8];

size_t kb_be16(const uint8_t *p);
int kb_rd_field(const uint8_t *p, size_t len, size_t *off, const uint8_t **v,
    size_t *n);
/* Kenc (counter 1) or Kmac (counter 2) from the DKEK. */
int kb_derive(uint8_t key[32], const uint8_t dkek[32], uint8_t counter);
int kb_cmac(uint8_t mac[KEYBLOB_MAC_LEN], const uint8_t kmac[32],
    const uint8_t *in, size_t len);
int kb_cbc(uint8_t *out, const uint8_t kenc[32], const uint8_t *in,
    size_t len, int enc);

#endif
