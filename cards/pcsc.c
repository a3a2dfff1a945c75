/* pcsc.c - PC/SC backend over pcsc-lite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcsclite.h>
#include <winscard.h>

#include "card.h"
#include "pcsc.h"

struct pcsc {
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	int in_tx;
};

static int
map_err(LONG rv)
{
	switch (rv) {
	case SCARD_S_SUCCESS: return 0;
	case SCARD_E_NO_SERVICE: case SCARD_E_SERVICE_STOPPED:
		return CUSTOS_ERR_PCSC;
	case SCARD_E_NO_READERS_AVAILABLE: case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		return CUSTOS_ERR_NO_READER;
	case SCARD_E_NO_SMARTCARD:
		return CUSTOS_ERR_NO_CARD;
	case SCARD_W_REMOVED_CARD: case SCARD_W_RESET_CARD:
	case SCARD_W_UNPOWERED_CARD: case SCARD_W_UNRESPONSIVE_CARD:
		return CUSTOS_ERR_CARD_REMOVED;
	case SCARD_E_SHARING_VIOLATION:
		return CUSTOS_ERR_BUSY;
	case SCARD_E_NO_MEMORY:
		return CUSTOS_ERR_NOMEM;
	case SCARD_E_INSUFFICIENT_BUFFER:
		return CUSTOS_ERR_PROTOCOL;
	}
	return CUSTOS_ERR_IO;
}

int
pcsc_list(struct pcsc_reader *out, size_t max, size_t *n)
{
	SCARDCONTEXT ctx;
	SCARD_READERSTATE st[16];
	char *names = NULL, *p;
	DWORD len = SCARD_AUTOALLOCATE;
	LONG rv;
	size_t i, k = 0;
	int r;

	*n = 0;
	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL,
	    &ctx)) != SCARD_S_SUCCESS)
		return map_err(rv) == CUSTOS_ERR_IO ? CUSTOS_ERR_PCSC :
		    map_err(rv);
	rv = SCardListReaders(ctx, NULL, (LPSTR)&names, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		r = 0;
		goto out;
	}
	if (rv != SCARD_S_SUCCESS) {
		r = map_err(rv);
		goto out;
	}
	memset(st, 0, sizeof(st));
	for (p = names; *p != '\0' && k < max && k < 16; p += strlen(p) + 1) {
		st[k].szReader = p;
		st[k].dwCurrentState = SCARD_STATE_UNAWARE;
		k++;
	}
	rv = SCardGetStatusChange(ctx, 0, st, (DWORD)k);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		r = map_err(rv);
		goto out;
	}
	for (i = 0; i < k; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s",
		    st[i].szReader);
		out[i].card_present =
		    (st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
	}
	*n = k;
	r = 0;
 out:
	if (names != NULL)
		SCardFreeMemory(ctx, names);
	SCardReleaseContext(ctx);
	return r;
}

static int
pcsc_transmit(void *be, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *rlen)
{
	struct pcsc *p = be;
	const SCARD_IO_REQUEST *pci = p->proto == SCARD_PROTOCOL_T1 ?
	    SCARD_PCI_T1 : SCARD_PCI_T0;
	DWORD rl = (DWORD)cap;
	LONG rv;

	rv = SCardTransmit(p->h, pci, cmd, (DWORD)n, NULL, rsp, &rl);
	if (rv != SCARD_S_SUCCESS) {
		int r = map_err(rv);

		/* Mid-operation, a vanished card or reader is a removal. */
		if (r == CUSTOS_ERR_NO_CARD || r == CUSTOS_ERR_NO_READER ||
		    r == CUSTOS_ERR_IO || r == CUSTOS_ERR_PCSC)
			r = CUSTOS_ERR_CARD_REMOVED;
		return r;
	}
	/* No card answers without a status word: the reader lost it (vpcd
	 * does this when its card goes away mid-command). */
	if (rl < 2)
		return CUSTOS_ERR_CARD_REMOVED;
	*rlen = rl;
	return 0;
}

static void
pcsc_close(void *be)
{
	struct pcsc *p = be;

	if (p == NULL)
		return;
	if (p->in_tx)
		(void)SCardEndTransaction(p->h, SCARD_LEAVE_CARD);
	if (p->h)
		(void)SCardDisconnect(p->h, SCARD_LEAVE_CARD);
	(void)SCardReleaseContext(p->ctx);
	free(p);
}

static const struct card_backend pcsc_ops = {
	.transmit = pcsc_transmit,
	.close = pcsc_close,
};

int
pcsc_open(const char *prefix, struct card **out)
{
	struct pcsc_reader rd[16];
	struct pcsc *p = NULL;
	size_t n = 0, i, plen = prefix ? strlen(prefix) : 0;
	const char *name = NULL;
	LONG rv;
	int r;

	*out = NULL;
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return r;
	for (i = 0; i < n && name == NULL; i++) {
		if (prefix != NULL && strncmp(rd[i].name, prefix, plen) != 0)
			continue;
		if (prefix == NULL && !rd[i].card_present)
			continue;
		name = rd[i].name;
	}
	if (name == NULL) {
		if (prefix != NULL || n == 0)
			return CUSTOS_ERR_NO_READER;
		return CUSTOS_ERR_NO_CARD;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return CUSTOS_ERR_NOMEM;
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL,
	    &p->ctx) != SCARD_S_SUCCESS) {
		free(p);
		return CUSTOS_ERR_PCSC;
	}
	rv = SCardConnect(p->ctx, name, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->h, &p->proto);
	if (rv != SCARD_S_SUCCESS) {
		r = map_err(rv);
		p->h = 0;
		goto fail;
	}
	if ((rv = SCardBeginTransaction(p->h)) != SCARD_S_SUCCESS) {
		r = map_err(rv);
		goto fail;
	}
	p->in_tx = 1;
	return card_new(&pcsc_ops, p, name, 0, out);
 fail:
	pcsc_close(p);
	return r;
}

const char *
pcsc_lite_version(void)
{
	return PCSCLITE_VERSION_NUMBER;
}
