/*
 * op_backup.c - backup sets for the engine: create, verify, restore
 * (op_backup.h). The set logic is backup.c and backup_restore.c; this
 * file is the step around it: device, intent, record, what people see.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "keyfacts.h"
#include "op_backup.h"
#include "op_int.h"
#include "transcript.h"
#include "verify.h"

/* Progress of a set, key by key: a line each, and the bar. */
struct prog {
	struct op_ctx *cx;
	const char *verb;	/* "wrapped", "restored", or a verify line */
	const char *what;	/* for the bar */
};

static void
progress(void *arg, size_t done, size_t total, const struct backup_outcome *o)
{
	struct prog *p = arg;

	if (o->err != 0)
		op_note(p->cx, "[%zu/%zu] key %3d: %s: %s", done, total, o->ref,
		    o->err == CUSTOS_ERR_NO_DKEK && strcmp(p->verb, "wrapped") ==
		    0 ? "NOT BACKED UP" : "FAILED", o->why);
	else if (o->already)
		op_note(p->cx, "[%zu/%zu] key %3d: already on the device under "
		    "%d, PROVEN", done, total, o->ref, o->dest_ref);
	else if (o->proven)
		op_note(p->cx, "[%zu/%zu] key %3d: restored under %d, PROVEN "
		    "(signs under its original public key)", done, total, o->ref,
		    o->dest_ref);
	else
		op_note(p->cx, "[%zu/%zu] key %3d: %s%s%s", done, total, o->ref,
		    p->verb, o->note[0] != '\0' ? "; " : "", o->note);
	if (p->cx->io->progress != NULL)
		p->cx->io->progress(p->cx->io->arg, p->what, done, total);
}

int
op_backup_load(struct op_ctx *cx, const char *set, struct backup_manifest *m,
    char sha[65])
{
	const char *why = NULL;
	int r = backup_load(set, m, sha, &why);

	if (r == CUSTOS_OK)
		return r;
	return op_fail(cx, r, "%s: %s", set, r == CUSTOS_ERR_NOT_FOUND ? "no "
	    "manifest.json: not a backup set, or an interrupted one" : why !=
	    NULL ? why : custos_strerror(r));
}

