/*
 * op_pka.c - public key authentication (op_pka.h): exporting a
 * custodian's key from their personal device, registering it on the
 * main HSM, its status, and the quorum before any key is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/cvc.h"
#include "../cards/pkafile.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_ef.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/sc_hsm_pka.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "op_dev.h"
#include "op_int.h"
#include "op_pka.h"

#define PKA_FILE_MAX ((size_t)16384)
#define CHAL_LEN 16
#define FIDS_MAX 1024
#define TURN_ABSENT 2	/* one_turn: the custodian backed out */

int
op_set_pka(struct op_ctx *cx, const char *const *specs,
    const char *const *holders, size_t n)
{
	size_t i;

	if (n > OP_PKA_MAX)
		return op_fail(cx, CUSTOS_ERR_LIMIT, "at most %d personal "
		    "devices at once", OP_PKA_MAX);
	for (i = 0; i < n; i++) {
		cx->pka_spec[i] = specs[i];
		cx->pka_holder[i] = holders != NULL ? holders[i] : NULL;
	}
	cx->npka = n;
	return CUSTOS_OK;
}

static void
fill_key(struct op_pka_key *o, const struct pka_facts *x)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->key_chr, x->key_chr, sizeof(o->key_chr));
	memcpy(o->serial, x->serial, sizeof(o->serial));
	memcpy(o->kind, x->kind, sizeof(o->kind));
	memcpy(o->root, x->root_chr, sizeof(o->root));
	if (encode_hex(o->fpr, sizeof(o->fpr), x->fpr, 32, 0) != 0)
		o->fpr[0] = '\0';
	o->emulated = x->emulated;
}

/* The one line of why a .pka does not check. */
static int
check_fail(struct op_ctx *cx, const char *path, int r)
{
	switch (r) {
	case CUSTOS_ERR_FORMAT: case CUSTOS_ERR_TRUNCATED:
		return op_fail(cx, r, "%s is not a .pka file, or it is "
		    "truncated; nothing done", path);
	case CUSTOS_ERR_NOT_FOUND:
		return op_fail(cx, r, "%s: its device certificate chain ends in "
		    "a root custos does not know (neither CardContact's nor "
		    "the emulator's); nothing done", path);
	case CUSTOS_ERR_CORRUPT:
		return op_fail(cx, r, "%s: its certificate chain does not "
		    "verify: the file was altered, or the key was not made by "
		    "the device it names; nothing done", path);
	case CUSTOS_ERR_UNSUPPORTED:
		return op_fail(cx, r, "%s: the key is not an EC key of at most "
		    "256 bits, which public key authentication needs; nothing "
		    "done", path);
	}
	return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
}

/* Reads and checks path: *buf (free()) holds it, f points into it. */
static int
read_check(struct op_ctx *cx, const char *path, unsigned char **buf,
    size_t *len, struct pkafile *f, struct pka_facts *x)
{
	int r;

	*buf = NULL;
	if ((r = atomicio_read(path, PKA_FILE_MAX, 0, buf, len)) != 0)
		return r == CUSTOS_ERR_TOO_LARGE ? op_fail(cx, r, "%s is larger "
		    "than any .pka file", path) : op_fail(cx, r, "%s: %s", path,
		    custos_strerror(r));
	if ((r = pkafile_parse(*buf, *len, f)) != 0 ||
	    (r = pkafile_verify(f, x)) != 0) {
		atomicio_free_buf(*buf, *len, 0);
		*buf = NULL;
		return check_fail(cx, path, r);
	}
	return CUSTOS_OK;
}

int
op_pka_check(struct op_ctx *cx, const char *path, struct op_pka_key *out)
{
	unsigned char *buf;
	size_t len;
	struct pkafile f;
	struct pka_facts x;
	int r;

	if ((r = read_check(cx, path, &buf, &len, &f, &x)) != CUSTOS_OK)
		return r;
	fill_key(out, &x);
	pka_facts_clear(&x);
	atomicio_free_buf(buf, len, 0);
	return CUSTOS_OK;
}

