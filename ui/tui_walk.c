/*
 * tui_walk.c - the ceremony screens: the step list with the current step,
 * who acts and what it does, and the walk's requests (hand-over, secret
 * entry, words on request, confirmations, values read aloud, progress)
 * drawn in the panel below it. All ceremony logic is in ceremony/walk*.c;
 * this file only draws and turns keys into answers.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_hsm.h"
#include "../ceremony/walk.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "tui.h"
#include "tui_walk.h"
#include "tui_walk_int.h"


/* The list takes the rows the steps need, up to all but 15 (the step's
   heading, its explanation and the panel take the rest). */
static int
list_rows(const struct tw *t)
{
	size_t n = 0;
	int most = LINES - 15;

	if (t->w != NULL)
		(void)walk_steps(t->w, &n);
	return n < (size_t)most ? (n > 4 ? (int)n : 4) : most;
}
static int head_row(const struct tw *t) { return LIST_TOP + list_rows(t) + 1; }
static int panel_row(const struct tw *t) { return head_row(t) + 3; }

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
	int rows = list_rows(t), y, tw = COLS - 12 > 42 + 26 ? COLS - 12 - 26 :
	    42;

	if (t->w == NULL)
		return;
	st = walk_steps(t->w, &n);
	cur = walk_current(t->w);
	first = cur > (size_t)rows / 2 ? cur - (size_t)rows / 2 : 0;
	if (first + (size_t)rows > n)
		first = n > (size_t)rows ? n - (size_t)rows : 0;
	tui_clear_rows(LIST_TOP, LIST_TOP + rows - 1);
	for (i = first, y = LIST_TOP; i < n && y < LIST_TOP + rows; i++, y++) {
		snprintf(line, sizeof(line), "%6s %2zu. %-*.*s %.24s",
		    marker(st[i].state, i == cur, i == t->cut), i + 1, tw, tw,
		    st[i].title, st[i].actor);
		tui_put(y, 0, i == cur ? TUI_BOLD : st[i].state == WALK_DONE ?
		    TUI_GOOD : TUI_DIM, line);
	}
	snprintf(line, sizeof(line), " %zu earlier, %zu later ", first,
	    n - i);
	if (first > 0 || i < n)
		tui_put(LIST_TOP + rows, COLS - 2 - (int)strlen(line), TUI_DIM,
		    line);
}

/* The values shown: the step on screen's, or under a heading naming the
   finished step they came from, with what it did. */
static void
draw_shown(struct tw *t)
{
	int i, y = panel_row(t);

	if (t->done[0] != '\0')
		tui_put(y++, 1, TUI_GOOD, t->done);
	for (i = 0; i < t->nshown; i++) {
		tui_put(y++, 1, TUI_BOLD, t->shown[i][0]);
		tui_put(y++, 1, TUI_NORMAL, t->shown[i][1]);
		if (t->shown[i][2][0] != '\0')
			tui_put(y++, 1, TUI_NORMAL, t->shown[i][2]);
	}
	if (t->done[0] != '\0' && t->summary[0] != '\0')
		tui_wrap(y, 1, COLS - 2, 2, TUI_NORMAL, t->summary);
}

/* The rows left in the panel under what was shown. */
int
tw_panel_free_row(struct tw *t)
{
	int i, y = panel_row(t);

	if (t->done[0] != '\0')
		y += 1 + (t->summary[0] != '\0' ? ((int)strlen(t->summary) >
		    COLS - 2 ? 2 : 1) : 0);
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
		tui_title("custos - opening the ceremony", t->rehearsal ?
		    "REHEARSAL" : "");
		if (t->rehearsal)
			tui_put(1, 1, TUI_DIM, "REHEARSAL: emulated devices, no "
			    "real card is touched.");
	} else {
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
		mvhline(head_row(t) - 1, 0, ACS_HLINE, COLS);
		draw_list(t);
		if (cur < n) {
			snprintf(left, sizeof(left), "Step %zu: %s", cur + 1,
			    st[cur].title);
			tui_put(head_row(t), 1, TUI_BOLD, left);
			snprintf(right, sizeof(right), "Who: %.40s",
			    st[cur].actor);
			tui_put(head_row(t), COLS - 1 - (int)strlen(right),
			    TUI_BOLD, right);
			tui_wrap(head_row(t) + 1, 1, COLS - 2, 2, TUI_NORMAL,
			    st[cur].explain);
		} else {
			tui_put(head_row(t), 1, TUI_GOOD, "The ceremony is "
			    "complete and closed.");
			tui_wrap(head_row(t) + 1, 1, COLS - 2, 2, TUI_NORMAL,
			    "Its transcript is signed. Press a to browse its "
			    "verified timeline; auditors run custos audit verify "
			    "on it.");
		}
	}
	draw_shown(t);
	if (t->status[0] != '\0')
		tui_status(t->status_attr, t->status);
	if (t->panel != NULL)
		t->panel(t);
}

