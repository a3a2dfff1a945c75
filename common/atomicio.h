/*
 * atomicio.h - whole-file reads and atomic, never-clobbering writes.
 */
#ifndef CUSTOS_ATOMICIO_H
#define CUSTOS_ATOMICIO_H

#include <stddef.h>

#include "err.h"

/*
 * Creates path holding exactly buf[0..len), mode 0600, atomically: the
 * data goes to a temporary file in the same directory (O_CREAT|O_EXCL|
 * O_NOFOLLOW), which is fsynced and then renamed to path with
 * RENAME_NOREPLACE, and the directory is fsynced. An existing path is
 * never touched. On any failure before the rename nothing is left behind;
 * if only the final directory fsync fails, the complete file is in place
 * but its name may not survive a crash, and CUSTOS_ERR_IO is returned.
 * Returns 0, CUSTOS_ERR_EXISTS, CUSTOS_ERR_NO_SPACE, or another error.
 */
int atomicio_create(const char *path, const void *buf, size_t len) CUSTOS_WUR;

/*
 * Like atomicio_create(), but replaces an existing path (rename(2)): a
 * reader sees the old or the new content, never a mix. Only for files
 * custos owns outright (the emulated card's state), never for user files.
 */
int atomicio_replace(const char *path, const void *buf, size_t len)
    CUSTOS_WUR;

/*
 * Reads a whole regular file of at most maxlen bytes into a new buffer
 * (*out, *outlen); the buffer comes from secmem_alloc() when secret is
 * non-zero, else malloc(), and has a NUL after the data. The caller frees
 * it with atomicio_free_buf(). Returns 0, CUSTOS_ERR_NOT_FOUND,
 * CUSTOS_ERR_TOO_LARGE, CUSTOS_ERR_FORMAT (not a regular file),
 * CUSTOS_ERR_PERMISSION, CUSTOS_ERR_NOMEM, CUSTOS_ERR_INVALID_ARG (maxlen
 * absurd) or CUSTOS_ERR_IO.
 */
int atomicio_read(const char *path, size_t maxlen, int secret,
    unsigned char **out, size_t *outlen) CUSTOS_WUR;

/*
 * Writes all of buf to fd, retrying short writes and EINTR. Returns 0 or
 * the error code for errno (CUSTOS_ERR_NO_SPACE on a full disk).
 */
int atomicio_write_all(int fd, const void *buf, size_t len) CUSTOS_WUR;

/*
 * mkdir -p: dir and every directory above it that is missing, mode 0700.
 * Returns 0, CUSTOS_ERR_TOO_LARGE (path too long) or the error for errno.
 */
int atomicio_mkdirs(const char *dir) CUSTOS_WUR;

/*
 * Removes the temporary files an atomic write of path left when it was
 * cut (path.tmp- and 16 hex digits, never anything else). Returns how
 * many it removed.
 */
int atomicio_clean_temps(const char *path);

/* Frees a buffer from atomicio_read(); accepts NULL. */
void atomicio_free_buf(unsigned char *buf, size_t len, int secret);

#endif
