/* paper.c - print-ready PDF pages: monospace text and a vector QR code. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <qrencode.h>

#include "../common/secmem.h"
#include "../common/utctime.h"
#include "paper.h"

#define PT_PER_MM (72.0 / 25.4)
#define MARGIN (15.0 * PT_PER_MM)	/* every side */
#define FONT "DejaVu Sans Mono"
#define FONT_SIZE 10.0		/* 80 columns are 170 mm wide */
#define LINE (FONT_SIZE * 1.25)
#define ASCENT (FONT_SIZE * 0.95)
#define QR_QUIET 4		/* modules of white around the symbol */
#define QR_MODULE_MAX (0.9 * PT_PER_MM)	/* the side of one module */
#define QR_MODULE_MIN (0.4 * PT_PER_MM)
#define LINE_BYTES (PAPER_COLUMNS * 4 + 1)	/* 80 code points of UTF-8 */

/* The output in guarded memory: the share sheets' words pass through. */
struct sink {
	unsigned char *p;
	size_t len, cap;
	int err;
};

/* One pass over the document: counting pages (cr NULL) or drawing. */
struct lay {
	cairo_t *cr;
	const struct paper_doc *d;
	double w, h, y;
	int page, pages, fresh;
	char line[LINE_BYTES];	/* wiped: it may hold words */
};

int
paper_parse(const char *s, enum paper_size *out)
{
	if (strcasecmp(s, "a4") == 0)
		*out = PAPER_A4;
	else if (strcasecmp(s, "letter") == 0)
		*out = PAPER_LETTER;
	else
		return CUSTOS_ERR_INVALID_ARG;
	return CUSTOS_OK;
}