void
tw_redraw(void *arg)
{
	tw_draw(arg);
}

void
tw_open_panel(struct tw *t, void (*fn)(struct tw *t), void *req)
{
	t->panel = fn;
	t->req = req;
	tw_draw(t);
}

/* The first row of a panel of rows rows: under what is shown when it
   fits, else as low as the status line allows (over what is shown), so
   the question itself is always on the screen. Clears from there. */
int
tw_panel_at(struct tw *t, int rows)
{
	int y = tw_panel_free_row(t), last = LINES - 3 - rows;

	if (y > last)
		y = last > LIST_TOP ? last : LIST_TOP;
	tui_clear_rows(y, LINES - 4);
	return y;
}

/* ---- asking once before quitting ---- */

struct quitq {
	void (*under)(struct tw *t);	/* the panel it covers */
	void *under_req;
};

static void
panel_quit(struct tw *t)
{
	int y = tw_panel_at(t, 4);

	tui_put(y, 2, TUI_BOLD, "Quit now? Every finished step is in the signed "
	    "transcript;");
	tui_put(y + 1, 2, TUI_NORMAL, "running custos again on this ceremony "
	    "goes on where it stopped.");
	tui_put(y + 3, 2, TUI_NORMAL, "Quit? y: yes, quit   n: no, go on");
	tui_help("y: quit (resume later)   n or Esc: go on");
}

int
tw_ask_quit(struct tw *t)
{
	struct quitq q = { t->panel, t->req };
	int k;

	tw_open_panel(t, panel_quit, &q);
	for (;;) {
		k = tui_key();
		if (k == 'y' || k == 'Y' || k == TUI_KEY_EOF) {
			t->quit = 1;
			break;
		}
		if (k == 'n' || k == 'N' || k == TUI_ESC)
			break;
	}
	tw_open_panel(t, q.under, q.under_req);
	return t->quit;
}

/* ---- the walk's requests ---- */

struct handq {
	const char *who, *why;
	enum op_handover kind;
};

static void
panel_handover(struct tw *t)
{
	const struct handq *q = t->req;
	char line[160];
	int y = tw_panel_at(t, 5);

	snprintf(line, sizeof(line), "Hand the keyboard to %s.", q->who);
	tui_put(y++, 2, TUI_BOLD, line);
	y += tui_wrap(y, 2, COLS - 4, 2, TUI_NORMAL, q->why);
	snprintf(line, sizeof(line), "%s: press Enter when you have the "
	    "keyboard.", q->who);
	tui_put(y + 1, 2, TUI_NORMAL, line);
	snprintf(line, sizeof(line), q->kind == OP_HANDOVER_MEMBER ?
	    "Enter: I have it   Esc: %.24s is absent (ask the next)"
	    "   F1: help   q: quit" : "Enter: I have the keyboard   Esc: stop "
	    "this step   F1: help   q: quit", q->who);
	tui_help(line);
}

static int
io_handover(void *arg, const char *who, const char *why,
    enum op_handover kind)
{
	struct tw *t = arg;
	struct handq q = { who, why, kind };
	int k, r;

