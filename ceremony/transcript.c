/* transcript.c - hash-chained, signed JSON Lines ceremony transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "../common/encode.h"
#include "../common/utctime.h"
#include "transcript.h"

static const char sig_open[] = ",\"sig\":\"";
const char transcript_genesis[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

void
transcript_line_hash(char out[65], const char *line, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)line, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static int
is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int
transcript_make_line(char **out, size_t *outlen, unsigned long long seq,
    const char *time, const char *prev_hex, const char *actor,
    const char *action, json_t *facts, int rehearsal,
    const unsigned char *sk)
{
	json_t *body = NULL, *empty = NULL;
	char *canon = NULL, *line = NULL, b64[TRANSCRIPT_SIG_B64_LEN + 1];
	unsigned char sig[crypto_sign_BYTES];
	size_t clen, len;
	int r = CUSTOS_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	if (!utctime_valid(time) || !is_hex64(prev_hex) || actor == NULL ||
	    action == NULL || (facts != NULL && !json_is_object(facts)))
		return CUSTOS_ERR_INVALID_ARG;
	if (facts == NULL && (facts = empty = json_object()) == NULL)
		return CUSTOS_ERR_NOMEM;
	body = json_pack("{s:s, s:s, s:O, s:s, s:b, s:I, s:s, s:i}",
	    "action", action, "actor", actor, "facts", facts,
	    "prev", prev_hex, "rehearsal", rehearsal != 0,
	    "seq", (json_int_t)seq, "time", time, "v", 1);
	if (body == NULL) {
		/* json_pack fails on invalid UTF-8 as well as on memory. */
		r = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if ((canon = json_dumps(body, CANON_FLAGS)) == NULL)
		goto out;
	clen = strlen(canon);
	crypto_sign_detached(sig, NULL, (unsigned char *)canon, clen, sk);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	len = clen - 1 + (sizeof(sig_open) - 1) + TRANSCRIPT_SIG_B64_LEN + 2;
	if (len > TRANSCRIPT_LINE_MAX) {
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	if ((line = malloc(len + 1)) == NULL)
		goto out;
	memcpy(line, canon, clen - 1);
	snprintf(line + clen - 1, len + 1 - (clen - 1), "%s%s\"}", sig_open,
	    b64);
	*out = line;
	*outlen = len;
	line = NULL;
	r = CUSTOS_OK;
 out:
	free(line);
	free(canon);
	json_decref(body);
	json_decref(empty);
	return r;
}

void
transcript_record_clear(struct transcript_record *rec)
{
	json_decref(rec->body);
	memset(rec, 0, sizeof(*rec));
}

int
transcript_parse_record(const char *line, size_t len,
    struct transcript_record *rec, const char **why)
{
	static const char *const keys[] = { "action", "actor", "facts",
	    "prev", "rehearsal", "seq", "time", "v" };
	const size_t tail = (sizeof(sig_open) - 1) + TRANSCRIPT_SIG_B64_LEN + 2;
	char *body = NULL, *canon = NULL;
	json_t *j, *o;
	json_error_t jerr;
	size_t blen, siglen = 0, i;
	int r = CUSTOS_ERR_FORMAT;

