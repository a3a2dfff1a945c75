/*
 * textwrap.h - one line of text laid out for a screen of a given width:
 * broken at spaces (never inside a word that fits on a line of its own),
 * continuation lines indented. No I/O, no curses: the audit view calls it
 * with the terminal's width, the tests with any width.
 */
#ifndef CUSTOS_TEXTWRAP_H
#define CUSTOS_TEXTWRAP_H

#include <stddef.h>

#include "err.h"

/* Receives one laid-out line (no newline, not NUL-terminated); a non-zero
   return stops the layout and is returned by textwrap_line(). */
typedef int (*textwrap_put_fn)(void *ctx, const char *s, size_t n);

/*
 * Lays out s[0..n) (one line: no newline in it) in lines of at most width
 * columns (a column is a UTF-8 code point), calling put once per line in
 * order. The first line keeps s's leading spaces; a break happens at the
 * last space that lets the line fit, the spaces there are dropped, and
 * each continuation line starts with indent spaces (counted in width).
 * A word wider than a whole continuation line is cut only then: a run of
 * 16 or more hex digits is first spaced into groups of four ("1A2B 3C4D")
 * and broken between groups, any other word at the width (never inside a
 * UTF-8 sequence). An empty s gives one empty line. width must be at least
 * indent + 8. Returns 0, CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_NOMEM or put's
 * first non-zero return.
 */
int textwrap_line(const char *s, size_t n, size_t width, size_t indent,
    textwrap_put_fn put, void *ctx) CUSTOS_WUR;

#endif
