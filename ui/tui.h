/*
 * tui.h - the ncurses layer shared by the ceremony screens (tui_walk.c)
 * and the audit view (tui_audit.c): terminal set-up, keys from the
 * keyboard or from a key script, screen dumps for golden-file tests, and
 * a few drawing helpers. Layout at 80x24 and larger:
 *
 *   row 0            title bar (ceremony, REHEARSAL, step n of m)
 *   rows 1..LINES-3  the screen's own area
 *   row LINES-2      status: progress or the last outcome (an error
 *                    may take row LINES-3 too)
 *   row LINES-1      help line: the keys this screen takes
 *
 * Headless tests (the way tig tests its UI): with CUSTOS_TUI_SCRIPT=FILE
 * the keys come from FILE (read whole into guarded memory: test scripts
 * hold passphrases) and the output goes to a null xterm at 80x24 (or
 * CUSTOS_TUI_SIZE=COLSxLINES); a screen showing a secret is never
 * dumped. Script lines are
 *   key NAME      Enter, Esc, Up, Down, PgUp, PgDn, Home, End, Tab,
 *                 Backspace, Space, F1, CtrlL, or a single character
 *   type TEXT     the characters of TEXT (to the end of the line)
 *   dump NAME     the screen as text to $CUSTOS_TUI_DUMP_DIR/NAME.txt
 *   resize CxL    the terminal becomes C columns by L lines (a resize)
 *   # ...         a comment
 * When the script ends, every further key is TUI_KEY_EOF.
 */
#ifndef CUSTOS_TUI_H
#define CUSTOS_TUI_H

#include <stddef.h>

#include "../common/err.h"

#define TUI_KEY_EOF (-2)	/* the key script (or stdin) ended */
#define TUI_ESC 27
#define TUI_CTRL_L 12	/* redraw the screen */
#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24

enum tui_attr {
	TUI_NORMAL = 0,
	TUI_TITLE,	/* title bar */
	TUI_BOLD,
	TUI_GOOD,	/* matches, done */
	TUI_BAD,	/* errors, mismatches, irreversible */
	TUI_DIM,	/* steps still to come */
	TUI_SECRET,	/* words on the reveal screen */
};

/*
 * Starts curses on the terminal (or headless under a key script).
 * mono forces monochrome (also NO_COLOR in the environment). Returns 0,
 * CUSTOS_ERR_NO_TTY (no terminal and no script), or CUSTOS_ERR_LIMIT
 * (the terminal is smaller than 80x24; the message says so).
 */
int tui_begin(int mono) CUSTOS_WUR;

/* Ends curses; the terminal's alternate screen goes, with what was on
   it, so nothing is left in scrollback. Accepts being called twice. */
void tui_end(void);

/*
 * The next key (curses KEY_* codes, characters, TUI_KEY_EOF). Screen
 * dumps asked for by the script happen here. A resize or Ctrl-L redraws
 * the whole screen through the function given to tui_on_redraw() and
 * comes back as KEY_RESIZE (the screen then redraws what it keeps
 * apart, such as a line being typed); while the terminal is smaller than
 * 80x24 it says so and takes no key, so no question is answered while it
 * is not on the screen.
 */
int tui_key(void);

/* The function that draws the whole current screen (NULL: the screen's
   own loop redraws on KEY_RESIZE). */
void tui_on_redraw(void (*fn)(void *arg), void *arg);

/* Non-zero when the terminal is smaller than 80x24. */
int tui_too_small(void);

/* Whether k asks for help: F1, a key no secret can contain. */
int tui_is_help_key(int k);

/* Writes the current screen as text when the script asks (tui_key). */
void tui_dump(const char *name);

/* Draws text at (y, x) in attr, cut at the right edge. */
void tui_put(int y, int x, enum tui_attr attr, const char *text);

/* Draws text word-wrapped into rows y..y+maxrows-1 from column x, width
   w; returns the rows used. */
int tui_wrap(int y, int x, int w, int maxrows, enum tui_attr attr,
    const char *text);

/* Clears rows y0..y1 (inclusive). */
void tui_clear_rows(int y0, int y1);

/* Title bar text (left) and right-hand text. */
void tui_title(const char *left, const char *right);

/* Status (row LINES-2, and LINES-3 when it needs two) and help line
   (row LINES-1). */
void tui_status(enum tui_attr attr, const char *text);
void tui_help(const char *text);


/* hex (even length, up to 64 digits) as SLIP-39 words for reading
   aloud: ten bits a word, as many words as the value needs. */
void tui_hex_words(char *out, size_t sz, const char *hex);

/*
 * Runs fn(ctx) on a thread of its own while this one keeps the screen
 * alive: what, a spinner and the seconds on the status line. Returns
 * what fn returns. (Curses is only ever called from this thread.)
 */
int tui_run_slow(const char *what, int (*fn)(void *ctx), void *ctx);

/* Whether the terminal has an alternate screen (what is drawn there
   leaves no scrollback when curses ends). */
int tui_has_alt_screen(void);

/* Marks a secret as on the screen (1) or gone (0): dumps are refused
   while one is. */
void tui_secret_shown(int on);

/* Full repaint after a secret was on screen: clears the terminal itself,
   not only curses's idea of it. */
void tui_wipe_screen(void);

#endif
