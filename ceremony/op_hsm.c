/*
 * op_hsm.c - the device and its DKEK: status, initialize, import shares,
 * check the KCV (op_hsm.h). Before sending a share, the import compares
 * the device with its record (transcript or journal): a share the record
 * says went in is never sent again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "backup.h"
#include "ceremony.h"
#include "op_hsm.h"
#include "op_int.h"

void
op_share_clear(struct op_share *s)
{
	if (s == NULL)
		return;
	secmem_free(s->value);
	memset(s, 0, sizeof(*s));
}

/* Whether kcv (16 hex digits) is the all-zero DKEK's. */
static int
is_zero_dkek(const char *kcv)
{
	char z[17];

	dkek_kcv_hex(z, dkek_zero_kcv);
	return strcmp(kcv, z) == 0;
}

static int
zero_dkek(struct op_ctx *cx, struct op_dev *d)
{
	return op_fail(cx, CUSTOS_ERR_ZERO_DKEK, "HSM %s holds the all-zero "
	    "DKEK (KCV 66687AADF862BD77): a share went in twice, or its "
	    "shares cancel out, and nothing wrapped under it is protected; "
	    "initialize it again (custos hsm init) and import each share once",
	    op_dev_label(d));
}

int
op_hsm_status(struct op_ctx *cx, struct op_dev *d, int login,
    struct op_hsm_status *st)
{
	struct sc_hsm_status s;
	struct card *c;
	json_t *f;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_status(c, &s)) != 0)
		return op_dev_err(cx, d, r, "reading its state");
	if (login && s.initialized == 1 && s.dkek_total > 0 &&
	    s.dkek_left == 0 && !s.kcv_known) {
		if ((r = op_dev_login(cx, d, op_actor(cx, "operator"))) !=
		    CUSTOS_OK)
			return r;
		if ((r = sc_hsm_dkek_query(c, &s.dkek_total, &s.dkek_left,
		    s.kcv)) != 0)
			return op_dev_err(cx, d, r, "reading its DKEK");
		s.kcv_known = memcmp(s.kcv, "\0\0\0\0\0\0\0\0", 8) != 0;
		s.pin_verified = 1;
		st->kcv_after_login = 1;
	}
	st->fw_major = s.fw_major;
	st->fw_minor = s.fw_minor;
	st->initialized = s.initialized;
	st->pin_verified = s.pin_verified;
	st->pin_tries = s.pin_tries;
	st->so_tries = s.so_tries;
	st->dkek_total = s.dkek_total;
	st->dkek_left = s.dkek_left;
	st->kcv_known = s.kcv_known;
	dkek_kcv_hex(st->kcv, s.kcv);
	st->zero_dkek = s.kcv_known && is_zero_dkek(st->kcv);
	f = op_dev_facts(d);
	if (f != NULL)
		json_object_update_new(f, json_pack("{s:i, s:i, s:i, s:i, s:i, "
		    "s:o}", "initialized", s.initialized, "pin_tries",
		    s.pin_tries, "so_tries", s.so_tries, "dkek_shares",
		    s.dkek_total, "dkek_outstanding", s.dkek_left, "kcv",
		    s.kcv_known ? json_string(st->kcv) : json_null()));
	return op_record(cx, d, op_actor(cx, "operator"), "hsm.status", f,
	    NULL);
}

/* Shows the SO PIN's state; refuses a blocked one. */
static int
init_so_state(struct op_ctx *cx, const struct sc_hsm_status *st)
{
	if (st->initialized != 1) {
		/* both front ends say it; the prompt's hint says what to do */
		op_note(cx, "This device is factory-fresh: it has no SO PIN "
		    "yet; the first initialization sets it.");
		return CUSTOS_OK;
	}
	if (st->so_tries > 0)
		op_note(cx, "SO PIN tries left: %d%s", st->so_tries,
		    st->so_tries <= 3 ? "  (CAUTION: a blocked SO PIN cannot "
		    "be reset)" : "");
	if (st->so_tries == 0)
		return op_fail(cx, CUSTOS_ERR_PIN_BLOCKED, "SO PIN blocked; the "
		    "device cannot be initialized again");
	return CUSTOS_OK;
}

