/*
 * tui_walk_secret.c - the ceremony screens' secret entry (never echoed,
 * with a strength hint for new passphrases, confirmed where asked), the
 * one line of plain text they ask (a path: echoed, the same editing),
 * and the words a custodian may ask to see, on a screen wiped afterwards.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "../shamir/slip39.h"
#include "tui.h"
#include "tui_walk_int.h"

_Static_assert(SECRET_MAX > SLIP39_MNEMONIC_MAX + 32,
    "a mnemonic typed back must fit the entry");

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

struct secq {
	const char *what, *who, *hint;
	int again;		/* the second entry of a confirmed kind */
	int strong;		/* a new passphrase: show its strength */
	int plain;		/* plain text: echoed; hint is an error */
	int row;		/* the entry's row, as last drawn */
	const char *buf;	/* the entry so far (never drawn) */
	size_t len;
};

/* The rows text takes wrapped to the panel's width. */
static int
rows_of(const char *text)
{
	return text == NULL || text[0] == '\0' ? 0 : ((int)strlen(text) +
	    COLS - 5) / (COLS - 4);
}

static void
panel_plain(struct tw *t, struct secq *q)
{
	int w = COLS - 6, n = (int)q->len;
	int y = tw_panel_at(t, 2 + rows_of(q->what) + rows_of(q->hint));

	y += tui_wrap(y, 2, COLS - 4, 4, TUI_BOLD, q->what);
	if (q->hint != NULL && q->hint[0] != '\0')
		y += tui_wrap(y, 2, COLS - 4, 3, TUI_BAD, q->hint);
	q->row = y;
	tui_put(y, 2, TUI_NORMAL, "> ");
	/* the end of a long entry, where the typing is */
	tui_put(y, 4, TUI_NORMAL, q->buf + (n > w ? n - w : 0));
	tui_help("Enter: done (empty: leave it here)   Esc: leave it here   "
	    "F1: help");
}

static void
panel_secret(struct tw *t)
{
	struct secq *q = t->req;
	char line[200];
	int y;

	if (q->plain) {
		panel_plain(t, q);
		return;
	}
	y = tw_panel_at(t, 3 + rows_of(q->hint));

	snprintf(line, sizeof(line), "%s (%s types; it is not shown):", q->what,
	    q->who);
	tui_put(y++, 2, TUI_BOLD, line);
	if (q->hint != NULL && q->hint[0] != '\0')
		y += tui_wrap(y, 2, COLS - 4, 3, TUI_DIM, q->hint);
	q->row = y;
	tui_put(y, 2, TUI_NORMAL, q->again ? "Again, to be sure: > " : "> ");
	if (q->strong && !q->again && q->len > 0)
		tui_put(y + 1, 4, pwpolicy_check(q->buf, q->len, 0) ? TUI_BAD :
		    TUI_GOOD, strength(q->buf, q->len));
	tui_help("Enter: done   Backspace: delete   Ctrl-U: start again   "
	    "Esc: stop   F1: help");
}

/* Reads one entry into buf (echoed only when q->plain); 0, or
   CUSTOS_ERR_CANCELLED. */
static int
read_entry(struct tw *t, struct secq *q, char *buf, size_t *len)
{
	int k;

	*len = 0;
	buf[0] = '\0';
	q->buf = buf;
	q->len = 0;
	tw_open_panel(t, panel_secret, q);
	for (;;) {
		k = tui_key();
		if (k == '\n')
			return 0;
		if (k == TUI_ESC || k == TUI_KEY_EOF) {
			secmem_wipe(buf, SECRET_MAX + 1);
			*len = q->len = 0;
			return CUSTOS_ERR_CANCELLED;
		}
		if (tui_is_help_key(k))
			tw_help_screen(t);
		else if (k == KEY_BACKSPACE && *len > 0)
			buf[--*len] = '\0';
		else if (k == 21)	/* Ctrl-U */
			secmem_wipe(buf, SECRET_MAX + 1), *len = 0;
		else if (k >= 32 && k < 256 && k != 127 && *len < SECRET_MAX) {
			buf[(*len)++] = (char)k;
			buf[*len] = '\0';
		}
		q->len = *len;
		if (q->plain)
			tw_draw(t);
		else if (q->strong && !q->again) {	/* the strength line only */
			tui_clear_rows(q->row + 1, q->row + 1);
			if (*len > 0)
				tui_put(q->row + 1, 4, pwpolicy_check(buf, *len,
				    0) ? TUI_BAD : TUI_GOOD, strength(buf, *len));
		}
	}
}

