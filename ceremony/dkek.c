/* dkek.c - DKEK share generation, fingerprints, combination and KCV. */
#include <string.h>

#include <sodium.h>

#include "../common/encode.h"
#include "../common/secmem.h"
#include "dkek.h"

static const char fpr_domain[] = "custos/dkek-share-fingerprint/v1";

const unsigned char dkek_zero_kcv[DKEK_KCV_LEN] = {
	0x66, 0x68, 0x7A, 0xAD, 0xF8, 0x62, 0xBD, 0x77
};

void
dkek_share_generate(unsigned char *share, const unsigned char *extra,
    size_t extralen)
{
	unsigned char os[crypto_generichash_KEYBYTES];

	randombytes_buf(os, sizeof(os));
	if (extra == NULL || extralen == 0) {
		randombytes_buf(share, DKEK_SHARE_LEN);
	} else {
		/* Keyed by OS randomness: never weaker than the OS alone. */
		crypto_generichash(share, DKEK_SHARE_LEN, extra, extralen, os,
		    sizeof(os));
	}
	sodium_memzero(os, sizeof(os));
}

void
dkek_share_fingerprint(unsigned char fpr[DKEK_FPR_LEN],
    const unsigned char share[DKEK_SHARE_LEN])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	/* The domain string and its NUL separate this hash from the KCV. */
	crypto_hash_sha256_update(&st, (const unsigned char *)fpr_domain,
	    sizeof(fpr_domain));
	crypto_hash_sha256_update(&st, share, DKEK_SHARE_LEN);
	crypto_hash_sha256_final(&st, h);
	memcpy(fpr, h, DKEK_FPR_LEN);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(h, sizeof(h));
}

void
dkek_kcv(unsigned char kcv[DKEK_KCV_LEN],
    const unsigned char dkek[DKEK_SHARE_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, dkek, DKEK_SHARE_LEN);
	memcpy(kcv, h, DKEK_KCV_LEN);
	sodium_memzero(h, sizeof(h));
}

int
dkek_combine(unsigned char *dkek, unsigned char kcv[DKEK_KCV_LEN],
    const unsigned char *const *shares, size_t n, size_t *dup_a,
    size_t *dup_b)
{
	size_t i, j, k;

	if (dkek == NULL || kcv == NULL || shares == NULL || n == 0)
		return CUSTOS_ERR_INVALID_ARG;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (secmem_equal(shares[i], shares[j],
			    DKEK_SHARE_LEN) == 0) {
				if (dup_a != NULL)
					*dup_a = i;
				if (dup_b != NULL)
					*dup_b = j;
				return CUSTOS_ERR_DUPLICATE_SHARE;
			}
		}
	}
	memset(dkek, 0, DKEK_SHARE_LEN);
	for (i = 0; i < n; i++)
		for (k = 0; k < DKEK_SHARE_LEN; k++)
			dkek[k] ^= shares[i][k];
	dkek_kcv(kcv, dkek);
	if (sodium_is_zero(dkek, DKEK_SHARE_LEN) ||
	    secmem_equal(kcv, dkek_zero_kcv, DKEK_KCV_LEN) == 0) {
		sodium_memzero(dkek, DKEK_SHARE_LEN);
		sodium_memzero(kcv, DKEK_KCV_LEN);
		return CUSTOS_ERR_ZERO_DKEK;
	}
	return CUSTOS_OK;
}

void
dkek_kcv_hex(char out[17], const unsigned char kcv[DKEK_KCV_LEN])
{
	if (encode_hex(out, 17, kcv, DKEK_KCV_LEN, 1) != CUSTOS_OK)
		out[0] = '\0';
}
