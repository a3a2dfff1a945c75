/*
 * tui_audit.c - the audit view: a ceremony directory verified (chain,
 * signatures, rules, closing signature) and its timeline browsed record by
 * record. Only the records that verified are shown, under the verdict.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/audit.h"
#include "../ceremony/verify.h"
#include "cli.h"
#include "tui.h"
#include "tui_walk.h"

struct lines {
	char **l;
	size_t n, cap;
};

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

#define WRAP 78		/* the text width of an 80-column screen */

/* Pushes one line, cut into WRAP-column pieces (continuations indented). */
static int
push_wrapped(struct lines *ls, const char *p, size_t n)
{
	char buf[WRAP + 1];
	size_t take;
	int r;

	if ((r = push(ls, p, n < WRAP ? n : WRAP)) != 0 || n <= WRAP)
		return r;
	for (p += WRAP, n -= WRAP; n > 0; p += take, n -= take) {
		take = n < WRAP - 8 ? n : WRAP - 8;
		snprintf(buf, sizeof(buf), "        %.*s", (int)take, p);
		if ((r = push(ls, buf, strlen(buf))) != 0)
			return r;
	}
	return 0;
}

static int
push_text(struct lines *ls, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	int r = 0;

	while (p < end && r == 0) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		r = push_wrapped(ls, p, (size_t)(nl - p));
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
}

/* A fingerprint: its label, its groups of four, its words. */
static int
value(struct lines *ls, const char *label, const char *hex)
{
	char g[100], w[160], line[200];
	int r;

	tui_group_hex(g, sizeof(g), hex);
	tui_hex_words(w, sizeof(w), hex);
	snprintf(line, sizeof(line), "  words: %s", w);
	if ((r = push(ls, label, strlen(label))) != 0 ||
	    (r = push(ls, g, strlen(g))) != 0)
		return r;
	return push(ls, line, strlen(line));
}

/* The header: verdict, ceremony, key and transcript fingerprints. */
static int
header(struct lines *ls, const struct ceremony_verdict *v, int ok)
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
	if ((r = push_wrapped(ls, line, strlen(line))) != 0)
		return r;
	snprintf(line, sizeof(line), "ceremony %s%s", v->id, v->rehearsal ?
	    " (REHEARSAL)" : "");
	if ((r = push(ls, line, strlen(line))) != 0)
		return r;
	if ((r = value(ls, "ceremony key SHA-256 (compare with the paper "
	    "record):", v->pubkey_sha256)) != 0 ||
	    (r = value(ls, "transcript SHA-256:", v->transcript_sha256)) != 0)
		return r;
	return push(ls, "", 0);
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

static void
pager(const struct lines *ls, int ok, const char *dir)
{
	size_t top = 0, rows, i;
	char title[200], right[32];
	int k, y;

	for (;;) {
		rows = (size_t)LINES - 3;
		erase();
		snprintf(title, sizeof(title), "custos - audit view of %s", dir);
		snprintf(right, sizeof(right), "line %zu of %zu", top + 1,
		    ls->n);
		tui_title(title, right);
		for (i = top, y = 1; i < ls->n && y <= (int)rows; i++, y++)
			tui_put(y, 1, i == 0 ? (ok ? TUI_GOOD : TUI_BAD) :
			    ls->l[i][0] == '#' ? TUI_BOLD : TUI_NORMAL,
			    ls->l[i]);
		tui_help("Up/Down PgUp/PgDn Home/End: scroll   n/p: next/"
		    "previous record   q: back");
		k = tui_key();
		if (k == 'q' || k == 'Q' || k == TUI_ESC || k == TUI_KEY_EOF)
			return;
		if (k == KEY_DOWN || k == 'j')
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
	struct lines ls = { NULL, 0, 0 };
	char *buf = NULL, *out = NULL;
	size_t len = 0, olen = 0, good, i;
	const char *p;
	int r, ok, ex = EXIT_OK_;

	memset(&v, 0, sizeof(v));
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
	if (header(&ls, &v, ok) != 0 || (good > 0 &&
	    (audit_timeline(&out, &olen, buf, good) != 0 ||
	    push_text(&ls, out, olen) != 0))) {
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
	pager(&ls, ok, dir);
	if (own)
		tui_end();
	ex = ok ? EXIT_OK_ : EXIT_FAIL;
 out:
	free(out);
	free(buf);
	lines_free(&ls);
	return ex;
}
