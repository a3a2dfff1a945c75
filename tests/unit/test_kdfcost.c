/*
 * test_kdfcost.c - the Argon2id cost of new share files: memory from what
 * the machine has available and how fast it fills, passes from the time
 * of a pass (a fake timer here, so every branch is taken whatever this
 * machine is), and the real measurement, taken once per process.
 */
#include "testutil.h"

#include <sodium.h>

#include "../../ceremony/kdfcost.h"
#include "../../ceremony/sharefile_v1.h"

#define MIB 1024ULL
#define GIB (1024ULL * MIB)

/* A machine where filling a GiB takes fill s and a pass over it pass s,
   in proportion to memory; memory above fail_above cannot be had. */
struct fake {
	double fill, pass;
	unsigned long long fail_above;
};

static double
fake_time(unsigned long long mem_kib, unsigned long long passes, void *arg)
{
	const struct fake *f = arg;

	if (f->fail_above != 0 && mem_kib > f->fail_above)
		return -1;
	return (double)mem_kib / (double)GIB * (f->fill + (double)passes *
	    f->pass);
}

static void
pick(unsigned long long avail, double fill, double pass,
    unsigned long long fail, unsigned long long want_mem,
    unsigned long long want_ops)
{
	struct fake f = { fill, pass, fail };
	unsigned long long mem = 0, ops = 0;
	double t;

	kdfcost_choose(avail, fake_time, &f, &mem, &ops);
	assert_int_equal(mem, want_mem);
	assert_int_equal(ops, want_ops);
	t = fake_time(mem, ops, &f);
	/* within the aim, and one more pass would not be (unless capped) */
	if (fake_time(mem, 1, &f) <= KDFCOST_AIM && fail != 1) {
		assert_true(t <= KDFCOST_AIM + 1e-9);
		assert_true(ops == V1_OPS_MAX ||
		    fake_time(mem, ops + 1, &f) > KDFCOST_AIM);
	}
}

static void
test_choose(void **state)
{
	(void)state;
	/* plenty of memory; a GiB filled in 0.4 s, a pass over it 0.3 s:
	   1 GiB, 3 passes (1.3 s; 4 would be 1.6 s, over the aim) */
	pick(16 * GIB, 0.4, 0.3, 0, GIB, 3);
	/* passes are cheap (0.12 s): 9 passes (1.48 s) */
	pick(16 * GIB, 0.4, 0.12, 0, GIB, 9);
	/* a slow machine, 1.5 s for one pass with its fill: one pass */
	pick(16 * GIB, 0.9, 0.6, 0, GIB, 1);
	/* 1 GiB cannot be filled and passed in 2 s (2.4 s): 512 MiB, one
	   pass is 1.2 s, two would be 1.6 s: one pass */
	pick(16 * GIB, 1.6, 0.8, 0, 512 * MIB, 1);
	/* 1.5 GiB available: 1 GiB would leave less than half; 512 MiB */
	pick(1536 * MIB, 0.4, 0.3, 0, 512 * MIB, 8);
	/* 600 MiB available: 256 MiB */
	pick(600 * MIB, 0.4, 0.3, 0, 256 * MIB, 18);
	/* very little available: never below 256 MiB */
	pick(100 * MIB, 0.4, 0.3, 0, 256 * MIB, 18);
	/* 1 GiB cannot be had (allocation fails): 512 MiB */
	pick(16 * GIB, 0.4, 0.3, 600 * MIB, 512 * MIB, 8);
	/* nothing can run at all: the floor and the default passes */
	pick(16 * GIB, 0.4, 0.3, 1, V1_MEM_KIB_FLOOR, V1_OPS_DEFAULT);
	/* unknown available memory (0): the timer decides */
	pick(0, 0.4, 0.3, 0, GIB, 3);
	/* an absurdly fast machine: capped passes */
	pick(16 * GIB, 0.001, 0.001, 0, GIB, V1_OPS_MAX);
}

static void
test_available(void **state)
{
	(void)state;
	/* Linux says it; it is at most the machine's memory */
	assert_true(kdfcost_available_kib() > 0);
}

static void
test_default_here(void **state)
{
	unsigned long long mem = 0, ops = 0, mem2 = 0, ops2 = 0;

	(void)state;
	kdfcost_default(&mem, &ops);
	assert_true(mem == GIB || mem == 512 * MIB || mem == 256 * MIB);
	assert_true(ops >= 1 && ops <= V1_OPS_MAX);
	kdfcost_default(&mem2, &ops2);	/* measured once, then kept */
	assert_int_equal(mem, mem2);
	assert_int_equal(ops, ops2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_available),
		cmocka_unit_test(test_default_here),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
