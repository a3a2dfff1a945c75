/*
 * emu_timing.c - the timing model: what a real SmartCard-HSM takes for
 * each command, charged by emu_process() when the model is on. Every
 * figure, and where it comes from or why it was chosen, is in
 * docs/emulator.md, "Timing model"; keep the two in step.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "../apdu.h"
#include "emu_int.h"

/* The transport: a USB CCID round trip per APDU and the ISO 7816 wire at
   the token's dwMaxDataRate (116,129 bit/s; about 10 bits a byte). */
#define US_APDU		5000UL
#define US_WIRE_BYTE	86UL

/* EEPROM writes (no public figure: a stated choice). */
#define US_EEPROM_BYTE	47UL

/* Published per-operation figures (Nitrokey HSM FAQ). */
#define US_RSA2048_PRIV	600000.0	/* "RSA 2048: 100 per minute" */
#define US_RSA2048_GEN	30000000.0	/* "RSA 2048: 2 per minute" */
#define US_EC256_SIGN	167000.0	/* "ECC 256: 360 per minute" */
#define US_EC256_GEN	6000000.0	/* "ECC 256: 10 per minute" */
#define US_HASH_BYTE	190UL		/* on-card hashing, derived */

int
emu_timing_env(void)
{
	const char *v = getenv("CUSTOS_EMU_TIMING");

	return v != NULL && strcmp(v, "sc-hsm") == 0;
}

void
emu_set_timing(struct emu *e, int on)
{
	e->timing = on;
}

/* The key at ref: 1 RSA, 2 EC (its size in *bits), 0 none. */
static int
key_kind(const struct emu *e, uint8_t ref, double *bits)
{
	const EVP_PKEY *k = e->keys[ref].pkey;

	*bits = 0;
	if (k == NULL)
		return 0;
	*bits = EVP_PKEY_get_bits(k);
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA ? 1 : 2;
}

static unsigned long
scaled(double base, double ratio, int power)
{
	double v = base;

	while (power-- > 0)
		v *= ratio;
	return (unsigned long)v;
}

/* What the key at ref costs: rsa for RSA-2048 times (bits/2048)^rsa_pow,
   ec for P-256 times (bits/256)^ec_pow; 0 with no key there. */
static unsigned long
by_key(const struct emu *e, uint8_t ref, double rsa, int rsa_pow, double ec,
    int ec_pow)
{
	double bits;

	switch (key_kind(e, ref, &bits)) {
	case 1: return scaled(rsa, bits / 2048.0, rsa_pow);
	case 2: return scaled(ec, bits / 256.0, ec_pow);
	}
	return 0;
}

/* A private-key operation (signature, decryption) with the key at ref. */
static unsigned long
priv_op(const struct emu *e, uint8_t ref)
{
	return by_key(e, ref, US_RSA2048_PRIV, 3, US_EC256_SIGN, 3);
}

static unsigned long
keygen(const struct emu *e, uint8_t ref)
{
	return by_key(e, ref, US_RSA2048_GEN, 4, US_EC256_GEN, 3);
}

/* The private key's bytes as the device stores them (CRT for RSA). */
static unsigned long
stored_bytes(const struct emu *e, uint8_t ref)
{
	double bits;

	switch (key_kind(e, ref, &bits)) {
	case 1: return (unsigned long)(bits * 5 / 16);
	case 2: return (unsigned long)(bits * 3 / 8);
	}
	return 0;
}

static int
hashes_on_card(uint8_t alg)
{
	switch (alg) {
	case 0x31: case 0x33: case 0x41: case 0x43:
	case 0x71: case 0x72: case 0x73:
		return 1;
	}
	return 0;
}

unsigned long
emu_cost_us(const struct emu *e, const struct apdu *a, size_t cmdlen,
    size_t rsplen, uint16_t sw)
{
	unsigned long t = US_APDU + US_WIRE_BYTE * (cmdlen + rsplen);
	int ok = sw == 0x9000;

	if (a == NULL)
		return t;
	if (a->cla == 0x00) {
		switch (a->ins) {
		case 0xA4: return t + 2000;			/* SELECT */
		case 0x20:					/* VERIFY */
		case 0x24: case 0x2C:
			return t + (a->nc > 0 ? 40000 : 0);
		case 0x46:
			return t + (ok ? keygen(e, a->p1) : 0);
		case 0x84: return t + 5000;
		case 0xB0: case 0xB1: return t + 1000;
		case 0xD6: case 0xD7:
			return t + 5000 + US_EEPROM_BYTE * a->nc;
		case 0xE4: return t + 20000;			/* DELETE */
		}
		return t;
	}
	switch (a->ins) {
	case 0x50: return t + 2000000;			/* INITIALIZE */
	case 0x52: return t + 50000;			/* IMPORT DKEK */
	case 0x58: return t + 5000;			/* ENUMERATE */
	case 0x62:
		return t + (ok ? priv_op(e, a->p1) : 0);
	case 0x68:
		if (!ok)
			return t;
		return t + priv_op(e, a->p1) + (hashes_on_card(a->p2) ?
		    US_HASH_BYTE * a->nc : 0);
	case 0x72: return t + (ok ? 100000 : 0);	/* WRAP */
	case 0x74:					/* UNWRAP */
		return t + (ok ? 200000 + US_EEPROM_BYTE * stored_bytes(e,
		    a->p1) : 0);
	}
	return t;
}