/* The facts of a key record: device d, holder, the key. */
static json_t *
key_facts(struct op_dev *d, const char *holder, const struct op_pka_key *k)
{
	json_t *f = op_dev_facts(d);

	if (f != NULL)
		json_object_update_new(f, json_pack("{s:s, s:s, s:s, s:s}",
		    "holder", holder, "key_chr", k->key_chr, "personal_serial",
		    k->serial, "pubkey_sha256", k->fpr));
	return f;
}

int
op_pka_export(struct op_ctx *cx, struct op_dev *d, int ref,
    const char *holder, const char *path, struct op_pka_key *out)
{
	const char *who = holder != NULL ? holder : op_actor(cx, "custodian");
	uint8_t *ce = NULL, *chain = NULL;
	size_t cel = 0, chl = 0;
	unsigned long long in = 0;
	struct tlv_buf b;
	struct pkafile f;
	struct pka_facts x;
	struct card *c;
	char rel[4096], sha[65];
	json_t *facts;
	int r;

	memset(&x, 0, sizeof(x));
	tlv_init(&b);
	if (ref < 1 || ref > 255)
		return op_fail(cx, CUSTOS_ERR_LIMIT, "a key reference is 1 to "
		    "255");
	if ((r = op_recordable(cx, "the holder's name", who)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_read_ef(c, (uint16_t)(0xCE00 | ref), &ce, &cel)) !=
	    0) {
		if (r == CUSTOS_ERR_NOT_FOUND)
			return op_fail(cx, r, "HSM %s has no key %d with its "
			    "request (make one: custos hsm keygen --card ... "
			    "--ref %d --type ec:brainpoolP256r1 --label pka "
			    "--unexportable); nothing written",
			    op_dev_label(d), ref, ref);
		return op_dev_err(cx, d, r, "reading the key's request");
	}
	if ((r = sc_hsm_read_ef(c, 0x2F02, &chain, &chl)) != 0) {
		r = op_dev_err(cx, d, r, "reading its device certificate");
		goto out;
	}
	if ((r = pkafile_build(ce, cel, chain, chl, &b)) != 0 ||
	    (r = pkafile_parse(b.p, b.len, &f)) != 0 ||
	    (r = pkafile_verify(&f, &x)) != 0) {
		r = r == CUSTOS_ERR_UNSUPPORTED ? op_fail(cx, r, "key %d of HSM "
		    "%s is not an EC key of at most 256 bits, which public key "
		    "authentication needs (custos hsm keygen --type "
		    "ec:brainpoolP256r1 --unexportable); nothing written", ref,
		    op_dev_label(d)) : op_fail(cx, r, "key %d of HSM %s: its "
		    "request or the device's certificate chain does not check "
		    "(%s); nothing written", ref, op_dev_label(d),
		    custos_strerror(r));
		goto out;
	}
	fill_key(out, &x);
	op_relpath(cx, path, rel, sizeof(rel));
	if ((facts = key_facts(d, who, out)) != NULL)
		json_object_update_new(facts, json_pack("{s:i, s:s}", "ref",
		    ref, "file", rel));
	if ((r = op_intent(cx, d, who, "pka.export", facts, &in)) !=
	    CUSTOS_OK)
		goto out;
	if ((r = atomicio_create(path, b.p, b.len)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		r = r == CUSTOS_ERR_EXISTS ? op_fail(cx, r, "%s exists; custos "
		    "never writes over a file", path) : op_fail(cx, r, "%s: %s",
		    path, custos_strerror(r));
		goto out;
	}
	op_file_sha256(path, sha);
	if ((facts = key_facts(d, who, out)) != NULL)
		json_object_update_new(facts, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:I}", "ref", ref, "kind", out->kind, "file", rel,
		    "file_sha256", sha, "intent", (json_int_t)in));
	r = op_record(cx, d, who, "pka.export", facts, NULL);
 out:
	pka_facts_clear(&x);
	tlv_free(&b);
	free(ce);
	free(chain);
	return r;
}

