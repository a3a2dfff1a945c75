/*
 * fuzz_wrapfile.c - libFuzzer target for what custos reads from a wrap
 * file or a card's EF: the wrap file parser, the PKCS#15 PrKD parser (and
 * that what it accepts re-encodes to something that parses the same),
 * the public key in a CV request or certificate, and the key blob header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../cards/keyblob.h"
#include "../../cards/prkd.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../cards/wrapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
prkd_round_trip(const uint8_t *d, size_t n)
{
	struct prkd p, q;
	struct tlv_buf b;

	if (prkd_parse(d, n, &p) != 0)
		return;
	if (p.id_len > PRKD_ID_MAX || strlen(p.label) > PRKD_LABEL_MAX)
		__builtin_trap();
	tlv_init(&b);
	if (prkd_encode(&p, &b) == 0) {
		if (prkd_parse(b.p, b.len, &q) != 0 || q.type != p.type ||
		    q.key_ref != p.key_ref || q.bits != p.bits ||
		    q.id_len != p.id_len || memcmp(q.id, p.id, p.id_len) != 0 ||
		    strcmp(q.label, p.label) != 0)
			__builtin_trap();
	}
	tlv_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrapfile w;
	struct keyblob_info bi;
	EVP_PKEY *pub = NULL;

	prkd_round_trip(data, size);
	if (sc_hsm_pub_from_ce(data, size, &pub) == 0 && pub == NULL)
		__builtin_trap();
	EVP_PKEY_free(pub);
	if (wrapfile_parse(data, size, &w) != 0)
		return 0;
	if (w.blob == NULL || w.blob < data || w.blob + w.blob_len >
	    data + size || (w.cert != NULL && w.prkd == NULL))
		__builtin_trap();
	(void)keyblob_parse(w.blob, w.blob_len, &bi);
	if (w.prkd != NULL)
		prkd_round_trip(w.prkd, w.prkd_len);
	if (w.cert != NULL) {
		pub = NULL;
		(void)sc_hsm_pub_from_ce(w.cert, w.cert_len, &pub);
		EVP_PKEY_free(pub);
	}
	return 0;
}
