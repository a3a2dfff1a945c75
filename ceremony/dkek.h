/*
 * dkek.h - DKEK shares: generation, fingerprints, and the KCV of the DKEK
 * that a set of shares makes (the card XORs its shares into 32 zero bytes).
 */
#ifndef CUSTOS_DKEK_H
#define CUSTOS_DKEK_H

#include <stddef.h>

#include "../common/err.h"

#define DKEK_SHARE_LEN 32U
#define DKEK_FPR_LEN 8U		/* bytes of a share fingerprint */
#define DKEK_KCV_LEN 8U

/* KCV of the all-zero DKEK: what importing the same share twice gives. */
extern const unsigned char dkek_zero_kcv[DKEK_KCV_LEN];

/*
 * Fills share (guarded memory, DKEK_SHARE_LEN bytes) from the OS CSPRNG;
 * when extra is non-NULL (e.g. the card's GET CHALLENGE bytes) it is mixed
 * in: share = BLAKE2b-256(key = OS random, extra). Never fails.
 */
void dkek_share_generate(unsigned char *share, const unsigned char *extra,
    size_t extralen);

/*
 * Share fingerprint: the first 8 bytes of
 * SHA-256("custos/dkek-share-fingerprint/v1" || 0x00 || share).
 * Identifies a share in records without revealing it.
 */
void dkek_share_fingerprint(unsigned char fpr[DKEK_FPR_LEN],
    const unsigned char share[DKEK_SHARE_LEN]);

/* KCV of a DKEK: the first 8 bytes of SHA-256(dkek). */
void dkek_kcv(unsigned char kcv[DKEK_KCV_LEN],
    const unsigned char dkek[DKEK_SHARE_LEN]);

/*
 * XORs n shares (each DKEK_SHARE_LEN bytes) into dkek (guarded memory) and
 * writes its KCV. Refuses a share given twice (CUSTOS_ERR_DUPLICATE_SHARE,
 * *dup_a and *dup_b get the two positions when non-NULL) and a result that
 * is the all-zero DKEK (CUSTOS_ERR_ZERO_DKEK). On error dkek is wiped.
 */
int dkek_combine(unsigned char *dkek, unsigned char kcv[DKEK_KCV_LEN],
    const unsigned char *const *shares, size_t n, size_t *dup_a,
    size_t *dup_b) CUSTOS_WUR;

/* Formats a KCV as 16 upper-case hex digits like sc-hsm-tool (out: 17). */
void dkek_kcv_hex(char out[17], const unsigned char kcv[DKEK_KCV_LEN]);

#endif
