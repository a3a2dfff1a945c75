/*
 * slip39_cipher.h - SLIP-39's encryption of the master secret under a
 * passphrase: a 4-round Feistel network whose round function is
 * PBKDF2-HMAC-SHA256 with (10000 << e) / 4 iterations, password
 * round || passphrase and salt "shamir" || identifier || R (only R when
 * the extendable flag is set). No passphrase check exists by design: a
 * wrong one gives a different secret.
 */
#ifndef CUSTOS_SLIP39_CIPHER_H
#define CUSTOS_SLIP39_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

/*
 * Encrypts (decrypt = 0) or decrypts (decrypt = 1) in[0..len) into out
 * (len even, 2..64; out may equal in). iter_exp 0..15, identifier 15 bits,
 * passphrase at most 1024 bytes.
 * Intermediates are wiped. Returns 0, CUSTOS_ERR_INVALID_ARG,
 * CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO (out is wiped then).
 */
int slip39_cipher(int decrypt, unsigned char *out, const unsigned char *in,
    size_t len, const unsigned char *passphrase, size_t pplen,
    unsigned iter_exp, uint16_t identifier, int extendable) CUSTOS_WUR;

#endif
