/*
 * cmd_ceremony.c - custos ceremony open DIR | close DIR (run and plan are
 * in cmd_ceremony_run.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/op_share.h"
#include "cli.h"
#include "cli_io.h"
#include "cmds.h"

static int
ceremony_open_cmd(int argc, char **argv)
{
	static const char ctx[] = "ceremony open";
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "admin", required_argument, NULL, 'a' },
		{ "witness", required_argument, NULL, 'w' },
		{ "rehearsal", no_argument, NULL, 'r' },
		{ "offline-required", no_argument, NULL, 'o' },
		{ "admin-passphrase-fd", required_argument, NULL, 'f' },
		{ "admin-passphrase-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_open_args p;
	struct op_open_result res;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	const char *fd = NULL, *file = NULL;
	char words[256];
	int c, ex, r;

	memset(&p, 0, sizeof(p));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': p.title = optarg; break;
		case 'a': p.admin = optarg; break;
		case 'w':
			if (p.nwitnesses == sizeof(p.witnesses) /
			    sizeof(p.witnesses[0]))
				return cli_usage_error(ctx, "too many "
				    "witnesses");
			p.witnesses[p.nwitnesses++] = optarg;
			break;
		case 'r': p.rehearsal = 1; break;
		case 'o': p.offline_required = 1; break;
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'h':
			printf("usage: custos ceremony open DIR --title TEXT "
			    "--admin NAME [--witness NAME]...\n"
			    "         [--rehearsal] [--offline-required]\n"
			    "         [--admin-passphrase-fd N | "
			    "--admin-passphrase-file PATH]\n\n"
			    "Creates the ceremony directory DIR: its signing "
			    "key (kept encrypted under\nthe administrator's "
			    "passphrase until the ceremony is closed), its "
			    "public key\nceremony.pub and the transcript, whose "
			    "first record names the title, the\nadministrator "
			    "and the witnesses present. Prints the public key's "
			    "fingerprint\nfor the paper sign-off sheet. The first record also "
			    "names this custos\n(version, commit, SHA-256 of "
			    "the executable), its libraries, the kernel and\n"
			    "every network interface up; with --offline-required "
			    "an interface up is\nrefused before anything is "
			    "written.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	if (p.title == NULL || p.admin == NULL)
		return cli_usage_error(ctx, "--title and --admin are required");
	cli_io_init(&io, ctx);
	if ((ex = cli_io_source(&io, OP_SECRET_ADMIN_NEW, fd, file)) !=
	    EXIT_OK_)
		goto out;
	if ((r = op_ctx_new(&cx, &io.io, NULL, 0)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	if ((r = op_ceremony_open(cx, argv[optind], &p, &res)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto out;
	}
	op_hex_words(words, sizeof(words), res.pubkey_sha256);
	printf("opened ceremony %s in %s%s\n", res.id, argv[optind],
	    p.rehearsal ? " (REHEARSAL)" : "");
	printf("ceremony key fingerprint (SHA-256 of the public key):\n");
	cli_print_grouped("  ", res.pubkey_sha256);
	printf("  words: %s\n", words);
	ex = EXIT_OK_;
 out:
	op_ctx_free(cx);
	cli_io_close(&io);
	return ex;
}

static int
ceremony_close_cmd(int argc, char **argv)
{
	static const char ctx[] = "ceremony close";
	static const struct option opts[] = {
		{ "admin-passphrase-fd", required_argument, NULL, 'f' },
		{ "admin-passphrase-file", required_argument, NULL, 'F' },
		{ "actor", required_argument, NULL, 'a' },
		{ "paper", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_ctx *cx = NULL;
	struct cli_io io;
	const char *fd = NULL, *file = NULL, *actor = NULL;
	enum paper_size paper = PAPER_A4;
	int c, ex, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'a': actor = optarg; break;
		case 'p':
			if (paper_parse(optarg, &paper) != CUSTOS_OK)
				return cli_usage_error(ctx, "--paper must be "
				    "'a4' or 'letter'");
			break;
		case 'h':
			printf("usage: custos ceremony close DIR [--actor NAME] "
			    "[--paper a4|letter]\n"
			    "         [--admin-passphrase-fd N | "
			    "--admin-passphrase-file PATH]\n\n"
			    "Ends the ceremony: records the close, writes the "
			    "closing summary\n(summary.txt, and summary.pdf on A4 "
			    "unless --paper letter), signs the whole\ntranscript "
			    "(transcript.jsonl.minisig, checkable with minisign) "
			    "and destroys\nthe signing key, so nothing can be "
			    "appended or re-signed afterwards. Run\nit again to "
			    "finish a close that was cut short; until then the "
			    "ceremony\nrefuses every other step.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	if ((ex = cli_check_recordable(ctx, "actor", actor)) != EXIT_OK_)
		return ex;
	cli_io_init(&io, ctx);
	if ((ex = cli_io_source(&io, OP_SECRET_ADMIN, fd, file)) != EXIT_OK_)
		goto out;
	if ((r = op_ctx_new(&cx, &io.io, NULL, 0)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	op_set_actor(cx, actor);
	if ((r = op_ceremony_unlock_for_close(cx, argv[optind])) != CUSTOS_OK ||
	    (r = op_ceremony_close(cx, paper)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto out;
	}
	printf("closed ceremony in %s; signature: %s/%s\n", argv[optind],
	    argv[optind], CEREMONY_SIG);
	printf("check: minisign -Vm %s/%s -p %s/%s\n", argv[optind],
	    CEREMONY_TRANSCRIPT, argv[optind], CEREMONY_PUB);
	ex = EXIT_OK_;
 out:
	op_ctx_free(cx);
	cli_io_close(&io);
	return ex;
}

static const struct cli_cmd ceremony_cmds[] = {
	{ "open", ceremony_open_cmd, "create a ceremony directory" },
	{ "close", ceremony_close_cmd, "close it: sign the transcript, "
	    "destroy the key" },
	{ "run", cmd_ceremony_run, "walk a planned ceremony in the terminal "
	    "(resumes)" },
	{ "plan", cmd_ceremony_plan, "check a ceremony plan and list its "
	    "steps" },
	{ NULL, NULL, NULL },
};

int
cmd_ceremony(int argc, char **argv)
{
	return cli_dispatch("ceremony", ceremony_cmds, argc - 1, argv + 1);
}
