/*
 * walk_hsm.c - the walk's HSM steps that set up the DKEK: initialize,
 * import a share, check the KCV; and finding and opening the HSMs (keys,
 * backup and restore are in walk_keys.c). Before acting, each compares the
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

int
walk_card_err(struct walk *w, int h, int r, const char *what)
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
			return walk_card_err(w, h, r, "opening the emulated device");
		return 0;
	}
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return walk_card_err(w, h, r, "listing readers");
	for (i = 0; i < n; i++) {
		if (snprintf(spec, sizeof(spec), "pcsc:%s", rd[i].name) <
		    (int)sizeof(spec) && rd[i].card_present && try_open(w, h, spec, ph->serial) == 0)
			break;
	}
	if (w->card[h] == NULL)
		return walk_fail(w, CUSTOS_ERR_NO_CARD, "HSM %s: no reader holds "
		    "the device with serial %s; insert it and take the step "
		    "again", ph->name, ph->serial);
	if (!w->rehearsal && sc_hsm_is_emulator(w->card[h], w->serial[h])) {
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
	    "emulated", sc_hsm_is_emulator(w->card[h], w->serial[h]));

	if (f != NULL && !w->pcsc)
		json_object_set_new(f, "stands_in_for",
		    json_string(w->plan->hsms[h].serial));
	return f;
}

int
walk_login(struct walk *w, int h)
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
	return walk_card_err(w, h, r, "verifying the PIN");
}

int
walk_ready(struct walk *w, int h)
{
	int r;

	if ((r = card_of(w, h)) != 0)
		return r;
	return walk_login(w, h);
}

/*
 * A cut init: the device is set up for the plan's shares, none in yet,
 * no keys. It counts as this ceremony's only when the user PIN chosen
 * before the cut opens it (someone else's init would not know it).
 */
static int
init_recover(struct walk *w, int h, int *done)
{
	json_t *f;
	int r;

	*done = 0;
	w->io->note(w->io->arg, "The HSM was initialized before the "
	    "interruption: give the user PIN chosen then.");
	if ((r = walk_login(w, h)) != 0)
		return r;
	f = walk_hsm_facts(w, h);
	json_object_set_new(f, "dkek_shares", json_integer(w->plan->nshares));
	json_object_set_new(f, "recovered", json_true());
	*done = 1;
	return walk_finish(w, "hsm.init", f);
}

/* The SO PIN (hint: tries left) and a new user PIN into pin/pinlen. */
static int
init_pins(struct walk *w, const struct sc_hsm_status *st, uint8_t so[8],
    char **pin, size_t *pinlen)
{
	char *sopin = NULL, hint[160];
	size_t solen = 0;
	int r;

	snprintf(hint, sizeof(hint), "%s%d tries left.", w->rehearsal ?
	    "Rehearsal: the emulated device takes the factory SO PIN "
	    WALK_SO_PIN_DEFAULT ". " : "", st->so_tries);
	if ((r = walk_secret(w, WALK_SECRET_SO_PIN, w->plan->admin, "SO PIN",
	    hint, &sopin, &solen)) == 0 &&
	    (r = decode_hex(so, 8, sopin, solen)) != 0)
		r = walk_fail(w, r, "the SO PIN is 16 hex digits");
	secmem_free(sopin);
	if (r == 0)
		r = walk_secret(w, WALK_SECRET_PIN_NEW, w->plan->admin, "New "
		    "user PIN", "6 to 16 characters; kept for the HSM steps "
		    "of this run, asked again after a restart.", pin, pinlen);
	return r;
}

