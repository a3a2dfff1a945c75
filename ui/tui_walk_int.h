/*
 * tui_walk_int.h - what the ceremony screens (tui_walk.c) and their
 * secret entry and words on request (tui_walk_secret.c) share.
 */
#ifndef CUSTOS_TUI_WALK_INT_H
#define CUSTOS_TUI_WALK_INT_H

#include <stddef.h>

#include "../ceremony/walk.h"
#include "tui.h"

/* The longest entry: a passphrase, or a whole SLIP-39 mnemonic typed back
   (SLIP39_MNEMONIC_MAX, 297, with room for stray spaces). */
#define SECRET_MAX 512
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
	char done[160];			/* "Step 8 done: ..." when the values
					   shown are a finished step's */
	char summary[400];		/* what that step did (as walk.c) */
	int rehearsal;			/* known before the walk opens */
	int quit;			/* the person chose to quit */
	/* The open request: draws its part of the panel and the help line
	   (tw_draw calls it, so a resize redraws it whole). */
	void (*panel)(struct tw *t);
	void *req;
};

/* Draws the whole screen: title, list, current step, values shown,
   status and the open request's panel. */
void tw_draw(struct tw *t);
/* tui_on_redraw()'s callback (arg: struct tw). */
void tw_redraw(void *arg);
/* Makes fn (with req) the open request's panel and draws the screen. */
void tw_open_panel(struct tw *t, void (*fn)(struct tw *t), void *req);
/* Asks once whether to quit; non-zero (and t->quit set) when so. */
int tw_ask_quit(struct tw *t);
/* The help screen. */
void tw_help_screen(struct tw *t);
/* The first row of a panel of rows rows (tui_walk.c), cleared to the
   status line: under what is shown, or over it when it does not fit. */
int tw_panel_at(struct tw *t, int rows);
/* The first free row of the panel below what is shown. */
int tw_panel_free_row(struct tw *t);
/* struct op_io callbacks (arg: struct tw). */
void tw_io_note(void *arg, const char *text);
int tw_io_secret(void *arg, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len);
int tw_io_text(void *arg, const char *who, const char *question,
    const char *hint, char *out, size_t outsz);
int tw_io_reveal(void *arg, const char *who, const char *title,
    const char *secret);

#endif
