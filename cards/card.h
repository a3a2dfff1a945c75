/*
 * card.h - one small interface to a smart card: open, transmit an APDU,
 * close, reader name. Two backends: PC/SC (pcsc.c) and the emulated
 * SmartCard-HSM in-process (emu_card.c).
 */
#ifndef CUSTOS_CARD_H
#define CUSTOS_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "apdu.h"

/* What a backend provides. transmit exchanges one raw APDU. */
struct card_backend {
	int (*transmit)(void *be, const uint8_t *cmd, size_t n, uint8_t *rsp,
	    size_t cap, size_t *rlen);
	void (*close)(void *be);
};

struct card;

/*
 * Opens the card named by spec:
 *   "pcsc"          the first PC/SC reader holding a card;
 *   "pcsc:READER"   the reader whose name starts with READER;
 *   "emu:NAME"      the emulated device NAME, in-process;
 *   NULL or "auto"  a PC/SC card if any reader holds one, else the
 *                   emulated device "primary" (*rehearsal is then 1).
 * Returns 0, CUSTOS_ERR_INVALID_ARG (bad spec), or a backend error:
 * CUSTOS_ERR_PCSC, CUSTOS_ERR_NO_READER, CUSTOS_ERR_NO_CARD,
 * CUSTOS_ERR_BUSY, ...
 */
int card_open(const char *spec, struct card **out) CUSTOS_WUR;

/* For backends: wraps be (closed by ops->close) in a new card. */
int card_new(const struct card_backend *ops, void *be, const char *reader,
    int emulated, struct card **out) CUSTOS_WUR;

/*
 * Sends a, following 61xx with GET RESPONSE and 6Cxx with a corrected Le,
 * and returns the data in rsp[0..*rlen) and the final status word in *sw.
 * Data beyond cap is an error (CUSTOS_ERR_PROTOCOL). The encoded command
 * is wiped after sending (it may carry a PIN or a share). Returns 0 when
 * the card answered (whatever sw says), else a transport error such as
 * CUSTOS_ERR_CARD_REMOVED.
 */
int card_transmit(struct card *c, const struct apdu *a, uint8_t *rsp,
    size_t cap, size_t *rlen, uint16_t *sw) CUSTOS_WUR;

/* Closes the card and frees c; accepts NULL. */
void card_close(struct card *c);

/* The reader's name ("custos emulated SmartCard-HSM (primary)"). */
const char *card_reader(const struct card *c);

/* Non-zero for the emulated card (rehearsal). */
int card_is_emulated(const struct card *c);

/*
 * The key domain the DKEK commands of this handle address (sc_hsm.h: the
 * DKEK's status and shares, and a key's generation): -1, the default,
 * none named - the device's DKEK as before key domains; 0 and up, that
 * key domain (docs/emulator.md, "Key domains").
 */
void card_set_domain(struct card *c, int domain);
int card_domain(const struct card *c);

#endif
