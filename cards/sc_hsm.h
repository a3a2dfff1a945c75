/*
 * sc_hsm.h - the SmartCard-HSM protocol, client side, over the card
 * interface. Every function returns 0 or a negative error code; a status
 * word the card answered is mapped to the closest code (CUSTOS_ERR_CARD
 * when nothing closer fits) and kept for sc_hsm_last_sw().
 */
#ifndef CUSTOS_SC_HSM_H
#define CUSTOS_SC_HSM_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "apdu.h"

struct card;

/* What `hsm status` shows. -1: unknown. */
struct sc_hsm_status {
	int fw_major, fw_minor;
	int initialized;	/* 0 never initialized, 1 yes, -1 unknown */
	int pin_verified;
	int pin_tries;		/* tries left; 0 blocked */
	int so_tries;
	int dkek_total, dkek_left;
	uint8_t kcv[8];
	int kcv_known;		/* 0: all-zero ("unknown until complete or
				   until PIN login"), never a match */
};

/*
 * Selects the SmartCard-HSM application. Returns 0, CUSTOS_ERR_NOT_SC_HSM
 * (no such application on this card), or a transport error. *major /
 * *minor get the firmware version (NULL allowed).
 */
int sc_hsm_select(struct card *c, int *major, int *minor) CUSTOS_WUR;

/* Selects the application and reads its status. */
int sc_hsm_status(struct card *c, struct sc_hsm_status *st) CUSTOS_WUR;

/*
 * INITIALIZE DEVICE: so[8] is the SO PIN (current one when re-initializing;
 * a factory-fresh device takes it as the new one), pin the new user PIN
 * (6-16 characters), retries 1-10, dkek_shares 0-255 (-1: no DKEK, keys
 * can never be exported). A wrong SO PIN gives CUSTOS_ERR_WRONG_PIN with
 * *so_tries (may be NULL) set. Deletes every key on the device.
 */
int sc_hsm_initialize(struct card *c, const uint8_t so[8], const char *pin,
    size_t pinlen, int retries, int dkek_shares, int *so_tries) CUSTOS_WUR;

/* Public key authentication at INITIALIZE (tag 93, option 0008):
   docs/emulator.md, "Public key authentication". */
#define SC_HSM_PKA_MAX 90	/* sc-hsm-tool's bound */
struct sc_hsm_pka_init {
	int total;		/* N keys registered, 1-SC_HSM_PKA_MAX */
	int required;		/* M of them to authenticate, 1-N */
	int replace;		/* registered keys may be replaced */
};

/*
 * INITIALIZE DEVICE with public key authentication: as sc_hsm_initialize
 * (key_domains > 0: as sc_hsm_initialize_kd), and tag 93. pin may be
 * NULL: no user PIN (the quorum of keys stands for it).
 */
int sc_hsm_initialize_pka(struct card *c, const uint8_t so[8],
    const char *pin, size_t pinlen, int retries, int dkek_shares,
    int key_domains, const struct sc_hsm_pka_init *pka, int *so_tries)
    CUSTOS_WUR;

/* The most key domain slots custos asks a device for (the emulator's;
   docs/emulator.md, "Key domains"). */
#define SC_HSM_KD_MAX 16

/*
 * INITIALIZE DEVICE with key_domains (1-SC_HSM_KD_MAX) key domain slots
 * (tag 97), all empty, and no DKEK; otherwise as sc_hsm_initialize().
 */
int sc_hsm_initialize_kd(struct card *c, const uint8_t so[8],
    const char *pin, size_t pinlen, int retries, int key_domains,
    int *so_tries) CUSTOS_WUR;

/*
 * Key domain d (80 52, P2 d): its status (query), a share imported into
 * it, or it created with shares shares (user PIN verified); *total,
 * *left and kcv[8] as for the DKEK. CUSTOS_ERR_NOT_FOUND: the slot is
 * empty; CUSTOS_ERR_LIMIT: the device has no slot d (or no key domains),
 * or - creating - the slot is in use (the device answers 6A86 to both);
 * CUSTOS_ERR_NO_DKEK: the domain takes no (more) shares;
 * CUSTOS_ERR_NOT_LOGGED_IN: the PIN is not verified.
 */
