/* audit.c - a transcript rendered for people: timeline, HTML, sign-off. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../common/encode.h"
#include "audit.h"
#include "machine.h"
#include "transcript.h"

#define AUDIT_OUT_MAX (1024UL * 1024 * 1024)
#define AUDIT_DEPTH_MAX 32	/* KCVs are looked for this deep in facts */
#define AUDIT_COLS 80		/* width of the sign-off sheet */
#define HASH_HEX_MAX 128
#define HASH_GROUPED (HASH_HEX_MAX + HASH_HEX_MAX / 4)
#define PATH_SZ 160
#define PROGRAM_ACTOR "custos"	/* transcript.repair: nobody signs for it */
#define MISSING "(not recorded)"
#define FACTS(rec) json_object_get((rec)->body, "facts")

enum { ESC_TEXT = 0, ESC_HTML = 1, ESC_KEEP_BACKSLASH = 2 };

/* A growing output string; the first error sticks and stops all output. */
struct abuf {
	char *p;
	size_t len, cap;
	int err;
};

/* The parsed transcript and its distinct actors, in order of appearance. */
struct doc {
	struct transcript_record *rec;
	size_t n;
	const char **who;	/* point into rec[].body */
	size_t nwho;
};

static void
ab_put(struct abuf *b, const char *s, size_t n)
{
	char *p;

	if (b->err != CUSTOS_OK)
		return;
	if (n > AUDIT_OUT_MAX - b->len) {
		b->err = CUSTOS_ERR_TOO_LARGE;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		if ((p = realloc(b->p, (b->len + n + 1) * 2)) == NULL) {
			b->err = CUSTOS_ERR_NOMEM;
			return;
		}
		b->p = p;
		b->cap = (b->len + n + 1) * 2;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
ab_puts(struct abuf *b, const char *s)
{
	ab_put(b, s, strlen(s));
}

/* Only for short, fixed-shape output (numbers): never for data. */
static void __attribute__((format(printf, 2, 3)))
ab_printf(struct abuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(tmp))
		ab_put(b, tmp, (size_t)n);
	else if (b->err == CUSTOS_OK)
		b->err = CUSTOS_ERR_INTERNAL;	/* a bug: never truncate */
}

/* Hands the string over (an empty one still gets its NUL) or frees it. */
static int
ab_finish(struct abuf *b, char **out, size_t *outlen)
{
	ab_put(b, "", 0);
	if (b->err != CUSTOS_OK) {
		free(b->p);
		return b->err;
	}
	*out = b->p;
	*outlen = b->len;
	return CUSTOS_OK;
}

/*
 * Bytes of a character at s[0..n) that must not reach a terminal or page
 * as it is (C0, DEL, C1, bidi and line-separator controls), its code point
 * in *cp; 0 for any other character.
 */
static size_t
unsafe_char(const unsigned char *s, size_t n, unsigned int *cp)
{
	if (s[0] < 0x20 || s[0] == 0x7f) {
		*cp = s[0];
		return 1;
	}
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*cp = s[1];
		return 2;
	}
	if (n >= 3 && s[0] == 0xe2 && ((s[1] == 0x80 && (s[2] == 0x8e ||
	    s[2] == 0x8f || (s[2] >= 0xa8 && s[2] <= 0xae))) ||
	    (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))) {
		*cp = 0x2000U | ((s[1] & 0x3fU) << 6) | (s[2] & 0x3fU);
		return 3;
	}
	return 0;
}

/* Appends s[0..n) with controls made visible and, for HTML, escaped. */
static void
put_esc(struct abuf *b, const char *s, size_t n, int mode)
{
	static const char html[] = "&<>\"'";
	static const char *const ent[] = { "&amp;", "&lt;", "&gt;", "&quot;",
	    "&#39;" };
	const unsigned char *u = (const unsigned char *)s;
	const char *e, *q;
	size_t i = 0, run = 0, k;
	unsigned int cp = 0;

	while (i < n) {
		e = NULL;
		k = unsafe_char(u + i, n - i, &cp);
		if (k == 0 && s[i] == '\\' && !(mode & ESC_KEEP_BACKSLASH))
			e = "\\\\";
		else if (k == 0 && (mode & ESC_HTML) &&
		    (q = strchr(html, s[i])) != NULL)
			e = ent[q - html];
		if (k == 0 && e == NULL) {
			i++;
			continue;
		}
		ab_put(b, s + run, i - run);
		if (k != 0)
			ab_printf(b, k == 1 ? "\\x%02x" : "\\u%04x", cp);
		else
			ab_puts(b, e);
		i += k != 0 ? k : 1;
		run = i;
	}
	ab_put(b, s + run, n - run);
}

