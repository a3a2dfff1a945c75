/*
 * slip39_cipher.c - the SLIP-39 Feistel encryption of the master secret
 * (slip39_cipher.h), with PBKDF2-HMAC-SHA256 from OpenSSL.
 */
#include <string.h>

#include <openssl/evp.h>

#include "slip39_cipher.h"
#include "../common/secmem.h"

#define ROUNDS 4
#define BASE_ITERATIONS 10000U
#define HALF_MAX 32
#define SALT_PREFIX_LEN 6

/* The salt starts with "shamir" (no NUL) unless the flag is set. */
static const unsigned char salt_prefix[SALT_PREFIX_LEN] = {
	's', 'h', 'a', 'm', 'i', 'r',
};

int
slip39_cipher(int decrypt, unsigned char *out, const unsigned char *in,
    size_t len, const unsigned char *passphrase, size_t pplen,
    unsigned iter_exp, uint16_t identifier, int extendable)
{
	unsigned char l[HALF_MAX], r[HALF_MAX], f[HALF_MAX];
	unsigned char salt[SALT_PREFIX_LEN + 2 + HALF_MAX];
	unsigned char *pw = NULL;
	size_t half = len / 2, prefix = 0, k;
	int round, i, rc = CUSTOS_ERR_INTERNAL;
	int iterations;

	if (out == NULL || in == NULL || len < 2 || len % 2 != 0 ||
	    half > HALF_MAX || (passphrase == NULL && pplen != 0) ||
	    pplen > 1024 || iter_exp > 15 || identifier > 0x7fff) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	iterations = (int)((BASE_ITERATIONS << iter_exp) / ROUNDS);

	/* The password is round || passphrase: a secret, so guarded. */
	if ((pw = secmem_alloc(pplen + 1)) == NULL) {
		rc = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if (pplen > 0)
		memcpy(pw + 1, passphrase, pplen);
	if (!extendable) {
		memcpy(salt, salt_prefix, sizeof(salt_prefix));
		salt[SALT_PREFIX_LEN] = (unsigned char)(identifier >> 8);
		salt[SALT_PREFIX_LEN + 1] = (unsigned char)(identifier & 0xff);
		prefix = SALT_PREFIX_LEN + 2;
	}

	memcpy(l, in, half);
	memcpy(r, in + half, half);
	for (i = 0; i < ROUNDS; i++) {
		/* Decryption runs the same rounds in reverse order. */
		round = decrypt ? ROUNDS - 1 - i : i;
		pw[0] = (unsigned char)round;
		memcpy(salt + prefix, r, half);
		if (PKCS5_PBKDF2_HMAC((const char *)pw, (int)(pplen + 1), salt,
		    (int)(prefix + half), iterations, EVP_sha256(), (int)half,
		    f) != 1) {
			rc = CUSTOS_ERR_CRYPTO;
			goto out;
		}
		/* (L, R) = (R, L xor F(i, R)) */
		for (k = 0; k < half; k++) {
			unsigned char t = r[k];

			r[k] = l[k] ^ f[k];
			l[k] = t;
		}
	}
	/* The result is R || L. */
	memcpy(out, r, half);
	memcpy(out + half, l, half);
	rc = CUSTOS_OK;
out:
	if (rc != CUSTOS_OK && out != NULL && len <= (size_t)2 * HALF_MAX)
		secmem_wipe(out, len);
	secmem_wipe(l, sizeof(l));
	secmem_wipe(r, sizeof(r));
	secmem_wipe(f, sizeof(f));
	secmem_wipe(salt, sizeof(salt));
	secmem_free(pw);
	return rc;
}
