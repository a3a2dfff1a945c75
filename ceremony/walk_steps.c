/*
 * walk_steps.c - each step of a planned ceremony turned into one call of
 * the ceremony engine (op_*.h), with what the plan says: who holds which
 * share, which HSM, which key, which set. What a step must find before it
 * begins (no file in the way) is checked here, so a refusal leaves it
 * untouched; everything else - intent, reconciling a cut, the record - is
 * the engine's, the same as for the CLI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cards/sc_hsm_ef.h"
#include "../common/atomicio.h"
#include "ceremony.h"
#include "op_backup.h"
#include "op_hsm.h"
#include "op_int.h"
#include "op_pka.h"
#include "op_share.h"
#include "walk_int.h"

/* A plan share's protection, as the engine takes it. */
static void
protection(const struct plan_share *ps, struct op_protection *p)
{
	p->holder = ps->holder;
	p->threshold = ps->threshold;
	p->group = ps->group;
	p->ngroup = ps->ngroup;
}

int
walk_do_plan(struct walk *w)
{
	const struct plan *p = w->plan;
	json_t *f;
	size_t i;
	int r;

	op_show(w->cx, "Plan SHA-256", p->sha256);
	if ((r = w->io->confirm(w->io->arg, "Everyone has compared the plan's "
	    "SHA-256 with the printed plan, and it is the same.", "")) != 0)
		return walk_fail(w, r, "the plan was not confirmed");
	walk_said(w, "Everyone confirmed the plan's SHA-256 against the "
	    "printed plan.");
	f = json_pack("{s:s, s:s, s:s, s:b, s:[]}", "plan_sha256", p->sha256,
	    "kind", plan_kind_name(p->kind), "title", p->title, "rehearsal",
	    w->rehearsal, "steps");
	for (i = 0; f != NULL && i < w->nsteps; i++)
		json_array_append_new(json_object_get(f, "steps"),
		    json_string(w->steps[i].id));
	return op_record(w->cx, NULL, p->admin, "walk.plan", f, NULL);
}

/* None of the files the share step writes may be there already. */
static int
files_free(struct walk *w, const char *dir, int share,
    const struct op_protection *p)
{
	char path[4096];
	unsigned m, n = p->holder ? 1 : p->ngroup;

	for (m = 0; m < n; m++) {
		op_plan_file(path, sizeof(path), dir, share, p, m);
		if (access(path, F_OK) == 0)
			return walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a file "
			    "is never overwritten (move it away, then take the "
			    "step again)", path);
	}
	return CUSTOS_OK;
}

static int
seal(struct walk *w, int i, const unsigned char *value,
    const struct op_combined *old, const char *old_scheme)
{
	struct op_protection to;
	struct op_seal_args a;
	char dir[4096], fpr[17], taken[256];
	const struct plan *v = walk_scope(w);
	int r;

	protection(&v->shares[i], &to);
	if ((r = walk_shares_dir(w, dir, sizeof(dir))) != CUSTOS_OK ||
	    (r = files_free(w, dir, i + 1, &to)) != CUSTOS_OK)
		return r;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.to = &to;
	a.share = i + 1;
	a.nshares = v->nshares;
	a.value = value;
	a.old = old;
	a.old_scheme = old_scheme;
	a.kdf_mem_kib = w->kdf_mem_kib;
	a.kdf_ops = w->kdf_ops;
	a.taken = taken;
	a.takensz = sizeof(taken);
	if ((r = op_plan_share_seal(w->cx, &a, fpr)) != CUSTOS_OK)
		return r;
	if (to.holder != NULL) {
		char path[4096], rel[4096];

		op_plan_file(path, sizeof(path), dir, i + 1, &to, 0);
		op_relpath(w->cx, path, rel, sizeof(rel));
		walk_said(w, "%s's DKEK share %d of %u is sealed in %s, on "
		    "this laptop%s%s.", to.holder, i + 1, v->nshares, rel,
		    taken[0] ? "; a copy, read back, went with " : " only",
		    taken);
	} else {
		char rel[4096];

		op_relpath(w->cx, dir, rel, sizeof(rel));
		walk_said(w, "DKEK share %d of %u is split %u of %u: each "
		    "custodian's part is sealed in %s/, on this laptop%s%s.",
		    i + 1, v->nshares, to.threshold, to.ngroup, rel, taken[0] ?
		    "; copies, read back, went with " : "", taken);
	}
	return CUSTOS_OK;
}

int
walk_do_share_new(struct walk *w)
{
	return seal(w, w->cur->share, NULL, NULL, NULL);
}

