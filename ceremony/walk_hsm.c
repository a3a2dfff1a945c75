/*
 * walk_hsm.c - the walk's HSM steps: initialize, import a share, check the
 * KCV, generate a key, back up, restore. Before acting, each compares the
 * device's real state with what the transcript says was done, so a step
 * cut short is finished from where the device is, never done twice.
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
#include "../common/encode.h"
#include "../common/secmem.h"
#include "backup.h"
#include "backup_manifest.h"
#include "keyfacts.h"
#include "walk_int.h"

/* A transport error: the card is gone; the next use opens it again. */
static int
card_err(struct walk *w, int h, int r, const char *what)
{
	if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NO_CARD ||
	    r == CUSTOS_ERR_PCSC || r == CUSTOS_ERR_NO_READER) {
		card_close(w->card[h]);
		w->card[h] = NULL;
	}
	return walk_fail(w, r, "HSM %s: %s: %s", w->plan->hsms[h].name, what,
	    r == CUSTOS_ERR_CARD_REMOVED ? "the card was removed (put it "
	    "back and take the step again)" : custos_strerror(r));
}

/* Opens spec; keeps it when it is a SmartCard-HSM with serial (or any,
   when serial is NULL). */
static int
try_open(struct walk *w, int h, const char *spec, const char *serial)
{
	struct card *c = NULL;
	char got[17];
	int r;

	if ((r = card_open(spec, &c)) != 0)
		return r;
	if ((r = sc_hsm_select(c, NULL, NULL)) != 0 ||
	    (r = sc_hsm_serial(c, got)) != 0 ||
	    (serial != NULL && strcmp(got, serial) != 0)) {
		card_close(c);
		return r != 0 ? r : CUSTOS_ERR_NOT_FOUND;
	}
	w->card[h] = c;
	snprintf(w->serial[h], sizeof(w->serial[h]), "%s", got);
	return 0;
}

/* The open card of HSM h: emu:NAME in a rehearsal, else (or with
   --pcsc) the PC/SC reader holding the device with the plan's serial. */
static int
card_of(struct walk *w, int h)
{
	const struct plan_hsm *ph = &w->plan->hsms[h];
	struct pcsc_reader rd[16];
	char spec[sizeof(rd[0].name) + 8];
	size_t n = 0, i;
	int r;

	if (w->card[h] != NULL)
		return 0;
	if (!w->pcsc) {
		snprintf(spec, sizeof(spec), "emu:%s", ph->name);
		if ((r = try_open(w, h, spec, NULL)) != 0)
			return card_err(w, h, r, "opening the emulated device");
		return 0;
	}
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return card_err(w, h, r, "listing readers");
	for (i = 0; i < n; i++) {
		if (snprintf(spec, sizeof(spec), "pcsc:%s", rd[i].name) <
		    (int)sizeof(spec) && rd[i].card_present && try_open(w, h, spec, ph->serial) == 0)
			break;
	}
	if (w->card[h] == NULL)
		return walk_fail(w, CUSTOS_ERR_NO_CARD, "HSM %s: no reader holds "
		    "the device with serial %s; insert it and take the step "
		    "again", ph->name, ph->serial);
	if (!w->rehearsal && (card_is_emulated(w->card[h]) ||
	    strncmp(w->serial[h], "ZZEMU", 5) == 0)) {
		card_close(w->card[h]);
		w->card[h] = NULL;
		return walk_fail(w, CUSTOS_ERR_INVALID_ARG, "HSM %s is an "
		    "emulated device and this ceremony is not a rehearsal",
		    ph->name);
	}
	return 0;
}

json_t *
walk_hsm_facts(struct walk *w, int h)
{
	json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "hsm", w->plan->hsms[h].name,
	    "serial", w->serial[h], "reader", card_reader(w->card[h]),
	    "emulated", card_is_emulated(w->card[h]));

	if (f != NULL && !w->pcsc)
		json_object_set_new(f, "stands_in_for",
		    json_string(w->plan->hsms[h].serial));
	return f;
}

