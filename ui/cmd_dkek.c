/*
 * cmd_dkek.c - custos dkek kcv FILE...: the KCV of the DKEK those shares
 * make on a card, computed before any card is touched. The work is the
 * engine's (ceremony/op_dkek.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_share.h"
#include "cli.h"
#include "cli_io.h"
#include "cmds.h"

static int
dkek_kcv_cmd(int argc, char **argv)
{
	static const char ctx[] = "dkek kcv";
	static const struct option opts[] = {
		{ "passphrase-fd", required_argument, NULL, 'f' },
		{ "passphrase-file", required_argument, NULL, 'F' },
		{ "ceremony", required_argument, NULL, 'c' },
		{ "admin-passphrase-fd", required_argument, NULL, 'a' },
		{ "admin-passphrase-file", required_argument, NULL, 'A' },
		{ "actor", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pw_fd = NULL, *pw_file = NULL, *cdir = NULL;
	const char *admin_fd = NULL, *admin_file = NULL, *actor = NULL;
	struct op_dkek_result res;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	size_t n, i;
	int c, ex, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': pw_fd = optarg; break;
		case 'F': pw_file = optarg; break;
		case 'c': cdir = optarg; break;
		case 'a': admin_fd = optarg; break;
		case 'A': admin_file = optarg; break;
		case 'o': actor = optarg; break;
		case 'h':
			printf("usage: custos dkek kcv FILE... [--passphrase-fd"
			    " N | --passphrase-file PATH]\n"
			    "         [--ceremony DIR [--actor NAME] "
			    "[--admin-passphrase-fd N | --admin-passphrase-file "
			    "P]]\n\nDecrypts each "
			    "share file (one passphrase each, in order) and "
			    "prints the KCV\nof the DKEK they make together: "
			    "what the HSM must report after the\nlast import. "
			    "Refuses a share given twice and the all-zero "
			    "DKEK.\nWith --ceremony DIR (and --actor, "
			    "--admin-passphrase-fd/-file) the files'\n"
			    "fingerprints and the KCV are recorded.\n");
			return EXIT_OK_;
		default:
			fprintf(stderr, "custos: %s: unknown or incomplete "
			    "option '%s' (try --help)\n", ctx,
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0)
		return cli_usage_error(ctx, "give one or more share FILEs");
	if (n > 64)
		return cli_usage_error(ctx, "too many share files");
	cli_io_init(&io, ctx);
	if ((r = op_ctx_new(&cx, &io.io, NULL, 0)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	if ((ex = cli_unlock(ctx, cx, &io, cdir, admin_fd, admin_file, actor,
	    NULL, argv + optind, (int)n)) != EXIT_OK_ ||
	    (ex = cli_io_source(&io, OP_SECRET_OLD, pw_fd, pw_file)) !=
	    EXIT_OK_)
		goto out;
	r = op_dkek_kcv(cx, argv + optind, n, &res);
	for (i = 0; i < res.n; i++)
		printf("share %zu: %s  fingerprint %.4s %.4s %.4s %.4s\n", i + 1,
		    argv[optind + (int)i], res.fpr[i], res.fpr[i] + 4,
		    res.fpr[i] + 8, res.fpr[i] + 12);
	if (r != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto out;
	}
	printf("DKEK shares          : %zu\n", n);
	printf("DKEK key check value : %s  (%.4s %.4s %.4s %.4s)\n", res.kcv,
	    res.kcv, res.kcv + 4, res.kcv + 8, res.kcv + 12);
	ex = EXIT_OK_;
 out:
	op_ctx_free(cx);
	cli_io_close(&io);
	return ex;
}

static const struct cli_cmd dkek_cmds[] = {
	{ "kcv", dkek_kcv_cmd, "expected KCV of the DKEK that shares make" },
	{ NULL, NULL, NULL },
};

int
cmd_dkek(int argc, char **argv)
{
	return cli_dispatch("dkek", dkek_cmds, argc - 1, argv + 1);
}
