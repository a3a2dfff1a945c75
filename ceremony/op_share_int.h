/*
 * op_share_int.h - what the engine's share files (op_share*.c,
 * op_split*.c, op_combine*.c, op_dkek.c, and the walk) share. Not for
 * front ends.
 */
#ifndef CUSTOS_OP_SHARE_INT_H
#define CUSTOS_OP_SHARE_INT_H

#include <jansson.h>

#include "op_share.h"

struct op_ctx;

/* The fingerprint of a share as 16 upper-case hex digits. */
void op_fpr_hex(char out[17], const unsigned char *share);

/*
 * Seals value (32 bytes) into the new file path under pw, then (v1) opens
 * it again with pw: it must give value back. Records nothing. Returns 0
 * or an error (why names the file).
 */
int op_seal(struct op_ctx *cx, const unsigned char *value, const char *path,
    const struct op_file_args *f, const char *pw, size_t pwlen) CUSTOS_WUR;

/* Asks who for a new passphrase for a file of format f (the .pbe warning
   first). */
int op_new_passphrase(struct op_ctx *cx, const struct op_file_args *f,
    const char *who, const char *what, const char *hint, char **pw,
    size_t *pwlen) CUSTOS_WUR;

/* file, file_sha256, format, share_fingerprint (and label for v1) of a
   file written; NULL when out of memory. */
json_t *op_file_facts(struct op_ctx *cx, const char *path,
    const struct op_file_args *f, const char *fpr);

/* Records the intent of op to write path (extra facts stolen, may be
   NULL). */
int op_file_intent(struct op_ctx *cx, const char *who, const char *op,
    const char *path, json_t *extra, unsigned long long *seq) CUSTOS_WUR;

/*
 * After a share is sealed: says where each of files[0..n) is, and offers
 * whos[i] to take a copy (io->text: where to; Enter or Esc: it stays on
 * this laptop only), op_share_copy() - a refused copy is said and asked
 * again, up to three times. taken (may be NULL) gets who took theirs
 * ("alice, bob"). Never fails the step it follows.
 */
int op_offer_copies(struct op_ctx *cx, const char *const *files,
    const char *const *whos, size_t n, char *taken, size_t takensz)
    CUSTOS_WUR;

/* Refuses an output that exists (before anything is asked), and a name
   that could not be recorded. */
int op_out_free(struct op_ctx *cx, const char *path) CUSTOS_WUR;

struct slip39_share;
struct op_combined;

/*
 * More shares than the threshold m: rebuilds every quorum of s[0..n)
 * (each checked by its digest) into out; the shares in no valid quorum
 * are named in wrong ("2, 5"). All valid quorums must agree. Returns 0 or
 * CUSTOS_ERR_FORMAT (why: none rebuilds, or they disagree).
 */
int op_quorum_search(struct op_ctx *cx, const struct slip39_share *s,
    size_t n, size_t m, unsigned char *out, char *wrong, size_t wrongsz)
    CUSTOS_WUR;

/* scheme, threshold, shares_given and identifier of a combine, each
   name prefixed ("old_" for a reshare's old set). */
json_t *op_combine_facts(const struct op_combined *c, const char *prefix);

#endif