int
tw_io_secret(void *arg, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *outlen)
{
	struct tw *t = arg;
	char *a = secmem_alloc(SECRET_MAX + 1), *b = secmem_alloc(SECRET_MAX +
	    1);
	size_t la = 0, lb = 0;
	struct secq q;
	int r, twice = kind == OP_SECRET_NEW ||
	    kind == OP_SECRET_ADMIN_NEW || kind == OP_SECRET_PIN_NEW ||
	    kind == OP_SECRET_SO_PIN_NEW;

	*out = NULL;
	memset(&q, 0, sizeof(q));
	q.what = what;
	q.who = who;
	q.hint = hint;
	q.strong = kind == OP_SECRET_NEW || kind == OP_SECRET_ADMIN_NEW;
	if (a == NULL || b == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if ((r = read_entry(t, &q, a, &la)) != 0)
		goto out;
	/* A new passphrase the policy refuses goes back at once, before it
	   is asked a second time: the engine says why (on this screen, as
	   the next entry is asked) and counts the tries. */
	if (twice && !(q.strong && pwpolicy_check(a, la, 0) != NULL)) {
		q.again = 1;
		if ((r = read_entry(t, &q, b, &lb)) != 0)
			goto out;
		if (la != lb || secmem_equal(a, b, la) != 0) {
			r = CUSTOS_ERR_PASSPHRASE_MISMATCH;
			goto out;
		}
	}
	*out = a;
	*outlen = la;
	a = NULL;
	r = 0;
 out:
	t->panel = NULL;
	secmem_free(a);
	secmem_free(b);
	return r;
}

int
tw_io_text(void *arg, const char *who, const char *question,
    const char *hint, char *out, size_t outsz)
{
	struct tw *t = arg;
	char buf[SECRET_MAX + 1];
	size_t len = 0;
	struct secq q;
	int r;

	memset(&q, 0, sizeof(q));
	q.what = question;
	q.who = who;
	q.hint = hint;
	q.plain = 1;
	t->status[0] = '\0';	/* what went before is answered; the hint
				   says what went wrong with this entry */
	r = read_entry(t, &q, buf, &len);
	t->panel = NULL;
	out[0] = '\0';
	if (r == 0)
		snprintf(out, outsz, "%s", buf);
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

struct revq {
	const char *who, *title;
	int seen;
};

static void
panel_reveal(struct tw *t)
{
	const struct revq *q = t->req;
	char line[200];
	int y = tw_panel_at(t, 3);

	snprintf(line, sizeof(line), "%s: %s.", q->who, q->title);
	tui_put(y++, 2, TUI_BOLD, line);
	tui_wrap(y, 2, COLS - 4, 3, TUI_NORMAL, q->seen ? "They are hidden "
	    "again. Press s to see them once more, or Enter to go on." :
	    "Only you should see them: everyone else looks away. Press "
	    "s to show them, or Enter to go on without them.");
	tui_help("s: show my words   Enter: go on   F1: help");
}

int
tw_io_reveal(void *arg, const char *who, const char *title, const char *secret)
{
	struct tw *t = arg;
	struct revq q = { who, title, 0 };
	int k, r;

	if (!tui_has_alt_screen()) {
		tw_io_note(t, "This terminal keeps what it shows (no alternate "
		    "screen), so the words are not shown here; the member "
		    "files hold the part.");
		return 0;
	}
	for (;;) {
		tw_open_panel(t, panel_reveal, &q);
		k = tui_key();
		if (k == 's' || k == 'S') {
			tui_on_redraw(NULL, NULL);	/* a resize hides them */
			show_words(who, title, secret);
			tui_on_redraw(tw_redraw, t);
			q.seen = 1;
		} else if (tui_is_help_key(k) || k == '?') {
			tw_help_screen(t);
		} else if (k == '\n') {
			r = q.seen;
			break;
		} else if (k == TUI_KEY_EOF || k == TUI_ESC) {
			r = CUSTOS_ERR_CANCELLED;
			break;
		}
	}
	t->panel = NULL;
	return r;
}
