/* pwshare_text.c - password shares as text, as sc-hsm-tool prints them. */
#include <stdio.h>
#include <string.h>

#include "../common/secmem.h"
#include "pwshare_text.h"

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Appends one 1-2 digit hex group in[0..len) as a byte; 0 or an error. */
static int
hex_group(const char *in, size_t len, unsigned char *b, size_t *nb,
    size_t max)
{
	int hi, lo;

	while (len > 0 && is_blank((unsigned char)in[len - 1]))
		len--;
	while (len > 0 && is_blank((unsigned char)*in)) {
		in++;
		len--;
	}
	if (len < 1 || len > 2)
		return CUSTOS_ERR_FORMAT;
	hi = len == 2 ? hexval((unsigned char)in[0]) : 0;
	lo = hexval((unsigned char)in[len - 1]);
	if (hi < 0 || lo < 0)
		return CUSTOS_ERR_FORMAT;
	if (*nb == max)
		return CUSTOS_ERR_TOO_LARGE;
	b[(*nb)++] = (unsigned char)(hi * 16 + lo);
	return CUSTOS_OK;
}

int
pwshare_parse_hex(const char *in, size_t len,
    unsigned char out[PWSHARE_NUM_LEN])
{
	unsigned char b[64];
	size_t i, g, nb = 0, skip;
	int colon = 0, blank = 0, d, r = CUSTOS_OK;

	memset(out, 0, PWSHARE_NUM_LEN);
	while (len > 0 && is_blank((unsigned char)in[len - 1]))
		len--;
	while (len > 0 && is_blank((unsigned char)*in)) {
		in++;
		len--;
	}
	for (i = 0; i < len; i++) {
		colon |= in[i] == ':';
		blank |= is_blank((unsigned char)in[i]);
	}
	if (!colon && !blank) {
		/* Plain digits, even or odd in number. */
		if (len > 2 * sizeof(b))
			return CUSTOS_ERR_TOO_LARGE;
		for (i = 0; i < len; i++) {
			if ((d = hexval((unsigned char)in[i])) < 0)
				return CUSTOS_ERR_FORMAT;
			if ((len - i) % 2 == 0 || i == 0)
				b[nb++] = 0;
			b[nb - 1] = (unsigned char)(b[nb - 1] * 16 + d);
		}
	} else {
		/* Groups of 1-2 digits split by ':' (else by blanks). */
		for (i = 0, g = 0; i <= len && r == CUSTOS_OK; i++) {
			if (i < len && (colon ? in[i] != ':' :
			    !is_blank((unsigned char)in[i])))
				continue;
			if (!colon && i < len && i == g) {
				g = i + 1;	/* a run of blanks */
				continue;
			}
			r = hex_group(in + g, i - g, b, &nb, sizeof(b));
			g = i + 1;
		}
	}
	if (r == CUSTOS_OK) {
		for (skip = 0; skip < nb && b[skip] == 0; skip++)
			;
		if (nb - skip > PWSHARE_NUM_LEN)
			r = CUSTOS_ERR_TOO_LARGE;
		else
			memcpy(out + PWSHARE_NUM_LEN - (nb - skip), b + skip,
			    nb - skip);
	}
	secmem_wipe(b, sizeof(b));
	return r;
}

int
pwshare_parse_id(const char *in, size_t len, unsigned int *id)
{
	unsigned long v = 0;
	size_t i, nd = 0;

	*id = 0;
	while (len > 0 && is_blank((unsigned char)in[len - 1]))
		len--;
	while (len > 0 && is_blank((unsigned char)*in)) {
		in++;
		len--;
	}
	for (i = 0; i < len; i++) {
		if (in[i] < '0' || in[i] > '9')
			return CUSTOS_ERR_FORMAT;
		if (v <= PWSHARE_MAX)
			v = v * 10 + (unsigned long)(in[i] - '0');
		nd++;
	}
	if (nd == 0)
		return CUSTOS_ERR_FORMAT;
	if (v == 0 || v > PWSHARE_MAX)
		return CUSTOS_ERR_LIMIT;
	*id = (unsigned int)v;
	return CUSTOS_OK;
}

