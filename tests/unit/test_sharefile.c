/*
 * test_sharefile.c - share files as whole files: detection of either
 * format, round trips, never overwriting, and what is not a share file.
 */
#include "testutil.h"

#include <sodium.h>
#include <sys/stat.h>

#include "../../ceremony/sharefile.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	testutil_tmpdir(dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testutil_rmtree(dir);
	return 0;
}

static void
path_in(char *out, const char *name)
{
	snprintf(out, 128, "%s/%s", dir, name);
}

static void
fast_header(struct v1_header *h, const char *label)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->label, sizeof(h->label), "%s", label);
	h->opslimit = 1;
	h->mem_kib = 8192;
}

static void
test_roundtrip_both_formats(void **state)
{
	unsigned char share[32], got[32];
	struct sharefile_info info;
	struct v1_header h;
	char p[128], q[128];

	(void)state;
	randombytes_buf(share, 32);
	path_in(p, "a.share");
	fast_header(&h, "alice");
	assert_int_equal(sharefile_create(p, SHAREFILE_V1, share,
	    (const unsigned char *)"pw", 2, &h, 1), CUSTOS_OK);
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_OK);
	assert_int_equal(info.format, SHAREFILE_V1);
	assert_string_equal(info.v1.label, "alice");
	assert_int_equal(sharefile_open(p, got, (const unsigned char *)"pw", 2,
	    1, &info), CUSTOS_OK);
	assert_memory_equal(got, share, 32);

	path_in(q, "a.pbe");
	assert_int_equal(sharefile_create(q, SHAREFILE_PBE, share,
	    (const unsigned char *)"pwpwpw", 6, NULL, 1), CUSTOS_OK);
	assert_int_equal(sharefile_inspect(q, &info), CUSTOS_OK);
	assert_int_equal(info.format, SHAREFILE_PBE);
	memset(got, 0, 32);
	assert_int_equal(sharefile_open(q, got, (const unsigned char *)
	    "pwpwpw", 6, 1, &info), CUSTOS_OK);
	assert_memory_equal(got, share, 32);
	assert_int_equal(sharefile_open(q, got, (const unsigned char *)
	    "pwpwpx", 6, 1, &info), CUSTOS_ERR_BAD_PASSPHRASE);
}

static void
test_never_overwrites(void **state)
{
	unsigned char share[32];
	struct v1_header h;
	struct stat before, after;
	char p[128];
	FILE *f;

	(void)state;
	randombytes_buf(share, 32);
	path_in(p, "taken");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	assert_int_equal(stat(p, &before), 0);
	fast_header(&h, "bob");
	assert_int_equal(sharefile_create(p, SHAREFILE_V1, share,
	    (const unsigned char *)"pw", 2, &h, 1), CUSTOS_ERR_EXISTS);
	assert_int_equal(sharefile_create(p, SHAREFILE_PBE, share,
	    (const unsigned char *)"pwpwpw", 6, NULL, 1), CUSTOS_ERR_EXISTS);
	assert_int_equal(stat(p, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_ino, after.st_ino);
}

static void
test_not_share_files(void **state)
{
	struct sharefile_info info;
	char p[128];
	FILE *f;

	(void)state;
	path_in(p, "empty");
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_ERR_FORMAT);
	path_in(p, "text");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("just some notes\n", f);
	fclose(f);
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_ERR_FORMAT);
	path_in(p, "big");
	f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)
		fputc('x', f);
	fclose(f);
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_ERR_TOO_LARGE);
	path_in(p, "absent");
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(sharefile_inspect(dir, &info), CUSTOS_ERR_FORMAT);
	/* A .pbe prefix is a truncated .pbe, not "unknown". */
	path_in(p, "short.pbe");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("Salted__1234", f);
	fclose(f);
	assert_int_equal(sharefile_inspect(p, &info), CUSTOS_ERR_TRUNCATED);
	assert_string_equal(sharefile_format_name(SHAREFILE_V1), "custos v1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_both_formats),
		cmocka_unit_test(test_never_overwrites),
		cmocka_unit_test(test_not_share_files),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