/* A wrong SO PIN: recorded as refused, said with the tries left. */
static int
wrong_so_pin(struct op_ctx *cx, struct op_dev *d, const char *who, int r,
    int tries)
{
	json_t *f = json_pack("{s:s, s:s, s:s}", "what", "SO PIN", "reason",
	    r == CUSTOS_ERR_PIN_BLOCKED ? "blocked" : "wrong SO PIN", "serial",
	    op_dev_serial(d));

	if (f != NULL && tries >= 0)
		json_object_set_new(f, "tries_left", json_integer(tries));
	op_refused(cx, who, f);
	if (r == CUSTOS_ERR_PIN_BLOCKED)
		return op_fail(cx, r, "SO PIN blocked");
	if (tries < 0)
		return op_fail(cx, r, "wrong SO PIN; nothing was changed");
	return op_fail(cx, r, "wrong SO PIN, %d %s left; nothing was changed",
	    tries, tries == 1 ? "try" : "tries");
}

/* The SO PIN (checked by VERIFY first on an initialized device, so a
   wrong one stops before anything is erased) into so. */
static int
init_so_pin(struct op_ctx *cx, struct op_dev *d, struct card *c,
    const struct sc_hsm_status *st, const struct op_init_args *a,
    const char *who, uint8_t so[8])
{
	const char *sh = a->so_hint != NULL ? a->so_hint : "";
	char *s = NULL, hint[400];
	size_t len = 0;
	int r, tries = st->so_tries, fresh = st->initialized != 1, attempt,
	    retry = cx->io->can_retry != NULL &&
	    cx->io->can_retry(cx->io->arg, OP_SECRET_SO_PIN);

	for (attempt = 0;; attempt++) {
		/* A factory-fresh device has no SO PIN: the first INITIALIZE
		   sets it (docs/emulator.md), so a new one is typed twice. */
		/* that the device is fresh is init_so_state()'s note */
		if (fresh)
			snprintf(hint, sizeof(hint), "The one typed now becomes "
			    "this device's SO PIN. Keep it with the ceremony's "
			    "sealed records.%s%s", sh[0] ? " " : "", sh);
		else if (tries > 0)
			snprintf(hint, sizeof(hint), "The SO PIN this device was "
			    "first initialized with; %d tr%s left.%s%s", tries,
			    tries == 1 ? "y" : "ies", sh[0] ? " " : "", sh);
		else
			snprintf(hint, sizeof(hint), "The SO PIN this device was "
			    "first initialized with.%s%s", sh[0] ? " " : "", sh);
		if ((r = op_secret(cx, fresh ? OP_SECRET_SO_PIN_NEW :
		    OP_SECRET_SO_PIN, who, fresh ? "New SO PIN (16 hex digits)" :
		    "SO PIN (16 hex digits)", hint, &s, &len)) != CUSTOS_OK)
			return r;
		r = decode_hex(so, 8, s, len);
		secmem_free(s);
		if (r != 0)
			return op_fail(cx, CUSTOS_ERR_FORMAT, "the SO PIN is 16 "
			    "hexadecimal digits");
		if (fresh)
			return CUSTOS_OK;
		r = sc_hsm_verify_so_pin(c, so, &tries);
		if (r == CUSTOS_ERR_UNSUPPORTED) {
			op_warn(cx, "this device does not check the SO PIN on its "
			    "own; initializing sends it");
			return CUSTOS_OK;
		}
		if (r == CUSTOS_OK)
			return CUSTOS_OK;
		if (r != CUSTOS_ERR_WRONG_PIN && r != CUSTOS_ERR_PIN_BLOCKED)
			return op_dev_err(cx, d, r, "checking the SO PIN");
		r = wrong_so_pin(cx, d, who, r, tries);
		if (!retry || attempt == 2 || tries == 0)
			return r;
		op_warn(cx, "%s", op_why(cx));	/* and ask again */
	}
}

/* Whether the device already looks as this initialization leaves it. */
static int
looks_done(const struct sc_hsm_status *st, int keys, int shares)
{
	return st->initialized == 1 && st->dkek_total == (shares > 0 ?
	    shares : -1) && st->dkek_left == st->dkek_total && keys == 0;
}

/* The facts of an initialization beyond the DKEK: key domain slots,
   public key authentication. */
static void
init_facts(json_t *f, const struct op_init_args *a)
{
	if (f == NULL)
		return;
	if (a->key_domains > 0)
		json_object_set_new(f, "key_domains",
		    json_integer(a->key_domains));
	if (a->pka_total > 0)
		json_object_update_new(f, json_pack("{s:i, s:i, s:b}",
		    "pka_keys", a->pka_total, "pka_required", a->pka_required,
		    "pka_replace", a->pka_replace));
}

