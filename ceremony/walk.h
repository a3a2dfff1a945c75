/*
 * walk.h - the ceremony walk: a plan (plan.h) turned into a list of steps
 * that custodians take one at a time, and the state machine that takes
 * them. The transcript is the source of truth for progress: each step is
 * announced by a "walk.begin" record and finished by its own record (e.g.
 * "hsm.import-share") carrying "step": its id. Resuming reads the
 * transcript, checks the card's and the files' real state against it and
 * goes on at the first unfinished step; a step that began but did not
 * finish is reconciled (done on the device already, or run again), so no
 * share is lost and none is imported twice.
 *
 * Each step is one operation of the ceremony engine (op.h): the walk
 * only turns a plan step into that call, so a step taken here and the
 * same step taken with the CLI give the same records. No terminal here:
 * everything a person must do or see goes through struct op_io, which the
 * TUI (ui/tui_*.c) draws and the unit tests script.
 */
#ifndef CUSTOS_WALK_H
#define CUSTOS_WALK_H

#include <stddef.h>

#include "../common/err.h"
#include "op.h"
#include "plan.h"

#define WALK_MAX_STEPS 128
#define WALK_SO_PIN_DEFAULT "3537363231383830"	/* factory SO PIN */

enum walk_op {
	WALK_PLAN = 1,		/* everyone compares the plan's SHA-256 */
	WALK_SHARE_CREATE,	/* a holder's new share and passphrase */
	WALK_SHARE_SPLIT,	/* a new share split M-of-N to a group */
	WALK_RESHARE,		/* a share re-protected for new custodians */
	WALK_PKA_PREPARE,	/* a custodian's personal device: its key
				   for public key authentication, exported */
	WALK_HSM_INIT,		/* initialize an HSM for the DKEK */
	WALK_PKA_REGISTER,	/* register a custodian's key on an HSM */
	WALK_DOMAIN_CREATE,	/* create the plan's key domain on an HSM */
	WALK_HSM_IMPORT,	/* import one share into an HSM */
	WALK_HSM_KCV,		/* read and compare the HSM's DKEK KCV */
	WALK_KEYGEN,		/* generate one planned key */
	WALK_BACKUP,		/* wrap every key into the backup set */
	WALK_RESTORE,		/* restore and prove every key of the set */
	WALK_CLOSE,		/* sign the transcript, destroy the key */
};

enum walk_state { WALK_TODO = 0, WALK_BEGUN, WALK_DONE };

struct walk_step {
	enum walk_op op;
	int share, hsm, key;	/* plan indexes, -1 when not used */
	int dom;		/* a plan naming several key domains: the
				   step's (its index in plan->domains; share
				   and key index that domain's); -1: none */
	char id[48];		/* stable: "hsm-import-1-2" */
	char title[80];
	char actor[128];	/* who acts: "alice", "dana (administrator)" */
	char explain[400];	/* one or two sentences */
	char consequence[200];	/* irreversible: what confirming does */
	char confirm_word[16];	/* typed to confirm ("ERASE"), or "" */
	enum walk_state state;
};

struct walk;
struct ceremony;

struct walk_opts {
	const char *plan_path;	/* the plan file (relative paths in it are
				   relative to its directory) */
	const char *dir;	/* the ceremony directory */
	int rehearse;		/* force a rehearsal on emulated devices */
	int pcsc;		/* find the HSMs by serial among the PC/SC
				   readers in a rehearsal too (spare devices,
				   or the emulator served to pcscd) */
	unsigned long long kdf_ops, kdf_mem_kib;	/* 0: defaults */
};

/*
 * Loads the plan, then creates the ceremony directory (asking the
 * administrator for a new passphrase through io; the plan's witnesses
 * are recorded at open) or unlocks the existing one (reconciling what a
 * cut left), and reads its transcript to know which steps are done. A
 * ceremony started under another plan (SHA-256) is refused. Returns 0,
 * CUSTOS_ERR_CLOSED (the ceremony is closed: nothing to resume),
 * CUSTOS_ERR_FORMAT (the plan; why says where), CUSTOS_ERR_BAD_PASSPHRASE
 * and others; why (may be NULL) gets one line on error.
 */
int walk_open(struct walk **w, const struct walk_opts *o,
    const struct op_io *io, char *why, size_t whysz) CUSTOS_WUR;

/* Closes cards, wipes PINs, frees; accepts NULL. */
void walk_free(struct walk *w);

/* The plan, the steps and the index of the first unfinished one (== n
   when all are done). */
const struct plan *walk_plan(const struct walk *w);
const struct walk_step *walk_steps(const struct walk *w, size_t *n);
size_t walk_current(const struct walk *w);
const char *walk_ceremony_id(const struct walk *w);
int walk_is_rehearsal(const struct walk *w);

/*
 * Takes the current step: reconciles it when it began before an
 * interruption, confirms what is irreversible, does it, records it.
 * Returns 0 (the step is done; walk_current() moved on), or an error with
 * why set to one line (the step is not done and may be taken again;
 * nothing recorded as done). CUSTOS_ERR_CANCELLED: the person backed out.
 */
int walk_step_run(struct walk *w, char *why, size_t whysz) CUSTOS_WUR;

/* What the last step taken did, in a sentence or two for the screen
   ("DKEK share 2 imported into HSM primary: 1 of 3 shares
   outstanding."); "" before a step, or when it failed. */
const char *walk_summary(const struct walk *w);

struct op_domain;

/* Whether the plan works with key domains (domain, key_domains or
   domains): the TUI then offers its domain view. */
int walk_uses_domains(const struct walk *w);

/*
 * The key domains of the plan's HSM h as the device shows them now,
 * between steps: out[0..max) (*n in use), its slots (*slots), the name
 * and serial (label, serial: at least 64 bytes each). Sends no PIN: a
 * complete domain whose device shows its KCV only after login has kcv
 * "". Records hsm.domains, by the administrator. Returns 0, or an error
 * with why (the device missing, say).
 */
int walk_domains(struct walk *w, unsigned h, struct op_domain *out,
    size_t max, size_t *n, int *slots, char *label, char *serial,
    char *why, size_t whysz) CUSTOS_WUR;

/* Steps of a plan without a ceremony (for showing a plan; tests). */
int walk_build(const struct plan *p, struct walk_step *steps, size_t max,
    size_t *n) CUSTOS_WUR;

#endif
