/*
 * fuzz_backup_manifest.c - libFuzzer target for the backup manifest
 * parser: random bytes must be refused or parsed, and what parses must
 * dump and parse again to the same manifest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ceremony/backup_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct backup_manifest m, m2;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	char *out = NULL;
	size_t len = 0, i;

	if (backup_manifest_parse((const char *)data, size, &m, &why) != 0) {
		if (why == NULL)
			__builtin_trap();
		return 0;
	}
	if (m.nkeys > BACKUP_MAX_KEYS || m.nskipped > BACKUP_MAX_KEYS)
		__builtin_trap();
	if (backup_manifest_dump(&m, &out, &len) != 0)
		__builtin_trap();
	if (backup_manifest_parse(out, len, &m2, &why) != 0 ||
	    m2.nkeys != m.nkeys || m2.nskipped != m.nskipped ||
	    strcmp(m2.kcv, m.kcv) != 0 || strcmp(m2.serial, m.serial) != 0)
		__builtin_trap();
	for (i = 0; i < m.nkeys; i++)
		if (memcmp(&m.keys[i], &m2.keys[i], sizeof(m.keys[i])) != 0)
			__builtin_trap();
	free(out);
	return 0;
}