int
walk_do_reshare(struct walk *w)
{
	const struct plan *p = w->plan;
	struct op_protection from;
	struct op_combined was;
	struct op_share s;
	char dir[4096];
	int r;

	protection(&p->reshare_from, &from);
	walk_share_source(w, dir, sizeof(dir));
	if ((r = op_plan_share_open(w->cx, dir, &from, w->cur->share + 1,
	    &s)) != CUSTOS_OK)
		return r;
	memset(&was, 0, sizeof(was));
	was.threshold = from.holder ? 1 : from.threshold;
	was.given = (unsigned)s.ncustodians;
	r = seal(w, w->cur->share, s.value, &was, from.holder ? "file" :
	    "slip39");
	op_share_clear(&s);
	return r;
}

int
walk_do_hsm_init(struct walk *w)
{
	struct op_init_args a;
	struct op_dev *d;
	int r, keys = 0;

	if ((r = walk_dev(w, w->cur->hsm, &d)) != CUSTOS_OK)
		return r;
	memset(&a, 0, sizeof(a));
	a.dkek_shares = w->plan->key_domains > 0 ? -1 :
	    (int)w->plan->nshares;
	a.key_domains = w->plan->key_domains;
	a.pka_total = (int)w->plan->npka;
	a.pka_required = (int)w->plan->pka_required;
	a.pka_replace = w->plan->pka_replace;
	a.retries = 3;
	a.always_confirm = 1;
	a.consequence = w->cur->consequence;
	a.so_hint = w->rehearsal ? "Rehearsal: use " WALK_SO_PIN_DEFAULT
	    ", the default SO PIN of OpenSC's and Nitrokey's examples." : "";
	if ((r = op_hsm_init(w->cx, d, &a, &keys)) != CUSTOS_OK)
		return r;
	if (a.pka_total > 0 && a.key_domains > 0)
		walk_said(w, "HSM %s is initialized with %d empty key domain "
		    "slots (%d key%s erased), with no user PIN: %d of the %d "
		    "custodians' keys, registered next, stand for it.",
		    op_dev_label(d), a.key_domains, keys, keys == 1 ? "" : "s",
		    a.pka_required, a.pka_total);
	else if (a.pka_total > 0)
		walk_said(w, "HSM %s is initialized for %d DKEK share%s (%d "
		    "key%s erased), with no user PIN: %d of the %d custodians' "
		    "keys, registered next, stand for it.", op_dev_label(d),
		    a.dkek_shares, a.dkek_shares == 1 ? "" : "s", keys,
		    keys == 1 ? "" : "s", a.pka_required, a.pka_total);
	else if (a.key_domains > 0)
		walk_said(w, "HSM %s is initialized with %d empty key domain "
		    "slots (%d key%s erased).", op_dev_label(d), a.key_domains,
		    keys, keys == 1 ? "" : "s");
	else
		walk_said(w, "HSM %s is initialized for %d DKEK shares (%d "
		    "key%s erased); all %d shares are outstanding.",
		    op_dev_label(d), a.dkek_shares, keys, keys == 1 ? "" : "s",
		    a.dkek_shares);
	return CUSTOS_OK;
}

int
walk_do_domain_create(struct walk *w)
{
	struct op_domain o;
	struct op_dev *d;
	int r;

	if ((r = walk_dev(w, w->cur->hsm, &d)) != CUSTOS_OK)
		return r;
	if ((r = op_hsm_domain_create(w->cx, d, walk_scope(w)->domain,
	    (int)walk_scope(w)->nshares, &o)) != CUSTOS_OK)
		return r;
	walk_said(w, "Key domain %d of HSM %s is created for %d DKEK "
	    "share%s; its other domains and their keys are untouched.",
	    o.domain, op_dev_label(d), o.shares, o.shares == 1 ? "" : "s");
	return CUSTOS_OK;
}

int
walk_do_hsm_import(struct walk *w)
{
	const struct plan *p = walk_scope(w);
	struct op_import_result res;
	struct op_protection from;
	struct op_share s;
	struct op_dev *d;
	char dir[4096], id[24], base[24];
	const char *want;
	int r, i = w->cur->share;

	if ((r = walk_dev(w, w->cur->hsm, &d)) != CUSTOS_OK)
		return r;
	protection(&p->shares[i], &from);
	walk_share_source(w, dir, sizeof(dir));
	if ((r = op_plan_share_open(w->cx, dir, &from, i + 1, &s)) !=
	    CUSTOS_OK)
		return r;
	/* the share this ceremony made, when it made it */
	snprintf(base, sizeof(base), "share-%d", i + 1);
	walk_id(w, id, sizeof(id), base);
	want = walk_step_fact(w, id, NULL, "share_fingerprint");
	r = op_hsm_import(w->cx, d, &s, 1, want, &res);
	op_share_clear(&s);
	if (r == CUSTOS_OK)
		walk_said(w, "DKEK share %d is in HSM %s: %d of %d shares "
		    "outstanding.", i + 1, op_dev_label(d), res.left, res.total);
	return r;
}

