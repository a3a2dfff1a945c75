/*
 * buildinfo.c - the program's version, commit and hash, its libraries,
 * the kernel and the interfaces that are up (buildinfo.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <qrencode.h>
#include <sodium.h>
#include <yaml.h>
#include <cyaml/cyaml.h>

#include "buildinfo.h"
#include "buildinfo_gen.h"	/* CUSTOS_VERSION, CUSTOS_COMMIT: the Makefile */

static struct {
	const char *name, *version;
} registered[BUILDINFO_MAXLIBS];
static size_t nregistered;

const char *
buildinfo_version(void)
{
	return CUSTOS_VERSION;
}

const char *
buildinfo_commit(void)
{
	return CUSTOS_COMMIT;
}

void
buildinfo_register(const char *name, const char *version)
{
	size_t i;

	for (i = 0; i < nregistered; i++)
		if (strcmp(registered[i].name, name) == 0)
			return;
	if (nregistered < BUILDINFO_MAXLIBS && name != NULL &&
	    version != NULL) {
		registered[nregistered].name = name;
		registered[nregistered].version = version;
		nregistered++;
	}
}

int
buildinfo_exe_sha256(char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	ssize_t n;
	int fd, r = CUSTOS_OK;

	hex[0] = '\0';
	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
		return custos_err_from_errno(errno);
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = custos_err_from_errno(errno);
			break;
		}
		crypto_hash_sha256_update(&st, buf, (size_t)n);
	}
	(void)close(fd);
	if (r != CUSTOS_OK)
		return r;
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return CUSTOS_OK;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
buildinfo_ifaces_up(char names[][BUILDINFO_IFNAME + 1], size_t max,
    size_t *n)
{
	struct ifaddrs *ifa = NULL, *p;
	size_t i;

	*n = 0;
	if (getifaddrs(&ifa) != 0)
		return custos_err_from_errno(errno);
	for (p = ifa; p != NULL; p = p->ifa_next) {
		if (p->ifa_name == NULL || !(p->ifa_flags & IFF_UP) ||
		    (p->ifa_flags & IFF_LOOPBACK) ||
		    strcmp(p->ifa_name, "lo") == 0)
			continue;
		for (i = 0; i < *n; i++)	/* one entry per address */
			if (strncmp(names[i], p->ifa_name,
			    BUILDINFO_IFNAME) == 0)
				break;
		if (i < *n || *n >= max)
			continue;
		snprintf(names[*n], BUILDINFO_IFNAME + 1, "%s", p->ifa_name);
		(*n)++;
	}
	freeifaddrs(ifa);
	qsort(names, *n, sizeof(names[0]), cmp_name);
	return CUSTOS_OK;
}

static void
add_lib(struct buildinfo *bi, const char *name, const char *version)
{
	if (bi->nlibs >= BUILDINFO_MAXLIBS || version == NULL)
		return;
	bi->lib[bi->nlibs].name = name;
	snprintf(bi->lib[bi->nlibs].version,
	    sizeof(bi->lib[bi->nlibs].version), "%s", version);
	bi->nlibs++;
}

int
buildinfo_read(struct buildinfo *bi)
{
	struct utsname u;
	size_t i;
	int r, r2;

	memset(bi, 0, sizeof(*bi));
	bi->version = CUSTOS_VERSION;
	bi->commit = CUSTOS_COMMIT;
	r = buildinfo_exe_sha256(bi->exe_sha256);
	/* each as the library reports itself at run time */
	add_lib(bi, "libsodium", sodium_version_string());
	add_lib(bi, "OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING));
	add_lib(bi, "jansson", jansson_version_str());
	add_lib(bi, "libcyaml", cyaml_version_str);
	add_lib(bi, "libyaml", yaml_get_version_string());
	add_lib(bi, "libqrencode", QRcode_APIVersionString());
	for (i = 0; i < nregistered; i++)
		add_lib(bi, registered[i].name, registered[i].version);
	if (uname(&u) == 0) {
		snprintf(bi->kernel, sizeof(bi->kernel), "%s %s %s",
		    u.sysname, u.release, u.machine);
		snprintf(bi->kernel_build, sizeof(bi->kernel_build), "%s",
		    u.version);
	}
	r2 = buildinfo_ifaces_up(bi->ifup, BUILDINFO_MAXIFS, &bi->nifup);
	return r != CUSTOS_OK ? r : r2;
}