/* Makes the directories above path (0700), as mkdir -p would. */
static int
mkdir_parents(struct op_ctx *cx, const char *path)
{
	char p[PATH_MAX], *slash;
	int r;

	snprintf(p, sizeof(p), "%s", path);
	if ((slash = strrchr(p, '/')) == NULL || slash == p)
		return CUSTOS_OK;
	*slash = '\0';
	if ((r = atomicio_mkdirs(p)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", p, custos_strerror(r));
	return CUSTOS_OK;
}

static json_t *
set_facts(struct op_ctx *cx, struct op_dev *d, const char *set,
    const struct backup_manifest *m, const char *sha)
{
	char rel[4096];
	json_t *f = d != NULL ? op_dev_facts(d) : json_object();

	op_relpath(cx, set, rel, sizeof(rel));
	if (f != NULL)
		json_object_update_new(f, json_pack("{s:s, s:s, s:s}", "set", rel,
		    "manifest_sha256", sha, "kcv", m->kcv));
	/* a set of a key domain: the audit checks its KCV with that
	   domain's (a device's working domain, when there is one, first) */
	if (f != NULL && m->domain >= 0 && json_object_get(f, "domain") ==
	    NULL)
		json_object_set_new(f, "domain", json_integer(m->domain));
	return f;
}

int
op_backup_create(struct op_ctx *cx, struct op_dev *d, const char *set,
    const int *refs, size_t nrefs, struct backup_manifest *m, char sha[65])
{
	const char *who = op_actor(cx, "operator");
	struct backup_outcome *out = NULL;
	struct prog p = { cx, "wrapped", "Wrapping keys" };
	unsigned long long in = 0;
	struct card *c;
	struct stat sb;
	char rel[4096];
	size_t nbad = 0;
	json_t *f;
	int r;

	if (lstat(set, &sb) == 0)
		return op_fail(cx, CUSTOS_ERR_EXISTS, "%s: %s", set,
		    custos_strerror(CUSTOS_ERR_EXISTS));
	if ((r = op_recordable(cx, "output file name", set)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK ||
	    (r = mkdir_parents(cx, set)) != CUSTOS_OK)
		return r;
	op_relpath(cx, set, rel, sizeof(rel));
	if ((f = op_dev_facts(d)) != NULL)
		json_object_set_new(f, "set", json_string(rel));
	if ((r = op_intent(cx, d, who, "backup.create", f, &in)) != CUSTOS_OK)
		return r;
	r = backup_create(c, set, refs, nrefs, op_dev_serial(d),
	    op_dev_reader(d), op_dev_emulated(d), m, sha, progress, &p);
	if (r != CUSTOS_OK) {
		(void)op_dev_err(cx, d, r, "backing up");
		op_fail(cx, r, "%s: %s%s", set, r == CUSTOS_ERR_NO_DKEK ? "the "
		    "device has no complete DKEK" : custos_strerror(r),
		    r == CUSTOS_ERR_EXISTS || r == CUSTOS_ERR_NO_DKEK ||
		    r == CUSTOS_ERR_NO_KEY ? "" : " (the set has no manifest: it "
		    "is incomplete and was moved aside; start again)");
		if (lstat(set, &sb) == 0 && r != CUSTOS_ERR_EXISTS)
			op_abandon_keep(cx, set, in);
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		return r;
	}
	if (m->nother > 0)
		op_note(cx, "%zu key%s of other key domains %s left to %s own "
		    "set%s: this set holds key domain %d's", m->nother,
		    m->nother == 1 ? "" : "s", m->nother == 1 ? "is" : "are",
		    m->nother == 1 ? "its" : "their", m->nother == 1 ? "" : "s",
		    op_dev_domain(d));
	/* Every file written is read back before it is recorded. */
	if ((out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	p.verb = "checked";
	p.what = "Checking the set";
	r = backup_verify(set, m, NULL, out, &nbad, NULL, NULL);
	free(out);
	if (r != CUSTOS_OK) {
		op_intent_abort(cx, d, who, in, "written, but it does not check",
		    NULL);
		return op_fail(cx, r, "%s: written, but %zu key%s do not check: "
		    "%s", set, nbad, nbad == 1 ? "" : "s", custos_strerror(r));
	}
	if ((f = set_facts(cx, d, set, m, sha)) != NULL) {
		json_object_set_new(f, "keys", keyfacts_manifest(m));
		json_object_set_new(f, "not_exportable", keyfacts_skipped(m));
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	}
	return op_record(cx, d, who, "backup.create", f, NULL);
}

/*
 * Looks in a verified ceremony transcript for the manifest and the keys'
 * public keys at generation, and says what it finds.
 */
static int
check_transcript(struct op_ctx *cx, const char *dir,
    const struct backup_manifest *m, const char *sha)
{
	struct ceremony_verdict v;
	struct transcript_record rec;
	char *buf = NULL, *p, *nl, *end;
	const char *why;
	long n = 0, found = -1, *gen = NULL;
	size_t i, len = 0;
	int r;

	if ((r = ceremony_verify(dir, &v, &buf, &len)) != 0) {
		free(buf);
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: the transcript does "
		    "not verify: %s", dir, v.why[0] ? v.why :
		    custos_strerror(r));
	}
	if ((gen = calloc(m->nkeys + 1, sizeof(*gen))) == NULL) {
		free(buf);
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < m->nkeys; i++)
		gen[i] = -1;
	for (p = buf, end = buf + len; p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1, n++) {
		json_t *f, *v2;

		if (transcript_parse_record(p, (size_t)(nl - p), &rec, &why) !=
		    0)
			continue;
		f = json_object_get(rec.body, "facts");
		if (strcmp(rec.action, "backup.create") == 0 &&
		    json_is_string(v2 = json_object_get(f, "manifest_sha256"))
		    && strcmp(json_string_value(v2), sha) == 0)
			found = n;
		if (strcmp(rec.action, "hsm.keygen") == 0 &&
		    json_is_string(v2 = json_object_get(f, "pubkey_sha256")))
			for (i = 0; i < m->nkeys; i++)
				if (strcmp(json_string_value(v2),
				    m->keys[i].pubkey_sha256) == 0)
					gen[i] = n;
		transcript_record_clear(&rec);
	}
	if (found >= 0)
		op_note(cx, "manifest: the one recorded at record %ld of %s",
		    found, dir);
	for (i = 0; i < m->nkeys; i++)
		if (gen[i] >= 0)
			op_note(cx, "key %3d: public key as recorded at its "
			    "generation (record %ld)", m->keys[i].ref, gen[i]);
		else
			op_note(cx, "key %3d: not generated in this ceremony (no "
			    "hsm.keygen record with its public key)",
			    m->keys[i].ref);
	free(gen);
	free(buf);
	if (found < 0)
		return op_fail(cx, CUSTOS_ERR_CORRUPT, "the manifest (SHA-256 "
		    "%.16s...) is not the one recorded by any backup.create in "
		    "%s", sha, dir);
	return CUSTOS_OK;
}

/*
 * Names every entry of the set's directory its manifest does not list
 * (issue 14: an extra key-003.wrap went unmentioned) and adds each to bad
 * as a problem of reference 0. Returns how many there are.
 */
static size_t
unlisted(struct op_ctx *cx, const char *set, const struct backup_manifest *m,
    json_t *bad)
{
	DIR *d = opendir(set);
	struct dirent *e;
	size_t i, n = 0;
	char why[320];

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0
		    || strcmp(e->d_name, "manifest.json") == 0)
			continue;
		for (i = 0; i < m->nkeys; i++)
			if (strcmp(e->d_name, m->keys[i].file) == 0)
				break;
		if (i < m->nkeys)
			continue;
		snprintf(why, sizeof(why), "%s is in the set's directory but "
		    "not in its manifest", e->d_name);
		op_note(cx, "UNLISTED: %s", why);
		if (bad != NULL)
			json_array_append_new(bad, json_pack("{s:i, s:s}", "ref",
			    0, "why", why));
		n++;
	}
	closedir(d);
	return n;
}

int
op_backup_verify(struct op_ctx *cx, const char *set,
    const struct op_dkek_sources *sources, const char *transcript,
    struct backup_manifest *m, char sha[65], struct backup_outcome *out,
    size_t *nbad)
{
	struct prog p = { cx, NULL, "Checking the set" };
	unsigned char *dkek = NULL;
	json_t *f, *bad;
	size_t i, extra;
	int r, rt = CUSTOS_OK;

	*nbad = 0;
	if ((r = op_backup_load(cx, set, m, sha)) != CUSTOS_OK)
		return r;
	op_note(cx, "backup set %s: %zu key%s from device %s, DKEK KCV %s", set,
	    m->nkeys, m->nkeys == 1 ? "" : "s", m->serial, m->kcv);
	op_note(cx, "manifest SHA-256: %s", sha);
	if (sources != NULL) {
		if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
			return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded "
			    "memory");
		if ((r = op_dkek_rebuild(cx, sources, dkek)) != CUSTOS_OK)
			goto out;
	}
	p.verb = sources != NULL ? "OK: hash, KCV, CMAC, decrypts to the "
	    "manifest's public key" : "OK: hash, KCV, description and public "
	    "key";
	r = backup_verify(set, m, dkek, out, nbad, progress, &p);
	if (r == CUSTOS_ERR_DKEK_MISMATCH) {
		r = op_fail(cx, CUSTOS_ERR_REFUSED, "the shares make another "
		    "DKEK than the set's (KCV %s)", m->kcv);
		goto out;
	}
	for (i = 0; i < m->nskipped; i++)
		op_note(cx, "key %3d: NOT IN THE SET: %s", m->skipped[i].ref,
		    m->skipped[i].reason);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_CORRUPT) {
		r = op_fail(cx, r, "%s: %s", set, custos_strerror(r));
		goto out;
	}
	if (transcript != NULL)
		rt = check_transcript(cx, transcript, m, sha);
	f = set_facts(cx, NULL, set, m, sha);
	bad = json_array();
	for (i = 0; i < m->nkeys; i++)
		if (out[i].err != 0)
			json_array_append_new(bad, json_pack("{s:i, s:s}", "ref",
			    out[i].ref, "why", out[i].why));
	extra = unlisted(cx, set, m, bad);
	if (f != NULL)
		json_object_update_new(f, json_pack("{s:b, s:I, s:I, s:o}",
		    "deep", sources != NULL, "keys", (json_int_t)m->nkeys,
		    "failed", (json_int_t)*nbad, "problems", bad));
	else
		json_decref(bad);
	{
		/* recorded whatever the verdict: the audit sees failures */
		char keep[1024];
		int rr;

		snprintf(keep, sizeof(keep), "%s", op_why(cx));
		rr = op_record(cx, NULL, op_actor(cx, "operator"),
		    "backup.verify", f, NULL);
		if (r == CUSTOS_OK && rt == CUSTOS_OK)
			r = rr;
		else
			op_set_why_text(cx, keep);
	}
	if (rt != CUSTOS_OK)
		r = CUSTOS_ERR_CORRUPT;	/* why: the transcript's complaint */
	else if (r == CUSTOS_ERR_CORRUPT)
		op_set_why_text(cx, "");	/* each key's line said it */
	if (extra > 0 && r == CUSTOS_OK) {
		r = CUSTOS_ERR_CORRUPT;
		(void)op_fail(cx, r, "%zu file%s in the set's directory %s not "
		    "in its manifest (UNLISTED above)", extra, extra == 1 ? "" :
		    "s", extra == 1 ? "is" : "are");
	}
 out:
	secmem_free(dkek);
	return r;
}

