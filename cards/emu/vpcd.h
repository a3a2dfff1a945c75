/*
 * vpcd.h - serves an emulated SmartCard-HSM to pcscd through
 * vsmartcard's vpcd reader driver: the card is a TCP client of vpcd, and
 * every message either way is a 2-byte big-endian length and that many
 * bytes (1 byte: a control code; more: an APDU).
 */
#ifndef CUSTOS_VPCD_H
#define CUSTOS_VPCD_H

#include <signal.h>

#include "../../common/err.h"
#include "emu_card.h"

struct emu;

/*
 * Connects to vpcd at host:port (retrying every 100 ms for up to
 * connect_ms) and serves e until vpcd closes the connection, *stop becomes
 * non-zero, or a fault removes the card (faults->remove_at). Returns 0 on
 * a clean end, CUSTOS_ERR_CARD_REMOVED for an injected removal,
 * CUSTOS_ERR_IO / CUSTOS_ERR_NOT_FOUND (no vpcd) otherwise.
 */
int vpcd_serve(struct emu *e, const char *host, unsigned port,
    unsigned connect_ms, const struct emu_faults *faults,
    volatile sig_atomic_t *stop) CUSTOS_WUR;

#endif