/* The label of a "Label : value" line, lower-cased without blanks. */
static size_t
line_label(const char *in, size_t len, char *lab, size_t labsz)
{
	size_t i, n = 0;

	lab[0] = '\0';
	for (i = 0; i < len && in[i] != ':'; i++) {
		if (is_blank((unsigned char)in[i]))
			continue;
		if (n + 1 >= labsz)
			return 0;
		lab[n++] = (char)((in[i] >= 'A' && in[i] <= 'Z') ?
		    in[i] - 'A' + 'a' : in[i]);
	}
	lab[n] = '\0';
	return i < len ? i + 1 : 0;	/* offset of the value, 0: none */
}

int
pwshare_parse(const char *in, size_t len, struct pwshare *out, size_t max,
    size_t *n, size_t *errline)
{
	unsigned char prime[PWSHARE_NUM_LEN];
	char lab[16];
	size_t pos = 0, line = 0, eol, v, idline = 0;
	unsigned int id = 0;
	int have_prime = 0, r = CUSTOS_OK;

	*n = 0;
	if (errline != NULL)
		*errline = 0;
	if (len > PWSHARE_TEXT_MAX)
		return CUSTOS_ERR_TOO_LARGE;
	while (pos < len && r == CUSTOS_OK) {
		for (eol = pos; eol < len && in[eol] != '\n'; eol++)
			if (in[eol] == '\0')
				r = CUSTOS_ERR_FORMAT;
		line++;
		if (r != CUSTOS_OK)
			break;
		v = line_label(in + pos, eol - pos, lab, sizeof(lab));
		if (v == 0) {
			;		/* not a labelled line: ignored */
		} else if (strcmp(lab, "prime") == 0) {
			if (id != 0)
				r = CUSTOS_ERR_TRUNCATED;
			else if ((r = pwshare_parse_hex(in + pos + v,
			    eol - pos - v, prime)) == CUSTOS_OK)
				have_prime = 1;
		} else if (strcmp(lab, "shareid") == 0) {
			if (id != 0)
				r = CUSTOS_ERR_TRUNCATED;
			else if ((r = pwshare_parse_id(in + pos + v,
			    eol - pos - v, &id)) == CUSTOS_OK && !have_prime)
				r = CUSTOS_ERR_FORMAT;	/* no prime before */
			else
				idline = line;
		} else if (strcmp(lab, "sharevalue") == 0) {
			if (id == 0)
				r = CUSTOS_ERR_FORMAT;	/* no ID before */
			else if (*n == max)
				r = CUSTOS_ERR_TOO_LARGE;
			else if ((r = pwshare_parse_hex(in + pos + v,
			    eol - pos - v, out[*n].value)) == CUSTOS_OK) {
				memcpy(out[*n].prime, prime, sizeof(prime));
				out[(*n)++].id = id;
				id = 0;
			}
		}
		if (r == CUSTOS_ERR_TRUNCATED)
			line = idline;
		pos = eol + 1;
	}
	if (r == CUSTOS_OK && id != 0) {
		r = CUSTOS_ERR_TRUNCATED;
		line = idline;
	}
	if (r == CUSTOS_OK && *n == 0) {
		r = CUSTOS_ERR_FORMAT;
		line = 0;
	}
	if (r != CUSTOS_OK) {
		if (errline != NULL)
			*errline = line;
		secmem_wipe(out, sizeof(*out) * max);
		*n = 0;
	}
	return r;
}

/* p as sc-hsm-tool prints it: minimal bytes, lower-case, ':'-joined. */
static void
colon_hex(char *out, const unsigned char b[PWSHARE_NUM_LEN])
{
	static const char digits[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	while (i < PWSHARE_NUM_LEN && b[i] == 0)
		i++;
	for (; i < PWSHARE_NUM_LEN; i++) {
		if (o > 0)
			out[o++] = ':';
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	out[o] = '\0';
}

int
pwshare_format(char *out, size_t outsz, const struct pwshare *s,
    unsigned int i, unsigned int n)
{
	char p[3 * PWSHARE_NUM_LEN], y[3 * PWSHARE_NUM_LEN];
	int k;

	if (out == NULL || s == NULL || outsz < PWSHARE_FORMAT_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	colon_hex(p, s->prime);
	colon_hex(y, s->value);
	k = snprintf(out, outsz, "Share %u of %u\n\n\nPrime       : %s\n"
	    "Share ID    : %u\nShare value : %s\n", i, n, p, s->id, y);
	secmem_wipe(y, sizeof(y));
	if (k < 0 || (size_t)k >= outsz) {
		secmem_wipe(out, outsz);
		return CUSTOS_ERR_INVALID_ARG;
	}
	return CUSTOS_OK;
}
