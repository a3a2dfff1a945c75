/* ledger.c - the transcript's records, or a device's journal, in memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cards/emu/emu.h"
#include "../common/atomicio.h"
#include "../common/utctime.h"
#include "ceremony.h"
#include "ledger.h"
#include "transcript.h"

#define JOURNAL_MAX (64UL * 1024 * 1024)

struct ledger {
	json_t *recs;			/* [{seq, action, actor, facts}] */
	char path[PATH_MAX];		/* the journal, or "" */
	unsigned long long next;	/* the journal's next seq */
};

static int
ledger_alloc(struct ledger **out)
{
	struct ledger *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL || (l->recs = json_array()) == NULL) {
		free(l);
		return CUSTOS_ERR_NOMEM;
	}
	*out = l;
	return CUSTOS_OK;
}

void
ledger_free(struct ledger *l)
{
	if (l == NULL)
		return;
	json_decref(l->recs);
	free(l);
}

int
ledger_is_journal(const struct ledger *l)
{
	return l->path[0] != '\0';
}

int
ledger_add(struct ledger *l, unsigned long long seq, const char *actor,
    const char *action, json_t *facts)
{
	json_t *r = json_pack("{s:I, s:s, s:s, s:O}", "seq", (json_int_t)seq,
	    "action", action, "actor", actor, "facts", facts != NULL ? facts :
	    json_object());

	if (facts == NULL)	/* the empty object above was ours */
		json_decref(json_object_get(r, "facts"));
	if (r == NULL || json_array_append_new(l->recs, r) != 0)
		return CUSTOS_ERR_NOMEM;
	if (seq + 1 > l->next)
		l->next = seq + 1;
	return CUSTOS_OK;
}

int
ledger_parse_transcript(struct ledger **out, const char *buf, size_t len)
{
	struct transcript_record rec;
	struct ledger *l = NULL;
	const char *p = buf, *end = buf + len, *nl, *why;
	int r;

	if ((r = ledger_alloc(&l)) != CUSTOS_OK)
		return r;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (transcript_parse_record(p, (size_t)(nl - p), &rec, &why) !=
		    CUSTOS_OK) {
			ledger_free(l);
			return CUSTOS_ERR_CORRUPT;
		}
		r = ledger_add(l, rec.seq, rec.actor, rec.action,
		    json_object_get(rec.body, "facts"));
		transcript_record_clear(&rec);
		if (r != CUSTOS_OK) {
			ledger_free(l);
			return r;
		}
		p = nl + 1;
	}
	*out = l;
	return CUSTOS_OK;
}

int
ledger_from_transcript(struct ledger **out, const char *dir)
{
	char path[PATH_MAX];
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_TRANSCRIPT) >=
	    (int)sizeof(path))
		return CUSTOS_ERR_TOO_LARGE;
	if ((r = atomicio_read(path, CEREMONY_TRANSCRIPT_MAX, 0, &buf, &len))
	    != CUSTOS_OK)
		return r;
	r = ledger_parse_transcript(out, (char *)buf, len);
	atomicio_free_buf(buf, len, 0);
	return r;
}

int
ledger_parse_journal(struct ledger **out, const char *buf, size_t len)
{
	struct ledger *l = NULL;
	const char *p = buf, *end = buf + len, *nl;
	json_error_t jerr;
	json_t *j, *seq, *ac, *who, *facts;
	int r;

	if ((r = ledger_alloc(&l)) != CUSTOS_OK)
		return r;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES,
		    &jerr);
		seq = json_object_get(j, "seq");
		ac = json_object_get(j, "action");
		who = json_object_get(j, "actor");
		facts = json_object_get(j, "facts");
		if (!json_is_integer(seq) || json_integer_value(seq) < 0 ||
		    !json_is_string(ac) || !json_is_string(who) ||
		    !json_is_object(facts)) {
			json_decref(j);
			ledger_free(l);
			return CUSTOS_ERR_CORRUPT;
		}
		r = ledger_add(l, (unsigned long long)json_integer_value(seq),
		    json_string_value(who), json_string_value(ac), facts);
		json_decref(j);
		if (r != CUSTOS_OK) {
			ledger_free(l);
			return r;
		}
		p = nl + 1;
	}
	*out = l;
	return CUSTOS_OK;
}

