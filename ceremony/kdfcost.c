/* kdfcost.c - the Argon2id cost of new share files, fitted to the machine. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "kdfcost.h"
#include "sharefile_v1.h"

#define MIB 1024ULL
#define PROBE_KIB (128 * MIB)

static const unsigned long long candidates[] = { 1024 * MIB, 512 * MIB,
    256 * MIB };

void
kdfcost_choose(unsigned long long avail_kib, kdfcost_time_fn time_fn,
    void *arg, unsigned long long *mem_kib, unsigned long long *ops)
{
	size_t i, n = sizeof(candidates) / sizeof(candidates[0]);
	double t;

	for (i = 0; i < n; i++) {
		if (i + 1 < n && avail_kib != 0 && candidates[i] > avail_kib / 2)
			continue;	/* leave the machine half of what it has */
		t = time_fn(candidates[i], 1, arg);
		if (t < 0 || (t > 2.0 && i + 1 < n))
			continue;	/* cannot run, or one pass is too slow */
		*mem_kib = candidates[i];
		for (*ops = 1; *ops < V1_OPS_MAX; (*ops)++) {
			t = time_fn(candidates[i], *ops + 1, arg);
			if (t < 0 || t > KDFCOST_AIM)
				break;
		}
		return;
	}
	*mem_kib = V1_MEM_KIB_FLOOR;	/* never below */
	*ops = V1_OPS_DEFAULT;
}

unsigned long long
kdfcost_available_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kib = 0;
	char line[128];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

double
kdfcost_time_argon2(unsigned long long mem_kib, unsigned long long passes,
    void *arg)
{
	unsigned char out[32], salt[crypto_pwhash_SALTBYTES] = { 0 };
	struct timespec a, b;
	int r;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = crypto_pwhash(out, sizeof(out), "kdfcost", 7, salt, passes,
	    (size_t)(mem_kib * 1024), crypto_pwhash_ALG_ARGON2ID13);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (r != 0)
		return -1;
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec)
	    / 1e9;
}

/* Filling memory (allocation, first touch) and each pass cost time in
   proportion to the memory: one model from two probes. */
struct model {
	double fill, pass;	/* seconds per PROBE_KIB */
	int failed;
};

static double
modelled(unsigned long long mem_kib, unsigned long long passes, void *arg)
{
	const struct model *m = arg;

	return m->failed ? -1 : (double)mem_kib / (double)PROBE_KIB *
	    (m->fill + (double)passes * m->pass);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned long long chosen_mem, chosen_ops;

static void
measure(void)
{
	struct model m = { 0, 0, 0 };
	double t1 = kdfcost_time_argon2(PROBE_KIB, 1, NULL);
	double t3 = kdfcost_time_argon2(PROBE_KIB, 3, NULL);

	unsigned long long avail = kdfcost_available_kib();
	double t, want;
	int tries;

	if (t1 < 0 || t3 < 0) {
		m.failed = 1;
	} else {
		m.pass = t3 > t1 ? (t3 - t1) / 2 : t1;
		m.fill = t1 > m.pass ? t1 - m.pass : 0;
	}
	/* The model is checked by one real unlock of the choice: memory
	   does not always scale (page faults of a large area cost more, as
	   on this project's VM), so a choice that takes over 1.8 s (2 s
	   less a margin for a busier moment) corrects the model and is
	   chosen again. */
	for (tries = 0; tries < 4; tries++) {
		kdfcost_choose(avail, modelled, &m, &chosen_mem, &chosen_ops);
		if (m.failed || chosen_mem == V1_MEM_KIB_FLOOR)
			return;
		t = kdfcost_time_argon2(chosen_mem, chosen_ops, NULL);
		if (t >= 0 && t <= 1.8)
			return;
		want = modelled(chosen_mem, chosen_ops, &m);
		if (t < 0 || want <= 0) {
			avail = chosen_mem;	/* not this size: a smaller one */
			continue;
		}
		m.fill *= t / want;
		m.pass *= t / want;
	}
}

void
kdfcost_default(unsigned long long *mem_kib, unsigned long long *ops)
{
	(void)pthread_once(&once, measure);
	*mem_kib = chosen_mem;
	*ops = chosen_ops;
}
