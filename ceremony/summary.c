/* summary.c - the closing summary of a ceremony, from its records only. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "summary.h"
#include "transcript.h"

#define COLS 80
#define FACTS(r) json_object_get((r)->body, "facts")
#define MISSING "(not recorded)"

enum { ROLE_ADMIN = 1, ROLE_CUSTODIAN = 2, ROLE_WITNESS = 4 };

/* A growing text; err is sticky. */
struct sb {
	char *p;
	size_t len, cap;
	int err;
};

struct sum {
	struct transcript_record *rec;
	size_t n;
	struct sb out;
	json_t *people;		/* names in order of first mention */
	json_t *roles;		/* name -> ROLE_* bits */
};

static void
sb_put(struct sb *b, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (b->err != CUSTOS_OK || s == NULL || n == 0)
		return;
	if (b->p == NULL || b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 1024; cap < b->len + n + 1;
		    cap *= 2)
			;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->err = CUSTOS_ERR_NOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		b->err = CUSTOS_ERR_INTERNAL;
	else
		sb_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/*
 * Appends s (NULL: MISSING) with the characters that must not reach a
 * page or terminal as they are (C0, DEL, C1, bidi and line-separator
 * controls) shown as \xNN or \uNNNN, and a backslash as "\\" - as
 * audit.c shows them.
 */
static void
sb_esc(struct sb *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n, k;
	unsigned int cp = 0;

	if (s == NULL) {
		sb_put(b, MISSING, strlen(MISSING));
		return;
	}
	n = strlen(s);
	while (i < n) {
		k = 0;
		if (u[i] < 0x20 || u[i] == 0x7f) {
			cp = u[i];
			k = 1;
		} else if (n - i >= 2 && u[i] == 0xc2 && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f) {
			cp = u[i + 1];
			k = 2;
		} else if (n - i >= 3 && u[i] == 0xe2 && ((u[i + 1] == 0x80 &&
		    (u[i + 2] == 0x8e || u[i + 2] == 0x8f || (u[i + 2] >= 0xa8 &&
		    u[i + 2] <= 0xae))) || (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 &&
		    u[i + 2] <= 0xa9))) {
			cp = 0x2000U | ((u[i + 1] & 0x3fU) << 6) |
			    (u[i + 2] & 0x3fU);
			k = 3;
		}
		if (k == 0 && s[i] != '\\') {
			i++;
			continue;
		}
		sb_put(b, s + run, i - run);
		if (k == 0)
			sb_put(b, "\\\\", 2);
		else
			sb_printf(b, k == 1 ? "\\x%02x" : "\\u%04x", cp);
		i += k != 0 ? k : 1;
		run = i;
	}
	sb_put(b, s + run, n - run);
}

/* Appends line (consumed) wrapped at COLS code points, at a space where
   it can, later lines indented by ind (at most 8). */
static void
flush(struct sum *m, struct sb *line, size_t ind)
{
	static const char spaces[] = "        ";
	const char *s = line->p != NULL ? line->p : "";
	size_t pos = 0, w = COLS, i, k, brk, col;

	if (line->err != CUSTOS_OK && m->out.err == CUSTOS_OK)
		m->out.err = line->err;
	if (line->len == 0)
		sb_put(&m->out, "\n", 1);
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
		sb_put(&m->out, s + pos, brk - pos);
		sb_put(&m->out, "\n", 1);
		pos = brk < line->len && s[brk] == ' ' ? brk + 1 : brk;
		if (pos < line->len) {
			sb_put(&m->out, spaces, ind);
			w = COLS - ind;
		}
	}
	free(line->p);
	memset(line, 0, sizeof(*line));
}

/* "label" then value (escaped), one wrapped line. */
static void
item(struct sum *m, const char *label, const char *value, size_t ind)
{
	struct sb l = { NULL, 0, 0, CUSTOS_OK };

	sb_put(&l, label, strlen(label));
	sb_esc(&l, value);
	flush(m, &l, ind);
}

