/*
 * op_hsm_keys.c - the keys on a SmartCard-HSM and its user PIN: list,
 * generate, delete, prove by a signature, change the PIN (op_hsm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "keyfacts.h"
#include "op_hsm.h"
#include "op_int.h"

int
op_key_type_valid(const char *type)
{
	const char *curve;
	unsigned bits;

	return type != NULL && sc_hsm_parse_type(type, &curve, &bits) == 0;
}

void
op_key_from(const struct sc_hsm_key *k, struct op_key *o)
{
	memset(o, 0, sizeof(*o));
	o->ref = k->ref;
	o->has_prkd = k->has_prkd;
	snprintf(o->label, sizeof(o->label), "%s", k->has_prkd ?
	    k->prkd.label : "");
	snprintf(o->kind, sizeof(o->kind), "%s", k->kind);
	o->has_pub = k->pub != NULL;
	if (k->pub == NULL || encode_hex(o->fpr, sizeof(o->fpr), k->fpr,
	    sizeof(k->fpr), 0) != 0)
		o->fpr[0] = '\0';
}

static void
free_keys(struct sc_hsm_key *keys, size_t n)
{
	size_t i;

	for (i = 0; keys != NULL && i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
}

/* The device's keys into a new array (free_keys()). */
static int
list_keys(struct op_ctx *cx, struct op_dev *d, struct card *c,
    struct sc_hsm_key **keys, size_t *n)
{
	int r;

	*n = 0;
	if ((*keys = calloc(SC_HSM_MAX_REFS, sizeof(**keys))) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = sc_hsm_list_keys(c, *keys, SC_HSM_MAX_REFS, n)) != 0)
		return op_dev_err(cx, d, r, "listing its keys");
	return CUSTOS_OK;
}

static struct sc_hsm_key *
find_key(struct sc_hsm_key *keys, size_t n, int ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].ref == ref)
			return &keys[i];
	return NULL;
}

int
op_hsm_keys(struct op_ctx *cx, struct op_dev *d, struct op_key **out,
    size_t *nout)
{
	struct sc_hsm_key *keys = NULL;
	struct card *c;
	json_t *f, *arr = NULL;
	size_t n = 0, i;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = list_keys(cx, d, c, &keys, &n)) != CUSTOS_OK)
		goto out;
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL ||
	    (arr = json_array()) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *k = json_object();

		op_key_from(&keys[i], &(*out)[i]);
		keyfacts_add(k, &keys[i]);
		json_array_append_new(arr, k);
	}
	*nout = n;
	if ((f = op_dev_facts(d)) != NULL)
		json_object_set(f, "keys", arr);
	r = op_record(cx, d, op_actor(cx, "operator"), "hsm.keys", f, NULL);
 out:
	json_decref(arr);
	free_keys(keys, n);
	return r;
}

/* Refuses (unless UNEXPORTABLE is confirmed) a key that could never be
   exported. */
static int
check_exportable(struct op_ctx *cx, struct card *c)
{
	uint8_t kcv[8];
	int total = 0, left = 0, r;
	char cons[200];

	r = sc_hsm_dkek_query(c, &total, &left, kcv);
	if (r == 0 && total > 0 && left == 0)
		return CUSTOS_OK;
	if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NO_CARD ||
	    r == CUSTOS_ERR_PCSC || r == CUSTOS_ERR_IO)
		return op_fail(cx, r, "%s; nothing done", custos_strerror(r));
	if (card_domain(c) >= 0 && (r == CUSTOS_ERR_NOT_FOUND ||
	    r == CUSTOS_ERR_LIMIT))
		return op_fail(cx, r, "the device has no key domain %d%s; "
		    "nothing done", card_domain(c), r == CUSTOS_ERR_NOT_FOUND ?
		    " (its slot is empty: custos hsm domain create)" : "");
	if (r == 0 && total > 0)
		snprintf(cons, sizeof(cons), "WARNING: %d of %d DKEK shares are "
		    "still outstanding: a key generated now\ncan NEVER be "
		    "exported or backed up.", left, total);
	else
		snprintf(cons, sizeof(cons), "WARNING: the device has no DKEK: "
		    "a key generated now can NEVER be exported\nor backed up.");
	return op_confirm(cx, cons, "UNEXPORTABLE", "refusing to generate a "
	    "key that can never be backed up (type UNEXPORTABLE, or "
	    "--unexportable)");
}

