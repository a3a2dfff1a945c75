/*
 * tui_walk_int.h - what the ceremony screens (tui_walk.c) and their
 * secret entry and words on request (tui_walk_secret.c) share.
 */
#ifndef CUSTOS_TUI_WALK_INT_H
#define CUSTOS_TUI_WALK_INT_H

#include <stddef.h>

#include "../ceremony/walk.h"
#include "tui.h"

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

/* Draws the whole screen: list, current step, panel. */
void tw_draw(struct tw *t);
/* The first free row of the panel below what is shown. */
int tw_panel_free_row(struct tw *t);
/* struct op_io callbacks (arg: struct tw). */
void tw_io_note(void *arg, const char *text);
int tw_io_secret(void *arg, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len);
int tw_io_reveal(void *arg, const char *who, const char *title,
    const char *secret);

#endif
