/*
 * main.c - custos: DKEK key-custodian ceremonies for SmartCard-HSM and
 * Nitrokey HSM 2. Hardens the process, then dispatches to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

#define CUSTOS_VERSION "0.1.0"

static const struct cli_cmd commands[] = {
	{ "share", cmd_share, "create, inspect, verify and convert share files" },
	{ "dkek", cmd_dkek, "the KCV a set of DKEK shares makes" },
	{ "ceremony", cmd_ceremony, "open and close a ceremony directory" },
	{ "audit", cmd_audit, "verify and show a ceremony's transcript" },
	{ "hsm", cmd_hsm, "the SmartCard-HSM: status, init, shares, keys, "
	    "wrap" },
	{ "backup", cmd_backup, "back up every key; verify and restore a "
	    "backup set" },
	{ "emulator", cmd_emulator, "the emulated SmartCard-HSM (rehearsal)" },
	{ NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	if (secmem_harden_process() != CUSTOS_OK) {
		fprintf(stderr, "custos: cannot disable core dumps; "
		    "refusing to handle secrets\n");
		return EXIT_FAIL;
	}
	if (secmem_init() != CUSTOS_OK) {
		fprintf(stderr, "custos: cannot initialise libsodium\n");
		return EXIT_FAIL;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0)) {
		printf("custos %s\n", CUSTOS_VERSION);
		return EXIT_OK_;
	}
	return cli_dispatch("", commands, argc - 1, argv + 1);
}
