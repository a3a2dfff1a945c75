/*
 * walk_int.h - what the walk's files share: its state (walk.c opens it
 * and dispatches steps), its services (walk_svc.c: failing, paths,
 * devices, progress read from the record), and the steps (walk_steps.c),
 * each one engine operation. The step file uses the services; the
 * services use neither the steps nor the dispatch. Not for use outside
 * ceremony/walk*.c.
 */
#ifndef CUSTOS_WALK_INT_H
#define CUSTOS_WALK_INT_H

#include <limits.h>

#include "op.h"
#include "op_dev.h"
#include "walk.h"

struct walk {
	struct plan *plan;
	struct op_ctx *cx;
	const struct op_io *io;
	char dir[PATH_MAX];		/* the ceremony directory */
	char plan_dir[PATH_MAX];	/* directory of the plan file */
	int rehearsal;
	int pcsc;			/* HSMs through PC/SC, by serial */
	unsigned long long kdf_ops, kdf_mem_kib;
	struct walk_step steps[WALK_MAX_STEPS];
	size_t nsteps;
	struct op_dev *dev[PLAN_MAX_HSMS];	/* opened when first needed */
	struct walk_step *cur;		/* the step being taken */
	char *why;
	size_t whysz;
	char summary[400];		/* what the last step did */
	/* the custodians' personal devices (public key authentication):
	   emu:pka-SERIAL in a rehearsal, else serial:SERIAL */
	char pka_spec[PLAN_MAX_PKA][32];
	const char *pka_specs[PLAN_MAX_PKA], *pka_holders[PLAN_MAX_PKA];
};

/* Sets what the step did, in one or two sentences (walk_summary()). */
void walk_said(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether HSM h of the plan has a complete restore recorded for step
   id (a restore onto several, resumed: it is not restored again). */
int walk_restored(const struct walk *w, const char *id, unsigned h);

/* What the step being taken works on: in a plan naming several key
   domains, the step's domain (plan.h, a view); else the plan. */
const struct plan *walk_scope(const struct walk *w);

/* The id of step base ("hsm-kcv-1") in key domain dom of a plan naming
   several ("d1-hsm-kcv-1"); dom < 0: base itself. One format, for the
   steps walk_build() names and those a step looks up. */
void walk_domain_id(char *out, size_t sz, int dom, const char *base);

/* The id of step base of the current step's domain (walk_domain_id). */
void walk_id(const struct walk *w, char *out, size_t sz, const char *base);

/* Sets w->why to a one-line message; returns r. */
int walk_fail(struct walk *w, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resolves path against the plan's directory into out. */
void walk_path(const struct walk *w, char *out, size_t sz, const char *path);

/* The directory of the ceremony's share files (shares/; in a plan naming
   several key domains shares/domain-N/), made 0700. */
int walk_shares_dir(struct walk *w, char *out, size_t sz) CUSTOS_WUR;

/* The directory existing share files are read from: the plan's
   share_dir, else the ceremony's shares/. */
void walk_share_source(const struct walk *w, char *out, size_t sz);

/*
 * HSM h's device: the emulated emu:NAME in a rehearsal, else (or with
 * --pcsc) the PC/SC reader holding the plan's serial. Opening it
 * reconciles what a cut left on it. Returns 0 or an error (why).
 */
int walk_dev(struct walk *w, int h, struct op_dev **d) CUSTOS_WUR;

/* Reads which steps are done and which began from the ceremony's
   record. */
void walk_progress(struct walk *w);

/* A fact of the record that finished step id (action; NULL: any done
   record), or NULL. */
const char *walk_step_fact(const struct walk *w, const char *id,
    const char *action, const char *fact);

/* The steps (walk_steps.c): each one operation of the engine. */
int walk_do_plan(struct walk *w) CUSTOS_WUR;
int walk_do_share_new(struct walk *w) CUSTOS_WUR;	/* held or split */
int walk_do_reshare(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_init(struct walk *w) CUSTOS_WUR;
int walk_do_pka_prepare(struct walk *w) CUSTOS_WUR;
int walk_do_pka_register(struct walk *w) CUSTOS_WUR;

/* Names the plan's personal devices to the engine (op_set_pka), for
   the quorum before any key is used. */
int walk_pka_devices(struct walk *w) CUSTOS_WUR;
int walk_do_domain_create(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_import(struct walk *w) CUSTOS_WUR;
int walk_do_hsm_kcv(struct walk *w) CUSTOS_WUR;
int walk_do_keygen(struct walk *w) CUSTOS_WUR;
int walk_do_backup(struct walk *w) CUSTOS_WUR;
int walk_do_restore(struct walk *w) CUSTOS_WUR;
int walk_do_close(struct walk *w) CUSTOS_WUR;

#endif
