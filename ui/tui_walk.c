/*
 * tui_walk.c - the ceremony screens: the step list with the current step,
 * who acts and what it does, and the walk's requests (hand-over, secret
 * entry, words on request, confirmations, values read aloud, progress)
 * drawn in the panel below it. All ceremony logic is in ceremony/walk*.c;
 * this file only draws and turns keys into answers.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../ceremony/walk.h"
#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "tui.h"
#include "tui_walk.h"

#define SECRET_MAX 256
#define SHOWN_MAX 3
#define LIST_TOP 2

struct tw {
	struct walk *w;
	const char *dir;
	char status[320];		/* the last outcome, until the next */
	size_t cut;			/* the step an interruption cut, or -1 */
	enum tui_attr status_attr;
	char shown[SHOWN_MAX][3][160];	/* rows of each value shown */
	int nshown;
};

static int list_rows(void) { return LINES - 15; }
static int head_row(void) { return LIST_TOP + list_rows() + 1; }
static int panel_row(void) { return head_row() + 3; }

static const char *
marker(enum walk_state s, int current, int cut)
{
	if (s == WALK_DONE)
		return "  done";
	if (current)
		return cut ? "resume" : "  NOW>";
	return "";
}

static void
draw_list(struct tw *t)
{
	size_t n, i, cur, first;
	const struct walk_step *st;
	char line[256];
	int rows = list_rows(), y;

	if (t->w == NULL)
		return;
	st = walk_steps(t->w, &n);
	cur = walk_current(t->w);
	first = cur > (size_t)rows / 2 ? cur - (size_t)rows / 2 : 0;
	if (first + (size_t)rows > n)
		first = n > (size_t)rows ? n - (size_t)rows : 0;
	tui_clear_rows(LIST_TOP, LIST_TOP + rows - 1);
	for (i = first, y = LIST_TOP; i < n && y < LIST_TOP + rows; i++, y++) {
		snprintf(line, sizeof(line), "%6s %2zu. %-42.42s %.24s",
		    marker(st[i].state, i == cur, i == t->cut), i + 1,
		    st[i].title,
		    st[i].actor);
		tui_put(y, 0, i == cur ? TUI_BOLD : st[i].state == WALK_DONE ?
		    TUI_GOOD : TUI_DIM, line);
	}
	snprintf(line, sizeof(line), " %zu earlier, %zu later ", first,
	    n - i);
	if (first > 0 || i < n)
		tui_put(LIST_TOP + rows, COLS - 2 - (int)strlen(line), TUI_DIM,
		    line);
}

static void
draw_shown(struct tw *t)
{
	int i, y = panel_row();

	for (i = 0; i < t->nshown; i++) {
		tui_put(y++, 1, TUI_BOLD, t->shown[i][0]);
		tui_put(y++, 1, TUI_NORMAL, t->shown[i][1]);
		if (t->shown[i][2][0] != '\0')
			tui_put(y++, 1, TUI_NORMAL, t->shown[i][2]);
	}
}

/* The rows left in the panel under what was shown. */
static int
panel_free_row(struct tw *t)
{
	int i, y = panel_row();

	for (i = 0; i < t->nshown; i++)
		y += t->shown[i][2][0] != '\0' ? 3 : 2;
	return y;
}

static void
draw(struct tw *t)
{
	const struct plan *p;
	const struct walk_step *st;
	size_t n, cur;
	char left[160], right[64];

	erase();
	if (t->w == NULL) {
		tui_title("custos - opening the ceremony", "");
		return;
	}
	p = walk_plan(t->w);
	st = walk_steps(t->w, &n);
	cur = walk_current(t->w);
	snprintf(left, sizeof(left), "custos - %s", p->title);
	snprintf(right, sizeof(right), "%sstep %zu of %zu",
	    walk_is_rehearsal(t->w) ? "REHEARSAL  " : "",
	    cur < n ? cur + 1 : n, n);
	tui_title(left, right);
	snprintf(left, sizeof(left), "%s ceremony %s, plan %.16s...",
	    plan_kind_name(p->kind), walk_ceremony_id(t->w), p->sha256);
	tui_put(1, 1, TUI_DIM, left);
	mvhline(head_row() - 1, 0, ACS_HLINE, COLS);
	draw_list(t);
	if (cur < n) {
		snprintf(left, sizeof(left), "Step %zu: %s", cur + 1,
		    st[cur].title);
		tui_put(head_row(), 1, TUI_BOLD, left);
		snprintf(right, sizeof(right), "Who: %.40s", st[cur].actor);
		tui_put(head_row(), COLS - 1 - (int)strlen(right), TUI_BOLD,
		    right);
		tui_wrap(head_row() + 1, 1, COLS - 2, 2, TUI_NORMAL,
		    st[cur].explain);
	} else {
		tui_put(head_row(), 1, TUI_GOOD, "The ceremony is complete "
		    "and closed.");
		tui_wrap(head_row() + 1, 1, COLS - 2, 2, TUI_NORMAL, "Its "
		    "transcript is signed. Press a to browse its verified "
		    "timeline; auditors run custos audit verify on it.");
	}
	draw_shown(t);
	if (t->status[0] != '\0')
		tui_status(t->status_attr, t->status);
}

