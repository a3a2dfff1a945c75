/*
 * walk.c - opening a ceremony under its plan and taking one step at a
 * time (walk.h): the dispatch. Each step is one engine operation
 * (walk_steps.c); the services are walk_svc.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ceremony.h"
#include "ledger.h"
#include "op_hsm.h"
#include "op_int.h"
#include "sharefile_v1.h"
#include "walk_int.h"

/* The plan this ceremony was started under must be this one. */
static int
same_plan(struct walk *w)
{
	struct ledger *l = w->cx->led;
	size_t i, n = l != NULL ? ledger_count(l) : 0;
	const char *sha;

	for (i = 0; i < n; i++) {
		json_t *rec = ledger_get(l, i);
		const char *a = json_string_value(json_object_get(rec,
		    "action"));

		if (strcmp(a, "ceremony.open") != 0 &&
		    strcmp(a, "walk.plan") != 0)
			continue;
		sha = json_string_value(json_object_get(json_object_get(rec,
		    "facts"), "plan_sha256"));
		if (sha != NULL && strcmp(sha, w->plan->sha256) != 0)
			return walk_fail(w, CUSTOS_ERR_FORMAT, "this ceremony "
			    "was started under plan %.16s..., not this one "
			    "(%.16s...)", sha, w->plan->sha256);
	}
	return CUSTOS_OK;
}

static int
open_ceremony(struct walk *w, const struct walk_opts *o)
{
	struct op_open_args a;
	struct op_open_result res;
	struct stat sb;
	unsigned i;
	int r;

	if (stat(o->dir, &sb) == 0) {
		if ((r = op_ceremony_unlock(w->cx, o->dir)) != CUSTOS_OK)
			return r;	/* why: the engine's */
		if (op_is_rehearsal(w->cx) != w->rehearsal)
			return walk_fail(w, CUSTOS_ERR_INVALID_ARG, "%s is %sa "
			    "rehearsal but this run is %s", o->dir,
			    w->rehearsal ? "not " : "", w->rehearsal ?
			    "a rehearsal" : "real");
		return CUSTOS_OK;
	}
	memset(&a, 0, sizeof(a));
	a.title = w->plan->title;
	a.admin = w->plan->admin;
	for (i = 0; i < w->plan->nwitnesses && i < 16; i++)
		a.witnesses[a.nwitnesses++] = w->plan->witnesses[i];
	a.rehearsal = w->rehearsal;
	a.plan_sha256 = w->plan->sha256;
	a.kdf_ops = w->kdf_ops;
	a.kdf_mem_kib = w->kdf_mem_kib;
	a.offline_required = w->plan->offline_required;
	if ((r = op_ceremony_open(w->cx, o->dir, &a, &res)) != CUSTOS_OK)
		return r;
	/* The key auditors compare with the paper record (auditor guide
	   2): shown now, in groups and words, until it is written down. */
	op_show(w->cx, "Ceremony key fingerprint (SHA-256)", res.pubkey_sha256);
	if (w->io->confirm(w->io->arg, "Everyone has written the ceremony key "
	    "fingerprint above on the paper record: auditors compare the "
	    "signed transcript with it.", "") != 0)
		op_warn(w->cx, "The ceremony key fingerprint was not confirmed "
		    "as written down: it is in record 0, and custos audit verify "
		    "prints it.");
	return CUSTOS_OK;
}

