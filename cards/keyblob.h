/*
 * keyblob.h - SmartCard-HSM key blobs: what WRAP KEY returns and UNWRAP
 * KEY takes, made and opened off-card with the DKEK.
 *
 *   kcv[8] | type[1] | len[2] default-alg OID | len[2] allowed algorithms |
 *   len[2] access conditions | len[2] key OID |
 *   AES-256-CBC(IV 0, Kenc)(random[8] | key size[2] | fields | 80 00..) |
 *   AES-CMAC(Kmac)[16] over everything before it
 *
 * with Kenc = SHA-256(DKEK | 00000001), Kmac = SHA-256(DKEK | 00000002),
 * KCV = the first 8 bytes of SHA-256(DKEK). The parser takes bytes and
 * does no I/O, so a fuzzer can call it directly.
 */
#ifndef CUSTOS_KEYBLOB_H
#define CUSTOS_KEYBLOB_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"

/* Key types in a SmartCard-HSM key blob. */
#define KEYBLOB_RSA      5   /* d, n, e */
#define KEYBLOB_RSA_CRT  6
#define KEYBLOB_EC       12
#define KEYBLOB_AES      15
#define KEYBLOB_MAX 8192	/* the largest blob made or taken */

#define KEYBLOB_DKEK_LEN 32
#define KEYBLOB_KCV_LEN  8
#define KEYBLOB_MAC_LEN  16

/* What a blob says in clear; the pointers point into the blob. */
struct keyblob_info {
	uint8_t kcv[KEYBLOB_KCV_LEN];
	int type;			/* KEYBLOB_* */
	const uint8_t *default_alg;	/* OID contents */
	size_t default_alg_len;
	const uint8_t *allowed_algs;
	size_t allowed_algs_len;
	const uint8_t *access;		/* access conditions */
	size_t access_len;
	const uint8_t *key_oid;
	size_t key_oid_len;
	const uint8_t *enc;		/* the ciphertext, MAC excluded */
	size_t enc_len;
};

/*
 * Parses the clear part of a blob (no DKEK needed); the pointers in *info
 * point into blob. The type must be one of KEYBLOB_*, the ciphertext a
 * non-empty multiple of 16 bytes followed by the 16-byte MAC. Nothing is
 * authenticated here. Returns 0, CUSTOS_ERR_INVALID_ARG (NULL),
 * CUSTOS_ERR_TOO_LARGE (len > KEYBLOB_MAX), CUSTOS_ERR_TRUNCATED or
 * CUSTOS_ERR_FORMAT.
 */
int keyblob_parse(const uint8_t *blob, size_t len, struct keyblob_info *info)
    CUSTOS_WUR;

/*
 * Writes the key check value of dkek: the first 8 bytes of SHA-256(dkek).
 * Returns 0 or CUSTOS_ERR_CRYPTO.
 */
int keyblob_kcv(uint8_t kcv[KEYBLOB_KCV_LEN],
    const uint8_t dkek[KEYBLOB_DKEK_LEN]) CUSTOS_WUR;

/*
 * Wraps pkey (an RSA or EC private key) under dkek into out[0..cap),
 * *outlen set to the blob's length. RSA keys of up to 2048 bits with CRT
 * parameters become type KEYBLOB_RSA_CRT, other RSA keys KEYBLOB_RSA (as
 * CardContact's own tools do); EC keys, on a named curve that
 * keyblob_unwrap() knows, KEYBLOB_EC. allowed[0..allowed_len) is copied
 * into the allowed-algorithms field (may be empty; allowed may then be
 * NULL); access conditions and key OID are empty. The 8 random bytes come
 * from secmem_random(). Returns 0, CUSTOS_ERR_INVALID_ARG,
 * CUSTOS_ERR_UNSUPPORTED (other key type or curve, multi-prime RSA),
 * CUSTOS_ERR_TOO_LARGE (cap too small or blob over KEYBLOB_MAX),
 * CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO. On error *outlen is 0.
 */
int keyblob_wrap(const uint8_t dkek[32], EVP_PKEY *pkey,
    const uint8_t *allowed, size_t allowed_len, uint8_t *out, size_t cap,
    size_t *outlen) CUSTOS_WUR;

/*
 * Opens a blob made under dkek and rebuilds its private key as a new
 * EVP_PKEY in *pkey (the caller frees it; NULL on error). Checks the KCV
 * (CUSTOS_ERR_DKEK_MISMATCH), then the CMAC in constant time
 * (CUSTOS_ERR_CORRUPT) before decrypting. RSA comes from the CRT fields
 * (type 6) or d, n, e (type 5) and must be consistent; EC must be on one of
 * P-256, P-384, P-521, brainpoolP256r1/P320r1/P384r1/P512r1 or secp256k1
 * (matched on p, a, b, G and the order; CUSTOS_ERR_UNSUPPORTED otherwise)
 * and Q in the blob must equal d*G (CUSTOS_ERR_CORRUPT). AES blobs give
 * CUSTOS_ERR_UNSUPPORTED. A plaintext that is authentic but malformed
 * (fields, key size, padding 80 00..) gives CUSTOS_ERR_FORMAT. Also returns
 * keyblob_parse() errors, CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO.
 */
int keyblob_unwrap(const uint8_t dkek[32], const uint8_t *blob, size_t len,
    EVP_PKEY **pkey) CUSTOS_WUR;

/* The blob's EC coefficient A was empty and taken as the -3 its curve
   (P-256, P-384 or P-521) implies, as another implementation writes it. */
#define KEYBLOB_NOTE_A_IMPLIED 0x1u

/* keyblob_unwrap(), and *notes |= what was read leniently (NULL: none). */
int keyblob_unwrap_notes(const uint8_t dkek[32], const uint8_t *blob,
    size_t len, EVP_PKEY **pkey, unsigned *notes) CUSTOS_WUR;

#endif