/* A hash in groups of four, eight groups to a line, indented by ind. */
static void
hash(struct sum *m, const char *label, const char *hex, size_t ind)
{
	size_t i, n;

	if (hex == NULL || strspn(hex, "0123456789abcdefABCDEF") !=
	    strlen(hex)) {
		item(m, label, hex, ind);
		return;
	}
	sb_put(&m->out, label, strlen(label));
	n = strlen(hex);
	for (i = 0; i < n; i += 4) {
		if (i > 0 && i % 32 == 0)
			sb_printf(&m->out, "\n%*s", (int)ind, "");
		else if (i > 0)
			sb_put(&m->out, " ", 1);
		sb_put(&m->out, hex + i, n - i < 4 ? n - i : 4);
	}
	sb_put(&m->out, "\n", 1);
}

static const char *
fstr(const struct transcript_record *r, const char *key)
{
	return json_string_value(json_object_get(FACTS(r), key));
}

static void
person(struct sum *m, const char *name, int role)
{
	json_t *v;

	if (name == NULL || name[0] == '\0')
		return;
	if ((v = json_object_get(m->roles, name)) == NULL) {
		json_array_append_new(m->people, json_string(name));
		json_object_set_new(m->roles, name, json_integer(role));
	} else {
		json_integer_set(v, json_integer_value(v) | role);
	}
}

static void
people_of(struct sum *m, json_t *names, int role)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v) {
		person(m, json_string_value(v), role);
	}
}

/* Every DKEK KCV recorded, once each, with the records that show it
   and, when they name one, its key domain. */
static void
kcvs(struct sum *m)
{
	json_t *seen = json_object(), *doms = json_object(), *v, *d;
	const char *k;
	size_t i, j;

	sb_printf(&m->out, "\nDKEK key check values (KCV):\n");
	for (i = 0; i < m->n; i++) {
		if ((k = fstr(&m->rec[i], "kcv")) == NULL || k[0] == '\0')
			continue;
		if ((v = json_object_get(seen, k)) == NULL) {
			json_object_set_new(seen, k, json_array());
			v = json_object_get(seen, k);
		}
		json_array_append_new(v, json_integer((json_int_t)
		    m->rec[i].seq));
		/* the key domains that showed it, each once */
		d = json_object_get(FACTS(&m->rec[i]), "domain");
		if (json_is_integer(d)) {
			json_t *ds = json_object_get(doms, k), *e;
			size_t x;

			if (ds == NULL) {
				json_object_set_new(doms, k, json_array());
				ds = json_object_get(doms, k);
			}
			json_array_foreach(ds, x, e)
				if (json_integer_value(e) ==
				    json_integer_value(d))
					break;
			if (x == json_array_size(ds))
				json_array_append(ds, d);
		}
	}
	if (json_object_size(seen) == 0)
		sb_printf(&m->out, "  none recorded\n");
	json_object_foreach(seen, k, v) {
		struct sb l = { NULL, 0, 0, CUSTOS_OK };

		if (strlen(k) <= 32 && strspn(k, "0123456789abcdefABCDEF") ==
		    strlen(k))
			for (j = 0; k[j] != '\0'; j++) {
				if (j > 0 && j % 4 == 0)
					sb_put(&l, " ", 1);
				sb_put(&l, k + j, 1);
			}
		else
			sb_esc(&l, k);
		if ((d = json_object_get(doms, k)) != NULL)
			for (j = 0; j < json_array_size(d); j++)
				sb_printf(&l, "%s%lld", j ? ", " : "  key domain ",
				    (long long)json_integer_value(
				    json_array_get(d, j)));
		sb_printf(&l, "  (record%s", json_array_size(v) > 1 ? "s" :
		    "");
		for (j = 0; j < json_array_size(v); j++)
			sb_printf(&l, "%s #%lld", j ? "," : "", (long long)
			    json_integer_value(json_array_get(v, j)));
		sb_put(&l, ")", 1);
		sb_put(&m->out, "  ", 2);
		flush(m, &l, 6);
	}
	json_decref(seen);
	json_decref(doms);
}

