/*
 * pkafile.h - the file that carries a custodian's public key for public
 * key authentication (.pka): the key's authenticated CV request and the
 * certificate chain of the device that made it, so that the HSM it is
 * registered on can check that the key lives in a genuine device. Two
 * forms are read (docs/formats/pka.md): sc-hsm-tool's
 * (--export-for-pub-key-auth: SEQUENCE { request 67, device 7F21,
 * issuer 7F21 }), which custos writes, and the Smart Card Shell's
 * (SEQUENCE { OID 1.3.6.1.4.1.24991.4.3.1, [APPLICATION 1] issuer,
 * [APPLICATION 2] device, [APPLICATION 3] request }).
 */
#ifndef CUSTOS_PKAFILE_H
#define CUSTOS_PKAFILE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"
#include "tlv.h"

struct pkafile {
	const uint8_t *req, *dev, *dica;	/* whole TLVs, into the buffer */
	size_t req_len, dev_len, dica_len;
	int scsh;				/* the Smart Card Shell's form */
};

/* What a checked .pka says about the key and its device. */
struct pka_facts {
	char key_chr[17];	/* the key's holder reference */
	char dev_chr[17];	/* the device certificate's holder reference */
	char serial[17];	/* the device serial (dev_chr less its
				   5-digit sequence number, as OpenSC) */
	char dica_chr[17], root_chr[17];
	int emulated;		/* the chain ends in the emulator's root */
	uint8_t fpr[32];	/* SHA-256 of the key's SubjectPublicKeyInfo */
	char kind[24];		/* "EC prime256v1" */
	EVP_PKEY *pub;		/* the key (owned; pka_facts_clear) */
};

/*
 * Parses a .pka (either form) in buf[0..len); f points into buf. Returns
 * 0, CUSTOS_ERR_TRUNCATED, CUSTOS_ERR_FORMAT (not a .pka, or bytes after
 * it).
 */
int pkafile_parse(const uint8_t *buf, size_t len, struct pkafile *f)
    CUSTOS_WUR;

/*
 * Checks f: the issuer against a known root (cvc_roots.h), the device
 * certificate against the issuer, the request's outer signature against
 * the device key and its inner one against its own key (EC, at most 256
 * bits: the answer is a SHA-256 signature). Returns 0 with *out filled,
 * CUSTOS_ERR_NOT_FOUND (the chain ends in a root custos does not know),
 * CUSTOS_ERR_CORRUPT (a signature does not verify: altered, or not made
 * by that device), CUSTOS_ERR_UNSUPPORTED (not an EC key of at most 256
 * bits), CUSTOS_ERR_FORMAT.
 */
int pkafile_verify(const struct pkafile *f, struct pka_facts *out)
    CUSTOS_WUR;

/* Frees out->pub and clears out; accepts NULL. */
void pka_facts_clear(struct pka_facts *out);

/*
 * Builds sc-hsm-tool's form from a key's request (EF CExx, one TLV) and
 * the device's EF 2F02 (device certificate, then issuer's). Returns 0 or
 * CUSTOS_ERR_FORMAT / the buffer's error.
 */
int pkafile_build(const uint8_t *req, size_t req_len, const uint8_t *chain,
    size_t chain_len, struct tlv_buf *out) CUSTOS_WUR;

#endif
