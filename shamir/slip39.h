/*
 * slip39.h - SLIP-39, Shamir's Secret-Sharing for Mnemonic Codes
 * (SatoshiLabs SLIP-0039; docs/formats/slip39.md): two-level (group and
 * member) threshold sharing of a 16..32-byte secret over GF(256), each
 * share written as 20..33 words of the SLIP-39 word list with an RS1024
 * checksum, the secret first encrypted under a passphrase by a 4-round
 * Feistel network of PBKDF2-HMAC-SHA256.
 *
 * A 32-byte DKEK share gives 33-word mnemonics. Share values are secrets:
 * callers keep struct slip39_share and secret buffers in guarded memory
 * (secmem_alloc). Nothing here does I/O.
 */
#ifndef CUSTOS_SLIP39_H
#define CUSTOS_SLIP39_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define SLIP39_SECRET_MIN 16		/* bytes; and always an even length */
#define SLIP39_SECRET_MAX 32		/* custos's limit (DKEK share size) */
#define SLIP39_MAX_GROUPS 16
#define SLIP39_MAX_MEMBERS 16
#define SLIP39_MAX_SHARES 256		/* 16 groups of 16 members */
#define SLIP39_ITER_EXP_MAX 15
#define SLIP39_WORDS_MIN 20		/* a 16-byte secret */
#define SLIP39_WORDS_MAX 33		/* a 32-byte secret */
/* Room for the longest mnemonic: 33 words of at most 8 letters, spaces, NUL. */
#define SLIP39_MNEMONIC_MAX (SLIP39_WORDS_MAX * 9)
/* Bytes for a word named in a decode error (8 letters typed + "..." + NUL). */
#define SLIP39_BAD_WORD_MAX 16

/* One decoded share: the public parameters and the secret share value. */
struct slip39_share {
	uint16_t identifier;		/* 15 bits, random per split */
	uint8_t extendable;		/* 0 or 1 */
	uint8_t iter_exp;		/* 0..15: 10000 << e PBKDF2 rounds */
	uint8_t group_index;		/* 0..15 */
	uint8_t group_threshold;	/* 1..16 */
	uint8_t group_count;		/* group_threshold..16 */
	uint8_t member_index;		/* 0..15 */
	uint8_t member_threshold;	/* 1..16 */
	uint8_t value_len;		/* 16..32, even */
	unsigned char value[SLIP39_SECRET_MAX];	/* secret */
};

/* A group of a split: member_threshold of member_count shares rebuild it. */
struct slip39_group {
	uint8_t threshold;		/* 1..count; 1 only when count is 1 */
	uint8_t count;			/* 1..16 */
};

/*
 * Source of random bytes for slip39_split_with_rng(): fills buf[0..len).
 * Tests use a seeded one; everything else uses slip39_split().
 */
typedef void (*slip39_rng_fn)(void *ctx, unsigned char *buf, size_t len);

/* Words in a mnemonic for a value of len bytes: 7 + ceil(8 len / 10). */
size_t slip39_mnemonic_words(size_t len);

/*
 * Parses one mnemonic: words separated by any white space, in any case,
 * each the full word or its first 4 or more letters. Checks that every
 * word is in the list, the number of words, the padding bits and the
 * RS1024 checksum, and that group threshold <= group count. Pure: no I/O.
 *
 * On error, bad (if non-NULL, badsz > 0) receives the word at fault as
 * typed (truncated to badsz - 1 bytes, "" if no single word is at fault)
 * and *badpos (if non-NULL) its 1-based position, 0 if none; both are
 * cleared on success.
 * Returns 0, CUSTOS_ERR_FORMAT (unknown word: named; wrong number of
 * words; non-zero padding; group threshold > group count) or
 * CUSTOS_ERR_CORRUPT (checksum fails; when changing one word, and only
 * one, can make it valid, that word is named, as a single wrong word is).
 */
int slip39_mnemonic_decode(const char *words, struct slip39_share *out,
    char *bad, size_t badsz, size_t *badpos) CUSTOS_WUR;

/*
 * Writes the mnemonic of share s (lower-case words, single spaces, NUL)
 * into out, which should hold SLIP39_MNEMONIC_MAX + 1 bytes (it holds a
 * secret: guarded memory). Returns 0, CUSTOS_ERR_INVALID_ARG (a field out
 * of range) or CUSTOS_ERR_TOO_LARGE (out too small).
 */
