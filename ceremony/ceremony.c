/* ceremony.c - ceremony directories: key and transcript (close:
   ceremony_close.c). */
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

#include <sodium.h>

#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "../common/buildinfo.h"
#include "ceremony.h"
#include "ceremony_int.h"
#include "schema.h"
#include "sharefile_v1.h"
#include "transcript.h"


static const char key_label[] = "ceremony-signing-key";
static const char key_comment[] =
    "not a DKEK share: the ceremony's signing key, destroyed at close";

int
cer_path_join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	return (n < 0 || n >= PATH_MAX) ? CUSTOS_ERR_INVALID_ARG : CUSTOS_OK;
}

const char *
ceremony_admin(const struct ceremony *c)
{
	return c->admin;
}

const char *
ceremony_id(const struct ceremony *c)
{
	return c->id;
}

int
ceremony_is_rehearsal(const struct ceremony *c)
{
	return c->rehearsal;
}

int
ceremony_load_pub(const char *dir, unsigned char pk[32],
    unsigned char keyid[MINISIGN_KEYID_LEN])
{
	char path[PATH_MAX];
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = cer_path_join(path, dir, CEREMONY_PUB)) != CUSTOS_OK ||
	    (r = atomicio_read(path, 4096, 0, &buf, &len)) != CUSTOS_OK)
		return r;
	r = minisign_pubkey_parse((char *)buf, len, keyid, pk);
	atomicio_free_buf(buf, len, 0);
	return r;
}