int
op_hsm_init(struct op_ctx *cx, struct op_dev *d, const struct op_init_args *a,
    int *keys_erased)
{
	const char *who = op_actor(cx, "operator");
	struct sc_hsm_status st;
	struct card *c;
	unsigned long long in = 0;
	char cons[200], refusal[200], *pin = NULL;
	size_t pinlen = 0;
	uint8_t so[8];
	json_t *f;
	int r, keys = 0, so_tries = -1;

	*keys_erased = 0;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	/* The device as a whole: its key domains come after it */
	card_set_domain(c, -1);
	r = sc_hsm_status(c, &st);
	card_set_domain(c, op_dev_domain(d));
	if (r != 0 || (st.initialized == 1 &&
	    (r = sc_hsm_count_keys(c, &keys)) != 0))
		return op_dev_err(cx, d, r, "reading its state");
	if ((r = init_so_state(cx, &st)) != CUSTOS_OK)
		return r;
	if (keys > 0 || a->always_confirm) {
		snprintf(cons, sizeof(cons), "The device holds %d key%s; "
		    "initializing deletes %s.", keys, keys == 1 ? "" : "s",
		    keys == 1 ? "it" : "them all");
		snprintf(refusal, sizeof(refusal), keys > 0 && !a->always_confirm
		    ? "refusing to delete %d key%s (type ERASE, or --erase-keys)"
		    : "not confirmed: nothing was done", keys, keys == 1 ? "" :
		    "s");
		if ((r = op_confirm(cx, a->consequence != NULL ? a->consequence :
		    cons, "ERASE", refusal)) != CUSTOS_OK)
			return r;
	}
	if (a->dkek_shares > 0)
		op_note(cx, "Note: keys generated before all %d DKEK shares are "
		    "imported can never be exported.", a->dkek_shares);
	if ((r = init_so_pin(cx, d, c, &st, a, who, so)) != CUSTOS_OK)
		goto out;
	/* With public key authentication the quorum of the custodians'
	   keys stands for the user PIN: none is set. */
	if (a->pka_total == 0 && (r = op_secret(cx, OP_SECRET_PIN_NEW, who,
	    "New user PIN", "6 to 16 characters; kept for the HSM steps of "
	    "this run, asked again after a restart.", &pin, &pinlen)) !=
	    CUSTOS_OK)
		goto out;
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:i, s:i, s:b}",
		    "dkek_shares", a->dkek_shares > 0 ? a->dkek_shares : 0,
		    "pin_retries", a->retries, "keys_erased", keys, "same_before",
		    a->key_domains == 0 && a->pka_total == 0 && looks_done(&st,
		    keys, a->dkek_shares)));
	init_facts(f, a);
	if ((r = op_intent(cx, d, who, "hsm.init", f, &in)) != CUSTOS_OK)
		goto out;
	op_note(cx, "Initializing the HSM ...");
	if (a->pka_total > 0) {
		struct sc_hsm_pka_init pk = { a->pka_total, a->pka_required,
		    a->pka_replace };

		r = sc_hsm_initialize_pka(c, so, NULL, 0, a->retries,
		    a->key_domains > 0 ? -1 : a->dkek_shares, a->key_domains,
		    &pk, &so_tries);
	} else if (a->key_domains > 0)
		r = sc_hsm_initialize_kd(c, so, pin, pinlen, a->retries,
		    a->key_domains, &so_tries);
	else
		r = sc_hsm_initialize(c, so, pin, pinlen, a->retries,
		    a->dkek_shares, &so_tries);
	if (r != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		r = r == CUSTOS_ERR_WRONG_PIN || r == CUSTOS_ERR_PIN_BLOCKED ?
		    wrong_so_pin(cx, d, who, r, so_tries) :
		    op_dev_err(cx, d, r, "initializing");
		goto out;
	}
	if (pin != NULL)
		op_dev_take_pin(d, pin, pinlen);
	pin = NULL;
	*keys_erased = keys;
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:i, s:i, s:I}",
		    "dkek_shares", a->dkek_shares > 0 ? a->dkek_shares : 0,
		    "pin_retries", a->retries, "keys_erased", keys, "intent",
		    (json_int_t)in));
	init_facts(f, a);
	r = op_record(cx, d, who, "hsm.init", f, NULL);
 out:
	secmem_wipe(so, sizeof(so));
	secmem_free(pin);
	return r;
}

/* Who acted for a share: its holder, or the members who opened it. */
static void
actor_of(const struct op_share *s, char *out, size_t sz)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < s->ncustodians && o + 3 < sz; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s%s", i ? ", " : "",
		    s->names[i]);
	if (o == 0)
		snprintf(out, sz, "operator");
}