/* Reads d's status and registered keys into st. */
static int
read_state(struct op_ctx *cx, struct op_dev *d, struct card *c,
    struct op_pka_state *st)
{
	struct sc_hsm_pka_status s;
	int r, i, a;

	memset(st, 0, sizeof(*st));
	if ((r = sc_hsm_pka_status(c, &s)) != 0) {
		if (r == CUSTOS_ERR_UNSUPPORTED)
			return op_fail(cx, r, "HSM %s was not initialized with "
			    "public key authentication (custos hsm init --pka N "
			    "--pka-required M)", op_dev_label(d));
		return op_dev_err(cx, d, r, "reading its public key "
		    "authentication");
	}
	st->total = s.total;
	st->missing = s.missing;
	st->required = s.required;
	st->authenticated = s.authenticated;
	for (i = 0; i < s.total && i < OP_PKA_KEYS; i++) {
		r = sc_hsm_pka_key(c, i, st->keys[i].chr, &a);
		if (r == CUSTOS_ERR_NOT_FOUND || r == CUSTOS_ERR_UNSUPPORTED)
			continue;
		if (r != 0)
			return op_dev_err(cx, d, r, "reading its registered "
			    "keys");
		st->keys[i].authenticated = a;
	}
	return CUSTOS_OK;
}

static int
find_chr(const struct op_pka_state *st, const char *chr)
{
	int i;

	for (i = 0; i < st->total && i < OP_PKA_KEYS; i++)
		if (st->keys[i].chr[0] != '\0' &&
		    strcmp(st->keys[i].chr, chr) == 0)
			return i;
	return -1;
}

/* A refusal of a registration, recorded. */
static void
refused(struct op_ctx *cx, struct op_dev *d, const char *who,
    const char *what, const char *reason)
{
	op_refused(cx, who, json_pack("{s:s, s:s, s:s}", "what", what,
	    "reason", reason, "serial", op_dev_serial(d)));
}

int
op_pka_register(struct op_ctx *cx, struct op_dev *d, const char *path,
    const char *holder, int slot, struct op_pka_key *out,
    struct op_pka_state *st)
{
	const char *who = holder != NULL ? holder : op_actor(cx, "operator");
	unsigned char *buf = NULL;
	size_t len = 0;
	unsigned long long in = 0;
	struct sc_hsm_pka_status s;
	struct pkafile f;
	struct pka_facts x;
	struct card *c;
	char rel[4096], sha[65];
	json_t *facts;
	int r, at;

