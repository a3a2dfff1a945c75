/*
 * walk_svc.c - the walk's services (walk_int.h): one-line failures, the
 * plan's paths, the HSMs found and opened, and the progress of the steps
 * read from the ceremony's record. Used by the steps and the dispatch;
 * uses neither.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/atomicio.h"
#include "ledger.h"
#include "op_int.h"
#include "walk_int.h"

int
walk_fail(struct walk *w, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (w->why != NULL && w->whysz > 0)
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
		vsnprintf(w->why, w->whysz, fmt, ap);
	va_end(ap);
	return r;
}

const struct plan *
walk_scope(const struct walk *w)
{
	if (w->cur != NULL && w->cur->dom >= 0 &&
	    (unsigned)w->cur->dom < w->plan->ndomains)
		return w->plan->domains[w->cur->dom];
	return w->plan;
}

void
walk_id(const struct walk *w, char *out, size_t sz, const char *base)
{
	walk_domain_id(out, sz, walk_scope(w) != w->plan ?
	    walk_scope(w)->domain : -1, base);
}

/* The ceremony's own share directory: shares/, or in a plan naming
   several key domains the step's shares/domain-N/ (snprintf's count). */
static int
own_shares(const struct walk *w, char *out, size_t sz)
{
	const struct plan *v = walk_scope(w);

	if (v != w->plan)
		return snprintf(out, sz, "%s/shares/domain-%d", w->dir,
		    v->domain);
	return snprintf(out, sz, "%s/shares", w->dir);
}

void
walk_path(const struct walk *w, char *out, size_t sz, const char *path)
{
	if (path[0] == '/')
		snprintf(out, sz, "%s", path);
	else
		snprintf(out, sz, "%s/%s", w->plan_dir, path);
}

int
walk_shares_dir(struct walk *w, char *out, size_t sz)
{
	int r;

	if (own_shares(w, out, sz) >= (int)sz)
		return walk_fail(w, CUSTOS_ERR_TOO_LARGE, "path too long");
	if ((r = atomicio_mkdirs(out)) != CUSTOS_OK)
		return walk_fail(w, r, "%s: %s", out, custos_strerror(r));
	return CUSTOS_OK;
}

void
walk_share_source(const struct walk *w, char *out, size_t sz)
{
	if (walk_scope(w)->share_dir != NULL)
		walk_path(w, out, sz, walk_scope(w)->share_dir);
	else
		(void)own_shares(w, out, sz);
}

int
walk_dev(struct walk *w, int h, struct op_dev **d)
{
	const struct plan_hsm *ph = &w->plan->hsms[h];
	char spec[64];
	int r;

	if (w->dev[h] != NULL) {
		/* the key domain of the step being taken */
		op_dev_set_domain(w->dev[h], walk_scope(w)->domain);
		*d = w->dev[h];
		return CUSTOS_OK;
	}
	*d = NULL;
	if (!w->pcsc) {
		snprintf(spec, sizeof(spec), "emu:%s", ph->name);
		r = op_dev_open(w->cx, spec, ph->name, ph->serial, &w->dev[h]);
	} else {
		r = op_dev_find(w->cx, ph->serial, ph->name, &w->dev[h]);
	}
	if (r != CUSTOS_OK)
		return r;	/* the engine set why */
	/* the ceremony's DKEK lives in the plan's key domain, if any; in
	   a plan naming several, the step's */
	op_dev_set_domain(w->dev[h], walk_scope(w)->domain);
	*d = w->dev[h];
	return CUSTOS_OK;
}

static const char *
fact_of(json_t *rec, const char *name)
{
	return json_string_value(json_object_get(json_object_get(rec,
	    "facts"), name));
}

/* Whether record rec finishes the step it names (a share file's copy
   follows the step that sealed it, and is not that step's outcome). */
