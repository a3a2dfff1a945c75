/*
 * backup_manifest.h - the manifest of a backup set: which keys of which
 * device were wrapped under which DKEK (its KCV), each with the SHA-256 of
 * its public key and of its wrap file, and which keys could not be
 * exported. JSON (format "custos-backup/1"), keys sorted, two-space
 * indent, written last so that a set without one is visibly incomplete.
 * The parser takes bytes and does no I/O; it refuses anything it does not
 * know, so a hand-edited manifest is noticed.
 */
#ifndef CUSTOS_BACKUP_MANIFEST_H
#define CUSTOS_BACKUP_MANIFEST_H

#include <stddef.h>

#include "../common/err.h"

#define BACKUP_FORMAT "custos-backup/1"
#define BACKUP_MANIFEST "manifest.json"
#define BACKUP_MAX_KEYS 255
#define BACKUP_MANIFEST_MAX ((size_t)1024 * 1024)

/* One key in the set. */
struct backup_key {
	int ref;			/* 1..255 on the source device */
	char label[65];
	char id[65];			/* hex */
	char kind[24];			/* "RSA-2048", "EC prime256v1" */
	char pubkey_sha256[65];		/* of the SubjectPublicKeyInfo */
	char pubkey[1500];		/* SubjectPublicKeyInfo, base64 */
	char file[32];			/* "key-001.wrap" */
	char file_sha256[65];
};

/* A key that could not be wrapped, and why. */
struct backup_skipped {
	int ref;
	char label[65];
	char kind[24];
	char reason[128];
};

struct backup_manifest {
	char created[32];		/* UTC, as in the transcript */
	char serial[17];		/* source device */
	char reader[160];
	int emulated;
	char kcv[17];			/* 16 upper-case hex digits */
	int domain;			/* the key domain wrapped from; -1
					   none named (the DKEK): absent */
	struct backup_key keys[BACKUP_MAX_KEYS];
	size_t nkeys;
	struct backup_skipped skipped[BACKUP_MAX_KEYS];
	size_t nskipped;
	size_t nother;			/* backup create --domain: keys of
					   other key domains, left to their
					   own sets (not in the manifest) */
};

/*
 * Serialises m into *out (malloc'ed, NUL-terminated, ending in a newline)
 * and *len. Returns 0, CUSTOS_ERR_INVALID_ARG (a field out of range) or
 * CUSTOS_ERR_NOMEM.
 */
int backup_manifest_dump(const struct backup_manifest *m, char **out,
    size_t *len) CUSTOS_WUR;

/*
 * Parses a manifest into *m (caller-allocated; it is large). Every member
 * must be there with the right type and range, and nothing else; file
 * names must be key-NNN.wrap and unique, references unique. Returns 0,
 * CUSTOS_ERR_TOO_LARGE, CUSTOS_ERR_FORMAT (with *why, a static one-line
 * reason, when why is non-NULL) or CUSTOS_ERR_UNSUPPORTED (another
 * format).
 */
int backup_manifest_parse(const char *buf, size_t len,
    struct backup_manifest *m, const char **why) CUSTOS_WUR;

/* The wrap file name for reference ref: "key-001.wrap" (out: 32). */
void backup_key_file(char out[32], int ref);

#endif
