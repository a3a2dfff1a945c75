/*
 * fuzz_transcript.c - libFuzzer target for the transcript record parser
 * and the whole-transcript verifier (with a fixed key, so signatures fail
 * but every parsing and chaining path is exercised).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ceremony/transcript.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char pk[crypto_sign_PUBLICKEYBYTES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], seed[32];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		__builtin_trap();
	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transcript_record rec;
	struct transcript_verdict v;
	const char *why = NULL;
	int r;

	r = transcript_parse_record((const char *)data, size, &rec, &why);
	if (r == CUSTOS_OK) {
		if (rec.action == NULL || rec.actor == NULL ||
		    strlen(rec.prev) != 64 || strlen(rec.time) != 20 ||
		    rec.body_len == 0 || rec.body_len > size)
			__builtin_trap();
		transcript_record_clear(&rec);
	} else if (why == NULL) {
		__builtin_trap();
	}
	r = transcript_verify((const char *)data, size, pk, &v);
	if (r == CUSTOS_OK && (!v.ok || v.records == 0))
		__builtin_trap();
	if (r != CUSTOS_OK && v.ok)
		__builtin_trap();
	return 0;
}
