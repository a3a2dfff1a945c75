/*
 * tlv.h - BER-TLV as the SmartCard-HSM uses it (ISO 7816-4 / ASN.1 DER):
 * tags of one to three bytes, definite lengths of up to three bytes.
 * Parsers take bytes and do no I/O.
 */
#ifndef CUSTOS_TLV_H
#define CUSTOS_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

/* A growable output buffer; wiped when freed. Errors are sticky. */
struct tlv_buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

/* Starts an empty buffer (no allocation yet). */
void tlv_init(struct tlv_buf *b);

/* Wipes and frees the buffer; accepts a zeroed or freed one. */
void tlv_free(struct tlv_buf *b);

/* Appends raw bytes. */
void tlv_raw(struct tlv_buf *b, const void *v, size_t len);

/* Appends tag, length and value. */
void tlv_put(struct tlv_buf *b, uint32_t tag, const void *v, size_t len);

/* Appends a primitive tag holding one byte. */
void tlv_put_u8(struct tlv_buf *b, uint32_t tag, uint8_t v);

/*
 * Opens a constructed tag; returns a mark for tlv_end(), which fills in
 * the length of everything appended since.
 */
size_t tlv_begin(struct tlv_buf *b, uint32_t tag);
void tlv_end(struct tlv_buf *b, size_t mark);

/*
 * Returns 0 and the buffer's error state: CUSTOS_ERR_NOMEM or
 * CUSTOS_ERR_TOO_LARGE if any append failed.
 */
int tlv_error(const struct tlv_buf *b) CUSTOS_WUR;

/*
 * Reads one TLV from *p (*left bytes), advancing both. Returns 0,
 * CUSTOS_ERR_TRUNCATED (runs past the end) or CUSTOS_ERR_FORMAT.
 */
int tlv_next(const uint8_t **p, size_t *left, uint32_t *tag,
    const uint8_t **val, size_t *vlen) CUSTOS_WUR;

/*
 * Finds the first TLV with tag among the siblings in buf[0..len).
 * Returns 0, CUSTOS_ERR_NOT_FOUND, or a tlv_next() error.
 */
int tlv_find(const uint8_t *buf, size_t len, uint32_t tag,
    const uint8_t **val, size_t *vlen) CUSTOS_WUR;

/* Big-endian unsigned value of v[0..len) (len <= 4). */
uint32_t tlv_uint(const uint8_t *v, size_t len);

#endif
