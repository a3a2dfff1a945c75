/*
 * op_dev.c - opening a SmartCard-HSM for the engine, its PIN, its facts
 * and its errors (op_dev.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/pcsc.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../common/secmem.h"
#include "ceremony.h"
#include "op_dev.h"
#include "op_int.h"
#include "op_pka.h"

struct op_dev {
	struct card *card;
	char spec[300];		/* how to open it again; "" by serial */
	char serial[17];	/* "unknown" when it could not be read */
	char reader[256];
	int emulated;
	char name[33];		/* its name in the plan, or "" */
	char stands_in_for[17];	/* a rehearsal: the planned serial */
	char *pin;		/* guarded, once given */
	size_t pinlen;
	struct ledger *journal;	/* outside a ceremony */
	int checked;		/* the open card is known to be this one */
	int domain;		/* the key domain it works in; -1 none named */
	char pin_label[96];	/* the PIN prompt's name for it, or "" */
};

void
op_dev_free(struct op_dev *d)
{
	if (d == NULL)
		return;
	card_close(d->card);
	secmem_free(d->pin);
	ledger_free(d->journal);
	free(d);
}

void
op_dev_drop(struct op_ctx *cx, struct op_dev *d)
{
	size_t i;

	for (i = 0; i < OP_MAX_DEVS; i++)
		if (cx->devs[i] == d)
			cx->devs[i] = NULL;
	op_dev_free(d);
}

void
op_dev_release(struct op_dev *d)
{
	card_close(d->card);
	d->card = NULL;
	d->checked = 0;
}

const char *
op_dev_serial(const struct op_dev *d)
{
	return d->serial;
}

const char *
op_dev_reader(const struct op_dev *d)
{
	return d->reader;
}

int
op_dev_emulated(const struct op_dev *d)
{
	return d->emulated;
}

const char *
op_dev_label(const struct op_dev *d)
{
	return d->name[0] != '\0' ? d->name : d->serial;
}

struct ledger *
op_dev_journal(struct op_dev *d)
{
	return d->journal;
}

json_t *
op_dev_facts(const struct op_dev *d)
{
	json_t *f = json_pack("{s:s, s:s, s:b}", "serial", d->serial,
	    "reader", d->reader, "emulated", d->emulated);

	if (f != NULL && d->name[0] != '\0')
		json_object_set_new(f, "hsm", json_string(d->name));
	if (f != NULL && d->stands_in_for[0] != '\0')
		json_object_set_new(f, "stands_in_for",
		    json_string(d->stands_in_for));
	if (f != NULL && d->domain >= 0)
		json_object_set_new(f, "domain", json_integer(d->domain));
	return f;
}

int
op_dev_err(struct op_ctx *cx, struct op_dev *d, int r, const char *what)
{
	if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NO_CARD ||
	    r == CUSTOS_ERR_PCSC || r == CUSTOS_ERR_NO_READER)
		op_dev_release(d);
	if (d->domain >= 0 && (r == CUSTOS_ERR_NOT_FOUND ||
	    r == CUSTOS_ERR_LIMIT))
		return op_fail(cx, r, "HSM %s has no key domain %d (%s)",
		    op_dev_label(d), d->domain, r == CUSTOS_ERR_NOT_FOUND ?
		    "its slot is empty: custos hsm domain create" : "the device "
		    "has no such slot");
	if (d->name[0] == '\0')
		return op_fail(cx, r, "%s", custos_strerror(r));
	return op_fail(cx, r, "HSM %s: %s: %s", d->name, what,
	    r == CUSTOS_ERR_CARD_REMOVED ? "the card was removed (put it "
	    "back and take the step again)" : custos_strerror(r));
}

/* Adds d to cx (freed with it). */
static int
adopt(struct op_ctx *cx, struct op_dev *d)
{
	size_t i;

	for (i = 0; i < OP_MAX_DEVS; i++)
		if (cx->devs[i] == NULL) {
			cx->devs[i] = d;
			return CUSTOS_OK;
		}
	return op_fail(cx, CUSTOS_ERR_LIMIT, "too many devices at once");
}

/* Reads what identifies the open card: serial, reader, emulated. */
static void
identify(struct op_dev *d)
{
	char serial[17];

	snprintf(d->reader, sizeof(d->reader), "%s", card_reader(d->card));
	d->emulated = card_is_emulated(d->card);
	snprintf(d->serial, sizeof(d->serial), "unknown");
	/* The emulator served to pcscd is known by its device certificate
	 * (holder ZZEMU...), as no real device is. */
	if (sc_hsm_select(d->card, NULL, NULL) == 0 &&
	    sc_hsm_serial(d->card, serial) == 0) {
		snprintf(d->serial, sizeof(d->serial), "%s", serial);
		d->emulated = sc_hsm_is_emulator(d->card, serial);
	}
	d->checked = 1;
}