/* Whether a key is under ref now: yes, no or unknown. */
static const char *
key_there(struct card *c, int ref)
{
	uint16_t fids[1024];
	size_t n = 0, i;

	if (sc_hsm_enumerate(c, fids, 1024, &n) != 0)
		return "unknown";
	for (i = 0; i < n; i++)
		if (fids[i] == (0xCC00 | ref))
			return "yes";
	return "no";
}

/*
 * A keygen a cut left open on d whose key is half made (reconcile left
 * it: deleting it needs the PIN): the key is deleted and the intent
 * voided, so its reference is free again.
 */
static int
clear_half_made(struct op_ctx *cx, struct op_dev *d, struct card *c)
{
	struct ledger *l = op_ledger(cx, d);
	json_t *open, *in, *f;
	const char *s, *op;
	size_t i;
	int r = CUSTOS_OK, ref;

	if (l == NULL || (open = ledger_open_intents(l)) == NULL)
		return CUSTOS_OK;
	json_array_foreach(open, i, in) {
		f = json_object_get(in, "facts");
		s = json_string_value(json_object_get(f, "serial"));
		op = json_string_value(json_object_get(f, "op"));
		if (s == NULL || op == NULL || strcmp(s, op_dev_serial(d)) != 0
		    || strcmp(op, "hsm.keygen") != 0)
			continue;
		ref = (int)json_integer_value(json_object_get(f, "ref"));
		op_note(cx, "A key a cut left half made under reference %d is "
		    "deleted and made again.", ref);
		/* the intent stays open: the key is made again under the
		   same reference, and its record completes it */
		if ((r = sc_hsm_delete_key(c, ref)) != 0 &&
		    r != CUSTOS_ERR_NO_KEY) {
			r = op_dev_err(cx, d, r, "deleting the half-made key");
			break;
		}
		r = CUSTOS_OK;
	}
	json_decref(open);
	return r;
}

struct keygen_job {
	struct card *c;
	int ref;
	const char *curve;
	unsigned bits;
	const struct op_keygen_args *a;
	struct sc_hsm_key *k;
};

static int
keygen_job(void *p)
{
	struct keygen_job *j = p;

	return sc_hsm_keygen(j->c, j->ref, j->curve, j->bits, j->a->label,
	    j->a->id, j->a->idlen, j->k);
}

