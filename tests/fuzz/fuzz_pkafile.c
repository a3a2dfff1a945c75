/*
 * fuzz_pkafile.c - libFuzzer target for the .pka reader (cards/pkafile.c):
 * both forms parse with every pointer inside the input, a parsed file's
 * chain check never crashes, and what parses rebuilds (sc-hsm-tool's
 * form) into a file that parses to the same three parts.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../cards/pkafile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
inside(const uint8_t *p, size_t n, const uint8_t *d, size_t size)
{
	return p >= d && n <= size && (size_t)(p - d) <= size - n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkafile f, g;
	struct pka_facts x;
	struct tlv_buf b, chain;

	if (pkafile_parse(data, size, &f) != 0)
		return 0;
	if (!inside(f.req, f.req_len, data, size) ||
	    !inside(f.dev, f.dev_len, data, size) ||
	    !inside(f.dica, f.dica_len, data, size))
		__builtin_trap();
	if (pkafile_verify(&f, &x) == 0)
		pka_facts_clear(&x);
	tlv_init(&b);
	tlv_init(&chain);
	tlv_raw(&chain, f.dev, f.dev_len);
	tlv_raw(&chain, f.dica, f.dica_len);
	if (tlv_error(&chain) == 0 && pkafile_build(f.req, f.req_len,
	    chain.p, chain.len, &b) == 0) {
		if (pkafile_parse(b.p, b.len, &g) != 0 ||
		    g.req_len != f.req_len || g.dev_len != f.dev_len ||
		    g.dica_len != f.dica_len ||
		    memcmp(g.req, f.req, f.req_len) != 0)
			__builtin_trap();
	}
	tlv_free(&b);
	tlv_free(&chain);
	return 0;
}
