/* testutil.h - shared helpers for the cmocka unit tests. */
#ifndef CUSTOS_TESTUTIL_H
#define CUSTOS_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Makes a fresh private temporary directory; path must hold 64 bytes. */
static inline void
testutil_tmpdir(char *path)
{
	snprintf(path, 64, "/tmp/custos-test-XXXXXX");
	assert_non_null(mkdtemp(path));
}

/* Removes a temporary directory and what is in it. */
static inline void
testutil_rmtree(const char *path)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

#endif
