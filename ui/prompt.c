/* prompt.c - secrets from the terminal (no echo) or a descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../common/secmem.h"
#include "prompt.h"

void
prompt_src_tty(struct prompt_src *src)
{
	src->fd = -1;
	src->owned = 0;
}

int
prompt_src_fd(struct prompt_src *src, const char *fdstr)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(fdstr, &end, 10);
	if (errno != 0 || end == fdstr || *end != '\0' || v < 0 ||
	    v > INT_MAX || fcntl((int)v, F_GETFD) < 0)
		return CUSTOS_ERR_INVALID_ARG;
	src->fd = (int)v;
	src->owned = 0;
	return CUSTOS_OK;
}

int
prompt_src_file(struct prompt_src *src, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return custos_err_from_errno(errno);
	src->fd = fd;
	src->owned = 1;
	return CUSTOS_OK;
}

void
prompt_src_close(struct prompt_src *src)
{
	if (src->owned && src->fd >= 0)
		close(src->fd);
	src->fd = -1;
	src->owned = 0;
}

/* Reads bytes up to '\n' or EOF, one at a time so no later line is eaten. */
static int
read_line(int fd, char *buf, size_t *len)
{
	size_t n = 0;
	int got_any = 0;

	for (;;) {
		char c;
		ssize_t k = read(fd, &c, 1);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return CUSTOS_ERR_IO;
		}
		if (k == 0)
			break;
		got_any = 1;
		if (c == '\n')
			break;
		if (n + 1 >= PROMPT_SECRET_MAX)
			return CUSTOS_ERR_TOO_LARGE;
		buf[n++] = c;
	}
	if (!got_any)
		return CUSTOS_ERR_TRUNCATED;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return CUSTOS_OK;
}

static void
tty_put(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;	/* a prompt that cannot be shown is not fatal */
}

static int
read_tty(const char *prompt, char *buf, size_t *len)
{
	struct termios old, noecho;
	int fd, r;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return CUSTOS_ERR_NO_TTY;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return CUSTOS_ERR_NO_TTY;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	tty_put(fd, prompt);
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0) {
		close(fd);
		return CUSTOS_ERR_NO_TTY;
	}
	r = read_line(fd, buf, len);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	tty_put(fd, "\n");
	close(fd);
	return r;
}

int
prompt_secret(struct prompt_src *src, const char *what, int confirm,
    char **out, size_t *outlen)
{
	char *a = NULL, *b = NULL, prompt[256];
	size_t alen = 0, blen = 0;
	int r;

	*out = NULL;
	*outlen = 0;
	if ((a = secmem_alloc(PROMPT_SECRET_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if (src->fd >= 0) {
		/* Scripts give each secret once. */
		if ((r = read_line(src->fd, a, &alen)) != CUSTOS_OK)
			goto out;
	} else {
		snprintf(prompt, sizeof(prompt), "%s: ", what);
		if ((r = read_tty(prompt, a, &alen)) != CUSTOS_OK)
			goto out;
		if (confirm) {
			if ((b = secmem_alloc(PROMPT_SECRET_MAX)) == NULL) {
				r = CUSTOS_ERR_NOMEM;
				goto out;
			}
			snprintf(prompt, sizeof(prompt), "%s (again): ", what);
			if ((r = read_tty(prompt, b, &blen)) != CUSTOS_OK)
				goto out;
			if (alen != blen || secmem_equal(a, b, alen) != 0) {
				r = CUSTOS_ERR_PASSPHRASE_MISMATCH;
				goto out;
			}
		}
	}
	*out = a;
	*outlen = alen;
	a = NULL;
	r = CUSTOS_OK;
 out:
	secmem_free(a);
	secmem_free(b);
	return r;
}
