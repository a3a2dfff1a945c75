/*
 * fuzz_ledger.c - libFuzzer target for what the engine reads back before
 * it acts: a device's journal (one JSON record per line) and the records
 * of a transcript, then every question the engine asks of them (open
 * intents, the shares a device holds, a step's record).
 */
#include <stddef.h>
#include <stdint.h>

#include "../../ceremony/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ask(struct ledger *l)
{
	json_t *fprs = NULL, *open;
	size_t i, n = ledger_count(l);
	int known = 0;

	for (i = 0; i < n; i++)
		(void)ledger_get(l, i);
	(void)ledger_find_seq(l, 0);
	(void)ledger_find_seq(l, 3);
	(void)ledger_intent_done(l, 1);
	open = ledger_open_intents(l);
	json_decref(open);
	(void)ledger_device_shares(l, "DENK0100001", -1, &fprs, &known);
	json_decref(fprs);
	(void)ledger_device_shares(l, "DENK0100001", 1, &fprs, &known);
	json_decref(fprs);
	(void)ledger_step_record(l, "hsm-import-1", "hsm.import-share");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ledger *l = NULL;

	if (ledger_parse_journal(&l, (const char *)data, size) == CUSTOS_OK) {
		ask(l);
		ledger_free(l);
	}
	l = NULL;
	if (ledger_parse_transcript(&l, (const char *)data, size) ==
	    CUSTOS_OK) {
		ask(l);
		ledger_free(l);
	}
	return 0;
}
