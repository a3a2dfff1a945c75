/*
 * tui_walk_secret.c - the ceremony screens' secret entry (never echoed,
 * with a strength hint for new passphrases, confirmed where asked) and
 * the words a custodian may ask to see, on a screen wiped afterwards.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "tui.h"
#include "tui_walk_int.h"

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

int
tw_io_secret(void *arg, enum op_secret kind, const char *who,
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
	tw_draw(t);
	y = tw_panel_free_row(t);
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

int
tw_io_reveal(void *arg, const char *who, const char *title, const char *secret)
{
	struct tw *t = arg;
	char line[200];
	int y, k, seen = 0;

	if (!tui_has_alt_screen()) {
		tw_io_note(t, "This terminal keeps what it shows (no alternate "
		    "screen), so the words are not shown here; the member "
		    "files hold the part.");
		return 0;
	}
	for (;;) {
		tw_draw(t);
		y = tw_panel_free_row(t);
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

