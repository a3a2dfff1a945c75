/*
 * tests/bench/kdf/main.c - what unlocking one share file costs: a custos v1
 * file with the Argon2id parameters new share files get on this machine
 * (kdfcost_default()) against a legacy sc-hsm-tool .pbe (PBE_ITERATIONS
 * rounds of MD5), in the same run on the same machine; then what a guess
 * costs an attacker per second a custodian waits (MiB x passes / s),
 * against libsodium's one-lane ceiling measured here.
 *
 * Every unlock runs in a fresh fork()ed child that does one open and
 * exits, so its memory starts cold and its peak RSS (wait4's ru_maxrss) is
 * that of one unlock. The parent times fork..wait4 with CLOCK_MONOTONIC,
 * so each time includes the fork and exit; an empty child is measured
 * first to show that overhead and the baseline RSS. The files themselves
 * are sealed in children too, so the parent stays small when it forks.
 *
 * Usage: kdf [V1_RUNS [LEGACY_RUNS]]	(defaults 7 and 3)
 * Exits 0 whether or not the target is met; 1 when something fails.
 */
#define _GNU_SOURCE		/* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <sodium.h>

#include "../../../ceremony/dkek.h"
#include "../../../ceremony/kdfcost.h"
#include "../../../ceremony/sharefile_pbe.h"
#include "../../../ceremony/sharefile_v1.h"
#include "../../../common/err.h"
#include "../../../common/secmem.h"

#define RUNS_MAX 100
#define TARGET_SECS 2.0
#define TARGET_MIB 256.0

/* Not a secret: a fixed benchmark passphrase. */
static const unsigned char bench_pwd[] = "correct horse battery staple";

enum bench_kind { BENCH_V1, BENCH_PBE };

/* A sealed file, as the unlocking children see it. */
struct sealed {
	enum bench_kind kind;
	char buf[V1_FILE_MAX + 1];	/* NUL-terminated */
	size_t len;
	unsigned char fpr[DKEK_FPR_LEN];
};

struct sample {
	double secs;		/* wall, fork..wait4 */
	double cpu;		/* child's user + system */
	double rss_mib;		/* child's peak RSS */
};

/* What a child runs: returns 0 on success. */
typedef int (*child_fn)(const void *arg);

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn(arg) in a new child and measures it; 0 or -1. */
static int
measure(struct sample *s, child_fn fn, const void *arg)
{
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int st;

	fflush(NULL);		/* nothing buffered may be written twice */
	t0 = mono_now();
	if ((pid = fork()) == -1) {
		fprintf(stderr, "kdf: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(fn(arg) == 0 ? 0 : 1);
	while (wait4(pid, &st, 0, &ru) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "kdf: wait4: %s\n", strerror(errno));
			return -1;
		}
	}
	t1 = mono_now();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "kdf: child failed (status 0x%x)\n", st);
		return -1;
	}
	s->secs = t1 - t0;
	s->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	s->rss_mib = (double)ru.ru_maxrss / 1024.0;	/* KiB on Linux */
	return 0;
}

static int
child_empty(const void *arg)
{
	(void)arg;
	return 0;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const unsigned char *b = p;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, b, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What new share files use on this machine (kdfcost_default()), set in
   main() before any child is forked. */
static unsigned long long fit_mem, fit_ops;

struct seal_job {
	enum bench_kind kind;
	int fd;			/* gets fpr, then the file */
};

/* Child: a new random share sealed into a file of the given kind. */
static int
child_seal(const void *arg)
{
	const struct seal_job *job = arg;
	struct v1_header h;
	unsigned char fpr[DKEK_FPR_LEN], salt[PBE_SALT_LEN];
	unsigned char pbe[PBE_FILE_LEN], *share;
	char *text = NULL;
	size_t len = 0;
	int r;

	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return -1;
	dkek_share_generate(share, NULL, 0);
	dkek_share_fingerprint(fpr, share);
	if (job->kind == BENCH_V1) {
		memset(&h, 0, sizeof(h));
		snprintf(h.label, sizeof(h.label), "bench");
		h.opslimit = fit_ops;
		h.mem_kib = fit_mem;
		r = v1_seal(&text, &len, &h, share, bench_pwd,
		    sizeof(bench_pwd) - 1);
	} else {
		secmem_random(salt, sizeof(salt));
		r = pbe_seal(pbe, share, salt, bench_pwd,
		    sizeof(bench_pwd) - 1, PBE_ITERATIONS);
		len = sizeof(pbe);
	}
	secmem_free(share);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "kdf: seal: %s\n", custos_strerror(r));
		free(text);
		return -1;
	}
	r = write_all(job->fd, fpr, sizeof(fpr)) != 0 ||
	    write_all(job->fd, job->kind == BENCH_V1 ? (void *)text :
	    (void *)pbe, len) != 0 ? -1 : 0;
	free(text);
	return r;
}