/* The copies of file taken away (share.copy), or that it stayed on the
   ceremony laptop only. */
static void
copies(struct sum *m, const char *file)
{
	const struct transcript_record *r;
	struct sb l = { NULL, 0, 0, CUSTOS_OK };
	size_t i, n = 0;

	for (i = 0; file != NULL && i < m->n; i++) {
		r = &m->rec[i];
		if (strcmp(r->action, "share.copy") != 0 || fstr(r, "file") ==
		    NULL || strcmp(fstr(r, "file"), file) != 0)
			continue;
		sb_printf(&l, "      taken by ");
		sb_esc(&l, fstr(r, "custodian"));
		sb_put(&l, " to ", 4);
		sb_esc(&l, fstr(r, "to"));
		sb_printf(&l, " (record #%llu; read back, same SHA-256)",
		    r->seq);
		flush(m, &l, 8);
		n++;
	}
	if (n == 0)
		sb_printf(&m->out, "      no copy recorded: on the ceremony "
		    "laptop only\n");
}

/* One share file or sheet with its holder and SHA-256. */
static void
file_entry(struct sum *m, const char *file, const char *holder,
    const char *sha, const char *why_no_sha)
{
	item(m, "  ", file, 6);
	item(m, "      holder: ", holder, 8);
	if (sha != NULL)
		hash(m, "      SHA-256: ", sha, 15);
	else
		sb_printf(&m->out, "      SHA-256: %s\n", why_no_sha);
	copies(m, file);
}

/* "none recorded" when a section's heading (ending at) has no entry. */
static void
none(struct sum *m, size_t at)
{
	if (m->out.len == at)
		sb_printf(&m->out, "  none recorded\n");
}

static void
shares(struct sum *m)
{
	const struct transcript_record *r;
	json_t *files, *sheets, *cust;
	size_t i, j, nc, at;
	const char *a;

	sb_printf(&m->out, "\nShare files:\n");
	at = m->out.len;
	for (i = 0; i < m->n; i++) {
		r = &m->rec[i];
		a = r->action;
		if (strcmp(a, "share.create") == 0 ||
		    strcmp(a, "share.convert") == 0 ||
		    (strcmp(a, "share.combine") == 0 && fstr(r, "file")))
			file_entry(m, fstr(r, "file"), fstr(r, "label") ?
			    fstr(r, "label") : r->actor, fstr(r, "file_sha256"),
			    MISSING);
		if (strcmp(a, "share.split") != 0 &&
		    strcmp(a, "share.reshare") != 0)
			continue;
		files = json_object_get(FACTS(r), "files");
		cust = json_object_get(FACTS(r), "custodians");
		nc = json_array_size(cust);
		for (j = 0; j < json_array_size(files); j++)
			file_entry(m, json_string_value(json_array_get(files,
			    j)), json_array_size(files) == nc ?
			    json_string_value(json_array_get(cust, j)) :
			    "the split's custodians", NULL, "not recorded (made "
			    "by a split)");
	}
	none(m, at);
	sb_printf(&m->out, "\nPaper sheets (hold secrets: with their "
	    "custodians only):\n");
	at = m->out.len;
	for (i = 0; i < m->n; i++) {
		r = &m->rec[i];
		if (strcmp(r->action, "share.print") == 0) {
			item(m, "  ", fstr(r, "file"), 6);
			if (fstr(r, "pdf") != NULL)
				item(m, "  ", fstr(r, "pdf"), 6);
			item(m, "      holder: ", fstr(r, "custodian"), 8);
		}
		if (strcmp(r->action, "share.split") != 0 &&
		    strcmp(r->action, "share.reshare") != 0)
			continue;
		sheets = json_object_get(FACTS(r), "sheets");
		cust = json_object_get(FACTS(r), "custodians");
		nc = json_array_size(cust);
		for (j = 0; j < json_array_size(sheets) && nc > 0; j++) {
			item(m, "  ", json_string_value(json_array_get(sheets,
			    j)), 6);
			item(m, "      holder: ", json_string_value(
			    json_array_get(cust, j % nc)), 8);
		}
	}
	none(m, at);
}

