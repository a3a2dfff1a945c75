/*
 * pwpolicy.h - is a passphrase strong enough to protect a DKEK share?
 * Pure logic: no I/O, usable by the CLI and the TUI alike.
 */
#ifndef CUSTOS_PWPOLICY_H
#define CUSTOS_PWPOLICY_H

#include <stddef.h>

/* Minimum estimated strength for a custos v1 share file, in bits. */
#define PWPOLICY_MIN_BITS 64
/* Minimum length for a custos v1 share file, in bytes. */
#define PWPOLICY_MIN_LEN 12
/* sc-hsm-tool's own minimum for its .pbe files (strlen < 6 refused). */
#define PWPOLICY_LEGACY_MIN_LEN 6

/*
 * Conservative strength estimate of pw[0..len) in bits: per character the
 * log2 of the alphabet its character classes span, with repeated
 * characters, runs (abc, 321) and keyboard rows counted as nearly free.
 */
double pwpolicy_estimate_bits(const char *pw, size_t len);

/*
 * Checks pw against the policy (legacy selects sc-hsm-tool's). Returns
 * NULL when acceptable, else a static one-line reason.
 */
const char *pwpolicy_check(const char *pw, size_t len, int legacy);

#endif
