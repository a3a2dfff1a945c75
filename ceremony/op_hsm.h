/*
 * op_hsm.h - the engine's SmartCard-HSM operations (op_hsm.c,
 * op_hsm_keys.c, op_wrap.c): status, initialize, import DKEK shares and
 * check the KCV, list/generate/delete/prove keys, change the PIN, wrap
 * and unwrap. Each records its step (op.h); each that changes the device
 * records its intent first.
 */
#ifndef CUSTOS_OP_HSM_H
#define CUSTOS_OP_HSM_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "dkek.h"
#include "op.h"
#include "op_dev.h"

#define OP_MAX_CUSTODIANS 16

/* What hsm status shows; -1: unknown. */
struct op_hsm_status {
	int fw_major, fw_minor;
	int initialized;	/* 0 never, 1 yes, -1 unknown */
	int pin_verified;
	int pin_tries, so_tries;
	int dkek_total, dkek_left;
	int kcv_known;		/* 0: unknown (all zero) */
	int kcv_after_login;	/* read after a PIN login */
	int zero_dkek;		/* the all-zero DKEK: a share went in twice */
	char kcv[17];
};

/*
 * Reads the device's state and records hsm.status. With login, a device
 * that shows the KCV only after the user PIN is logged in to and asked
 * again. Returns 0 or an error (op_why()).
 */
int op_hsm_status(struct op_ctx *cx, struct op_dev *d, int login,
    struct op_hsm_status *st) CUSTOS_WUR;

struct op_init_args {
	int dkek_shares;	/* 1-255, or -1: no DKEK (never exported) */
	int key_domains;	/* > 0: that many key domain slots, all
				   empty, instead of a DKEK (dkek_shares
				   is then -1) */
	int retries;		/* user PIN retry counter, 1-10 */
	int pka_total;		/* > 0: public key authentication with
				   that many keys (op_pka.h); no user PIN */
	int pka_required;	/* of which this many authenticate */
	int pka_replace;	/* registered keys may be replaced */
	int always_confirm;	/* ask even when the device holds no key */
	const char *consequence;	/* what confirming does (NULL: said
					   from the keys it holds) */
	const char *so_hint;	/* an extra line for the SO PIN prompt */
};

/*
 * Initializes d: shows the SO PIN's tries, asks ERASE when it holds keys
 * (always, with always_confirm), checks the SO PIN before erasing
 * anything, asks a new user PIN (kept in d: the device is logged in),
 * records the intent, INITIALIZE, hsm.init. A cut initialization is
 * taken up when d's record shows it open and the device is as it left
 * it. *keys_erased gets the keys the device held. Returns 0 or an error.
 */
int op_hsm_init(struct op_ctx *cx, struct op_dev *d,
    const struct op_init_args *a, int *keys_erased) CUSTOS_WUR;

/* One DKEK share to import, opened (op_share.h). */
struct op_share {
	unsigned char *value;	/* DKEK_SHARE_LEN, guarded */
	char fpr[2 * DKEK_FPR_LEN + 1];	/* upper-case hex */
	char file[4096];	/* the file it came from, or "" */
	char names[OP_MAX_CUSTODIANS][65];	/* who opened it */
	size_t ncustodians;
	int plan_share;		/* its number in the plan, or 0 */
};

/* Wipes and frees s->value; accepts NULL. */
void op_share_clear(struct op_share *s);

/* What an import did. */
struct op_import_result {
	int total, left;	/* the device's DKEK shares after it */
	size_t imported;	/* shares sent now */
	size_t skipped;		/* shares found already in the device */
	char files_kcv[17];	/* the shares given were the whole DKEK:
				   its KCV; else "" */
};

/*
 * Imports shares[0..n) into d, one intent and one record each, after
 * checking them: no share given twice, none already in the device (by
 * the record of d since its initialization: such a share is skipped and
 * said so; when every share given is in, nothing is done and
 * CUSTOS_ERR_REFUSED says so), the device takes that many, and its
 * count agrees with the record. expect_fpr (NULL: none) is the
 * fingerprint the one share must have. Returns 0 or an error (op_why()).
 */
int op_hsm_import(struct op_ctx *cx, struct op_dev *d, struct op_share *shares,
    size_t n, const char *expect_fpr, struct op_import_result *res)
    CUSTOS_WUR;

/* What a KCV check found. */
struct op_kcv_result {
	char kcv[17];		/* the device's */
	int login;		/* it needed a PIN login to show it */
	int matched;		/* 1 equal to want, 0 none given */
};

/*
 * Reads d's DKEK KCV (logging in when it shows all zeros), names the
 * all-zero DKEK as such (CUSTOS_ERR_ZERO_DKEK), compares it with want
 * (NULL: none; CUSTOS_ERR_DKEK_MISMATCH when it differs), has people
 * confirm it when confirm is not NULL (the value is shown first), and
 * records dkek.kcv with the shares the record knows went in. Returns 0
 * or an error (op_why()).
 */
int op_hsm_kcv(struct op_ctx *cx, struct op_dev *d, const char *want,
    const char *confirm, struct op_kcv_result *res) CUSTOS_WUR;

/* A key domain as front ends show it (op_domain.c). */
struct op_domain {
	int domain;
	int shares, left;	/* its DKEK's shares, those to import */
	char kcv[17];		/* "" until complete (or a PIN login) */
};

/*
 * Lists d's key domains in use into out[0..max) (*n of them) and how
 * many slots it has (*slots; 1 without key domains: the DKEK as domain
 * 0); records hsm.domains. Sends no PIN, unless login: then a complete
 * domain whose KCV the device shows only after login (all zero) makes
 * it log in and read them again. Returns 0 or an error.
 */
