/*
 * backup.h - backup sets of a SmartCard-HSM's keys: every exportable key
 * wrapped under the DKEK into a directory (one sc-hsm-tool wrap file per
 * key and a manifest), checked without any device (shallow: structure,
 * hashes, KCVs; deep: with the DKEK, every blob's CMAC, decryption and
 * public key), and restored onto a replacement device with each key proven
 * by a signature under its original public key. No printing: progress goes
 * to a callback, so the UI decides what people see.
 */
#ifndef CUSTOS_BACKUP_H
#define CUSTOS_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"
#include "backup_manifest.h"

struct card;

/* What happened to one key. */
struct backup_outcome {
	int ref;		/* reference in the manifest */
	int dest_ref;		/* restore: the reference it went to */
	int err;		/* 0, or why it failed */
	int already;		/* restore: the key was there already */
	int on_device;		/* restore: this key is under dest_ref now */
	int proven;		/* restore: signs under the manifest's key */
	char why[160];		/* one line when err != 0 */
	char note[96];		/* what was read leniently, or "" */
};

/*
 * The device's DKEK KCV (16 hex digits; application selected):
 * CUSTOS_ERR_NO_DKEK when it has no complete DKEK, CUSTOS_ERR_NOT_LOGGED_IN
 * when it shows all zeros (unknown until the user PIN is verified).
 */
int backup_device_kcv(struct card *c, char kcv[17]) CUSTOS_WUR;

/* Called after each key (done of total). */
typedef void (*backup_progress_fn)(void *arg, size_t done, size_t total,
    const struct backup_outcome *o);

/*
 * Wraps the keys at refs[0..nrefs) (nrefs 0: every key) of the device c
 * (application selected, user PIN verified) into the new directory dir:
 * key-NNN.wrap per key, then manifest.json. A key the device will not
 * export (made before the DKEK was complete) or that has no public key
 * stored beside it is listed in m->skipped with the reason. The device's
 * serial, reader and emulated go into the manifest; *m gets it and
 * sha256 the manifest file's SHA-256 (hex). Returns 0,
 * CUSTOS_ERR_EXISTS (dir exists), CUSTOS_ERR_NO_KEY (a ref names no key),
 * CUSTOS_ERR_NO_DKEK (no complete DKEK), card and I/O errors; an
 * interrupted set has no manifest and is never taken for a complete one.
 */
int backup_create(struct card *c, const char *dir, const int *refs,
    size_t nrefs, const char *serial, const char *reader, int emulated,
    struct backup_manifest *m, char sha256[65], backup_progress_fn fn,
    void *arg) CUSTOS_WUR;

/*
 * Reads and parses dir/manifest.json into *m; sha256 gets its SHA-256.
 * *why: a static one-line reason on a parse error. Returns 0,
 * CUSTOS_ERR_NOT_FOUND (no manifest: not a set, or an interrupted one),
 * backup_manifest_parse() errors, I/O errors.
 */
int backup_load(const char *dir, struct backup_manifest *m, char sha256[65],
    const char **why) CUSTOS_WUR;

/*
 * Checks every key of the set in dir against m: the wrap file is there
 * and has its SHA-256, parses, its blob carries m->kcv, its description
 * and public key are the manifest's. With dkek (32 bytes, else NULL),
 * also that dkek has m->kcv (else CUSTOS_ERR_DKEK_MISMATCH before
 * anything else) and that each blob's CMAC holds and it decrypts to the
 * private key of the manifest's public key. out[i] gets the outcome of
 * m->keys[i]; *nbad how many failed. Returns 0 when all hold,
 * CUSTOS_ERR_CORRUPT otherwise, or an error that stopped the check.
 */
int backup_verify(const char *dir, const struct backup_manifest *m,
    const uint8_t *dkek, struct backup_outcome *out, size_t *nbad,
    backup_progress_fn fn, void *arg) CUSTOS_WUR;

/*
 * Opens key ref of the set with dkek after the deep check of
 * backup_verify(), into *priv (the caller frees it). For the break-glass
 * export to another system. Returns 0, CUSTOS_ERR_NO_KEY (not in the set)
 * or the check's error (o says why).
 */
int backup_open_key(const char *dir, const struct backup_manifest *m,
    int ref, const uint8_t *dkek, EVP_PKEY **priv, struct backup_outcome *o)
    CUSTOS_WUR;

/* What restore does with a reference that holds another key. */
enum backup_conflict {
	BACKUP_CONFLICT_REFUSE = 0,	/* that key fails, the rest go on */
	BACKUP_CONFLICT_NEXT_FREE,	/* restore it under the lowest free ref */
};

struct backup_restore_opts {
	enum backup_conflict conflict;
	int staged;		/* unwrap through EF 2F10 (OpenSC >= 0.24) */
	int force;		/* replace a description or public key there */
};

struct wrapfile;

/* What the device holds (ENUMERATE), kept current by a restore so that
 * it asks only once for many keys. */
struct backup_fids {
	uint16_t fid[1024];
	size_t n;
	int valid;
	uint8_t reserved[256];	/* references --conflict next-free avoids */
};

/*
 * Restores one wrap file wf (checked by the caller: its description
 * parses and matches pub) under o->dest_ref of c (application selected,
 * user PIN verified, DKEK checked), pub being the key's expected public
 * key. When the reference already holds a key, it must sign under pub
 * (else a conflict, as o->conflict says); then only missing description
 * and public key files are written (all with o->force), and a public key
 * kept there must be pub. A fresh key is proven by a signature under pub
 * before anything is written beside it, and deleted again if it fails.
 * Then the public key read back must be pub. fids (NULL: ask the device)
 * caches what the device holds across calls. o gets the outcome
 * (dest_ref, already, proven, err and why). Returns 0 (see o->err), or a
 * transport error (the card was removed: o says how far it came).
 */
int backup_restore_key(struct card *c, const struct wrapfile *wf,
    EVP_PKEY *pub, const struct backup_restore_opts *opt,
    struct backup_fids *fids, struct backup_outcome *o) CUSTOS_WUR;

/*
 * Restores the set in dir (manifest m) onto c (application selected,
 * user PIN verified). First the device's DKEK must be complete with
 * m->kcv (CUSTOS_ERR_DKEK_MISMATCH / CUSTOS_ERR_NO_DKEK: nothing is
 * written). Then each key: its wrap file checked as backup_verify() does
 * without a DKEK, unwrapped under its reference, description and public
 * key written, the public key read back compared with the manifest and a
 * signature verified under it. A key already under its reference that
 * proves to be this one is completed, not unwrapped again, so a rerun
 * after an interruption restores only what is missing. One key failing
 * stops nothing else; a transport error (card removed) stops the run.
 * out[i] (m->nkeys) gets each outcome, *nbad the failures. Returns 0 when
 * every key is restored and proven, CUSTOS_ERR_CORRUPT when some failed,
 * or the error that stopped the run.
 */
int backup_restore(struct card *c, const char *dir,
    const struct backup_manifest *m, const struct backup_restore_opts *o,
    struct backup_outcome *out, size_t *nbad, backup_progress_fn fn,
    void *arg) CUSTOS_WUR;

#endif