/* Verifies the user PIN of HSM h (asking for it once per run). */
static int
login(struct walk *w, int h)
{
	char what[96];
	int r, tries = -1;

	if (w->pin[h] == NULL) {
		snprintf(what, sizeof(what), "User PIN of HSM %s",
		    w->plan->hsms[h].name);
		if ((r = walk_secret(w, WALK_SECRET_PIN, w->plan->admin, what,
		    "", &w->pin[h], &w->pinlen[h])) != 0)
			return r;
	}
	r = sc_hsm_verify_pin(w->card[h], w->pin[h], w->pinlen[h], &tries);
	if (r == 0)
		return 0;
	secmem_free(w->pin[h]);
	w->pin[h] = NULL;
	if (r == CUSTOS_ERR_WRONG_PIN)
		return walk_fail(w, r, "wrong user PIN, %d tr%s left", tries,
		    tries == 1 ? "y" : "ies");
	return card_err(w, h, r, "verifying the PIN");
}

/* Card, then login. */
static int
ready(struct walk *w, int h)
{
	int r;

	if ((r = card_of(w, h)) != 0)
		return r;
	return login(w, h);
}

int
walk_do_hsm_init(struct walk *w)
{
	int h = w->cur->hsm, r, keys = 0, so_tries = -1;
	unsigned nshares = w->plan->nshares;
	struct sc_hsm_status st;
	uint8_t so[8];
	char *sopin = NULL, *pin = NULL, hint[160];
	size_t solen = 0, pinlen = 0;
	json_t *f;

	if ((r = card_of(w, h)) != 0)
		return r;
	if ((r = sc_hsm_status(w->card[h], &st)) != 0 ||
	    (st.initialized == 1 &&
	    (r = sc_hsm_count_keys(w->card[h], &keys)) != 0))
		return card_err(w, h, r, "reading its state");
	if (w->resumed && st.initialized == 1 &&
	    st.dkek_total == (int)nshares && st.dkek_left == (int)nshares &&
	    keys == 0) {
		f = walk_hsm_facts(w, h);
		json_object_set_new(f, "dkek_shares", json_integer(nshares));
		json_object_set_new(f, "recovered", json_true());
		return walk_finish(w, "hsm.init", f);
	}
	if ((r = w->io->confirm(w->io->arg, w->cur->consequence,
	    w->cur->confirm_word)) != 0)
		return walk_fail(w, r, "not confirmed: nothing was done");
	snprintf(hint, sizeof(hint), "%s%d tries left.", w->rehearsal ?
	    "Rehearsal: the emulated device takes the factory SO PIN "
	    WALK_SO_PIN_DEFAULT ". " : "", st.so_tries);
	if ((r = walk_secret(w, WALK_SECRET_SO_PIN, w->plan->admin, "SO PIN",
	    hint, &sopin, &solen)) != 0 ||
	    (r = walk_secret(w, WALK_SECRET_PIN_NEW, w->plan->admin, "New user "
	    "PIN", "6 to 16 characters; asked again for each HSM step of "
	    "this run.", &pin, &pinlen)) != 0)
		goto out;
	if ((r = decode_hex(so, sizeof(so), sopin, solen)) != 0) {
		r = walk_fail(w, r, "the SO PIN is 16 hex digits");
		goto out;
	}
	w->io->progress(w->io->arg, "Initializing the HSM", 0, 0);
	r = sc_hsm_initialize(w->card[h], so, pin, pinlen, 3, (int)nshares,
	    &so_tries);
	secmem_wipe(so, sizeof(so));
	if (r == CUSTOS_ERR_WRONG_PIN) {
		r = walk_fail(w, r, "wrong SO PIN, %d tr%s left; nothing was "
		    "changed", so_tries, so_tries == 1 ? "y" : "ies");
		goto out;
	}
	if (r != 0) {
		r = card_err(w, h, r, "initializing");
		goto out;
	}
	secmem_free(w->pin[h]);
	w->pin[h] = pin;
	w->pinlen[h] = pinlen;
	pin = NULL;
	f = walk_hsm_facts(w, h);
	json_object_set_new(f, "dkek_shares", json_integer(nshares));
	json_object_set_new(f, "pin_retries", json_integer(3));
	json_object_set_new(f, "keys_erased", json_integer(keys));
	r = walk_finish(w, "hsm.init", f);
 out:
	secmem_free(sopin);
	secmem_free(pin);
	return r;
}

