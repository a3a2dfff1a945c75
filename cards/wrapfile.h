/*
 * wrapfile.h - the file `sc-hsm-tool --wrap-key` writes and
 * `--unwrap-key` reads: DER 30 { 04 <key blob>, <EF C4xx content>,
 * <EF CExx content> }, the last two present when the device had them.
 * sc-hsm-tool takes the second and third elements by position; so does
 * this parser. Pure: no I/O.
 */
#ifndef CUSTOS_WRAPFILE_H
#define CUSTOS_WRAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "tlv.h"

#define WRAPFILE_MAX 16384	/* larger than any blob, PrKD and cert */

/* The parts of a wrap file; pointers point into the parsed buffer. */
struct wrapfile {
	const uint8_t *blob;	/* the key blob (value of 04) */
	size_t blob_len;
	const uint8_t *prkd;	/* whole TLV, or NULL */
	size_t prkd_len;
	const uint8_t *cert;	/* whole TLV, or NULL */
	size_t cert_len;
};

/*
 * Appends the wrap file for blob (non-empty) and the optional prkd and
 * cert TLVs (each taken as the whole TLV, NULL/0 when absent; a cert
 * without a PrKD is refused since the reader goes by position) to b.
 * Returns 0, CUSTOS_ERR_INVALID_ARG or the buffer's error.
 */
int wrapfile_encode(struct tlv_buf *b, const uint8_t *blob, size_t blob_len,
    const uint8_t *prkd, size_t prkd_len, const uint8_t *cert,
    size_t cert_len) CUSTOS_WUR;

/*
 * Parses d[0..n): one outer SEQUENCE filling the input exactly, whose
 * first element is an OCTET STRING holding the blob and which has at
 * most two more elements, each a complete TLV. Returns 0,
 * CUSTOS_ERR_TOO_LARGE (n > WRAPFILE_MAX), CUSTOS_ERR_TRUNCATED or
 * CUSTOS_ERR_FORMAT.
 */
int wrapfile_parse(const uint8_t *d, size_t n, struct wrapfile *w)
    CUSTOS_WUR;

#endif
