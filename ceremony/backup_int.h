/*
 * backup_int.h - what backup.c and backup_restore.c share, not for use
 * outside the backup module.
 */
#ifndef CUSTOS_BACKUP_INT_H
#define CUSTOS_BACKUP_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "../cards/wrapfile.h"
#include "backup.h"

/* Sets o->err and a one-line o->why (printf format). */
void backup_say(struct backup_outcome *o, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));


/*
 * Checks the wrap file of manifest entry k in dir against m (and with
 * dkek, opens its blob): *file (malloc'ed, the caller frees it), *wf
 * pointing into it, *pub the manifest's public key (the caller frees
 * it). o gets the outcome. Returns 0 or o->err.
 */
int backup_check_key(const char *dir, const struct backup_manifest *m,
    const struct backup_key *k, const uint8_t *dkek, unsigned char **file,
    size_t *flen, struct wrapfile *wf, EVP_PKEY **pub,
    struct backup_outcome *o) CUSTOS_WUR;

#endif
