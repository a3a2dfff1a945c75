/*
 * tests/bench/audit - how fast custos verifies a transcript, against the
 * floor set by libsodium itself: verifying the same number of Ed25519
 * signatures over the same bytes, measured in the same run.
 *
 * Usage: build/bench/audit [RECORDS [ROUNDS]]  (default 100000 records,
 * 3 rounds; the median of each is reported). Target: custos at >= 150 %
 * of the one-core raw rate with two cores or more, >= 80 % on one (run it
 * under taskset -c 0 for that figure). The baseline is always one core:
 * the raw loop runs in one thread.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../ceremony/transcript.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	unsigned char pk[32], sk[64];
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3, k;
	size_t cap, len = 0, i, *starts, *blen;
	double t_custos[16], t_raw[16], m_custos, m_raw;
	char prev[65], *buf, *line = NULL;
	unsigned char (*sigs)[64];
	struct transcript_verdict v;
	volatile unsigned long sink = 0;

	if (n == 0 || rounds < 1 || rounds > 16 || sodium_init() < 0)
		return 2;
	crypto_sign_keypair(pk, sk);
	cap = n * 700;
	buf = malloc(cap);
	starts = calloc(n, sizeof(*starts));
	blen = calloc(n, sizeof(*blen));
	sigs = calloc(n, sizeof(*sigs));
	if (buf == NULL || starts == NULL || blen == NULL || sigs == NULL)
		return 2;
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (i = 0; i < n; i++) {
		size_t l;
		json_t *f = json_pack("{s:s, s:s, s:s, s:I}", "file",
		    "shares/alice.share", "file_sha256", prev,
		    "share_fingerprint", "EB46E7E12CFF420A", "n", (json_int_t)i);

		if (transcript_make_line(&line, &l, i, "2026-11-23T12:00:00Z",
		    prev, "alice", "share.verify", f, 1, sk) != CUSTOS_OK)
			return 1;
		json_decref(f);
		starts[i] = len;
		memcpy(buf + len, line, l);
		buf[len + l] = '\n';
		transcript_line_hash(prev, line, l);
		/* What the raw baseline verifies: the body, and its sig. */
		blen[i] = l - (8 + 88 + 2) + 1;
		if (sodium_base642bin(sigs[i], 64, line + l - 90, 88, NULL, NULL,
		    NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return 1;
		len += l + 1;
		free(line);
	}
	printf("custos audit benchmark: %zu records, %.1f MiB, %d rounds\n",
	    n, (double)len / 1048576.0, rounds);
	for (k = 0; k < rounds; k++) {
		double t0 = now();

		if (transcript_verify(buf, len, pk, &v) != CUSTOS_OK ||
		    v.records != n)
			return 1;
		t_custos[k] = now() - t0;
		/* Raw: Ed25519 verification of the same bodies, no parsing. */
		t0 = now();
		for (i = 0; i < n; i++) {
			char *body = buf + starts[i];
			char save = body[blen[i] - 1];

			body[blen[i] - 1] = '}';
			sink += (unsigned long)crypto_sign_verify_detached(
			    sigs[i], (unsigned char *)body, blen[i], pk);
			body[blen[i] - 1] = save;
		}
		t_raw[k] = now() - t0;
		printf("  round %d: custos %.3f s (%.0f records/s), raw Ed25519 "
		    "%.3f s (%.0f/s)\n", k + 1, t_custos[k],
		    (double)n / t_custos[k], t_raw[k], (double)n / t_raw[k]);
	}
	if (sink != 0)
		return 1;	/* every raw signature must verify */
	qsort(t_custos, (size_t)rounds, sizeof(double), cmp_double);
	qsort(t_raw, (size_t)rounds, sizeof(double), cmp_double);
	m_custos = t_custos[rounds / 2];
	m_raw = t_raw[rounds / 2];
	printf("median: custos %.0f records/s, raw %.0f signatures/s\n",
	    (double)n / m_custos, (double)n / m_raw);
	printf("ratio custos/raw rate: %.1f %%\n", 100.0 * m_raw / m_custos);
	{
		/* what custos may use: the cores this process may run on */
		cpu_set_t set;
		int cores = sched_getaffinity(0, sizeof(set), &set) == 0 ?
		    CPU_COUNT(&set) : 1;
		double floor = cores >= 2 ? 1.50 : 0.80;

		printf("cores: %d; target: >= %.0f %% of the one-core raw "
		    "rate: %s\n", cores, 100.0 * floor, m_raw / m_custos >=
		    floor ? "MET" : "NOT MET");
	}
	free(buf);
	free(starts);
	free(blen);
	free(sigs);
	return 0;
}
