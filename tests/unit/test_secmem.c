/* test_secmem.c - guarded memory, comparison, randomness, hardening. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "testutil.h"

#include "../../common/secmem.h"

static int
all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int
group_setup(void **state)
{
	(void)state;
	return secmem_init() == CUSTOS_OK ? 0 : -1;
}

/* Memory comes back zeroed (sodium_malloc alone fills it with 0xdb). */
static void
test_alloc_zeroed(void **state)
{
	const size_t sizes[] = { 1, 7, 16, 32, 33, 4095, 4096, 4097, 65536 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = secmem_alloc(sizes[i]);

		assert_non_null(p);
		assert_true(all_zero(p, sizes[i]));
		memset(p, 0xa5, sizes[i]);	/* all of it is writable */
		secmem_free(p);
	}
}

static void
test_alloc_zero_len(void **state)
{
	void *p;

	(void)state;
	p = secmem_alloc(0);
	assert_non_null(p);
	secmem_free(p);
}

static void
test_free_null(void **state)
{
	(void)state;
	secmem_free(NULL);
	secmem_wipe(NULL, 0);
	secmem_wipe(NULL, 16);
}

static void
test_wipe(void **state)
{
	unsigned char buf[64];

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	secmem_wipe(buf, 0);
	assert_int_equal(buf[0], 0x5a);
	secmem_wipe(buf, 32);
	assert_true(all_zero(buf, 32));
	assert_int_equal(buf[32], 0x5a);
	assert_int_equal(buf[63], 0x5a);
}

static void
test_equal(void **state)
{
	unsigned char a[48], b[48];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(secmem_equal(a, b, sizeof(a)), 0);
	assert_int_equal(secmem_equal(a, a, sizeof(a)), 0);
	/* A length of 0 compares nothing: equal. */
	b[0] ^= 1;
	assert_int_equal(secmem_equal(a, b, 0), 0);
	b[0] ^= 1;
	/*
	 * A difference at any position, in either direction, gives exactly
	 * -1: no memcmp-style ordering that leaks where or how they differ.
	 */
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		assert_int_equal(secmem_equal(a, b, sizeof(a)), -1);
		assert_int_equal(secmem_equal(b, a, sizeof(a)), -1);
		/* Only the first i+1 bytes compared: still sees it. */
		assert_int_equal(secmem_equal(a, b, i + 1), -1);
		/* Only the first i bytes compared: does not. */
		assert_int_equal(secmem_equal(a, b, i), 0);
		b[i] ^= 0x80;
	}
	memset(b, 0, sizeof(b));
	assert_int_equal(secmem_equal(a, b, sizeof(a)), -1);
}

static void
test_random(void **state)
{
	unsigned char a[64], b[64];

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	secmem_random(a, sizeof(a));
	secmem_random(b, sizeof(b));
	assert_false(all_zero(a, sizeof(a)));
	assert_false(all_zero(b, sizeof(b)));
	assert_memory_not_equal(a, b, sizeof(a));
	secmem_random(a, 0);	/* a no-op, must not crash */
}

static void
test_harden_process(void **state)
{
	struct rlimit rl;
	mode_t old;

	(void)state;
	/* Start from the opposite of each hardened setting where we can. */
	(void)umask(022);
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);

	assert_int_equal(secmem_harden_process(), CUSTOS_OK);

	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_true(rl.rlim_cur == 0);
	assert_true(rl.rlim_max == 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	old = umask(077);
	assert_int_equal(old, 077);
	/* Idempotent: a second call succeeds too. */
	assert_int_equal(secmem_harden_process(), CUSTOS_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed),
		cmocka_unit_test(test_alloc_zero_len),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_random),
		/* Last: it changes this process for good. */
		cmocka_unit_test(test_harden_process),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
