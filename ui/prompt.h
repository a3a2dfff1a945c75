/*
 * prompt.h - reading secrets: from the terminal without echo, or from a
 * file descriptor / file for scripts (one secret per line). Never argv,
 * never the environment.
 */
#ifndef CUSTOS_PROMPT_H
#define CUSTOS_PROMPT_H

#include <stddef.h>

#include "../common/err.h"

#define PROMPT_SECRET_MAX 1024

struct prompt_src {
	int fd;		/* -1: the controlling terminal */
	int owned;	/* fd was opened by prompt_src_file() */
};

/* Initialises src to read from the terminal. */
void prompt_src_tty(struct prompt_src *src);

/* Reads from an inherited descriptor. Returns 0 or CUSTOS_ERR_INVALID_ARG. */
int prompt_src_fd(struct prompt_src *src, const char *fdstr) CUSTOS_WUR;

/* Reads from a file (opened now). Returns 0 or an error code. */
int prompt_src_file(struct prompt_src *src, const char *path) CUSTOS_WUR;

/* Closes a file opened by prompt_src_file(). */
void prompt_src_close(struct prompt_src *src);

/*
 * Reads one secret into *out (guarded memory, NUL-terminated; free with
 * secmem_free), its length into *outlen. On the terminal, prints what to
 * stderr and reads without echo; with confirm, asks twice and compares.
 * Returns 0, CUSTOS_ERR_NO_TTY, CUSTOS_ERR_PASSPHRASE_MISMATCH,
 * CUSTOS_ERR_TRUNCATED (no line left on the descriptor) or another error.
 */
int prompt_secret(struct prompt_src *src, const char *what, int confirm,
    char **out, size_t *outlen) CUSTOS_WUR;

#endif
