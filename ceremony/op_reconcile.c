/*
 * op_reconcile.c - what a cut left: every intent a device's record leaves
 * open is compared with the device (and the files it names) when the
 * device is opened, before anything else is done with it. A step the
 * device shows done is recorded now (recovered); one it shows not done is
 * voided, and what it half wrote is moved aside; a step that cannot be
 * judged without the user PIN (a half-made key) is left to the operation
 * that needs it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "backup.h"
#include "keyfacts.h"
#include "op_dev.h"
#include "op_hsm.h"
#include "op_int.h"
#include "op_pka.h"

static const char *
fs(json_t *in, const char *key)
{
	return json_string_value(json_object_get(json_object_get(in, "facts"),
	    key));
}

static long long
fi(json_t *in, const char *key, long long dflt)
{
	json_t *v = json_object_get(json_object_get(in, "facts"), key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static unsigned long long
seq_of(json_t *in)
{
	return (unsigned long long)json_integer_value(json_object_get(in,
	    "seq"));
}

/* The completing record of intent in: facts f (stolen) get intent,
   recovered and the plan step; actor: the intent's. */
static int
complete(struct op_ctx *cx, struct op_dev *d, json_t *in, const char *action,
    json_t *f)
{
	const char *who = json_string_value(json_object_get(in, "actor"));

	if (f == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(f, "intent", json_integer((json_int_t)seq_of(in)));
	json_object_set_new(f, "recovered", json_true());
	if (fs(in, "step") != NULL)
		json_object_set_new(f, "step", json_string(fs(in, "step")));
	op_note(cx, "%s on HSM %s was done before an interruption: recorded "
	    "now", action, op_dev_label(d));
	return op_record(cx, d, who != NULL ? who : "custos", action, f, NULL);
}

/*
 * An intent the device shows not done (or not to the end) stays open:
 * the same step taken again takes it up and finishes it; another step on
 * the device voids it first (op_intent()). reason is said, not recorded.
 */
static int
void_it(struct op_ctx *cx, struct op_dev *d, json_t *in, const char *reason,
    json_t *extra)
{
	(void)cx;
	(void)d;
	(void)in;
	(void)reason;
	json_decref(extra);
	return CUSTOS_OK;
}

static int
init_intent(struct op_ctx *cx, struct op_dev *d, struct card *c, json_t *in)
{
	struct sc_hsm_status st;
	int r, keys = 0, shares = (int)fi(in, "dkek_shares", 0);

	/* Empty key domain slots and no key look the same before an
	   initialization with slots and after it: never guess. */
	if (fi(in, "key_domains", 0) > 0 || fi(in, "pka_keys", 0) > 0)
		return void_it(cx, d, in, "cut short; a device with empty key "
		    "domain slots or public key authentication set up looks "
		    "the same before and after: initialize it again", NULL);
	if ((r = sc_hsm_status(c, &st)) != 0 || (st.initialized == 1 &&
	    (r = sc_hsm_count_keys(c, &keys)) != 0))
		return op_dev_err(cx, d, r, "reading its state");
	if (st.initialized == 1 && st.dkek_total == (shares > 0 ? shares : -1)
	    && st.dkek_left == st.dkek_total && keys == 0) {
		if (json_is_true(json_object_get(json_object_get(in, "facts"),
		    "same_before")))
			return void_it(cx, d, in, "cut short; the device looked "
			    "the same before, so whether it was initialized "
			    "again cannot be told: initialize it again", NULL);
		return complete(cx, d, in, "hsm.init", json_pack("{s:s, s:s, "
		    "s:b, s:i, s:I, s:I}", "serial", op_dev_serial(d),
		    "reader", op_dev_reader(d), "emulated", op_dev_emulated(d),
		    "dkek_shares", shares, "pin_retries", fi(in, "pin_retries",
		    3), "keys_erased", fi(in, "keys_erased", 0)));
	}
	return void_it(cx, d, in, "cut short before the device was "
	    "initialized", NULL);
}

static int
import_intent(struct op_ctx *cx, struct op_dev *d, struct card *c,
    json_t *in)
{
	const char *who = json_string_value(json_object_get(in, "actor"));
	long long before = fi(in, "imported_before", -1);
	char kcv[17], *copy, *tok, *save = NULL;
	json_t *f, *cust;
	uint8_t k[8];
	int r, total = 0, left = 0;

	if ((r = sc_hsm_dkek_query(c, &total, &left, k)) != 0 &&
	    r != CUSTOS_ERR_NO_DKEK)
		return op_dev_err(cx, d, r, "reading its DKEK state");
	if (total - left == before)
		return void_it(cx, d, in, "cut short before the device took the "
		    "share", NULL);
	if (total - left != before + 1)
		return void_it(cx, d, in, "cut short; the device's count of "
		    "shares is neither the one before nor the one after: check "
		    "the device", NULL);
	if ((cust = json_array()) == NULL ||
	    (copy = strdup(who != NULL ? who : "")) == NULL) {
		json_decref(cust);
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(cust, json_string(tok + strspn(tok, " ")));
	free(copy);
	f = op_dev_facts(d);
	if (f != NULL) {
		json_object_update_new(f, json_pack("{s:s, s:i, s:i, s:o}",
		    "share_fingerprint", fs(in, "share_fingerprint") ?
		    fs(in, "share_fingerprint") : "", "imported", total - left,
		    "outstanding", left, "custodians", cust));
		dkek_kcv_hex(kcv, k);
		if (left == 0 && strcmp(kcv, "0000000000000000") != 0)
			json_object_set_new(f, "kcv", json_string(kcv));
		if (fi(in, "share", 0) > 0)
			json_object_set_new(f, "share", json_integer(fi(in,
			    "share", 0)));
	} else {
		json_decref(cust);
	}
	return complete(cx, d, in, "hsm.import-share", f);
}

/* The key at ref among the device's, into *k (cleared when none).
   *there: 0 nothing, 1 whole (description and public key), 2 half. */
static int
key_at(struct op_ctx *cx, struct op_dev *d, struct card *c, int ref,
    struct sc_hsm_key *k, int *there)
{
	struct sc_hsm_key *keys;
	size_t n = 0, i;
	int r;

	*there = 0;
	memset(k, 0, sizeof(*k));
	if ((keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys))) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n)) != 0) {
		free(keys);
		return op_dev_err(cx, d, r, "listing its keys");
	}
	for (i = 0; i < n; i++) {
		if (keys[i].ref == ref) {
			*there = keys[i].has_prkd && keys[i].pub != NULL ? 1 : 2;
			*k = keys[i];
			memset(&keys[i], 0, sizeof(keys[i]));
		}
		sc_hsm_key_clear(&keys[i]);
	}
	free(keys);
	return CUSTOS_OK;
}

