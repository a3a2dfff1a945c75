/*
 * op_custody.c - a share file taken away (op_share.h): copied to where
 * its custodian chooses (removable media), read back from the medium and
 * compared byte for byte by SHA-256, and recorded as share.copy with the
 * file, where the copy went and its SHA-256 - never the content. The
 * copy is written atomically and never over another file; an intent is
 * recorded first, so a copy cut short is reconciled on the next run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "op_int.h"
#include "op_share.h"
#include "op_share_int.h"
#include "sharefile.h"

#define SHARE_FILE_MAX (1u << 20)

/*
 * The SHA-256 of what the medium holds at path: the page cache of the
 * file is dropped first (after an fsync), so the bytes are read back
 * from the device where it allows, not from memory. 0, or an error.
 */
static int
read_back(const char *path, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[8192], h[32];
	ssize_t n;
	int fd, r = CUSTOS_OK;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return CUSTOS_ERR_IO;
	(void)fsync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = CUSTOS_ERR_IO;
			break;
		}
		crypto_hash_sha256_update(&st, buf, (size_t)n);
	}
	close(fd);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
	return r;
}

static void
sha256_hex(const unsigned char *buf, size_t len, char out[65])
{
	unsigned char h[32];

	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* The last component of path (after its last '/'). */
static const char *
last_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * Where a copy of file goes: into dest when it is a directory, else dest
 * itself - a new file with the same ending as file's (.share, .pbe) in a
 * directory that exists.
 */
static int
copy_target(struct op_ctx *cx, const char *file, const char *dest,
    char out[PATH_MAX])
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *base, *ext = strrchr(last_name(file), '.');
	struct stat sb;
	size_t bl;
	int n;

	if (dest == NULL || dest[0] == '\0')
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "say where the copy "
		    "goes");
	if (strlen(dest) >= sizeof(dir))
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: path too long",
		    dest);
	snprintf(dir, sizeof(dir), "%s", dest);
	if (stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		base = last_name(file);
	} else {
		base = last_name(dest);
		bl = strlen(base);
		if (ext == NULL || bl <= strlen(ext) ||
		    strcmp(base + bl - strlen(ext), ext) != 0)
			return op_fail(cx, CUSTOS_ERR_NOT_FOUND, "%s: no such "
			    "directory (is the medium mounted?); nothing was "
			    "copied", dest);
		if (base == dest)
			snprintf(dir, sizeof(dir), ".");
		else
			dir[base - dest - (base - dest > 1)] = '\0';
	}
	if (realpath(dir, real) == NULL || stat(real, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))
		return op_fail(cx, CUSTOS_ERR_NOT_FOUND, "%s: no such directory "
		    "(is the medium mounted?); nothing was copied", dir);
	n = snprintf(out, PATH_MAX, "%s%s%s", real, strcmp(real, "/") == 0 ?
	    "" : "/", base);
	if (n < 0 || n >= PATH_MAX)
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: path too long",
		    dest);
	return op_recordable(cx, "destination", out);
}

/* Whether path lies inside the open ceremony's directory. */
static int
inside_ceremony(const struct op_ctx *cx, const char *path)
{
	size_t n = strlen(cx->creal);

	return cx->cer != NULL && n > 0 && strncmp(path, cx->creal, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}

int
op_share_copy(struct op_ctx *cx, const char *who, const char *file,
    const char *dest, struct op_copy_result *res)
{
	struct sharefile_info info;
	unsigned char *buf = NULL;
	unsigned long long in = 0;
	char to[PATH_MAX], rel[PATH_MAX], sha[65], back[65], have[65];
	const char *holder;
	struct stat sb;
	json_t *f;
	size_t len = 0;
	int r, existed = 0;

	memset(res, 0, sizeof(*res));
	if ((r = sharefile_inspect(file, &info)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: not a share file (%s); nothing was "
		    "copied", file, custos_strerror(r));
	if (info.format == SHAREFILE_V1 &&
	    strcmp(info.v1.label, "ceremony-signing-key") == 0)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: this is a ceremony's "
		    "signing key, not a share file; it never leaves the "
		    "ceremony directory", file);
	holder = who != NULL ? who : op_actor(cx, info.format ==
	    SHAREFILE_V1 && info.v1.label[0] != '\0' ? info.v1.label :
	    "operator");
	if ((r = op_recordable(cx, "custodian's name", holder)) != CUSTOS_OK ||
	    (r = copy_target(cx, file, dest, to)) != CUSTOS_OK)
		return r;
	if (inside_ceremony(cx, to))
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "%s is inside the "
		    "ceremony directory: choose the custodian's removable "
		    "medium; nothing was copied", to);
	if ((r = atomicio_read(file, SHARE_FILE_MAX, 0, &buf, &len)) !=
	    CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", file, custos_strerror(r));
	sha256_hex(buf, len, sha);
	op_relpath(cx, file, rel, sizeof(rel));
	if (lstat(to, &sb) == 0) {
		/* there already: the same bytes are this copy, taken before */
		if (!S_ISREG(sb.st_mode) || read_back(to, have) != CUSTOS_OK ||
		    strcmp(have, sha) != 0) {
			r = op_fail(cx, CUSTOS_ERR_EXISTS, "%s exists and is not "
			    "this share file; it is never overwritten: choose "
			    "another name or place", to);
			goto out;
		}
		existed = 1;
	} else {
		if ((r = op_intent(cx, NULL, holder, "share.copy", json_pack(
		    "{s:s, s:s, s:s}", "file", rel, "file_sha256", sha, "to",
		    to), &in)) != CUSTOS_OK)
			goto out;
		if ((r = atomicio_create(to, buf, len)) != CUSTOS_OK) {
			op_fail(cx, r, "%s: %s; nothing was copied", to,
			    r == CUSTOS_ERR_NO_SPACE ? "the medium is full" :
			    custos_strerror(r));
			op_intent_abort(cx, NULL, holder, in, op_why(cx), NULL);
			goto out;
		}
		if (read_back(to, back) != CUSTOS_OK || strcmp(back, sha) != 0) {
			/* a copy that does not read back is no copy: removed,
			   so no one takes it for a good one */
			(void)unlink(to);
			r = op_fail(cx, CUSTOS_ERR_IO, "%s does not read back as "
			    "written (the medium may be failing); it was removed: "
			    "copy it to another medium", to);
			op_intent_abort(cx, NULL, holder, in, op_why(cx), NULL);
			goto out;
		}
	}
	f = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "file", rel,
	    "file_sha256", sha, "to", to, "custodian", holder, "bytes",
	    (json_int_t)len, "read_back", 1);
	if (f != NULL && in != 0)
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	if (f != NULL && existed)
		json_object_set_new(f, "already_there", json_true());
	if ((r = op_record(cx, NULL, holder, "share.copy", f, NULL)) !=
	    CUSTOS_OK)
		goto out;
	snprintf(res->to, sizeof(res->to), "%s", to);
	snprintf(res->sha256, sizeof(res->sha256), "%s", sha);
	res->existed = existed;
 out:
	atomicio_free_buf(buf, len, 0);
	return r;
}

