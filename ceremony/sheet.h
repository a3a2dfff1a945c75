/*
 * sheet.h - a custodian's printed sheet for one M-of-N share: plain
 * text of at most 80 columns with the ceremony, custodian, share index,
 * threshold, split identifier and share fingerprint, then either the
 * SLIP-39 words numbered in groups of three for reading aloud plus a QR
 * code of the mnemonic (Unicode half-blocks, libqrencode), or an
 * sc-hsm-tool password share exactly as sc-hsm-tool prints it.
 *
 * The sheet holds a secret: it is built in guarded memory (secmem_free it)
 * and only ever written to a file, never to the terminal.
 */
#ifndef CUSTOS_SHEET_H
#define CUSTOS_SHEET_H

#include <stddef.h>

#include "../common/err.h"
#include "paper.h"

#define SHEET_MAX 16384		/* bytes of a sheet, NUL included */
#define SHEET_COLUMNS 80

/* The public facts printed at the top of a sheet (NULL: not shown). */
struct sheet_info {
	const char *kind;	/* "SLIP-39 mnemonic share", ... */
	const char *ceremony;	/* ceremony title and/or id */
	const char *custodian;
	unsigned int index;	/* 1-based */
	unsigned int count;	/* N; 0: unknown */
	unsigned int threshold;	/* M */
	const char *identifier;	/* the split's identifier */
	const char *fingerprint;	/* of the DKEK share, grouped hex */
	const char *created;	/* UTC time */
	const char *file;	/* the share file the share opens */
	const char *note;	/* a closing paragraph, may hold '\n' */
};

/*
 * Builds the sheet of a SLIP-39 mnemonic into *out (guarded memory,
 * NUL-terminated; *len without the NUL). qr non-zero adds the QR code.
 * Returns 0, CUSTOS_ERR_NOMEM, CUSTOS_ERR_TOO_LARGE, CUSTOS_ERR_FORMAT
 * (mnemonic not 20..33 words) or CUSTOS_ERR_CRYPTO (QR encoding failed).
 */
int sheet_mnemonic(char **out, size_t *len, const struct sheet_info *si,
    const char *mnemonic, int qr) CUSTOS_WUR;

/*
 * Builds the sheet of an sc-hsm-tool password share: the facts, then
 * block (pwshare_format()'s text) unchanged. Returns 0, CUSTOS_ERR_NOMEM
 * or CUSTOS_ERR_TOO_LARGE.
 */
int sheet_pwshare(char **out, size_t *len, const struct sheet_info *si,
    const char *block) CUSTOS_WUR;

/*
 * The same sheets as print-ready PDF (paper.h) into *out (guarded memory,
 * secmem_free it), *len bytes: the facts, the words numbered in groups of
 * three and the note as on the text sheet, in a monospace font; a SLIP-39
 * sheet's QR code (qr non-zero) drawn as vectors, of the same upper-case
 * text as the text sheet's. when (YYYY-MM-DDTHH:MM:SSZ, the sheet's
 * creation) dates the PDF, so that the same sheet gives the same bytes.
 * Same errors as the text sheets, and paper_render()'s.
 */
int sheet_mnemonic_pdf(unsigned char **out, size_t *len,
    const struct sheet_info *si, const char *mnemonic, int qr,
    enum paper_size paper, const char *when) CUSTOS_WUR;
int sheet_pwshare_pdf(unsigned char **out, size_t *len,
    const struct sheet_info *si, const char *block, enum paper_size paper,
    const char *when) CUSTOS_WUR;

#endif
