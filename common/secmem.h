/*
 * secmem.h - guarded memory for secrets, and process hardening.
 *
 * Secrets (shares, DKEKs, passphrases, PINs) live in memory from
 * secmem_alloc(): libsodium's guard pages, mlock(2) and no-dump, and wiped
 * when freed.
 */
#ifndef CUSTOS_SECMEM_H
#define CUSTOS_SECMEM_H

#include <stddef.h>

#include "err.h"

/* Initialises libsodium. Returns 0 on success or CUSTOS_ERR_CRYPTO. */
int secmem_init(void) CUSTOS_WUR;

/*
 * Disables core dumps (RLIMIT_CORE 0), makes the process non-dumpable
 * (no ptrace by same uid, no /proc/PID/mem) and sets umask 077.
 * Returns 0 on success or a negative error code.
 */
int secmem_harden_process(void) CUSTOS_WUR;

/* Returns len bytes of guarded, zeroed memory, or NULL. len may be 0. */
void *secmem_alloc(size_t len);

/* Wipes and frees memory from secmem_alloc(); accepts NULL. */
void secmem_free(void *p);

/* Wipes len bytes at p (never optimised away); accepts NULL. */
void secmem_wipe(void *p, size_t len);

/* Constant-time comparison of len bytes: 0 when equal, -1 otherwise. */
int secmem_equal(const void *a, const void *b, size_t len);

/* Fills buf with len bytes from the OS CSPRNG. */
void secmem_random(void *buf, size_t len);

#endif
