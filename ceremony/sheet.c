/* sheet.c - custodians' share sheets, with a QR code. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "../common/secmem.h"
#include "sheet.h"

struct buf {
	char *p;
	size_t len;
	int err;
};

static void
put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n = -1;

	va_start(ap, fmt);
	if (b->err == CUSTOS_OK)
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
		n = vsnprintf(b->p + b->len, SHEET_MAX - b->len, fmt, ap);
	va_end(ap);
	if (b->err != CUSTOS_OK)
		return;
	if (n < 0 || (size_t)n >= SHEET_MAX - b->len) {
		b->err = CUSTOS_ERR_TOO_LARGE;
		return;
	}
	b->len += (size_t)n;
}

static void
rule(struct buf *b, char c)
{
	char line[SHEET_COLUMNS + 2];

	memset(line, c, SHEET_COLUMNS);
	line[SHEET_COLUMNS] = '\n';
	line[SHEET_COLUMNS + 1] = '\0';
	put(b, "%s", line);
}

static void
header(struct buf *b, const struct sheet_info *si)
{
	rule(b, '=');
	put(b, "CUSTOS DKEK SHARE SHEET: %-40.40s KEEP SECRET\n", si->kind);
	rule(b, '=');
	if (si->ceremony != NULL)
		put(b, "Ceremony:          %.60s\n", si->ceremony);
	if (si->custodian != NULL)
		put(b, "Custodian:         %.60s\n", si->custodian);
	if (si->count > 0)
		put(b, "Share:             %u of %u (any %u of the %u rebuild "
		    "the DKEK share)\n", si->index, si->count, si->threshold,
		    si->count);
	else
		put(b, "Share:             member %u (any %u of the split "
		    "rebuild the DKEK share)\n", si->index, si->threshold);
	if (si->identifier != NULL)
		put(b, "Identifier:        %.60s\n", si->identifier);
	if (si->fingerprint != NULL)
		put(b, "Share fingerprint: %.60s\n", si->fingerprint);
	if (si->file != NULL)
		put(b, "Share file:        %.60s\n", si->file);
	if (si->created != NULL)
		put(b, "Created:           %.60s\n", si->created);
	put(b, "\n");
}

static void
footer(struct buf *b, const struct sheet_info *si)
{
	if (si->note != NULL)
		put(b, "\n%s\n", si->note);
	rule(b, '-');
}

static const char qr_caption[] = "QR code of the mnemonic (upper case; "
    "scan only on the offline laptop):";

/* The mnemonic in upper case (QR alphanumeric mode), guarded, or NULL. */
static char *
upper(const char *mnemonic)
{
	size_t i, n = strlen(mnemonic);
	char *up;

	if ((up = secmem_alloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		up[i] = (char)((mnemonic[i] >= 'a' && mnemonic[i] <= 'z') ?
		    mnemonic[i] - 'a' + 'A' : mnemonic[i]);
	return up;
}

/* Appends a QR code of text (upper case: alphanumeric mode) in half-blocks. */
static int
qr_block(struct buf *b, const char *mnemonic)
{
	static const char *const cell[4] = { " ", "\xe2\x96\x80",
	    "\xe2\x96\x84", "\xe2\x96\x88" };	/* none, top, bottom, both */
	QRcode *qr = NULL;
	char *up;
	int x, y, w, quiet = 4, r = CUSTOS_ERR_NOMEM;

	if ((up = upper(mnemonic)) == NULL)
		return r;
	r = CUSTOS_ERR_CRYPTO;
	if ((qr = QRcode_encodeString(up, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		goto out;
	w = qr->width;
	if (w + 2 * quiet > SHEET_COLUMNS)
		quiet = (SHEET_COLUMNS - w) / 2;
	if (quiet < 1) {
		put(b, "(no QR code: the symbol is wider than %d columns)\n",
		    SHEET_COLUMNS);
		r = CUSTOS_OK;
		goto out;
	}
	put(b, "%s\n", qr_caption);
	for (y = -quiet; y < w + quiet; y += 2) {
		for (x = -quiet; x < w + quiet; x++) {
			int top = 0, bot = 0;

			if (x >= 0 && x < w && y >= 0 && y < w)
				top = qr->data[y * w + x] & 1;
			if (x >= 0 && x < w && y + 1 >= 0 && y + 1 < w)
				bot = qr->data[(y + 1) * w + x] & 1;
			put(b, "%s", cell[top | (bot << 1)]);
		}
		put(b, "\n");
	}
	r = CUSTOS_OK;
 out:
	if (qr != NULL) {
		secmem_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
		QRcode_free(qr);
	}
	secmem_free(up);
	return r;
}

/* Appends the words, numbered, three to a group, one group per line. */
static int
words_block(struct buf *b, const char *mnemonic)
{
	char word[16];
	const char *p = mnemonic;
	unsigned int n = 0;
	size_t k;

	put(b, "Words (read them aloud one group at a time):\n\n");
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (k = 0; p[k] != '\0' && p[k] != ' '; k++)
			;
		if (k >= sizeof(word))
			return CUSTOS_ERR_FORMAT;
		memcpy(word, p, k);
		word[k] = '\0';
		p += k;
		if (n % 3 == 0)
			put(b, "  Group %2u:  ", n / 3 + 1);
		if (n % 3 == 2)
			put(b, "%2u %s\n", n + 1, word);
		else
			put(b, "%2u %-10s   ", n + 1, word);
		n++;
	}
	if (n % 3 != 0)
		put(b, "\n");
	secmem_wipe(word, sizeof(word));
	if (n < 20 || n > 33)
		return CUSTOS_ERR_FORMAT;
	put(b, "\n");
	return CUSTOS_OK;
}

/* An sc-hsm-tool password share as sc-hsm-tool prints it. */
static int
pw_body(struct buf *b, const char *block)
{
	put(b, "As sc-hsm-tool prints it (type these lines when it asks):"
	    "\n\n%s", block);
	return CUSTOS_OK;
}

static int
finish(struct buf *b, char **out, size_t *len)
{
	if (b->err != CUSTOS_OK) {
		secmem_free(b->p);
		return b->err;
	}
	*out = b->p;
	*len = b->len;
	return CUSTOS_OK;
}

int
sheet_mnemonic(char **out, size_t *len, const struct sheet_info *si,
    const char *mnemonic, int qr)
{
	struct buf b = { NULL, 0, CUSTOS_OK };
	int r;

	*out = NULL;
	*len = 0;
	if ((b.p = secmem_alloc(SHEET_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	header(&b, si);
	if ((r = words_block(&b, mnemonic)) != CUSTOS_OK ||
	    (qr && (r = qr_block(&b, mnemonic)) != CUSTOS_OK)) {
		secmem_free(b.p);
		return r;
	}
	footer(&b, si);
	return finish(&b, out, len);
}

int
sheet_pwshare(char **out, size_t *len, const struct sheet_info *si,
    const char *block)
{
	struct buf b = { NULL, 0, CUSTOS_OK };

	*out = NULL;
	*len = 0;
	if ((b.p = secmem_alloc(SHEET_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	header(&b, si);
	(void)pw_body(&b, block);
	footer(&b, si);
	return finish(&b, out, len);
}

/* The PDF of a sheet whose body (after the facts) is made by body(). */
static int
pdf(unsigned char **out, size_t *len, const struct sheet_info *si,
    const char *secret, int qr, enum paper_size paper, const char *when,
    int (*body)(struct buf *, const char *))
{
	struct buf h = { NULL, 0, CUSTOS_OK }, t = { NULL, 0, CUSTOS_OK };
	struct paper_doc d;
	char *up = NULL;
	int r = CUSTOS_ERR_NOMEM;

	*out = NULL;
	*len = 0;
	if ((h.p = secmem_alloc(SHEET_MAX)) == NULL ||
	    (t.p = secmem_alloc(SHEET_MAX)) == NULL ||
	    (qr && (up = upper(secret)) == NULL))
		goto out;
	header(&h, si);
	if ((r = body(&h, secret)) != CUSTOS_OK)
		goto out;
	footer(&t, si);
	if ((r = h.err != CUSTOS_OK ? h.err : t.err) != CUSTOS_OK)
		goto out;
	memset(&d, 0, sizeof(d));
	d.size = paper;
	d.title = si->kind;
	d.created = when;
	d.head = h.p;
	d.qr = up;
	d.qr_caption = qr ? qr_caption : NULL;
	d.tail = t.p;
	r = paper_render(out, len, &d);
 out:
	secmem_free(up);
	secmem_free(t.p);
	secmem_free(h.p);
	return r;
}

int
sheet_mnemonic_pdf(unsigned char **out, size_t *len,
    const struct sheet_info *si, const char *mnemonic, int qr,
    enum paper_size paper, const char *when)
{
	return pdf(out, len, si, mnemonic, qr, paper, when, words_block);
}

int
sheet_pwshare_pdf(unsigned char **out, size_t *len,
    const struct sheet_info *si, const char *block, enum paper_size paper,
    const char *when)
{
	return pdf(out, len, si, block, 0, paper, when, pw_body);
}