int
op_copy_reconcile(struct op_ctx *cx, json_t *in)
{
	json_t *f = json_object_get(in, "facts");
	const char *to = json_string_value(json_object_get(f, "to"));
	const char *sha = json_string_value(json_object_get(f, "file_sha256"));
	const char *file = json_string_value(json_object_get(f, "file"));
	const char *who = json_string_value(json_object_get(in, "actor"));
	const char *step = json_string_value(json_object_get(f, "step"));
	unsigned long long seq = (unsigned long long)json_integer_value(
	    json_object_get(in, "seq"));
	char have[65], why[PATH_MAX + 160];
	struct stat sb;
	json_t *done;

	if (who == NULL)
		who = "custos";
	if (to != NULL)
		(void)atomicio_clean_temps(to);
	if (to == NULL || sha == NULL || file == NULL || lstat(to, &sb) != 0 ||
	    !S_ISREG(sb.st_mode) || read_back(to, have) != CUSTOS_OK ||
	    strcmp(have, sha) != 0) {
		snprintf(why, sizeof(why), "cut short; no whole copy is at %s "
		    "(or its medium is not here): take the copy again",
		    to != NULL ? to : "?");
		op_warn(cx, "%s", why);
		return op_intent_void(cx, NULL, who, seq, why, NULL);
	}
	done = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:b}", "file",
	    file, "file_sha256", sha, "to", to, "custodian", who, "bytes",
	    (json_int_t)sb.st_size, "read_back", 1, "intent", (json_int_t)seq,
	    "recovered", 1);
	if (done != NULL && step != NULL)
		json_object_set_new(done, "step", json_string(step));
	op_note(cx, "the copy of %s to %s was made before an interruption: "
	    "recorded now", file, to);
	return op_record(cx, NULL, who, "share.copy", done, NULL);
}

int
op_offer_copies(struct op_ctx *cx, const char *const *files,
    const char *const *whos, size_t n, char *taken, size_t takensz)
{
	struct op_copy_result res;
	char rel[PATH_MAX], q[PATH_MAX + 400], hint[1200], dest[PATH_MAX];
	size_t i, o = 0;
	int r, tries;

	if (taken != NULL && takensz > 0)
		taken[0] = '\0';
	for (i = 0; i < n; i++) {
		op_relpath(cx, files[i], rel, sizeof(rel));
		if (cx->io->text == NULL) {
			op_note(cx, "%s's share file stays on this laptop: %s "
			    "(custos share copy takes a copy to removable "
			    "media)", whos[i], rel);
			continue;
		}
		snprintf(q, sizeof(q), "%s's share file is on this laptop, in "
		    "the ceremony directory: %s. To take a copy, type where it "
		    "goes (a directory on %s's removable medium).", whos[i],
		    rel, whos[i]);
		hint[0] = '\0';
		for (tries = 0; tries < 3; tries++) {
			dest[0] = '\0';
			r = cx->io->text(cx->io->arg, whos[i], q, hint, dest,
			    sizeof(dest));
			if (r == CUSTOS_ERR_CANCELLED || (r == CUSTOS_OK &&
			    dest[0] == '\0'))
				break;
			if (r != CUSTOS_OK)
				return op_fail(cx, r, "%s", custos_strerror(r));
			if ((r = op_share_copy(cx, whos[i], files[i], dest,
			    &res)) == CUSTOS_OK) {
				op_note(cx, "%s took a copy of %s: %s (read back "
				    "from the medium: the same SHA-256)",
				    whos[i], rel, res.to);
				if (taken != NULL && o < takensz)
					o += (size_t)snprintf(taken + o, takensz -
					    o, "%s%s", o ? ", " : "", whos[i]);
				break;
			}
			snprintf(hint, sizeof(hint), "%s", op_why(cx));
		}
		if (r != CUSTOS_OK || dest[0] == '\0' || tries == 3)
			op_note(cx, "%s's share file stays on this laptop only: "
			    "%s", whos[i], rel);
	}
	op_set_why_text(cx, "");
	return CUSTOS_OK;
}