int
walk_open(struct walk **out, const struct walk_opts *o,
    const struct op_io *io, char *why, size_t whysz)
{
	struct walk *w;
	char *slash, pwhy[256];
	int r;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (why != NULL && whysz > 0)
			snprintf(why, whysz, "out of memory");
		return CUSTOS_ERR_NOMEM;
	}
	w->io = io;
	w->why = why;
	w->whysz = whysz;
	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if ((r = op_ctx_new(&w->cx, io, why, whysz)) != CUSTOS_OK)
		goto out;
	if ((r = plan_load(o->plan_path, &w->plan, pwhy, sizeof(pwhy))) != 0) {
		r = walk_fail(w, r, "%s", pwhy);
		goto out;
	}
	snprintf(w->plan_dir, sizeof(w->plan_dir), "%s", o->plan_path);
	if ((slash = strrchr(w->plan_dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(w->plan_dir, sizeof(w->plan_dir), ".");
	snprintf(w->dir, sizeof(w->dir), "%s", o->dir);
	w->rehearsal = w->plan->rehearsal || o->rehearse;
	w->pcsc = o->pcsc || !w->rehearsal;
	/* 0, 0: share files fitted to this machine (kdfcost.h) */
	w->kdf_ops = o->kdf_ops;
	w->kdf_mem_kib = o->kdf_mem_kib;
	if ((r = walk_pka_devices(w)) != CUSTOS_OK)
		goto out;
	if ((r = walk_build(w->plan, w->steps, WALK_MAX_STEPS, &w->nsteps))
	    != 0) {
		r = walk_fail(w, r, "the plan has more than %d steps; split "
		    "it in two ceremonies", WALK_MAX_STEPS);
		goto out;
	}
	/* offline: required holds on every sitting, not only the first */
	if (w->plan->offline_required &&
	    (r = op_require_offline(w->cx)) != CUSTOS_OK)
		goto out;
	if ((r = open_ceremony(w, o)) != 0 || (r = same_plan(w)) != 0)
		goto out;
	walk_progress(w);
	*out = w;
	w = NULL;
 out:
	walk_free(w);
	return r;
}

void
walk_free(struct walk *w)
{
	if (w == NULL)
		return;
	op_ctx_free(w->cx);	/* its devices, their PINs */
	plan_free(w->plan);
	free(w);
}

const struct plan *
walk_plan(const struct walk *w)
{
	return w->plan;
}

const struct walk_step *
walk_steps(const struct walk *w, size_t *n)
{
	*n = w->nsteps;
	return w->steps;
}

size_t
walk_current(const struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nsteps; i++)
		if (w->steps[i].state != WALK_DONE)
			break;
	return i;
}

const char *
walk_ceremony_id(const struct walk *w)
{
	return op_ceremony_id(w->cx);
}

int
walk_is_rehearsal(const struct walk *w)
{
	return w->rehearsal;
}

/* Who acts for a step: the administrator, or (for shares) the custodians
   themselves, whom the engine names. */
static const char *
actor_of(const struct walk *w, const struct walk_step *st)
{
	switch (st->op) {
	case WALK_SHARE_CREATE:
	case WALK_SHARE_SPLIT:
	case WALK_RESHARE:
	case WALK_HSM_IMPORT:
		return NULL;
	case WALK_PKA_PREPARE:
		return w->plan->pka[st->share].name;
	default:
		return w->plan->admin;
	}
}

static int
dispatch(struct walk *w, struct walk_step *st)
{
	switch (st->op) {
	case WALK_PLAN: return walk_do_plan(w);
	case WALK_SHARE_CREATE:
	case WALK_SHARE_SPLIT: return walk_do_share_new(w);
	case WALK_RESHARE: return walk_do_reshare(w);
	case WALK_PKA_PREPARE: return walk_do_pka_prepare(w);
	case WALK_PKA_REGISTER: return walk_do_pka_register(w);
	case WALK_HSM_INIT: return walk_do_hsm_init(w);
	case WALK_DOMAIN_CREATE: return walk_do_domain_create(w);
	case WALK_HSM_IMPORT: return walk_do_hsm_import(w);
	case WALK_HSM_KCV: return walk_do_hsm_kcv(w);
	case WALK_KEYGEN: return walk_do_keygen(w);
	case WALK_BACKUP: return walk_do_backup(w);
	case WALK_RESTORE: return walk_do_restore(w);
	case WALK_CLOSE: return walk_do_close(w);
	}
	return walk_fail(w, CUSTOS_ERR_INTERNAL, "unknown step");
}

int
walk_uses_domains(const struct walk *w)
{
	return w->plan->ndomains > 0 || w->plan->domain >= 0 ||
	    w->plan->key_domains > 0;
}

int
walk_domains(struct walk *w, unsigned h, struct op_domain *out, size_t max,
    size_t *n, int *slots, char *label, char *serial, char *why,
    size_t whysz)
{
	struct op_dev *d;
	char *was = w->why;
	size_t wassz = w->whysz;
	int r;

	*n = 0;
	*slots = 0;
	if (h >= w->plan->nhsms) {
		snprintf(why, whysz, "no such HSM");
		return CUSTOS_ERR_INVALID_ARG;
	}
	w->why = why;
	w->whysz = whysz;
	op_set_why(w->cx, why, whysz);
	snprintf(label, 64, "%s", w->plan->hsms[h].name);
	snprintf(serial, 64, "%s", w->plan->hsms[h].serial);
	w->cur = NULL;		/* between steps: no step's domain */
	if ((r = walk_dev(w, (int)h, &d)) == CUSTOS_OK) {
		op_set_actor(w->cx, w->plan->admin);
		r = op_hsm_domains(w->cx, d, 0, out, max, n, slots);
		op_set_actor(w->cx, NULL);
		snprintf(serial, 64, "%s", op_dev_serial(d));
	}
	/* held only for this (opened, it may have failed to settle a cut) */
	if (w->dev[h] != NULL)
		op_dev_release(w->dev[h]);
	walk_progress(w);	/* opening it may have settled a cut */
	/* why is the caller's for this call only */
	w->why = was;
	w->whysz = wassz;
	op_set_why(w->cx, was, wassz);
	return r;
}

const char *
walk_summary(const struct walk *w)
{
	return w->summary;
}

void
walk_said(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	vsnprintf(w->summary, sizeof(w->summary), fmt, ap);
	va_end(ap);
}

int
walk_step_run(struct walk *w, char *why, size_t whysz)
{
	size_t i = walk_current(w);
	struct walk_step *st;
	struct op_dev *d;
	int r;

	w->why = why;
	w->whysz = whysz;
	w->summary[0] = '\0';
	op_set_why(w->cx, why, whysz);
	if (i == w->nsteps)
		return 0;
	st = w->cur = &w->steps[i];
	if (st->state == WALK_BEGUN)
		w->io->note(w->io->arg, "This step began before an "
		    "interruption: custos checks what was done before going "
		    "on.");
	/* The device first: opening it reconciles what a cut left there,
	   which may finish this very step. */
	if (st->hsm >= 0) {
		if ((r = walk_dev(w, st->hsm, &d)) != CUSTOS_OK)
			goto out;
		walk_progress(w);
		if (st->state == WALK_DONE) {
			w->io->note(w->io->arg, "The device shows this step was "
			    "done before the interruption: it is recorded now.");
			r = CUSTOS_OK;
			goto out;
		}
	}
	/* irreversible: its consequence confirmed first (an HSM's init
	   confirms ERASE itself, after reading the device) */
	if (st->consequence[0] != '\0' && st->op != WALK_HSM_INIT &&
	    (r = op_confirm(w->cx, st->consequence, st->confirm_word,
	    "not confirmed: nothing was done")) != CUSTOS_OK)
		goto out;
	op_set_step(w->cx, st->id);
	op_set_actor(w->cx, actor_of(w, st));
	r = dispatch(w, st);
	op_set_step(w->cx, NULL);
	op_set_actor(w->cx, NULL);
	if (st->op != WALK_CLOSE)
		walk_progress(w);
	else if (r == CUSTOS_OK)
		st->state = WALK_DONE;
	if (r == CUSTOS_OK && st->state != WALK_DONE)
		r = walk_fail(w, CUSTOS_ERR_INTERNAL, "the step did not record "
		    "its end");
	if (r != CUSTOS_OK)
		w->summary[0] = '\0';
 out:
	/* A card is held only for a step: between steps it may be taken
	   out, and other tools may look at it. */
	for (i = 0; i < PLAN_MAX_HSMS; i++)
		if (w->dev[i] != NULL)
			op_dev_release(w->dev[i]);
	return r;
}
