/*
 * walk.c - opening a ceremony under its plan, reading its progress from
 * the transcript, and taking one step at a time (walk.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cards/card.h"
#include "../common/atomicio.h"
#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "ceremony.h"
#include "sharefile_v1.h"
#include "transcript.h"
#include "walk_int.h"

int
walk_fail(struct walk *w, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (w->why != NULL && w->whysz > 0)
		vsnprintf(w->why, w->whysz, fmt, ap);
	va_end(ap);
	return r;
}

static struct walk_step *
find_step(struct walk *w, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < w->nsteps; i++)
		if (strcmp(w->steps[i].id, id) == 0)
			return &w->steps[i];
	return NULL;
}

int
walk_record(struct walk *w, const char *action, json_t *facts)
{
	const char *step = w->cur != NULL ? w->cur->id : NULL;
	int r = ceremony_record(w->cer, w->plan->admin, action, facts);

	if (r != 0)
		return walk_fail(w, r, "recording %s: %s", action,
		    custos_strerror(r));
	w->last_seq++;
	if (w->io->recorded != NULL)
		w->io->recorded(w->io->arg, action, step);
	return 0;
}

int
walk_slow(struct walk *w, const char *what, int (*fn)(void *ctx), void *ctx)
{
	if (w->io->slow != NULL)
		return w->io->slow(w->io->arg, what, fn, ctx);
	return fn(ctx);
}

struct open_job {
	const char *dir;
	struct ceremony_params *cp;
	struct ceremony **cer;
	const char *pw;
	size_t pwlen;
};

static int
create_job(void *p)
{
	struct open_job *j = p;
	char id[17], fpr[65];

	return ceremony_create(j->dir, j->cp, (const unsigned char *)j->pw,
	    j->pwlen, id, fpr);
}

static int
unlock_job(void *p)
{
	struct open_job *j = p;

	return ceremony_unlock(j->cer, j->dir, (const unsigned char *)j->pw,
	    j->pwlen);
}

int
walk_finish(struct walk *w, const char *action, json_t *facts)
{
	int r;

	if (facts == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(facts, "step", json_string(w->cur->id));
	r = walk_record(w, action, facts);
	json_decref(facts);
	if (r == 0)
		w->cur->state = WALK_DONE;
	return r;
}

void
walk_path(const struct walk *w, char *out, size_t sz, const char *path)
{
	if (path[0] == '/')
		snprintf(out, sz, "%s", path);
	else
		snprintf(out, sz, "%s/%s", w->plan_dir, path);
}

void
walk_share_path(char *out, size_t sz, const char *dir, int share,
    const char *holder)
{
	snprintf(out, sz, "%s/share-%d-%s.share", dir, share + 1, holder);
}

void
walk_member_path(char *out, size_t sz, const char *dir, int share,
    unsigned m, const char *name)
{
	snprintf(out, sz, "%s/share-%d-member-%u-%s.share", dir, share + 1,
	    m + 1, name);
}

int
walk_secret(struct walk *w, enum walk_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len)
{
	const char *bad;
	int tries, r = CUSTOS_ERR_CANCELLED;

	*out = NULL;
	for (tries = 0; tries < 3; tries++) {
		r = w->io->secret(w->io->arg, kind, who, what, hint, out, len);
		if (r == CUSTOS_ERR_PASSPHRASE_MISMATCH) {
			w->io->note(w->io->arg, "The two entries differ; "
			    "please type it again.");
			continue;
		}
		if (r != 0)
			return walk_fail(w, r, "%s: %s", what,
			    custos_strerror(r));
		bad = NULL;
		if (kind == WALK_SECRET_NEW || kind == WALK_SECRET_ADMIN_NEW)
			bad = pwpolicy_check(*out, *len, 0);
		else if ((kind == WALK_SECRET_PIN ||
		    kind == WALK_SECRET_PIN_NEW) && (*len < 6 || *len > 16))
			bad = "a PIN has 6 to 16 characters";
		else if ((kind == WALK_SECRET_SO_PIN ||
		    kind == WALK_SECRET_SO_PIN_NEW) && (*len != 16 ||
		    strspn(*out, "0123456789abcdefABCDEF") != 16))
			bad = "the SO PIN is 16 hex digits";
		if (bad == NULL)
			return 0;
		secmem_free(*out);
		*out = NULL;
		w->io->note(w->io->arg, bad);
		r = CUSTOS_ERR_WEAK_PASSPHRASE;
		if (kind == WALK_SECRET_PIN || kind == WALK_SECRET_SO_PIN)
			r = CUSTOS_ERR_INVALID_ARG;
	}
	return walk_fail(w, r, "%s: %s", what, r == CUSTOS_ERR_WEAK_PASSPHRASE
	    ? "refused three times" : custos_strerror(r));
}

int
walk_abandon(struct walk *w, const char *path)
{
	char to[PATH_MAX + 48];
	struct stat sb;
	json_t *f;
	int r, n;

	/* a name nothing has: the seq of the record to come, and a counter */
	for (n = 0; n < 1000; n++) {
		snprintf(to, sizeof(to), "%s.abandoned-%llu%s%.0d", path,
		    w->last_seq + 1, n ? "-" : "", n);
		if (lstat(to, &sb) != 0 && errno == ENOENT)
			break;
	}
	if (n == 1000 || rename(path, to) != 0)
		return walk_fail(w, CUSTOS_ERR_IO, "%s: cannot move it aside: "
		    "%s", path, strerror(errno));
	f = json_pack("{s:s, s:s, s:s}", "path", path, "moved_to", to,
	    "step", w->cur->id);
	r = f == NULL ? CUSTOS_ERR_NOMEM : walk_record(w, "walk.abandon", f);
	json_decref(f);
	return r;
}