int sc_hsm_kd_query(struct card *c, int d, int *total, int *left,
    uint8_t kcv[8]) CUSTOS_WUR;
int sc_hsm_kd_import(struct card *c, int d, const uint8_t share[32],
    int *total, int *left, uint8_t kcv[8]) CUSTOS_WUR;
int sc_hsm_kd_create(struct card *c, int d, int shares, int *total,
    int *left, uint8_t kcv[8]) CUSTOS_WUR;

/*
 * Deletes key domain d (user PIN verified). CUSTOS_ERR_EXISTS: keys of
 * the domain are on the device (delete them first); CUSTOS_ERR_LIMIT: no
 * such domain.
 */
int sc_hsm_kd_delete(struct card *c, int d) CUSTOS_WUR;

/* How many key domain slots the device has (0: none), by querying each
   until the device says there is no such slot. */
int sc_hsm_kd_slots(struct card *c, int *slots) CUSTOS_WUR;

/*
 * VERIFY the SO PIN (reference 0x88) without changing anything, so that a
 * wrong one is caught before INITIALIZE can erase. CUSTOS_ERR_WRONG_PIN
 * with *tries (may be NULL), CUSTOS_ERR_PIN_BLOCKED, or
 * CUSTOS_ERR_UNSUPPORTED when the device does not take VERIFY for the SO
 * PIN.
 */
int sc_hsm_verify_so_pin(struct card *c, const uint8_t so[8], int *tries)
    CUSTOS_WUR;

/*
 * IMPORT DKEK SHARE; *total, *left and kcv[8] get the card's answer (KCV
 * all zero: unknown). CUSTOS_ERR_NO_DKEK when the device takes no (more)
 * shares. With a key domain set on c (card_set_domain()), into that
 * domain, as sc_hsm_kd_import(); so does sc_hsm_dkek_query().
 */
int sc_hsm_import_share(struct card *c, const uint8_t share[32], int *total,
    int *left, uint8_t kcv[8]) CUSTOS_WUR;

/*
 * Queries the DKEK state without selecting the application again (so a
 * verified PIN stays verified). Same outputs as sc_hsm_import_share().
 */
int sc_hsm_dkek_query(struct card *c, int *total, int *left, uint8_t kcv[8])
    CUSTOS_WUR;

/*
 * VERIFY the user PIN. CUSTOS_ERR_WRONG_PIN with *tries (may be NULL) the
 * tries left, CUSTOS_ERR_PIN_BLOCKED.
 */
int sc_hsm_verify_pin(struct card *c, const char *pin, size_t len,
    int *tries) CUSTOS_WUR;

/*
 * Counts the keys on the device (ENUMERATE OBJECTS, CCxx but the device
 * key CC00).
 */
int sc_hsm_count_keys(struct card *c, int *n) CUSTOS_WUR;

/*
 * Sends a (see card_transmit()) and keeps its status word for
 * sc_hsm_last_sw(); *sw (may be NULL) gets it too. For the other
 * sc_hsm_* modules. Returns 0 when the card answered, else a transport
 * error.
 */
int sc_hsm_transmit(struct card *c, const struct apdu *a, uint8_t *rsp,
    size_t cap, size_t *rl, uint16_t *sw) CUSTOS_WUR;

/* The status word of the last command sent through this module. */
uint16_t sc_hsm_last_sw(void);

/*
 * Maps a status word to an error code: 9000 -> 0, 63Cx ->
 * CUSTOS_ERR_WRONG_PIN, 6983 -> CUSTOS_ERR_PIN_BLOCKED, 6982 ->
 * CUSTOS_ERR_NOT_LOGGED_IN, 6A84 -> CUSTOS_ERR_CARD_FULL, ...
 */
int sc_hsm_sw_err(uint16_t sw);

#endif