/* ---- the walk's requests ---- */

static int
io_handover(void *arg, const char *who, const char *why)
{
	struct tw *t = arg;
	char line[160];
	int y, k;

	draw(t);
	y = panel_free_row(t);
	snprintf(line, sizeof(line), "Hand the keyboard to %s.", who);
	tui_put(y++, 2, TUI_BOLD, line);
	y += tui_wrap(y, 2, COLS - 4, 2, TUI_NORMAL, why);
	snprintf(line, sizeof(line), "%s: press Enter when you have the "
	    "keyboard.", who);
	tui_put(y + 1, 2, TUI_NORMAL, line);
	tui_help("Enter: I have the keyboard   Esc: stop this step");
	for (;;) {
		k = tui_key();
		if (k == '\n')
			return 0;
		if (k == TUI_ESC || k == TUI_KEY_EOF)
			return CUSTOS_ERR_CANCELLED;
	}
}

static const char *
strength(const char *pw, size_t len)
{
	double bits = pwpolicy_estimate_bits(pw, len);

	if (len == 0)
		return "";
	if (pwpolicy_check(pw, len, 0) != NULL)
		return bits < PWPOLICY_MIN_BITS ? "strength: too weak" :
		    "strength: refused (see the rule above)";
	return bits < 80 ? "strength: good" : "strength: strong";
}

/* Reads one entry without echo into buf; 0, or CUSTOS_ERR_CANCELLED. */
static int
read_hidden(int y, char *buf, size_t *len, int show_strength)
{
	int k;

	*len = 0;
	buf[0] = '\0';
	for (;;) {
		tui_clear_rows(y + 1, y + 1);
		if (show_strength)
			tui_put(y + 1, 4, pwpolicy_check(buf, *len, 0) ?
			    TUI_BAD : TUI_GOOD, strength(buf, *len));
		k = tui_key();
		if (k == '\n')
			return 0;
		if (k == TUI_ESC || k == TUI_KEY_EOF) {
			secmem_wipe(buf, SECRET_MAX + 1);
			*len = 0;
			return CUSTOS_ERR_CANCELLED;
		}
		if (k == KEY_BACKSPACE && *len > 0)
			buf[--*len] = '\0';
		else if (k == 21)	/* Ctrl-U */
			secmem_wipe(buf, SECRET_MAX + 1), *len = 0;
		else if (k >= 32 && k < 256 && k != 127 && *len < SECRET_MAX) {
			buf[(*len)++] = (char)k;
			buf[*len] = '\0';
		}
	}
}