/* Keeps the share fingerprints a finished step recorded. */
static void
note_fingerprints(struct walk *w, const struct walk_step *st, json_t *facts)
{
	const char *f = json_string_value(json_object_get(facts,
	    "fingerprint"));

	if ((st->op == WALK_SHARE_CREATE || st->op == WALK_SHARE_SPLIT ||
	    st->op == WALK_RESHARE) && st->share >= 0 && f != NULL)
		snprintf(w->share_fpr[st->share], sizeof(w->share_fpr[0]),
		    "%s", f);
	f = json_string_value(json_array_get(json_object_get(facts,
	    "share_fingerprints"), 0));
	if (st->op == WALK_HSM_IMPORT && st->hsm >= 0 && st->share >= 0 &&
	    f != NULL)
		snprintf(w->ifpr[st->hsm][st->share], sizeof(w->ifpr[0][0]),
		    "%s", f);
}

/* Reads the transcript: which steps began and finished, and their facts. */
static int
read_progress(struct walk *w)
{
	char path[PATH_MAX + 32];
	unsigned char *buf = NULL;
	size_t len = 0, off = 0, end;
	struct transcript_record rec;
	struct walk_step *st;
	const char *why, *sha;
	json_t *facts;
	int r;

	snprintf(path, sizeof(path), "%s/%s", w->dir, CEREMONY_TRANSCRIPT);
	if ((r = atomicio_read(path, CEREMONY_TRANSCRIPT_MAX, 0, &buf, &len))
	    != 0)
		return walk_fail(w, r, "%s: %s", path, custos_strerror(r));
	for (; off < len; off = end + 1) {
		for (end = off; end < len && buf[end] != '\n'; end++)
			;
		if (end == len)
			break;	/* a partial last line: the next append cuts */
		if (transcript_parse_record((char *)buf + off, end - off, &rec,
		    &why) != 0) {
			r = walk_fail(w, CUSTOS_ERR_CORRUPT, "transcript: %s",
			    why);
			goto out;
		}
		w->last_seq = rec.seq;
		facts = json_object_get(rec.body, "facts");
		st = find_step(w, json_string_value(json_object_get(facts,
		    "step")));
		if (strcmp(rec.action, "walk.plan") == 0 &&
		    (sha = json_string_value(json_object_get(facts,
		    "plan_sha256"))) != NULL && strcmp(sha, w->plan->sha256) != 0) {
			r = walk_fail(w, CUSTOS_ERR_FORMAT, "this ceremony was "
			    "started under plan %.16s..., not this one "
			    "(%.16s...)", sha, w->plan->sha256);
			transcript_record_clear(&rec);
			goto out;
		}
		if (st != NULL && strcmp(rec.action, "walk.begin") == 0) {
			if (st->state == WALK_TODO)
				st->state = WALK_BEGUN;
			if (st->op == WALK_KEYGEN && st->key >= 0)
				w->begun_ref[st->key] = (int)json_integer_value(
				    json_object_get(facts, "ref"));
		} else if (st != NULL && strcmp(rec.action, "walk.abandon") != 0) {
			st->state = WALK_DONE;
			if (st->op == WALK_HSM_KCV && st->hsm >= 0)
				snprintf(w->kcv[st->hsm], 17, "%s",
				    json_string_value(json_object_get(facts,
				    "kcv")) ?: "");
			note_fingerprints(w, st, facts);
		}
		transcript_record_clear(&rec);
	}
	r = 0;
 out:
	free(buf);
	return r;
}