	if ((r = op_recordable(cx, "the holder's name", who)) != CUSTOS_OK ||
	    (r = read_check(cx, path, &buf, &len, &f, &x)) != CUSTOS_OK)
		return r;
	fill_key(out, &x);
	pka_facts_clear(&x);
	if (out->emulated && !op_dev_emulated(d)) {
		r = op_fail(cx, CUSTOS_ERR_REFUSED, "%s comes from an emulated "
		    "device (a rehearsal); a real HSM takes only keys of real "
		    "devices; nothing done", path);
		goto out;
	}
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = read_state(cx, d, c, st)) != CUSTOS_OK)
		goto out;
	op_note(cx, "Key %s of device %s (%s), fingerprint %.16s, for %s.",
	    out->key_chr, out->serial, out->kind, out->fpr, who);
	if ((at = find_chr(st, out->key_chr)) >= 0 && at != slot) {
		refused(cx, d, who, "pka register", "registered already");
		r = op_fail(cx, CUSTOS_ERR_EXISTS, "key %s (device %s) is "
		    "registered on HSM %s already, in slot %d; nothing done",
		    out->key_chr, out->serial, op_dev_label(d), at);
		goto out;
	}
	if (slot < 0 && st->missing == 0) {
		refused(cx, d, who, "pka register", "all keys registered");
		r = op_fail(cx, CUSTOS_ERR_CARD_FULL, "HSM %s has all %d keys "
		    "registered already; nothing done", op_dev_label(d),
		    st->total);
		goto out;
	}
	if (slot >= st->total) {
		r = op_fail(cx, CUSTOS_ERR_LIMIT, "HSM %s keeps %d keys: slots "
		    "0 to %d", op_dev_label(d), st->total, st->total - 1);
		goto out;
	}
	op_relpath(cx, path, rel, sizeof(rel));
	op_file_sha256(path, sha);
	if ((facts = key_facts(d, who, out)) != NULL)
		json_object_update_new(facts, json_pack("{s:s, s:s, s:s, s:s}",
		    "kind", out->kind, "root", out->root, "file", rel,
		    "file_sha256", sha));
	if ((r = op_intent(cx, d, who, "pka.register", facts, &in)) !=
	    CUSTOS_OK)
		goto out;
	if ((r = sc_hsm_pka_register(c, &f, slot, &s)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		switch (r) {
		case CUSTOS_ERR_EXISTS:
			r = op_fail(cx, r, "HSM %s has this key registered "
			    "already; nothing done", op_dev_label(d));
			break;
		case CUSTOS_ERR_CARD_FULL:
			r = op_fail(cx, r, "HSM %s has no free slot; nothing "
			    "done", op_dev_label(d));
			break;
		case CUSTOS_ERR_CORRUPT: case CUSTOS_ERR_NOT_FOUND:
			r = op_fail(cx, r, "HSM %s refused the key's certificate "
			    "chain or request; nothing done", op_dev_label(d));
			break;
		case CUSTOS_ERR_REFUSED:
			r = slot >= 0 ? op_fail(cx, r, "HSM %s was initialized "
			    "without replacing registered keys (--pka-replace); "
			    "nothing done", op_dev_label(d)) : op_fail(cx, r,
			    "HSM %s refused the registration (its conditions are "
			    "not met); nothing done", op_dev_label(d));
			break;
		case CUSTOS_ERR_NOT_LOGGED_IN:
			r = op_fail(cx, r, "HSM %s wants the quorum authenticated "
			    "before it %s a key (--pka-auth); nothing done",
			    op_dev_label(d), slot >= 0 ? "replaces" :
			    "registers");
			break;
		default:
			r = op_dev_err(cx, d, r, "registering the key");
		}
		goto out;
	}
	if ((r = read_state(cx, d, c, st)) != CUSTOS_OK)
		goto out;
	at = find_chr(st, out->key_chr);
	if ((facts = key_facts(d, who, out)) != NULL) {
		json_object_update_new(facts, json_pack("{s:s, s:s, s:i, s:i, "
		    "s:i, s:i, s:s, s:s, s:I}", "kind", out->kind, "root",
		    out->root, "slot", at, "registered", st->total -
		    st->missing, "total", st->total, "required", st->required,
		    "file", rel, "file_sha256", sha, "intent", (json_int_t)in));
		if (slot >= 0)
			json_object_set_new(facts, "replaced", json_true());
	}
	r = op_record(cx, d, who, "pka.register", facts, NULL);
 out:
	atomicio_free_buf(buf, len, 0);
	return r;
}

int
op_pka_status(struct op_ctx *cx, struct op_dev *d, struct op_pka_state *st)
{
	struct card *c;
	json_t *f, *a;
	int r, i;

	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = read_state(cx, d, c, st)) != CUSTOS_OK)
		return r;
	if ((a = json_array()) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	for (i = 0; i < st->total && i < OP_PKA_KEYS; i++)
		if (st->keys[i].chr[0] != '\0')
			json_array_append_new(a, json_pack("{s:i, s:s, s:b}",
			    "slot", i, "key_chr", st->keys[i].chr,
			    "authenticated", st->keys[i].authenticated));
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:i, s:i, s:i, s:o}",
		    "total", st->total, "required", st->required, "registered",
		    st->total - st->missing, "authenticated", st->authenticated,
		    "keys", a));
	else
		json_decref(a);
	return op_record(cx, d, op_actor(cx, "operator"), "pka.status", f,
	    NULL);
}