/* pre, then s (data: escaped; NULL shown as missing), then post. */
static void
put3(struct abuf *b, const char *pre, const char *s, const char *post,
    int mode)
{
	ab_puts(b, pre);
	if (s == NULL)
		ab_puts(b, MISSING);
	else
		put_esc(b, s, strlen(s), mode);
	ab_puts(b, post);
}

/* A fact's value: a string as its text, anything else as compact JSON. */
static void
put_value(struct abuf *b, json_t *v, int mode)
{
	char *j;

	if (json_is_string(v)) {
		put_esc(b, json_string_value(v), json_string_length(v), mode);
		return;
	}
	j = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (j != NULL)	/* JSON already escapes its backslashes */
		put_esc(b, j, strlen(j), mode | ESC_KEEP_BACKSLASH);
	else if (b->err == CUSTOS_OK)
		b->err = CUSTOS_ERR_NOMEM;
	free(j);
}

static void
doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		transcript_record_clear(&d->rec[i]);
	free(d->rec);
	free(d->who);
	memset(d, 0, sizeof(*d));
}

/* Parses every line (a final one without its newline too). */
static int
doc_parse(struct doc *d, const char *t, size_t len)
{
	const char *p = t, *end, *nl, *why;
	json_t *seen = NULL;	/* actors so far, as a set */
	size_t cap = 1;
	int r = CUSTOS_ERR_NOMEM;

	memset(d, 0, sizeof(*d));
	if (t == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	end = t + len;
	for (nl = t; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL; nl++)
		cap++;
	if ((d->rec = calloc(cap, sizeof(*d->rec))) == NULL ||
	    (d->who = calloc(cap, sizeof(*d->who))) == NULL ||
	    (seen = json_object()) == NULL)
		goto out;
	for (; p < end; p = nl != NULL ? nl + 1 : end) {
		struct transcript_record *rec = &d->rec[d->n];

		nl = memchr(p, '\n', (size_t)(end - p));
		if ((r = transcript_parse_record(p, (size_t)((nl != NULL ? nl :
		    end) - p), rec, &why)) != CUSTOS_OK)
			goto out;
		d->n++;
		if (json_object_get(seen, rec->actor) == NULL) {
			r = CUSTOS_ERR_NOMEM;
			if (json_object_set_new(seen, rec->actor, json_null()) != 0)
				goto out;
			d->who[d->nwho++] = rec->actor;
		}
	}
	r = d->n > 0 ? CUSTOS_OK : CUSTOS_ERR_FORMAT;
 out:
	json_decref(seen);
	if (r != CUSTOS_OK)
		doc_free(d);
	return r;
}

static const char *
fact_str(const struct transcript_record *rec, const char *key)
{
	return json_string_value(json_object_get(FACTS(rec), key));
}

/* Every fact as pre key ": " value post. */
static void
put_facts(struct abuf *b, const struct transcript_record *rec,
    const char *pre, const char *post, int mode)
{
	const char *key;
	json_t *v;

	json_object_foreach(FACTS(rec), key, v) {
		put3(b, pre, key, ": ", mode);
		put_value(b, v, mode);
		ab_puts(b, post);
	}
}

/* One step of a fact's path: a key, or (key NULL) an array index. */
struct seg {
	const struct seg *up;
	const char *key;
	size_t idx;
};

static void
put_path(struct abuf *b, const struct seg *s)
{
	if (s == NULL)
		return;
	put_path(b, s->up);
	if (s->key == NULL) {
		ab_printf(b, "[%zu]", s->idx);
		return;
	}
	if (s->up != NULL)
		ab_puts(b, ".");
	put_esc(b, s->key, strlen(s->key), ESC_TEXT);
}

static int
is_scalar(json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* A scalar for people: text as it is, yes/no, (none), numbers. */
static void
put_scalar(struct abuf *b, json_t *v)
{
	if (json_is_string(v) && json_string_length(v) == 0)
		ab_puts(b, "\"\"");
	else if (json_is_true(v) || json_is_false(v))
		ab_puts(b, json_is_true(v) ? "yes" : "no");
	else if (json_is_null(v))
		ab_puts(b, "(none)");
	else
		put_value(b, v, ESC_TEXT);
}

/*
 * A fact flattened into "path: value" lines: objects by key, arrays by
 * index, a list of scalars on one line ("a, b"), an empty object or list
 * as (none); deeper than AUDIT_DEPTH_MAX as compact JSON.
 */
static void
put_flat(struct abuf *b, const struct seg *path, json_t *v, int depth)
{
	struct seg s = { path, NULL, 0 };
	const char *key;
	json_t *e;
	size_t i;
	int flat = 1;

	if (path == NULL) {	/* the facts themselves: an object */
		json_object_foreach(v, key, e) {
			s.key = key;
			put_flat(b, &s, e, depth + 1);
		}
		return;
	}
	json_array_foreach(v, i, e)
		flat = flat && is_scalar(e);
	if (is_scalar(v) || depth >= AUDIT_DEPTH_MAX || (json_object_size(v) ==
	    0 && json_array_size(v) == 0) || (json_is_array(v) && flat)) {
		ab_puts(b, "    ");
		put_path(b, path);
		ab_puts(b, ": ");
		if (is_scalar(v))
			put_scalar(b, v);
		else if (depth >= AUDIT_DEPTH_MAX)
			put_value(b, v, ESC_TEXT);
		else if (json_array_size(v) == 0)
			ab_puts(b, "(none)");
		json_array_foreach(v, i, e) {
			ab_puts(b, i > 0 ? ", " : "");
			put_scalar(b, e);
		}
		ab_puts(b, "\n");
		return;
	}
	json_object_foreach(v, key, e) {
		s.key = key;
		put_flat(b, &s, e, depth + 1);
	}
	json_array_foreach(v, i, e) {
		s.idx = i;
		put_flat(b, &s, e, depth + 1);
	}
}

static int
timeline(char **out, size_t *outlen, const char *transcript, size_t len,
    int flat)
{
	struct abuf b = { NULL, 0, 0, CUSTOS_OK };
	struct doc d;
	size_t i;
	int r;

	*out = NULL;
	*outlen = 0;
	if ((r = doc_parse(&d, transcript, len)) != CUSTOS_OK)
		return r;
	for (i = 0; i < d.n; i++) {
		const struct transcript_record *rec = &d.rec[i];

		ab_printf(&b, "%s#%llu  %s  ", i > 0 ? "\n" : "", rec->seq,
		    rec->time);
		put3(&b, "", rec->actor, "  ", ESC_TEXT);
		put3(&b, "", rec->action, rec->rehearsal ? "  REHEARSAL\n" :
		    "\n", ESC_TEXT);
		if (flat)
			put_flat(&b, NULL, FACTS(rec), 0);
		else
			put_facts(&b, rec, "    ", "\n", ESC_TEXT);
	}
	doc_free(&d);
	return ab_finish(&b, out, outlen);
}

int
audit_timeline(char **out, size_t *outlen, const char *transcript,
    size_t len)
{
	return timeline(out, outlen, transcript, len, 0);
}

int
audit_timeline_flat(char **out, size_t *outlen, const char *transcript,
    size_t len)
{
	return timeline(out, outlen, transcript, len, 1);
}

/*
 * Appends line (escaped, consumed): HTML as it is, text wrapped to 80 code
 * points a line, at spaces where it can, later lines indented by ind.
 */
static void
put_line(struct abuf *b, struct abuf *line, int mode, size_t ind)
{
	static const char spaces[] = "        ";	/* ind <= 8 */
	const char *s = line->p != NULL ? line->p : "";
	size_t pos = 0, w = AUDIT_COLS, i, k, brk, col;

	if (line->err != CUSTOS_OK && b->err == CUSTOS_OK)
		b->err = line->err;
	if (mode == ESC_HTML) {
		ab_put(b, s, line->len);
		pos = line->len;
	}
	while (pos < line->len) {
		for (i = pos, col = 0; i < line->len && col < w; col++)
			for (i++; i < line->len && (s[i] & 0xc0) == 0x80; i++)
				;
		brk = i;
		for (k = i; i < line->len && k > pos; k--)
			if (s[k] == ' ') {
				brk = k;
				break;
			}
		ab_put(b, s + pos, brk - pos);
		ab_put(b, "\n", 1);
		pos = brk < line->len && s[brk] == ' ' ? brk + 1 : brk;
		if (pos < line->len) {
			ab_put(b, spaces, ind);
			w = AUDIT_COLS - ind;
		}
	}
	free(line->p);
	memset(line, 0, sizeof(*line));
}

static int
is_kcv_key(const char *k)
{
	size_t n = strlen(k);

	return strcmp(k, "kcv") == 0 || strstr(k, "fingerprint") != NULL ||
	    (n >= 4 && strcmp(k + n - 4, "_kcv") == 0) ||
	    (n >= 7 && strcmp(k + n - 7, "_sha256") == 0);
}

/* One KCV or fingerprint: a table row, or two wrapped lines. */
static void
put_kcv(struct abuf *b, int mode, const struct transcript_record *rec,
    const char *path, json_t *v)
{
	struct abuf l = { NULL, 0, 0, CUSTOS_OK };
	int html = mode == ESC_HTML;

	ab_printf(&l, html ? "<tr><td>%llu</td><td>" : "  #%llu  ", rec->seq);
	put3(&l, "", rec->action, html ? "</td><td>" : "  ", mode);
	put3(&l, "", rec->actor, html ? "</td><td>" : "", mode);
	put_line(b, &l, mode, 6);
	put3(&l, html ? "" : "      ", path, html ? "</td><td class=\"mono\">" :
	    ": ", mode);
	put_value(&l, v, mode);
	ab_puts(&l, html ? "</td></tr>\n" : "");
	put_line(b, &l, mode, 8);
}

/* Finds every KCV or fingerprint member in v, depth first. */
static void
kcv_walk(struct abuf *b, int mode, const struct transcript_record *rec,
    json_t *v, char *path, size_t plen, int depth)
{
	void *it;
	size_t i;

	for (it = json_object_iter(v); it != NULL && depth < AUDIT_DEPTH_MAX;
	    it = json_object_iter_next(v, it)) {
		snprintf(path + plen, PATH_SZ - plen, "%s%s",
		    plen > 0 ? "." : "", json_object_iter_key(it));
		if (is_kcv_key(json_object_iter_key(it)))
			put_kcv(b, mode, rec, path, json_object_iter_value(it));
		else
			kcv_walk(b, mode, rec, json_object_iter_value(it), path,
			    strlen(path), depth + 1);
	}
	for (i = 0; i < json_array_size(v) && depth < AUDIT_DEPTH_MAX; i++) {
		snprintf(path + plen, PATH_SZ - plen, "[%zu]", i);
		kcv_walk(b, mode, rec, json_array_get(v, i), path, strlen(path),
		    depth + 1);
	}
	path[plen] = '\0';
}

/* A label and its value: a table row, or a line wrapped to 80 columns. */
static void
put_item(struct abuf *b, int mode, const char *label, const char *value)
{
	struct abuf l = { NULL, 0, 0, CUSTOS_OK };
	char lab[32];

	snprintf(lab, sizeof(lab), "%s:", label);
	ab_printf(&l, mode == ESC_HTML ? "<tr><th>%s</th><td>" : "%-15s ",
	    mode == ESC_HTML ? label : lab);
	put3(&l, "", value, mode == ESC_HTML ? "</td></tr>\n" : "", mode);
	put_line(b, &l, mode, 4);
}

/* A signature line for one person. */
static void
put_signer(struct abuf *b, int mode, const char *role, const char *name)
{
	if (mode == ESC_HTML) {
		put3(b, "<tr><td>", name, "</td>", ESC_HTML);
		ab_printf(b, "<td>%s</td><td></td><td></td></tr>\n", role);
		return;
	}
	put_item(b, mode, role, name);
	ab_puts(b, "  Signature: ______________________________________"
	    "  Date: ________________\n\n");
}

static const char html_head[] = "<!DOCTYPE html>\n<html lang=\"en\">\n"
    "<head>\n<meta charset=\"utf-8\">\n<title>Key ceremony report: ";
static const char html_style[] = "</title>\n<style>\n"
    "body{font-family:serif;font-size:11pt;margin:2em}\nh2{font-size:13pt;"
    "border-bottom:1px solid #000;margin-top:1.5em}\n"
    "table{border-collapse:collapse;width:100%}\nth,td{border:1px solid "
    "#000;padding:.2em .4em;text-align:left;vertical-align:top}\n"
    ".mono,.hash{font-family:monospace;word-break:break-all}\n.hash{font-"
    "size:13pt}\n.rehearsal{font-weight:bold;border:2px solid #000;padding:"
    ".3em}\n.sig td{height:3em}\nthead{display:table-header-group}\n"
    "tr,.signatures{break-inside:avoid;page-break-inside:avoid}\n"
    "@page{margin:15mm}\n@media print{body{margin:0}}\n"
    "</style>\n</head>\n<body>\n";

/* The HTML report's table of every step. */
static void
html_steps(struct abuf *b, const struct doc *d)
{
	size_t i;

	ab_puts(b, "<h2>Steps</h2>\n<table>\n<thead><tr><th>Seq</th>"
	    "<th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Facts</th>"
	    "</tr></thead>\n<tbody>\n");
	for (i = 0; i < d->n; i++) {
		const struct transcript_record *rec = &d->rec[i];

		ab_printf(b, "<tr><td>%llu</td><td>%s</td>", rec->seq,
		    rec->time);
		put3(b, "<td>", rec->actor, "</td>", ESC_HTML);
		put3(b, "<td>", rec->action, rec->rehearsal ?
		    " <strong>(rehearsal)</strong></td>" : "</td>", ESC_HTML);
		ab_puts(b, "<td class=\"mono\">");
		put_facts(b, rec, "", "<br>\n", ESC_HTML);
		ab_puts(b, "</td></tr>\n");
	}
	ab_puts(b, "</tbody>\n</table>\n");
}

/*
 * The HTML report and the sign-off sheet: the same contents, but only
 * the HTML has the steps and the verdict.
 */
static void
put_report(struct abuf *b, const struct doc *d, int mode,
    const char *verdict, const char *closing_hex, const char *words)
{
	const struct transcript_record *open = &d->rec[0];
	const char *admin = fact_str(open, "admin"), *p, *nl;
	char grouped[HASH_GROUPED] = "", path[PATH_SZ] = "";
	struct abuf l = { NULL, 0, 0, CUSTOS_OK };
	struct machine_lines m;
	int html = mode == ESC_HTML;
	size_t i;

	if (html)
		put3(b, html_head, fact_str(open, "title"), html_style, mode);
	if (open->rehearsal)
		ab_printf(b, html ? "<p class=\"rehearsal\">%s</p>\n" :
		    "*** %s ***\n\n", "REHEARSAL - not a production ceremony");
	ab_puts(b, html ? "<h1>Key ceremony report</h1>\n<table>\n" :
	    "KEY CEREMONY SIGN-OFF SHEET\n===========================\n\n");
	put_item(b, mode, "Title", fact_str(open, "title"));
	put_item(b, mode, "Ceremony id", fact_str(open, "ceremony_id"));
	put_item(b, mode, "Administrator", admin);
	put_item(b, mode, "Key SHA-256", fact_str(open, "public_key_sha256"));
	machine_lines(FACTS(open), &m);
	put_item(b, mode, "Software", m.software);
	put_item(b, mode, "Program SHA-256", m.sha256);
	put_item(b, mode, "Libraries", m.libraries);
	put_item(b, mode, "Kernel", m.kernel);
	put_item(b, mode, "Network", m.network);
	ab_printf(b, html ? "<tr><th>Steps</th><td>%zu records, %s to %s "
	    "UTC</td></tr>\n</table>\n" : "Steps:          %zu records, %s to "
	    "%s\n", d->n, open->time, d->rec[d->n - 1].time);
	ab_puts(b, html ? "<h2>Participants</h2>\n<ol>\n" :
	    "\nParticipants (in order of first appearance):\n");
	for (i = 0; i < d->nwho; i++) {
		if (!html)
			ab_printf(&l, "  %zu. ", i + 1);
		put3(&l, html ? "<li>" : "", d->who[i], html ? "</li>\n" : "",
		    mode);
		put_line(b, &l, mode, 6);
	}
	if (html) {
		ab_puts(b, "</ol>\n");
		html_steps(b, d);
	}
	ab_puts(b, html ? "<h2>Key check values and fingerprints</h2>\n"
	    "<table>\n<thead><tr><th>Seq</th><th>Action</th><th>Actor</th>"
	    "<th>Name</th><th>Value</th></tr></thead>\n<tbody>\n" :
	    "\nKey check values and fingerprints:\n");
	for (i = 0; i < d->n; i++)
		kcv_walk(b, mode, &d->rec[i], FACTS(&d->rec[i]), path, 0, 0);
	if (html) {
		ab_puts(b, "</tbody>\n</table>\n<h2>Verdict</h2>\n<p>");
		/* The caller's verdict may span lines. */
		for (p = verdict; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			put_esc(b, p, (size_t)(nl - p), mode);
			ab_puts(b, "<br>\n");
		}
		put3(b, "", p, "</p>\n", mode);
	}
	encode_group_hex(grouped, sizeof(grouped), closing_hex);
	ab_puts(b, html ? "<h2>Closing hash</h2>\n<p>SHA-256 of the "
	    "transcript:</p>\n<p class=\"hash\">" :
	    "\nClosing hash of the transcript (SHA-256):\n");
	put3(&l, "", grouped, html ? "</p>\n" : "", mode);
	put_line(b, &l, mode, 0);
	if (words != NULL) {
		ab_puts(b, html ? "<p>Fingerprint words: <strong>" :
		    "\nFingerprint words:\n");
		put3(&l, html ? "" : "  ", words, html ? "</strong></p>\n" : "",
		    mode);
		put_line(b, &l, mode, 2);
	}
	ab_puts(b, html ? "<div class=\"signatures\">\n<h2>Signatures</h2>\n"
	    "<table class=\"sig\">\n<thead><tr><th>Name</th><th>Role</th>"
	    "<th>Signature</th><th>Date</th></tr></thead>\n<tbody>\n" :
	    "\nSignatures: I confirm that the values above match what I saw "
	    "during the\nceremony.\n\n");
	put_signer(b, mode, "Administrator", admin);
	for (i = 0; i < d->nwho; i++)
		if ((admin == NULL || strcmp(d->who[i], admin) != 0) &&
		    strcmp(d->who[i], PROGRAM_ACTOR) != 0)
			put_signer(b, mode, "Participant", d->who[i]);
	ab_puts(b, html ? "</tbody>\n</table>\n</div>\n</body>\n</html>\n" :
	    "");
}

/* Both reports: checks, parses, renders. */
static int
report(char **out, size_t *outlen, const char *transcript, size_t len,
    int mode, const char *verdict, const char *closing_hex,
    const char *words)
{
	struct abuf b = { NULL, 0, 0, CUSTOS_OK };
	struct doc d;
	size_t n;
	int r;

	*out = NULL;
	*outlen = 0;
	if ((mode == ESC_HTML && verdict == NULL) || closing_hex == NULL ||
	    (n = strlen(closing_hex)) == 0 || n > HASH_HEX_MAX ||
	    strspn(closing_hex, "0123456789abcdefABCDEF") != n)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = doc_parse(&d, transcript, len)) != CUSTOS_OK)
		return r;
	if (strcmp(d.rec[0].action, "ceremony.open") != 0) {
		doc_free(&d);
		return CUSTOS_ERR_FORMAT;
	}
	put_report(&b, &d, mode, verdict, closing_hex, words);
	doc_free(&d);
	return ab_finish(&b, out, outlen);
}

int
audit_report_html(char **out, size_t *outlen, const char *transcript,
    size_t len, const char *verdict_text, const char *closing_sha256_hex,
    const char *fingerprint_words)
{
	return report(out, outlen, transcript, len, ESC_HTML, verdict_text,
	    closing_sha256_hex, fingerprint_words);
}

int
audit_signoff_text(char **out, size_t *outlen, const char *transcript,
    size_t len, const char *closing_sha256_hex,
    const char *fingerprint_words)
{
	return report(out, outlen, transcript, len, ESC_TEXT, NULL,
	    closing_sha256_hex, fingerprint_words);
}