static int
open_ceremony(struct walk *w, const struct walk_opts *o)
{
	struct ceremony_params cp;
	struct open_job job;
	struct stat sb;
	char *pw = NULL;
	size_t pwlen = 0;
	char key[PATH_MAX + 32];
	int r, exists = stat(o->dir, &sb) == 0;

	/* closed (its key destroyed): nothing to unlock, nothing to ask */
	snprintf(key, sizeof(key), "%s/%s", o->dir, CEREMONY_KEY);
	if (exists && stat(key, &sb) != 0 && errno == ENOENT)
		return walk_fail(w, CUSTOS_ERR_CLOSED, "%s is closed", o->dir);

	r = walk_secret(w, exists ? WALK_SECRET_ADMIN : WALK_SECRET_ADMIN_NEW,
	    w->plan->admin, exists ? "Administrator passphrase" :
	    "New administrator passphrase for this ceremony", exists ?
	    "It unlocks the ceremony's signing key." : "It protects the "
	    "ceremony's signing key until the ceremony is closed.", &pw,
	    &pwlen);
	if (r != 0)
		return r;
	job.dir = o->dir;
	job.cp = &cp;
	job.cer = &w->cer;
	job.pw = pw;
	job.pwlen = pwlen;
	if (!exists) {
		memset(&cp, 0, sizeof(cp));
		cp.title = w->plan->title;
		cp.admin = w->plan->admin;
		cp.rehearsal = w->rehearsal;
		cp.kdf_ops = w->kdf_ops;
		cp.kdf_mem_kib = w->kdf_mem_kib;
		if ((r = walk_slow(w, "Creating the ceremony's signing key",
		    create_job, &job)) != 0) {
			r = walk_fail(w, r, "%s: %s", o->dir,
			    custos_strerror(r));
			goto out;
		}
	}
	if ((r = walk_slow(w, "Unlocking the ceremony (Argon2id)", unlock_job,
	    &job)) != 0) {
		r = walk_fail(w, r, "%s: %s", o->dir, r ==
		    CUSTOS_ERR_BAD_PASSPHRASE ? "wrong administrator "
		    "passphrase" : custos_strerror(r));
		goto out;
	}
	if (ceremony_is_rehearsal(w->cer) != w->rehearsal)
		r = walk_fail(w, CUSTOS_ERR_INVALID_ARG, "%s is %sa rehearsal "
		    "but this run is %s", o->dir, w->rehearsal ? "not " : "",
		    w->rehearsal ? "a rehearsal" : "real");
 out:
	secmem_free(pw);
	return r;
}

int
walk_open(struct walk **out, const struct walk_opts *o,
    const struct walk_io *io, char *why, size_t whysz)
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
	if ((r = plan_load(o->plan_path, &w->plan, pwhy, sizeof(pwhy))) != 0) {
		r = walk_fail(w, r, "%s: %s", o->plan_path, pwhy);
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
	w->kdf_ops = o->kdf_ops ? o->kdf_ops : V1_OPS_DEFAULT;
	w->kdf_mem_kib = o->kdf_mem_kib ? o->kdf_mem_kib : V1_MEM_KIB_DEFAULT;
	if ((r = walk_build(w->plan, w->steps, WALK_MAX_STEPS, &w->nsteps))
	    != 0) {
		r = walk_fail(w, r, "the plan has too many steps");
		goto out;
	}
	if ((r = open_ceremony(w, o)) != 0 || (r = read_progress(w)) != 0)
		goto out;
	*out = w;
	w = NULL;
 out:
	walk_free(w);
	return r;
}

void
walk_free(struct walk *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < PLAN_MAX_HSMS; i++) {
		card_close(w->card[i]);
		secmem_free(w->pin[i]);
	}
	ceremony_free(w->cer);
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
	return ceremony_id(w->cer);
}

int
walk_is_rehearsal(const struct walk *w)
{
	return w->rehearsal;
}

