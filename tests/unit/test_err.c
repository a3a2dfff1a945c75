/* test_err.c - error messages and the errno mapping. */
#include <errno.h>

#include "testutil.h"

#include "../../common/err.h"

#define FIRST_CODE CUSTOS_ERR_QUIT	/* the most negative code */

/* Every code from CUSTOS_OK down to the last has a message of its own. */
static void
test_strerror_distinct(void **state)
{
	int i, j;

	(void)state;
	for (i = CUSTOS_OK; i >= FIRST_CODE; i--) {
		const char *m = custos_strerror(i);

		assert_non_null(m);
		assert_true(strlen(m) > 0);
		assert_string_not_equal(m, "unknown error");
		assert_null(strchr(m, '\n'));
		for (j = i - 1; j >= FIRST_CODE; j--)
			assert_string_not_equal(m, custos_strerror(j));
	}
}

/* Codes outside the list give a message too, never NULL. */
static void
test_strerror_unknown(void **state)
{
	const int bad[] = { 1, FIRST_CODE - 1, -1000, 12345 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *m = custos_strerror(bad[i]);

		assert_non_null(m);
		assert_string_equal(m, "unknown error");
	}
}

static void
test_from_errno(void **state)
{
	(void)state;
	assert_int_equal(custos_err_from_errno(ENOENT), CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(custos_err_from_errno(ENOTDIR), CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(custos_err_from_errno(EEXIST), CUSTOS_ERR_EXISTS);
	assert_int_equal(custos_err_from_errno(ENOSPC), CUSTOS_ERR_NO_SPACE);
	assert_int_equal(custos_err_from_errno(EDQUOT), CUSTOS_ERR_NO_SPACE);
	assert_int_equal(custos_err_from_errno(EACCES), CUSTOS_ERR_PERMISSION);
	assert_int_equal(custos_err_from_errno(EPERM), CUSTOS_ERR_PERMISSION);
	assert_int_equal(custos_err_from_errno(EROFS), CUSTOS_ERR_PERMISSION);
	assert_int_equal(custos_err_from_errno(ENOMEM), CUSTOS_ERR_NOMEM);
	assert_int_equal(custos_err_from_errno(EFBIG), CUSTOS_ERR_TOO_LARGE);
}

/* Anything else is a plain I/O error - and never success. */
static void
test_from_errno_default(void **state)
{
	const int other[] = { EIO, EINVAL, EBADF, ELOOP, EISDIR, EINTR, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(custos_err_from_errno(other[i]), CUSTOS_ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_distinct),
		cmocka_unit_test(test_strerror_unknown),
		cmocka_unit_test(test_from_errno),
		cmocka_unit_test(test_from_errno_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
