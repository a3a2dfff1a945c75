/*
 * summary.h - the closing summary of a ceremony (summary.txt and
 * summary.pdf in the ceremony directory, written at ceremony close): what
 * the ceremony made, for the paper file, with a signature line for each
 * person.
 *
 * Pure rendering, like audit.h: built from the transcript's records only,
 * which hold no secret, so the summary holds none either. Values from the
 * transcript are shown with controls made visible (as audit.h does).
 */
#ifndef CUSTOS_SUMMARY_H
#define CUSTOS_SUMMARY_H

#include <stddef.h>

#include "../common/err.h"

#define SUMMARY_TXT "summary.txt"
#define SUMMARY_PDF "summary.pdf"

/*
 * The summary of transcript[0..len) (whole records; the first is
 * ceremony.open), closed with the transcript's SHA-256 closing_hex (64 hex
 * digits), as text of at most 80 columns (code points) into *out
 * (malloc'ed, NUL-terminated, *outlen bytes): title and id, the ceremony's
 * public key hash and the closing hash, every DKEK KCV in groups, each
 * share file with its holder and SHA-256 (when recorded), each paper
 * sheet, every key with its public key fingerprint, every backup manifest
 * hash, and a signature line for the administrator, each custodian and
 * each witness. *when gets the time of the last record (the summary's
 * date; 21 bytes). Returns 0, CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_FORMAT
 * (a line is not a record, or the first is not ceremony.open) or
 * CUSTOS_ERR_NOMEM.
 */
int summary_text(char **out, size_t *outlen, char when[21],
    const char *transcript, size_t len, const char *closing_hex) CUSTOS_WUR;

#endif