int slip39_mnemonic_encode(const struct slip39_share *s, char *out,
    size_t outsz) CUSTOS_WUR;

/*
 * Splits secret[0..len) (len 16..32, even) into shares: the secret is
 * encrypted under passphrase (printable ASCII, at most 1024 bytes, may be
 * empty) with 10000 << iter_exp PBKDF2 rounds (iter_exp 0..15; the
 * extendable flag 0 or 1 leaves the identifier out of the salt), split
 * group_threshold-of-ngroups, and group g's share split
 * groups[g].threshold-of-groups[g].count. Shares go to
 * shares[0..*nshares), group by group and by member index; maxshares is
 * the room there (the sum of the counts is needed). *identifier (may be
 * NULL) receives the split's random identifier.
 * Returns 0, CUSTOS_ERR_INVALID_ARG (NULL, flag, passphrase),
 * CUSTOS_ERR_LIMIT (lengths, thresholds or counts out of range, or
 * threshold 1 with count > 1, which SLIP-39 advises against and its
 * reference implementation refuses), CUSTOS_ERR_TOO_LARGE (maxshares too
 * small), CUSTOS_ERR_NOMEM or CUSTOS_ERR_CRYPTO.
 */
int slip39_split(const unsigned char *secret, size_t len,
    const unsigned char *passphrase, size_t pplen, int extendable,
    unsigned iter_exp, unsigned group_threshold,
    const struct slip39_group *groups, size_t ngroups,
    struct slip39_share *shares, size_t maxshares, size_t *nshares,
    uint16_t *identifier) CUSTOS_WUR;

/* slip39_split() with the random bytes (identifier, polynomials) from rng. */
int slip39_split_with_rng(const unsigned char *secret, size_t len,
    const unsigned char *passphrase, size_t pplen, int extendable,
    unsigned iter_exp, unsigned group_threshold,
    const struct slip39_group *groups, size_t ngroups,
    struct slip39_share *shares, size_t maxshares, size_t *nshares,
    uint16_t *identifier, slip39_rng_fn rng, void *rngctx) CUSTOS_WUR;

/*
 * Rebuilds the secret from shares[0..n) and passphrase into secret
 * (secretsz >= the share length; guarded memory), its length in *len.
 * Checks everything before releasing it: one split (identifier,
 * extendable flag, iteration exponent, group threshold and count, member
 * threshold per group, value length; indices within range), no member
 * given twice, and, as SLIP-39 requires, exactly group-threshold groups
 * with exactly member-threshold shares each; then each digest. To use
 * more shares than that, check them with slip39_identify_bad() and pass
 * a quorum. A wrong passphrase gives a different secret, not an error
 * (SLIP-39 by design); passphrase must be printable ASCII, at most 1024
 * bytes.
 * *why (may be NULL) receives a static one-line reason on error.
 * Returns 0, CUSTOS_ERR_FORMAT (shares of different splits, or
 * inconsistent), CUSTOS_ERR_DUPLICATE_SHARE (a member index given twice),
 * CUSTOS_ERR_TRUNCATED (too few shares or groups), CUSTOS_ERR_LIMIT (more
 * than needed), CUSTOS_ERR_CORRUPT (a digest does not match: a share is
 * wrong or forged), CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_TOO_LARGE
 * (secretsz) or CUSTOS_ERR_CRYPTO. secret is wiped on error.
 */
int slip39_combine(const struct slip39_share *shares, size_t n,
    const unsigned char *passphrase, size_t pplen, unsigned char *secret,
    size_t secretsz, size_t *len, const char **why) CUSTOS_WUR;

/*
 * Finds the one wrong share among shares[0..n) when the others agree: a
 * share whose split parameters differ from all the others' (n >= 3), or,
 * in a group given more than its member threshold, the one share without
 * which the rest lie on one polynomial with a valid digest; or, given
 * more groups than the group threshold, a group of one share without
 * which the other groups agree. Needs no passphrase.
 * Returns 0 with *pos its index in shares, CUSTOS_ERR_NOT_FOUND when all
 * agree, CUSTOS_ERR_CORRUPT when no single share can be blamed (no share
 * beyond a threshold, or more than one wrong), or CUSTOS_ERR_INVALID_ARG.
 */
int slip39_identify_bad(const struct slip39_share *shares, size_t n,
    size_t *pos) CUSTOS_WUR;

#endif
