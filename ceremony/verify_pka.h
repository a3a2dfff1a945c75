/*
 * verify_pka.h - the audit rule of public key authentication: on a
 * device that uses it (an hsm.init with pka_required, or any pka.*
 * record naming its required count), every operation that uses a key
 * (generate, delete, wrap, unwrap, sign, back up, restore, import, key
 * domains) must come after the quorum was reached: the last accepted
 * pka.authenticate of that device reports at least the required count,
 * counted up one key at a time, no key twice. Fed one record at a time
 * by ceremony_verify().
 */
#ifndef CUSTOS_VERIFY_PKA_H
#define CUSTOS_VERIFY_PKA_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"

struct pka_rules;

/* A new, empty state; NULL when out of memory. */
struct pka_rules *pka_rules_new(void);

/* Frees r; accepts NULL. */
void pka_rules_free(struct pka_rules *r);

/* Takes record n. Returns 0, or CUSTOS_ERR_CORRUPT with why. */
int pka_rules_record(struct pka_rules *r, long n, const char *action,
    json_t *facts, char *why, size_t whysz) CUSTOS_WUR;

#endif