int
walk_do_hsm_kcv(struct walk *w)
{
	const struct plan *p = walk_scope(w);
	struct op_kcv_result res;
	struct op_dev *d;
	const char *want = p->expected_kcv[0] ? p->expected_kcv : NULL;
	char first[24];
	int r;

	walk_id(w, first, sizeof(first), "hsm-kcv-1");
	if (want == NULL && w->cur->hsm > 0)
		want = walk_step_fact(w, first, "dkek.kcv", "kcv");
	if ((r = walk_dev(w, w->cur->hsm, &d)) != CUSTOS_OK)
		return r;
	if ((r = op_hsm_kcv(w->cx, d, want, want ? "The KCV above matches "
	    "the paper record, read aloud group by group." : "Everyone has "
	    "written the KCV above on their paper record.", &res)) !=
	    CUSTOS_OK)
		return r;
	walk_said(w, "HSM %s's DKEK has KCV %.4s %.4s %.4s %.4s%s.",
	    op_dev_label(d), res.kcv, res.kcv + 4, res.kcv + 8, res.kcv + 12,
	    want ? ", the KCV expected" : "; everyone wrote it down");
	return CUSTOS_OK;
}

int
walk_do_keygen(struct walk *w)
{
	const struct plan_key *pk = &walk_scope(w)->keys[w->cur->key];
	struct op_keygen_args a;
	struct op_key k;
	struct op_dev *d;
	char label[100];
	int r;

	if ((r = walk_dev(w, 0, &d)) != CUSTOS_OK)
		return r;
	memset(&a, 0, sizeof(a));
	a.type = pk->type;
	a.label = pk->label;
	a.ref = -1;
	a.unique_label = 1;
	if ((r = op_hsm_keygen(w->cx, d, &a, &k)) != CUSTOS_OK)
		return r;
	snprintf(label, sizeof(label), "Key %.40s: public key SHA-256",
	    pk->label);
	op_show(w->cx, label, k.fpr);
	walk_said(w, "Key %s (%s) is generated in HSM %s as key %d.",
	    pk->label, k.kind, op_dev_label(d), k.ref);
	return CUSTOS_OK;
}

int
walk_do_backup(struct walk *w)
{
	struct backup_manifest *m = NULL;
	struct op_dev *d;
	char set[4096], sha[65], rel[4096];
	struct stat sb;
	size_t i;
	int r;
	const char *backup = walk_scope(w)->backup;

	/* A set this ceremony writes goes inside its directory (backups/
	   by the example plans); a restore reads one relative to the plan. */
	if (backup[0] == '/')
		snprintf(set, sizeof(set), "%s", backup);
	else if (snprintf(set, sizeof(set), "%s/%s", w->dir, backup) >=
	    (int)sizeof(set))
		return walk_fail(w, CUSTOS_ERR_TOO_LARGE, "path too long");
	if (lstat(set, &sb) == 0)
		return walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a backup set "
		    "is never overwritten (choose another backup: in the plan)",
		    set);
	snprintf(rel, sizeof(rel), "%s", set);
	*strrchr(rel, '/') = '\0';
	if ((r = atomicio_mkdirs(rel)) != CUSTOS_OK)
		return walk_fail(w, r, "%s: %s", rel, custos_strerror(r));
	if ((r = walk_dev(w, 0, &d)) != CUSTOS_OK)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = op_backup_create(w->cx, d, set, NULL, 0, m, sha)) ==
	    CUSTOS_OK) {
		for (i = 0; i < m->nskipped; i++)
			op_warn(w->cx, "NOT BACKED UP: key %d (%s): %s",
			    m->skipped[i].ref, m->skipped[i].label,
			    m->skipped[i].reason);
		op_show(w->cx, "Backup manifest SHA-256", sha);
		op_relpath(w->cx, set, rel, sizeof(rel));
		/* the warning first: a long path must not cut it off */
		walk_said(w, "%s%zu key%s wrapped into the backup set %s.",
		    m->nskipped ? "SOME KEYS WERE NOT BACKED UP (see the "
		    "warning). " : "", m->nkeys, m->nkeys == 1 ? "" : "s",
		    rel);
	}
	free(m);
	return r;
}

