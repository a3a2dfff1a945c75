/*
 * verify_pka.c - the audit rule of public key authentication
 * (verify_pka.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_pka.h"

#define DEVS 64
#define KEYS 90

struct pka_dev {
	char serial[17];
	long required;		/* 0: not known to use PKA */
	long count;		/* authenticated, as last reported */
	char keys[KEYS][17];	/* accepted in the current run */
	size_t nkeys;
};

struct pka_rules {
	struct pka_dev d[DEVS];
	size_t n;
};

/* The actions that use a key, and so need the quorum. */
static const char *const needs_quorum[] = {
	"hsm.keygen", "hsm.delete", "hsm.wrap", "hsm.unwrap",
	"hsm.sign-test", "backup.create", "backup.restore",
	"backup.import-key", "hsm.domain-create", "hsm.domain-delete",
};

struct pka_rules *
pka_rules_new(void)
{
	return calloc(1, sizeof(struct pka_rules));
}

void
pka_rules_free(struct pka_rules *r)
{
	free(r);
}

/* The device with serial (make: a new entry when there is none; NULL
   when the table is full, or, without make, when it is not known). */
static struct pka_dev *
dev_of(struct pka_rules *r, const char *serial, int make)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->d[i].serial, serial) == 0)
			return &r->d[i];
	if (!make || r->n == DEVS)
		return NULL;
	snprintf(r->d[r->n].serial, sizeof(r->d[r->n].serial), "%s", serial);
	return &r->d[r->n++];
}

static long
num(json_t *f, const char *k, long dflt)
{
	json_t *v = json_object_get(f, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

int
pka_rules_record(struct pka_rules *r, long n, const char *action,
    json_t *facts, char *why, size_t whysz)
{
	const char *serial = json_string_value(json_object_get(facts,
	    "serial"));
	const char *chr, *result;
	struct pka_dev *d;
	long count;
	size_t i;

	if (serial == NULL)
		return CUSTOS_OK;
	/* Only devices that use PKA are followed: an initialization with
	   pka_required, or a pka.* record naming its required count. */
	if ((strcmp(action, "hsm.init") == 0 && num(facts, "pka_required",
	    0) > 0) || (strncmp(action, "pka.", 4) == 0 && num(facts,
	    "required", 0) > 0)) {
		if ((d = dev_of(r, serial, 1)) == NULL) {
			snprintf(why, whysz, "record %ld: more devices with "
			    "public key authentication than this audit follows "
			    "(%d)", n, DEVS);
			return CUSTOS_ERR_CORRUPT;
		}
	} else if ((d = dev_of(r, serial, 0)) == NULL)
		return CUSTOS_OK;
	if (strcmp(action, "hsm.init") == 0) {
		d->required = num(facts, "pka_required", 0);
		d->count = 0;
		d->nkeys = 0;
		return CUSTOS_OK;
	}
	if (strncmp(action, "pka.", 4) == 0 && num(facts, "required", 0) > 0)
		d->required = num(facts, "required", 0);
	if (strcmp(action, "pka.authenticate") == 0) {
		result = json_string_value(json_object_get(facts, "result"));
		chr = json_string_value(json_object_get(facts, "key_chr"));
		if (result == NULL || strcmp(result, "accepted") != 0 ||
		    chr == NULL)
			return CUSTOS_OK;
		count = num(facts, "authenticated", -1);
		/* A new run (the device was reset) starts at 1; within a
		   run the count grows by one, and no key counts twice. */
		if (count == 1)
			d->nkeys = 0;
		else if (count != d->count + 1) {
			snprintf(why, whysz, "record %ld (pka.authenticate) "
			    "says %ld keys of device %s are authenticated, after "
			    "%ld", n, count, serial, d->count);
			return CUSTOS_ERR_CORRUPT;
		}
		for (i = 0; i < d->nkeys; i++)
			if (strcmp(d->keys[i], chr) == 0) {
				snprintf(why, whysz, "record %ld "
				    "(pka.authenticate) counts key %s of device "
				    "%s twice", n, chr, serial);
				return CUSTOS_ERR_CORRUPT;
			}
		if (d->nkeys < KEYS)
			snprintf(d->keys[d->nkeys++], 17, "%s", chr);
		d->count = count;
		return CUSTOS_OK;
	}
	if (d->required <= 0)
		return CUSTOS_OK;
	for (i = 0; i < sizeof(needs_quorum) / sizeof(needs_quorum[0]); i++)
		if (strcmp(action, needs_quorum[i]) == 0)
			break;
	/* replacing a registered key needs the quorum too */
	if (i == sizeof(needs_quorum) / sizeof(needs_quorum[0]) &&
	    !(strcmp(action, "pka.register") == 0 &&
	    json_is_true(json_object_get(facts, "replaced"))))
		return CUSTOS_OK;
	if (d->count < d->required) {
		snprintf(why, whysz, "record %ld (%s) used device %s before its "
		    "quorum: %ld of %ld keys authenticated", n, action, serial,
		    d->count, d->required);
		return CUSTOS_ERR_CORRUPT;
	}
	return CUSTOS_OK;
}