static json_t *
custodians_of(const struct op_share *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < s->ncustodians; i++)
		json_array_append_new(a, json_string(s->names[i]));
	return a;
}

/* The name of share i in messages: its file, or its number. */
static void
share_name(const struct op_share *s, size_t i, char *out, size_t sz)
{
	if (s->file[0] != '\0')
		snprintf(out, sz, "%s", s->file);
	else if (s->plan_share > 0)
		snprintf(out, sz, "share %d", s->plan_share);
	else
		snprintf(out, sz, "share %zu", i + 1);
}

/* Refuses a share the record says is in the device already. */
static int
already_in(struct op_ctx *cx, struct op_dev *d, const struct op_share *s,
    const char *name)
{
	char who[256];

	actor_of(s, who, sizeof(who));
	op_refused(cx, who, json_pack("{s:s, s:s, s:s, s:s}", "what", "share",
	    "reason", "already in the device", "serial", op_dev_serial(d),
	    "share_fingerprint", s->fpr));
	return op_fail(cx, CUSTOS_ERR_DUPLICATE_SHARE, "%s (fingerprint %s) is "
	    "already in HSM %s: nothing was sent; give the next share", name,
	    s->fpr, op_dev_label(d));
}

/*
 * The shares the record of d says went in since its initialization, and
 * whether that agrees with the device's count in.
 */
