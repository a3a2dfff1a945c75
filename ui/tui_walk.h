/*
 * tui_walk.h - the interactive ceremony (custos ceremony run) and the
 * audit view (custos audit view), both curses screens.
 */
#ifndef CUSTOS_TUI_WALK_H
#define CUSTOS_TUI_WALK_H

struct walk_opts;

/*
 * Runs the ceremony of o in the terminal until it is complete or the
 * person quits (it resumes where it stopped when run again). mono: no
 * colour. Returns an exit code; a one-line reason goes to stderr after
 * the screen is gone.
 */
int tui_walk_run(const struct walk_opts *o, int mono);

/*
 * The verified timeline of the ceremony in dir, as a pager. own: curses
 * is not running yet (start and end it here). Returns an exit code.
 */
int tui_audit_view(const char *dir, int own, int mono);

/* A text (title: what it is) in the same pager, curses running. Returns 0
   when the user leaves, or an error. */
int tui_text_view(const char *title, const char *text, size_t len,
    int rehearsal);

#endif
