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
#include "tui_walk_int.h"


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
int
tw_panel_free_row(struct tw *t)
{
	int i, y = panel_row();

	for (i = 0; i < t->nshown; i++)
		y += t->shown[i][2][0] != '\0' ? 3 : 2;
	return y;
}

void
tw_draw(struct tw *t)
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

	tw_draw(t);
	y = tw_panel_free_row(t);
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

static int
io_confirm(void *arg, const char *consequence, const char *word)
{
	struct tw *t = arg;
	char typed[32], line[160];
	size_t n = 0;
	int y, k;

	tw_draw(t);
	y = tw_panel_free_row(t);
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
	tw_draw(t);
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

void
tw_io_note(void *arg, const char *text)
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
		.arg = t, .handover = io_handover, .secret = tw_io_secret,
		.can_retry = io_can_retry, .reveal = tw_io_reveal,
		.confirm = io_confirm, .show = io_show,
		.progress = io_progress, .slow = io_slow, .note = tw_io_note,
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
	tw_draw(t);
	return walk_open(&t->w, o, io, why, whysz);
}

static void
loop(struct tw *t)
{
	char why[320];
	size_t n;
	int k, r;

	for (;;) {
		tw_draw(t);
		(void)walk_steps(t->w, &n);
		if (walk_current(t->w) < n)
			tui_put(tw_panel_free_row(t) + 1, 2, TUI_NORMAL, "Press "
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