static int
serial_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 16 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

/* The journal directory: see ledger_open_journal(). */
static int
journal_dir(char *out, size_t sz, int emulated)
{
	const char *s;
	int n;

	if (emulated) {
		char d[PATH_MAX];
		int r = emu_dir(d, sizeof(d));

		if (r != CUSTOS_OK)
			return r;
		n = snprintf(out, sz, "%s/journal", d);
	} else if ((s = getenv("CUSTOS_STATE_DIR")) != NULL && *s != '\0') {
		n = snprintf(out, sz, "%s/journal", s);
	} else if ((s = getenv("XDG_STATE_HOME")) != NULL && *s == '/') {
		n = snprintf(out, sz, "%s/custos/journal", s);
	} else if ((s = getenv("HOME")) != NULL && *s != '\0') {
		n = snprintf(out, sz, "%s/.local/state/custos/journal", s);
	} else {
		return CUSTOS_ERR_NOT_FOUND;
	}
	return n < 0 || (size_t)n >= sz ? CUSTOS_ERR_TOO_LARGE : CUSTOS_OK;
}

int
ledger_open_journal(struct ledger **out, const char *serial, int emulated)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if (!serial_ok(serial))
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = journal_dir(dir, sizeof(dir), emulated)) != CUSTOS_OK ||
	    (r = atomicio_mkdirs(dir)) != CUSTOS_OK)
		return r;
	if (snprintf(path, sizeof(path), "%s/%s.jsonl", dir, serial) >=
	    (int)sizeof(path))
		return CUSTOS_ERR_TOO_LARGE;
	r = atomicio_read(path, JOURNAL_MAX, 0, &buf, &len);
	if (r == CUSTOS_ERR_NOT_FOUND)
		r = ledger_alloc(out);
	else if (r == CUSTOS_OK)
		r = ledger_parse_journal(out, (char *)buf, len);
	atomicio_free_buf(buf, len, 0);
	if (r == CUSTOS_OK)
		snprintf((*out)->path, sizeof((*out)->path), "%s", path);
	return r;
}

