/*
 * walk_keys.c - the walk's key steps: generate a planned key, back up
 * every key, restore a backup set. Like the DKEK steps (walk_hsm.c), each
 * compares the device's real state with what the transcript says before
 * acting, so a step cut short is finished from where the device is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../cards/card.h"
#include "../cards/pcsc.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "backup.h"
#include "backup_manifest.h"
#include "keyfacts.h"
#include "walk_int.h"

struct keygen_job {
	struct card *c;
	int ref;
	const char *curve;
	unsigned bits;
	const char *label;
	struct sc_hsm_key *k;
};

static int
keygen_job(void *p)
{
	struct keygen_job *j = p;

	return sc_hsm_keygen(j->c, j->ref, j->curve, j->bits, j->label, NULL,
	    0, j->k);
}

/* Does a key of kind ("RSA-2048", "EC prime256v1") match a plan type? */
static int
kind_matches(const char *type, const char *kind)
{
	const char *curve;
	unsigned bits;
	char want[32];

	if (sc_hsm_parse_type(type, &curve, &bits) != 0)
		return 0;
	if (curve == NULL)
		snprintf(want, sizeof(want), "RSA-%u", bits);
	else
		snprintf(want, sizeof(want), "EC %s", curve);
	return strcmp(want, kind) == 0;
}

/* The keys of HSM 0 into *keys (SC_HSM_MAX_REFS room; the caller clears
   each and frees). */
static int
list_keys(struct walk *w, struct sc_hsm_key **keys, size_t *n)
{
	int r;

	*n = 0;
	if ((*keys = calloc(SC_HSM_MAX_REFS, sizeof(**keys))) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = sc_hsm_list_keys(w->card[0], *keys, SC_HSM_MAX_REFS, n)) != 0)
		return walk_card_err(w, 0, r, "listing its keys");
	return 0;
}

