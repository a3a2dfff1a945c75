/*
 * keyfacts.h - how a key and a backup set's keys appear in transcript
 * facts, shared by the CLI commands and the ceremony walk so that the
 * audit rules (verify_keys.c) read one shape.
 */
#ifndef CUSTOS_KEYFACTS_H
#define CUSTOS_KEYFACTS_H

#include <jansson.h>

struct sc_hsm_key;
struct backup_manifest;
struct backup_outcome;

/* Adds ref, label, id, kind, pubkey_sha256 and pubkey (base64 DER) of k. */
void keyfacts_add(json_t *facts, const struct sc_hsm_key *k);

/* The keys of a manifest: ref, label, kind, pubkey_sha256, file_sha256. */
json_t *keyfacts_manifest(const struct backup_manifest *m);

/* The keys a set could not hold: ref, label, reason. */
json_t *keyfacts_skipped(const struct backup_manifest *m);

/* The outcome of each key of a restore, as backup.restore records it. */
json_t *keyfacts_restore(const struct backup_manifest *m,
    const struct backup_outcome *out);

#endif