int
walk_do_hsm_init(struct walk *w)
{
	int h = w->cur->hsm, r, keys = 0, so_tries = -1, done = 0;
	unsigned nshares = w->plan->nshares;
	struct sc_hsm_status st;
	uint8_t so[8];
	char *pin = NULL;
	size_t pinlen = 0;
	json_t *f;

	if ((r = card_of(w, h)) != 0)
		goto out;
	if ((r = sc_hsm_status(w->card[h], &st)) != 0 ||
	    (st.initialized == 1 &&
	    (r = sc_hsm_count_keys(w->card[h], &keys)) != 0)) {
		r = walk_card_err(w, h, r, "reading its state");
		goto out;
	}
	if (w->resumed && st.initialized == 1 &&
	    st.dkek_total == (int)nshares && st.dkek_left == (int)nshares &&
	    keys == 0 && ((r = init_recover(w, h, &done)) != 0 || done))
		goto out;
	/* only a confirmed ERASE begins the step */
	if ((r = w->io->confirm(w->io->arg, w->cur->consequence,
	    w->cur->confirm_word)) != 0) {
		r = walk_fail(w, r, "not confirmed: nothing was done");
		goto out;
	}
	if ((r = init_pins(w, &st, so, &pin, &pinlen)) != 0 ||
	    (!w->resumed && (r = walk_begin(w, NULL)) != 0))
		goto out;
	w->io->progress(w->io->arg, "Initializing the HSM", 0, 0);
	r = sc_hsm_initialize(w->card[h], so, pin, pinlen, 3, (int)nshares,
	    &so_tries);
	if (r == CUSTOS_ERR_WRONG_PIN) {
		r = walk_fail(w, r, "wrong SO PIN, %d tr%s left; nothing was "
		    "changed", so_tries, so_tries == 1 ? "y" : "ies");
		goto out;
	}
	if (r != 0) {
		r = walk_card_err(w, h, r, "initializing");
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
	secmem_wipe(so, sizeof(so));
	secmem_free(pin);
	return r;
}

/* The share opened for share i of HSM h must be the one this ceremony
   made (when it made it) and not one already in that HSM. */
static int
check_share(struct walk *w, int h, int i, const char *fpr)
{
	unsigned j;

	if (w->share_fpr[i][0] != '\0' && strcmp(fpr, w->share_fpr[i]) != 0)
		return walk_fail(w, CUSTOS_ERR_FINGERPRINT, "this file holds "
		    "the share with fingerprint %s, but share %d of this "
		    "ceremony is %s: nothing was sent", fpr, i + 1,
		    w->share_fpr[i]);
	for (j = 0; j < w->plan->nshares; j++)
		if ((int)j != i && strcmp(fpr, w->ifpr[h][j]) == 0)
			return walk_fail(w, CUSTOS_ERR_DUPLICATE_SHARE, "this is "
			    "share %u again (fingerprint %s), already in HSM "
			    "%s: nothing was sent", j + 1, fpr,
			    w->plan->hsms[h].name);
	return 0;
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
		return walk_card_err(w, h, r, "reading its DKEK state");
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
	if ((r = walk_share_open(w, dir, &p->shares[i], i, share, fpr)) != 0 ||
	    (r = check_share(w, h, i, fpr)) != 0)
		goto out;
	if ((r = sc_hsm_import_share(w->card[h], share, &total, &left, k))
	    != 0) {
		r = walk_card_err(w, h, r, "importing the share");
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
	snprintf(w->ifpr[h][i], sizeof(w->ifpr[0][0]), "%s", fpr);
	r = walk_finish(w, "hsm.import-share", f);
 out:
	secmem_free(share);
	return r;
}

int
walk_do_hsm_kcv(struct walk *w)
{
	const struct plan *p = w->plan;
	int h = w->cur->hsm, total = 0, left = 0, r;
	char kcv[17];
	const char *want = p->expected_kcv[0] ? p->expected_kcv :
	    h > 0 && w->kcv[0][0] != '\0' ? w->kcv[0] : NULL;
	uint8_t k[8];
	json_t *f;

	if ((r = card_of(w, h)) != 0)
		return r;
	/* an all-zero KCV is unknown until the user PIN is verified */
	if ((r = backup_device_kcv(w->card[h], kcv)) ==
	    CUSTOS_ERR_NOT_LOGGED_IN) {
		if ((r = walk_login(w, h)) != 0)
			return r;
		r = backup_device_kcv(w->card[h], kcv);
	}
	if (r == CUSTOS_ERR_NO_DKEK) {
		if (sc_hsm_dkek_query(w->card[h], &total, &left, k) != 0)
			total = left = -1;
		return walk_fail(w, r, "HSM %s: its DKEK is not complete (%d of "
		    "%d shares outstanding)", p->hsms[h].name, left, total);
	}
	if (r != 0)
		return walk_card_err(w, h, r, "reading its DKEK");
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
