/*
 * op_pka.h - public key authentication (docs/user-guide.md, "Custodians'
 * own devices"): a custodian's personal device exports its key (.pka),
 * the main HSM registers it after checking the device certificate
 * chain, and before any key is used the quorum authenticates, each
 * custodian with their own device and PIN, in the same connection as the
 * operation (the device forgets the state at a reset; docs/emulator.md,
 * "Public key authentication"). Every step is recorded: pka.export,
 * pka.register, pka.status, pka.authenticate (accepted or refused).
 */
#ifndef CUSTOS_OP_PKA_H
#define CUSTOS_OP_PKA_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"
#include "op.h"

struct op_dev;

/* What a checked .pka says. */
struct op_pka_key {
	char key_chr[17];	/* the key's holder reference */
	char serial[17];	/* the personal device's serial */
	char kind[24];		/* "EC brainpoolP256r1" */
	char fpr[65];		/* SHA-256 of the key (SubjectPublicKeyInfo) */
	char root[17];		/* the root its chain ends in */
	int emulated;		/* the chain is the emulator's */
};

#define OP_PKA_KEYS 90

/* A device's public key authentication. */
struct op_pka_state {
	int total, missing, required, authenticated;
	struct {
		char chr[17];	/* "" when the slot is empty */
		int authenticated;
	} keys[OP_PKA_KEYS];
};

/*
 * The custodians' personal devices the quorum is asked of, in order
 * (specs as op_dev_open takes them; holders[i] may be NULL). Borrowed:
 * they must outlive cx.
 */
int op_set_pka(struct op_ctx *cx, const char *const *specs,
    const char *const *holders, size_t n) CUSTOS_WUR;

/*
 * On a personal device d (its PIN asked of holder): writes key ref's
 * .pka to path (never over a file), checked before it is written.
 * Records pka.export.
 */
int op_pka_export(struct op_ctx *cx, struct op_dev *d, int ref,
    const char *holder, const char *path, struct op_pka_key *out)
    CUSTOS_WUR;

/*
 * Reads and checks a .pka (either form): the chain to a known root, the
 * key's request. One line in why when it does not check.
 */
int op_pka_check(struct op_ctx *cx, const char *path, struct op_pka_key *out)
    CUSTOS_WUR;

/*
 * Registers the key of path on d for holder (slot < 0: the next free
 * slot; else replaces that slot, which needs the quorum and a device
 * that allows it). The file is checked first; an emulated chain is
 * refused on a real device. Records its intent, then pka.register.
 */
int op_pka_register(struct op_ctx *cx, struct op_dev *d, const char *path,
    const char *holder, int slot, struct op_pka_key *out,
    struct op_pka_state *st) CUSTOS_WUR;

/* Whether the key of path is registered on d already (*yes), read
   without a record (a step taken again). */
int op_pka_registered(struct op_ctx *cx, struct op_dev *d, const char *path,
    struct op_pka_key *k, int *yes) CUSTOS_WUR;

/* Reads d's public key authentication; records pka.status.
   CUSTOS_ERR_UNSUPPORTED: d does not use it. */
int op_pka_status(struct op_ctx *cx, struct op_dev *d,
    struct op_pka_state *st) CUSTOS_WUR;

/*
 * Authenticates the quorum on d with the personal devices op_set_pka()
 * named, until it is reached; each attempt is recorded (pka.authenticate,
 * accepted or refused). Returns 0 once the quorum is reached; else an
 * error saying how many of how many are authenticated.
 */
int op_pka_authenticate(struct op_ctx *cx, struct op_dev *d,
    struct op_pka_state *st) CUSTOS_WUR;

/*
 * For op_dev_login: 0 when d does not use public key authentication (the
 * user PIN is then checked), 1 when it does and the quorum is reached
 * (authenticating now with the devices named), or an error.
 */
int op_pka_login(struct op_ctx *cx, struct op_dev *d, const char *who)
    CUSTOS_WUR;

/*
 * For op_reconcile.c: a pka.register intent (in) left open on d. *done
 * gets the completing record's facts when the device holds the key,
 * else NULL (the intent is then voided).
 */
int op_pka_reconcile(struct op_ctx *cx, struct op_dev *d, json_t *in,
    json_t **done) CUSTOS_WUR;

#endif
