/*
 * fuzz_sc_hsm.c - libFuzzer target for the client side of the protocol:
 * random response APDUs (each a 2-byte length and that many bytes) are
 * what the "card" answers to custos's status, DKEK and key-count
 * commands, to the key commands (EF reads in chunks, listing with PrKD
 * and CV request parsing, key generation, wrap, unwrap, signatures), and
 * to 61xx/6Cxx chaining in card_transmit().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cards/card.h"
#include "../../cards/sc_hsm.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../common/secmem.h"

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

static struct sc_hsm_key keys[SC_HSM_MAX_REFS];
static uint8_t blob[8200];

/* The key commands, on whatever the feed answers. */
static void
keys_calls(struct card *c)
{
	struct sc_hsm_key k;
	uint8_t *d = NULL, r32[32];
	char serial[17];
	size_t n = 0, i, bl = 0;
	int ref;

	if (sc_hsm_read_ef(c, 0x2F02, &d, &n) == 0 && n > SC_HSM_EF_MAX)
		__builtin_trap();
	free(d);
	(void)sc_hsm_serial(c, serial);
	if (sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (keys[i].ref < 1 || keys[i].ref > 255)
				__builtin_trap();
			(void)sc_hsm_prove_key(c, &keys[i]);
			sc_hsm_key_clear(&keys[i]);
		}
	}
	(void)sc_hsm_free_ref(c, &ref);
	memset(&k, 0, sizeof(k));
	if (sc_hsm_keygen(c, 1, "prime256v1", 0, "fuzz", NULL, 0, &k) == 0 &&
	    k.pub == NULL)
		__builtin_trap();
	sc_hsm_key_clear(&k);
	if (sc_hsm_wrap_key(c, 1, blob, sizeof(blob), &bl) == 0 &&
	    (bl == 0 || bl > sizeof(blob)))
		__builtin_trap();
	(void)sc_hsm_unwrap_key(c, 1, blob, bl ? bl : 1, 1);
	(void)sc_hsm_delete_key(c, 1);
	(void)sc_hsm_challenge(c, r32, sizeof(r32));
	(void)sc_hsm_change_pin(c, "123456", 6, "654321", 6, &ref);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed f = { data, size };
	struct sc_hsm_status st;
	struct card *c = NULL;
	uint8_t kcv[8], share[32] = { 1 };
	int total, left, n, tries;

	static int init;

	if (!init && secmem_init() == 0)
		init = 1;
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
	keys_calls(c);
	card_close(c);
	return 0;
}
