/*
 * sc_hsm_keys.h - SmartCard-HSM keys, client side: elementary files,
 * key generation, listing, deletion, wrap and unwrap, signatures, PIN
 * change and GET CHALLENGE. Keys are stored as OpenSC stores them: the
 * key CCxx, its PKCS#15 description in C4xx and the key generation
 * request (or a certificate) in CExx, xx = key reference 1..255. Every
 * function returns 0 or a negative error code; the card's status word is
 * kept for sc_hsm_last_sw().
 */
#ifndef CUSTOS_SC_HSM_KEYS_H
#define CUSTOS_SC_HSM_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"
#include "prkd.h"
#include "sc_hsm_ef.h"

struct card;

#define SC_HSM_MAX_REFS 255

/* One key on the device. */
struct sc_hsm_key {
	int ref;		/* 1..255 */
	int has_prkd;		/* C4xx was there and parsed */
	struct prkd prkd;	/* label, ID, type, size */
	EVP_PKEY *pub;		/* from CExx; NULL when there is none */
	uint8_t fpr[32];	/* SHA-256 of the SubjectPublicKeyInfo */
	char kind[24];		/* "RSA-2048", "EC prime256v1", "unknown" */
};

/* Frees k->pub and clears k; accepts NULL. */
void sc_hsm_key_clear(struct sc_hsm_key *k);

/*
 * The device serial as OpenSC derives it: the holder reference of the
 * device certificate (EF 2F02) without its 5-digit sequence number.
 */
int sc_hsm_serial(struct card *c, char out[17]) CUSTOS_WUR;

/* The holder reference of the device certificate (EF 2F02), in full:
   what a key answering this device's PKA challenge signs with it. */
int sc_hsm_device_chr(struct card *c, char chr[17]) CUSTOS_WUR;

/*
 * Whether the device is custos's emulated SmartCard-HSM: in-process, or
 * served to pcscd and known by its serial (serial from sc_hsm_serial();
 * NULL when it could not be read), whose holder reference starts with
 * EMU_SERIAL_PREFIX, as no real device's does. Best effort: it tells the
 * emulator apart, not a device built to pass for a real one.
 */
int sc_hsm_is_emulator(const struct card *c, const char *serial);

/*
 * Rebuilds the public key in an EF CExx: a key generation request (67 or
 * 7F21, with domain parameters) or an X.509 certificate. Returns 0,
 * CUSTOS_ERR_FORMAT, CUSTOS_ERR_UNSUPPORTED.
 */
int sc_hsm_pub_from_ce(const uint8_t *d, size_t n, EVP_PKEY **pub)
    CUSTOS_WUR;

/*
 * Fills k->kind and k->fpr from k->pub (or the PrKD when there is no
 * public key).
 */
void sc_hsm_key_describe(struct sc_hsm_key *k);

/*
 * Lists the keys (CC01..CCFF) with their descriptions and public keys
 * into keys[0..cap) (cap >= SC_HSM_MAX_REFS for all), sorted by
 * reference; *n set. Clear each with sc_hsm_key_clear().
 */
int sc_hsm_list_keys(struct card *c, struct sc_hsm_key *keys, size_t cap,
    size_t *n) CUSTOS_WUR;

/* The lowest key reference with no key, PrKD or CExx: CUSTOS_ERR_CARD_FULL
 * when there is none. */
int sc_hsm_free_ref(struct card *c, int *ref) CUSTOS_WUR;

/* OpenSC's default key ID: SHA-1 of the RSA modulus or the EC point. */
int sc_hsm_default_id(EVP_PKEY *pub, uint8_t id[20]) CUSTOS_WUR;

/*
 * Parses a key type as hsm keygen and ceremony plans write it: "rsa:BITS"
 * (2048, 3072 or 4096) into *bits with *curve NULL, or "ec:CURVE" into
 * *curve (P-256, P-384, P-521 and secp256r1 become their OpenSSL names)
 * with *bits 0; the prefix in any case. Returns 0 or
 * CUSTOS_ERR_INVALID_ARG.
 */
int sc_hsm_parse_type(const char *s, const char **curve, unsigned *bits)
    CUSTOS_WUR;

/*
 * Generates a key pair under ref (PIN verified): RSA of bits (curve NULL)
 * or EC on curve; writes the request to CExx and a PrKD with label and id
 * (id NULL: SHA-1 of the RSA modulus or the EC point, as OpenSC's
 * default) to C4xx. *out gets the new key (pub set). CUSTOS_ERR_EXISTS
 * when ref is taken, CUSTOS_ERR_UNSUPPORTED for a size or curve the
 * device does not take.
 */
int sc_hsm_keygen(struct card *c, int ref, const char *curve,
    unsigned bits, const char *label, const uint8_t *id, size_t idlen,
    struct sc_hsm_key *out) CUSTOS_WUR;

/* The same in key domain domain (tag 92; -1: none named, the DKEK's).
   CUSTOS_ERR_NOT_FOUND when the device has no such domain. */
int sc_hsm_keygen_kd(struct card *c, int ref, int domain, const char *curve,
    unsigned bits, const char *label, const uint8_t *id, size_t idlen,
    struct sc_hsm_key *out) CUSTOS_WUR;

/*
 * Deletes key ref with its C4xx and CExx (PIN verified). CUSTOS_ERR_NO_KEY
 * when there was no key.
 */
int sc_hsm_delete_key(struct card *c, int ref) CUSTOS_WUR;

/*
 * WRAP KEY: the blob of key ref into blob[0..cap). CUSTOS_ERR_NO_KEY,
 * CUSTOS_ERR_NO_DKEK (device has no complete DKEK, or the key was
 * generated before it was complete and can never be exported).
 */
int sc_hsm_wrap_key(struct card *c, int ref, uint8_t *blob, size_t cap,
    size_t *len) CUSTOS_WUR;

/*
 * UNWRAP KEY into ref: staged 0 sends the blob in one extended APDU (as
 * OpenSC 0.23), 1 writes it to EF 2F10 first (as OpenSC >= 0.24).
 * CUSTOS_ERR_DKEK_MISMATCH (the card refused the blob: another DKEK, or
 * altered), CUSTOS_ERR_EXISTS (ref holds a key), CUSTOS_ERR_NO_DKEK.
 */
int sc_hsm_unwrap_key(struct card *c, int ref, const uint8_t *blob,
    size_t len, int staged) CUSTOS_WUR;

/* Signs in[0..n) with key ref and algorithm alg (e.g. 0x33 RSA PKCS#1
 * SHA-256, 0x73 ECDSA SHA-256: the card hashes). */
int sc_hsm_sign(struct card *c, int ref, uint8_t alg, const uint8_t *in,
    size_t n, uint8_t *sig, size_t cap, size_t *siglen) CUSTOS_WUR;

/*
 * Proves key k works: signs 32 random bytes on the card (SHA-256) and
 * verifies the signature with k->pub. CUSTOS_ERR_CORRUPT when it does not
 * verify; CUSTOS_ERR_NOT_FOUND when k has no public key.
 */
int sc_hsm_prove_key(struct card *c, const struct sc_hsm_key *k)
    CUSTOS_WUR;

/* CHANGE REFERENCE DATA for the user PIN; *tries as sc_hsm_verify_pin. */
int sc_hsm_change_pin(struct card *c, const char *old, size_t oldlen,
    const char *pin, size_t len, int *tries) CUSTOS_WUR;

/* GET CHALLENGE: n (1..256) random bytes from the card. */
int sc_hsm_challenge(struct card *c, uint8_t *buf, size_t n) CUSTOS_WUR;

#endif