int
ledger_journal_append(struct ledger *l, const char *actor, const char *action,
    json_t *facts, unsigned long long *seq)
{
	char now[UTCTIME_LEN + 1], *line = NULL;
	struct stat st;
	json_t *j = NULL;
	off_t good;
	char c;
	int fd, r;

	utctime_now(now);
	j = json_pack("{s:I, s:s, s:s, s:s, s:O}", "seq", (json_int_t)l->next,
	    "time", now, "action", action, "actor", actor, "facts", facts);
	if (j == NULL || (line = json_dumps(j, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL) {
		json_decref(j);
		return CUSTOS_ERR_NOMEM;
	}
	json_decref(j);
	fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(line);
		return custos_err_from_errno(errno);
	}
	if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	/* A partial last line (a crash mid-write) is cut off first. */
	for (good = st.st_size; good > 0; good--)
		if (pread(fd, &c, 1, good - 1) == 1 && c == '\n')
			break;
	if ((good != st.st_size && ftruncate(fd, good) != 0) ||
	    lseek(fd, 0, SEEK_END) < 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	if ((r = atomicio_write_all(fd, line, strlen(line))) != CUSTOS_OK ||
	    (r = atomicio_write_all(fd, "\n", 1)) != CUSTOS_OK) {
		if (ftruncate(fd, good) != 0) {
			/* the next append cuts the partial line */
		}
		goto out;
	}
	if (fsync(fd) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	if (seq != NULL)
		*seq = l->next;
	r = ledger_add(l, l->next, actor, action, facts);
 out:
	free(line);
	close(fd);
	return r;
}

size_t
ledger_count(const struct ledger *l)
{
	return json_array_size(l->recs);
}

json_t *
ledger_get(const struct ledger *l, size_t i)
{
	return json_array_get(l->recs, i);
}

static unsigned long long
rec_seq(const json_t *r)
{
	return (unsigned long long)json_integer_value(json_object_get(r, "seq"));
}

static const char *
rec_action(const json_t *r)
{
	return json_string_value(json_object_get(r, "action"));
}

static const char *
fact(const json_t *r, const char *key)
{
	return json_string_value(json_object_get(json_object_get(r, "facts"),
	    key));
}

json_t *
ledger_find_seq(const struct ledger *l, unsigned long long seq)
{
	size_t i;

	for (i = ledger_count(l); i-- > 0;)
		if (rec_seq(ledger_get(l, i)) == seq)
			return ledger_get(l, i);
	return NULL;
}

int
ledger_intent_done(const struct ledger *l, unsigned long long seq)
{
	json_t *f;
	size_t i;

	for (i = ledger_count(l); i-- > 0;) {
		const json_t *r = ledger_get(l, i);

		if (rec_seq(r) <= seq)
			break;
		f = json_object_get(json_object_get(r, "facts"), "intent");
		if (json_is_integer(f) && (unsigned long long)
		    json_integer_value(f) == seq)
			return 1;
	}
	return 0;
}

json_t *
ledger_open_intents(const struct ledger *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < ledger_count(l); i++) {
		json_t *r = ledger_get(l, i);

		if (strcmp(rec_action(r), "intent") == 0 &&
		    !ledger_intent_done(l, rec_seq(r)))
			json_array_append(a, r);
	}
	return a;
}

/* A record's key domain: its "domain" fact, -1 without one. */
static int
domain_of(const json_t *r)
{
	json_t *v = json_object_get(json_object_get(r, "facts"), "domain");

	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

/* Whether r starts the record of serial's domain afresh: its
   initialization, or that domain created or deleted. */
static int
starts_domain(const json_t *r, const char *serial, int domain)
{
	const char *a = rec_action(r), *s = fact(r, "serial");

	if (s == NULL || strcmp(s, serial) != 0)
		return 0;
	if (strcmp(a, "hsm.init") == 0)
		return 1;
	return domain >= 0 && domain_of(r) == domain &&
	    (strcmp(a, "hsm.domain-create") == 0 ||
	    strcmp(a, "hsm.domain-delete") == 0);
}

size_t
ledger_device_shares(const struct ledger *l, const char *serial, int domain,
    json_t **fprs, int *init_known)
{
	size_t i, start = 0;
	const char *s;

	*init_known = 0;
	*fprs = json_array();
	for (i = ledger_count(l); i-- > 0;) {
		if (starts_domain(ledger_get(l, i), serial, domain)) {
			*init_known = 1;
			start = i + 1;
			break;
		}
	}
	for (i = start; *fprs != NULL && i < ledger_count(l); i++) {
		json_t *r = ledger_get(l, i);

		if (strcmp(rec_action(r), "hsm.import-share") == 0 &&
		    (s = fact(r, "serial")) != NULL && strcmp(s, serial) == 0 &&
		    domain_of(r) == domain &&
		    fact(r, "share_fingerprint") != NULL)
			json_array_append_new(*fprs, json_string(fact(r,
			    "share_fingerprint")));
	}
	return json_array_size(*fprs);
}

json_t *
ledger_step_record(const struct ledger *l, const char *step,
    const char *action)
{
	const char *s;
	size_t i;

	for (i = 0; i < ledger_count(l); i++) {
		json_t *r = ledger_get(l, i);

		if ((s = fact(r, "step")) != NULL && strcmp(s, step) == 0 &&
		    strcmp(rec_action(r), action) == 0)
			return r;
	}
	return NULL;
}