	tw_open_panel(t, panel_handover, &q);
	for (;;) {
		k = tui_key();
		if (k == '\n') {
			r = 0;
			break;
		}
		if (k == TUI_ESC || k == TUI_KEY_EOF) {
			r = CUSTOS_ERR_CANCELLED;
			break;
		}
		if (tui_is_help_key(k) || k == '?')
			tw_help_screen(t);
		else if ((k == 'q' || k == 'Q') && tw_ask_quit(t)) {
			r = CUSTOS_ERR_QUIT;	/* the run, not this member */
			break;
		}
	}
	t->panel = NULL;
	return r;
}

struct confq {
	const char *consequence, *word;
	char typed[32];
	int typed_row;
};

static void
panel_confirm(struct tw *t)
{
	struct confq *q = t->req;
	char line[160];
	int y = tw_panel_at(t, ((int)strlen(q->consequence) + COLS - 5) /
	    (COLS - 4) + 2);

	y += tui_wrap(y, 2, COLS - 4, 3, q->word[0] ? TUI_BAD : TUI_BOLD,
	    q->consequence);
	if (q->word[0] == '\0') {
		tui_put(y + 1, 2, TUI_NORMAL, "Is that so? y: yes   n: no");
		tui_help("y: yes   n or Esc: no, stop here   F1: help");
		return;
	}
	snprintf(line, sizeof(line), "Type %s and press Enter to go on: ",
	    q->word);
	q->typed_row = y + 1;
	tui_put(y + 1, 2, TUI_NORMAL, line);
	tui_put(y + 1, 2 + (int)strlen(line), TUI_BOLD, q->typed);
	tui_help("Enter: confirm   Esc: stop here, nothing is done   F1: help");
}

static int
io_confirm(void *arg, const char *consequence, const char *word)
{
	struct tw *t = arg;
	struct confq q;
	size_t n = 0;
	int k, r;

	memset(&q, 0, sizeof(q));
	q.consequence = consequence;
	q.word = word;
	tw_open_panel(t, panel_confirm, &q);
	for (;;) {
		k = tui_key();
		if (tui_is_help_key(k) || (k == '?' && word[0] == '\0')) {
			tw_help_screen(t);
			continue;
		}
		if (word[0] == '\0') {
			if (k == 'y' || k == 'Y') {
				r = 0;
				break;
			}
			if (k == 'n' || k == 'N' || k == TUI_ESC ||
			    k == TUI_KEY_EOF) {
				r = CUSTOS_ERR_CANCELLED;
				break;
			}
			continue;
		}
		if (k == '\n') {
			r = strcmp(q.typed, word) == 0 ? 0 : CUSTOS_ERR_CANCELLED;
			break;
		}
		if (k == TUI_ESC || k == TUI_KEY_EOF) {
			r = CUSTOS_ERR_CANCELLED;
			break;
		}
		if (k == KEY_BACKSPACE && n > 0)
			q.typed[--n] = '\0';
		else if (k > 32 && k < 127 && n + 1 < sizeof(q.typed)) {
			q.typed[n++] = (char)k;
			q.typed[n] = '\0';
		}
		tw_draw(t);
	}
	t->panel = NULL;
	return r;
}

static void
io_show(void *arg, const char *label, const char *hex)
{
	struct tw *t = arg;
	char g[100], words[120];

	if (t->nshown == SHOWN_MAX)
		t->nshown--;
	encode_group_hex(g, sizeof(g), hex);
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
    "q quits between steps and on hand-over screens, after asking once: "
    "every finished step is in the signed transcript, and running custos "
    "again on the same ceremony goes on at the first unfinished step, "
    "after checking the device.\n"
    "a opens the audit view: the ceremony's verified timeline.\n"
    "d, with key domains, lists each HSM's domains as the device has them.\n"
    "F1 shows this help on every screen, also while a secret is typed "
    "(? does too where nothing is typed). Ctrl-L redraws the screen.\n"
    "Values to compare (KCV, fingerprints) are shown in groups of four "
    "and as words, for reading aloud against the paper record.";

static void
draw_help(void *arg)
{
	struct tw *t = arg;

	erase();
	tui_title("custos - help", t->rehearsal ? "REHEARSAL" : "");
	tui_wrap(2, 2, COLS - 4, LINES - 5, TUI_NORMAL, help_text);
	tui_help("Any key: back");
}

void
tw_help_screen(struct tw *t)
{
	int k;

	tui_on_redraw(draw_help, t);
	draw_help(t);
	do
		k = tui_key();
	while (k == KEY_RESIZE);
	tui_on_redraw(tw_redraw, t);
	tw_draw(t);
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
		.text = tw_io_text,
		.confirm = io_confirm, .show = io_show,
		.progress = io_progress, .slow = io_slow, .note = tw_io_note,
		.warn = io_warn, .recorded = io_recorded,
	};

	return io;
}

