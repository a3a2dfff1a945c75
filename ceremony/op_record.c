/*
 * op_record.c - the engine's records: each one checked against its
 * schema, then written to the transcript (in a ceremony) or a device's
 * journal; intents before acting, and what a cut left (op_int.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "ceremony.h"
#include "op_dev.h"
#include "op_int.h"
#include "schema.h"
#include "sharefile.h"

struct ledger *
op_ledger(struct op_ctx *cx, struct op_dev *dev)
{
	if (cx->cer != NULL)
		return cx->led;
	return dev != NULL ? op_dev_journal(dev) : NULL;
}

/* Whether a journal keeps action: what changes a device, and intents. */
static int
journal_keeps(const char *action, json_t *facts)
{
	return strncmp(action, "intent", 6) == 0 ||
	    json_object_get(facts, "intent") != NULL;
}

static int
op_record_held(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *action, json_t *facts, unsigned long long *seq)
{
	struct ledger *j = dev != NULL ? op_dev_journal(dev) : NULL;
	unsigned long long n = 0;
	char why[256];
	int r;

	if (seq != NULL)
		*seq = 0;
	if (facts == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if (cx->step != NULL && json_object_get(facts, "step") == NULL)
		json_object_set_new(facts, "step", json_string(cx->step));
	if (schema_check(action, facts, why, sizeof(why)) != CUSTOS_OK) {
		json_decref(facts);
		return op_fail(cx, CUSTOS_ERR_INTERNAL, "a %s record does not "
		    "fit its schema (%s): this is a bug in custos", action,
		    why);
	}
	if (cx->cer != NULL) {
		if ((r = ceremony_append(cx->cer, actor, action, facts, &n)) !=
		    CUSTOS_OK) {
			json_decref(facts);
			return op_fail(cx, r, "the step was done but could not "
			    "be recorded in the transcript: %s",
			    custos_strerror(r));
		}
		r = ledger_add(cx->led, n, actor, action, facts);
	} else if (j != NULL && journal_keeps(action, facts)) {
		if ((r = ledger_journal_append(j, actor, action, facts, &n)) !=
		    CUSTOS_OK) {
			json_decref(facts);
			return op_fail(cx, r, "the step was done but could not "
			    "be recorded in the device's journal: %s",
			    custos_strerror(r));
		}
	} else {
		json_decref(facts);
		return CUSTOS_OK;
	}
	json_decref(facts);
	if (r != CUSTOS_OK)
		return op_fail(cx, r, "out of memory");
	if (seq != NULL)
		*seq = n;
	if (cx->io->recorded != NULL)
		cx->io->recorded(cx->io->arg, action, cx->step);
	return CUSTOS_OK;
}

/*
 * The open intents of the place subject acts on (the device it names, or
 * the ceremony's files): one with the very same subject is the step taken
 * again after a cut, and is taken up (*seq, 1); another on the same
 * device was left by a step that did not finish and is not being taken
 * again: it is voided, so that no later count is read as its doing.
 */
static int
take_up(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    json_t *subject, unsigned long long *seq)
{
	struct ledger *l = op_ledger(cx, dev);
	const char *serial = json_string_value(json_object_get(subject,
	    "serial")), *s;
	json_t *open, *in, *f;
	size_t i;
	int r = 0;

	if (l == NULL || (open = ledger_open_intents(l)) == NULL)
		return 0;
	json_array_foreach(open, i, in) {
		f = json_object_get(in, "facts");
		s = json_string_value(json_object_get(f, "serial"));
		if ((s == NULL) != (serial == NULL) || (s != NULL &&
		    strcmp(s, serial) != 0))
			continue;
		if (json_equal(f, subject)) {
			*seq = (unsigned long long)json_integer_value(
			    json_object_get(in, "seq"));
			r = 1;
			break;
		}
		if (serial != NULL && (r = op_intent_void(cx, dev, actor,
		    (unsigned long long)json_integer_value(json_object_get(in,
		    "seq")), "not finished, and another step was taken on the "
		    "device instead", NULL)) != CUSTOS_OK)
			break;
	}
	json_decref(open);
	return r;
}

static int
op_intent_held(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *op, json_t *subject, unsigned long long *seq)
{
	int r;

	if (subject == NULL)
		subject = json_object();
	if (subject == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(subject, "op", json_string(op));
	if (cx->step != NULL && json_object_get(subject, "step") == NULL)
		json_object_set_new(subject, "step", json_string(cx->step));
	if ((r = take_up(cx, dev, actor, subject, seq)) != 0) {
		json_decref(subject);
		return r == 1 ? CUSTOS_OK : r;
	}
	return op_record(cx, dev, actor, "intent", subject, seq);
}

static int
op_intent_void_held(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    unsigned long long seq, const char *reason, json_t *extra)
{
	struct ledger *l = op_ledger(cx, dev);
	json_t *in = l != NULL ? ledger_find_seq(l, seq) : NULL;
	json_t *f = extra != NULL ? extra : json_object();
	const char *op = json_string_value(json_object_get(json_object_get(in,
	    "facts"), "op"));
	const char *step = json_string_value(json_object_get(json_object_get(in,
	    "facts"), "step"));

	if (l == NULL || in == NULL) {
		json_decref(f);
		return CUSTOS_OK;	/* nothing was recorded to void */
	}
	if (f != NULL) {
		json_object_set_new(f, "intent", json_integer((json_int_t)seq));
		json_object_set_new(f, "op", json_string(op != NULL ? op : "?"));
		json_object_set_new(f, "reason", json_string(reason));
		if (step != NULL && json_object_get(f, "step") == NULL)
			json_object_set_new(f, "step", json_string(step));
	}
	return op_record(cx, dev, actor, "intent.void", f, NULL);
}

/* The three that read or write the ledger hold the context's lock (a
   worker's: op_ctx_worker), so that devices restored at once share one
   transcript safely. */
int
op_record(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *action, json_t *facts, unsigned long long *seq)
{
	int r;

	op_lock(cx);
	r = op_record_held(cx, dev, actor, action, facts, seq);
	op_unlock(cx);
	return r;
}

int
op_intent(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    const char *op, json_t *subject, unsigned long long *seq)
{
	int r;

	op_lock(cx);
	r = op_intent_held(cx, dev, actor, op, subject, seq);
	op_unlock(cx);
	return r;
}

int
op_intent_void(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    unsigned long long seq, const char *reason, json_t *extra)
{
	int r;

	op_lock(cx);
	r = op_intent_void_held(cx, dev, actor, seq, reason, extra);
	op_unlock(cx);
	return r;
}

void
op_intent_abort(struct op_ctx *cx, struct op_dev *dev, const char *actor,
    unsigned long long seq, const char *reason, json_t *extra)
{
	char keep[sizeof(cx->whybuf)];

	snprintf(keep, sizeof(keep), "%s", cx->why);
	if (op_intent_void(cx, dev, actor, seq, reason, extra) != CUSTOS_OK) {
		/* best effort: the failure is what the caller reports */
	}
	snprintf(cx->why, cx->whysz, "%s", keep);
}

void
op_refused(struct op_ctx *cx, const char *who, json_t *facts)
{
	char keep[sizeof(cx->whybuf)];

	if (cx->cer == NULL || facts == NULL) {
		json_decref(facts);
		return;
	}
	/* Best effort: the refusal is what the caller reports. */
	snprintf(keep, sizeof(keep), "%s", cx->why);
	if (op_record(cx, NULL, who, "attempt.refused", facts, NULL) !=
	    CUSTOS_OK) {
		/* best effort */
	}
	snprintf(cx->why, cx->whysz, "%s", keep);
}

/* Joins the real path of path's directory and its last component. */
static int
real_of(const char *path, char *out, size_t sz)
{
	char dir[PATH_MAX], rdir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = path;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
		base = slash + 1;
	}
	if (realpath(dir, rdir) == NULL)
		return -1;
	if (*base == '\0' || strcmp(base, ".") == 0)
		return snprintf(out, sz, "%s", rdir) >= (int)sz ? -1 : 0;
	return snprintf(out, sz, "%s%s%s", rdir, strcmp(rdir, "/") == 0 ? "" :
	    "/", base) >= (int)sz ? -1 : 0;
}

/* Splits a copy of an absolute path into its components. */
static size_t
components(char *copy, char **comp, size_t max)
{
	char *save = NULL, *c;
	size_t n = 0;

	for (c = strtok_r(copy, "/", &save); c != NULL && n < max;
	    c = strtok_r(NULL, "/", &save))
		comp[n++] = c;
	return n;
}

void
op_relpath(const struct op_ctx *cx, const char *path, char *out,
    size_t outsz)
{
	char abs[PATH_MAX], a[PATH_MAX], *ca[256], *cb[256];
	size_t na, nb, k, i, o = 0;

	if (cx->cer == NULL || cx->creal[0] == '\0' ||
	    real_of(path, abs, sizeof(abs)) != 0) {
		snprintf(out, outsz, "%s", path);
		return;
	}
	snprintf(a, sizeof(a), "%s", cx->creal);
	na = components(a, ca, 256);
	nb = components(abs, cb, 256);
	for (k = 0; k < na && k < nb && strcmp(ca[k], cb[k]) == 0; k++)
		;
	out[0] = '\0';
	for (i = k; i < na && o + 4 < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "../");
	for (i = k; i < nb && o + 1 < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", cb[i],
		    i + 1 < nb ? "/" : "");
	if (o == 0)
		snprintf(out, outsz, ".");
	else if (out[o - 1] == '/')
		out[o - 1] = '\0';
}

void
op_file_sha256(const char *path, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[8192], h[32];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		snprintf(out, 65, "unreadable");
		return;
	}
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	if (ferror(f)) {
		fclose(f);
		snprintf(out, 65, "unreadable");
		return;
	}
	fclose(f);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int
op_abandon(struct op_ctx *cx, const char *path, unsigned long long intent)
{
	char to[PATH_MAX + 48], rel[PATH_MAX], relto[PATH_MAX + 48];
	struct stat sb;
	int n;

	for (n = 1; n < 1000; n++) {
		snprintf(to, sizeof(to), "%s.abandoned-%d", path, n);
		if (lstat(to, &sb) != 0 && errno == ENOENT)
			break;
	}
	if (n == 1000 || rename(path, to) != 0)
		return op_fail(cx, CUSTOS_ERR_IO, "%s: cannot move it aside: %s",
		    path, strerror(errno));
	op_relpath(cx, path, rel, sizeof(rel));
	op_relpath(cx, to, relto, sizeof(relto));
	return op_record(cx, NULL, "custos", "file.abandon", json_pack(
	    "{s:s, s:s, s:I}", "file", rel, "moved_to", relto, "left_by",
	    (json_int_t)intent), NULL);
}

void
op_abandon_keep(struct op_ctx *cx, const char *path, unsigned long long intent)
{
	char keep[sizeof(cx->whybuf)];

	snprintf(keep, sizeof(keep), "%s", cx->why);
	if (op_abandon(cx, path, intent) != CUSTOS_OK) {
		/* best effort: the failure is what the caller reports */
	}
	snprintf(cx->why, cx->whysz, "%s", keep);
}

/* The path in the ceremony of a path a record names; -1: too long. */
static int
in_ceremony(const struct op_ctx *cx, const char *rel, char *out, size_t sz)
{
	int n = rel[0] == '/' ? snprintf(out, sz, "%s", rel) :
	    snprintf(out, sz, "%s/%s", cx->creal, rel);

	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

/* Whether an existing share file is one another ceremony wrote. */
static int
foreign(const struct op_ctx *cx, const char *path)
{
	struct sharefile_info info;
	size_t n = strlen(path);

	if (n < 6 || strcmp(path + n - 6, ".share") != 0 ||
	    sharefile_inspect(path, &info) != 0)
		return 0;
	return info.format == SHAREFILE_V1 &&
	    strcmp(info.v1.ceremony, ceremony_id(cx->cer)) != 0;
}

/* Moves aside the files one open intent names; then voids it. */
static int
reconcile_file_intent(struct op_ctx *cx, json_t *in)
{
	json_t *f = json_object_get(in, "facts"), *files = json_array(), *v;
	unsigned long long seq = (unsigned long long)json_integer_value(
	    json_object_get(in, "seq"));
	const char *actor = json_string_value(json_object_get(in, "actor"));
	char path[PATH_MAX];
	struct stat sb;
	size_t i, moved = 0;
	int r = CUSTOS_OK;

	if (files == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	if ((v = json_object_get(f, "file")) != NULL)
		json_array_append(files, v);
	if ((v = json_object_get(f, "set")) != NULL)
		json_array_append(files, v);
	json_array_extend(files, json_object_get(f, "files") != NULL ?
	    json_object_get(f, "files") : json_array());
	json_array_foreach(files, i, v) {
		if (!json_is_string(v))
			continue;
		if (in_ceremony(cx, json_string_value(v), path, sizeof(path)) !=
		    0)
			continue;
		atomicio_clean_temps(path);
		if (lstat(path, &sb) != 0)
			continue;
		if (foreign(cx, path)) {
			r = op_fail(cx, CUSTOS_ERR_EXISTS, "%s exists and was not "
			    "written by this ceremony; it is never touched",
			    path);
			goto out;
		}
		if ((r = op_abandon(cx, path, seq)) != CUSTOS_OK)
			goto out;
		moved++;
	}
	/* the intent stays open: the step taken again takes it up */
	(void)actor;
	if (moved > 0)
		op_warn(cx, "a step cut short left %zu file%s; %s moved aside "
		    "(words written down for %s are void)", moved, moved == 1 ?
		    "" : "s", moved == 1 ? "it was" : "they were", moved == 1 ?
		    "it" : "them");
 out:
	json_decref(files);
	return r;
}

int
op_reconcile_files(struct op_ctx *cx)
{
	json_t *open, *in;
	const char *op;
	size_t i;
	int r = CUSTOS_OK;

	if (cx->led == NULL)
		return CUSTOS_OK;
	if ((open = ledger_open_intents(cx->led)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_array_foreach(open, i, in) {
		if (json_object_get(json_object_get(in, "facts"), "serial") !=
		    NULL)
			continue;	/* a device's: when it is opened */
		op = json_string_value(json_object_get(json_object_get(in,
		    "facts"), "op"));
		if (op != NULL && strcmp(op, "share.copy") == 0)
			r = op_copy_reconcile(cx, in);	/* its file is a copy's
							   source: never moved */
		else
			r = reconcile_file_intent(cx, in);
		if (r != CUSTOS_OK)
			break;
	}
	json_decref(open);
	return r;
}