/* The restore onto every HSM of the plan at once (op_restore_many.c). */
static int
restore_many(struct walk *w, const char *set)
{
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct op_restore_one one[PLAN_MAX_HSMS];
	struct backup_manifest *m = NULL;
	char sha[65], line[sizeof(w->summary)];
	size_t h, n = 0, ok = 0, len = 0, skipped = 0;
	int r;

	memset(one, 0, sizeof(one));
	/* after a cut, an HSM already restored completely is left alone */
	for (h = 0; h < w->plan->nhsms; h++) {
		if (walk_restored(w, w->cur->id, (unsigned)h)) {
			skipped++;
			continue;
		}
		if ((r = walk_dev(w, (int)h, &one[n++].dev)) != CUSTOS_OK)
			return r;
	}
	if (n == 0) {
		walk_said(w, "Every HSM was already restored completely.");
		return CUSTOS_OK;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (h = 0; h < n; h++)
		if ((one[h].out = calloc(BACKUP_MAX_KEYS,
		    sizeof(*one[h].out))) == NULL) {
			r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
			goto out;
		}
	r = op_backup_restore_many(w->cx, set, &ro, m, sha, one, n);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_CORRUPT)
		goto out;
	line[0] = '\0';
	for (h = 0; h < n; h++) {
		ok += one[h].r == CUSTOS_OK;
		if (len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    "%s%s %zu of %zu", h > 0 ? ", " : "",
			    op_dev_label(one[h].dev), one[h].done, m->nkeys);
	}
	if (r == CUSTOS_OK)
		walk_said(w, "Every key restored and proven by a test signature "
		    "on %s%zu HSMs: %s%s.", skipped ? "" : "all ", n, line,
		    skipped ? " (the others were already)" : "");
	else {
		/* the first device that failed says why; the rest are in
		   the transcript, each under its own serial */
		for (h = 0; h + 1 < n && one[h].r == CUSTOS_OK; h++)
			;
		r = walk_fail(w, CUSTOS_ERR_CORRUPT, "%zu of %zu HSMs restored "
		    "completely (%s); HSM %s: %s", ok + skipped, n + skipped,
		    line,
		    op_dev_label(one[h].dev), one[h].why);
	}
 out:
	for (h = 0; h < n; h++)
		free(one[h].out);
	free(m);
	return r;
}

int
walk_do_restore(struct walk *w)
{
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_manifest *m = NULL;
	struct backup_outcome *out = NULL;
	struct op_dev *d;
	char set[4096], sha[65];
	size_t done = 0;
	int r;

	walk_path(w, set, sizeof(set), walk_scope(w)->backup);
	if (w->plan->nhsms > 1)
		return restore_many(w, set);
	if ((r = walk_dev(w, 0, &d)) != CUSTOS_OK)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = op_backup_restore(w->cx, d, set, &ro, m, sha, out, &done);
	if (r == CUSTOS_OK) {
		size_t i, on = 0, proven = 0;

		for (i = 0; i < done; i++) {
			on += out[i].on_device != 0;
			proven += out[i].proven != 0;
		}
		walk_said(w, "%zu of %zu keys restored to HSM %s, %zu of %zu "
		    "proven by a test signature.", on, m->nkeys,
		    op_dev_label(d), proven, m->nkeys);
	}
 out:
	free(m);
	free(out);
	return r;
}

int
walk_do_close(struct walk *w)
{
	int r;

	if ((r = op_ceremony_close(w->cx, w->plan->paper)) != CUSTOS_OK)
		return r;
	walk_said(w, "The transcript is signed and the ceremony's signing key "
	    "destroyed. The closing summary is summary.txt (and .pdf) in the "
	    "ceremony directory.");
	return CUSTOS_OK;
}

int
walk_pka_devices(struct walk *w)
{
	const struct plan *p = w->plan;
	unsigned i;

	for (i = 0; i < p->npka; i++) {
		snprintf(w->pka_spec[i], sizeof(w->pka_spec[i]), "%s%s",
		    w->pcsc ? "serial:" : "emu:pka-", p->pka[i].serial);
		w->pka_specs[i] = w->pka_spec[i];
		w->pka_holders[i] = p->pka[i].name;
	}
	return op_set_pka(w->cx, w->pka_specs, w->pka_holders, p->npka);
}

/* The .pka of personal device i, in the ceremony directory. */
static void
pka_file(const struct walk *w, unsigned i, char *out, size_t sz)
{
	snprintf(out, sz, "%s/pka/%s.pka", w->dir, w->plan->pka[i].serial);
}

