/*
 * op_int.h - what the engine's files (ceremony/op_*.c) share: the
 * context, failing with one line, asking through io, recording with its
 * intent, and the files' paths as records name them. Not for use outside
 * ceremony/op_*.c and ceremony/walk*.c.
 */
#ifndef CUSTOS_OP_INT_H
#define CUSTOS_OP_INT_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "ledger.h"
#include "op.h"

#define OP_MAX_DEVS 9	/* a restore onto 8, and a personal device */
#define OP_PKA_MAX 7

struct op_ctx {
	const struct op_io *io;
	struct ceremony *cer;		/* NULL outside a ceremony */
	struct ledger *led;		/* the transcript's records, or NULL */
	char cdir[PATH_MAX];		/* the ceremony directory, or "" */
	char creal[PATH_MAX];		/* its real path (records' paths) */
	const char *actor;		/* --actor, or NULL */
	const char *step;		/* the plan step being taken, or NULL */
	char *why;
	size_t whysz;
	char whybuf[1024];
	struct op_dev *devs[OP_MAX_DEVS];	/* opened, closed with cx */
	/* The custodians' personal devices for public key authentication
	   (op_set_pka): how to open each, and whose it is ("" unknown). */
	const char *pka_spec[OP_PKA_MAX];
	const char *pka_holder[OP_PKA_MAX];
	size_t npka;
	/* A worker's context (op_ctx_worker): cer and led are its
	   parent's, and lock (recursive) serializes their use and io. */
	int borrowed;
	pthread_mutex_t *lock;
};

/*
 * A context for one worker thread of an operation done on several
 * devices at once: the parent's ceremony, ledger, paths, actor and step,
 * its own reason of failure and io (which the caller makes safe to call
 * from the thread), and no devices of its own. Every record it writes
 * holds lock (recursive; the caller's). Freed with op_ctx_free(), which
 * leaves the parent's things alone. Returns 0 or CUSTOS_ERR_NOMEM.
 */
int op_ctx_worker(const struct op_ctx *parent, const struct op_io *io,
    pthread_mutex_t *lock, struct op_ctx **out) CUSTOS_WUR;

/* Holds cx's lock, when it has one (a worker), around its records. */
void op_lock(struct op_ctx *cx);
void op_unlock(struct op_ctx *cx);

/* Puts text back as the reason (after best-effort work that may have
   overwritten it). */
void op_set_why_text(struct op_ctx *cx, const char *text);

/* Sets the reason (one line) and returns r. */
int op_fail(struct op_ctx *cx, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A line for people (io->note), a warning (io->warn): printf-like. */
void op_note(struct op_ctx *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void op_warn(struct op_ctx *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A value to read aloud. */
void op_show(struct op_ctx *cx, const char *label, const char *hex);

/* Runs fn(ctx) through io->slow, or directly. */
int op_slow(struct op_ctx *cx, const char *what, int (*fn)(void *ctx),
    void *ctx);

/*
 * Asks who for a secret of kind through io, with its policy: a new
 * passphrase must pass pwpolicy_check() (sc-hsm-tool's minimum for
 * OP_SECRET_NEW_LEGACY), a PIN has 6 to 16 characters, an SO PIN 16 hex
 * digits. A refused or mismatched entry is asked again, up to three
 * times, when the front end can ask again; else the refusal is final.
 * Returns 0 with *out in guarded memory, or an error (op_why()).
 */
int op_secret(struct op_ctx *cx, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len) CUSTOS_WUR;

/* Asks the person to confirm consequence (word typed, or a yes);
   CUSTOS_ERR_REFUSED with why when they do not. */
int op_confirm(struct op_ctx *cx, const char *consequence, const char *word,
    const char *refusal) CUSTOS_WUR;

/*
 * Records action (facts stolen; the plan step is added) in the ceremony,
 * or - for device records outside one - in dev's journal (dev may be
 * NULL: then nothing is recorded outside a ceremony). The facts are
 * checked against the action's schema first: a mismatch is a bug
 * (CUSTOS_ERR_INTERNAL). *seq (may be NULL) gets the record's number.
 * Returns 0 or an error (why: "the step was done but could not be
 * recorded").
 */
int op_record(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *action, json_t *facts, unsigned long long *seq) CUSTOS_WUR;

/*
 * Records the intent to do op (an action name) with its subject (facts
 * stolen: serial, share_fingerprint, ref, file, ...) before acting;
 * *seq gets its number, which the completing record names in "intent".
 * Nothing is recorded (and *seq is 0) where no record is kept.
 */
int op_intent(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *op, json_t *subject, unsigned long long *seq) CUSTOS_WUR;

/* Records that intent seq was not carried out (or not to the end):
   reason, and extra facts (stolen; may be NULL). */
int op_intent_void(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    unsigned long long seq, const char *reason, json_t *extra) CUSTOS_WUR;

/* The same, on a failure path: best effort, and the failure's reason
   (op_why()) is kept. */
void op_intent_abort(struct op_ctx *cx, struct op_dev *dev,
    const char *actor, unsigned long long seq, const char *reason,
    json_t *extra);

/* The ledger that holds dev's records: the ceremony's, else the
   device's journal, else NULL. */
struct ledger *op_ledger(struct op_ctx *cx, struct op_dev *dev);

/*
 * Records a refused attempt (wrong passphrase, wrong PIN, wrong or
 * duplicate share) in the ceremony: who tried, what (facts stolen: what,
 * reason, tries_left, file, serial, ...). Never the secret. Best effort:
 * the refusal itself is what the caller reports.
 */
void op_refused(struct op_ctx *cx, const char *who, json_t *facts);

/*
 * The path of a file as records name it: relative to the ceremony
 * directory (with ../ when outside it); outside a ceremony, as given.
 */
void op_relpath(const struct op_ctx *cx, const char *path, char *out,
    size_t outsz);

/* Lower-case hex SHA-256 of a file ("unreadable" when it cannot be
   read). */
void op_file_sha256(const char *path, char out[65]);

/* Whether a string can be recorded (UTF-8, no control characters);
   refuses with why naming what. */
int op_recordable(struct op_ctx *cx, const char *what, const char *s)
    CUSTOS_WUR;

/* Who acts: --actor, else dflt. */
const char *op_actor(const struct op_ctx *cx, const char *dflt);

/* Reconciles the intents the ceremony leaves open for files (share
   files, sets, exported keys): moves what a cut left aside, recorded. */
int op_reconcile_files(struct op_ctx *cx) CUSTOS_WUR;

/* A share.copy intent left open (in: its record): a whole copy where it
   was going is recorded now (recovered), else the intent is voided. */
int op_copy_reconcile(struct op_ctx *cx, json_t *in) CUSTOS_WUR;

struct sc_hsm_key;
struct op_key;

/* What front ends show of a key listed or read from a file. */
void op_key_from(const struct sc_hsm_key *k, struct op_key *o);

/* op_abandon() on a failure path: best effort, and the failure's
   reason (op_why()) is kept. */
void op_abandon_keep(struct op_ctx *cx, const char *path,
    unsigned long long intent);

/* Moves path aside to path.abandoned-N (never over anything), recorded
   with the intent it belonged to (0: none). */
int op_abandon(struct op_ctx *cx, const char *path, unsigned long long intent)
    CUSTOS_WUR;

#endif
