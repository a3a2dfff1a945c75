/*
 * cmd_hsm_readers.c - custos hsm readers: the PC/SC readers and whether
 * each holds a card. One of the few ui/ files that reach cards/ directly:
 * listing readers is no ceremony step and records nothing.
 */
#include <stdio.h>
#include <string.h>

#include "../cards/pcsc.h"
#include "cli.h"
#include "hsm_util.h"

int
cmd_hsm_readers(int argc, char **argv)
{
	struct pcsc_reader rd[16];
	size_t n = 0, i;
	int r;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos hsm readers\n\nLists the PC/SC readers "
		    "and whether each holds a card.\n");
		return EXIT_OK_;
	}
	if (argc > 1)
		return cli_usage_error("hsm readers", "unexpected argument");
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return cli_fail("hsm readers", r);
	if (n == 0)
		printf("no readers (without one, custos uses the emulated "
		    "device: --card emu:primary)\n");
	for (i = 0; i < n; i++)
		printf("%s  %s\n", rd[i].card_present ? "card   " : "empty  ",
		    rd[i].name);
	return EXIT_OK_;
}
