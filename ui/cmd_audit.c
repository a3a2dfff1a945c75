/*
 * cmd_audit.c - custos audit verify DIR: the auditor's check of a
 * ceremony directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/verify.h"
#include "cli.h"
#include "cmds.h"

static int
audit_verify_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit verify";
	static const struct option opts[] = {
		{ "require-closed", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceremony_verdict v;
	char words[256];
	int c, require_closed = 0, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': require_closed = 1; break;
		case 'h':
			printf("usage: custos audit verify DIR "
			    "[--require-closed]\n\n"
			    "Checks the ceremony in DIR: the hash chain and "
			    "signature of every record,\nthe ceremony's rules, "
			    "and once closed the minisign signature of the "
			    "whole\ntranscript. Names the first bad record and "
			    "why. Exit status 0 only when\neverything holds "
			    "(and, with --require-closed, the ceremony was "
			    "closed).\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	r = ceremony_verify(argv[optind], &v, NULL, NULL);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, argv[optind],
		    v.why);
		return r == CUSTOS_ERR_NOT_FOUND ? EXIT_BADINPUT : EXIT_FAIL;
	}
	printf("ceremony:   %s%s\n", v.id, v.rehearsal ? " (REHEARSAL)" : "");
	printf("records:    %zu, hash chain and signatures verified\n",
	    v.t.records);
	printf("status:     %s\n", v.closed ? "closed; closing signature "
	    "verified" : "open (not yet closed)");
	printf("transcript sha256:\n");
	cli_print_grouped("  ", v.transcript_sha256);
	cli_hex_words(words, sizeof(words), v.transcript_sha256);
	printf("  words: %s\n", words);
	if (require_closed && !v.closed) {
		fprintf(stderr, "custos: %s: %s: the ceremony is not closed\n",
		    ctx, argv[optind]);
		return EXIT_FAIL;
	}
	printf("verdict:    OK\n");
	return EXIT_OK_;
}

static const struct cli_cmd audit_cmds[] = {
	{ "verify", audit_verify_cmd, "check a ceremony's transcript and "
	    "signatures" },
	{ NULL, NULL, NULL },
};

int
cmd_audit(int argc, char **argv)
{
	return cli_dispatch("audit", audit_cmds, argc - 1, argv + 1);
}