static int
recorded_shares(struct op_ctx *cx, struct op_dev *d, int in, json_t **fprs)
{
	struct ledger *l = op_ledger(cx, d);
	int known = 0;
	size_t n;

	*fprs = NULL;
	if (l == NULL)
		return CUSTOS_OK;
	n = ledger_device_shares(l, op_dev_serial(d), op_dev_domain(d), fprs,
	    &known);
	if (*fprs == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if ((size_t)in < n)
		return op_fail(cx, CUSTOS_ERR_CARD, "HSM %s holds %d of its "
		    "shares, but the %s says %zu went in: stop and check the "
		    "device (initialized again elsewhere?); to start over, "
		    "initialize it with custos hsm init", op_dev_label(d), in,
		    ledger_is_journal(l) ? "device's journal" : "transcript", n);
	if ((size_t)in > n)
		op_warn(cx, "HSM %s holds %d share%s that went in outside "
		    "custos's record (another tool?); custos cannot tell which, "
		    "so a share given twice can only be caught by the KCV",
		    op_dev_label(d), in - (int)n, in - (int)n == 1 ? "" : "s");
	return CUSTOS_OK;
}

static int
in_list(json_t *fprs, const char *fpr)
{
	json_t *v;
	size_t i;

	json_array_foreach(fprs, i, v)
		if (strcmp(json_string_value(v), fpr) == 0)
			return 1;
	return 0;
}

/* Imports one share (it is not in the device): intent, APDU, record. */
static int
import_one(struct op_ctx *cx, struct op_dev *d, struct card *c,
    const struct op_share *s, const char *name, int *total, int *left,
    size_t done, size_t nsend)
{
	char who[256], kcv[17], rel[4096], sha[65];
	unsigned long long in = 0;
	uint8_t k[8];
	json_t *f;
	int r;

	actor_of(s, who, sizeof(who));
	if ((f = op_dev_facts(d)) != NULL) {
		json_object_set_new(f, "share_fingerprint", json_string(s->fpr));
		json_object_set_new(f, "imported_before",
		    json_integer(*total - *left));
		if (s->plan_share > 0)
			json_object_set_new(f, "share",
			    json_integer(s->plan_share));
	}
	if ((r = op_intent(cx, d, who, "hsm.import-share", f, &in)) !=
	    CUSTOS_OK)
		return r;
	if ((r = sc_hsm_import_share(c, s->value, total, left, k)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		(void)op_dev_err(cx, d, r, "importing the share");
		if (s->file[0] != '\0')
			(void)op_fail(cx, r, "%s: %s (%zu of %zu imported)",
			    name, custos_strerror(r), done, nsend);
		return r;
	}
	if ((f = op_dev_facts(d)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(f, "share_fingerprint", json_string(s->fpr));
	json_object_set_new(f, "imported", json_integer(*total - *left));
	json_object_set_new(f, "outstanding", json_integer(*left));
	json_object_set_new(f, "custodians", custodians_of(s));
	json_object_set_new(f, "intent", json_integer((json_int_t)in));
	if (s->file[0] != '\0') {
		op_relpath(cx, s->file, rel, sizeof(rel));
		op_file_sha256(s->file, sha);
		json_object_set_new(f, "file", json_string(rel));
		if (strlen(sha) == 64)
			json_object_set_new(f, "file_sha256", json_string(sha));
	}
	dkek_kcv_hex(kcv, k);
	if (*left == 0 && strcmp(kcv, "0000000000000000") != 0)
		json_object_set_new(f, "kcv", json_string(kcv));
	if (s->plan_share > 0)
		json_object_set_new(f, "share", json_integer(s->plan_share));
	if ((r = op_record(cx, d, who, "hsm.import-share", f, NULL)) !=
	    CUSTOS_OK)
		return r;
	op_note(cx, "imported %s: %d of %d shares in, %d outstanding", name,
	    *total - *left, *total, *left);
	return CUSTOS_OK;
}

int
op_hsm_import(struct op_ctx *cx, struct op_dev *d, struct op_share *shares,
    size_t n, const char *expect_fpr, struct op_import_result *res)
{
	const unsigned char *list[64];
	unsigned char *dkek = NULL, kcv[8];
	char name[4096], other[4096], who[256];
	json_t *fprs = NULL;
	size_t i, da = 0, db = 0, nsend = 0, done = 0;
	int r, total = 0, left = 0, skip[64];
	struct card *c;

	memset(res, 0, sizeof(*res));
	if (n == 0 || n > 64)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "give 1 to 64 shares");
	if (expect_fpr != NULL && n == 1 && strcmp(shares[0].fpr, expect_fpr)
	    != 0) {
		actor_of(&shares[0], who, sizeof(who));
		op_refused(cx, who, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "what", "share", "reason", "not the share this step "
		    "imports", "serial", op_dev_serial(d), "share_fingerprint",
		    shares[0].fpr, "expected_fingerprint", expect_fpr));
		return op_fail(cx, CUSTOS_ERR_FINGERPRINT, "this holds the share "
		    "with fingerprint %s, but share %d of this ceremony is %s: "
		    "nothing was sent", shares[0].fpr, shares[0].plan_share,
		    expect_fpr);
	}
	if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	for (i = 0; i < n; i++)
		list[i] = shares[i].value;
	r = dkek_combine(dkek, kcv, list, n, &da, &db);
	secmem_free(dkek);
	if (r == CUSTOS_ERR_DUPLICATE_SHARE || (n > 1 && r ==
	    CUSTOS_ERR_ZERO_DKEK)) {
		share_name(&shares[da], da, name, sizeof(name));
		share_name(&shares[db], db, other, sizeof(other));
		return op_fail(cx, CUSTOS_ERR_DUPLICATE_SHARE, "%s and %s hold "
		    "the same share; nothing imported", name, other);
	}
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_dkek_query(c, &total, &left, kcv)) != 0 &&
	    r != CUSTOS_ERR_NO_DKEK)
		return op_dev_err(cx, d, r, "reading its DKEK state");
	if (r == CUSTOS_ERR_NO_DKEK)
		total = left = 0;
	if ((r = recorded_shares(cx, d, total - left, &fprs)) != CUSTOS_OK)
		goto out;
	for (i = 0; i < n; i++) {
		skip[i] = fprs != NULL && in_list(fprs, shares[i].fpr);
		share_name(&shares[i], i, name, sizeof(name));
		if (skip[i] && n == 1) {
			r = already_in(cx, d, &shares[i], name);
			goto out;
		}
		if (skip[i]) {
			op_note(cx, "%s (fingerprint %s) is already in HSM %s: "
			    "not sent again", name, shares[i].fpr,
			    op_dev_label(d));
			res->skipped++;
		} else {
			nsend++;
		}
	}
	if (nsend == 0) {
		r = already_in(cx, d, &shares[0], "every share given");
		goto out;
	}
	if (total <= 0) {
		r = op_fail(cx, CUSTOS_ERR_REFUSED, "HSM %s takes no DKEK shares "
		    "(not initialized, or without a DKEK): initialize it with "
		    "custos hsm init --dkek-shares N; nothing imported",
		    op_dev_label(d));
		goto out;
	}
	if (left <= 0 || (size_t)left < nsend) {
		r = op_fail(cx, CUSTOS_ERR_REFUSED, "the device takes %d more "
		    "share%s, not %zu; nothing imported", left < 0 ? 0 : left,
		    left == 1 ? "" : "s", nsend);
		goto out;
	}
	/* The shares given are the whole DKEK: their KCV is the one due. */
	if (left == total && (size_t)total == n && res->skipped == 0) {
		if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) != NULL &&
		    dkek_combine(dkek, kcv, list, n, NULL, NULL) == 0)
			dkek_kcv_hex(res->files_kcv, kcv);
		secmem_free(dkek);
	}
	for (i = 0; i < n; i++) {
		if (skip[i])
			continue;
		share_name(&shares[i], i, name, sizeof(name));
		if ((r = import_one(cx, d, c, &shares[i], name, &total, &left,
		    done, nsend)) != CUSTOS_OK)
			goto out;
		done++;
	}
	r = CUSTOS_OK;
 out:
	res->total = total;
	res->left = left;
	res->imported = done;
	json_decref(fprs);
	return r;
}

