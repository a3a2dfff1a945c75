/*
 * fuzz_slip39.c - libFuzzer target for slip39_mnemonic_decode(), the
 * SLIP-39 mnemonic parser that reads what custodians type.
 *
 * On every input it checks what the parser promises its callers: the
 * word named on an error is a short, printable, terminated string; a
 * decoded share has every field in range and encodes to a mnemonic that
 * decodes to the same share. Any violation traps so libFuzzer keeps it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../shamir/slip39.h"

#define INPUT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[INPUT_MAX + 1], text[SLIP39_MNEMONIC_MAX + 1];
	struct slip39_share s, s2;
	char bad[SLIP39_BAD_WORD_MAX];
	size_t pos = 12345, i, blen;
	int rc;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	memcpy(in, data, size);
	in[size] = '\0';
	memset(bad, 'x', sizeof(bad));

	rc = slip39_mnemonic_decode(in, &s, bad, sizeof(bad), &pos);
	check(rc <= 0);
	blen = strnlen(bad, sizeof(bad));
	check(blen < sizeof(bad));
	for (i = 0; i < blen; i++)
		check(bad[i] >= 0x20 && bad[i] < 0x7f);
	check(pos <= size);
	if (rc != CUSTOS_OK) {
		check(rc == CUSTOS_ERR_FORMAT || rc == CUSTOS_ERR_CORRUPT ||
		    rc == CUSTOS_ERR_UNSUPPORTED);
		/* A named word has a position, and the reverse. */
		check((blen > 0) == (pos > 0));
		return 0;
	}
	check(blen == 0 && pos == 0);
	check(s.identifier <= 0x7fff && s.extendable <= 1);
	check(s.iter_exp <= SLIP39_ITER_EXP_MAX && s.group_index <= 15);
	check(s.group_threshold >= 1 && s.group_threshold <= s.group_count);
	check(s.group_count <= SLIP39_MAX_GROUPS && s.member_index <= 15);
	check(s.member_threshold >= 1 &&
	    s.member_threshold <= SLIP39_MAX_MEMBERS);
	check(s.value_len >= SLIP39_SECRET_MIN &&
	    s.value_len <= SLIP39_SECRET_MAX && s.value_len % 2 == 0);
	for (i = s.value_len; i < SLIP39_SECRET_MAX; i++)
		check(s.value[i] == 0);

	/* Canonical form: encodes, decodes to the same share. */
	check(slip39_mnemonic_encode(&s, text, sizeof(text)) == CUSTOS_OK);
	check(slip39_mnemonic_decode(text, &s2, NULL, 0, NULL) == CUSTOS_OK);
	check(memcmp(&s, &s2, sizeof(s)) == 0);
	return 0;
}
