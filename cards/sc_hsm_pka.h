/*
 * sc_hsm_pka.h - public key authentication, client side: the status and
 * the registered keys (MANAGE PUBLIC KEY), registering a custodian's key
 * after the device checked its chain, the challenge a registered key
 * answers, and the answer made on the custodian's own device. What the
 * device does: docs/emulator.md, "Public key authentication".
 */
#ifndef CUSTOS_SC_HSM_PKA_H
#define CUSTOS_SC_HSM_PKA_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "pkafile.h"

struct card;

struct sc_hsm_pka_status {
	int total;		/* N */
	int missing;		/* slots not yet registered */
	int required;		/* M */
	int authenticated;	/* keys authenticated since the last reset */
};

/*
 * The status (80 54 00 00). CUSTOS_ERR_UNSUPPORTED: the device was not
 * initialized with public key authentication.
 */
int sc_hsm_pka_status(struct card *c, struct sc_hsm_pka_status *st)
    CUSTOS_WUR;

/*
 * The key registered in slot (0..N-1): its holder reference, and whether
 * it is authenticated. CUSTOS_ERR_NOT_FOUND: the slot is empty;
 * CUSTOS_ERR_UNSUPPORTED: the device does not tell.
 */
int sc_hsm_pka_key(struct card *c, int slot, char chr[17], int *authed)
    CUSTOS_WUR;

/*
 * Registers f's key (slot < 0: the first free slot; else replaces the
 * key in slot): the device checks the issuer, the device certificate and
 * the request itself. st (may be NULL) gets the new status.
 * CUSTOS_ERR_EXISTS (registered already), CUSTOS_ERR_CARD_FULL (all N
 * registered), CUSTOS_ERR_CORRUPT (the device refused the chain or the
 * request), CUSTOS_ERR_REFUSED (replacing is not allowed),
 * CUSTOS_ERR_NOT_LOGGED_IN (replacing needs the quorum),
 * CUSTOS_ERR_UNSUPPORTED (no PKA).
 */
int sc_hsm_pka_register(struct card *c, const struct pkafile *f, int slot,
    struct sc_hsm_pka_status *st) CUSTOS_WUR;

/*
 * Selects the registered key chr for authentication and asks the device
 * for a challenge of n bytes (8..64). CUSTOS_ERR_NOT_FOUND (not
 * registered), CUSTOS_ERR_EXISTS (authenticated already).
 */
int sc_hsm_pka_challenge(struct card *c, const char *chr, uint8_t *chal,
    size_t n) CUSTOS_WUR;

/*
 * EXTERNAL AUTHENTICATE with sig (plain r||s). CUSTOS_ERR_REFUSED: the
 * device did not take it (forged, replayed, or for another challenge).
 */
int sc_hsm_pka_answer(struct card *c, const uint8_t *sig, size_t n)
    CUSTOS_WUR;

/*
 * On a custodian's own device (PIN verified): signs, with EC key ref,
 * SHA-256(main_chr || chal), the message the main HSM checks, and gives
 * the plain r||s form in sig[0..*len) (cap >= 132).
 */
int sc_hsm_pka_sign(struct card *c, int ref, const char *main_chr,
    const uint8_t *chal, size_t n, uint8_t *sig, size_t cap, size_t *len)
    CUSTOS_WUR;

#endif
