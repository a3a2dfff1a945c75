/*
 * kdfcost.h - the Argon2id cost of new share files, fitted to the machine
 * that writes them: the largest memory of 1 GiB, 512 MiB or 256 MiB that
 * its available memory allows (never below 256 MiB) and that one pass can
 * fill within 2 s, with as many passes as keep one unlock within 1 to 2
 * seconds there. The share file's header records what was chosen, so any
 * machine opens it.
 */
#ifndef CUSTOS_KDFCOST_H
#define CUSTOS_KDFCOST_H

/* Seconds one Argon2id hash with mem_kib and passes takes (< 0: it cannot
   run). */
typedef double (*kdfcost_time_fn)(unsigned long long mem_kib,
    unsigned long long passes, void *arg);

/*
 * The choice, from the available memory (KiB) and a timer: the largest
 * candidate no more than half of avail_kib whose one pass takes at most
 * 2 s; then the most passes (at most V1_OPS_MAX) whose time stays within
 * KDFCOST_AIM s, and at least 1. 256 MiB when nothing fits. Pure: the unit
 * tests give it a fake timer.
 */
#define KDFCOST_AIM 1.5	/* s: a margin under 2 s for a busy machine */
void kdfcost_choose(unsigned long long avail_kib, kdfcost_time_fn time_fn,
    void *arg, unsigned long long *mem_kib, unsigned long long *ops);

/* MemAvailable of /proc/meminfo in KiB (0: unknown). */
unsigned long long kdfcost_available_kib(void);

/* One real Argon2id hash, timed (a kdfcost_time_fn). */
double kdfcost_time_argon2(unsigned long long mem_kib,
    unsigned long long passes, void *arg);

/*
 * This machine's choice, measured once per process and then kept: two
 * hashes over 128 MiB (1 and 3 passes) give the cost of filling memory
 * and of a pass, scaled to the candidates; one real unlock of the choice
 * checks it, and one over 1.8 s corrects the model (up to four times).
 */
void kdfcost_default(unsigned long long *mem_kib, unsigned long long *ops);

#endif