/* One key: where, what, and its public key's fingerprint. */
static void
key_entry(struct sum *m, const struct transcript_record *r, json_t *k,
    const char *ref_key, const char *how)
{
	struct sb l = { NULL, 0, 0, CUSTOS_OK };

	sb_put(&l, "  HSM ", 6);
	sb_esc(&l, fstr(r, "serial"));
	sb_printf(&l, " key %lld ", (long long)json_integer_value(
	    json_object_get(k, ref_key)));
	sb_esc(&l, json_string_value(json_object_get(k, "label")));
	if (json_string_value(json_object_get(k, "kind")) != NULL) {
		sb_put(&l, " ", 1);
		sb_esc(&l, json_string_value(json_object_get(k, "kind")));
	}
	sb_printf(&l, " (%s, record #%llu)", how, r->seq);
	flush(m, &l, 6);
	hash(m, "      public key SHA-256: ", json_string_value(
	    json_object_get(k, "pubkey_sha256")), 26);
}

static void
keys(struct sum *m)
{
	static const char *const acts[][2] = {
		{ "hsm.keygen", "generated" }, { "hsm.unwrap", "unwrapped" },
		{ "backup.import-key", "imported" }, { "hsm.delete", "deleted" },
	};
	const struct transcript_record *r;
	json_t *res, *k;
	size_t i, j, a, at;

	sb_printf(&m->out, "\nKeys:\n");
	at = m->out.len;
	for (i = 0; i < m->n; i++) {
		r = &m->rec[i];
		for (a = 0; a < sizeof(acts) / sizeof(acts[0]); a++)
			if (strcmp(r->action, acts[a][0]) == 0)
				key_entry(m, r, FACTS(r), "ref", acts[a][1]);
		if (strcmp(r->action, "backup.restore") != 0)
			continue;
		res = json_object_get(FACTS(r), "results");
		json_array_foreach(res, j, k) {
			if (json_is_true(json_object_get(k, "proven")))
				key_entry(m, r, k, "dest_ref", "restored");
		}
	}
	none(m, at);
	sb_printf(&m->out, "\nBackup sets:\n");
	at = m->out.len;
	for (i = 0; i < m->n; i++) {
		r = &m->rec[i];
		if (strcmp(r->action, "backup.create") != 0)
			continue;
		item(m, "  ", fstr(r, "set"), 6);
		sb_printf(&m->out, "      %zu keys, KCV %s, record #%llu\n",
		    json_array_size(json_object_get(FACTS(r), "keys")),
		    fstr(r, "kcv") != NULL && strlen(fstr(r, "kcv")) <= 16 ?
		    fstr(r, "kcv") : "?", r->seq);
		hash(m, "      manifest SHA-256: ", fstr(r, "manifest_sha256"),
		    24);
	}
	none(m, at);
}

