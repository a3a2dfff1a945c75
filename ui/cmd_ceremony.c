/*
 * cmd_ceremony.c - custos ceremony open DIR | close DIR (run and plan are
 * in cmd_ceremony_run.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/sharefile_v1.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

static int
ceremony_open_cmd(int argc, char **argv)
{
	static const char ctx[] = "ceremony open";
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "admin", required_argument, NULL, 'a' },
		{ "rehearsal", no_argument, NULL, 'r' },
		{ "admin-passphrase-fd", required_argument, NULL, 'f' },
		{ "admin-passphrase-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceremony_params p;
	struct prompt_src src;
	const char *fd = NULL, *file = NULL, *why;
	char *pw = NULL, id[17], fpr[65], words[256];
	size_t pwlen = 0;
	int c, ex, r;

	memset(&p, 0, sizeof(p));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': p.title = optarg; break;
		case 'a': p.admin = optarg; break;
		case 'r': p.rehearsal = 1; break;
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'h':
			printf("usage: custos ceremony open DIR --title TEXT "
			    "--admin NAME [--rehearsal]\n"
			    "         [--admin-passphrase-fd N | "
			    "--admin-passphrase-file PATH]\n\n"
			    "Creates the ceremony directory DIR: its signing "
			    "key (kept encrypted under\nthe administrator's "
			    "passphrase until the ceremony is closed), its "
			    "public key\nceremony.pub and the transcript. "
			    "Prints the public key's fingerprint for the\n"
			    "paper sign-off sheet.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	if (p.title == NULL || p.admin == NULL)
		return cli_usage_error(ctx, "--title and --admin are required");
	if ((why = v1_check_text(p.title, 200)) != NULL ||
	    (why = v1_check_text(p.admin, V1_LABEL_MAX)) != NULL) {
		fprintf(stderr, "custos: %s: title or admin name %s\n", ctx,
		    why);
		return EXIT_USAGE;
	}
	p.kdf_ops = V1_OPS_DEFAULT;
	p.kdf_mem_kib = V1_MEM_KIB_DEFAULT;
	if ((ex = cli_secret_source(&src, fd, file, ctx)) != EXIT_OK_)
		return ex;
	r = cli_new_passphrase(ctx, &src, "New administrator passphrase for "
	    "the ceremony", 0, &pw, &pwlen);
	prompt_src_close(&src);
	if (r != CUSTOS_OK)
		return r == CUSTOS_ERR_WEAK_PASSPHRASE ? cli_exit_code(r) :
		    cli_fail(ctx, r);
	r = ceremony_create(argv[optind], &p, (unsigned char *)pw, pwlen, id,
	    fpr);
	secmem_free(pw);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, argv[optind],
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	cli_hex_words(words, sizeof(words), fpr);
	printf("opened ceremony %s in %s%s\n", id, argv[optind],
	    p.rehearsal ? " (REHEARSAL)" : "");
	printf("ceremony key fingerprint (SHA-256 of the public key):\n");
	cli_print_grouped("  ", fpr);
	printf("  words: %s\n", words);
	return EXIT_OK_;
}

static int
ceremony_close_cmd(int argc, char **argv)
{
	static const char ctx[] = "ceremony close";
	static const struct option opts[] = {
		{ "admin-passphrase-fd", required_argument, NULL, 'f' },
		{ "admin-passphrase-file", required_argument, NULL, 'F' },
		{ "actor", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceremony *cer = NULL;
	struct prompt_src src;
	const char *fd = NULL, *file = NULL, *actor = NULL;
	int c, ex, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'a': actor = optarg; break;
		case 'h':
			printf("usage: custos ceremony close DIR [--actor NAME] "
			    "[--admin-passphrase-fd N |\n"
			    "         --admin-passphrase-file PATH]\n\n"
			    "Ends the ceremony: records the close, signs the "
			    "whole transcript\n(transcript.jsonl.minisig, "
			    "checkable with minisign) and destroys the\n"
			    "signing key, so nothing can be appended or "
			    "re-signed afterwards.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	if ((ex = cli_check_recordable(ctx, "actor", actor)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&src, fd, file, ctx)) != EXIT_OK_)
		return ex;
	ex = cli_ceremony_unlock(ctx, argv[optind], &src, &cer);
	prompt_src_close(&src);
	if (ex != EXIT_OK_)
		return ex;
	r = ceremony_close(cer, actor != NULL ? actor : ceremony_admin(cer));
	ceremony_free(cer);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, argv[optind],
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	printf("closed ceremony in %s; signature: %s/%s\n", argv[optind],
	    argv[optind], CEREMONY_SIG);
	printf("check: minisign -Vm %s/%s -p %s/%s\n", argv[optind],
	    CEREMONY_TRANSCRIPT, argv[optind], CEREMONY_PUB);
	return EXIT_OK_;
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
