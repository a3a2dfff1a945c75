/*
 * op_domain.c - key domains (several DKEKs on one device; docs/emulator.md,
 * "Key domains"): list a device's domains, create one, delete an empty
 * one. Each records its step; creating and deleting record their intent
 * first, and a cut is settled from the device's answer
 * (op_reconcile.c). Shares go into a domain with op_hsm_import() on a
 * device set to it (op_dev_set_domain()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "dkek.h"
#include "op_dev.h"
#include "op_hsm.h"
#include "op_int.h"

/* The facts of a step on domain dom of d. */
static json_t *
domain_facts(struct op_dev *d, int dom)
{
	json_t *f = op_dev_facts(d);

	if (f != NULL)
		json_object_set_new(f, "domain", json_integer(dom));
	return f;
}

static void
fill(struct op_domain *o, int dom, int total, int left, const uint8_t k[8])
{
	static const uint8_t zero[8];

	o->domain = dom;
	o->shares = total;
	o->left = left;
	o->kcv[0] = '\0';
	if (total > 0 && left == 0 && memcmp(k, zero, 8) != 0)
		dkek_kcv_hex(o->kcv, k);
}

/* Reads d's domains in use into out (and a as recorded); *hidden: a
   complete one shows no KCV (a device that shows it after login). */
static int
read_domains(struct op_ctx *cx, struct op_dev *d, struct card *c,
    struct op_domain *out, size_t max, size_t *n, int slots, json_t *a,
    int *hidden)
{
	uint8_t k[8];
	int r, dom, total, left;

	*n = 0;
	*hidden = 0;
	json_array_clear(a);
	for (dom = 0; dom < slots && *n < max; dom++) {
		r = sc_hsm_kd_query(c, dom, &total, &left, k);
		if (r == CUSTOS_ERR_NOT_FOUND)
			continue;
		if (r != 0)
			return op_dev_err(cx, d, r, "reading a key domain");
		fill(&out[*n], dom, total, left, k);
		if (total > 0 && left == 0 && out[*n].kcv[0] == '\0')
			*hidden = 1;
		json_array_append_new(a, json_pack("{s:i, s:i, s:i, s:o}",
		    "domain", dom, "shares", total, "left", left, "kcv",
		    out[*n].kcv[0] ? json_string(out[*n].kcv) : json_null()));
		(*n)++;
	}
	return CUSTOS_OK;
}

int
op_hsm_domains(struct op_ctx *cx, struct op_dev *d, int login,
    struct op_domain *out, size_t max, size_t *n, int *slots)
{
	struct card *c;
	json_t *f, *a;
	int r, hidden = 0;

	*n = 0;
	*slots = 0;
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_kd_slots(c, slots)) != 0)
		return op_dev_err(cx, d, r, "reading its key domains");
	if ((a = json_array()) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if ((r = read_domains(cx, d, c, out, max, n, *slots, a, &hidden)) ==
	    CUSTOS_OK && hidden && login &&
	    (r = op_dev_login(cx, d, op_actor(cx, "operator"))) == CUSTOS_OK)
		r = read_domains(cx, d, c, out, max, n, *slots, a, &hidden);
	if (r != CUSTOS_OK) {
		json_decref(a);
		return r;
	}
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:o}", "slots",
		    *slots, "domains", a));
	else
		json_decref(a);
	return op_record(cx, d, op_actor(cx, "operator"), "hsm.domains", f,
	    NULL);
}

/* Domain dom's state: 0 in use, CUSTOS_ERR_NOT_FOUND an empty slot, or
   the one line of why it cannot be used (no such slot). */
static int
domain_state(struct op_ctx *cx, struct op_dev *d, struct card *c, int dom,
    struct op_domain *o)
{
	uint8_t k[8];
	int r, total = 0, left = 0, slots = 0;

	r = sc_hsm_kd_query(c, dom, &total, &left, k);
	if (r == 0) {
		fill(o, dom, total, left, k);
		return 0;
	}
	if (r == CUSTOS_ERR_NOT_FOUND)
		return r;
	if (r == CUSTOS_ERR_LIMIT) {
		if (sc_hsm_kd_slots(c, &slots) != 0)
			slots = 0;
		if (slots <= 1)
			return op_fail(cx, CUSTOS_ERR_LIMIT, "HSM %s has no key "
			    "domain %d: it was initialized without key domain "
			    "slots (custos hsm init --key-domains K)",
			    op_dev_label(d), dom);
		return op_fail(cx, CUSTOS_ERR_LIMIT, "HSM %s has no key domain "
		    "%d: its slots are 0 to %d", op_dev_label(d), dom,
		    slots - 1);
	}
	return op_dev_err(cx, d, r, "reading its key domains");
}