int
op_backup_restore(struct op_ctx *cx, struct op_dev *d, const char *set,
    const struct backup_restore_opts *o, struct backup_manifest *m,
    char sha[65], struct backup_outcome *out, size_t *done)
{
	const char *who = op_actor(cx, "operator");
	struct prog p = { cx, "restored", "Restoring and proving keys" };
	unsigned long long in = 0;
	struct card *c;
	char rel[4096], kcv[17] = "none";
	uint8_t k[8];
	size_t nbad = 0, i;
	json_t *f;
	int r, rr, total, left;

	*done = 0;
	if ((r = op_backup_load(cx, set, m, sha)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		return r;
	op_note(cx, "restoring %zu key%s from %s (device %s), DKEK KCV %s",
	    m->nkeys, m->nkeys == 1 ? "" : "s", set, m->serial, m->kcv);
	op_relpath(cx, set, rel, sizeof(rel));
	if ((f = op_dev_facts(d)) != NULL)
		json_object_set_new(f, "set", json_string(rel));
	if ((r = op_intent(cx, d, who, "backup.restore", f, &in)) != CUSTOS_OK)
		return r;
	r = backup_restore(c, set, m, o, out, &nbad, progress, &p);
	if (r == CUSTOS_ERR_DKEK_MISMATCH || r == CUSTOS_ERR_NO_DKEK) {
		if (r == CUSTOS_ERR_DKEK_MISMATCH &&
		    sc_hsm_dkek_query(c, &total, &left, k) == 0)
			dkek_kcv_hex(kcv, k);
		op_intent_abort(cx, d, who, in, "the device's DKEK is not the "
		    "set's: nothing was written", NULL);
		return op_fail(cx, CUSTOS_ERR_DKEK_MISMATCH, "DKEK %s: the set "
		    "was made under KCV %s, the device has %s; nothing written",
		    r == CUSTOS_ERR_NO_DKEK ? "INCOMPLETE" : "MISMATCH", m->kcv,
		    kcv);
	}
	for (i = 0; i < m->nkeys; i++)
		if (out[i].err == 0 && out[i].proven)
			(*done)++;
	if ((f = set_facts(cx, d, set, m, sha)) != NULL)
		json_object_update_new(f, json_pack("{s:o, s:I, s:s, s:I}",
		    "results", keyfacts_restore(m, out), "restored",
		    (json_int_t)*done, "outcome", r == 0 ? "complete" :
		    "incomplete", "intent", (json_int_t)in));
	rr = op_record(cx, d, who, "backup.restore", f, NULL);
	if (r == CUSTOS_ERR_CORRUPT)
		return op_fail(cx, r, "%zu of %zu keys restored and proven; %zu "
		    "failed", *done, m->nkeys, nbad);
	if (r != CUSTOS_OK) {
		(void)op_dev_err(cx, d, r, "restoring");
		return op_fail(cx, r, "%s (%zu of %zu keys restored and proven; "
		    "run again to finish)", custos_strerror(r), *done, m->nkeys);
	}
	return rr;
}
