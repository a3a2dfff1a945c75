/*
 * ceremony.h - a ceremony is a directory: its public key (ceremony.pub,
 * minisign format), its signing key encrypted under the administrator's
 * passphrase while open (ceremony.key), the transcript (transcript.jsonl)
 * and, once closed, the transcript's minisign signature
 * (transcript.jsonl.minisig); plus shares/, backups/ and reports/.
 *
 * Recording a step is one call: ceremony_record().
 */
#ifndef CUSTOS_CEREMONY_H
#define CUSTOS_CEREMONY_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"
#include "minisign.h"

#define CEREMONY_PUB "ceremony.pub"
#define CEREMONY_KEY "ceremony.key"
#define CEREMONY_TRANSCRIPT "transcript.jsonl"
#define CEREMONY_SIG "transcript.jsonl.minisig"
#define CEREMONY_TRANSCRIPT_MAX (256UL * 1024 * 1024)

/* An unlocked ceremony: its signing key lives in guarded memory. */
struct ceremony;

struct buildinfo;

struct ceremony_params {
	const char *title;
	const char *admin;
	int rehearsal;
	const char *const *witnesses;	/* nwitnesses names, recorded */
	size_t nwitnesses;
	const char *plan_sha256;	/* a planned ceremony's plan, or NULL */
	unsigned long long kdf_ops;	/* for ceremony.key */
	unsigned long long kdf_mem_kib;
	const struct buildinfo *machine;	/* software and machine facts */
};

/*
 * Creates the ceremony directory dir (must not exist): a new Ed25519 key,
 * encrypted under pw in ceremony.key, and the first record,
 * "ceremony.open". id_out gets the ceremony id (16 hex digits), fpr_out
 * the public key's fingerprint (64 hex digits: SHA-256 of the 32-byte
 * public key). Returns 0 or an error code; on error dir is removed.
 */
int ceremony_create(const char *dir, const struct ceremony_params *p,
    const unsigned char *pw, size_t pwlen, char id_out[17],
    char fpr_out[65]) CUSTOS_WUR;

/*
 * Unlocks an open ceremony with the administrator's passphrase, after
 * checking that its transcript verifies (a partial last record from a
 * crash is allowed: the next append repairs it). Returns 0,
 * CUSTOS_ERR_BAD_PASSPHRASE, CUSTOS_ERR_CLOSED (no key: the ceremony was
 * closed; or its last record is ceremony.close: a close cut short, which
 * only ceremony_unlock_for_close() takes), CUSTOS_ERR_CORRUPT (the
 * transcript does not verify),
 * CUSTOS_ERR_NOT_FOUND or another error.
 */
int ceremony_unlock(struct ceremony **c, const char *dir,
    const unsigned char *pw, size_t pwlen) CUSTOS_WUR;

/*
 * Like ceremony_unlock(), for ceremony close only: a ceremony whose close
 * record is written (a close cut short) is taken, so that the close can
 * be finished. ceremony_unlock() refuses it with CUSTOS_ERR_CLOSED.
 */
int ceremony_unlock_for_close(struct ceremony **c, const char *dir,
    const unsigned char *pw, size_t pwlen) CUSTOS_WUR;

/* Wipes the key and frees; accepts NULL. */
void ceremony_free(struct ceremony *c);

/*
 * Appends one signed record to the transcript and fsyncs it before
 * returning. facts is borrowed (a JSON object, or NULL). A partial last
 * line left by a crash is cut off first and the cut recorded. Returns 0,
 * CUSTOS_ERR_CLOSED, CUSTOS_ERR_CORRUPT (the transcript does not verify:
 * nothing is appended), CUSTOS_ERR_BUSY (another process held the
 * transcript for 5 s), or an I/O error.
 */
int ceremony_record(struct ceremony *c, const char *actor,
    const char *action, json_t *facts) CUSTOS_WUR;

/* As ceremony_record(); *seq (may be NULL) gets the record's number. */
int ceremony_append(struct ceremony *c, const char *actor,
    const char *action, json_t *facts, unsigned long long *seq) CUSTOS_WUR;

/*
 * Closes the ceremony: records "ceremony.close", writes the minisign
 * signature of the whole transcript, and destroys ceremony.key. Rerunning
 * after a crash finishes an interrupted close; a signature file that is
 * already there must verify, else CUSTOS_ERR_CORRUPT and the key is kept.
 * Returns 0 or an error code.
 */
int ceremony_close(struct ceremony *c, const char *actor) CUSTOS_WUR;

/*
 * ceremony_close() in two halves, for a caller that writes files from the
 * closed transcript before the close is final (the closing summary):
 * ceremony_close_record() records "ceremony.close" (once: a close cut
 * short has it already); ceremony_close_finish() signs the transcript and
 * destroys the key (CUSTOS_ERR_INVALID_ARG when the last record is not
 * the close). Each returns 0 or an error code.
 */
int ceremony_close_record(struct ceremony *c, const char *actor) CUSTOS_WUR;
int ceremony_close_finish(struct ceremony *c) CUSTOS_WUR;

/* Reads the public key (and key id) of a ceremony directory. */
int ceremony_load_pub(const char *dir, unsigned char pk[32],
    unsigned char keyid[MINISIGN_KEYID_LEN]) CUSTOS_WUR;

/* The administrator named when the ceremony was opened. */
const char *ceremony_admin(const struct ceremony *c);

/* The ceremony's id (16 hex digits) and whether it is a rehearsal. */
const char *ceremony_id(const struct ceremony *c);
int ceremony_is_rehearsal(const struct ceremony *c);

#endif
