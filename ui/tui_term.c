/*
 * tui_term.c - curses set-up, keys from the keyboard or a key script,
 * screen dumps, and drawing helpers (tui.h).
 */
#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../shamir/wordlist.h"
#include "tui.h"

static struct {
	SCREEN *scr;
	FILE *out, *in;		/* headless: /dev/null; else the tty */
	FILE *script;
	int color, active, pending_len, pending_pos;
	char pending[512];	/* the rest of a "type" line */
} T;

static const struct {
	const char *name;
	int key;
} keynames[] = {
	{ "Enter", '\n' }, { "Esc", TUI_ESC }, { "Up", KEY_UP },
	{ "Down", KEY_DOWN }, { "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE },
	{ "Home", KEY_HOME }, { "End", KEY_END }, { "Tab", '\t' },
	{ "Backspace", KEY_BACKSPACE }, { "Space", ' ' },
};

static void
set_colors(int mono)
{
	T.color = !mono && getenv("NO_COLOR") == NULL && has_colors();
	if (!T.color)
		return;
	start_color();
	use_default_colors();
	init_pair(TUI_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(TUI_GOOD, COLOR_GREEN, -1);
	init_pair(TUI_BAD, COLOR_RED, -1);
	init_pair(TUI_DIM, COLOR_CYAN, -1);
	init_pair(TUI_SECRET, COLOR_YELLOW, -1);
}

static attr_t
attr_of(enum tui_attr a)
{
	switch (a) {
	case TUI_TITLE:
		return T.color ? COLOR_PAIR(TUI_TITLE) | A_BOLD : A_REVERSE;
	case TUI_BOLD:
		return A_BOLD;
	case TUI_GOOD:
		return T.color ? COLOR_PAIR(TUI_GOOD) | A_BOLD : A_BOLD;
	case TUI_BAD:
		return T.color ? COLOR_PAIR(TUI_BAD) | A_BOLD : A_BOLD |
		    A_UNDERLINE;
	case TUI_DIM:
		return T.color ? COLOR_PAIR(TUI_DIM) : A_NORMAL;
	case TUI_SECRET:
		return T.color ? COLOR_PAIR(TUI_SECRET) | A_BOLD : A_BOLD;
	default:
		return A_NORMAL;
	}
}

int
tui_begin(int mono)
{
	const char *script = getenv("CUSTOS_TUI_SCRIPT");
	const char *size = getenv("CUSTOS_TUI_SIZE");
	int cols = 80, lines = 24;

	memset(&T, 0, sizeof(T));
	if (script != NULL && script[0] != '\0') {
		if ((T.script = fopen(script, "r")) == NULL)
			return custos_err_from_errno(errno);
		if (size != NULL && sscanf(size, "%dx%d", &cols, &lines) != 2)
			cols = 80, lines = 24;
		T.out = fopen("/dev/null", "w");
		T.in = fopen("/dev/null", "r");
		if (T.out == NULL || T.in == NULL)
			return CUSTOS_ERR_IO;
		/* headless: a fixed, known terminal, no colour codes
		   needed since dumps are text */
		T.scr = newterm("vt100", T.out, T.in);
		if (T.scr != NULL)
			resizeterm(lines, cols);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return CUSTOS_ERR_NO_TTY;
		T.scr = newterm(NULL, stdout, stdin);
	}
	if (T.scr == NULL)
		return CUSTOS_ERR_NO_TTY;
	T.active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	set_colors(mono);
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		tui_end();
		return CUSTOS_ERR_LIMIT;
	}
	return 0;
}

void
tui_end(void)
{
	if (!T.active)
		return;
	T.active = 0;
	clear();
	refresh();
	endwin();
	delscreen(T.scr);
	if (T.script != NULL)
		fclose(T.script);
	if (T.out != NULL)
		fclose(T.out);
	if (T.in != NULL)
		fclose(T.in);
	sodium_memzero(T.pending, sizeof(T.pending));
	T.script = T.out = T.in = NULL;
}

void
tui_dump(const char *name)
{
	const char *dir = getenv("CUSTOS_TUI_DUMP_DIR");
	char path[4096], line[512];
	chtype cells[512];
	FILE *f;
	int y, x, n;

	if (dir == NULL || snprintf(path, sizeof(path), "%s/%s.txt", dir,
	    name) >= (int)sizeof(path) || (f = fopen(path, "w")) == NULL)
		return;
	for (y = 0; y < LINES; y++) {
		n = mvinchnstr(y, 0, cells, COLS < 511 ? COLS : 511);
		if (n < 0)
			n = 0;
		for (x = 0; x < n; x++) {
			line[x] = (char)(cells[x] & A_CHARTEXT);
			if (cells[x] & A_ALTCHARSET)	/* line drawing */
				line[x] = line[x] == 'x' ? '|' : '-';
		}
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s\n", line);
	}
	fclose(f);
}

/* The next key of the script; dumps on the way. */
static int
script_key(void)
{
	char line[600], *p;
	size_t i, n;

	for (;;) {
		if (T.pending_pos < T.pending_len)
			return (unsigned char)T.pending[T.pending_pos++];
		if (fgets(line, sizeof(line), T.script) == NULL)
			return TUI_KEY_EOF;
		n = strcspn(line, "\n");
		line[n] = '\0';
		if (strncmp(line, "type ", 5) == 0) {
			n = strlen(line + 5);
			if (n >= sizeof(T.pending))
				n = sizeof(T.pending) - 1;
			memcpy(T.pending, line + 5, n);
			T.pending_len = (int)n;
			T.pending_pos = 0;
			sodium_memzero(line, sizeof(line));
		} else if (strncmp(line, "dump ", 5) == 0) {
			refresh();
			tui_dump(line + 5);
		} else if (strncmp(line, "key ", 4) == 0) {
			p = line + 4;
			for (i = 0; i < sizeof(keynames) / sizeof(keynames[0]);
			    i++)
				if (strcmp(p, keynames[i].name) == 0)
					return keynames[i].key;
			if (p[0] != '\0' && p[1] == '\0')
				return (unsigned char)p[0];
		}
	}
}

int
tui_key(void)
{
	int k;

	refresh();
	if (T.script != NULL)
		return script_key();
	k = getch();
	if (k == ERR)
		return TUI_KEY_EOF;
	if (k == '\r' || k == KEY_ENTER)
		return '\n';
	if (k == 127 || k == 8)
		return KEY_BACKSPACE;
	return k;
}

void
tui_put(int y, int x, enum tui_attr attr, const char *text)
{
	int room = COLS - x;

	if (y < 0 || y >= LINES || room <= 0)
		return;
	attron(attr_of(attr));
	mvaddnstr(y, x, text, room);
	attroff(attr_of(attr));
}

int
tui_wrap(int y, int x, int w, int maxrows, enum tui_attr attr,
    const char *text)
{
	char line[512];
	const char *p = text;
	int rows = 0, n, cut;

	while (*p != '\0' && rows < maxrows) {
		while (*p == ' ')
			p++;
		n = (int)strcspn(p, "\n");
		if (n > w) {
			for (cut = w; cut > 0 && p[cut] != ' '; cut--)
				;
			n = cut > 0 ? cut : w;
		}
		if (n >= (int)sizeof(line))
			n = (int)sizeof(line) - 1;
		memcpy(line, p, (size_t)n);
		line[n] = '\0';
		tui_put(y + rows++, x, attr, line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return rows;
}

void
tui_clear_rows(int y0, int y1)
{
	int y;

	for (y = y0; y <= y1 && y < LINES; y++) {
		move(y, 0);
		clrtoeol();
	}
}

void
tui_title(const char *left, const char *right)
{
	int x;

	attron(attr_of(TUI_TITLE));
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 1, left, COLS - 2);
	x = COLS - 1 - (int)strlen(right);
	if (x > 1)
		mvaddstr(0, x, right);
	attroff(attr_of(TUI_TITLE));
}

void
tui_status(enum tui_attr attr, const char *text)
{
	int two = (int)strlen(text) > COLS - 2;

	tui_clear_rows(LINES - 2 - two, LINES - 2);
	tui_wrap(LINES - 2 - two, 1, COLS - 2, 1 + two, attr, text);
}

void
tui_help(const char *text)
{
	tui_clear_rows(LINES - 1, LINES - 1);
	tui_put(LINES - 1, 0, TUI_TITLE, " ");
	tui_put(LINES - 1, 1, TUI_DIM, text);
}

void
tui_group_hex(char *out, size_t sz, const char *hex)
{
	size_t i, o = 0, n = strlen(hex);

	for (i = 0; i < n && o + 2 < sz; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

void
tui_hex_words(char *out, size_t sz, const char *hex)
{
	unsigned char b[32 + 2];
	size_t len = 0, nwords;

	memset(b, 0, sizeof(b));
	if (sodium_hex2bin(b, 32, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len == 0) {
		snprintf(out, sz, "?");
		return;
	}
	nwords = (len * 8 + 9) / 10;	/* zero bits pad the last word */
	if (nwords > 8)
		nwords = 8;		/* the first 80 bits, as audit verify */
	if (wordlist_encode(out, sz, b, sizeof(b), nwords) != 0)
		snprintf(out, sz, "?");
}

void
tui_wipe_screen(void)
{
	clear();
	clearok(curscr, TRUE);
	refresh();
}

struct job {
	int (*fn)(void *ctx);
	void *ctx;
	int r;
	atomic_int done;
};

static void *
job_main(void *p)
{
	struct job *j = p;

	j->r = j->fn(j->ctx);
	atomic_store(&j->done, 1);
	return NULL;
}

int
tui_run_slow(const char *what, int (*fn)(void *ctx), void *ctx)
{
	static const char spin[] = "|/-\\";
	struct job j = { fn, ctx, 0, 0 };
	char line[200];
	pthread_t th;
	time_t t0 = time(NULL);
	int i = 0;

	if (pthread_create(&th, NULL, job_main, &j) != 0)
		return fn(ctx);
	tui_help("Working - please wait; keys typed now are ignored");
	while (!atomic_load(&j.done)) {
		snprintf(line, sizeof(line), "%s  %c  %lds", what,
		    spin[i++ % 4], (long)(time(NULL) - t0));
		tui_status(TUI_BOLD, line);
		refresh();
		napms(100);
	}
	pthread_join(th, NULL);
	flushinp();
	tui_status(TUI_NORMAL, "");
	return j.r;
}