static int
key_intent(struct op_ctx *cx, struct op_dev *d, struct card *c, json_t *in,
    const char *op)
{
	struct sc_hsm_key k;
	const char *label = fs(in, "label"), *pub = fs(in, "pubkey_sha256");
	char fpr[65];
	json_t *f;
	int r, there = 0, ref = (int)fi(in, "ref", 0);

	if ((r = key_at(cx, d, c, ref, &k, &there)) != CUSTOS_OK)
		return r;
	fpr[0] = '\0';
	if (k.pub != NULL)
		sodium_bin2hex(fpr, sizeof(fpr), k.fpr, sizeof(k.fpr));
	if (strcmp(op, "hsm.delete") == 0) {
		sc_hsm_key_clear(&k);
		if (there)
			return void_it(cx, d, in, "cut short: the key is still "
			    "there", NULL);
		f = op_dev_facts(d);
		if (f != NULL)
			json_object_update_new(f, json_pack("{s:i, s:s, s:s, "
			    "s:s}", "ref", ref, "label", label ? label : "",
			    "id", fs(in, "id") ? fs(in, "id") : "", "kind",
			    fs(in, "kind") ? fs(in, "kind") : "unknown"));
		return complete(cx, d, in, "hsm.delete", f);
	}
	if (strcmp(op, "hsm.keygen") == 0 && there == 1 && label != NULL &&
	    strcmp(k.prkd.label, label) == 0) {
		f = op_dev_facts(d);
		if (f != NULL) {
			keyfacts_add(f, &k);
			if (fs(in, "type") != NULL)
				json_object_set_new(f, "type",
				    json_string(fs(in, "type")));
		}
		sc_hsm_key_clear(&k);
		return complete(cx, d, in, "hsm.keygen", f);
	}
	sc_hsm_key_clear(&k);
	if (strcmp(op, "hsm.keygen") == 0 && there == 2)
		return CUSTOS_OK;	/* half made: keygen deletes it (PIN) */
	if (strcmp(op, "hsm.keygen") == 0)
		return void_it(cx, d, in, there ? "cut short; another key is "
		    "under its reference" : "cut short before the device made "
		    "the key", NULL);
	/* unwrap, import-key: taken again, they complete what is missing */
	return void_it(cx, d, in, "cut short; taken again, it completes what "
	    "is missing", json_pack("{s:s, s:i}", "key_on_device", there &&
	    pub != NULL && strcmp(fpr, pub) == 0 ? "yes" : there ? "another" :
	    "no", "ref", ref));
}

