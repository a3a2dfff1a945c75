/*
 * transcript.h - the ceremony transcript: append-only JSON Lines, each
 * record hash-chained to the previous one and signed with the ceremony's
 * Ed25519 key (docs/formats/transcript.md).
 *
 * A record line is the canonical JSON body (jansson, compact, keys sorted)
 * with its final '}' replaced by ,"sig":"<base64 Ed25519 over the body>"}.
 * The body holds: action, actor, facts, prev (hex SHA-256 of the previous
 * whole line, without its newline; 64 zeros for the first), rehearsal,
 * seq (0, 1, ...), time (UTC, YYYY-MM-DDTHH:MM:SSZ), v (1).
 */
#ifndef CUSTOS_TRANSCRIPT_H
#define CUSTOS_TRANSCRIPT_H

#include <stddef.h>

#include <jansson.h>
#include <sodium.h>

#include "../common/err.h"

#define TRANSCRIPT_LINE_MAX 65536
#define TRANSCRIPT_SIG_B64_LEN 88	/* base64 of 64 bytes, padded */
#define TRANSCRIPT_THREADS 8		/* records are checked on <= this */

struct transcript_record {
	unsigned long long seq;
	char time[21];
	char prev[65];
	json_t *body;		/* the parsed body (owned), facts inside */
	const char *action;	/* point into body */
	const char *actor;
	int rehearsal;
	unsigned char sig[crypto_sign_BYTES];
	size_t body_len;	/* bytes of the line that are signed */
};

/*
 * Parses one line (no newline) into rec without checking signature or
 * chain: shape, canonical form, types. No I/O: safe to fuzz. Returns 0 or
 * CUSTOS_ERR_FORMAT with *why set to a static reason. Free with
 * transcript_record_clear().
 */
int transcript_parse_record(const char *line, size_t len,
    struct transcript_record *rec, const char **why) CUSTOS_WUR;

void transcript_record_clear(struct transcript_record *rec);

/*
 * Builds the line (no newline) for a new record: *out (malloc'ed) and
 * *outlen; the buffer has room for one more byte, so the caller may put
 * the newline at (*out)[*outlen]. facts is borrowed (an object; NULL for none); sk is the 64-byte
 * Ed25519 secret key. Returns 0 or a negative error code.
 */
int transcript_make_line(char **out, size_t *outlen, unsigned long long seq,
    const char *time, const char *prev_hex, const char *actor,
    const char *action, json_t *facts, int rehearsal,
    const unsigned char *sk) CUSTOS_WUR;

/* Hex SHA-256 of a line (without its newline) into out[65]. */
void transcript_line_hash(char out[65], const char *line, size_t len);

struct transcript_verdict {
	size_t records;		/* whole records that verified */
	int ok;			/* 1: everything verified */
	long bad_record;	/* seq/index of the first bad record, or -1 */
	size_t bad_line;	/* 1-based line number of it */
	int truncated;		/* the file ends in a partial record */
	char why[256];		/* why the first bad record is bad */
	char last_hash[65];	/* hash of the last good line */
	char last_action[64];	/* action of the last good record ("" if
				   none; cut to 63 bytes) */
};

/*
 * Verifies a whole transcript buffer against the ceremony public key:
 * every line parses, seq counts from 0, prev chains, every signature
 * holds (each record is parsed, hashed and its signature checked on up to
 * TRANSCRIPT_THREADS cores, then the chain is followed in order: the
 * verdict is the same as checking in order). A final line without
 * its newline is a truncated tail (a crash
 * mid-write): reported in v->truncated, the rest still verifies.
 * Returns 0 when everything holds, else CUSTOS_ERR_CORRUPT (v says where
 * and why) or CUSTOS_ERR_TRUNCATED.
 */
int transcript_verify(const char *buf, size_t len,
    const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
    struct transcript_verdict *v) CUSTOS_WUR;

/* prev of record 0: 64 zeros. */
extern const char transcript_genesis[65];

#endif
