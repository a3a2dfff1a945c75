/*
 * sc_hsm_ef.h - elementary files on a SmartCard-HSM, client side: READ
 * and UPDATE BINARY with the odd instructions and an offset TLV, in
 * chunks; DELETE FILE; ENUMERATE OBJECTS. Each returns 0 or a negative
 * error code; the status word is kept for sc_hsm_last_sw().
 */
#ifndef CUSTOS_SC_HSM_EF_H
#define CUSTOS_SC_HSM_EF_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct card;

#define SC_HSM_EF_MAX 8192	/* the largest EF read or written */

/*
 * Reads EF fid whole into *out (malloc'd, *len bytes; the caller frees).
 * CUSTOS_ERR_NOT_FOUND when there is no such file, CUSTOS_ERR_TOO_LARGE
 * past SC_HSM_EF_MAX.
 */
int sc_hsm_read_ef(struct card *c, uint16_t fid, uint8_t **out,
    size_t *len) CUSTOS_WUR;

/* As sc_hsm_read_ef(), but a missing EF is no error: *out NULL, *len 0. */
int sc_hsm_read_ef_opt(struct card *c, uint16_t fid, uint8_t **out,
    size_t *len) CUSTOS_WUR;

/* Writes d[0..n) to EF fid from offset 0 (creating it), in chunks. */
int sc_hsm_write_ef(struct card *c, uint16_t fid, const uint8_t *d,
    size_t n) CUSTOS_WUR;

/*
 * Replaces EF fid with d[0..n): deletes it first, since a shorter write
 * would leave the old tail.
 */
int sc_hsm_replace_ef(struct card *c, uint16_t fid, const uint8_t *d,
    size_t n) CUSTOS_WUR;

/* Deletes EF or key fid. CUSTOS_ERR_NOT_FOUND when there is none. */
int sc_hsm_delete_ef(struct card *c, uint16_t fid) CUSTOS_WUR;

/* ENUMERATE OBJECTS: the file IDs into fids[0..cap), *n set;
 * CUSTOS_ERR_TOO_LARGE when there are more than cap. */
int sc_hsm_enumerate(struct card *c, uint16_t *fids, size_t cap,
    size_t *n) CUSTOS_WUR;

#endif