/* Seals a file in a child (timed) and reads it back over a pipe. */
static int
seal(struct sealed *out, enum bench_kind kind, struct sample *s)
{
	struct seal_job job;
	size_t got = 0;
	ssize_t n;
	char tmp[sizeof(out->fpr) + sizeof(out->buf)];
	int p[2], r;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (pipe(p) != 0) {
		fprintf(stderr, "kdf: pipe: %s\n", strerror(errno));
		return -1;
	}
	job.kind = kind;
	job.fd = p[1];
	/* At most ~2 KiB: fits in the pipe, so wait first, then read. */
	r = measure(s, child_seal, &job);
	close(p[1]);
	while (r == 0 && (n = read(p[0], tmp + got, sizeof(tmp) - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (got += (size_t)n) == sizeof(tmp))
			r = -1;
	}
	close(p[0]);
	if (r != 0 || got <= sizeof(out->fpr)) {
		fprintf(stderr, "kdf: could not seal a test file\n");
		return -1;
	}
	memcpy(out->fpr, tmp, sizeof(out->fpr));
	out->len = got - sizeof(out->fpr);
	memcpy(out->buf, tmp + sizeof(out->fpr), out->len);
	return 0;
}

/* Child: one unlock, checked against the share's fingerprint. */
static int
child_open(const void *arg)
{
	const struct sealed *f = arg;
	unsigned char fpr[DKEK_FPR_LEN], *share;
	int r;

	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return -1;
	if (f->kind == BENCH_V1)
		r = v1_open(share, f->buf, f->len, bench_pwd,
		    sizeof(bench_pwd) - 1, NULL);
	else
		r = pbe_open(share, (const unsigned char *)f->buf, f->len,
		    bench_pwd, sizeof(bench_pwd) - 1, PBE_ITERATIONS);
	if (r == CUSTOS_OK) {
		dkek_share_fingerprint(fpr, share);
		if (sodium_memcmp(fpr, f->fpr, sizeof(fpr)) != 0)
			r = CUSTOS_ERR_FINGERPRINT;
	}
	secmem_free(share);
	if (r != CUSTOS_OK)
		fprintf(stderr, "kdf: open: %s\n", custos_strerror(r));
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values (n >= 1); does not reorder v. */
static double
median(const double *v, size_t n)
{
	double tmp[RUNS_MAX];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
}

struct summary {
	double secs, rss_mib, min_secs, max_secs, max_rss_mib;
};

/* Unlocks f n times, one child each, printing every run. */
static int
bench(struct summary *sum, const char *name, const struct sealed *f,
    size_t n)
{
	struct sample s;
	double secs[RUNS_MAX], rss[RUNS_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (measure(&s, child_open, f) != 0)
			return -1;
		printf("  %-6s run %zu/%zu: %7.3f s wall  %7.3f s cpu  "
		    "peak RSS %7.1f MiB\n", name, i + 1, n, s.secs, s.cpu,
		    s.rss_mib);
		secs[i] = s.secs;
		rss[i] = s.rss_mib;
		if (i == 0 || s.secs < sum->min_secs)
			sum->min_secs = s.secs;
		if (i == 0 || s.secs > sum->max_secs)
			sum->max_secs = s.secs;
		if (i == 0 || s.rss_mib > sum->max_rss_mib)
			sum->max_rss_mib = s.rss_mib;
	}
	sum->secs = median(secs, n);
	sum->rss_mib = median(rss, n);
	return 0;
}

static int
parse_runs(const char *s, size_t *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > RUNS_MAX)
		return -1;
	*n = (size_t)v;
	return 0;
}

static void
print_machine(void)
{
	struct utsname u;
	cpu_set_t set;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	int nproc = (int)online;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		nproc = CPU_COUNT(&set);
	if (uname(&u) != 0)
		snprintf(u.machine, sizeof(u.machine), "?");
	printf("machine: %s, nproc %d (online %ld), RAM %.1f GiB, "
	    "libsodium %s\n", u.machine, nproc, online,
	    (double)pages * (double)psz / (1024.0 * 1024 * 1024),
	    sodium_version_string());
}

static void
print_summary(const char *name, const struct summary *s)
{
	printf("%-6s median %7.3f s (min %.3f, max %.3f), peak RSS median "
	    "%.1f MiB (max %.1f)\n", name, s->secs, s->min_secs, s->max_secs,
	    s->rss_mib, s->max_rss_mib);
}

int
main(int argc, char **argv)
{
	static struct sealed v1, pbe;
	struct summary sv1, spbe;
	struct sample s;
	size_t n_v1 = 7, n_pbe = 3;
	double param_mib, cost, ceiling = 0, t;
	static const unsigned long long probe[][2] = { { 256 * 1024, 1 },
	    { 256 * 1024, 4 }, { 1024 * 1024, 1 } };
	unsigned char out[32], salt[crypto_pwhash_SALTBYTES] = { 0 };
	size_t i;
	int met;

	if (argc > 3 || (argc > 1 && parse_runs(argv[1], &n_v1) != 0) ||
	    (argc > 2 && parse_runs(argv[2], &n_pbe) != 0)) {
		fprintf(stderr, "usage: kdf [V1_RUNS [LEGACY_RUNS]] "
		    "(each 1..%d; defaults 7 and 3)\n", RUNS_MAX);
		return 1;
	}
	if (secmem_init() != CUSTOS_OK) {
		fprintf(stderr, "kdf: cannot initialise libsodium\n");
		return 1;
	}
	memset(&sv1, 0, sizeof(sv1));
	memset(&spbe, 0, sizeof(spbe));

	printf("custos KDF benchmark: unlocking one share file\n");
	print_machine();
	printf("method: each unlock in a fresh fork()ed child (one open, then "
	    "exit);\n        wall time fork..wait4 (CLOCK_MONOTONIC), peak "
	    "RSS = child's ru_maxrss\n");
	if (measure(&s, child_empty, NULL) != 0)
		return 1;
	printf("baseline (empty child): %.4f s wall, peak RSS %.1f MiB\n",
	    s.secs, s.rss_mib);

	kdfcost_default(&fit_mem, &fit_ops);
	param_mib = (double)fit_mem / 1024.0;
	printf("fitted to this machine (kdfcost.c; MemAvailable %llu MiB): "
	    "m=%.0f MiB, t=%llu\n", kdfcost_available_kib() / 1024, param_mib,
	    fit_ops);
	if (seal(&v1, BENCH_V1, &s) != 0)
		return 1;
	printf("\nv1:     Argon2id t=%llu m=%llu KiB (%.0f MiB) p=1, "
	    "XChaCha20-Poly1305; %zu-byte file sealed in %.3f s\n",
	    fit_ops, fit_mem, param_mib, v1.len, s.secs);
	if (bench(&sv1, "v1", &v1, n_v1) != 0)
		return 1;

	if (seal(&pbe, BENCH_PBE, &s) != 0)
		return 1;
	printf("\nlegacy: sc-hsm-tool .pbe, EVP_BytesToKey MD5 x %lu x 3 "
	    "blocks, AES-256-CBC; %zu-byte file sealed in %.3f s\n",
	    PBE_ITERATIONS, pbe.len, s.secs);
	if (bench(&spbe, "legacy", &pbe, n_pbe) != 0)
		return 1;

	printf("\n");
	print_summary("v1", &sv1);
	print_summary("legacy", &spbe);
	printf("ratio legacy/v1 median time: %.2f\n", spbe.secs / sv1.secs);
	/* Both the parameter and the measured peak must reach the floor. */
	met = sv1.secs <= TARGET_SECS && param_mib >= TARGET_MIB &&
	    sv1.rss_mib >= TARGET_MIB;
	printf("target: v1 median <= %.1f s with >= %.0f MiB: %s "
	    "(median %.3f s, Argon2 m %.0f MiB, median peak RSS %.1f MiB)\n",
	    TARGET_SECS, TARGET_MIB, met ? "MET" : "NOT MET", sv1.secs,
	    param_mib, sv1.rss_mib);
	printf("target: the fitted unlock takes 1-2 s: %s (median %.3f s)\n",
	    sv1.secs >= 1.0 && sv1.secs <= 2.0 ? "MET" : "NOT MET", sv1.secs);
	/* What a guess costs an attacker, per second a custodian waits,
	   against the most libsodium's Argon2id gives on one lane here. */
	cost = param_mib * (double)fit_ops / sv1.secs;
	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		double a = mono_now();

		if (crypto_pwhash(out, sizeof(out), "ceiling", 7, salt,
		    probe[i][1], (size_t)probe[i][0] * 1024,
		    crypto_pwhash_ALG_ARGON2ID13) != 0)
			continue;
		t = mono_now() - a;
		printf("ceiling probe: m=%llu MiB t=%llu: %.3f s, %.0f MiB x "
		    "passes / s\n", probe[i][0] / 1024, probe[i][1], t,
		    (double)(probe[i][0] / 1024 * probe[i][1]) / t);
		if ((double)(probe[i][0] / 1024 * probe[i][1]) / t > ceiling)
			ceiling = (double)(probe[i][0] / 1024 * probe[i][1]) / t;
	}
	printf("attacker's cost per second of a custodian's wait: %.0f MiB x "
	    "passes / s; libsodium's one-lane ceiling here %.0f (%.1f %%)\n",
	    cost, ceiling, ceiling > 0 ? 100.0 * cost / ceiling : 0.0);
	return 0;
}