int op_hsm_domains(struct op_ctx *cx, struct op_dev *d, int login,
    struct op_domain *out, size_t max, size_t *n, int *slots) CUSTOS_WUR;

/*
 * Creates key domain dom of d for a DKEK of shares shares (logs in;
 * records the intent, then hsm.domain-create); refused when the slot is
 * in use or the device has no such slot, nothing done. *out gets it.
 */
int op_hsm_domain_create(struct op_ctx *cx, struct op_dev *d, int dom,
    int shares, struct op_domain *out) CUSTOS_WUR;

/*
 * Deletes key domain dom of d after DELETE is confirmed (logs in; records
 * the intent, then hsm.domain-delete). The device refuses while keys of
 * the domain are on it: CUSTOS_ERR_EXISTS, nothing done.
 */
int op_hsm_domain_delete(struct op_ctx *cx, struct op_dev *d, int dom)
    CUSTOS_WUR;

#define OP_LABEL_MAX 64	/* a key label */
#define OP_ID_MAX 32		/* a key ID, bytes */

/* A key as front ends show it. */
struct op_key {
	int ref;
	char label[OP_LABEL_MAX + 1];	/* "" without a description */
	int has_prkd;
	char kind[24];			/* "RSA-2048", "EC prime256v1" */
	int has_pub;
	char fpr[65];			/* SHA-256 of the public key, hex */
	int verified;			/* sign-test: the signature verified */
	char why[160];			/* sign-test: why not */
};

/* Whether type is one hsm keygen takes ("rsa:2048", "ec:P-256"). */
int op_key_type_valid(const char *type);

/*
 * Lists d's keys into a new array *keys (free()) of *n and records
 * hsm.keys. Sends no PIN. Returns 0 or an error.
 */
int op_hsm_keys(struct op_ctx *cx, struct op_dev *d, struct op_key **keys,
    size_t *n) CUSTOS_WUR;

struct op_keygen_args {
	const char *type;	/* as op_key_type_valid() */
	const char *label;	/* 1-64 characters */
	const uint8_t *id;	/* NULL: OpenSC's default */
	size_t idlen;
	int ref;		/* -1: the lowest free reference */
	int unique_label;	/* refuse when a key has this label */
	int unexportable;	/* meant never to leave the device (a
				   custodian's authentication key): no
				   UNEXPORTABLE to confirm */
};

/*
 * Generates a key pair on d: refuses a key that could never be exported
 * (the DKEK is not complete) unless UNEXPORTABLE is confirmed, logs in,
 * records the intent (its reference), generates, records hsm.keygen. A
 * key a cut left half made under the reference of d's open intent is
 * deleted first. *out gets the key. Returns 0 or an error.
 */
int op_hsm_keygen(struct op_ctx *cx, struct op_dev *d,
    const struct op_keygen_args *a, struct op_key *out) CUSTOS_WUR;

/*
 * Deletes key ref of d after DELETE is confirmed (the key is gone for
 * good unless backed up). *out gets what was deleted. Returns 0 or an
 * error.
 */
int op_hsm_delete(struct op_ctx *cx, struct op_dev *d, int ref,
    struct op_key *out) CUSTOS_WUR;

/*
 * Proves key ref (-1: every key) of d: the device signs 32 random bytes
 * and the signature must verify under the key's public key. *keys (free())
 * gets each key tested with verified and why; records hsm.sign-test.
 * Returns 0 (see each key), or an error that stopped it.
 */
int op_hsm_sign_test(struct op_ctx *cx, struct op_dev *d, int ref,
    struct op_key **keys, size_t *n) CUSTOS_WUR;

/* Changes the user PIN (the current one, then the new one twice).
   Returns 0 or an error (a wrong PIN says the tries left). */
int op_hsm_change_pin(struct op_ctx *cx, struct op_dev *d) CUSTOS_WUR;

/* What hsm wrap did. */
struct op_wrap_result {
	struct op_key key;
	char kcv[17];		/* the DKEK KCV the blob carries */
	char sha256[65];	/* of the file written */
};

/*
 * Wraps key ref of d under its DKEK into the new file out (sc-hsm-tool's
 * wrap file: blob, description, public key); out must not exist (checked
 * before any PIN try). Returns 0 or an error.
 */
int op_hsm_wrap(struct op_ctx *cx, struct op_dev *d, int ref,
    const char *out, struct op_wrap_result *res) CUSTOS_WUR;

struct op_unwrap_args {
	const char *file;	/* the wrap file */
	int ref;		/* -1: the reference its description names */
	int force;		/* replace a description or public key there */
	int staged;		/* through EF 2F10, as OpenSC 0.24 and later */
};

/* What hsm unwrap did. */
struct op_unwrap_result {
	struct op_key key;
	char kcv[17];
	int already;		/* the key was there: only files completed */
};

/* Reads a wrap file and checks it (no device): for unwrap's options. */
int op_wrapfile_ref(struct op_ctx *cx, const char *file, int *ref)
    CUSTOS_WUR;

/*
 * Imports the key in a wrap file into d: the device's DKEK must have the
 * blob's KCV (checked before anything is written), then the key is
 * unwrapped and proven by a signature under the file's public key before
 * its description and public key are written; a rerun completes a key
 * already there. Returns 0 or an error.
 */
int op_hsm_unwrap(struct op_ctx *cx, struct op_dev *d,
    const struct op_unwrap_args *a, struct op_unwrap_result *res)
    CUSTOS_WUR;

/*
 * The DKEK KCV d shows (16 hex digits), logging in as who when it shows
 * all zeros until the PIN is verified. CUSTOS_ERR_NO_DKEK when the DKEK is
 * not complete. Records nothing.
 */
int op_dev_kcv(struct op_ctx *cx, struct op_dev *d, const char *who,
    char kcv[17], int *logged_in) CUSTOS_WUR;

#endif
