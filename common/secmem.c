/* secmem.c - guarded secret memory over libsodium; process hardening. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sodium.h>

#include "secmem.h"

int
secmem_init(void)
{
	if (sodium_init() < 0)
		return CUSTOS_ERR_CRYPTO;
	return CUSTOS_OK;
}

int
secmem_harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	umask(077);
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return CUSTOS_ERR_INTERNAL;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return CUSTOS_ERR_INTERNAL;
	return CUSTOS_OK;
}

void *
secmem_alloc(size_t len)
{
	void *p = sodium_malloc(len == 0 ? 1 : len);

	if (p != NULL)
		sodium_memzero(p, len == 0 ? 1 : len);
	return p;
}

void
secmem_free(void *p)
{
	/* sodium_free() wipes the whole region before unmapping it. */
	if (p != NULL)
		sodium_free(p);
}

void
secmem_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		sodium_memzero(p, len);
}

int
secmem_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0 ? 0 : -1;
}

void
secmem_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}
