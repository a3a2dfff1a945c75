/*
 * tests/bench/restore/main.c - runs tests/bench/restore/run.sh, which
 * restores a 40-key backup set through pcscd onto the emulated
 * SmartCard-HSM with one `custos backup restore` against one sc-hsm-tool
 * run per key (see that script and tests/bench/README.md). This program
 * only lets `make bench` run it: it finds the script from its own path
 * ($(BUILD)/bench/restore, so the tree is three levels up), and replaces
 * itself with /bin/sh running it, so the script's exit status is its own.
 *
 * Usage: restore [KEYS]	(passed to run.sh; CUSTOS names the binary,
 *				default ./custos at the top of the tree)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SCRIPT "tests/bench/restore/run.sh"

/* Cuts the last n components off path (in place). Returns 0 or -1. */
static int
strip_components(char *path, int n)
{
	char *slash;

	while (n-- > 0) {
		slash = strrchr(path, '/');
		if (slash == NULL || slash == path)
			return -1;
		*slash = '\0';
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + sizeof(SCRIPT) + 1];
	char *args[4];
	ssize_t n;

	if (argc > 2) {
		fprintf(stderr, "usage: restore [KEYS]\n");
		return 2;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fprintf(stderr, "restore: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	exe[n] = '\0';
	/* .../TREE/BUILD/bench/restore -> .../TREE */
	if (strip_components(exe, 3) != 0) {
		fprintf(stderr, "restore: cannot find the tree from %s\n", exe);
		return 1;
	}
	snprintf(script, sizeof(script), "%s/%s", exe, SCRIPT);
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "restore: %s: %s\n", script, strerror(errno));
		return 1;
	}
	args[0] = "sh";
	args[1] = script;
	args[2] = argc == 2 ? argv[1] : NULL;
	args[3] = NULL;
	fflush(stdout);
	execv("/bin/sh", args);
	fprintf(stderr, "restore: /bin/sh: %s\n", strerror(errno));
	return 1;
}