static void
free_keys(struct sc_hsm_key *keys, size_t n)
{
	size_t i;

	for (i = 0; keys != NULL && i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
}

int
walk_pre_keygen(struct walk *w, int *ref)
{
	const struct plan_key *pk = &w->plan->keys[w->cur->key];
	struct sc_hsm_key *keys = NULL;
	size_t n = 0, i;
	int r;

	if ((r = walk_ready(w, 0)) != 0 || (r = list_keys(w, &keys, &n)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (keys[i].has_prkd && strcmp(keys[i].prkd.label, pk->label)
		    == 0) {
			r = walk_fail(w, CUSTOS_ERR_EXISTS, "HSM %s already "
			    "holds a key labelled %s (reference %d); a label "
			    "names one key", w->plan->hsms[0].name, pk->label,
			    keys[i].ref);
			goto out;
		}
	if ((r = sc_hsm_free_ref(w->card[0], ref)) != 0)
		r = walk_card_err(w, 0, r, "finding a free reference");
 out:
	free_keys(keys, n);
	return r;
}

/*
 * A cut keygen at ref: a whole key with the plan's label and type is
 * taken up (*k gets it, *adopted 1); what a cut left half made (a key
 * without its description or public key) is deleted so the step makes
 * it again; anything else there is refused.
 */
static int
keygen_recover(struct walk *w, int ref, struct sc_hsm_key *k, int *adopted)
{
	const struct plan_key *pk = &w->plan->keys[w->cur->key];
	struct sc_hsm_key *keys = NULL;
	size_t n = 0, i;
	int r;

	*adopted = 0;
	if ((r = list_keys(w, &keys, &n)) != 0)
		goto out;
	for (i = 0; i < n && keys[i].ref != ref; i++)
		;
	if (i == n)
		goto out;		/* nothing there: make it */
	if (keys[i].has_prkd && keys[i].pub != NULL &&
	    strcmp(keys[i].prkd.label, pk->label) == 0 &&
	    kind_matches(pk->type, keys[i].kind)) {
		*k = keys[i];
		memset(&keys[i], 0, sizeof(keys[i]));
		*adopted = 1;
	} else if (keys[i].has_prkd &&
	    strcmp(keys[i].prkd.label, pk->label) != 0) {
		r = walk_fail(w, CUSTOS_ERR_EXISTS, "reference %d holds the key "
		    "%s, not this step's: stop and check the device", ref,
		    keys[i].prkd.label);
	} else {
		w->io->note(w->io->arg, "A key the interruption left half "
		    "made is deleted and made again.");
		if ((r = sc_hsm_delete_key(w->card[0], ref)) != 0)
			r = walk_card_err(w, 0, r, "deleting the half-made key");
	}
 out:
	free_keys(keys, n);
	return r;
}

int
walk_do_keygen(struct walk *w)
{
	const struct plan_key *pk = &w->plan->keys[w->cur->key];
	int r, ref = w->begun_ref[w->cur->key], adopted = 0;
	struct sc_hsm_key k;
	char fpr[65];
	json_t *f;

	memset(&k, 0, sizeof(k));
	if (ref < 1 || ref > SC_HSM_MAX_REFS) {
		r = walk_fail(w, CUSTOS_ERR_CORRUPT, "the transcript names no "
		    "key reference for this step");
		goto out;
	}
	if ((r = walk_ready(w, 0)) != 0 ||
	    (w->resumed && (r = keygen_recover(w, ref, &k, &adopted)) != 0))
		goto out;
	if (!adopted) {
		struct keygen_job j = { w->card[0], ref, NULL, 0, pk->label,
		    &k };

		if ((r = sc_hsm_parse_type(pk->type, &j.curve, &j.bits)) != 0) {
			r = walk_fail(w, r, "key type %s", pk->type);
			goto out;
		}
		if ((r = walk_slow(w, "Generating the key on the HSM (RSA can "
		    "take a minute)", keygen_job, &j)) != 0) {
			r = walk_card_err(w, 0, r, "generating the key");
			goto out;
		}
	}
	if (encode_hex(fpr, sizeof(fpr), k.fpr, sizeof(k.fpr), 0) != 0)
		fpr[0] = '\0';
	w->io->show(w->io->arg, "Public key SHA-256", fpr);
	f = walk_hsm_facts(w, 0);
	keyfacts_add(f, &k);
	json_object_set_new(f, "type", json_string(pk->type));
	if (adopted)
		json_object_set_new(f, "recovered", json_true());
	r = walk_finish(w, "hsm.keygen", f);
 out:
	sc_hsm_key_clear(&k);
	return r;
}

static void
progress(void *arg, size_t done, size_t total, const struct backup_outcome *o)
{
	struct walk *w = arg;

	(void)o;
	w->io->progress(w->io->arg, w->cur->op == WALK_BACKUP ? "Wrapping "
	    "keys" : "Restoring and proving keys", done, total);
}

/* Makes the directories above path (0700), as mkdir -p would. */
static int
mkdir_parents(struct walk *w, const char *path)
{
	char p[PATH_MAX], *slash;
	int r;

	snprintf(p, sizeof(p), "%s", path);
	if ((slash = strrchr(p, '/')) == NULL || slash == p)
		return 0;
	*slash = '\0';
	if ((r = atomicio_mkdirs(p)) != 0)
		return walk_fail(w, r, "%s: %s", p, custos_strerror(r));
	return 0;
}

int
walk_pre_backup(struct walk *w)
{
	char dir[PATH_MAX];
	struct stat sb;

	walk_path(w, dir, sizeof(dir), w->plan->backup);
	if (lstat(dir, &sb) == 0)
		return walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a backup set "
		    "is never overwritten (choose another backup: in the plan)",
		    dir);
	return 0;
}

int
walk_do_backup(struct walk *w)
{
	struct backup_manifest *m = NULL;
	struct backup_outcome *out = NULL;
	char dir[PATH_MAX], sha[65], note[200];
	const char *why = NULL;
	struct stat sb;
	size_t nbad = 0, i;
	json_t *f;
	int r;

	walk_path(w, dir, sizeof(dir), w->plan->backup);
	if ((r = walk_ready(w, 0)) != 0 || (r = mkdir_parents(w, dir)) != 0)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* a set here was begun by this step (walk_pre_backup saw none):
	   whole and of this HSM and DKEK, it is taken up; cut mid-way (no
	   manifest), it is moved aside and made again */
	if (stat(dir, &sb) == 0) {
		if (!w->resumed) {
			r = walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a backup "
			    "set is never overwritten", dir);
			goto out;
		}
		if (backup_load(dir, m, sha, &why) != 0) {
			if ((r = walk_abandon(w, dir)) != 0)
				goto out;
		} else if (strcmp(m->serial, w->serial[0]) != 0 ||
		    (w->kcv[0][0] != '\0' && strcmp(m->kcv, w->kcv[0]) != 0)) {
			r = walk_fail(w, CUSTOS_ERR_EXISTS, "%s is the set of "
			    "HSM %s under DKEK %s, not this one's: it is never "
			    "overwritten", dir, m->serial, m->kcv);
			goto out;
		}
	}
	if (stat(dir, &sb) != 0 && (r = backup_create(w->card[0], dir, NULL, 0,
	    w->serial[0], card_reader(w->card[0]),
	    sc_hsm_is_emulator(w->card[0], w->serial[0]), m, sha, progress,
	    w)) != 0) {
		r = walk_card_err(w, 0, r, "backing up");
		goto out;
	}
	if ((r = backup_verify(dir, m, NULL, out, &nbad, progress, w)) != 0) {
		r = walk_fail(w, r, "%s: %zu key%s do not check: %s", dir, nbad,
		    nbad == 1 ? "" : "s", custos_strerror(r));
		goto out;
	}
	for (i = 0; i < m->nskipped; i++) {
		snprintf(note, sizeof(note), "NOT BACKED UP: key %d (%s): %s",
		    m->skipped[i].ref, m->skipped[i].label,
		    m->skipped[i].reason);
		w->io->note(w->io->arg, note);
	}
	w->io->show(w->io->arg, "Backup manifest SHA-256", sha);
	f = walk_hsm_facts(w, 0);
	json_object_set_new(f, "set", json_string(dir));
	json_object_set_new(f, "manifest_sha256", json_string(sha));
	json_object_set_new(f, "kcv", json_string(m->kcv));
	json_object_set_new(f, "keys", keyfacts_manifest(m));
	json_object_set_new(f, "not_exportable", json_integer(
	    (json_int_t)m->nskipped));
	r = walk_finish(w, "backup.create", f);
 out:
	free(m);
	free(out);
	return r;
}

int
walk_do_restore(struct walk *w)
{
	struct backup_manifest *m = NULL;
	struct backup_outcome *out = NULL;
	struct backup_restore_opts ro;
	char dir[PATH_MAX], sha[65];
	const char *why = NULL;
	size_t nbad = 0, i, done = 0;
	json_t *f;
	int r, rr;

	memset(&ro, 0, sizeof(ro));
	walk_path(w, dir, sizeof(dir), w->plan->backup);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = backup_load(dir, m, sha, &why)) != 0) {
		r = walk_fail(w, r, "%s: %s", dir, why ? why :
		    custos_strerror(r));
		goto out;
	}
	if ((r = walk_ready(w, 0)) != 0)
		goto out;
	r = backup_restore(w->card[0], dir, m, &ro, out, &nbad, progress, w);
	if (r == CUSTOS_ERR_DKEK_MISMATCH || r == CUSTOS_ERR_NO_DKEK) {
		r = walk_fail(w, r, "the set was made under DKEK %s; the HSM's "
		    "DKEK is %s: nothing was written", m->kcv, r ==
		    CUSTOS_ERR_NO_DKEK ? "incomplete" : "another");
		goto out;
	}
	for (i = 0; i < m->nkeys; i++)
		if (out[i].err == 0 && out[i].proven)
			done++;
	f = walk_hsm_facts(w, 0);
	json_object_set_new(f, "set", json_string(dir));
	json_object_set_new(f, "manifest_sha256", json_string(sha));
	json_object_set_new(f, "kcv", json_string(m->kcv));
	json_object_set_new(f, "results", keyfacts_restore(m, out));
	json_object_set_new(f, "restored", json_integer((json_int_t)done));
	if (r == 0) {
		r = walk_finish(w, "backup.restore", f);
		goto out;
	}
	/* recorded for the audit, but the step is not done */
	json_object_set_new(f, "outcome", json_string("incomplete"));
	rr = walk_record(w, "backup.restore", f);
	json_decref(f);
	if (r == CUSTOS_ERR_CORRUPT)
		r = walk_fail(w, r, "%zu of %zu keys restored and proven; %zu "
		    "failed (see the audit view)", done, m->nkeys, nbad);
	else
		r = walk_card_err(w, 0, r, "restoring");
	if (rr != 0)
		r = rr;
 out:
	free(m);
	free(out);
	return r;
}
