/*
 * ceremony_int.h - what ceremony.c (create, unlock, record) and
 * ceremony_close.c share; not for other rooms.
 */
#ifndef CUSTOS_CEREMONY_INT_H
#define CUSTOS_CEREMONY_INT_H

#include <limits.h>
#include <stddef.h>

#include <jansson.h>
#include <sodium.h>

#include "minisign.h"

struct ceremony {
	char dir[PATH_MAX];
	char id[17];
	char admin[256];
	int rehearsal;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char keyid[MINISIGN_KEYID_LEN];
	unsigned char *sk;	/* guarded, crypto_sign_SECRETKEYBYTES */
};

/* dir/name into out (PATH_MAX); CUSTOS_ERR_INVALID_ARG if too long. */
int cer_path_join(char *out, const char *dir, const char *name);

/* The whole transcript of dir (malloc'ed). */
int cer_read_transcript(const char *dir, char **buf, size_t *len);

/* Appends one signed record under the transcript's lock (closing: the
   ceremony.close record). */
int cer_append_locked(struct ceremony *c, const char *actor,
    const char *action, json_t *facts, int closing, unsigned long long *seq);

#endif