/* Refuses an emulated device in a real ceremony; opens the journal
   outside a ceremony; reconciles what a cut left open. */
static int
settle(struct op_ctx *cx, struct op_dev *d)
{
	int r;

	if (d->emulated && cx->cer != NULL && !ceremony_is_rehearsal(cx->cer)) {
		if (d->name[0] != '\0')
			return op_fail(cx, CUSTOS_ERR_REFUSED, "HSM %s is an "
			    "emulated device and this ceremony is not a "
			    "rehearsal", d->name);
		return op_fail(cx, CUSTOS_ERR_REFUSED, "this ceremony is not a "
		    "rehearsal; refusing the emulated device");
	}
	if (cx->cer == NULL && strcmp(d->serial, "unknown") != 0 &&
	    (r = ledger_open_journal(&d->journal, d->serial, d->emulated)) !=
	    CUSTOS_OK) {
		d->journal = NULL;
		op_warn(cx, "no journal for device %s (%s): a step cut short "
		    "on it cannot be reconciled later", d->serial,
		    custos_strerror(r));
	}
	return op_reconcile_device(cx, d);
}

int
op_dev_open(struct op_ctx *cx, const char *spec, const char *name,
    const char *stands_in_for, struct op_dev **out)
{
	struct op_dev *d;
	int r;

	*out = NULL;
	if (spec == NULL && cx->cer != NULL && ceremony_is_rehearsal(cx->cer))
		spec = "emu:primary";
	if ((d = calloc(1, sizeof(*d))) != NULL)
		d->domain = -1;
	if (d == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	snprintf(d->spec, sizeof(d->spec), "%s", spec != NULL ? spec : "");
	snprintf(d->name, sizeof(d->name), "%s", name != NULL ? name : "");
	snprintf(d->stands_in_for, sizeof(d->stands_in_for), "%s",
	    stands_in_for != NULL ? stands_in_for : "");
	r = card_open(spec, &d->card);
	if (r == CUSTOS_ERR_INVALID_ARG) {
		op_dev_free(d);
		return op_fail(cx, r, "--card is pcsc, pcsc:READER or emu:NAME "
		    "(try --help)");
	}
	if (r == CUSTOS_ERR_BUSY) {
		op_dev_free(d);
		if (name != NULL)
			return op_fail(cx, r, "HSM %s: the device is in use (by "
			    "another program, or named twice)", name);
		return op_fail(cx, r, "card %s: the device is in use (by another "
		    "program, or named twice)", spec != NULL ? spec : "pcsc");
	}
	if (r != 0) {
		op_dev_free(d);
		if (name != NULL)
			return op_fail(cx, r, "HSM %s: opening the emulated "
			    "device: %s", name, custos_strerror(r));
		return op_fail(cx, r, "card%s%s: %s", spec ? " " : "",
		    spec ? spec : "", custos_strerror(r));
	}
	identify(d);
	if ((r = adopt(cx, d)) != CUSTOS_OK) {
		op_dev_free(d);
		return r;
	}
	*out = d;
	return settle(cx, d);
}

int
op_dev_find(struct op_ctx *cx, const char *serial, const char *name,
    struct op_dev **out)
{
	struct pcsc_reader rd[16];
	struct op_dev *d;
	char spec[sizeof(rd[0].name) + 8];
	size_t n = 0, i;
	int r;

	*out = NULL;
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return op_fail(cx, r, "%s %s: listing readers: %s", name ?
		    "HSM" : "device", name ? name : serial, custos_strerror(r));
	if ((d = calloc(1, sizeof(*d))) != NULL)
		d->domain = -1;
	if (d == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
	for (i = 0; i < n && d->card == NULL; i++) {
		if (!rd[i].card_present || snprintf(spec, sizeof(spec),
		    "pcsc:%s", rd[i].name) >= (int)sizeof(spec) ||
		    card_open(spec, &d->card) != 0)
			continue;
		identify(d);
		if (strcmp(d->serial, serial) != 0) {
			card_close(d->card);
			d->card = NULL;
		}
	}
	if (d->card == NULL) {
		op_dev_free(d);
		return op_fail(cx, CUSTOS_ERR_NO_CARD, "%s %s: no reader holds "
		    "the device with serial %s; insert it and take the step "
		    "again", name ? "HSM" : "device", name ? name : serial,
		    serial);
	}
	if ((r = adopt(cx, d)) != CUSTOS_OK) {
		op_dev_free(d);
		return r;
	}
	*out = d;
	return settle(cx, d);
}

int
op_dev_card(struct op_ctx *cx, struct op_dev *d, struct card **c)
{
	struct pcsc_reader rd[16];
	char spec[sizeof(rd[0].name) + 8], serial[17];
	size_t n = 0, i;
	int r;

	*c = NULL;
	if (d->card == NULL && d->spec[0] != '\0' &&
	    (r = card_open(d->spec, &d->card)) != 0)
		return op_dev_err(cx, d, r, "opening it again");
	for (i = 0; d->card == NULL && i < (pcsc_list(rd, 16, &n) == 0 ? n :
	    0); i++)
		if (rd[i].card_present && snprintf(spec, sizeof(spec),
		    "pcsc:%s", rd[i].name) < (int)sizeof(spec) &&
		    card_open(spec, &d->card) == 0 &&
		    (sc_hsm_select(d->card, NULL, NULL) != 0 ||
		    sc_hsm_serial(d->card, serial) != 0 ||
		    strcmp(serial, d->serial) != 0)) {
			card_close(d->card);
			d->card = NULL;
		}
	if (d->card == NULL)
		return op_fail(cx, CUSTOS_ERR_NO_CARD, "HSM %s: no reader holds "
		    "the device with serial %s; insert it and take the step "
		    "again", op_dev_label(d), d->serial);
	if (!d->checked) {
		/* opened again: select the application (which ends a PIN
		   login) and make sure it is the same device */
		if ((r = sc_hsm_select(d->card, NULL, NULL)) != 0)
			return op_dev_err(cx, d, r, "selecting it");
		if (strcmp(d->serial, "unknown") != 0 &&
		    (sc_hsm_serial(d->card, serial) != 0 ||
		    strcmp(serial, d->serial) != 0)) {
			op_dev_release(d);
			return op_fail(cx, CUSTOS_ERR_CARD, "HSM %s: another "
			    "device is there now; put back the device with "
			    "serial %s", op_dev_label(d), d->serial);
		}
		d->checked = 1;
	}
	card_set_domain(d->card, d->domain);
	*c = d->card;
	return CUSTOS_OK;
}

void
op_dev_set_domain(struct op_dev *d, int domain)
{
	d->domain = domain;
	if (d->card != NULL)
		card_set_domain(d->card, domain);
}

int
op_dev_domain(const struct op_dev *d)
{
	return d->domain;
}

void
op_dev_set_pin_label(struct op_dev *d, const char *label)
{
	snprintf(d->pin_label, sizeof(d->pin_label), "%s", label != NULL ?
	    label : "");
}

void
op_dev_take_pin(struct op_dev *d, char *pin, size_t len)
{
	secmem_free(d->pin);
	d->pin = pin;
	d->pinlen = len;
}

void
op_dev_forget_pin(struct op_dev *d)
{
	secmem_free(d->pin);
	d->pin = NULL;
	d->pinlen = 0;
}

int
op_dev_login(struct op_ctx *cx, struct op_dev *d, const char *who)
{
	struct card *c;
	char what[96];
	json_t *f;
	int r, tries = -1;

	if ((r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		return r;
	/* A device with public key authentication: the quorum of the
	   custodians' keys, not a PIN (op_pka.h). */
	if ((r = op_pka_login(cx, d, who)) != 0)
		return r == 1 ? CUSTOS_OK : r;
	if (d->pin == NULL) {
		if (d->pin_label[0] != '\0')
			snprintf(what, sizeof(what), "%s", d->pin_label);
		else if (d->name[0] != '\0')
			snprintf(what, sizeof(what), "User PIN of HSM %s",
			    d->name);
		else
			snprintf(what, sizeof(what), "user PIN");
		if ((r = op_secret(cx, OP_SECRET_PIN, who, what, "", &d->pin,
		    &d->pinlen)) != CUSTOS_OK)
			return r;
	}
	r = sc_hsm_verify_pin(c, d->pin, d->pinlen, &tries);
	if (r == CUSTOS_OK)
		return CUSTOS_OK;
	op_dev_forget_pin(d);
	if (r != CUSTOS_ERR_WRONG_PIN && r != CUSTOS_ERR_PIN_BLOCKED)
		return op_dev_err(cx, d, r, "verifying the PIN");
	if ((f = json_pack("{s:s, s:s, s:s}", "what", "user PIN", "reason",
	    r == CUSTOS_ERR_PIN_BLOCKED ? "blocked" : "wrong PIN", "serial",
	    d->serial)) != NULL && tries >= 0)
		json_object_set_new(f, "tries_left", json_integer(tries));
	op_refused(cx, who, f);
	if (r == CUSTOS_ERR_PIN_BLOCKED)
		return op_fail(cx, r, "user PIN blocked");
	if (tries < 0)
		return op_fail(cx, r, "%s", custos_strerror(r));
	return op_fail(cx, r, "wrong user PIN, %d %s left", tries,
	    tries == 1 ? "try" : "tries");
}
