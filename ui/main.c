/*
 * main.c - custos: DKEK key-custodian ceremonies for SmartCard-HSM and
 * Nitrokey HSM 2. Hardens the process, then dispatches to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "../common/buildinfo.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

static const struct cli_cmd commands[] = {
	{ "share", cmd_share, "create, inspect, verify and convert share files" },
	{ "dkek", cmd_dkek, "the KCV a set of DKEK shares makes" },
	{ "ceremony", cmd_ceremony, "open and close a ceremony directory" },
	{ "audit", cmd_audit, "verify and show a ceremony's transcript" },
	{ "hsm", cmd_hsm, "the SmartCard-HSM: status, init, shares, keys, "
	    "wrap" },
	{ "backup", cmd_backup, "back up every key; verify and restore a "
	    "backup set" },
	{ "pka", cmd_pka, "public key authentication: custodians' own "
	    "devices" },
	{ "emulator", cmd_emulator, "the emulated SmartCard-HSM (rehearsal)" },
	{ NULL, NULL, NULL },
};

/* `custos version`: what an auditor compares with the record. */
static int
version(void)
{
	char hex[65];

	printf("custos %s\n", buildinfo_version());
	printf("commit:     %s\n", buildinfo_commit());
	if (buildinfo_exe_sha256(hex) != CUSTOS_OK) {
		fprintf(stderr, "custos: version: cannot read /proc/self/exe "
		    "to hash it\n");
		return EXIT_FAIL;
	}
	printf("sha256:     %s (this executable)\n", hex);
	return EXIT_OK_;
}

int
main(int argc, char **argv)
{
	const char *cv;

	if (secmem_harden_process() != CUSTOS_OK) {
		fprintf(stderr, "custos: cannot disable core dumps; "
		    "refusing to handle secrets\n");
		return EXIT_FAIL;
	}
	if (secmem_init() != CUSTOS_OK) {
		fprintf(stderr, "custos: cannot initialise libsodium\n");
		return EXIT_FAIL;
	}
	/* only ui/ links curses; the ceremony record names it too */
	cv = curses_version();	/* "ncurses 6.4.20221231" */
	buildinfo_register("ncurses", strncmp(cv, "ncurses ", 8) == 0 ?
	    cv + 8 : cv);
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0))
		return version();
	return cli_dispatch("", commands, argc - 1, argv + 1);
}
