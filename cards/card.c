/* card.c - the card interface, response chaining, backend selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/secmem.h"
#include "card.h"
#include "emu/emu_card.h"
#include "pcsc.h"

struct card {
	const struct card_backend *ops;
	void *be;
	char reader[160];
	int emulated;
	int domain;		/* the key domain commands address; -1 none */
};

int
card_new(const struct card_backend *ops, void *be, const char *reader,
    int emulated, struct card **out)
{
	struct card *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ops->close(be);
		return CUSTOS_ERR_NOMEM;
	}
	c->ops = ops;
	c->be = be;
	snprintf(c->reader, sizeof(c->reader), "%s", reader);
	c->emulated = emulated;
	c->domain = -1;
	*out = c;
	return 0;
}

void
card_set_domain(struct card *c, int domain)
{
	c->domain = domain;
}

int
card_domain(const struct card *c)
{
	return c->domain;
}

int
card_open(const char *spec, struct card **out)
{
	int r;

	*out = NULL;
	if (spec == NULL || strcmp(spec, "auto") == 0) {
		r = pcsc_open(NULL, out);
		if (r == CUSTOS_ERR_PCSC || r == CUSTOS_ERR_NO_READER ||
		    r == CUSTOS_ERR_NO_CARD)
			r = emu_card_open("primary", out);
		return r;
	}
	if (strcmp(spec, "pcsc") == 0)
		return pcsc_open(NULL, out);
	if (strncmp(spec, "pcsc:", 5) == 0 && spec[5] != '\0')
		return pcsc_open(spec + 5, out);
	if (strncmp(spec, "emu:", 4) == 0 && spec[4] != '\0')
		return emu_card_open(spec + 4, out);
	return CUSTOS_ERR_INVALID_ARG;
}

/* One exchange: data into rsp at *off, status word out. */
static int
exchange(struct card *c, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *off, uint16_t *sw, uint8_t *tmp, size_t tmpcap)
{
	size_t rl = 0, dl;
	int r;

	if ((r = c->ops->transmit(c->be, cmd, n, tmp, tmpcap, &rl)) != 0)
		return r;
	if (rl < 2)
		return CUSTOS_ERR_PROTOCOL;
	dl = rl - 2;
	*sw = (uint16_t)((tmp[dl] << 8) | tmp[dl + 1]);
	if (dl > cap - *off)
		return CUSTOS_ERR_PROTOCOL;
	memcpy(rsp + *off, tmp, dl);
	*off += dl;
	return 0;
}

int
card_transmit(struct card *c, const struct apdu *a, uint8_t *rsp,
    size_t cap, size_t *rlen, uint16_t *sw)
{
	const size_t tmpcap = APDU_MAX_NE + 2;
	uint8_t *cmd = NULL, *tmp = NULL;
	size_t n = 0, off = 0;
	struct apdu again;
	int r, rounds;

	*rlen = 0;
	cmd = malloc(APDU_MAX_LEN);
	tmp = malloc(tmpcap);
	if (cmd == NULL || tmp == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if ((r = apdu_encode(a, 0, cmd, APDU_MAX_LEN, &n)) != 0)
		goto out;
	if ((r = exchange(c, cmd, n, rsp, cap, &off, sw, tmp, tmpcap)) != 0)
		goto out;
	if ((*sw & 0xff00) == 0x6c00) {
		again = *a;
		again.ne = (*sw & 0xff) ? (*sw & 0xff) : 256;
		if ((r = apdu_encode(&again, 0, cmd, APDU_MAX_LEN, &n)) != 0)
			goto out;
		off = 0;
		if ((r = exchange(c, cmd, n, rsp, cap, &off, sw, tmp,
		    tmpcap)) != 0)
			goto out;
	}
	for (rounds = 0; (*sw & 0xff00) == 0x6100; rounds++) {
		uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, 0x00 };

		if (rounds > 1024) {
			r = CUSTOS_ERR_PROTOCOL;
			goto out;
		}
		gr[4] = (uint8_t)(*sw & 0xff);
		if ((r = exchange(c, gr, sizeof(gr), rsp, cap, &off, sw, tmp,
		    tmpcap)) != 0)
			goto out;
	}
	*rlen = off;
	r = 0;
 out:
	if (cmd != NULL) {
		secmem_wipe(cmd, APDU_MAX_LEN);
		free(cmd);
	}
	if (tmp != NULL) {
		secmem_wipe(tmp, tmpcap);
		free(tmp);
	}
	return r;
}

void
card_close(struct card *c)
{
	if (c == NULL)
		return;
	c->ops->close(c->be);
	secmem_wipe(c, sizeof(*c));
	free(c);
}

const char *
card_reader(const struct card *c)
{
	return c->reader;
}

int
card_is_emulated(const struct card *c)
{
	return c->emulated;
}