/* Refuses a second key with the label (a planned key names one key). */
static int
label_free(struct op_ctx *cx, struct op_dev *d, struct card *c,
    const char *label)
{
	struct sc_hsm_key *keys = NULL;
	size_t n = 0, i;
	int r;

	if ((r = list_keys(cx, d, c, &keys, &n)) != CUSTOS_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (keys[i].has_prkd && strcmp(keys[i].prkd.label, label) == 0) {
			r = op_fail(cx, CUSTOS_ERR_EXISTS, "HSM %s already holds "
			    "a key labelled %s (reference %d); a label names one "
			    "key", op_dev_label(d), label, keys[i].ref);
			break;
		}
 out:
	free_keys(keys, n);
	return r;
}

int
op_hsm_keygen(struct op_ctx *cx, struct op_dev *d,
    const struct op_keygen_args *a, struct op_key *out)
{
	const char *who = op_actor(cx, "operator");
	struct keygen_job j;
	struct sc_hsm_key k;
	struct card *c;
	unsigned long long in = 0;
	json_t *f;
	int r, ref = a->ref;

	memset(&k, 0, sizeof(k));
	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	if (sc_hsm_parse_type(a->type, &j.curve, &j.bits) != 0)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "key type %s",
		    a->type);
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (!a->unexportable && (r = check_exportable(cx, c)) !=
	    CUSTOS_OK) ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK ||
	    (r = clear_half_made(cx, d, c)) != CUSTOS_OK ||
	    (a->unique_label && (r = label_free(cx, d, c, a->label)) !=
	    CUSTOS_OK))
		return r;
	if (ref < 0 && (r = sc_hsm_free_ref(c, &ref)) != 0)
		return op_dev_err(cx, d, r, "finding a free reference");
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:s, s:s}", "ref",
		    ref, "label", a->label, "type", a->type));
	if ((r = op_intent(cx, d, who, "hsm.keygen", f, &in)) != CUSTOS_OK)
		return r;
	op_note(cx, "generating %s under reference %d%s...", a->type, ref,
	    j.bits >= 3072 ? " (a real device may take a minute or more)" :
	    "");
	j.c = c;
	j.ref = ref;
	j.a = a;
	j.k = &k;
	if ((r = op_slow(cx, "Generating the key on the HSM (RSA can take a "
	    "minute)", keygen_job, &j)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), json_pack(
		    "{s:s, s:i, s:s}", "key_on_device", key_there(c, ref),
		    "ref", ref, "serial", op_dev_serial(d)));
		if (r != CUSTOS_ERR_UNSUPPORTED &&
		    r != CUSTOS_ERR_EXISTS)
			return op_dev_err(cx, d, r, "generating the key");
		return op_fail(cx, r, "reference %d: %s", ref,
		    r == CUSTOS_ERR_UNSUPPORTED ? "the device does not take "
		    "this key type or size" : "is taken (choose another --ref)");
	}
	op_key_from(&k, out);
	if ((f = op_dev_facts(d)) != NULL) {
		keyfacts_add(f, &k);
		json_object_set_new(f, "type", json_string(a->type));
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	}
	sc_hsm_key_clear(&k);
	return op_record(cx, d, who, "hsm.keygen", f, NULL);
}

int
op_hsm_delete(struct op_ctx *cx, struct op_dev *d, int ref,
    struct op_key *out)
{
	const char *who = op_actor(cx, "operator");
	struct sc_hsm_key *keys = NULL, *k;
	struct card *c;
	unsigned long long in = 0;
	char cons[300], id[2 * PRKD_ID_MAX + 1] = "";
	size_t n = 0;
	json_t *f;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = list_keys(cx, d, c, &keys, &n)) != CUSTOS_OK)
		goto out;
	if ((k = find_key(keys, n, ref)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NO_KEY, "no key with reference %d",
		    ref);
		goto out;
	}
	op_key_from(k, out);
	snprintf(cons, sizeof(cons), "Deleting key %d (%s, \"%s\") destroys "
	    "it; unless it was backed up it is gone\nfor good.", ref, k->kind,
	    k->has_prkd ? k->prkd.label : "");
	if ((r = op_confirm(cx, cons, "DELETE", "not deleted (type DELETE, or "
	    "--force)")) != CUSTOS_OK || (r = op_dev_login(cx, d, who)) !=
	    CUSTOS_OK)
		goto out;
	if (k->has_prkd && encode_hex(id, sizeof(id), k->prkd.id,
	    k->prkd.id_len, 0) != 0)
		id[0] = '\0';
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:s, s:s, s:s}",
		    "ref", ref, "label", out->label, "id", id, "kind", k->kind));
	if ((r = op_intent(cx, d, who, "hsm.delete", f, &in)) != CUSTOS_OK)
		goto out;
	if ((r = sc_hsm_delete_key(c, ref)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), json_pack(
		    "{s:s, s:i}", "key_on_device", key_there(c, ref), "ref",
		    ref));
		r = op_dev_err(cx, d, r, "deleting the key");
		goto out;
	}
	if ((f = op_dev_facts(d)) != NULL) {
		keyfacts_add(f, k);
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	}
	r = op_record(cx, d, who, "hsm.delete", f, NULL);
 out:
	free_keys(keys, n);
	return r;
}

