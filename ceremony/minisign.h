/*
 * minisign.h - minisign-compatible public keys and signatures, so that an
 * auditor can check a closed transcript with Debian's `minisign -V`.
 * Public key file: "untrusted comment: ...\n" base64("Ed" keyid[8] pk[32]).
 * Signature file: "untrusted comment: ...\n" base64("ED" keyid[8]
 * Ed25519(BLAKE2b-512(file))) "\ntrusted comment: TC\n"
 * base64(Ed25519(sig[64] || TC)) "\n".
 */
#ifndef CUSTOS_MINISIGN_H
#define CUSTOS_MINISIGN_H

#include <stddef.h>

#include "../common/err.h"

#define MINISIGN_KEYID_LEN 8

/* Writes a public key file's text into out (>= 256 bytes). */
int minisign_pubkey_text(char *out, size_t outsz,
    const unsigned char keyid[MINISIGN_KEYID_LEN], const unsigned char pk[32],
    const char *comment) CUSTOS_WUR;

/* Parses a public key file's text. Returns 0 or CUSTOS_ERR_FORMAT. */
int minisign_pubkey_parse(const char *text, size_t len,
    unsigned char keyid[MINISIGN_KEYID_LEN], unsigned char pk[32]) CUSTOS_WUR;

/*
 * Signs msg (prehashed, "ED") with the 64-byte Ed25519 secret key; the
 * trusted comment must be one line. *out is malloc'ed text.
 */
int minisign_sign(char **out, size_t *outlen, const unsigned char *msg,
    size_t msglen, const unsigned char keyid[MINISIGN_KEYID_LEN],
    const unsigned char *sk, const char *trusted_comment) CUSTOS_WUR;

/*
 * Verifies a signature file's text over msg with pk (both the file
 * signature and the global signature over the trusted comment).
 * Returns 0, CUSTOS_ERR_FORMAT or CUSTOS_ERR_CORRUPT (does not verify).
 */
int minisign_verify(const char *sigtext, size_t siglen,
    const unsigned char *msg, size_t msglen,
    const unsigned char keyid[MINISIGN_KEYID_LEN], const unsigned char pk[32])
    CUSTOS_WUR;

#endif