int
walk_do_hsm_import(struct walk *w)
{
	const struct plan *p = w->plan;
	int h = w->cur->hsm, i = w->cur->share, total, left, r;
	unsigned char *share = NULL;
	char dir[PATH_MAX], fpr[2 * DKEK_FPR_LEN + 1], kcv[17];
	uint8_t k[8];
	json_t *f;

	if ((r = card_of(w, h)) != 0)
		return r;
	if ((r = sc_hsm_dkek_query(w->card[h], &total, &left, k)) != 0)
		return card_err(w, h, r, "reading its DKEK state");
	if (total != (int)p->nshares)
		return walk_fail(w, CUSTOS_ERR_CARD, "HSM %s is set up for %d "
		    "DKEK shares, the plan has %u: it was initialized outside "
		    "this ceremony", p->hsms[h].name, total, p->nshares);
	if (total - left == i + 1 && w->resumed) {
		f = walk_hsm_facts(w, h);
		json_object_set_new(f, "share", json_integer(i + 1));
		json_object_set_new(f, "imported", json_integer(total - left));
		json_object_set_new(f, "outstanding", json_integer(left));
		json_object_set_new(f, "recovered", json_true());
		return walk_finish(w, "hsm.import-share.recovered", f);
	}
	if (total - left != i)
		return walk_fail(w, CUSTOS_ERR_CARD, "HSM %s holds %d of its "
		    "shares, but the transcript says %d went in: stop and "
		    "check the device", p->hsms[h].name, total - left, i);
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of guarded memory");
	if (p->share_dir != NULL)
		walk_path(w, dir, sizeof(dir), p->share_dir);
	else if (snprintf(dir, sizeof(dir), "%s/shares", w->dir) >=
	    (int)sizeof(dir))
		dir[0] = '\0';
	if ((r = walk_share_open(w, dir, &p->shares[i], i, share, fpr)) != 0)
		goto out;
	if ((r = sc_hsm_import_share(w->card[h], share, &total, &left, k))
	    != 0) {
		r = card_err(w, h, r, "importing the share");
		goto out;
	}
	f = walk_hsm_facts(w, h);
	json_object_set_new(f, "share", json_integer(i + 1));
	json_object_set_new(f, "share_fingerprints", json_pack("[s]", fpr));
	json_object_set_new(f, "imported", json_integer(total - left));
	json_object_set_new(f, "outstanding", json_integer(left));
	dkek_kcv_hex(kcv, k);
	if (left == 0 && strcmp(kcv, "0000000000000000") != 0)
		json_object_set_new(f, "kcv", json_string(kcv));
	json_object_set_new(f, "outcome", json_string("ok"));
	r = walk_finish(w, "hsm.import-share", f);
 out:
	secmem_free(share);
	return r;
}

int
walk_do_hsm_kcv(struct walk *w)
{
	const struct plan *p = w->plan;
	int h = w->cur->hsm, total, left, r;
	char kcv[17];
	const char *want = p->expected_kcv[0] ? p->expected_kcv :
	    h > 0 ? w->kcv[0] : NULL;
	uint8_t k[8];
	json_t *f;

	if ((r = card_of(w, h)) != 0)
		return r;
	if ((r = sc_hsm_dkek_query(w->card[h], &total, &left, k)) != 0)
		return card_err(w, h, r, "reading its DKEK");
	if (left != 0 || total < 1)
		return walk_fail(w, CUSTOS_ERR_NO_DKEK, "HSM %s: its DKEK is "
		    "not complete (%d of %d shares outstanding)",
		    p->hsms[h].name, left, total);
	dkek_kcv_hex(kcv, k);
	if (strcmp(kcv, "0000000000000000") == 0) {
		if ((r = login(w, h)) != 0)
			return r;
		if ((r = sc_hsm_dkek_query(w->card[h], &total, &left, k)) != 0)
			return card_err(w, h, r, "reading its DKEK");
		dkek_kcv_hex(kcv, k);
	}
	w->io->show(w->io->arg, "DKEK KCV", kcv);
	if (want != NULL && want[0] != '\0' && strcmp(want, kcv) != 0)
		return walk_fail(w, CUSTOS_ERR_DKEK_MISMATCH, "DKEK MISMATCH: "
		    "HSM %s has KCV %s, it must be %s; its keys could not be "
		    "restored or exchanged", p->hsms[h].name, kcv, want);
	if ((r = w->io->confirm(w->io->arg, want ? "The KCV above matches "
	    "the paper record, read aloud group by group." : "Everyone has "
	    "written the KCV above on their paper record.", "")) != 0)
		return walk_fail(w, r, "the KCV was not confirmed");
	snprintf(w->kcv[h], sizeof(w->kcv[h]), "%s", kcv);
	f = walk_hsm_facts(w, h);
	json_object_set_new(f, "kcv", json_string(kcv));
	if (want != NULL)
		json_object_set_new(f, "expected_kcv", json_string(want));
	return walk_finish(w, "dkek.kcv", f);
}

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

