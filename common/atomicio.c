/* atomicio.c - atomic never-clobbering file creation; bounded reads. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicio.h"
#include "secmem.h"

int
atomicio_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return custos_err_from_errno(errno);
		}
		p += n;
		len -= (size_t)n;
	}
	return CUSTOS_OK;
}

/* Splits path into its directory (for fsync and the temp file). */
static void
dir_of(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, dirsz, ".");
	else if (slash == path)
		snprintf(dir, dirsz, "/");
	else
		snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);
}

static int
write_atomic(const char *path, const void *buf, size_t len, int replace)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	unsigned char rnd[8];
	struct stat st;
	int fd = -1, dfd = -1, r = CUSTOS_ERR_INTERNAL, made = 0;

	if (path == NULL || *path == '\0' || strlen(path) + 32 >= PATH_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	if (!replace && lstat(path, &st) == 0)
		return CUSTOS_ERR_EXISTS;
	dir_of(path, dir, sizeof(dir));
	secmem_random(rnd, sizeof(rnd));
	snprintf(tmp, sizeof(tmp), "%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x",
	    path, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
	    rnd[7]);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	made = 1;
	if ((r = atomicio_write_all(fd, buf, len)) != CUSTOS_OK)
		goto out;
	if (fsync(fd) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = custos_err_from_errno(errno);
		goto out;
	}
	fd = -1;
	if (replace) {
		if (rename(tmp, path) != 0) {
			r = custos_err_from_errno(errno);
			goto out;
		}
	} else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
	    RENAME_NOREPLACE) != 0) {
		if (errno != EINVAL && errno != ENOSYS) {
			r = custos_err_from_errno(errno);
			goto out;
		}
		/* File system without RENAME_NOREPLACE: link(2) never clobbers. */
		if (link(tmp, path) != 0) {
			r = custos_err_from_errno(errno);
			goto out;
		}
		(void)unlink(tmp);
	}
	made = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	r = CUSTOS_OK;
 out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (made)
		(void)unlink(tmp);
	return r;
}

int
atomicio_create(const char *path, const void *buf, size_t len)
{
	return write_atomic(path, buf, len, 0);
}

int
atomicio_replace(const char *path, const void *buf, size_t len)
{
	return write_atomic(path, buf, len, 1);
}

int
atomicio_read(const char *path, size_t maxlen, int secret,
    unsigned char **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r;

	*out = NULL;
	*outlen = 0;
	if (maxlen >= SIZE_MAX / 2)
		return CUSTOS_ERR_INVALID_ARG;
	/* O_NONBLOCK: a FIFO in place of a file must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return custos_err_from_errno(errno);
	if (fstat(fd, &st) != 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = CUSTOS_ERR_FORMAT;
		goto out;
	}
	if ((size_t)st.st_size > maxlen) {
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	buf = secret ? secmem_alloc(maxlen + 1) : calloc(1, maxlen + 1);
	if (buf == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, maxlen + 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = custos_err_from_errno(errno);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > maxlen) {
			r = CUSTOS_ERR_TOO_LARGE;
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	r = CUSTOS_OK;
 out:
	atomicio_free_buf(buf, maxlen + 1, secret);
	close(fd);
	return r;
}

void
atomicio_free_buf(unsigned char *buf, size_t len, int secret)
{
	if (buf == NULL)
		return;
	if (secret) {
		secmem_free(buf);
	} else {
		secmem_wipe(buf, len);
		free(buf);
	}
}

int
atomicio_mkdirs(const char *dir)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return CUSTOS_ERR_TOO_LARGE;
	for (p = tmp + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return custos_err_from_errno(errno);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int
atomicio_clean_temps(const char *path)
{
	char dir[PATH_MAX], full[PATH_MAX];
	const char *base = strrchr(path, '/');
	struct dirent *de;
	size_t blen;
	int n = 0;
	DIR *d;

	base = base != NULL ? base + 1 : path;
	blen = strlen(base);
	dir_of(path, dir, sizeof(dir));
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		const char *t = de->d_name;

		/* name.tmp- and 16 hex digits: write_atomic()'s names */
		if (strncmp(t, base, blen) != 0 || strncmp(t + blen, ".tmp-",
		    5) != 0 || strlen(t + blen + 5) != 16 ||
		    strspn(t + blen + 5, "0123456789abcdef") != 16)
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", dir, t) <
		    (int)sizeof(full) && unlink(full) == 0)
			n++;
	}
	closedir(d);
	return n;
}
