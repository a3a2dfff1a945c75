/*
 * tui_term.c - curses set-up, keys from the keyboard or a key script,
 * screen dumps, and drawing helpers (tui.h).
 */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "../ceremony/op_share.h"
#include "tui.h"

#define SCRIPT_MAX ((size_t)256 * 1024)

static struct {
	SCREEN *scr;
	FILE *out, *in;		/* headless: /dev/null; else the tty */
	unsigned char *script;	/* the key script, in guarded memory (it
				   holds the test's passphrases) */
	size_t script_len, script_pos;
	const char *pending;	/* the rest of a "type" line (in script) */
	size_t pending_len;
	int color, active, secret_shown;
	void (*redraw)(void *arg);	/* draws the whole current screen */
	void *redraw_arg;
} T;

static const struct {
	const char *name;
	int key;
} keynames[] = {
	{ "Enter", '\n' }, { "Esc", TUI_ESC }, { "Up", KEY_UP },
	{ "Down", KEY_DOWN }, { "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE },
	{ "Home", KEY_HOME }, { "End", KEY_END }, { "Tab", '\t' },
	{ "Backspace", KEY_BACKSPACE }, { "Space", ' ' },
	{ "F1", KEY_F(1) }, { "CtrlL", TUI_CTRL_L },
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

/* Headless: the key script into guarded memory, a null terminal. */
static int
begin_headless(const char *script)
{
	const char *size = getenv("CUSTOS_TUI_SIZE");
	int r, ncols = 80, nrows = 24;

	if ((r = atomicio_read(script, SCRIPT_MAX, 1, &T.script,
	    &T.script_len)) != 0)
		return r;
	if (size != NULL && sscanf(size, "%dx%d", &ncols, &nrows) != 2)
		ncols = 80, nrows = 24;
	/* a null terminal: nothing is read or written through it */
	T.out = fopen("/dev/null", "w");
	// cppcheck-suppress incompatibleFileOpen
	T.in = fopen("/dev/null", "r");
	if (T.out == NULL || T.in == NULL)
		return CUSTOS_ERR_IO;
	/* a known terminal with an alternate screen, as xterm has */
	if ((T.scr = newterm("xterm", T.out, T.in)) != NULL)
		resizeterm(nrows, ncols);
	return 0;
}

static void
release(void)
{
	atomicio_free_buf(T.script, T.script_len, 1);
	if (T.out != NULL)
		fclose(T.out);
	if (T.in != NULL)
		fclose(T.in);
	T.script = NULL;
	T.out = T.in = NULL;
	T.pending = NULL;
	T.pending_len = 0;
}

int
tui_begin(int mono)
{
	const char *script = getenv("CUSTOS_TUI_SCRIPT");
	int r;

	memset(&T, 0, sizeof(T));
	if (script != NULL && script[0] != '\0') {
		if ((r = begin_headless(script)) != 0) {
			release();
			return r;
		}
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return CUSTOS_ERR_NO_TTY;
		T.scr = newterm(NULL, stdout, stdin);
	}
	if (T.scr == NULL) {
		release();
		return CUSTOS_ERR_NO_TTY;
	}
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

int
tui_has_alt_screen(void)
{
	const char *s = tigetstr("smcup");

	return s != NULL && s != (const char *)-1 && s[0] != '\0';
}

void
tui_secret_shown(int on)
{
	T.secret_shown = on;
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
	release();
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
	if (T.secret_shown) {	/* never a secret on disk */
		fprintf(f, "(a secret is on the screen: not dumped)\n");
		fclose(f);
		return;
	}
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

/* The next line of the script (no newline) into *l, *n; 0 at its end. */
static int
script_line(const char **l, size_t *n)
{
	const char *p = (const char *)T.script + T.script_pos, *nl;
	size_t left = T.script_len - T.script_pos;

	if (left == 0)
		return 0;
	nl = memchr(p, '\n', left);
	*l = p;
	*n = nl != NULL ? (size_t)(nl - p) : left;
	T.script_pos += *n + (nl != NULL);
	return 1;
}

/* The next key of the script; dumps on the way. */
static int
script_key(void)
{
	char name[64];
	const char *l;
	size_t i, n;

	for (;;) {
		if (T.pending_len > 0) {
			T.pending_len--;
			return (unsigned char)*T.pending++;
		}
		if (!script_line(&l, &n))
			return TUI_KEY_EOF;
		if (n > 5 && strncmp(l, "type ", 5) == 0) {
			T.pending = l + 5;
			T.pending_len = n - 5;
		} else if (n > 5 && n < sizeof(name) + 5 &&
		    strncmp(l, "dump ", 5) == 0) {
			snprintf(name, sizeof(name), "%.*s", (int)(n - 5), l + 5);
			refresh();
			tui_dump(name);
		} else if (n > 7 && n < sizeof(name) + 7 &&
		    strncmp(l, "resize ", 7) == 0) {
			int c = 0, ro = 0;

			snprintf(name, sizeof(name), "%.*s", (int)(n - 7), l + 7);
			if (sscanf(name, "%dx%d", &c, &ro) == 2 && c > 0 &&
			    ro > 0) {
				resizeterm(ro, c);
				return KEY_RESIZE;
			}
		} else if (n > 4 && n < sizeof(name) + 4 &&
		    strncmp(l, "key ", 4) == 0) {
			snprintf(name, sizeof(name), "%.*s", (int)(n - 4), l + 4);
			for (i = 0; i < sizeof(keynames) / sizeof(keynames[0]);
			    i++)
				if (strcmp(name, keynames[i].name) == 0)
					return keynames[i].key;
			if (name[1] == '\0')
				return (unsigned char)name[0];
		}
	}
}

void
tui_on_redraw(void (*fn)(void *arg), void *arg)
{
	T.redraw = fn;
	T.redraw_arg = arg;
}

static int
raw_key(void)
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

int
tui_too_small(void)
{
	return COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES;
}

/* While the terminal is too small, says so and takes no key but a
   resize (or the end of input). */
static int
wait_big_enough(void)
{
	char line[160];
	int k;

	while (tui_too_small()) {
		erase();
		snprintf(line, sizeof(line), "The terminal is %dx%d; custos "
		    "needs at least %dx%d. Enlarge it to go on: nothing is "
		    "answered until the whole screen shows.", COLS, LINES,
		    TUI_MIN_COLS, TUI_MIN_LINES);
		tui_wrap(0, 0, COLS > 10 ? COLS : 10, LINES, TUI_BAD, line);
		if ((k = raw_key()) == TUI_KEY_EOF)
			return k;
	}
	return 0;
}

int
tui_key(void)
{
	int k = raw_key();

	if (k != KEY_RESIZE && k != TUI_CTRL_L)
		return k;
	if (wait_big_enough() == TUI_KEY_EOF)
		return TUI_KEY_EOF;
	erase();
	clearok(curscr, TRUE);
	if (T.redraw != NULL)
		T.redraw(T.redraw_arg);
	return KEY_RESIZE;	/* the screen redraws what it keeps apart */
}

int
tui_is_help_key(int k)
{
	return k == KEY_F(1);
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
tui_hex_words(char *out, size_t sz, const char *hex)
{
	op_hex_words(out, sz, hex);
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
