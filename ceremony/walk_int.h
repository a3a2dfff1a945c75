/*
 * walk_int.h - what the walk's files share (walk.c, walk_build.c,
 * walk_share.c, walk_hsm.c). Not for use outside ceremony/walk*.c.
 */
#ifndef CUSTOS_WALK_INT_H
#define CUSTOS_WALK_INT_H

#include <limits.h>

#include <jansson.h>

#include "../cards/card.h"
#include "dkek.h"
#include "walk.h"

struct ceremony;

struct walk {
	struct plan *plan;
	struct ceremony *cer;
	const struct walk_io *io;
	char dir[PATH_MAX];		/* the ceremony directory */
	char plan_dir[PATH_MAX];	/* directory of the plan file */
	int rehearsal;
	int pcsc;			/* HSMs through PC/SC, by serial */
	unsigned long long kdf_ops, kdf_mem_kib;
	struct walk_step steps[WALK_MAX_STEPS];
	size_t nsteps;
	unsigned long long last_seq;	/* of the last record read */
	/* per HSM: the open card, its serial, the user PIN once given
	   (guarded), the DKEK KCV recorded for it ("" none) */
	struct card *card[PLAN_MAX_HSMS];
	char serial[PLAN_MAX_HSMS][17];
	char *pin[PLAN_MAX_HSMS];
	size_t pinlen[PLAN_MAX_HSMS];
	char kcv[PLAN_MAX_HSMS][17];
	/* per key: the reference its walk.begin chose (0: none) */
	int begun_ref[PLAN_MAX_KEYS];
	/* per share: its fingerprint as its share step recorded it, and
	   per HSM the fingerprints imported ("" none) */
	char share_fpr[PLAN_MAX_SHARES][2 * DKEK_FPR_LEN + 1];
	char ifpr[PLAN_MAX_HSMS][PLAN_MAX_SHARES][2 * DKEK_FPR_LEN + 1];
	/* the step being taken, and whether it had begun before this try
	   (an interruption, or a failure earlier in this run) */
	struct walk_step *cur;
	int resumed;
	char *why;
	size_t whysz;
};

/* Sets w->why to a one-line message; returns r. */
int walk_fail(struct walk *w, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs fn(ctx) through io->slow (or directly); returns its result. */
int walk_slow(struct walk *w, const char *what, int (*fn)(void *ctx),
    void *ctx);

/* Records action with facts (borrowed) now. Returns 0 or an error (why). */
int walk_record(struct walk *w, const char *action, json_t *facts)
    CUSTOS_WUR;

/*
 * Records the current step's finishing record: action with facts (stolen;
 * "step" is added). Returns 0 or an error (why set).
 */
int walk_finish(struct walk *w, const char *action, json_t *facts)
    CUSTOS_WUR;

/* Resolves path against the plan's directory into out. */
void walk_path(const struct walk *w, char *out, size_t sz, const char *path);

/* The share file of share i held whole by holder, in dir. */
void walk_share_path(char *out, size_t sz, const char *dir, int share,
    const char *holder);

/* The member file of share i for group member m (0-based). */
void walk_member_path(char *out, size_t sz, const char *dir, int share,
    unsigned m, const char *name);

/*
 * Rebuilds share i into share (32 bytes, guarded) from the files in dir,
 * under protection ps: the holder types their passphrase, or a quorum of
 * the group types theirs (who is asked, in order, until M opened). fpr
 * (may be NULL) gets its fingerprint as hex. Returns 0 or an error (why).
 */
int walk_share_open(struct walk *w, const char *dir,
    const struct plan_share *ps, int share, unsigned char *out,
    char fpr[2 * DKEK_FPR_LEN + 1]) CUSTOS_WUR;

/*
 * Before a step begins (nothing recorded yet): what must hold for it to
 * start at all, so a refusal leaves it untouched and its retry is not
 * taken for the resumption of a cut step. walk_pre_share: none of its
 * files exists; walk_pre_keygen: no key with its label, and the free
 * reference it will use (into *ref, recorded in walk.begin);
 * walk_pre_backup: the set does not exist.
 */
int walk_pre_share(struct walk *w) CUSTOS_WUR;
int walk_pre_keygen(struct walk *w, int *ref) CUSTOS_WUR;
int walk_pre_backup(struct walk *w) CUSTOS_WUR;

/* Records the current step's walk.begin with facts (stolen; may be
   NULL). */
int walk_begin(struct walk *w, json_t *facts) CUSTOS_WUR;

/* The op of each kind of step (walk_share.c, walk_hsm.c). */
int walk_do_share_new(struct walk *w) CUSTOS_WUR;	/* held or split */
int walk_do_reshare(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_init(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_import(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_kcv(struct walk *w) CUSTOS_WUR;
int walk_do_keygen(struct walk *w) CUSTOS_WUR;
int walk_do_backup(struct walk *w) CUSTOS_WUR;
int walk_do_restore(struct walk *w) CUSTOS_WUR;

/*
 * Reads a secret through io (retrying a mismatched confirmation up to
 * three times; for new passphrases the policy is checked). Returns 0 or
 * an error (why set).
 */
int walk_secret(struct walk *w, enum walk_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len)
    CUSTOS_WUR;

/* A transport error on HSM h (the card is gone; the next use opens it
   again): sets why (HSM name, what was being done) and returns r. */
int walk_card_err(struct walk *w, int h, int r, const char *what);

/* Verifies the user PIN of HSM h (asked once per run; a wrong one says
   how many tries are left). */
int walk_login(struct walk *w, int h) CUSTOS_WUR;

/* Opens HSM h (walk_hsm.c: by name or by serial), then walk_login(). */
int walk_ready(struct walk *w, int h) CUSTOS_WUR;

/* Facts every HSM record carries: serial, reader, emulated. */
json_t *walk_hsm_facts(struct walk *w, int h);

/* Moves path (file or directory) aside to path.abandoned-SEQ, recorded. */
int walk_abandon(struct walk *w, const char *path) CUSTOS_WUR;

#endif
