/*
 * paper.h - print-ready PDF pages (cairo's PDF surface): lines of text in
 * a monospace font (DejaVu Sans Mono, 80 columns to the line) and, where
 * asked, a QR code drawn as vectors (one filled square per dark module, a
 * 4-module quiet zone, libqrencode, error correction M), on A4 or US
 * Letter. The share sheets, the audit sign-off sheet and the ceremony's
 * closing summary are printed from these.
 *
 * The document is built in guarded memory (secmem): a share sheet holds
 * the custodian's words. cairo's own internal buffers (glyph strings,
 * compressed streams) are outside our control and are not wiped: a known
 * limit, documented in docs/user-guide.md.
 *
 * Rendering is deterministic: the same document gives the same bytes (the
 * PDF's dates are the document's own time, never "now").
 */
#ifndef CUSTOS_PAPER_H
#define CUSTOS_PAPER_H

#include <stddef.h>

#include "../common/err.h"

#define PAPER_COLUMNS 80	/* code points a line holds; longer ones wrap */
#define PAPER_MAX (16UL * 1024 * 1024)	/* bytes of one PDF */

enum paper_size { PAPER_A4 = 0, PAPER_LETTER };

/* "a4" or "letter" (any case) into *out. Returns 0 or
   CUSTOS_ERR_INVALID_ARG. */
int paper_parse(const char *s, enum paper_size *out) CUSTOS_WUR;

/* "a4" or "letter". */
const char *paper_name(enum paper_size p);

/* What one PDF holds, in this order: head, the QR code, tail. */
struct paper_doc {
	enum paper_size size;
	const char *title;	/* the PDF's title (metadata), or NULL */
	const char *created;	/* YYYY-MM-DDTHH:MM:SSZ: the PDF's creation
				   and modification dates (required) */
	const char *head;	/* UTF-8 lines ('\n'), or NULL */
	const char *qr;		/* the QR code's text, or NULL: none */
	const char *qr_caption;	/* a line above the QR code, or NULL */
	const char *tail;	/* UTF-8 lines after it, or NULL */
};

/*
 * Renders d as a PDF into *out (guarded memory, free with secmem_free())
 * of *len bytes; pages are added as the text needs them, each with its
 * number at the foot. Returns 0, CUSTOS_ERR_INVALID_ARG (no or bad
 * created time), CUSTOS_ERR_NOMEM, CUSTOS_ERR_TOO_LARGE (over PAPER_MAX,
 * or a QR code whose modules would be under 0.4 mm), CUSTOS_ERR_CRYPTO
 * (QR encoding failed: more than a QR code holds), CUSTOS_ERR_UNSUPPORTED
 * (the font found for "DejaVu Sans Mono"
 * is not monospaced: install fonts-dejavu-core) or CUSTOS_ERR_INTERNAL
 * (cairo failed).
 */
int paper_render(unsigned char **out, size_t *len, const struct paper_doc *d)
    CUSTOS_WUR;

#endif
