/*
 * cmd_share_combine.c - custos share combine: rebuilds a DKEK share from
 * a quorum of its M-of-N shares, checks it against the fingerprint
 * recorded at the split, and writes it to a share file or just prints its
 * fingerprint and KCV. The work is the engine's (ceremony/op_combine.c).
 */
#include <stdio.h>
#include <string.h>

#include "../ceremony/op_share.h"
#include "../ceremony/sharefile_v1.h"
#include "cli.h"
#include "cli_io.h"
#include "cmds.h"
#include "share_split.h"

static const char combine_usage[] =
    "usage: custos share combine (--check | --out FILE [--format v1|pbe] "
    "[--label NAME])\n"
    "         [--shares-file PATH | --shares-fd N | MEMBER.share ...]\n"
    "         [--scheme slip39|sc-hsm] [--pbe FILE.pbe] [--threshold T]\n"
    "         [--expect-fingerprint FPR] [--passphrase-fd N | "
    "--passphrase-file PATH]\n"
    "         [--new-passphrase-fd N | --new-passphrase-file PATH]\n"
    "         [--ceremony DIR [--actor NAME] [--admin-passphrase-fd N | "
    "--admin-passphrase-file P]]\n\n"
    "Rebuilds a DKEK share from M of its shares: SLIP-39 mnemonics (typed "
    "one per\nprompt without echo, or one per line of --shares-file/"
    "--shares-fd), SLIP-39\nmember share files (custos share split "
    "--share-files), or sc-hsm-tool's printed\npassword shares (--scheme "
    "sc-hsm, or detected in the input) with the .pbe file\nthey open "
    "(--pbe). Each share is checked as it comes, then all together, then\n"
    "the result; given more shares than the threshold (--threshold T for "
    "sc-hsm-tool\nshares), a wrong share is named and left out when the "
    "rest agree. With\n--expect-fingerprint the result must match the "
    "fingerprint recorded at the\nsplit. --check prints the fingerprint "
    "and KCV only; --out writes a share file\n(custos v1 needs --label) "
    "under a new passphrase.\n";

/* Checks the options of combine before anything is read. */
static int
combine_options(const char *ctx, const struct split_args *a, char want[17])
{
	if ((a->check != 0) == (a->out != NULL))
		return cli_usage_error(ctx, "give --check or --out FILE");
	if (a->ncust != 0 || a->out_dir != NULL)
		return cli_usage_error(ctx, "custodians and --out-dir are for "
		    "share split and share reshare");
	if (a->expect_fpr != NULL && split_parse_fpr(a->expect_fpr, want) !=
	    0)
		return cli_usage_error(ctx, "--expect-fingerprint takes 16 hex "
		    "digits");
	if (a->threshold == 1)
		return cli_usage_error(ctx, "--threshold must be 2 or more");
	if (a->out == NULL)
		return EXIT_OK_;
	if (a->format != NULL && strcmp(a->format, "v1") != 0 &&
	    strcmp(a->format, "pbe") != 0)
		return cli_usage_error(ctx, "format must be 'v1' or 'pbe'");
	if ((a->format == NULL || strcmp(a->format, "v1") == 0) &&
	    (a->label == NULL || v1_check_text(a->label, V1_LABEL_MAX) !=
	    NULL))
		return cli_usage_error(ctx, "a custos v1 output needs a valid "
		    "--label NAME");
	if (cli_file_free(ctx, a->out) != EXIT_OK_)
		return EXIT_REFUSED;
	return split_check_kdf(ctx, a);
}

int
cmd_share_combine(int argc, char **argv)
{
	static const char ctx[] = "share combine";
	struct split_args a;
	struct op_combine_args ca;
	struct op_file_args f;
	struct op_combined res;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	char want[17], kcv[17];
	int ex, r;

	memset(&res, 0, sizeof(res));
	cli_io_init(&io, ctx);
	if ((ex = split_parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		goto done;
	if (a.help) {
		fputs(combine_usage, stdout);
		goto done;
	}
	if ((ex = combine_options(ctx, &a, want)) != EXIT_OK_ ||
	    (ex = cli_check_recordable(ctx, "file name", a.pbe)) != EXIT_OK_)
		goto done;
	if ((r = op_ctx_new(&cx, &io.io, NULL, 0)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto done;
	}
	if ((ex = cli_unlock(ctx, cx, &io, a.ceremony_dir, a.admin_fd,
	    a.admin_file, a.actor, a.out, a.pos, a.npos)) != EXIT_OK_ ||
	    (ex = split_combine_args(ctx, &a, &io, &ca)) != EXIT_OK_)
		goto done;
	/* the new file's passphrase: its own source, else the shares'
	   input (next line), else the terminal */
	if (a.new_pw_fd != NULL || a.new_pw_file != NULL)
		ex = cli_io_source(&io, OP_SECRET_NEW, a.new_pw_fd,
		    a.new_pw_file);
	else if (a.npos == 0)
		ex = cli_io_source(&io, OP_SECRET_NEW, a.pw_fd, a.pw_file);
	if (ex != EXIT_OK_)
		goto done;
	cli_io_same(&io, OP_SECRET_NEW_LEGACY, OP_SECRET_NEW);
	memset(&f, 0, sizeof(f));
	f.format = a.format != NULL && strcmp(a.format, "pbe") == 0 ?
	    OP_FORMAT_PBE : OP_FORMAT_V1;
	f.label = a.label;
	f.kdf_mem_kib = a.kdf_mem_mib * 1024;
	f.kdf_ops = a.kdf_ops;
	if ((r = op_share_combine(cx, &ca, a.expect_fpr != NULL ? want : NULL,
	    a.out, &f, &res)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto done;
	}
	if (a.out != NULL)
		printf("wrote %s (%s)\n", a.out, f.format == OP_FORMAT_V1 ?
		    "custos v1" : "sc-hsm-tool .pbe");
	op_share_kcv(res.share, kcv);
	printf("rebuilt from %u shares (%s, threshold %u)\n", res.given,
	    res.legacy ? "sc-hsm-tool" : "SLIP-39", res.threshold);
	printf("share fingerprint: %.4s %.4s %.4s %.4s%s\n", res.fpr,
	    res.fpr + 4, res.fpr + 8, res.fpr + 12, a.expect_fpr != NULL ?
	    " (matches the recorded one)" : "");
	printf("KCV if it is the only share: %s\n", kcv);
	ex = EXIT_OK_;
 done:
	op_combined_free(&res);
	op_ctx_free(cx);
	cli_io_close(&io);
	split_args_free(&a);
	return ex;
}
