/* verify_keys.c - the one-DKEK-per-key-domain and restore-proof audit
   rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_keys.h"

/* A key restored onto a device, and whether it was ever proven there. */
struct attempt {
	char serial[17];
	char pubkey[65];
	int ref;
	long last_failed;	/* record of the last failed attempt, or -1 */
	int proven;
};

/* The ceremony's DKEK of one key domain ("" until recorded); records
   that name no domain (the device's DKEK, as before key domains) are a
   group of their own, the last. */
struct dkek_seen {
	char kcv[17];
	long record;
};

struct key_rules {
	struct dkek_seen dom[257];
	struct attempt *a;
	size_t n, cap;
};

struct key_rules *
key_rules_new(void)
{
	struct key_rules *r = calloc(1, sizeof(*r));
	size_t i;

	for (i = 0; r != NULL && i < 257; i++)
		r->dom[i].record = -1;
	return r;
}

void
key_rules_free(struct key_rules *r)
{
	if (r == NULL)
		return;
	free(r->a);
	free(r);
}

static const char *
str(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The records whose "kcv" fact is the ceremony's DKEK. */
static int
carries_dkek(const char *action, json_t *facts)
{
	static const char *const acts[] = {
		"dkek.kcv", "backup.create", "backup.verify", "backup.restore",
		"backup.import-key", "backup.export-key", "hsm.wrap",
		"hsm.unwrap", "hsm.import-share",
	};
	const char *op;
	size_t i;

	if (strcmp(action, "intent.void") == 0)
		return (op = str(facts, "op")) != NULL &&
		    strcmp(op, "hsm.unwrap") == 0;
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(action, acts[i]) == 0)
			return 1;
	return 0;
}

static int
attempt(struct key_rules *r, long n, const char *serial, const char *pub,
    int ref, int proven)
{
	struct attempt *a = NULL;
	size_t i;

	if (serial == NULL || pub == NULL)
		return 0;
	for (i = 0; i < r->n; i++)
		if (strcmp(r->a[i].serial, serial) == 0 &&
		    strcmp(r->a[i].pubkey, pub) == 0)
			a = &r->a[i];
	if (a == NULL) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 16;
			struct attempt *na = realloc(r->a, cap * sizeof(*na));

			if (na == NULL)
				return CUSTOS_ERR_NOMEM;
			r->a = na;
			r->cap = cap;
		}
		a = &r->a[r->n++];
		memset(a, 0, sizeof(*a));
		snprintf(a->serial, sizeof(a->serial), "%s", serial);
		snprintf(a->pubkey, sizeof(a->pubkey), "%s", pub);
		a->last_failed = -1;
	}
	a->ref = ref;
	if (proven)
		a->proven = 1;
	else
		a->last_failed = n;
	return 0;
}

int
key_rules_record(struct key_rules *r, long n, const char *action,
    json_t *facts, char *why, size_t whysz)
{
	const char *kcv = str(facts, "kcv"), *serial = str(facts, "serial");
	json_t *res, *o;
	size_t i;
	int e;

	if (kcv != NULL && carries_dkek(action, facts)) {
		json_t *dv = json_object_get(facts, "domain");
		long dom = json_is_integer(dv) ? (long)json_integer_value(dv) :
		    256;
		struct dkek_seen *d = &r->dom[dom >= 0 && dom < 256 ? dom : 256];

		if (d->kcv[0] == '\0') {
			snprintf(d->kcv, sizeof(d->kcv), "%s", kcv);
			d->record = n;
		} else if (strcmp(kcv, d->kcv) != 0) {
			if (json_is_integer(dv))
				snprintf(why, whysz, "record %ld (%s) is under "
				    "DKEK KCV %s, but the ceremony's DKEK of key "
				    "domain %ld is %s (record %ld)", n, action,
				    kcv, dom, d->kcv, d->record);
			else
				snprintf(why, whysz, "record %ld (%s) is under "
				    "DKEK KCV %s, but the ceremony's DKEK is %s "
				    "(record %ld)", n, action, kcv, d->kcv,
				    d->record);
			return CUSTOS_ERR_CORRUPT;
		}
	}
	if (strcmp(action, "backup.restore") == 0 &&
	    json_is_array(res = json_object_get(facts, "results"))) {
		json_array_foreach(res, i, o) {
			if ((e = attempt(r, n, serial, str(o, "pubkey_sha256"),
			    (int)json_integer_value(json_object_get(o,
			    "dest_ref")), json_is_true(json_object_get(o,
			    "proven")))) != 0)
				return e;
		}
	} else if (strcmp(action, "hsm.unwrap") == 0 ||
	    (strcmp(action, "intent") == 0 && str(facts, "op") != NULL &&
	    strcmp(str(facts, "op"), "hsm.unwrap") == 0)) {
		/* every unwrap begins with its intent: an attempt, proven
		   only by an hsm.unwrap record with its proof */
		if ((e = attempt(r, n, serial, str(facts, "pubkey_sha256"),
		    (int)json_integer_value(json_object_get(facts, "ref")),
		    strcmp(action, "hsm.unwrap") == 0 &&
		    json_is_true(json_object_get(facts, "proof")))) != 0)
			return e;
	}
	return 0;
}

int
key_rules_finish(struct key_rules *r, long *bad, char *why, size_t whysz)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->a[i].proven)
			continue;
		*bad = r->a[i].last_failed;
		snprintf(why, whysz, "record %ld: the key with public key "
		    "%.16s... was restored onto device %s (reference %d) "
		    "without a successful proof, and never proven there "
		    "later", r->a[i].last_failed, r->a[i].pubkey,
		    r->a[i].serial, r->a[i].ref);
		return CUSTOS_ERR_CORRUPT;
	}
	return 0;
}