void
ceremony_free(struct ceremony *c)
{
	if (c == NULL)
		return;
	secmem_free(c->sk);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

/* Reads the first record's facts: ceremony id and rehearsal flag. */
static int
read_identity(struct ceremony *c, const char *buf, size_t len)
{
	struct transcript_record rec;
	const char *nl, *why;
	json_t *facts, *id;

	if (buf == NULL || (nl = memchr(buf, '\n', len)) == NULL)
		return CUSTOS_ERR_CORRUPT;
	if (transcript_parse_record(buf, (size_t)(nl - buf), &rec, &why) !=
	    CUSTOS_OK)
		return CUSTOS_ERR_CORRUPT;
	facts = json_object_get(rec.body, "facts");
	id = json_object_get(facts, "ceremony_id");
	if (strcmp(rec.action, "ceremony.open") != 0 || !json_is_string(id) ||
	    json_string_length(id) != 16) {
		transcript_record_clear(&rec);
		return CUSTOS_ERR_CORRUPT;
	}
	memcpy(c->id, json_string_value(id), 17);
	snprintf(c->admin, sizeof(c->admin), "%s", rec.actor);
	c->rehearsal = rec.rehearsal;
	transcript_record_clear(&rec);
	return CUSTOS_OK;
}

static int
read_all_fd(int fd, char **out, size_t *outlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;

	if (fstat(fd, &st) != 0)
		return custos_err_from_errno(errno);
	if ((size_t)st.st_size > CEREMONY_TRANSCRIPT_MAX)
		return CUSTOS_ERR_TOO_LARGE;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return CUSTOS_ERR_NOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + len, (size_t)st.st_size - len,
		    (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? custos_err_from_errno(errno) :
			    CUSTOS_ERR_TRUNCATED;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return CUSTOS_OK;
}

/* Opens (no symlinks) and reads a ceremony's whole transcript. */
int
cer_read_transcript(const char *dir, char **buf, size_t *len)
{
	char path[PATH_MAX];
	int fd, r;

	if ((r = cer_path_join(path, dir, CEREMONY_TRANSCRIPT)) != CUSTOS_OK)
		return r;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return custos_err_from_errno(errno);
	r = read_all_fd(fd, buf, len);
	close(fd);
	return r;
}

/*
 * Signs record seq (chained to prev, which becomes its own hash) and
 * writes it with its newline at the end of fd. Returns 0 or an error.
 */
static int
append_record(int fd, const struct ceremony *c, unsigned long long seq,
    char prev[65], const char *actor, const char *action, json_t *facts)
{
	char now[UTCTIME_LEN + 1], *line = NULL;
	size_t llen = 0;
	int r;

	utctime_now(now);
	if ((r = transcript_make_line(&line, &llen, seq, now, prev, actor,
	    action, facts, c->rehearsal, c->sk)) != CUSTOS_OK)
		return r;
	line[llen] = '\n';	/* transcript_make_line leaves the room */
	if (lseek(fd, 0, SEEK_END) < 0)
		r = custos_err_from_errno(errno);
	else
		r = atomicio_write_all(fd, line, llen + 1);
	if (r == CUSTOS_OK)
		transcript_line_hash(prev, line, llen);
	free(line);
	return r;
}

/*
 * Appends under an exclusive lock. When closing is set and the last
 * record already is ceremony.close, appends nothing (resumed close).
 */
int
cer_append_locked(struct ceremony *c, const char *actor, const char *action,
    json_t *facts, int closing, unsigned long long *seq)
{
	struct transcript_verdict v;
	char path[PATH_MAX], *buf = NULL;
	const char *p, *nl;
	size_t len = 0, good;
	int fd, r, tries;

	if ((r = cer_path_join(path, c->dir, CEREMONY_TRANSCRIPT)) != CUSTOS_OK)
		return r;
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return custos_err_from_errno(errno);
	/* Another custos appending: wait for it, boundedly (5 s). */
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; tries++) {
		if (errno != EWOULDBLOCK || tries >= 100) {
			r = errno == EWOULDBLOCK ? CUSTOS_ERR_BUSY :
			    custos_err_from_errno(errno);
			goto out;
		}
		usleep(50000);
	}
	if ((r = read_all_fd(fd, &buf, &len)) != CUSTOS_OK)
		goto out;
	r = transcript_verify(buf, len, c->pk, &v);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_TRUNCATED) {
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	if (strcmp(v.last_action, "ceremony.close") == 0) {
		r = closing ? CUSTOS_OK : CUSTOS_ERR_CLOSED;
		goto out;
	}
	if (buf == NULL) {	/* read_all_fd always allocates */
		r = CUSTOS_ERR_INTERNAL;
		goto out;
	}
	/* Offset after the last whole line. */
	for (p = buf; (nl = memchr(p, '\n', (size_t)(buf + len - p))) != NULL;)
		p = nl + 1;
	good = (size_t)(p - buf);
	if (v.truncated) {
		/* A crash cut a record short: drop it, and say so. */
		char hash[65];
		json_t *rf;

		transcript_line_hash(hash, buf + good, len - good);
		if (ftruncate(fd, (off_t)good) != 0 || fsync(fd) != 0) {
			r = custos_err_from_errno(errno);
			goto out;
		}
		rf = json_pack("{s:I, s:s}", "dropped_bytes",
		    (json_int_t)(len - good), "dropped_sha256", hash);
		r = append_record(fd, c, v.records, v.last_hash, "custos",
		    "transcript.repair", rf);
		json_decref(rf);
		if (r != CUSTOS_OK)
			goto out;
		v.records++;
		/* A failed append below keeps the repair record. */
		if ((good = (size_t)lseek(fd, 0, SEEK_END)) == (size_t)-1) {
			r = custos_err_from_errno(errno);
			goto out;
		}
	}
	if (seq != NULL)
		*seq = v.records;
	if ((r = append_record(fd, c, v.records, v.last_hash, actor, action,
	    facts)) != CUSTOS_OK) {
		/* Leave no partial record behind us. */
		if (ftruncate(fd, (off_t)good) != 0) {
			/* the next append cuts it off and records that */
		}
		goto out;
	}
	if (fsync(fd) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	r = CUSTOS_OK;
 out:
	free(buf);
	close(fd);
	return r;
}

int
ceremony_append(struct ceremony *c, const char *actor, const char *action,
    json_t *facts, unsigned long long *seq)
{
	if (strcmp(action, "ceremony.close") == 0 ||
	    strcmp(action, "ceremony.open") == 0)
		return CUSTOS_ERR_INVALID_ARG;
	return cer_append_locked(c, actor, action, facts, 0, seq);
}

int
ceremony_record(struct ceremony *c, const char *actor, const char *action,
    json_t *facts)
{
	return ceremony_append(c, actor, action, facts, NULL);
}

/* Generates a key and writes ceremony.pub and ceremony.key. */
static int
make_key(struct ceremony *c, const struct ceremony_params *p,
    const unsigned char *pw, size_t pwlen)
{
	struct v1_header h;
	unsigned char *seed = NULL;
	char path[PATH_MAX], pub[256], comment[96], *text = NULL;
	size_t tlen = 0;
	int r;

	if ((seed = secmem_alloc(crypto_sign_SEEDBYTES)) == NULL)
		return CUSTOS_ERR_NOMEM;
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(c->pk, c->sk, seed);
	randombytes_buf(c->keyid, sizeof(c->keyid));
	snprintf(comment, sizeof(comment), "custos ceremony %s public key",
	    c->id);
	if ((r = minisign_pubkey_text(pub, sizeof(pub), c->keyid, c->pk,
	    comment)) != CUSTOS_OK ||
	    (r = cer_path_join(path, c->dir, CEREMONY_PUB)) != CUSTOS_OK ||
	    (r = atomicio_create(path, pub, strlen(pub))) != CUSTOS_OK)
		goto out;
	memset(&h, 0, sizeof(h));
	snprintf(h.label, sizeof(h.label), "%s", key_label);
	snprintf(h.ceremony, sizeof(h.ceremony), "%s", c->id);
	snprintf(h.comment, sizeof(h.comment), "%s", key_comment);
	h.opslimit = p->kdf_ops;
	h.mem_kib = p->kdf_mem_kib;
	if ((r = v1_seal(&text, &tlen, &h, seed, pw, pwlen)) != CUSTOS_OK ||
	    (r = cer_path_join(path, c->dir, CEREMONY_KEY)) != CUSTOS_OK)
		goto out;
	r = atomicio_create(path, text, tlen);
 out:
	free(text);
	secmem_free(seed);
	return r;
}

/* The software and the machine, into facts; -1 when out of memory. */
static int
machine_facts(json_t *facts, const struct buildinfo *bi)
{
	json_t *libs, *ifs;
	size_t i;
	int bad = 0;

	if ((libs = json_array()) == NULL || (ifs = json_array()) == NULL) {
		json_decref(libs);
		return -1;
	}
	for (i = 0; i < bi->nlibs; i++)
		bad |= json_array_append_new(libs, json_pack("{s:s, s:s}",
		    "name", bi->lib[i].name, "version", bi->lib[i].version));
	for (i = 0; i < bi->nifup; i++)
		bad |= json_array_append_new(ifs, json_string(bi->ifup[i]));
	bad |= json_object_set_new(facts, "libraries", libs);
	bad |= json_object_set_new(facts, "interfaces_up", ifs);
	bad |= json_object_set_new(facts, "custos_version",
	    json_string(bi->version));
	bad |= json_object_set_new(facts, "custos_commit",
	    json_string(bi->commit));
	bad |= json_object_set_new(facts, "custos_sha256",
	    json_string(bi->exe_sha256));
	bad |= json_object_set_new(facts, "kernel", json_string(bi->kernel));
	bad |= json_object_set_new(facts, "kernel_build",
	    json_string(bi->kernel_build));
	return bad ? -1 : 0;
}

int
ceremony_create(const char *dir, const struct ceremony_params *p,
    const unsigned char *pw, size_t pwlen, char id_out[17],
    char fpr_out[65])
{
	struct ceremony *c = NULL;
	unsigned char idb[8], h[crypto_hash_sha256_BYTES];
	char path[PATH_MAX], keyid_hex[17], now[21], *line = NULL;
	static const char *const subdirs[] = { "shares", "backups", "reports" };
	json_t *facts = NULL, *wit = NULL;
	char why[160];
	size_t llen = 0, i;
	int r, made = 0;

	if (strlen(dir) + 40 >= PATH_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->sk = secmem_alloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if (mkdir(dir, 0700) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	made = 1;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	c->rehearsal = p->rehearsal;
	randombytes_buf(idb, sizeof(idb));
	sodium_bin2hex(c->id, sizeof(c->id), idb, sizeof(idb));
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		if ((r = cer_path_join(path, dir, subdirs[i])) != CUSTOS_OK)
			goto out;
		if (mkdir(path, 0700) != 0) {
			r = custos_err_from_errno(errno);
			goto out;
		}
	}
	if ((r = make_key(c, p, pw, pwlen)) != CUSTOS_OK)
		goto out;
	crypto_hash_sha256(h, c->pk, sizeof(c->pk));
	sodium_bin2hex(fpr_out, 65, h, sizeof(h));
	sodium_bin2hex(keyid_hex, sizeof(keyid_hex), c->keyid,
	    sizeof(c->keyid));
	facts = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ceremony_id", c->id,
	    "title", p->title, "admin", p->admin, "public_key_sha256",
	    fpr_out, "minisign_key_id", keyid_hex);
	if (facts == NULL || (wit = json_array()) == NULL ||
	    json_object_set_new(facts, "witnesses", wit) != 0) {
		r = CUSTOS_ERR_INVALID_ARG;	/* not UTF-8 */
		goto out;
	}
	for (i = 0; i < p->nwitnesses; i++)
		if (json_array_append_new(wit, json_string(p->witnesses[i])) !=
		    0) {
			r = CUSTOS_ERR_INVALID_ARG;
			goto out;
		}
	json_object_set_new(facts, "schema", json_integer(SCHEMA_VERSION));
	if (p->plan_sha256 != NULL)
		json_object_set_new(facts, "plan_sha256",
		    json_string(p->plan_sha256));
	if (p->machine == NULL || machine_facts(facts, p->machine) != 0) {
		r = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (schema_check("ceremony.open", facts, why, sizeof(why)) != 0) {
		r = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	utctime_now(now);
	if ((r = transcript_make_line(&line, &llen, 0, now, transcript_genesis,
	    p->admin, "ceremony.open", facts, p->rehearsal, c->sk)) !=
	    CUSTOS_OK)
		goto out;
	line[llen] = '\n';
	if ((r = cer_path_join(path, dir, CEREMONY_TRANSCRIPT)) != CUSTOS_OK ||
	    (r = atomicio_create(path, line, llen + 1)) != CUSTOS_OK)
		goto out;
	memcpy(id_out, c->id, 17);
	made = 0;
	r = CUSTOS_OK;
 out:
	if (made) {
		/* Nothing half-made is left behind. */
		static const char *const files[] = { CEREMONY_PUB,
		    CEREMONY_KEY, CEREMONY_TRANSCRIPT, "shares", "backups",
		    "reports" };
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			if (cer_path_join(path, dir, files[i]) == CUSTOS_OK &&
			    unlink(path) != 0)
				(void)rmdir(path);
		}
		(void)rmdir(dir);
	}
	json_decref(facts);
	free(line);
	ceremony_free(c);
	return r;
}

/* Unlocks; a ceremony whose last record is ceremony.close is refused
   (CUSTOS_ERR_CLOSED) unless for_close. */
static int
unlock(struct ceremony **out, const char *dir, const unsigned char *pw,
    size_t pwlen, int for_close)
{
	struct ceremony *c = NULL;
	struct v1_header h;
	unsigned char *seed = NULL, *kbuf = NULL;
	unsigned char pk[32];
	char path[PATH_MAX], *tbuf = NULL;
	size_t klen = 0, tlen = 0;
	int r;

	*out = NULL;
	if (strlen(dir) + 40 >= PATH_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->sk = secmem_alloc(crypto_sign_SECRETKEYBYTES)) == NULL ||
	    (seed = secmem_alloc(crypto_sign_SEEDBYTES)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	if ((r = ceremony_load_pub(dir, c->pk, c->keyid)) != CUSTOS_OK)
		goto out;
	if ((r = cer_read_transcript(dir, &tbuf, &tlen)) != CUSTOS_OK ||
	    (r = read_identity(c, tbuf, tlen)) != CUSTOS_OK)
		goto out;
	{
		/* Refuse before any step is done, not when recording it. */
		struct transcript_verdict v;

		r = transcript_verify(tbuf, tlen, c->pk, &v);
		if (r != CUSTOS_OK && r != CUSTOS_ERR_TRUNCATED) {
			r = CUSTOS_ERR_CORRUPT;
			goto out;
		}
		/* A close cut short after its record: closed all the same,
		 * and only the close itself may finish it. */
		if (strcmp(v.last_action, "ceremony.close") == 0 &&
		    !for_close) {
			r = CUSTOS_ERR_CLOSED;
			goto out;
		}
	}
	if ((r = cer_path_join(path, dir, CEREMONY_KEY)) != CUSTOS_OK)
		goto out;
	r = atomicio_read(path, V1_FILE_MAX, 0, &kbuf, &klen);
	if (r == CUSTOS_ERR_NOT_FOUND) {
		r = CUSTOS_ERR_CLOSED;
		goto out;
	}
	if (r != CUSTOS_OK)
		goto out;
	if ((r = v1_open(seed, (char *)kbuf, klen, pw, pwlen, &h)) !=
	    CUSTOS_OK)
		goto out;
	crypto_sign_seed_keypair(pk, c->sk, seed);
	if (strcmp(h.label, key_label) != 0 || strcmp(h.ceremony, c->id) != 0
	    || sodium_memcmp(pk, c->pk, sizeof(pk)) != 0) {
		r = CUSTOS_ERR_CORRUPT;	/* key of another ceremony */
		goto out;
	}
	*out = c;
	c = NULL;
	r = CUSTOS_OK;
 out:
	free(tbuf);
	atomicio_free_buf(kbuf, klen, 0);
	secmem_free(seed);
	ceremony_free(c);
	return r;
}

int
ceremony_unlock(struct ceremony **out, const char *dir,
    const unsigned char *pw, size_t pwlen)
{
	return unlock(out, dir, pw, pwlen, 0);
}

int
ceremony_unlock_for_close(struct ceremony **out, const char *dir,
    const unsigned char *pw, size_t pwlen)
{
	return unlock(out, dir, pw, pwlen, 1);
}