/* Records one attempt on d: accepted (reason NULL) or refused. */
static int
attempt(struct op_ctx *cx, struct op_dev *d, const char *who,
    const char *chr, const char *pserial, const char *reason,
    const struct op_pka_state *st)
{
	json_t *f = op_dev_facts(d);

	if (f != NULL) {
		json_object_update_new(f, json_pack("{s:s, s:s, s:s, s:s, s:i, "
		    "s:i}", "holder", who, "key_chr", chr, "personal_serial",
		    pserial, "result", reason == NULL ? "accepted" : "refused",
		    "authenticated", st->authenticated, "required",
		    st->required));
		if (reason != NULL)
			json_object_set_new(f, "reason", json_string(reason));
	}
	return op_record(cx, d, who, "pka.authenticate", f, NULL);
}

#define CAND_MAX 8

/* The keys on personal device p whose request's holder reference is
   registered on the main HSM (st): refs[] and chrs[], *n of them (a
   device may hold several keys of the same holder reference). */
static int
personal_keys(struct card *p, const struct op_pka_state *st, int *refs,
    char chrs[][17], size_t *n)
{
	uint16_t fids[FIDS_MAX];
	uint8_t *d = NULL;
	size_t nf = 0, i, dl = 0;
	struct cvc cv;
	int r;

	*n = 0;
	if ((r = sc_hsm_enumerate(p, fids, FIDS_MAX, &nf)) != 0)
		return r;
	for (i = 0; i < nf && *n < CAND_MAX; i++) {
		if ((fids[i] >> 8) != 0xCE)
			continue;
		if ((r = sc_hsm_read_ef(p, fids[i], &d, &dl)) != 0)
			return r;
		r = cvc_parse(d, dl, &cv);
		if (r == 0 && find_chr(st, cv.chr) >= 0) {
			memcpy(chrs[*n], cv.chr, 17);
			refs[(*n)++] = fids[i] & 0xff;
		}
		free(d);
		d = NULL;
	}
	return *n > 0 ? 0 : CUSTOS_ERR_NOT_FOUND;
}

/* A failure on a custodian's personal device: which, whose, and the
   count so far, before the reason. */
static int
personal_fail(struct op_ctx *cx, int r, const char *pserial,
    const char *who, const struct op_pka_state *st)
{
	char line[512];

	snprintf(line, sizeof(line), "%s", op_why(cx));
	if (r == CUSTOS_ERR_CARD_REMOVED)
		snprintf(line, sizeof(line), "it was removed before it "
		    "answered (put it back and take the step again)");
	return op_fail(cx, r, "personal device %s of %s: %s; %d of %d "
	    "authenticated", pserial, who, line, st->authenticated,
	    st->required);
}

