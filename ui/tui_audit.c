/*
 * tui_audit.c - the audit view: a ceremony directory verified (chain,
 * signatures, rules, closing signature) and its timeline browsed record by
 * record. Only the records that verified are shown, under the verdict.
 * The same pager shows a text (the closing summary) as it is.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/audit.h"
#include "../ceremony/verify.h"
#include "../common/encode.h"
#include "../common/textwrap.h"
#include "cli.h"
#include "tui.h"
#include "tui_walk.h"

struct lines {
	char **l;
	size_t n, cap;
};

/*
 * Every line pushed is owned by ls and freed by lines_free(). GCC 12's
 * -fanalyzer loses ls on the path tui_text_view -> pager -> (resize)
 * layout -> header, a path a text view never takes (header is the audit
 * view's), and reports the lines as leaked: a false positive.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
static int
push(struct lines *ls, const char *s, size_t n)
{
	char **nl;

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 256;
		if ((nl = realloc(ls->l, ls->cap * sizeof(*nl))) == NULL)
			return CUSTOS_ERR_NOMEM;
		ls->l = nl;
	}
	if ((ls->l[ls->n] = strndup(s, n)) == NULL)
		return CUSTOS_ERR_NOMEM;
	ls->n++;
	return 0;
}
#pragma GCC diagnostic pop

#define INDENT 8		/* continuation lines of a wrapped line */
#define WIDTH_MIN 40		/* narrower terminals are laid out as this */

static int
put_line(void *ctx, const char *s, size_t n)
{
	return push(ctx, s, n);
}

/* Pushes one line, wrapped at width at word boundaries (textwrap.h). */
static int
push_wrapped(struct lines *ls, const char *p, size_t n, size_t width)
{
	return textwrap_line(p, n, width, INDENT, put_line, ls);
}

static int
push_text(struct lines *ls, const char *text, size_t len, size_t width)
{
	const char *p = text, *end = text + len, *nl;
	int r = 0;

	while (p < end && r == 0) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		r = push_wrapped(ls, p, (size_t)(nl - p), width);
		p = nl + 1;
	}
	return r;
}

static void
lines_free(struct lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
	memset(ls, 0, sizeof(*ls));
}

/*
 * A fingerprint: its label, its groups of four (in two halves when one
 * line is too narrow), its words.
 */
static int
value(struct lines *ls, const char *label, const char *hex, size_t width)
{
	char g[100], w[160], line[200];
	size_t n, half;
	int r;

	encode_group_hex(g, sizeof(g), hex);
	tui_hex_words(w, sizeof(w), hex);
	snprintf(line, sizeof(line), "  words: %s", w);
	if ((r = push_wrapped(ls, label, strlen(label), width)) != 0)
		return r;
	n = strlen(g);
	half = (n / 5 + 1) / 2 * 5;	/* groups of "XXXX " */
	if (n <= width || half == 0 || half >= n)
		r = push(ls, g, n);
	else if ((r = push(ls, g, half - 1)) == 0)
		r = push(ls, g + half, n - half);
	if (r != 0)
		return r;
	return push_wrapped(ls, line, strlen(line), width);
}

/* The header: verdict, ceremony, key and transcript fingerprints. */
static int
header(struct lines *ls, const struct ceremony_verdict *v, int ok,
    size_t width)
{
	char line[5000];
	int r;

	if (ok)
		snprintf(line, sizeof(line), "VERIFIED: %zu records; chain and "
		    "signatures hold%s.", v->t.records, v->closed ? ", and the "
		    "closing signature" : "; still open");
	else
		snprintf(line, sizeof(line), "NOT VERIFIED: %.300s (only the "
		    "%zu records before it are shown)", v->why, v->t.records);
	if ((r = push_wrapped(ls, line, strlen(line), width)) != 0)
		return r;
	snprintf(line, sizeof(line), "ceremony %s%s", v->id, v->rehearsal ?
	    " (REHEARSAL)" : "");
	if ((r = push_wrapped(ls, line, strlen(line), width)) != 0)
		return r;
	if ((r = value(ls, "ceremony key SHA-256 (compare with the paper "
	    "record):", v->pubkey_sha256, width)) != 0 ||
	    (r = value(ls, "transcript SHA-256:", v->transcript_sha256,
	    width)) != 0)
		return r;
	return push(ls, "", 0);
}

/* What the view shows, laid out again for each terminal width. */
struct view {
	const struct ceremony_verdict *v;	/* NULL: a text */
	const char *title;			/* a text's */
	int rehearsal;				/* a text's */
	int ok;
	const char *timeline;	/* audit_timeline_flat(), or NULL */
	size_t tlen;
	struct lines ls;
};

/* (Re)builds v->ls for the terminal's width (COLS - 2). */
static int
layout(struct view *vw)
{
	size_t width = COLS > WIDTH_MIN + 2 ? (size_t)COLS - 2 : WIDTH_MIN;
	int r;

	lines_free(&vw->ls);
	if (vw->v == NULL)	/* a text: its lines, wrapped */
		return push_text(&vw->ls, vw->timeline, vw->tlen, width);
	if ((r = header(&vw->ls, vw->v, vw->ok, width)) != 0)
		return r;
	if (vw->timeline != NULL)
		r = push_text(&vw->ls, vw->timeline, vw->tlen, width);
	return r;
}

/* The number of the record line at or above line i (0: the header). */
static size_t
record_of(const struct lines *ls, size_t i)
{
	size_t k, n = 0;

	for (k = 1; k <= i && k < ls->n; k++)
		n += ls->l[k][0] == '#';
	return n;
}

