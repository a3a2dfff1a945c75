/*
 * verify_keys.h - the audit rules about keys: a ceremony has one DKEK, so
 * every KCV its share imports, backups, wraps, restores and imports
 * record must be the same; and every key a restore (backup restore or
 * hsm unwrap) attempted on a device must end with a successful proof on
 * that device (a failed attempt followed by a proven rerun is fine). Fed
 * one record at a time by ceremony_verify().
 */
#ifndef CUSTOS_VERIFY_KEYS_H
#define CUSTOS_VERIFY_KEYS_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"

struct key_rules;

/* A new, empty state; NULL when out of memory. */
struct key_rules *key_rules_new(void);

/* Frees r; accepts NULL. */
void key_rules_free(struct key_rules *r);

/*
 * Takes record n (action and facts). Returns 0, or CUSTOS_ERR_CORRUPT
 * with why (one line) when it breaks the one-DKEK rule.
 */
int key_rules_record(struct key_rules *r, long n, const char *action,
    json_t *facts, char *why, size_t whysz) CUSTOS_WUR;

/*
 * After the last record: CUSTOS_ERR_CORRUPT with *bad the record of the
 * last failed attempt and why, when a restored key was never proven.
 */
int key_rules_finish(struct key_rules *r, long *bad, char *why,
    size_t whysz) CUSTOS_WUR;

#endif
