/*
 * fuzz_sharefile_v1.c - libFuzzer target for v1_parse(), the custos v1
 * share file parser. Parsing only: v1_open() would run Argon2id on every
 * input that parses, far too slow for a fuzzer.
 *
 * On a successful parse it checks what the parser promises its callers;
 * any violation traps so that libFuzzer keeps the input.
 */
#define _GNU_SOURCE		/* memmem */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ceremony/sharefile_v1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* Bounded strlen: the field must be NUL-terminated within its array. */
static size_t
field_len(const char *s, size_t sz)
{
	const char *nul = memchr(s, '\0', sz);

	check(nul != NULL);
	return (size_t)(nul - s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct v1_header h, h2;
	unsigned char ct[V1_CT_LEN];
	int r, r2;

	r = v1_parse((const char *)data, size, &h, ct);
	/* The ciphertext is optional; the result must not depend on it. */
	r2 = v1_parse((const char *)data, size, &h2, NULL);
	check(r == r2);
	check(r <= 0);
	if (r != CUSTOS_OK)
		return 0;

	check(memcmp(&h, &h2, sizeof(h)) == 0);
	check(size <= V1_FILE_MAX);

	/* Label: non-empty, and a text the writer would accept. */
	check(field_len(h.label, sizeof(h.label)) > 0);
	check(v1_check_text(h.label, V1_LABEL_MAX) == NULL);
	/* Created: exactly YYYY-MM-DDTHH:MM:SSZ. */
	check(field_len(h.created, sizeof(h.created)) == 20);
	check(h.created[4] == '-' && h.created[10] == 'T' &&
	    h.created[19] == 'Z');
	/* Optional fields: absent, or valid text. */
	if (field_len(h.ceremony, sizeof(h.ceremony)) > 0)
		check(v1_check_text(h.ceremony, V1_CEREMONY_MAX) == NULL);
	if (field_len(h.comment, sizeof(h.comment)) > 0)
		check(v1_check_text(h.comment, V1_COMMENT_MAX) == NULL);
	/* KDF cost within what a reader accepts (v1_open trusts this). */
	check(h.opslimit >= V1_OPS_MIN && h.opslimit <= V1_OPS_MAX);
	check(h.mem_kib >= V1_MEM_KIB_MIN && h.mem_kib <= V1_MEM_KIB_MAX);
	/* v1_open() locates the associated data by this line. */
	check(memmem(data, size, "\nData-1: ", 9) != NULL);
	return 0;
}