/* "rsa:2048" -> bits; "ec:P-256" -> the curve's OpenSSL name. */
static int
key_type(const char *s, const char **curve, unsigned *bits)
{
	static const char *const alias[][2] = {
		{ "P-256", "prime256v1" }, { "P-384", "secp384r1" },
		{ "P-521", "secp521r1" }, { "secp256r1", "prime256v1" },
	};
	size_t i;

	*curve = NULL;
	*bits = 0;
	if (strncmp(s, "rsa:", 4) == 0) {
		*bits = (unsigned)strtoul(s + 4, NULL, 10);
		return 0;
	}
	if (strncmp(s, "ec:", 3) != 0)
		return CUSTOS_ERR_INVALID_ARG;
	*curve = s + 3;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(*curve, alias[i][0]) == 0)
			*curve = alias[i][1];
	return 0;
}

int
walk_do_keygen(struct walk *w)
{
	const struct plan_key *pk = &w->plan->keys[w->cur->key];
	struct sc_hsm_key *keys = NULL, k;
	size_t n = 0, i;
	const char *curve;
	unsigned bits;
	char fpr[65];
	int r, ref = 0, found = -1;
	json_t *f;

	memset(&k, 0, sizeof(k));
	if ((r = ready(w, 0)) != 0)
		return r;
	if ((keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys))) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = sc_hsm_list_keys(w->card[0], keys, SC_HSM_MAX_REFS, &n))
	    != 0) {
		r = card_err(w, 0, r, "listing its keys");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (keys[i].has_prkd && strcmp(keys[i].prkd.label, pk->label)
		    == 0)
			found = (int)i;
	if (found >= 0 && !w->resumed) {
		r = walk_fail(w, CUSTOS_ERR_EXISTS, "HSM %s already holds a key "
		    "labelled %s (reference %d); a label names one key",
		    w->plan->hsms[0].name, pk->label, keys[found].ref);
		goto out;
	}
	if (found >= 0) {	/* generated before the interruption */
		k = keys[found];
		memset(&keys[found], 0, sizeof(keys[found]));
	} else {
		(void)key_type(pk->type, &curve, &bits);
		if ((r = sc_hsm_free_ref(w->card[0], &ref)) != 0) {
			r = card_err(w, 0, r, "finding a free reference");
			goto out;
		}
		struct keygen_job j = { w->card[0], ref, curve, bits,
		    pk->label, &k };

		if ((r = walk_slow(w, "Generating the key on the HSM (RSA can "
		    "take a minute)", keygen_job, &j)) != 0) {
			r = card_err(w, 0, r, "generating the key");
			goto out;
		}
	}
	if (encode_hex(fpr, sizeof(fpr), k.fpr, sizeof(k.fpr), 0) != 0)
		fpr[0] = '\0';
	w->io->show(w->io->arg, "Public key SHA-256", fpr);
	f = walk_hsm_facts(w, 0);
	keyfacts_add(f, &k);
	json_object_set_new(f, "type", json_string(pk->type));
	if (found >= 0)
		json_object_set_new(f, "recovered", json_true());
	w->keyref[w->cur->key] = k.ref;
	r = walk_finish(w, "hsm.keygen", f);
 out:
	for (i = 0; keys != NULL && i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
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
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return walk_fail(w, CUSTOS_ERR_IO, "%s: %s", p,
			    strerror(errno));
		*s = '/';
	}
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
	if ((r = ready(w, 0)) != 0 || (r = mkdir_parents(w, dir)) != 0)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (stat(dir, &sb) == 0) {
		if (!w->resumed) {
			r = walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a backup "
			    "set is never overwritten", dir);
			goto out;
		}
		if (backup_load(dir, m, sha, &why) != 0 &&
		    (r = walk_abandon(w, dir)) != 0)	/* cut mid-way */
			goto out;
	}
	if (stat(dir, &sb) != 0 && (r = backup_create(w->card[0], dir, NULL, 0,
	    w->serial[0], card_reader(w->card[0]),
	    card_is_emulated(w->card[0]), m, sha, progress, w)) != 0) {
		r = card_err(w, 0, r, "backing up");
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
	if ((r = ready(w, 0)) != 0)
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
		r = card_err(w, 0, r, "restoring");
	if (rr != 0)
		r = rr;
 out:
	free(m);
	free(out);
	return r;
}
