/* textwrap.c - one line of text laid out for a screen of a given width. */
#include <stdlib.h>
#include <string.h>

#include "textwrap.h"

#define HEX_GROUP_MIN 16	/* shorter hex runs are words like any other */
#define NONE ((size_t)-1)

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Bytes of the code point at s[0..n) (a stray byte counts as one). */
static size_t
cp_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	return k < n ? k : n;
}

/*
 * s[0..n) into out (room for n + n / 4 + 1 bytes) with every word that
 * is all hex, at least HEX_GROUP_MIN digits and wider than max columns
 * spaced into groups of four. Returns the length written.
 */
static size_t
group_hex(char *out, const char *s, size_t n, size_t max)
{
	size_t i = 0, o = 0, w, k;

	while (i < n) {
		if (s[i] == ' ') {
			out[o++] = s[i++];
			continue;
		}
		for (w = i; w < n && s[w] != ' '; w++)
			;
		for (k = i; k < w && is_hex(s[k]); k++)
			;
		if (k == w && w - i >= HEX_GROUP_MIN && w - i > max) {
			for (k = i; k < w; k++) {
				if (k > i && (k - i) % 4 == 0)
					out[o++] = ' ';
				out[o++] = s[k];
			}
		} else {
			memcpy(out + o, s + i, w - i);
			o += w - i;
		}
		i = w;
	}
	out[o] = '\0';
	return o;
}

int
textwrap_line(const char *s, size_t n, size_t width, size_t indent,
    textwrap_put_fn put, void *ctx)
{
	char *w = NULL, *line = NULL;
	size_t wn, pos = 0, start, lead, i, cols, brk, end, avail;
	int first = 1, r = CUSTOS_ERR_NOMEM;

	if ((s == NULL && n > 0) || put == NULL || width < indent + 8 ||
	    (n > 0 && memchr(s, '\n', n) != NULL))
		return CUSTOS_ERR_INVALID_ARG;
	if ((w = malloc(n + n / 4 + 1)) == NULL ||
	    (line = malloc(indent + n + n / 4 + 1)) == NULL)
		goto out;
	wn = group_hex(w, s != NULL ? s : "", n, width - indent);
	memset(line, ' ', indent);
	do {
		avail = first ? width : width - indent;
		start = pos;
		for (lead = start; first && lead < wn && w[lead] == ' '; lead++)
			;
		for (i = start, cols = 0, brk = NONE; i < wn && cols < avail;
		    i += cp_len(w + i, wn - i), cols++)
			if (w[i] == ' ' && i > lead)
				brk = i;
		if (i >= wn || w[i] == ' ' || brk == NONE)
			end = i;	/* all of it, a fit, or a cut word */
		else
			end = brk;
		pos = end;
		while (end > lead && w[end - 1] == ' ')
			end--;
		if (first)
			r = put(ctx, w + start, end - start);
		else {
			memcpy(line + indent, w + start, end - start);
			r = put(ctx, line, indent + end - start);
		}
		if (r != 0)
			goto out;
		first = 0;
		while (pos < wn && w[pos] == ' ')
			pos++;
	} while (pos < wn);
	r = 0;
 out:
	free(line);
	free(w);
	return r;
}
