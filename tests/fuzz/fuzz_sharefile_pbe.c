/*
 * fuzz_sharefile_pbe.c - libFuzzer target for the sc-hsm-tool .pbe reader:
 * pbe_parse(), then pbe_open() with a single KDF round (the real count,
 * 10,000,000 MD5 rounds, would take seconds per input).
 *
 * Checks that pbe_open() agrees with pbe_parse(), and that whatever it
 * decrypts re-encrypts to the same file (CBC with a fixed key and IV is
 * deterministic, and only a full block of padding is accepted).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "../../ceremony/sharefile_pbe.h"
#include "../../common/secmem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_pwd[] = "correct horse battery staple";

static void
check(int cond)
{
	if (!cond)
		__builtin_trap();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* pbe_open() uses secmem_alloc(), i.e. sodium_malloc(). */
	check(secmem_init() == CUSTOS_OK);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char share[32], again[PBE_FILE_LEN];
	int r, ro;

	r = pbe_parse(data, size);
	check(r == CUSTOS_OK || r == CUSTOS_ERR_FORMAT ||
	    r == CUSTOS_ERR_TRUNCATED || r == CUSTOS_ERR_TOO_LARGE);
	if (r != CUSTOS_OK) {
		/* pbe_open() must refuse it the same way, before any KDF. */
		check(pbe_open(share, data, size, fuzz_pwd,
		    sizeof(fuzz_pwd) - 1, 1) == r);
		return 0;
	}
	check(size == PBE_FILE_LEN);

	ro = pbe_open(share, data, size, fuzz_pwd, sizeof(fuzz_pwd) - 1, 1);
	check(ro == CUSTOS_OK || ro == CUSTOS_ERR_BAD_PASSPHRASE);
	if (ro == CUSTOS_OK) {
		check(pbe_seal(again, share, data + 8, fuzz_pwd,
		    sizeof(fuzz_pwd) - 1, 1) == CUSTOS_OK);
		check(memcmp(again, data, PBE_FILE_LEN) == 0);
	}
	sodium_memzero(share, sizeof(share));
	sodium_memzero(again, sizeof(again));
	return 0;
}