int
walk_do_pka_prepare(struct walk *w)
{
	const struct plan_hsm *pd = &w->plan->pka[w->cur->share];
	char path[PATH_MAX + 64], dir[PATH_MAX + 8];
	struct op_init_args a;
	struct op_keygen_args g;
	struct op_pka_key k;
	struct op_key key;
	struct op_dev *d = NULL;
	struct card *c;
	uint8_t *ce = NULL;
	size_t cel = 0;
	int r, keys = 0, have = 0;

	if (w->cx->io->handover != NULL && (r = w->cx->io->handover(
	    w->cx->io->arg, pd->name, "Insert your personal device: it holds "
	    "the key you will authenticate with.", OP_HANDOVER_STEP)) != 0)
		return r;
	r = w->pcsc ? op_dev_find(w->cx, pd->serial, NULL, &d) :
	    op_dev_open(w->cx, w->pka_spec[w->cur->share], NULL, pd->serial,
	    &d);
	if (r != CUSTOS_OK)
		return r;
	if ((r = op_dev_card(w->cx, d, &c)) != CUSTOS_OK)
		goto out;
	/* A device that has its key already (a step taken again, or a
	   restore) only exports it. */
	if (sc_hsm_read_ef(c, 0xCE01, &ce, &cel) == 0)
		have = 1;
	free(ce);
	if (!have && w->plan->kind == PLAN_RESTORE) {
		r = walk_fail(w, CUSTOS_ERR_NOT_FOUND, "%s's personal device "
		    "(serial %s) has no authentication key: it is not the one "
		    "registered before", pd->name, op_dev_serial(d));
		goto out;
	}
	if (!have) {
		memset(&a, 0, sizeof(a));
		a.dkek_shares = -1;
		a.retries = 3;
		a.always_confirm = 0;
		a.so_hint = w->rehearsal ? "Rehearsal: use "
		    WALK_SO_PIN_DEFAULT ", the default SO PIN of OpenSC's and "
		    "Nitrokey's examples." : "";
		if ((r = op_hsm_init(w->cx, d, &a, &keys)) != CUSTOS_OK)
			goto out;
		memset(&g, 0, sizeof(g));
		g.type = "ec:brainpoolP256r1";
		g.label = "custos-pka";
		g.ref = 1;
		g.unexportable = 1;
		if ((r = op_hsm_keygen(w->cx, d, &g, &key)) != CUSTOS_OK)
			goto out;
	}
	snprintf(dir, sizeof(dir), "%s/pka", w->dir);
	if ((r = atomicio_mkdirs(dir)) != 0) {
		r = walk_fail(w, r, "%s: %s", dir, custos_strerror(r));
		goto out;
	}
	pka_file(w, w->cur->share, path, sizeof(path));
	if (access(path, F_OK) == 0 && (r = op_abandon(w->cx, path, 0)) !=
	    CUSTOS_OK)
		goto out;
	if ((r = op_pka_export(w->cx, d, 1, pd->name, path, &k)) !=
	    CUSTOS_OK)
		goto out;
	op_show(w->cx, "Key fingerprint (SHA-256)", k.fpr);
	walk_said(w, "%s's personal device %s %s its key %s; it is exported "
	    "for registration.", pd->name, k.serial, have ? "holds" : "made",
	    k.key_chr);
 out:
	if (d != NULL)
		op_dev_drop(w->cx, d);
	return r;
}

int
walk_do_pka_register(struct walk *w)
{
	const struct plan_hsm *pd = &w->plan->pka[w->cur->share];
	char path[PATH_MAX + 64];
	struct op_pka_state st;
	struct op_pka_key k;
	struct op_dev *d;
	int r, yes = 0;

	if ((r = walk_dev(w, w->cur->hsm, &d)) != CUSTOS_OK)
		return r;
	pka_file(w, w->cur->share, path, sizeof(path));
	/* taken again after a cut: registered already is done */
	if ((r = op_pka_registered(w->cx, d, path, &k, &yes)) != CUSTOS_OK)
		return r;
	if (yes) {
		walk_said(w, "%s's key %s was registered on HSM %s already.",
		    pd->name, k.key_chr, op_dev_label(d));
		return CUSTOS_OK;
	}
	if ((r = op_pka_register(w->cx, d, path, pd->name, -1, &k, &st)) !=
	    CUSTOS_OK)
		return r;
	walk_said(w, "%s's key %s (device %s) is registered on HSM %s: %d "
	    "of %d keys registered, %d needed.", pd->name, k.key_chr,
	    k.serial, op_dev_label(d), st.total - st.missing, st.total,
	    st.required);
	return CUSTOS_OK;
}