/* Whether the plan says it is a rehearsal (the title says REHEARSAL
   from the first screen; the walk checks the plan itself). */
static int
plan_says_rehearsal(const char *path)
{
	struct plan *p = NULL;
	char why[200];
	int r;

	if (path == NULL || plan_load(path, &p, why, sizeof(why)) != 0)
		return 0;
	r = p->rehearsal;
	plan_free(p);
	return r;
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
panel_loop(struct tw *t)
{
	size_t n;
	int more;

	(void)walk_steps(t->w, &n);
	more = walk_current(t->w) < n;
	if (more) {
		int y = tw_panel_at(t, 1);

		if (y == tw_panel_free_row(t) && y + 1 <= LINES - 4)
			y++;	/* a blank row first, where there is room */
		tui_put(y, 2, TUI_NORMAL, "Press Enter to take this step.");
	}
	if (walk_uses_domains(t->w))
		tui_help(more ? "Enter: take step  a: audit  d: domains  F1/?: "
		    "help  q: quit (resume later)" : "s: closing summary   a: "
		    "audit view   F1 or ?: help   q: quit");
	else
		tui_help(more ? "Enter: take this step   a: audit view   F1 or "
		    "?: help   q: quit (resume later)" : "s: closing summary   a: "
		    "audit view   F1 or ?: help   q: quit");
}

/* The closing summary the close wrote (summary.txt), in the pager. */
static void
show_summary(struct tw *t)
{
	unsigned char *buf = NULL;
	char path[4096];
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s/summary.txt", t->dir);
	if ((r = atomicio_read(path, 1u << 22, 0, &buf, &len)) != 0) {
		t->status_attr = TUI_BAD;
		snprintf(t->status, sizeof(t->status), "%.200s: %s", path,
		    custos_strerror(r));
		return;
	}
	tui_on_redraw(NULL, NULL);
	(void)tui_text_view("closing summary, summary.txt: to sign",
	    (const char *)buf, len, t->rehearsal);
	tui_on_redraw(tw_redraw, t);
	atomicio_free_buf(buf, len, 0);
}

/* The key domains of every HSM of the plan, as the devices show them
   now, in the pager (d between steps). */
static void
show_domains(struct tw *t)
{
	const struct plan *p = walk_plan(t->w);
	struct op_domain dom[16];
	char *text = NULL, why[320], label[64], serial[64];
	size_t len = 0, n, i;
	unsigned h;
	int slots, r;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL) {
		t->status_attr = TUI_BAD;
		snprintf(t->status, sizeof(t->status), "the domain view: %s",
		    custos_strerror(CUSTOS_ERR_NOMEM));
		return;
	}
	for (h = 0; h < p->nhsms; h++) {
		r = walk_domains(t->w, h, dom, 16, &n, &slots, label, serial,
		    why, sizeof(why));
		if (r != 0) {
			fprintf(f, "HSM %s: %s\n\n", label, why[0] ? why :
			    custos_strerror(r));
			continue;
		}
		if (slots <= 1)
			fprintf(f, "HSM %s (serial %s): no key domain slots; its "
			    "DKEK is domain 0\n\n", label, serial);
		else
			fprintf(f, "HSM %s (serial %s): %d key domain slots, %zu "
			    "in use\n\n", label, serial, slots, n);
		if (n > 0)
			fprintf(f, "  domain  shares  to import  KCV\n");
		for (i = 0; i < n; i++) {
			fprintf(f, "  %-6d  %-6d  %-9d  ", dom[i].domain,
			    dom[i].shares, dom[i].left);
			if (dom[i].kcv[0] != '\0')
				fprintf(f, "%.4s %.4s %.4s %.4s\n", dom[i].kcv,
				    dom[i].kcv + 4, dom[i].kcv + 8,
				    dom[i].kcv + 12);
			else
				fprintf(f, "%s\n", dom[i].shares == 0 ?
				    "- (no DKEK)" : dom[i].left > 0 ?
				    "- (shares to import)" :
				    "shown after login (its KCV step)");
		}
		if ((size_t)slots > n)
			fprintf(f, "  %zu empty slot%s\n", (size_t)slots - n,
			    (size_t)slots - n == 1 ? "" : "s");
		fprintf(f, "\n");
	}
	fprintf(f, "Read from the device%s now, without a PIN; recorded as "
	    "hsm.domains.\n", p->nhsms == 1 ? "" : "s");
	if (fclose(f) == 0) {
		tui_on_redraw(NULL, NULL);
		(void)tui_text_view("key domains of the HSMs", text, len,
		    t->rehearsal);
		tui_on_redraw(tw_redraw, t);
	}
	free(text);
}