/* One custodian's turn: personal device i answers d's challenge. */
static int
one_turn(struct op_ctx *cx, struct op_dev *d, struct card *c, size_t i,
    const char *main_chr, struct op_pka_state *st, char used[][17],
    size_t *nused)
{
	const char *spec = cx->pka_spec[i];
	char who[96], why[256], chr[17] = "", pserial[17];
	uint8_t chal[CHAL_LEN], sig[132];
	char chrs[CAND_MAX][17];
	int refs[CAND_MAX];
	size_t sl = 0, k, nc = 0;
	struct op_dev *p = NULL;
	struct card *pc;
	int r;

	snprintf(who, sizeof(who), "%s", cx->pka_holder[i] != NULL &&
	    cx->pka_holder[i][0] != '\0' ? cx->pka_holder[i] : "custodian");
	snprintf(why, sizeof(why), "Insert your personal device and type its "
	    "PIN: HSM %s needs %d of %d keys, %d authenticated.",
	    op_dev_label(d), st->required, st->total, st->authenticated);
	if (cx->io->handover != NULL && (r = cx->io->handover(cx->io->arg,
	    who, why, OP_HANDOVER_MEMBER)) != 0) {
		if (r != CUSTOS_ERR_CANCELLED)
			return r;
		op_note(cx, "%s is not here: the next custodian is asked.", who);
		return TURN_ABSENT;
	}
	if ((r = strncmp(spec, "serial:", 7) == 0 ? op_dev_find(cx, spec + 7,
	    NULL, &p) : op_dev_open(cx, spec, NULL, NULL, &p)) != CUSTOS_OK)
		return r;
	snprintf(pserial, sizeof(pserial), "%s", op_dev_serial(p));
	if (strcmp(pserial, op_dev_serial(d)) == 0) {
		op_dev_drop(cx, p);
		return op_fail(cx, CUSTOS_ERR_REFUSED, "%s is HSM %s itself, "
		    "not a personal device", spec, op_dev_label(d));
	}
	for (k = 0; k < *nused; k++)
		if (strcmp(used[k], pserial) == 0) {
			(void)attempt(cx, d, who, "", pserial, "the same device "
			    "twice", st);
			op_dev_drop(cx, p);
			return op_fail(cx, CUSTOS_ERR_DUPLICATE_SHARE, "device %s "
			    "has answered already: each custodian authenticates "
			    "with their own device; %d of %d authenticated",
			    pserial, st->authenticated, st->required);
		}
	if ((r = op_dev_card(cx, p, &pc)) != CUSTOS_OK)
		goto out;
	if ((r = personal_keys(pc, st, refs, chrs, &nc)) != 0) {
		if (r != CUSTOS_ERR_NOT_FOUND) {
			(void)op_dev_err(cx, p, r, "reading its keys");
			r = personal_fail(cx, r, pserial, who, st);
			goto out;
		}
		/* recorded, and the next custodian is asked (another HSM of
		   the same command may have it registered) */
		(void)attempt(cx, d, who, "", pserial, "no key registered on "
		    "this HSM", st);
		op_note(cx, "%s's device %s holds no key registered on HSM %s: "
		    "the next custodian is asked.", who, pserial,
		    op_dev_label(d));
		r = TURN_ABSENT;
		goto out;
	}
	/* Each of its keys with a registered holder reference in turn,
	   each on a challenge of its own, until the HSM takes one. */
	for (k = 0; k < nc; k++) {
		memcpy(chr, chrs[k], sizeof(chr));
		if ((r = sc_hsm_pka_challenge(c, chr, chal, sizeof(chal))) !=
		    0) {
			if (r != CUSTOS_ERR_EXISTS) {
				r = op_dev_err(cx, d, r, "asking for a "
				    "challenge");
				goto out;
			}
			/* authenticated before, in this connection: it
			   counts already; the next custodian is asked */
			op_note(cx, "The key of %s's device %s is authenticated "
			    "already: %d of %d.", who, pserial,
			    st->authenticated, st->required);
			snprintf(used[(*nused)++], 17, "%s", pserial);
			r = TURN_ABSENT;
			goto out;
		}
		if (k == 0) {
			snprintf(why, sizeof(why), "PIN of %s's personal device "
			    "%s", who, pserial);
			op_dev_set_pin_label(p, why);
			if ((r = op_dev_login(cx, p, who)) != CUSTOS_OK) {
				r = personal_fail(cx, r, pserial, who, st);
				goto out;
			}
		}
		if ((r = sc_hsm_pka_sign(pc, refs[k], main_chr, chal,
		    sizeof(chal), sig, sizeof(sig), &sl)) != 0) {
			(void)op_dev_err(cx, p, r, "signing the challenge");
			r = personal_fail(cx, r, pserial, who, st);
			goto out;
		}
		if ((r = sc_hsm_pka_answer(c, sig, sl)) == 0)
			break;
		if (r != CUSTOS_ERR_REFUSED) {
			r = op_dev_err(cx, d, r, "authenticating");
			goto out;
		}
		if (k + 1 < nc)
			continue;	/* another key of the same reference */
		(void)attempt(cx, d, who, chr, pserial, "the HSM did not take "
		    "the signature", st);
		r = op_fail(cx, r, "HSM %s did not take the answer of device "
		    "%s: none of its keys is the one registered as %s (or the "
		    "signature was forged or replayed); %d of %d authenticated",
		    op_dev_label(d), pserial, chr, st->authenticated,
		    st->required);
		goto out;
	}
	if ((r = read_state(cx, d, c, st)) != CUSTOS_OK)
		goto out;
	snprintf(used[(*nused)++], 17, "%s", pserial);
	op_note(cx, "%s authenticated with device %s: %d of %d.", who,
	    pserial, st->authenticated, st->required);
	r = attempt(cx, d, who, chr, pserial, NULL, st);
 out:
	op_dev_drop(cx, p);
	return r;
}