int
op_hsm_domain_create(struct op_ctx *cx, struct op_dev *d, int dom,
    int shares, struct op_domain *out)
{
	const char *who = op_actor(cx, "operator");
	unsigned long long in = 0;
	struct card *c;
	uint8_t k[8];
	json_t *f;
	int r, total = 0, left = 0;

	if (dom < 0 || dom >= SC_HSM_KD_MAX)
		return op_fail(cx, CUSTOS_ERR_LIMIT, "a key domain is 0 to %d",
		    SC_HSM_KD_MAX - 1);
	if (shares < 1 || shares > 255)
		return op_fail(cx, CUSTOS_ERR_LIMIT, "a key domain's DKEK is 1 "
		    "to 255 shares");
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		return r;
	if ((r = domain_state(cx, d, c, dom, out)) == 0) {
		int slots = 0;

		/* a device without slots: its DKEK is domain 0 */
		if (sc_hsm_kd_slots(c, &slots) == 0 && slots <= 1)
			return op_fail(cx, CUSTOS_ERR_LIMIT, "HSM %s has one "
			    "key domain, 0, and it is in use (a device "
			    "initialized without key domain slots keeps its DKEK "
			    "there; more: custos hsm init --key-domains K); "
			    "nothing done", op_dev_label(d));
		return op_fail(cx, CUSTOS_ERR_EXISTS, "key domain %d of HSM %s "
		    "exists already (%d share%s, %d to import); nothing done",
		    dom, op_dev_label(d), out->shares, out->shares == 1 ? "" :
		    "s", out->left);
	}
	if (r != CUSTOS_ERR_NOT_FOUND)
		return r;
	if ((f = domain_facts(d, dom)) != NULL)
		json_object_set_new(f, "shares", json_integer(shares));
	if ((r = op_intent(cx, d, who, "hsm.domain-create", f, &in)) !=
	    CUSTOS_OK)
		return r;
	if ((r = sc_hsm_kd_create(c, dom, shares, &total, &left, k)) != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		return op_dev_err(cx, d, r, "creating the key domain");
	}
	fill(out, dom, total, left, k);
	if ((f = domain_facts(d, dom)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:I}", "shares",
		    total, "intent", (json_int_t)in));
	return op_record(cx, d, who, "hsm.domain-create", f, NULL);
}

int
op_hsm_domain_delete(struct op_ctx *cx, struct op_dev *d, int dom)
{
	const char *who = op_actor(cx, "operator");
	unsigned long long in = 0;
	struct op_domain o;
	struct card *c;
	char cons[200];
	json_t *f;
	int r;

	if (dom < 0 || dom >= SC_HSM_KD_MAX)
		return op_fail(cx, CUSTOS_ERR_LIMIT, "a key domain is 0 to %d",
		    SC_HSM_KD_MAX - 1);
	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		return r;
	if ((r = domain_state(cx, d, c, dom, &o)) == CUSTOS_ERR_NOT_FOUND)
		return op_fail(cx, r, "HSM %s has no key domain %d: its slot is "
		    "empty; nothing done", op_dev_label(d), dom);
	if (r != 0)
		return r;
	snprintf(cons, sizeof(cons), "This DELETES key domain %d of HSM %s "
	    "(KCV %s): its DKEK is gone from the device.", dom,
	    op_dev_label(d), o.kcv[0] ? o.kcv : "not complete");
	if ((r = op_confirm(cx, cons, "DELETE", "not confirmed: the key domain "
	    "was not deleted")) != CUSTOS_OK)
		return r;
	if ((r = op_intent(cx, d, who, "hsm.domain-delete", domain_facts(d,
	    dom), &in)) != CUSTOS_OK)
		return r;
	if ((r = sc_hsm_kd_delete(c, dom)) != 0) {
		op_intent_abort(cx, d, who, in, r == CUSTOS_ERR_EXISTS ? "the "
		    "key domain holds keys" : custos_strerror(r), NULL);
		if (r == CUSTOS_ERR_EXISTS)
			return op_fail(cx, r, "key domain %d of HSM %s still holds "
			    "keys: the device keeps a domain until they are "
			    "deleted (custos hsm delete); nothing done", dom,
			    op_dev_label(d));
		return op_dev_err(cx, d, r, "deleting the key domain");
	}
	if ((f = domain_facts(d, dom)) != NULL)
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	return op_record(cx, d, who, "hsm.domain-delete", f, NULL);
}
