/*
 * cmd_dkek.c - custos dkek kcv FILE...: the KCV of the DKEK those shares
 * make on a card, computed before any card is touched.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/dkek.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

#define DKEK_MAX_SHARES 64

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
	struct ceremony *cer = NULL;
	json_t *facts = NULL, *files = NULL, *fprs = NULL;
	char fhex[17];
	const unsigned char *shares[DKEK_MAX_SHARES];
	unsigned char *buf = NULL, *dkek = NULL, kcv[DKEK_KCV_LEN];
	unsigned char fpr[DKEK_FPR_LEN];
	struct sharefile_info info;
	struct prompt_src src;
	char kcvhex[17], g[20];
	size_t n, i, da = 0, db = 0;
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
	if (n > DKEK_MAX_SHARES)
		return cli_usage_error(ctx, "too many share files");
	if ((ex = cli_open_ceremony(ctx, cdir, admin_fd, admin_file,
	    actor, NULL, argv + optind, (int)n, &cer)) != EXIT_OK_)
		return ex;
	if (actor == NULL)
		actor = "operator";
	if ((ex = cli_secret_source(&src, pw_fd, pw_file, ctx)) != EXIT_OK_) {
		ceremony_free(cer);
		return ex;
	}
	files = json_array();
	fprs = json_array();
	buf = secmem_alloc(n * DKEK_SHARE_LEN);
	dkek = secmem_alloc(DKEK_SHARE_LEN);
	if (buf == NULL || dkek == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	for (i = 0; i < n; i++) {
		unsigned char *s = buf + i * DKEK_SHARE_LEN;

		if ((ex = cmd_open_share(ctx, argv[optind + (int)i], &src, s,
		    &info)) != EXIT_OK_ || (ex = cmd_refuse_member(ctx,
		    argv[optind + (int)i], &info)) != EXIT_OK_)
			goto out;
		shares[i] = s;
		dkek_share_fingerprint(fpr, s);
		encode_hex_grouped8(g, fpr);
		if (encode_hex(fhex, sizeof(fhex), fpr, DKEK_FPR_LEN, 1) !=
		    CUSTOS_OK)
			fhex[0] = '\0';
		json_array_append_new(files, json_string(argv[optind +
		    (int)i]));
		json_array_append_new(fprs, json_string(fhex));
		printf("share %zu: %s  fingerprint %s\n", i + 1,
		    argv[optind + (int)i], g);
	}
	r = dkek_combine(dkek, kcv, shares, n, &da, &db);
	if (r != CUSTOS_OK && cer != NULL) {
		json_t *ff = json_pack("{s:O, s:O, s:s, s:s}", "files", files,
		    "share_fingerprints", fprs, "outcome", "refused", "error",
		    custos_strerror(r));

		(void)cli_record(ctx, cer, actor, "dkek.kcv", ff);
		json_decref(ff);
	}
	if (r == CUSTOS_ERR_DUPLICATE_SHARE) {
		fprintf(stderr, "custos: %s: %s and %s hold the same share; "
		    "importing both would cancel it out\n", ctx,
		    argv[optind + (int)da], argv[optind + (int)db]);
		ex = EXIT_REFUSED;
		goto out;
	}
	if (r != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	dkek_kcv_hex(kcvhex, kcv);
	encode_hex_grouped8(g, kcv);
	facts = json_pack("{s:O, s:O, s:I, s:s}", "files", files,
	    "share_fingerprints", fprs, "shares", (json_int_t)n, "kcv",
	    kcvhex);
	if ((ex = cli_record(ctx, cer, actor, "dkek.kcv", facts)) != EXIT_OK_)
		goto out;
	printf("DKEK shares          : %zu\n", n);
	printf("DKEK key check value : %s  (%s)\n", kcvhex, g);
	ex = EXIT_OK_;
 out:
	secmem_free(buf);
	secmem_free(dkek);
	prompt_src_close(&src);
	ceremony_free(cer);
	json_decref(facts);
	json_decref(files);
	json_decref(fprs);
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