int
op_pka_authenticate(struct op_ctx *cx, struct op_dev *d,
    struct op_pka_state *st)
{
	char main_chr[17], used[OP_PKA_MAX][17];
	size_t i, nused = 0;
	struct card *c;
	int r;

	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = read_state(cx, d, c, st)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_device_chr(c, main_chr)) != 0)
		return op_dev_err(cx, d, r, "reading its device certificate");
	for (i = 0; i < cx->npka && st->authenticated < st->required; i++)
		if ((r = one_turn(cx, d, c, i, main_chr, st, used, &nused)) !=
		    CUSTOS_OK && r != TURN_ABSENT)
			return r;
	if (st->authenticated < st->required)
		return op_fail(cx, CUSTOS_ERR_NOT_LOGGED_IN, "HSM %s needs %d of "
		    "its %d keys authenticated; %d %s (name the custodians' "
		    "personal devices: --pka-auth)", op_dev_label(d),
		    st->required, st->total, st->authenticated,
		    st->authenticated == 1 ? "is" : "are");
	return CUSTOS_OK;
}

int
op_pka_login(struct op_ctx *cx, struct op_dev *d, const char *who)
{
	struct sc_hsm_pka_status s;
	struct op_pka_state st;
	struct card *c;
	int r;

	(void)who;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	r = sc_hsm_pka_status(c, &s);
	if (r == CUSTOS_ERR_UNSUPPORTED || (r == 0 && s.total == 0))
		return 0;	/* no public key authentication: the PIN */
	if (r != 0)
		return op_dev_err(cx, d, r, "reading its state");
	if (s.authenticated >= s.required)
		return 1;
	if ((r = op_pka_authenticate(cx, d, &st)) != CUSTOS_OK)
		return r;
	return 1;
}

int
op_pka_reconcile(struct op_ctx *cx, struct op_dev *d, json_t *in,
    json_t **done)
{
	json_t *f = json_object_get(in, "facts"), *o;
	const char *chr = json_string_value(json_object_get(f, "key_chr"));
	struct op_pka_state st;
	struct card *c;
	int r, at;

	*done = NULL;
	if (chr == NULL)
		return CUSTOS_OK;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = read_state(cx, d, c, &st)) != CUSTOS_OK)
		return r;
	if ((at = find_chr(&st, chr)) < 0)
		return CUSTOS_OK;
	if ((o = op_dev_facts(d)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_update_new(o, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, "
	    "s:O, s:O, s:i, s:i, s:i, s:i}", "holder", json_object_get(f,
	    "holder"), "key_chr", json_object_get(f, "key_chr"),
	    "personal_serial", json_object_get(f, "personal_serial"),
	    "pubkey_sha256", json_object_get(f, "pubkey_sha256"), "kind",
	    json_object_get(f, "kind"), "root", json_object_get(f, "root"),
	    "file", json_object_get(f, "file"), "file_sha256",
	    json_object_get(f, "file_sha256"), "slot", at, "registered",
	    st.total - st.missing, "total", st.total, "required",
	    st.required));
	*done = o;
	return CUSTOS_OK;
}

int
op_pka_registered(struct op_ctx *cx, struct op_dev *d, const char *path,
    struct op_pka_key *k, int *yes)
{
	struct op_pka_state st;
	struct card *c;
	int r;

	*yes = 0;
	if ((r = op_pka_check(cx, path, k)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = read_state(cx, d, c, &st)) != CUSTOS_OK)
		return r;
	*yes = find_chr(&st, k->key_chr) >= 0;
	return CUSTOS_OK;
}