	memset(rec, 0, sizeof(*rec));
	*why = "not a transcript record";
	if (len < tail + 2 || len > TRANSCRIPT_LINE_MAX || line[0] != '{' ||
	    memchr(line, '\n', len) != NULL)
		return CUSTOS_ERR_FORMAT;
	if (memcmp(line + len - tail, sig_open, sizeof(sig_open) - 1) != 0 ||
	    memcmp(line + len - 2, "\"}", 2) != 0) {
		*why = "the record does not end with its signature";
		return CUSTOS_ERR_FORMAT;
	}
	if (sodium_base642bin(rec->sig, sizeof(rec->sig),
	    line + len - 2 - TRANSCRIPT_SIG_B64_LEN, TRANSCRIPT_SIG_B64_LEN,
	    NULL, &siglen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    siglen != sizeof(rec->sig)) {
		*why = "the signature is not valid base64";
		return CUSTOS_ERR_FORMAT;
	}
	blen = len - tail + 1;
	if ((body = malloc(blen + 1)) == NULL)
		return CUSTOS_ERR_NOMEM;
	memcpy(body, line, blen - 1);
	body[blen - 1] = '}';
	body[blen] = '\0';
	j = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || !json_is_object(j)) {
		*why = "the record is not a JSON object";
		json_decref(j);
		goto out;
	}
	rec->body = j;
	if ((canon = json_dumps(j, CANON_FLAGS)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if (strlen(canon) != blen || memcmp(canon, body, blen) != 0) {
		*why = "the record is not in canonical form";
		goto out;
	}
	if (json_object_size(j) != sizeof(keys) / sizeof(keys[0])) {
		*why = "the record has missing or extra members";
		goto out;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (json_object_get(j, keys[i]) == NULL) {
			*why = "the record has missing or extra members";
			goto out;
		}
	}
	o = json_object_get(j, "v");
	if (!json_is_integer(o) || json_integer_value(o) != 1) {
		*why = "unsupported record version";
		goto out;
	}
	o = json_object_get(j, "seq");
	if (!json_is_integer(o) || json_integer_value(o) < 0) {
		*why = "seq is not a non-negative integer";
		goto out;
	}
	rec->seq = (unsigned long long)json_integer_value(o);
	o = json_object_get(j, "time");
	if (!json_is_string(o) || !utctime_valid(json_string_value(o))) {
		*why = "time is not YYYY-MM-DDTHH:MM:SSZ";
		goto out;
	}
	memcpy(rec->time, json_string_value(o), 21);
	o = json_object_get(j, "prev");
	if (!json_is_string(o) || !is_hex64(json_string_value(o))) {
		*why = "prev is not a lower-case hex SHA-256";
		goto out;
	}
	memcpy(rec->prev, json_string_value(o), 65);
	if (!json_is_string(json_object_get(j, "action")) ||
	    !json_is_string(json_object_get(j, "actor")) ||
	    json_string_length(json_object_get(j, "action")) == 0) {
		*why = "action or actor is not a string";
		goto out;
	}
	rec->action = json_string_value(json_object_get(j, "action"));
	rec->actor = json_string_value(json_object_get(j, "actor"));
	if (!json_is_object(json_object_get(j, "facts"))) {
		*why = "facts is not an object";
		goto out;
	}
	if (!json_is_boolean(json_object_get(j, "rehearsal"))) {
		*why = "rehearsal is not a boolean";
		goto out;
	}
	rec->rehearsal = json_is_true(json_object_get(j, "rehearsal"));
	rec->body_len = blen;
	r = CUSTOS_OK;
	*why = NULL;
 out:
	free(canon);
	free(body);
	if (r != CUSTOS_OK)
		transcript_record_clear(rec);
	return r;
}

/*
 * What one record gives when it is checked on its own (a worker): its
 * shape and canonical form, its seq and prev, its signature, and the hash
 * of its line, which the next record's prev must name. The chain is then
 * followed in order over these, which costs almost nothing; so the costly
 * part - JSON parse, canonical re-dump, SHA-256, Ed25519 - runs on every
 * core, and the verdict is the one checking in order gives: the first
 * record at fault, by the first check it fails (shape, seq, prev, sig).
 */
struct checked {
	size_t off, len;	/* its line in the buffer */
	const char *why;	/* shape refused: why (static), else NULL */
	unsigned long long seq;
	char prev[65];		/* as the record says */
	char hash[65];		/* of its line */
	char action[64];	/* for the verdict's last_action */
	int sig_ok;
};

#define CHECK_CHUNK 128	/* records a worker takes at a time */

/* The workers share one counter and take the next chunk as they go,
   so a slower core does less: no one waits for the slowest half. */
struct check_queue {
	const char *buf;
	struct checked *c;
	size_t n, next;		/* next: taken atomically */
	const unsigned char *pk;
};

struct check_job {
	struct check_queue *q;
	int nomem;
};

static void *
check_worker(void *arg)
{
	struct check_job *j = arg;
	struct check_queue *q = j->q;
	struct transcript_record rec;
	char *body = malloc(TRANSCRIPT_LINE_MAX + 1);
	size_t i, end = 0;

	if (body == NULL) {
		j->nomem = 1;
		return NULL;
	}
	for (i = 0;; i++) {
		struct checked *c;
		const char *line;

		if (i >= end) {
			i = __atomic_fetch_add(&q->next, CHECK_CHUNK,
			    __ATOMIC_RELAXED);
			if (i >= q->n)
				break;
			end = i + CHECK_CHUNK < q->n ? i + CHECK_CHUNK : q->n;
		}
		c = &q->c[i];
		line = q->buf + c->off;

		transcript_line_hash(c->hash, line, c->len);
		if (transcript_parse_record(line, c->len, &rec, &c->why) !=
		    CUSTOS_OK) {
			if (c->why == NULL)
				c->why = "not a transcript record";
			continue;
		}
		c->seq = rec.seq;
		memcpy(c->prev, rec.prev, sizeof(c->prev));
		snprintf(c->action, sizeof(c->action), "%s", rec.action);
		/* the signed bytes: the line up to its sig member, closed */
		memcpy(body, line, rec.body_len - 1);
		body[rec.body_len - 1] = '}';
		c->sig_ok = crypto_sign_verify_detached(rec.sig,
		    (unsigned char *)body, rec.body_len, q->pk) == 0;
		transcript_record_clear(&rec);
	}
	free(body);
	return NULL;
}

/* Checks c[0..n) on up to TRANSCRIPT_THREADS cores; 0 or
   CUSTOS_ERR_NOMEM. */
static int
check_all(const char *buf, struct checked *c, size_t n,
    const unsigned char *pk)
{
	struct check_queue queue = { buf, c, n, 0, pk };
	struct check_job jobs[TRANSCRIPT_THREADS];
	pthread_t tid[TRANSCRIPT_THREADS];
	int started[TRANSCRIPT_THREADS], nomem = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t, nt;

	nt = (cpus < 1) ? 1 : (size_t)cpus;
	if (nt > TRANSCRIPT_THREADS)
		nt = TRANSCRIPT_THREADS;
	if (n < 256)
		nt = 1;		/* not worth a thread */
	/* jansson seeds its hash function on the first object it makes:
	   done here, before any worker makes one */
	json_decref(json_object());
	for (t = 0; t < nt; t++) {
		jobs[t] = (struct check_job){ &queue, 0 };
		started[t] = t > 0 &&
		    pthread_create(&tid[t], NULL, check_worker, &jobs[t]) == 0;
	}
	for (t = 0; t < nt; t++)
		if (!started[t])
			check_worker(&jobs[t]);	/* this thread, or fallback */
	for (t = 0; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		nomem |= jobs[t].nomem;
	}
	return nomem ? CUSTOS_ERR_NOMEM : CUSTOS_OK;
}

int
transcript_verify(const char *buf, size_t len,
    const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
    struct transcript_verdict *v)
{
	struct checked *c = NULL;
	const char *q, *end = buf + len, *nl;
	char prev[65];
	size_t n = 0, lines = 0, i;
	int structural = 0;

	memset(v, 0, sizeof(*v));
	v->bad_record = -1;
	memcpy(prev, transcript_genesis, sizeof(prev));
	/* The lines; a crash mid-write leaves a partial last one. */
	for (q = buf; q < end && (nl = memchr(q, '\n', (size_t)(end - q))) !=
	    NULL; q = nl + 1)
		lines++;
	if (q < end) {
		v->truncated = 1;
		snprintf(v->why, sizeof(v->why), "the file ends in a partial "
		    "record (a write was cut short)");
	}
	if (lines > 0 && (c = calloc(lines, sizeof(*c))) == NULL)
		return CUSTOS_ERR_NOMEM;
	for (q = buf, i = 0; i < lines; i++, q = nl + 1) {
		nl = memchr(q, '\n', (size_t)(end - q));
		c[i].off = (size_t)(q - buf);
		c[i].len = (size_t)(nl - q);
	}
	if (lines > 0 && check_all(buf, c, lines, pk) != CUSTOS_OK) {
		free(c);
		return CUSTOS_ERR_NOMEM;
	}
	/* In order: the first record at fault, by its first failed check. */
	for (n = 0; n < lines; n++) {
		if (c[n].why != NULL)
			snprintf(v->why, sizeof(v->why), "%s", c[n].why);
		else if (c[n].seq != n)
			snprintf(v->why, sizeof(v->why), "seq is %llu where %zu "
			    "was expected (a record was removed, added or "
			    "moved)", c[n].seq, n);
		else if (strcmp(c[n].prev, prev) != 0)
			snprintf(v->why, sizeof(v->why), "prev does not match "
			    "the hash of the record before it");
		else if (!c[n].sig_ok)
			snprintf(v->why, sizeof(v->why), "the signature does not "
			    "verify under the ceremony key");
		else {
			memcpy(prev, c[n].hash, sizeof(prev));
			continue;
		}
		structural = 1;
		break;
	}
	if (n > 0)
		memcpy(v->last_action, c[n - 1].action, sizeof(v->last_action));
	free(c);
	v->records = n;
	memcpy(v->last_hash, prev, sizeof(prev));
	if (structural) {
		v->truncated = 0;
		v->bad_record = (long)n;
		v->bad_line = n + 1;
		return CUSTOS_ERR_CORRUPT;
	}
	if (v->truncated)
		return CUSTOS_ERR_TRUNCATED;
	if (n == 0) {
		snprintf(v->why, sizeof(v->why), "the transcript is empty");
		v->bad_record = 0;
		v->bad_line = 1;
		return CUSTOS_ERR_CORRUPT;
	}
	v->ok = 1;
	return CUSTOS_OK;
}
