/*
 * ledger.h - what the engine remembers between runs: the records of a
 * ceremony's transcript, or, outside a ceremony, a small journal per
 * device serial (JSON Lines in the state directory, unsigned). The engine
 * asks it which intents are open, which shares went into a device since
 * its last initialization, and what a plan step has done.
 *
 * Records are kept in memory as JSON objects {seq, action, actor, facts}.
 * The transcript's records are appended by ceremony.c (signed); the
 * ledger only mirrors them (ledger_add). A journal is appended here.
 */
#ifndef CUSTOS_LEDGER_H
#define CUSTOS_LEDGER_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"

struct ledger;

/*
 * Loads the records of the transcript of the ceremony in dir (already
 * verified by the caller; a partial last line is left out). Returns 0,
 * CUSTOS_ERR_CORRUPT, or an I/O error.
 */
int ledger_from_transcript(struct ledger **l, const char *dir) CUSTOS_WUR;

/*
 * Parses records from buf[0..len) (whole transcript lines; a partial last
 * line is left out). No I/O: safe to fuzz. Returns 0 or
 * CUSTOS_ERR_CORRUPT.
 */
int ledger_parse_transcript(struct ledger **l, const char *buf, size_t len)
    CUSTOS_WUR;

/*
 * Opens (creating it and its directory, mode 0700) the journal of the
 * device serial: $CUSTOS_STATE_DIR/journal, else
 * $XDG_STATE_HOME/custos/journal, else ~/.local/state/custos/journal;
 * for an emulated device, the journal directory beside its state
 * (emu_dir()/journal), so that it goes with the device. serial must be
 * 1-16 of [A-Za-z0-9]. Returns 0, CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_CORRUPT
 * (a line in the middle does not parse), or an I/O error.
 */
int ledger_open_journal(struct ledger **l, const char *serial, int emulated)
    CUSTOS_WUR;

/*
 * Parses a journal from buf[0..len) (JSON Lines; a partial last line is
 * left out). No I/O: safe to fuzz. Returns 0 or CUSTOS_ERR_CORRUPT.
 */
int ledger_parse_journal(struct ledger **l, const char *buf, size_t len)
    CUSTOS_WUR;

/* Frees; accepts NULL. */
void ledger_free(struct ledger *l);

/* Non-zero for a device journal. */
int ledger_is_journal(const struct ledger *l);

/*
 * Appends a record to a journal (fsynced before it returns; a partial
 * last line a crash left is cut first). facts is borrowed. *seq (may be
 * NULL) gets its number. Returns 0 or an I/O error.
 */
int ledger_journal_append(struct ledger *l, const char *actor,
    const char *action, json_t *facts, unsigned long long *seq) CUSTOS_WUR;

/* Mirrors a record the transcript took (facts borrowed). */
int ledger_add(struct ledger *l, unsigned long long seq, const char *actor,
    const char *action, json_t *facts) CUSTOS_WUR;

/* Number of records; record i as {seq, action, actor, facts} (borrowed). */
size_t ledger_count(const struct ledger *l);
json_t *ledger_get(const struct ledger *l, size_t i);

/* The record with number seq, or NULL. */
json_t *ledger_find_seq(const struct ledger *l, unsigned long long seq);

/* Whether a later record completes intent seq (names it in "intent"). */
int ledger_intent_done(const struct ledger *l, unsigned long long seq);

/*
 * The open intents (records "intent" that no later record names), in
 * order, as a new array of borrowed records (json_decref it).
 */
json_t *ledger_open_intents(const struct ledger *l);

/*
 * The shares imported into key domain domain (-1: none named, the DKEK)
 * of the device serial since its last initialization (or that domain's
 * creation or deletion) in this ledger: their fingerprints, in order,
 * into a new array *fprs. *init_known: whether the ledger saw that start
 * (0: the device was set up elsewhere, the list is what the ledger saw).
 * Returns the count.
 */
size_t ledger_device_shares(const struct ledger *l, const char *serial,
    int domain, json_t **fprs, int *init_known);

/* The first record of action for plan step step after record index
   from (0: any), or NULL. */
json_t *ledger_step_record(const struct ledger *l, const char *step,
    const char *action);

#endif