int
op_dev_kcv(struct op_ctx *cx, struct op_dev *d, const char *who,
    char kcv[17], int *logged_in)
{
	struct card *c;
	int r;

	*logged_in = 0;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	/* an all-zero KCV is unknown until the user PIN is verified */
	if ((r = backup_device_kcv(c, kcv)) == CUSTOS_ERR_NOT_LOGGED_IN) {
		op_note(cx, "The device shows KCV 0000000000000000: unknown "
		    "until PIN login.");
		if ((r = op_dev_login(cx, d, who)) == CUSTOS_ERR_NO_TTY)
			return op_fail(cx, r, "HSM %s shows its KCV only after "
			    "user PIN login, and no PIN was given: to read it, "
			    "give --pin-file or --pin-fd (custos hsm status reads "
			    "it too)", op_dev_label(d));
		if (r != CUSTOS_OK)
			return r;
		*logged_in = 1;
		if ((r = backup_device_kcv(c, kcv)) ==
		    CUSTOS_ERR_NOT_LOGGED_IN)
			return op_fail(cx, CUSTOS_ERR_CARD, "the device still "
			    "shows no KCV; cannot confirm the DKEK");
	}
	if (r != 0 && r != CUSTOS_ERR_NO_DKEK)
		return op_dev_err(cx, d, r, "reading its DKEK");
	return r;
}

int
op_hsm_kcv(struct op_ctx *cx, struct op_dev *d, const char *want,
    const char *confirm, struct op_kcv_result *res)
{
	const char *who = op_actor(cx, "operator");
	struct ledger *l = op_ledger(cx, d);
	json_t *fprs = NULL, *f;
	struct card *c;
	uint8_t k[8];
	int r, total = 0, left = 0, known = 0;

	memset(res, 0, sizeof(*res));
	if ((r = op_dev_kcv(cx, d, who, res->kcv, &res->login)) != CUSTOS_OK &&
	    r != CUSTOS_ERR_NO_DKEK)
		return r;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	if (res->kcv[0] == '\0' || r == CUSTOS_ERR_NO_DKEK) {
		if (sc_hsm_dkek_query(c, &total, &left, k) != 0)
			total = left = -1;
		return op_fail(cx, CUSTOS_ERR_NO_DKEK, "HSM %s: its DKEK is not "
		    "complete (%d of %d shares outstanding)", op_dev_label(d),
		    left, total);
	}
	if (is_zero_dkek(res->kcv))
		return zero_dkek(cx, d);
	if (confirm != NULL)
		op_show(cx, "DKEK KCV", res->kcv);
	if (want != NULL && want[0] != '\0' && strcmp(want, res->kcv) != 0)
		return op_fail(cx, CUSTOS_ERR_DKEK_MISMATCH, "KCV MISMATCH: HSM "
		    "%s has KCV %s, expected %s: the device holds a different "
		    "DKEK; its keys could not be restored or exchanged",
		    op_dev_label(d), res->kcv, want);
	res->matched = want != NULL && want[0] != '\0';
	if (confirm != NULL && (r = op_confirm(cx, confirm, "", "the KCV was "
	    "not confirmed")) != CUSTOS_OK)
		return r;
	if (sc_hsm_dkek_query(c, &total, &left, k) != 0)
		total = 0;
	if (l != NULL)
		(void)ledger_device_shares(l, op_dev_serial(d),
		    op_dev_domain(d), &fprs, &known);
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:s, s:i, s:o}", "kcv",
		    res->kcv, "shares", total, "share_fingerprints",
		    fprs != NULL ? fprs : json_array()));
	if (f != NULL && want != NULL && want[0] != '\0')
		json_object_set_new(f, "expected_kcv", json_string(want));
	return op_record(cx, d, who, "dkek.kcv", f, NULL);
}