const char *
paper_name(enum paper_size p)
{
	return p == PAPER_LETTER ? "letter" : "a4";
}

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int n)
{
	struct sink *s = closure;
	unsigned char *np;
	size_t cap;

	if (s->err != CUSTOS_OK)
		return CAIRO_STATUS_WRITE_ERROR;
	if (n > PAPER_MAX - s->len) {
		s->err = CUSTOS_ERR_TOO_LARGE;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (s->len + n > s->cap) {
		for (cap = s->cap ? s->cap : 65536; cap < s->len + n; cap *= 2)
			;
		if ((np = secmem_alloc(cap)) == NULL) {
			s->err = CUSTOS_ERR_NOMEM;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		if (s->len > 0)
			memcpy(np, s->p, s->len);
		secmem_free(s->p);
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	return CAIRO_STATUS_SUCCESS;
}

/* Ends the page: its number at the foot, then the next page. */
static void
page_end(struct lay *l)
{
	char foot[64];

	if (l->cr == NULL)
		return;
	snprintf(foot, sizeof(foot), "Page %d of %d", l->page, l->pages);
	cairo_move_to(l->cr, MARGIN, l->h - MARGIN / 2);
	cairo_show_text(l->cr, foot);
	cairo_show_page(l->cr);
}

/* Room for h points more on this page, or a new page. */
static void
need(struct lay *l, double h)
{
	if (l->page == 0 || (l->y + h > l->h - MARGIN && !l->fresh)) {
		if (l->page > 0)
			page_end(l);
		l->page++;
		l->y = MARGIN;
		l->fresh = 1;
	}
}

/* One line of s[0..n) (at most PAPER_COLUMNS code points). */
static void
put_line(struct lay *l, const char *s, size_t n)
{
	size_t k = n < LINE_BYTES - 1 ? n : LINE_BYTES - 1;	/* put_text()
							   never gives more */

	need(l, LINE);
	if (l->cr != NULL && k > 0) {
		memcpy(l->line, s, k);
		l->line[k] = '\0';
		cairo_move_to(l->cr, MARGIN, l->y + ASCENT);
		cairo_show_text(l->cr, l->line);
	}
	l->y += LINE;
	l->fresh = 0;
}

/* Every line of text, wrapped at PAPER_COLUMNS code points. */
static void
put_text(struct lay *l, const char *text)
{
	const char *p = text, *e;
	size_t i, cols;

	while (*p != '\0') {
		for (e = p; *e != '\0' && *e != '\n'; e++)
			;
		do {
			/* at most PAPER_COLUMNS code points, and never more
			   bytes than a line holds (stray continuation bytes) */
			for (i = 0, cols = 0; p + i < e && i < LINE_BYTES - 1;
			    i++) {
				if (((unsigned char)p[i] & 0xc0) != 0x80 &&
				    cols++ == PAPER_COLUMNS)
					break;
			}
			put_line(l, p, i);
			p += i;
		} while (p < e);
		p = *e == '\n' ? e + 1 : e;
	}
}

/* The QR code below a caption, centred; module side m. */
static void
put_qr(struct lay *l, const QRcode *qr, double m)
{
	double side = (qr->width + 2 * QR_QUIET) * m, x0, y0;
	int x, y;

	need(l, LINE + side);
	if (l->d->qr_caption != NULL)
		put_text(l, l->d->qr_caption);
	if (l->cr != NULL) {
		x0 = (l->w - side) / 2 + QR_QUIET * m;
		y0 = l->y + QR_QUIET * m;
		for (y = 0; y < qr->width; y++)
			for (x = 0; x < qr->width; x++)
				if (qr->data[y * qr->width + x] & 1)
					cairo_rectangle(l->cr, x0 + x * m,
					    y0 + y * m, m, m);
		cairo_fill(l->cr);
	}
	l->y += side;
	l->fresh = 0;
}

/* One pass over the whole document. */
static void
lay_out(struct lay *l, const QRcode *qr, double m)
{
	l->page = 0;
	l->fresh = 0;
	need(l, 0);
	if (l->d->head != NULL)
		put_text(l, l->d->head);
	if (qr != NULL)
		put_qr(l, qr, m);
	if (l->d->tail != NULL)
		put_text(l, l->d->tail);
	page_end(l);
	l->pages = l->page;
}

/* The page size, the QR code and its module side (checked to fit). */
static int
prepare(const struct paper_doc *d, struct lay *l, QRcode **qr, double *m)
{
	double room;
	int total;

	l->d = d;
	l->w = d->size == PAPER_LETTER ? 612.0 : 210.0 * PT_PER_MM;
	l->h = d->size == PAPER_LETTER ? 792.0 : 297.0 * PT_PER_MM;
	*qr = NULL;
	*m = 0;
	if (d->created == NULL || !utctime_valid(d->created))
		return CUSTOS_ERR_INVALID_ARG;
	if (d->qr == NULL)
		return CUSTOS_OK;
	if ((*qr = QRcode_encodeString(d->qr, 0, QR_ECLEVEL_M, QR_MODE_8, 1))
	    == NULL)
		return CUSTOS_ERR_CRYPTO;
	total = (*qr)->width + 2 * QR_QUIET;
	room = l->w - 2 * MARGIN;
	if (l->h - 2 * MARGIN - LINE < room)
		room = l->h - 2 * MARGIN - LINE;
	*m = room / total < QR_MODULE_MAX ? room / total : QR_MODULE_MAX;
	return *m < QR_MODULE_MIN ? CUSTOS_ERR_TOO_LARGE : CUSTOS_OK;
}

/* The font, checked to be monospaced (a stand-in font would break the
   columns of the sheets). */
static int
set_font(cairo_t *cr)
{
	cairo_text_extents_t i, w;

	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, FONT_SIZE);
	cairo_text_extents(cr, "i", &i);
	cairo_text_extents(cr, "W", &w);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return CUSTOS_ERR_INTERNAL;
	return i.x_advance == w.x_advance && i.x_advance > 0 ? CUSTOS_OK :
	    CUSTOS_ERR_UNSUPPORTED;
}

int
paper_render(unsigned char **out, size_t *len, const struct paper_doc *d)
{
	struct sink s = { NULL, 0, 0, CUSTOS_OK };
	cairo_surface_t *sf = NULL;
	cairo_t *cr = NULL;
	struct lay *l = NULL;
	QRcode *qr = NULL;
	double m = 0;
	int r;

	*out = NULL;
	*len = 0;
	if ((l = secmem_alloc(sizeof(*l))) == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = prepare(d, l, &qr, &m)) != CUSTOS_OK)
		goto out;
	lay_out(l, qr, m);	/* counts the pages */
	sf = cairo_pdf_surface_create_for_stream(sink_write, &s, l->w, l->h);
	/* The dates are the document's, so that a render is repeatable. */
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATE_DATE,
	    d->created);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_MOD_DATE,
	    d->created);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR,
	    "custos");
	if (d->title != NULL)
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE,
		    d->title);
	cr = cairo_create(sf);
	if ((r = set_font(cr)) != CUSTOS_OK)
		goto out;
	cairo_set_source_rgb(cr, 0, 0, 0);
	l->cr = cr;
	lay_out(l, qr, m);
	cairo_destroy(cr);
	cr = NULL;
	cairo_surface_finish(sf);
	r = s.err != CUSTOS_OK ? s.err : cairo_surface_status(sf) !=
	    CAIRO_STATUS_SUCCESS ? CUSTOS_ERR_INTERNAL : CUSTOS_OK;
	if (r == CUSTOS_OK) {
		*out = s.p;
		*len = s.len;
		s.p = NULL;
	}
 out:
	if (cr != NULL)
		cairo_destroy(cr);
	if (sf != NULL)
		cairo_surface_destroy(sf);
	if (qr != NULL) {
		secmem_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
		QRcode_free(qr);
	}
	secmem_free(s.p);
	secmem_free(l);
	return r;
}
