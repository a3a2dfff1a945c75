/*
 * fuzz_emu.c - libFuzzer target for the emulated SmartCard-HSM: the input
 * is a sequence of command APDUs, each with a 2-byte big-endian length
 * prefix (a zero length is a card reset), sent in order to one fresh
 * volatile device, so that select/initialize/verify/import/generate
 * sequences reach the deep commands. The emulator must never crash or
 * leak, must always answer with a status word, and must send no data with
 * an error.
 *
 * RSA key generation is skipped (an APDU with INS 46 naming the RSA OID is
 * not sent): a 4096-bit key takes seconds and would stall the fuzzer; RSA
 * operations are covered by tests/unit/test_emu.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../cards/emu/emu.h"
#include "../../common/secmem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_APDUS 48

static uint8_t rsp[65538 + 16];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (secmem_init() != 0)
		__builtin_trap();
	return 0;
}

/* Does cmd[0..n) ask for an RSA key pair? */
static int
rsa_keygen(const uint8_t *cmd, size_t n)
{
	static const uint8_t oid[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02,
	    0x02, 0x02, 0x01 };
	size_t i;

	if (n < 2 || cmd[1] != 0x46)
		return 0;
	for (i = 0; i + sizeof(oid) <= n; i++)
		if (memcmp(cmd + i, oid, sizeof(oid)) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu *e = NULL;
	size_t off = 0, n, rl;
	unsigned count = 0;
	uint16_t sw;

	if (emu_open_volatile(&e) != 0)
		__builtin_trap();
	while (off + 2 <= size && count++ < MAX_APDUS) {
		n = (size_t)((data[off] << 8) | data[off + 1]);
		off += 2;
		if (n > size - off)
			n = size - off;
		if (n == 0) {
			emu_reset(e);
			continue;
		}
		if (!rsa_keygen(data + off, n)) {
			rl = 0;
			/* A volatile device saves nothing: never an error. */
			if (emu_process(e, data + off, n, rsp, sizeof(rsp),
			    &rl) != 0 || rl < 2 || rl > sizeof(rsp))
				__builtin_trap();
			sw = (uint16_t)((rsp[rl - 2] << 8) | rsp[rl - 1]);
			if (rl > 2 && (sw & 0xff00) != 0x9000 &&
			    (sw & 0xff00) != 0x6100 && sw != 0x6282)
				__builtin_trap();
		}
		off += n;
	}
	emu_free(e);
	return 0;
}