static int
set_intent(struct op_ctx *cx, struct op_dev *d, json_t *in)
{
	struct backup_manifest *m;
	const char *set = fs(in, "set"), *why = NULL;
	char path[PATH_MAX], sha[65];
	struct stat sb;
	json_t *f;
	int r;

	if (set == NULL)
		return void_it(cx, d, in, "cut short", NULL);
	if ((set[0] == '/' || cx->cer == NULL ? snprintf(path, sizeof(path),
	    "%s", set) : snprintf(path, sizeof(path), "%s/%s", cx->creal, set))
	    >= (int)sizeof(path))
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: path too long",
		    set);
	if (lstat(path, &sb) != 0)
		return void_it(cx, d, in, "cut short before it wrote anything",
		    NULL);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if (backup_load(path, m, sha, &why) != 0) {
		free(m);
		if ((r = op_abandon(cx, path, seq_of(in))) != CUSTOS_OK)
			return r;
		return void_it(cx, d, in, "cut short before its manifest: the "
		    "half-made set was moved aside", NULL);
	}
	if (strcmp(m->serial, op_dev_serial(d)) != 0) {
		r = op_fail(cx, CUSTOS_ERR_EXISTS, "%s is the set of HSM %s, "
		    "not this one's: it is never overwritten", path, m->serial);
		free(m);	/* after its serial is said, not before */
		return r;
	}
	f = op_dev_facts(d);
	if (f != NULL)
		json_object_update_new(f, json_pack("{s:s, s:s, s:s, s:o, s:o}",
		    "set", set, "manifest_sha256", sha, "kcv", m->kcv, "keys",
		    keyfacts_manifest(m), "not_exportable",
		    keyfacts_skipped(m)));
	free(m);
	return complete(cx, d, in, "backup.create", f);
}