int
op_hsm_sign_test(struct op_ctx *cx, struct op_dev *d, int ref,
    struct op_key **out, size_t *nout)
{
	struct sc_hsm_key *keys = NULL;
	struct card *c;
	json_t *f, *arr = NULL;
	size_t n = 0, i;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = list_keys(cx, d, c, &keys, &n)) != CUSTOS_OK)
		goto out;
	if (ref > 0 && find_key(keys, n, ref) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NO_KEY, "no key with reference %d",
		    ref);
		goto out;
	}
	if ((r = op_dev_login(cx, d, op_actor(cx, "operator"))) != CUSTOS_OK)
		goto out;
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL ||
	    (arr = json_array()) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct op_key *o = &(*out)[*nout];
		json_t *one;

		if (ref > 0 && keys[i].ref != ref)
			continue;
		r = sc_hsm_prove_key(c, &keys[i]);
		if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NOT_LOGGED_IN
		    || r == CUSTOS_ERR_IO) {
			r = op_dev_err(cx, d, r, "proving a key");
			goto out;
		}
		op_key_from(&keys[i], o);
		o->verified = r == 0;
		snprintf(o->why, sizeof(o->why), "%s", r == 0 ? "" :
		    custos_strerror(r));
		(*nout)++;
		one = json_object();
		keyfacts_add(one, &keys[i]);
		json_object_del(one, "pubkey");
		json_object_set_new(one, "verified", json_boolean(r == 0));
		json_array_append_new(arr, one);
	}
	if ((f = op_dev_facts(d)) != NULL)
		json_object_set(f, "results", arr);
	r = op_record(cx, d, op_actor(cx, "operator"), "hsm.sign-test", f,
	    NULL);
 out:
	json_decref(arr);
	free_keys(keys, n);
	return r;
}

int
op_hsm_change_pin(struct op_ctx *cx, struct op_dev *d)
{
	const char *who = op_actor(cx, "operator");
	char *old = NULL, *pin = NULL;
	size_t oldlen = 0, len = 0;
	unsigned long long in = 0;
	struct card *c;
	json_t *f;
	int r, tries = -1;

	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_secret(cx, OP_SECRET_PIN, who, "current user PIN", "",
	    &old, &oldlen)) != CUSTOS_OK ||
	    (r = op_secret(cx, OP_SECRET_PIN_NEW, who, "New user PIN", "",
	    &pin, &len)) != CUSTOS_OK)
		goto out;
	if ((r = op_intent(cx, d, who, "hsm.change-pin", op_dev_facts(d),
	    &in)) != CUSTOS_OK)
		goto out;
	r = sc_hsm_change_pin(c, old, oldlen, pin, len, &tries);
	if (r == CUSTOS_ERR_WRONG_PIN || r == CUSTOS_ERR_PIN_BLOCKED) {
		op_intent_abort(cx, d, who, in, "the current PIN was refused",
		    NULL);
		if ((f = json_pack("{s:s, s:s, s:s}", "what", "user PIN",
		    "reason", r == CUSTOS_ERR_PIN_BLOCKED ? "blocked" :
		    "wrong PIN", "serial", op_dev_serial(d))) != NULL &&
		    tries >= 0)
			json_object_set_new(f, "tries_left", json_integer(tries));
		op_refused(cx, who, f);
		r = r == CUSTOS_ERR_PIN_BLOCKED ? op_fail(cx, r, "user PIN "
		    "blocked") : tries >= 0 ? op_fail(cx, r, "wrong user PIN, "
		    "%d %s left", tries, tries == 1 ? "try" : "tries") :
		    op_fail(cx, r, "%s", custos_strerror(r));
		goto out;
	}
	if (r != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		r = op_dev_err(cx, d, r, "changing the PIN");
		goto out;
	}
	op_dev_take_pin(d, pin, len);
	pin = NULL;
	if ((f = op_dev_facts(d)) != NULL)
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	r = op_record(cx, d, who, "hsm.change-pin", f, NULL);
 out:
	secmem_free(old);
	secmem_free(pin);
	return r;
}
