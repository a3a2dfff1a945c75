/*
 * pwshare_text.h - sc-hsm-tool's password shares as text: parsing what it
 * prints (tolerant of spacing and case, share IDs read as the decimal they
 * are) and printing them exactly as it does (docs/formats/pwshares.md).
 * Pure: no I/O; safe to fuzz.
 */
#ifndef CUSTOS_PWSHARE_TEXT_H
#define CUSTOS_PWSHARE_TEXT_H

#include <stddef.h>

#include "../common/err.h"
#include "pwshare.h"

#define PWSHARE_TEXT_MAX 65536	/* longest printed text parsed */
/* One share as sc-hsm-tool prints it, with its header; NUL included. */
#define PWSHARE_FORMAT_MAX 160

/*
 * Parses a number printed as sc-hsm-tool prints it: ':'-separated hex
 * bytes (1 or 2 digits each) or plain hex digits, spaces and tabs ignored,
 * either case, at most 8 significant bytes; empty means 0 (what
 * sc-hsm-tool prints for a zero value). Writes out left-padded. Returns 0,
 * CUSTOS_ERR_FORMAT or CUSTOS_ERR_TOO_LARGE.
 */
int pwshare_parse_hex(const char *in, size_t len,
    unsigned char out[PWSHARE_NUM_LEN]) CUSTOS_WUR;

/*
 * Parses a share id: decimal digits (as sc-hsm-tool prints it) with
 * surrounding spaces. Returns 0, CUSTOS_ERR_FORMAT, or CUSTOS_ERR_LIMIT
 * (0 or above PWSHARE_MAX).
 */
int pwshare_parse_id(const char *in, size_t len, unsigned int *id)
    CUSTOS_WUR;

/*
 * Parses text holding one or more shares as sc-hsm-tool prints them (the
 * "Prime", "Share ID" and "Share value" lines; labels in any case and
 * spacing; other lines such as "Share 1 of 3" ignored). A share is an ID
 * line followed by a value line; it takes the last prime seen before it,
 * so the prime may be given once. Writes up to max shares to out and their
 * number to *n. Returns 0, or CUSTOS_ERR_FORMAT / CUSTOS_ERR_TOO_LARGE /
 * CUSTOS_ERR_LIMIT with *errline (1-based, when non-NULL) the offending
 * line; CUSTOS_ERR_TRUNCATED when an ID has no value line after it;
 * CUSTOS_ERR_FORMAT with *errline 0 when there is no share at all.
 */
int pwshare_parse(const char *in, size_t len, struct pwshare *out,
    size_t max, size_t *n, size_t *errline) CUSTOS_WUR;

/*
 * Formats share s as sc-hsm-tool prints share i of n: "Share i of n", two
 * blank lines, then "Prime       : " p as ':'-separated lower-case hex,
 * "Share ID    : " x in decimal and "Share value : " y likewise with its
 * leading zero bytes dropped, each line ending in '\n'. out holds
 * PWSHARE_FORMAT_MAX bytes. Returns 0 or CUSTOS_ERR_INVALID_ARG.
 */
int pwshare_format(char *out, size_t outsz, const struct pwshare *s,
    unsigned int i, unsigned int n) CUSTOS_WUR;

#endif