static int
finishes(json_t *rec)
{
	static const char *const not[] = { "intent", "intent.void",
	    "file.abandon", "attempt.refused", "share.copy" };
	const char *a = json_string_value(json_object_get(rec, "action")), *o;
	size_t i;

	for (i = 0; i < sizeof(not) / sizeof(not[0]); i++)
		if (strcmp(a, not[i]) == 0)
			return 0;
	/* a restore that is not complete is recorded, but not done */
	return (o = fact_of(rec, "outcome")) == NULL ||
	    strcmp(o, "incomplete") != 0;
}

static struct walk_step *
step_of(struct walk *w, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < w->nsteps; i++)
		if (strcmp(w->steps[i].id, id) == 0)
			return &w->steps[i];
	return NULL;
}

/* A restore onto several HSMs is done when each has its complete
   record: which of the plan's HSMs rec says is restored (bit), or 0. */
static unsigned
restored_hsm(const struct walk *w, json_t *rec)
{
	const char *hsm = fact_of(rec, "hsm");
	unsigned h;

	for (h = 0; hsm != NULL && h < w->plan->nhsms; h++)
		if (strcmp(w->plan->hsms[h].name, hsm) == 0)
			return 1U << h;
	return 0;
}

int
walk_restored(const struct walk *w, const char *id, unsigned h)
{
	struct ledger *l = w->cx->led;
	size_t i, n = l != NULL ? ledger_count(l) : 0;

	for (i = 0; i < n; i++) {
		json_t *rec = ledger_get(l, i);
		const char *s = fact_of(rec, "step");

		if (s != NULL && strcmp(s, id) == 0 && strcmp(
		    json_string_value(json_object_get(rec, "action")),
		    "backup.restore") == 0 && finishes(rec) &&
		    restored_hsm(w, rec) == 1U << h)
			return 1;
	}
	return 0;
}

void
walk_progress(struct walk *w)
{
	struct ledger *l = w->cx->led;
	struct walk_step *st;
	size_t i, n = l != NULL ? ledger_count(l) : 0;
	/* the HSMs each restore step has restored completely (a plan with
	   domains has one restore step a domain) */
	unsigned restored[WALK_MAX_STEPS], all = (1U << w->plan->nhsms) - 1;

	for (i = 0; i < w->nsteps; i++) {
		w->steps[i].state = WALK_TODO;
		restored[i] = 0;
	}
	for (i = 0; i < n; i++) {
		json_t *rec = ledger_get(l, i);
		const char *a = json_string_value(json_object_get(rec,
		    "action"));

		if (strcmp(a, "ceremony.close") == 0 &&
		    (st = step_of(w, "close")) != NULL) {
			st->state = WALK_DONE;
			continue;
		}
		if ((st = step_of(w, fact_of(rec, "step"))) == NULL ||
		    st->state == WALK_DONE)
			continue;
		if (strcmp(a, "intent") == 0) {
			if (!ledger_intent_done(l, (unsigned long long)
			    json_integer_value(json_object_get(rec, "seq"))))
				st->state = WALK_BEGUN;
		} else if (finishes(rec)) {
			if (st->op == WALK_RESTORE && w->plan->nhsms > 1) {
				size_t k = (size_t)(st - w->steps);

				restored[k] |= restored_hsm(w, rec);
				if (restored[k] != all)
					continue;
			}
			st->state = WALK_DONE;
		}
	}
}

const char *
walk_step_fact(const struct walk *w, const char *id, const char *action,
    const char *fact)
{
	struct ledger *l = w->cx->led;
	size_t i, n = l != NULL ? ledger_count(l) : 0;
	const char *s;

	for (i = n; i-- > 0;) {
		json_t *rec = ledger_get(l, i);

		if ((s = fact_of(rec, "step")) == NULL || strcmp(s, id) != 0 ||
		    !finishes(rec))
			continue;
		if (action != NULL && strcmp(json_string_value(
		    json_object_get(rec, "action")), action) != 0)
			continue;
		return fact_of(rec, fact);
	}
	return NULL;
}
