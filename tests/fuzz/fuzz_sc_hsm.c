/*
 * fuzz_sc_hsm.c - libFuzzer target for the client side of the protocol:
 * random response APDUs (each a 2-byte length and that many bytes) are
 * what the "card" answers to custos's status, DKEK and key-count
 * commands, including 61xx/6Cxx chaining in card_transmit().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../cards/card.h"
#include "../../cards/sc_hsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *p;
	size_t left;
};

static int
feed_transmit(void *be, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *rlen)
{
	struct feed *f = be;
	size_t len;

	(void)cmd;
	(void)n;
	if (f->left < 2)
		return CUSTOS_ERR_CARD_REMOVED;
	len = ((size_t)f->p[0] << 8) | f->p[1];
	f->p += 2;
	f->left -= 2;
	if (len > f->left)
		len = f->left;
	if (len > cap)
		return CUSTOS_ERR_PROTOCOL;
	memcpy(rsp, f->p, len);
	f->p += len;
	f->left -= len;
	*rlen = len;
	return 0;
}

static void
feed_close(void *be)
{
	(void)be;
}

static const struct card_backend feed_ops = { feed_transmit, feed_close };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed f = { data, size };
	struct sc_hsm_status st;
	struct card *c = NULL;
	uint8_t kcv[8], share[32] = { 1 };
	int total, left, n, tries;

	if (card_new(&feed_ops, &f, "fuzz", 0, &c) != 0)
		return 0;
	if (sc_hsm_status(c, &st) == 0 &&
	    (st.fw_major < 0 || st.fw_major > 255))
		__builtin_trap();
	if (sc_hsm_import_share(c, share, &total, &left, kcv) == 0 &&
	    (total < 0 || total > 255 || left < 0 || left > 255))
		__builtin_trap();
	(void)sc_hsm_count_keys(c, &n);
	(void)sc_hsm_verify_pin(c, "123456", 6, &tries);
	(void)sc_hsm_dkek_query(c, &total, &left, kcv);
	card_close(c);
	return 0;
}
