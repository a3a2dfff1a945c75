/* test_utctime.c - the one UTC timestamp form custos writes and accepts. */
#include "testutil.h"

#include <time.h>

#include "../../common/utctime.h"

static void
test_now_is_valid_and_current(void **state)
{
	char now[UTCTIME_LEN + 1], want[UTCTIME_LEN + 1];
	time_t t = time(NULL);
	struct tm tm;

	(void)state;
	utctime_now(now);
	assert_int_equal(strlen(now), UTCTIME_LEN);
	assert_true(utctime_valid(now));
	gmtime_r(&t, &tm);
	strftime(want, sizeof(want), "%Y-%m-%dT", &tm);
	assert_memory_equal(now, want, 11);	/* same UTC day (almost always) */
}

static void
test_shapes(void **state)
{
	(void)state;
	assert_true(utctime_valid("2026-11-23T12:00:00Z"));
	assert_false(utctime_valid("2026-11-23T12:00:00"));
	assert_false(utctime_valid("2026-11-23 12:00:00Z"));
	assert_false(utctime_valid("2026-11-23T12:00:00+00:00"));
	assert_false(utctime_valid("2026-1a-23T12:00:00Z"));
	assert_false(utctime_valid(""));
	assert_false(utctime_valid("2026-11-23T12:00:00Zx"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now_is_valid_and_current),
		cmocka_unit_test(test_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
