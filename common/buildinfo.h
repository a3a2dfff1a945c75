/*
 * buildinfo.h - what this program is and where it runs, for the record
 * a ceremony opens with and for `custos version`: the version and
 * source commit it was built from, the SHA-256 of its own executable,
 * the versions of the libraries it runs with, the kernel, and every
 * network interface other than loopback that is up.
 *
 * Reads facts only; holds no secret.
 */
#ifndef CUSTOS_BUILDINFO_H
#define CUSTOS_BUILDINFO_H

#include <stddef.h>

#include "err.h"

#define BUILDINFO_MAXLIBS 12
#define BUILDINFO_MAXIFS 32
#define BUILDINFO_IFNAME 16	/* IFNAMSIZ */

struct buildinfo_lib {
	const char *name;
	char version[64];
};

struct buildinfo {
	const char *version;		/* "0.2.0" */
	const char *commit;		/* 40 hex digits, "-dirty" when the tree
					   had changes; "unknown" outside git */
	char exe_sha256[65];		/* "" when /proc/self/exe is unreadable */
	struct buildinfo_lib lib[BUILDINFO_MAXLIBS];
	size_t nlibs;
	char kernel[200];		/* "Linux 6.1.0-28-amd64 x86_64" */
	char kernel_build[80];		/* "#1 SMP PREEMPT_DYNAMIC Debian ..." */
	char ifup[BUILDINFO_MAXIFS][BUILDINFO_IFNAME + 1];
	size_t nifup;			/* interfaces up, loopback aside */
};

/* The version and the commit compiled in. */
const char *buildinfo_version(void);
const char *buildinfo_commit(void);

/*
 * Registers a library that only a higher layer links to (ncurses: only
 * ui/ includes curses), so that buildinfo_read() names it too. Keeps
 * pointers to both strings. A name already known, or more than
 * BUILDINFO_MAXLIBS, is ignored.
 */
void buildinfo_register(const char *name, const char *version);

/*
 * SHA-256 of the running executable, as 64 hex digits into hex.
 * Returns 0, or an error (the file is unreadable).
 */
int buildinfo_exe_sha256(char hex[65]) CUSTOS_WUR;

/*
 * The names of the network interfaces that are up (IFF_UP), loopback
 * aside, sorted. Returns 0 or an error from getifaddrs(3).
 */
int buildinfo_ifaces_up(char names[][BUILDINFO_IFNAME + 1], size_t max,
    size_t *n) CUSTOS_WUR;

/*
 * Fills bi with every fact above. Facts that cannot be read are left
 * empty ("" or 0 entries); returns 0, or the first error met while
 * reading the executable or the interfaces (bi is still filled).
 */
int buildinfo_read(struct buildinfo *bi) CUSTOS_WUR;

#endif