/* The line of record n (counting as record_of()). */
static size_t
line_of(const struct lines *ls, size_t n)
{
	size_t k;

	for (k = 1; k < ls->n && n > 0; k++)
		if (ls->l[k][0] == '#' && --n == 0)
			return k;
	return 0;
}

static size_t
next_record(const struct lines *ls, size_t top, int dir)
{
	size_t i = top;

	for (;;) {
		if (dir > 0 ? i + 1 >= ls->n : i == 0)
			return top;
		i = dir > 0 ? i + 1 : i - 1;
		if (ls->l[i][0] == '#')
			return i;
	}
}

/* Returns 0 when the user leaves, or an error from a new layout. */
static int
pager(struct view *vw, const char *dir)
{
	size_t top = 0, rows, i, rec;
	char title[200], right[64];
	const struct lines *ls = &vw->ls;
	int k, y, r;

	for (;;) {
		rows = LINES > 3 ? (size_t)LINES - 3 : 1;
		erase();
		if (vw->v != NULL)
			snprintf(title, sizeof(title), "custos - audit view of "
			    "%s", dir);
		else
			snprintf(title, sizeof(title), "custos - %s", vw->title);
		snprintf(right, sizeof(right), "%sline %zu of %zu",
		    (vw->v != NULL && vw->v->rehearsal) || vw->rehearsal ?
		    "REHEARSAL  " : "", top + 1, ls->n);
		tui_title(title, right);
		for (i = top, y = 1; i < ls->n && y <= (int)rows; i++, y++)
			tui_put(y, 1, vw->v == NULL ? TUI_NORMAL : i == 0 ?
			    (vw->ok ? TUI_GOOD : TUI_BAD) : ls->l[i][0] == '#' ?
			    TUI_BOLD : TUI_NORMAL, ls->l[i]);
		tui_help(vw->v == NULL ? "Up/Down PgUp/PgDn Home/End: scroll   "
		    "q: back" : "Up/Down PgUp/PgDn Home/End: scroll   n/p: "
		    "next/previous record   q: back");
		k = tui_key();
		if (k == 'q' || k == 'Q' || k == TUI_ESC || k == TUI_KEY_EOF)
			return 0;
		if (k == KEY_RESIZE) {
			/* the same record on top, laid out for the new width */
			rec = record_of(ls, top);
			if ((r = layout(vw)) != 0)
				return r;
			top = rec > 0 ? line_of(ls, rec) : 0;
			clearok(curscr, TRUE);
		} else if (k == KEY_DOWN || k == 'j')
			top = top + 1 < ls->n ? top + 1 : top;
		else if (k == KEY_UP || k == 'k')
			top = top > 0 ? top - 1 : 0;
		else if (k == KEY_NPAGE || k == ' ')
			top = top + rows < ls->n ? top + rows : top;
		else if (k == KEY_PPAGE)
			top = top > rows ? top - rows : 0;
		else if (k == KEY_HOME)
			top = 0;
		else if (k == KEY_END)
			top = ls->n > rows ? ls->n - rows : 0;
		else if (k == 'n' || k == 'p')
			top = next_record(ls, top, k == 'n' ? 1 : -1);
	}
}

int
tui_audit_view(const char *dir, int own, int mono)
{
	struct ceremony_verdict v;
	struct view vw;
	char *buf = NULL, *out = NULL;
	size_t len = 0, olen = 0, good, i;
	const char *p;
	int r, ok, ex = EXIT_OK_, begun = 0;

	memset(&v, 0, sizeof(v));
	memset(&vw, 0, sizeof(vw));
	r = ceremony_verify(dir, &v, &buf, &len);
	ok = r == 0;
	if (buf == NULL) {
		if (!own) {
			tui_status(TUI_BAD, v.why);
			return EXIT_FAIL;
		}
		fprintf(stderr, "custos: audit view: %s: %s\n", dir, v.why);
		return r == CUSTOS_ERR_NOT_FOUND ? EXIT_BADINPUT : EXIT_FAIL;
	}
	for (i = 0, p = buf; i < v.t.records && p < buf + len; i++) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));

		if (nl == NULL)
			break;
		p = nl + 1;
	}
	good = (size_t)(p - buf);
	if (good > 0 && audit_timeline_flat(&out, &olen, buf, good) != 0) {
		ex = EXIT_FAIL;
		goto out;
	}
	if (own && (r = tui_begin(mono)) != 0) {
		fprintf(stderr, "custos: audit view: %s\n", r ==
		    CUSTOS_ERR_LIMIT ? "the terminal must be at least 80x24" :
		    custos_strerror(r));
		ex = r == CUSTOS_ERR_NO_TTY ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	begun = own;
	vw.v = &v;
	vw.ok = ok;
	vw.timeline = out;
	vw.tlen = olen;
	/* laid out for the terminal's width, so only once curses is up */
	if (layout(&vw) != 0 || pager(&vw, dir) != 0) {
		ex = EXIT_FAIL;
		goto out;
	}
	ex = ok ? EXIT_OK_ : EXIT_FAIL;
 out:
	if (begun)
		tui_end();
	free(out);
	free(buf);
	lines_free(&vw.ls);
	return ex;
}

int
tui_text_view(const char *title, const char *text, size_t len,
    int rehearsal)
{
	struct view vw;
	int r;

	memset(&vw, 0, sizeof(vw));
	vw.title = title;
	vw.rehearsal = rehearsal;
	vw.timeline = text;
	vw.tlen = len;
	r = layout(&vw);
	if (r == 0)
		r = pager(&vw, "");
	lines_free(&vw.ls);
	return r;
}
