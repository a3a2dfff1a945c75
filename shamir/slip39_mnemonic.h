/*
 * slip39_mnemonic.h - the RS1024 checksum of SLIP-39 mnemonics: a
 * Reed-Solomon code over GF(1024) with 3 check words, computed over the
 * customization string ("shamir", or "shamir_extendable" when the
 * extendable flag is set) followed by the 10-bit word values. The
 * mnemonic encoder and decoder (slip39.h) are in slip39_mnemonic.c.
 */
#ifndef CUSTOS_SLIP39_MNEMONIC_H
#define CUSTOS_SLIP39_MNEMONIC_H

#include <stddef.h>
#include <stdint.h>

/* Number of checksum words at the end of a mnemonic. */
#define SLIP39_CHECKSUM_WORDS 3

/*
 * The RS1024 remainder of the customization string for extendable (0/1)
 * followed by words[0..n) (10-bit values); 1 means a valid checksum when
 * the last 3 words are the checksum. Constant time in the word values.
 */
uint32_t slip39_rs1024_polymod(int extendable, const uint16_t *words,
    size_t n);

/* The 3 checksum words for the data words[0..n). */
void slip39_rs1024_create(int extendable, const uint16_t *words, size_t n,
    uint16_t out[SLIP39_CHECKSUM_WORDS]);

/*
 * For a mnemonic words[0..n) (checksum included) whose checksum fails:
 * the 0-based position of the one word that, changed, would make it valid
 * (the extendable flag in word 1 may change with it). Returns that
 * position, or -1 when no single word or more than one could. A single
 * wrong word is found (save odds of about 2^-21 that a change of word 1
 * fits as well); the correction itself is not returned, as SLIP-39 asks.
 */
int slip39_rs1024_locate(const uint16_t *words, size_t n);

#endif
