/*
 * op_split_int.h - what the split files (op_split.c, op_split_legacy.c,
 * op_plan_share.c) share. Not for front ends.
 */
#ifndef CUSTOS_OP_SPLIT_INT_H
#define CUSTOS_OP_SPLIT_INT_H

#include <stddef.h>

#include <jansson.h>

#include "op_share.h"

/* DIR/PREFIX-I-LABEL.EXT, the label reduced to safe file-name bytes. */
void op_split_name(char *path, size_t sz, const char *dir,
    const char *prefix, size_t i, const char *label, const char *ext);

/* The ceremony line of a sheet ("title (id)", the title, the id), or
   NULL. */
const char *op_ceremony_line(struct op_ctx *cx, char *buf, size_t sz,
    const char *title);

/* Creates a sheet file atomically (never clobbering) and says so. */
int op_write_sheet(struct op_ctx *cx, const char *path, const char *buf,
    size_t len) CUSTOS_WUR;

/* Makes dir (0700) unless it is a directory, and refuses when any sheet
   (text or PDF) or member file of names[0..n) exists there. */
int op_out_dir(struct op_ctx *cx, const char *dir, const char *const *names,
    size_t n, const char *prefix, int sheets, int files) CUSTOS_WUR;

/*
 * The SLIP-39 split of a, recorded as action ("share.split" or
 * "share.reshare") with extra facts (stolen; may be NULL).
 */
int op_split_slip39(struct op_ctx *cx, const struct op_split_args *a,
    const char *action, json_t *extra, struct op_split_result *res)
    CUSTOS_WUR;

/* Moves aside the files of paths[0..n) that exist (a step that failed
   half way), recorded with intent. */
void op_abandon_written(struct op_ctx *cx, char (*paths)[4096], size_t n,
    unsigned long long intent);

#endif
