/*
 * pcsc.h - the PC/SC backend (pcsc-lite). The only file that includes
 * winscard.h.
 */
#ifndef CUSTOS_PCSC_H
#define CUSTOS_PCSC_H

#include <stddef.h>

#include "../common/err.h"

struct card;

/* One reader as PC/SC sees it. */
struct pcsc_reader {
	char name[128];
	int card_present;
};

/*
 * The pcsc-lite version custos was built against, from its headers: the
 * library has no call that reports its own.
 */
const char *pcsc_lite_version(void);

/*
 * Lists up to max readers into r (*n set). Returns 0 (possibly *n == 0),
 * CUSTOS_ERR_PCSC when pcscd is not reachable.
 */
int pcsc_list(struct pcsc_reader *r, size_t max, size_t *n) CUSTOS_WUR;

/*
 * Connects to the card in the reader whose name starts with prefix (NULL:
 * the first reader holding a card) and begins a transaction that lasts
 * until card_close(), so no other program interleaves APDUs. Returns 0,
 * CUSTOS_ERR_PCSC, CUSTOS_ERR_NO_READER, CUSTOS_ERR_NO_CARD,
 * CUSTOS_ERR_BUSY (another program holds the card exclusively).
 */
int pcsc_open(const char *prefix, struct card **out) CUSTOS_WUR;

#endif