static int
io_secret(void *arg, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *outlen)
{
	struct tw *t = arg;
	char *a = secmem_alloc(SECRET_MAX + 1), *b = secmem_alloc(SECRET_MAX +
	    1), line[200];
	size_t la = 0, lb = 0;
	int y, r, twice = kind == OP_SECRET_NEW || kind ==
	    OP_SECRET_ADMIN_NEW || kind == OP_SECRET_PIN_NEW ||
	    kind == OP_SECRET_SO_PIN_NEW;
	int strong = kind == OP_SECRET_NEW || kind == OP_SECRET_ADMIN_NEW;

	*out = NULL;
	if (a == NULL || b == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	draw(t);
	y = panel_free_row(t);
	snprintf(line, sizeof(line), "%s (%s types; it is not shown):", what,
	    who);
	tui_put(y++, 2, TUI_BOLD, line);
	if (hint != NULL && hint[0] != '\0')
		y += tui_wrap(y, 2, COLS - 4, 2, TUI_DIM, hint);
	tui_help("Enter: done   Backspace: delete   Ctrl-U: start again   "
	    "Esc: stop");
	tui_put(y, 2, TUI_NORMAL, "> ");
	if ((r = read_hidden(y, a, &la, strong)) != 0)
		goto out;
	if (twice) {
		tui_clear_rows(y, y + 1);
		tui_put(y, 2, TUI_NORMAL, "Again, to be sure: > ");
		if ((r = read_hidden(y, b, &lb, 0)) != 0)
			goto out;
		if (la != lb || secmem_equal(a, b, la) != 0) {
			r = CUSTOS_ERR_PASSPHRASE_MISMATCH;
			goto out;
		}
	}
	tui_clear_rows(y, y + 1);
	*out = a;
	*outlen = la;
	a = NULL;
	r = 0;
 out:
	secmem_free(a);
	secmem_free(b);
	return r;
}

static void
show_words(const char *who, const char *title, const char *secret)
{
	char line[200], word[16];
	const char *p = secret;
	int i = 0, n, rows;

	tui_wipe_screen();
	snprintf(line, sizeof(line), "Words for %s", who);
	tui_title(line, "");
	tui_put(1, 2, TUI_BOLD, title);
	tui_put(2, 2, TUI_NORMAL, "Write them down in order, on paper. Never "
	    "photograph or type them anywhere.");
	rows = 9;
	while (*p != '\0') {
		n = (int)strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", n < 12 ? n : 12, p);
		snprintf(line, sizeof(line), "%2d. %s", i + 1, word);
		tui_put(4 + i % rows, 2 + 19 * (i / rows), TUI_SECRET, line);
		secmem_wipe(line, sizeof(line));
		secmem_wipe(word, sizeof(word));
		i++;
		p += n;
		while (*p == ' ')
			p++;
	}
	tui_help("Any key: hide the words (the screen is wiped)");
	tui_secret_shown(1);
	(void)tui_key();
	tui_wipe_screen();
	tui_secret_shown(0);
}

static void io_note(void *arg, const char *text);

static int
io_reveal(void *arg, const char *who, const char *title, const char *secret)
{
	struct tw *t = arg;
	char line[200];
	int y, k, seen = 0;

	if (!tui_has_alt_screen()) {
		io_note(t, "This terminal keeps what it shows (no alternate "
		    "screen), so the words are not shown here; the member "
		    "files hold the part.");
		return 0;
	}
	for (;;) {
		draw(t);
		y = panel_free_row(t);
		snprintf(line, sizeof(line), "%s: %s.", who, title);
		tui_put(y++, 2, TUI_BOLD, line);
		tui_wrap(y, 2, COLS - 4, 3, TUI_NORMAL, seen ? "They are hidden "
		    "again. Press s to see them once more, or Enter to go on." :
		    "Only you should see them: everyone else looks away. Press "
		    "s to show them, or Enter to go on without them.");
		tui_help("s: show my words   Enter: go on");
		k = tui_key();
		if (k == 's' || k == 'S') {
			show_words(who, title, secret);
			seen = 1;
		} else if (k == '\n') {
			return seen;
		} else if (k == TUI_KEY_EOF || k == TUI_ESC) {
			return CUSTOS_ERR_CANCELLED;
		}
	}
}

static int
io_confirm(void *arg, const char *consequence, const char *word)
{
	struct tw *t = arg;
	char typed[32], line[160];
	size_t n = 0;
	int y, k;

	draw(t);
	y = panel_free_row(t);
	y += tui_wrap(y, 2, COLS - 4, 3, word[0] ? TUI_BAD : TUI_BOLD,
	    consequence);
	if (word[0] == '\0') {
		tui_put(y + 1, 2, TUI_NORMAL, "Is that so? y: yes   n: no");
		tui_help("y: yes   n or Esc: no, stop here");
		for (;;) {
			k = tui_key();
			if (k == 'y' || k == 'Y')
				return 0;
			if (k == 'n' || k == 'N' || k == TUI_ESC ||
			    k == TUI_KEY_EOF)
				return CUSTOS_ERR_CANCELLED;
		}
	}
	snprintf(line, sizeof(line), "Type %s and press Enter to go on: ", word);
	tui_help("Enter: confirm   Esc: stop here, nothing is done");
	typed[0] = '\0';
	for (;;) {
		tui_clear_rows(y + 1, y + 1);
		tui_put(y + 1, 2, TUI_NORMAL, line);
		tui_put(y + 1, 2 + (int)strlen(line), TUI_BOLD, typed);
		k = tui_key();
		if (k == '\n')
			return strcmp(typed, word) == 0 ? 0 :
			    CUSTOS_ERR_CANCELLED;
		if (k == TUI_ESC || k == TUI_KEY_EOF)
			return CUSTOS_ERR_CANCELLED;
		if (k == KEY_BACKSPACE && n > 0)
			typed[--n] = '\0';
		else if (k > 32 && k < 127 && n + 1 < sizeof(typed)) {
			typed[n++] = (char)k;
			typed[n] = '\0';
		}
	}
}

static void
io_show(void *arg, const char *label, const char *hex)
{
	struct tw *t = arg;
	char g[100], words[120];

	if (t->nshown == SHOWN_MAX)
		t->nshown--;
	tui_group_hex(g, sizeof(g), hex);
	tui_hex_words(words, sizeof(words), hex);
	t->shown[t->nshown][2][0] = '\0';
	if (strlen(label) + strlen(g) + 6 < (size_t)COLS) {
		snprintf(t->shown[t->nshown][0], sizeof(t->shown[0][0]),
		    "%s: %s", label, g);
		snprintf(t->shown[t->nshown][1], sizeof(t->shown[0][1]),
		    "  words: %s", words);
	} else {	/* a long value: groups and words get a row each */
		snprintf(t->shown[t->nshown][0], sizeof(t->shown[0][0]),
		    "%s:", label);
		snprintf(t->shown[t->nshown][1], sizeof(t->shown[0][1]), "%s",
		    g);
		snprintf(t->shown[t->nshown][2], sizeof(t->shown[0][2]),
		    "  words: %s", words);
	}
	t->nshown++;
	draw(t);
}

static void
io_progress(void *arg, const char *what, size_t done, size_t total)
{
	char line[200], bar[31];
	size_t i, fill;

	(void)arg;
	if (total == 0) {
		snprintf(line, sizeof(line), "%s ... (please wait)", what);
	} else {
		fill = done * 30 / total;
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		snprintf(line, sizeof(line), "%s [%s] %zu of %zu", what, bar,
		    done, total);
	}
	tui_status(TUI_BOLD, line);
	refresh();
}

static int
io_slow(void *arg, const char *what, int (*fn)(void *ctx), void *ctx)
{
	(void)arg;
	return tui_run_slow(what, fn, ctx);
}

static void
io_note(void *arg, const char *text)
{
	struct tw *t = arg;

	snprintf(t->status, sizeof(t->status), "%s", text);
	t->status_attr = TUI_BOLD;
	tui_status(TUI_BOLD, text);
	refresh();
}

static void
io_recorded(void *arg, const char *action, const char *step)
{
	struct tw *t = arg;

	(void)action;
	(void)step;
	draw_list(t);
	refresh();
}

static const char help_text[] =
    "custos walks the ceremony one step at a time. The list shows every "
    "step: done, NOW> (the one to take) and those to come.\n"
    "Enter takes the current step. It names who acts; when a custodian "
    "must type, the keyboard is handed to them and everyone else looks "
    "away. Nothing typed in secret is ever shown, and words are shown "
    "only when their custodian asks, then wiped from the screen.\n"
    "Anything that cannot be undone names its consequence first and "
    "waits for a yes, or for a word to be typed.\n"
    "q quits at any time between steps: every finished step is in the "
    "signed transcript, and running custos again on the same ceremony "
    "goes on at the first unfinished step, after checking the device.\n"
    "a opens the audit view: the ceremony's verified timeline.\n"
    "Values to compare (KCV, fingerprints) are shown in groups of four "
    "and as words, for reading aloud against the paper record.";

static void
help_screen(void)
{
	erase();
	tui_title("custos - help", "");
	tui_wrap(2, 2, COLS - 4, LINES - 5, TUI_NORMAL, help_text);
	tui_help("Any key: back");
	(void)tui_key();
}

static int
io_can_retry(void *arg, enum op_secret kind)
{
	(void)arg;
	(void)kind;
	return 1;	/* a person at the keyboard */
}

static void
io_warn(void *arg, const char *text)
{
	struct tw *t = arg;

	snprintf(t->status, sizeof(t->status), "%s", text);
	t->status_attr = TUI_BAD;
	tui_status(TUI_BAD, text);
	refresh();
}

static struct op_io io_of(struct tw *t)
{
	struct op_io io = {
		.arg = t, .handover = io_handover, .secret = io_secret,
		.can_retry = io_can_retry, .reveal = io_reveal,
		.confirm = io_confirm, .show = io_show,
		.progress = io_progress, .slow = io_slow, .note = io_note,
		.warn = io_warn, .recorded = io_recorded,
	};

	return io;
}

/* Opens the ceremony (the engine asks the administrator's passphrase up
   to three times, saying what was wrong each time). */
static int
open_walk(struct tw *t, const struct walk_opts *o, const struct op_io *io,
    char *why, size_t whysz)
{
	draw(t);
	return walk_open(&t->w, o, io, why, whysz);
}

static void
loop(struct tw *t)
{
	char why[320];
	size_t n;
	int k, r;

	for (;;) {
		draw(t);
		(void)walk_steps(t->w, &n);
		if (walk_current(t->w) < n)
			tui_put(panel_free_row(t) + 1, 2, TUI_NORMAL, "Press "
			    "Enter to take this step.");
		tui_help(walk_current(t->w) < n ? "Enter: take this step   "
		    "a: audit view   ?: help   q: quit (resume later)" :
		    "a: audit view   ?: help   q: quit");
		k = tui_key();
		if (k == 'q' || k == 'Q' || k == TUI_KEY_EOF)
			return;
		if (k == '?')
			help_screen();
		else if (k == 'a' || k == 'A')
			(void)tui_audit_view(t->dir, 0, 0);
		else if (k == '\n' && walk_current(t->w) < n) {
			t->nshown = 0;
			t->status[0] = '\0';
			r = walk_step_run(t->w, why, sizeof(why));
			t->status_attr = r == 0 ? TUI_GOOD : TUI_BAD;
			snprintf(t->status, sizeof(t->status), "%s", r == 0 ?
			    "Done and recorded in the transcript." : why[0] ?
			    why : custos_strerror(r));
		}
	}
}

int
tui_walk_run(const struct walk_opts *o, int mono)
{
	struct tw t;
	struct op_io io;
	char why[320] = "";
	size_t n;
	int r;

	memset(&t, 0, sizeof(t));
	t.dir = o->dir;
	io = io_of(&t);
	if ((r = tui_begin(mono)) != 0) {
		fprintf(stderr, "custos: ceremony run: %s\n", r ==
		    CUSTOS_ERR_LIMIT ? "the terminal must be at least 80x24" :
		    r == CUSTOS_ERR_NO_TTY ? "needs a terminal" :
		    custos_strerror(r));
		return r == CUSTOS_ERR_NO_TTY ? 2 : 1;
	}
	r = open_walk(&t, o, &io, why, sizeof(why));
	if (r == CUSTOS_ERR_CLOSED) {
		tui_end();
		walk_free(t.w);
		return tui_audit_view(o->dir, 1, mono);
	}
	if (r == 0) {
		const struct walk_step *st = walk_steps(t.w, &n);

		t.cut = (size_t)-1;
		if (walk_current(t.w) < n && st[walk_current(t.w)].state ==
		    WALK_BEGUN) {
			t.cut = walk_current(t.w);
			snprintf(t.status, sizeof(t.status), "Resumed: step %zu "
			    "was cut short; custos checks what was done when it "
			    "is taken again.", t.cut + 1);
			t.status_attr = TUI_BOLD;
		}
		loop(&t);
	}
	tui_end();
	walk_free(t.w);
	if (r != 0) {
		fprintf(stderr, "custos: ceremony run: %s\n", why[0] ? why :
		    custos_strerror(r));
		return r == CUSTOS_ERR_BAD_PASSPHRASE ||
		    r == CUSTOS_ERR_FORMAT ? 4 : 1;
	}
	return 0;
}
