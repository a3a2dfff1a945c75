/*
 * cmd_emulator.c - custos emulator serve | list: the emulated
 * SmartCard-HSM as a vpcd card for pcscd and every PC/SC program.
 */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/emu/emu.h"
#include "../cards/emu/emu_card.h"
#include "../cards/emu/vpcd.h"
#include "cli.h"
#include "cmds.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int
emulator_serve(int argc, char **argv)
{
	static const char ctx[] = "emulator serve";
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "faults", required_argument, NULL, 'f' },
		{ "connect-timeout", required_argument, NULL, 't' },
		{ "timing", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = "primary", *host = "127.0.0.1";
	unsigned long port = 35963, timeout = 10000;
	struct emu_faults faults;
	struct sigaction sa;
	struct emu *e = NULL;
	char *end;
	int c, r, timing = emu_timing_env();

	memset(&faults, 0, sizeof(faults));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'H': host = optarg; break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end != '\0' || port == 0 || port > 65535)
				return cli_usage_error(ctx, "bad --port");
			break;
		case 't':
			timeout = strtoul(optarg, &end, 10);
			if (*end != '\0' || timeout > 3600000UL)
				return cli_usage_error(ctx,
				    "bad --connect-timeout");
			break;
		case 'f':
			if (emu_faults_parse(optarg, &faults) != 0)
				return cli_usage_error(ctx, "bad --faults "
				    "(remove-at=N,delay-ms=M)");
			break;
		case 'T':
			if (strcmp(optarg, "sc-hsm") != 0 &&
			    strcmp(optarg, "off") != 0)
				return cli_usage_error(ctx, "--timing is sc-hsm "
				    "or off");
			timing = strcmp(optarg, "sc-hsm") == 0;
			break;
		case 'h':
			printf("usage: custos emulator serve [--device NAME] "
			    "[--host ADDR] [--port N]\n"
			    "         [--connect-timeout MS] "
			    "[--faults remove-at=N,delay-ms=M]\n"
			    "         [--timing sc-hsm|off]\n\n"
			    "Connects the emulated SmartCard-HSM NAME "
			    "(default primary) to vpcd, the\nvirtual reader "
			    "of pcscd (default 127.0.0.1:35963), and serves "
			    "it until vpcd\ncloses the connection or custos "
			    "is interrupted. The device stays locked\n"
			    "meanwhile: `--card emu:NAME` refuses it; use "
			    "`--card pcsc`.\n--faults removes the card at "
			    "the N-th APDU or delays every answer.\n"
			    "--timing sc-hsm makes every command take what a "
			    "real SmartCard-HSM takes\n(docs/emulator.md, "
			    "\"Timing model\"); CUSTOS_EMU_TIMING=sc-hsm does "
			    "the same.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(ctx, "unexpected argument");
	if (!emu_name_valid(device))
		return cli_usage_error(ctx, "device names are 1-32 of "
		    "A-Z a-z 0-9 - _");
	if ((r = emu_open(NULL, device, &e)) != 0) {
		fprintf(stderr, "custos: %s: device %s: %s\n", ctx, device,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	emu_set_timing(e, timing);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "custos: emulator: serving device %s (REHEARSAL, "
	    "serial %s) to vpcd at %s:%lu%s\n", device, emu_serial(e), host,
	    port, timing ? ", with the timing model of a real SmartCard-HSM" :
	    "");
	r = vpcd_serve(e, host, (unsigned)port, (unsigned)timeout, &faults,
	    &stop_flag);
	emu_free(e);
	if (r == CUSTOS_ERR_CARD_REMOVED) {
		fprintf(stderr, "custos: emulator: card removed (injected "
		    "fault)\n");
		return EXIT_OK_;
	}
	if (r == CUSTOS_ERR_NOT_FOUND) {
		fprintf(stderr, "custos: %s: no vpcd listening at %s:%lu\n",
		    ctx, host, port);
		return EXIT_FAIL;
	}
	return r == 0 ? EXIT_OK_ : cli_fail(ctx, r);
}

static int
emulator_list(int argc, char **argv)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	int r;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos emulator list\n\nLists the emulated "
		    "devices and where their state is kept\n"
		    "($CUSTOS_EMU_DIR, else $XDG_STATE_HOME/custos/"
		    "emulator).\n");
		return EXIT_OK_;
	}
	if (argc > 1)
		return cli_usage_error("emulator list", "unexpected argument");
	if ((r = emu_dir(dir, sizeof(dir))) != 0)
		return cli_fail("emulator list", r);
	printf("emulated devices in %s:\n", dir);
	if ((d = opendir(dir)) == NULL)
		return EXIT_OK_;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0)
			printf("  %.*s\n", (int)(n - 5), de->d_name);
	}
	closedir(d);
	return EXIT_OK_;
}

static const struct cli_cmd emulator_cmds[] = {
	{ "serve", emulator_serve, "serve an emulated device to pcscd "
	    "through vpcd" },
	{ "list", emulator_list, "list the emulated devices" },
	{ NULL, NULL, NULL },
};

int
cmd_emulator(int argc, char **argv)
{
	return cli_dispatch("emulator", emulator_cmds, argc - 1, argv + 1);
}