static int
do_plan(struct walk *w)
{
	const struct plan *p = w->plan;
	json_t *f;
	size_t i;
	int r;

	w->io->show(w->io->arg, "Plan SHA-256", p->sha256);
	if ((r = w->io->confirm(w->io->arg, "Everyone has compared the plan's "
	    "SHA-256 with the printed plan, and it is the same.", "")) != 0)
		return walk_fail(w, r, "the plan was not confirmed");
	f = json_pack("{s:s, s:s, s:s, s:b, s:[]}", "plan_sha256", p->sha256,
	    "kind", plan_kind_name(p->kind), "title", p->title, "rehearsal",
	    w->rehearsal, "steps");
	for (i = 0; f != NULL && i < w->nsteps; i++)
		json_array_append_new(json_object_get(f, "steps"),
		    json_string(w->steps[i].id));
	return walk_finish(w, "walk.plan", f);
}

static int
do_close(struct walk *w)
{
	int r = ceremony_close(w->cer, w->plan->admin);

	if (r != 0)
		return walk_fail(w, r, "closing the ceremony: %s",
		    custos_strerror(r));
	w->cur->state = WALK_DONE;
	if (w->io->recorded != NULL)
		w->io->recorded(w->io->arg, "ceremony.close", w->cur->id);
	return 0;
}

int
walk_begin(struct walk *w, json_t *f)
{
	int r;

	if (f == NULL)
		f = json_object();
	if (f == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(f, "step", json_string(w->cur->id));
	json_object_set_new(f, "title", json_string(w->cur->title));
	r = walk_record(w, "walk.begin", f);
	json_decref(f);
	if (r == 0)
		w->cur->state = WALK_BEGUN;
	return r;
}

/* What must hold before the step may begin; 0 and *f the facts of its
   walk.begin, or a refusal with nothing recorded. */
static int
precheck(struct walk *w, json_t **f)
{
	int r = 0, ref = 0;

	*f = json_object();
	switch (w->cur->op) {
	case WALK_SHARE_CREATE:
	case WALK_SHARE_SPLIT:
	case WALK_RESHARE:
		r = walk_pre_share(w);
		break;
	case WALK_KEYGEN:
		if ((r = walk_pre_keygen(w, &ref)) == 0) {
			w->begun_ref[w->cur->key] = ref;
			json_object_set_new(*f, "ref", json_integer(ref));
		}
		break;
	case WALK_BACKUP:
		r = walk_pre_backup(w);
		break;
	default:
		break;
	}
	if (r != 0) {
		json_decref(*f);
		*f = NULL;
	}
	return r;
}

int
walk_step_run(struct walk *w, char *why, size_t whysz)
{
	size_t i = walk_current(w);
	struct walk_step *st;
	json_t *f;
	int r;

	w->why = why;
	w->whysz = whysz;
	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if (i == w->nsteps)
		return 0;
	st = w->cur = &w->steps[i];
	w->resumed = st->state == WALK_BEGUN;
	if (w->resumed)
		w->io->note(w->io->arg, "This step began before an "
		    "interruption: custos checks what was done before going "
		    "on.");
	if (st->consequence[0] != '\0' && st->op != WALK_HSM_INIT &&
	    (r = w->io->confirm(w->io->arg, st->consequence,
	    st->confirm_word)) != 0)
		return walk_fail(w, r, "not confirmed: nothing was done");
	/* an HSM's init begins only once its ERASE is confirmed (walk_hsm.c) */
	if (st->op != WALK_PLAN && st->op != WALK_CLOSE &&
	    st->op != WALK_HSM_INIT && st->state == WALK_TODO &&
	    ((r = precheck(w, &f)) != 0 || (r = walk_begin(w, f)) != 0))
		goto out;
	switch (st->op) {
	case WALK_PLAN: r = do_plan(w); break;
	case WALK_SHARE_CREATE:
	case WALK_SHARE_SPLIT: r = walk_do_share_new(w); break;
	case WALK_RESHARE: r = walk_do_reshare(w); break;
	case WALK_HSM_INIT: r = walk_do_hsm_init(w); break;
	case WALK_HSM_IMPORT: r = walk_do_hsm_import(w); break;
	case WALK_HSM_KCV: r = walk_do_hsm_kcv(w); break;
	case WALK_KEYGEN: r = walk_do_keygen(w); break;
	case WALK_BACKUP: r = walk_do_backup(w); break;
	case WALK_RESTORE: r = walk_do_restore(w); break;
	case WALK_CLOSE: r = do_close(w); break;
	default: r = walk_fail(w, CUSTOS_ERR_INTERNAL, "unknown step");
	}
 out:
	/* A card is held only for a step: between steps it may be taken
	   out, and other tools may look at it. */
	for (i = 0; i < PLAN_MAX_HSMS; i++) {
		card_close(w->card[i]);
		w->card[i] = NULL;
	}
	return r;
}