/* A key domain created or deleted: the device says whether it is. */
static int
domain_intent(struct op_ctx *cx, struct op_dev *d, struct card *c,
    json_t *in, const char *op)
{
	int dom = (int)fi(in, "domain", -1), total = 0, left = 0, r;
	int create = strcmp(op, "hsm.domain-create") == 0;
	uint8_t k[8];

	r = sc_hsm_kd_query(c, dom, &total, &left, k);
	if (r != 0 && r != CUSTOS_ERR_NOT_FOUND && r != CUSTOS_ERR_LIMIT)
		return op_dev_err(cx, d, r, "reading its key domains");
	if ((create && r == 0 && total == fi(in, "shares", -1)) ||
	    (!create && r == CUSTOS_ERR_NOT_FOUND)) {
		json_t *f = op_dev_facts(d);	/* its domain: the intent's */

		if (f != NULL && create)
			json_object_set_new(f, "shares", json_integer(total));
		return complete(cx, d, in, op, f);
	}
	return void_it(cx, d, in, create ? "cut short before the device "
	    "created the key domain" : "cut short before the device deleted "
	    "the key domain", NULL);
}

int
op_reconcile_device(struct op_ctx *cx, struct op_dev *d)
{
	struct ledger *l = op_ledger(cx, d);
	struct card *c;
	json_t *open, *in;
	const char *op, *serial;
	char path[PATH_MAX];
	size_t i;
	int r = CUSTOS_OK, keep;

	if (l == NULL)
		return CUSTOS_OK;
	if ((open = ledger_open_intents(l)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_array_foreach(open, i, in) {
		serial = fs(in, "serial");
		op = fs(in, "op");
		if (serial == NULL || op == NULL ||
		    strcmp(serial, op_dev_serial(d)) != 0)
			continue;
		if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
			break;
		/* the key domain the step acted in, for the device's answers
		   and the completing record */
		keep = op_dev_domain(d);
		op_dev_set_domain(d, (int)fi(in, "domain", -1));
		if (strcmp(op, "hsm.init") == 0)
			r = init_intent(cx, d, c, in);
		else if (strcmp(op, "hsm.domain-create") == 0 ||
		    strcmp(op, "hsm.domain-delete") == 0)
			r = domain_intent(cx, d, c, in, op);
		else if (strcmp(op, "hsm.import-share") == 0)
			r = import_intent(cx, d, c, in);
		else if (strcmp(op, "hsm.keygen") == 0 ||
		    strcmp(op, "hsm.delete") == 0 ||
		    strcmp(op, "hsm.unwrap") == 0 ||
		    strcmp(op, "backup.import-key") == 0)
			r = key_intent(cx, d, c, in, op);
		else if (strcmp(op, "backup.create") == 0)
			r = set_intent(cx, d, in);
		else if (strcmp(op, "pka.register") == 0) {
			json_t *done = NULL;

			r = op_pka_reconcile(cx, d, in, &done);
			if (r == CUSTOS_OK)
				r = done != NULL ? complete(cx, d, in,
				    "pka.register", done) : void_it(cx, d, in,
				    "cut short before the device registered the "
				    "key", NULL);
		} else if ((strcmp(op, "hsm.wrap") == 0 ||
		    strcmp(op, "pka.export") == 0) && fs(in, "file") != NULL) {
			int in_cer = cx->cer != NULL && fs(in, "file")[0] != '/';

			r = snprintf(path, sizeof(path), "%s%s%s", in_cer ?
			    cx->creal : "", in_cer ? "/" : "", fs(in, "file")) >=
			    (int)sizeof(path) ? CUSTOS_ERR_TOO_LARGE :
			    access(path, F_OK) == 0 ? op_abandon(cx, path,
			    seq_of(in)) : CUSTOS_OK;
			if (r == CUSTOS_OK)
				r = void_it(cx, d, in, "cut short; the step is "
				    "taken again", NULL);
		} else if (strcmp(op, "hsm.change-pin") == 0)
			r = void_it(cx, d, in, "cut short: the user PIN may or "
			    "may not have changed; the one that opens the device "
			    "is in force", NULL);
		else
			r = void_it(cx, d, in, "cut short; taken again, it "
			    "completes what is missing", NULL);
		op_dev_set_domain(d, keep);
		if (r != CUSTOS_OK)
			break;
	}
	json_decref(open);
	return r;
}
