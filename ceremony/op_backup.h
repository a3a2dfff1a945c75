/*
 * op_backup.h - the engine's backup operations (op_backup.c,
 * op_migrate.c): a device's keys wrapped into a backup set, the set
 * checked without a device (and opened key by key with the DKEK rebuilt
 * from its shares), restored onto a device with every key proven, and
 * keys migrated in from software or, breaking glass, out of a set. Each
 * records its step (op.h); each that changes a device or writes a file
 * records its intent first.
 */
#ifndef CUSTOS_OP_BACKUP_H
#define CUSTOS_OP_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "backup.h"
#include "op.h"
#include "op_dev.h"
#include "op_hsm.h"
#include "op_share.h"

/*
 * backup create: every exportable key of d (or those refs[0..nrefs)
 * name) wrapped into the new directory set (its parents made), then the
 * set checked; records backup.create. *m (caller-allocated) and sha get
 * the manifest and its SHA-256. A set a failure left half made is moved
 * aside. Returns 0 or an error.
 */
int op_backup_create(struct op_ctx *cx, struct op_dev *d, const char *set,
    const int *refs, size_t nrefs, struct backup_manifest *m, char sha[65])
    CUSTOS_WUR;

/* Loads a set's manifest (and its SHA-256), or says in one line why not. */
int op_backup_load(struct op_ctx *cx, const char *set,
    struct backup_manifest *m, char sha[65]) CUSTOS_WUR;

/*
 * backup verify: the set checked against its manifest without a device;
 * with sources (NULL: none) the DKEK rebuilt from its shares and every
 * blob opened; with transcript (NULL: none) the manifest and the keys'
 * public keys found in that verified ceremony. Records backup.verify.
 * out[m->nkeys] gets each key's outcome, *nbad the failures. Returns 0
 * when everything holds, CUSTOS_ERR_CORRUPT when keys failed, or an
 * error.
 */
int op_backup_verify(struct op_ctx *cx, const char *set,
    const struct op_dkek_sources *sources, const char *transcript,
    struct backup_manifest *m, char sha[65], struct backup_outcome *out,
    size_t *nbad) CUSTOS_WUR;

/*
 * backup restore: the set onto d - its DKEK must have the set's KCV
 * (nothing is written otherwise) - every key restored and proven under
 * its original public key; a rerun completes what is missing. Records
 * backup.restore (outcome complete or incomplete). *done gets the keys
 * restored and proven. Returns 0 when all are, CUSTOS_ERR_CORRUPT when
 * some failed, or an error.
 */
int op_backup_restore(struct op_ctx *cx, struct op_dev *d, const char *set,
    const struct backup_restore_opts *o, struct backup_manifest *m,
    char sha[65], struct backup_outcome *out, size_t *done) CUSTOS_WUR;

/* The most devices one restore takes at once. */
#define OP_RESTORE_MAX 8

/* One device of a restore onto several at once, and what came of it. */
struct op_restore_one {
	struct op_dev *dev;		/* opened by the caller */
	int r;				/* as op_backup_restore() returns */
	size_t done;			/* keys restored and proven */
	char why[512];			/* the one line when r is not 0 */
	struct backup_outcome *out;	/* BACKUP_MAX_KEYS, the caller's */
};

/*
 * backup restore onto devs[0..n) (1 to OP_RESTORE_MAX, each named once) at
 * once: the set loaded (into *m, sha) and checked first, every device
 * logged in, one after another, then each restored by op_backup_restore()
 * in a thread of its own, its records written under one lock. A device
 * that fails stops none of the others; each devs[i] says how it ended.
 * Returns 0 when every device was restored completely, CUSTOS_ERR_CORRUPT
 * when one or more were not (devs[] says which), or an error before any
 * device was touched.
 */
int op_backup_restore_many(struct op_ctx *cx, const char *set,
    const struct backup_restore_opts *o, struct backup_manifest *m,
    char sha[65], struct op_restore_one *devs, size_t n) CUSTOS_WUR;

struct op_import_key_args {
	const char *keyfile;	/* PEM or DER, PKCS#8 or traditional */
	const char *label;	/* 1-64 characters */
	const uint8_t *id;	/* NULL: OpenSC's default */
	size_t idlen;
	int ref;		/* -1: the lowest free */
	const struct op_dkek_sources *sources;
};

/*
 * backup import-key: a software key wrapped under the DKEK rebuilt from
 * its shares (its KCV must be d's), unwrapped on d with a description
 * and a self-signed certificate, and proven; records backup.import-key.
 * custos keeps no copy of the key. Returns 0 or an error.
 */
int op_backup_import_key(struct op_ctx *cx, struct op_dev *d,
    const struct op_import_key_args *a, struct op_key *out) CUSTOS_WUR;

/*
 * backup export-key: key ref of the set opened with the DKEK rebuilt from
 * its shares (after the deep check), after EXPORT is confirmed, written
 * to the new file out as encrypted PKCS#8 under a new passphrase; records
 * backup.export-key. *k gets the key's manifest entry. Returns 0 or an
 * error.
 */
int op_backup_export_key(struct op_ctx *cx, const char *set, int ref,
    const char *out, const struct op_dkek_sources *sources,
    struct backup_key *k) CUSTOS_WUR;

#endif
