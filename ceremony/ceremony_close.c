/* ceremony_close.c - closing a ceremony: the close record, the minisign
   signature of the whole transcript, and the signing key destroyed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "ceremony.h"
#include "ceremony_int.h"
#include "transcript.h"

/* Removes what an atomic write of dir/name that was cut left behind. */
static void
clean_temps(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (cer_path_join(path, dir, name) == CUSTOS_OK)
		atomicio_clean_temps(path);
}

/* Overwrites, syncs and removes the encrypted key file. */
static int
destroy_key(const char *dir)
{
	char path[PATH_MAX], zeros[4096];
	struct stat st;
	off_t done = 0;
	int fd, r = CUSTOS_OK, dfd;

	if ((r = cer_path_join(path, dir, CEREMONY_KEY)) != CUSTOS_OK)
		return r;
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CUSTOS_OK : custos_err_from_errno(errno);
	memset(zeros, 0, sizeof(zeros));
	if (fstat(fd, &st) == 0) {
		while (done < st.st_size) {
			size_t n = (size_t)(st.st_size - done) < sizeof(zeros) ?
			    (size_t)(st.st_size - done) : sizeof(zeros);

			if (atomicio_write_all(fd, zeros, n) != CUSTOS_OK)
				break;
			done += (off_t)n;
		}
		if (fsync(fd) != 0)
			r = custos_err_from_errno(errno);
	}
	close(fd);
	if (unlink(path) != 0)
		return custos_err_from_errno(errno);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) != 0)
			r = custos_err_from_errno(errno);
		close(dfd);
	}
	return r;
}

int
ceremony_close_record(struct ceremony *c, const char *actor)
{
	return cer_append_locked(c, actor, "ceremony.close", NULL, 1, NULL);
}

int
ceremony_close_finish(struct ceremony *c)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char path[PATH_MAX], tc[256], hex[65], now[21], *buf = NULL;
	char *sig = NULL;
	struct transcript_verdict v;
	size_t len = 0, slen = 0;
	int r;

	clean_temps(c->dir, CEREMONY_SIG);
	if ((r = cer_read_transcript(c->dir, &buf, &len)) != CUSTOS_OK)
		return r;
	if (transcript_verify(buf, len, c->pk, &v) != CUSTOS_OK) {
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	if (strcmp(v.last_action, "ceremony.close") != 0) {
		r = CUSTOS_ERR_INVALID_ARG;	/* no close record yet */
		goto out;
	}
	crypto_hash_sha256(h, (unsigned char *)buf, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	utctime_now(now);
	snprintf(tc, sizeof(tc), "custos ceremony %s closed %s records %zu "
	    "sha256 %s", c->id, now, v.records, hex);
	if ((r = minisign_sign(&sig, &slen, (unsigned char *)buf, len,
	    c->keyid, c->sk, tc)) != CUSTOS_OK ||
	    (r = cer_path_join(path, c->dir, CEREMONY_SIG)) != CUSTOS_OK)
		goto out;
	r = atomicio_create(path, sig, slen);
	if (r == CUSTOS_ERR_EXISTS) {
		/* An earlier close got this far: keep the key unless that
		 * signature really verifies over this transcript. */
		unsigned char *old = NULL;
		size_t olen = 0;

		if ((r = atomicio_read(path, 4096, 0, &old, &olen)) ==
		    CUSTOS_OK)
			r = minisign_verify((char *)old, olen,
			    (unsigned char *)buf, len, c->keyid, c->pk);
		atomicio_free_buf(old, olen, 0);
		if (r != CUSTOS_OK) {
			r = CUSTOS_ERR_CORRUPT;
			goto out;
		}
	}
	if (r != CUSTOS_OK)
		goto out;
	r = destroy_key(c->dir);
 out:
	free(sig);
	free(buf);
	return r;
}

int
ceremony_close(struct ceremony *c, const char *actor)
{
	int r = ceremony_close_record(c, actor);

	return r != CUSTOS_OK ? r : ceremony_close_finish(c);
}