/* The finished step's heading and what it did, over its values. */
static void
step_done(struct tw *t, size_t i, const struct walk_step *st)
{
	const char *sum = walk_summary(t->w);

	snprintf(t->done, sizeof(t->done), "Step %zu done: %.100s", i + 1,
	    st->title);
	snprintf(t->summary, sizeof(t->summary), "%s", sum);
	t->status_attr = TUI_GOOD;
	snprintf(t->status, sizeof(t->status), "Step %zu done and recorded in "
	    "the transcript.", i + 1);
}

static void
loop(struct tw *t)
{
	const struct walk_step *st;
	char why[320];
	size_t n, i;
	int k, r;

	for (;;) {
		tw_open_panel(t, panel_loop, NULL);
		st = walk_steps(t->w, &n);
		k = tui_key();
		if (k == TUI_KEY_EOF)
			return;
		/* quitting asks once, unless nothing is left to do */
		if ((k == 'q' || k == 'Q') && (walk_current(t->w) >= n ||
		    tw_ask_quit(t)))
			return;
		if (k == '?' || tui_is_help_key(k))
			tw_help_screen(t);
		else if (k == 'a' || k == 'A') {
			tui_on_redraw(NULL, NULL);
			(void)tui_audit_view(t->dir, 0, 0);
			tui_on_redraw(tw_redraw, t);
		} else if ((k == 's' || k == 'S') && walk_current(t->w) >= n) {
			show_summary(t);
		} else if ((k == 'd' || k == 'D') && walk_uses_domains(t->w) &&
		    walk_current(t->w) < n) {
			/* (after the close nothing is recorded: not offered) */
			show_domains(t);
		} else if (k == '\n' && (i = walk_current(t->w)) < n) {
			t->nshown = 0;
			t->done[0] = t->summary[0] = t->status[0] = '\0';
			t->panel = NULL;
			r = walk_step_run(t->w, why, sizeof(why));
			if (t->quit)
				return;
			if (r == 0) {
				step_done(t, i, &st[i]);
				if (walk_current(t->w) >= n)
					show_summary(t);	/* the sheet to
								   sign */
			} else {
				t->status_attr = TUI_BAD;
				snprintf(t->status, sizeof(t->status), "%s", why[0] ?
				    why : custos_strerror(r));
			}
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
	t.rehearsal = o->rehearse || plan_says_rehearsal(o->plan_path);
	io = io_of(&t);
	if ((r = tui_begin(mono)) != 0) {
		fprintf(stderr, "custos: ceremony run: %s\n", r ==
		    CUSTOS_ERR_LIMIT ? "the terminal must be at least 80x24" :
		    r == CUSTOS_ERR_NO_TTY ? "needs a terminal" :
		    custos_strerror(r));
		return r == CUSTOS_ERR_NO_TTY ? 2 : 1;
	}
	tui_on_redraw(tw_redraw, &t);
	r = open_walk(&t, o, &io, why, sizeof(why));
	if (t.quit && r != 0)
		r = 0, why[0] = '\0';	/* quit at a hand-over: nothing to say */
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
	tui_on_redraw(NULL, NULL);
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