static void
signatures(struct sum *m)
{
	struct sb l = { NULL, 0, 0, CUSTOS_OK };
	const struct transcript_record *r;
	size_t i;
	json_t *v;
	int role;

	person(m, fstr(&m->rec[0], "admin"), ROLE_ADMIN);
	people_of(m, json_object_get(FACTS(&m->rec[0]), "witnesses"),
	    ROLE_WITNESS);
	for (i = 0; i < m->n; i++) {
		r = &m->rec[i];
		if (strcmp(r->action, "share.create") == 0 ||
		    strcmp(r->action, "share.convert") == 0)
			person(m, fstr(r, "label") ? fstr(r, "label") :
			    r->actor, ROLE_CUSTODIAN);
		if (strcmp(r->action, "share.print") == 0)
			person(m, fstr(r, "custodian"), ROLE_CUSTODIAN);
		if (strncmp(r->action, "share.", 6) == 0 ||
		    strcmp(r->action, "hsm.import-share") == 0)
			people_of(m, json_object_get(FACTS(r), "custodians"),
			    ROLE_CUSTODIAN);
	}
	sb_printf(&m->out, "\nSignatures: I confirm that this summary "
	    "matches what was done in the\nceremony.\n\n");
	json_array_foreach(m->people, i, v) {
		role = (int)json_integer_value(json_object_get(m->roles,
		    json_string_value(v)));
		sb_printf(&l, "%s%s%s%s%s: ", role & ROLE_ADMIN ?
		    "Administrator" : "", (role & ROLE_ADMIN) && (role &
		    ROLE_CUSTODIAN) ? ", " : "", role & ROLE_CUSTODIAN ?
		    (role & ROLE_ADMIN ? "custodian" : "Custodian") : "",
		    (role & ROLE_WITNESS) && (role & ~ROLE_WITNESS) ? ", " : "",
		    role & ROLE_WITNESS ? (role & ~ROLE_WITNESS ? "witness" :
		    "Witness") : "");
		sb_esc(&l, json_string_value(v));
		flush(m, &l, 4);
		sb_printf(&m->out, "  Signature: ______________________________"
		    "________  Date: ________________\n\n");
	}
}

static void
render(struct sum *m, const char *closing_hex)
{
	const struct transcript_record *o = &m->rec[0];

	sb_printf(&m->out, "KEY CEREMONY CLOSING SUMMARY\n"
	    "============================\n\n");
	if (o->rehearsal)
		sb_printf(&m->out, "*** REHEARSAL - not a production ceremony "
		    "***\n\n");
	item(m, "Title:          ", fstr(o, "title"), 4);
	item(m, "Ceremony id:    ", fstr(o, "ceremony_id"), 4);
	item(m, "Administrator:  ", fstr(o, "admin"), 4);
	sb_printf(&m->out, "Opened:         %s\nClosed:         %s "
	    "(%zu records)\n", o->time, m->rec[m->n - 1].time, m->n);
	sb_printf(&m->out, "\nCeremony public key (ceremony.pub), SHA-256:\n");
	hash(m, "  ", fstr(o, "public_key_sha256"), 2);
	sb_printf(&m->out, "Closing transcript (transcript.jsonl), "
	    "SHA-256:\n");
	hash(m, "  ", closing_hex, 2);
	kcvs(m);
	shares(m);
	keys(m);
	signatures(m);
	sb_printf(&m->out, "Built from the transcript's records only; it "
	    "holds no secret. Check it with\n  custos audit verify DIR "
	    "--require-closed\n");
}

int
summary_text(char **out, size_t *outlen, char when[21],
    const char *transcript, size_t len, const char *closing_hex)
{
	struct sum m;
	const char *p, *end, *nl, *why;
	size_t cap = 1, i;
	int r = CUSTOS_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	memset(&m, 0, sizeof(m));
	if (transcript == NULL || closing_hex == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	end = transcript + len;
	for (p = transcript; (p = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p++)
		cap++;
	if ((m.rec = calloc(cap, sizeof(*m.rec))) == NULL ||
	    (m.people = json_array()) == NULL ||
	    (m.roles = json_object()) == NULL)
		goto out;
	for (p = transcript; p < end; p = nl != NULL ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((r = transcript_parse_record(p, (size_t)((nl != NULL ? nl :
		    end) - p), &m.rec[m.n], &why)) != CUSTOS_OK)
			goto out;
		m.n++;
	}
	r = CUSTOS_ERR_FORMAT;
	if (m.n == 0 || strcmp(m.rec[0].action, "ceremony.open") != 0)
		goto out;
	render(&m, closing_hex);
	if ((r = m.out.err) != CUSTOS_OK)
		goto out;
	snprintf(when, 21, "%s", m.rec[m.n - 1].time);
	*out = m.out.p;
	*outlen = m.out.len;
	m.out.p = NULL;
 out:
	for (i = 0; i < m.n; i++)
		transcript_record_clear(&m.rec[i]);
	free(m.rec);
	free(m.out.p);
	json_decref(m.people);
	json_decref(m.roles);
	return r;
}
