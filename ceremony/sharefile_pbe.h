/*
 * sharefile_pbe.h - sc-hsm-tool's DKEK share file (.pbe), byte-compatible:
 * "Salted__" | salt[8] | AES-256-CBC(share[32] | 16 x 0x10), key and IV
 * from EVP_BytesToKey(AES-256-CBC, MD5, salt, password, 10,000,000).
 * Its only integrity check is the CBC padding.
 */
#ifndef CUSTOS_SHAREFILE_PBE_H
#define CUSTOS_SHAREFILE_PBE_H

#include <stddef.h>

#include "../common/err.h"

#define PBE_FILE_LEN 64
#define PBE_SALT_LEN 8
#define PBE_ITERATIONS 10000000UL

/*
 * OpenSSL's EVP_BytesToKey with MD5 and iterations rounds, for AES-256-CBC:
 * 32 key bytes then 16 IV bytes into keyiv (guarded memory advised).
 * Returns 0 or CUSTOS_ERR_CRYPTO.
 */
int pbe_kdf(unsigned char keyiv[48], const unsigned char salt[PBE_SALT_LEN],
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations)
    CUSTOS_WUR;

/*
 * Encrypts a 32-byte share into out (PBE_FILE_LEN bytes) with the given
 * salt and iteration count (PBE_ITERATIONS for real files).
 * Returns 0 or a negative error code.
 */
int pbe_seal(unsigned char out[PBE_FILE_LEN], const unsigned char *share,
    const unsigned char salt[PBE_SALT_LEN], const unsigned char *pwd,
    size_t pwdlen, unsigned long iterations) CUSTOS_WUR;

/*
 * Checks that in[0..len) has the shape of a .pbe file. Returns 0,
 * CUSTOS_ERR_TRUNCATED (shorter), CUSTOS_ERR_TOO_LARGE (longer) or
 * CUSTOS_ERR_FORMAT (no "Salted__" magic). No I/O: safe to fuzz.
 */
int pbe_parse(const unsigned char *in, size_t len) CUSTOS_WUR;

/*
 * Decrypts a .pbe file into share (32 bytes, guarded memory). Returns 0,
 * a pbe_parse() error, or CUSTOS_ERR_BAD_PASSPHRASE unless the last block
 * decrypts to the full 16 bytes of 0x10 (so a wrong password passes with
 * probability 2^-128 here; sc-hsm-tool accepts any valid padding, about
 * 1 in 256). An altered first block still decrypts, to a wrong share.
 */
int pbe_open(unsigned char *share, const unsigned char *in, size_t len,
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations)
    CUSTOS_WUR;

#endif
