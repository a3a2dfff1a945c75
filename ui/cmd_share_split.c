/*
 * cmd_share_split.c - custos share split | reshare | print: M-of-N splits
 * of a DKEK share among custodians, as SLIP-39 mnemonics (the default) or
 * as sc-hsm-tool's password shares of a .pbe file (--scheme sc-hsm).
 * custos share combine is in cmd_share_combine.c; the options in
 * share_split.c; the work is the engine's (ceremony/op_split*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_share.h"
#include "cli.h"
#include "cli_io.h"
#include "cmds.h"
#include "share_split.h"

static const char split_usage[] =
    "usage: custos share split (FILE | --new) --threshold M\n"
    "         (--custodian NAME ... | --custodians A,B,C) --out-dir DIR\n"
    "         [--scheme slip39 | --scheme sc-hsm --out FILE.pbe]\n"
    "         [--title TEXT] [--qr unicode|none] [--paper a4|letter]\n"
    "         [--share-files [--kdf-memory MiB] [--kdf-passes N]]\n"
    "         [--passphrase-fd N | --passphrase-file PATH]\n"
    "         [--new-passphrase-fd N | --new-passphrase-file PATH]\n"
    "         [--ceremony DIR [--actor NAME] [--admin-passphrase-fd N | "
    "--admin-passphrase-file P]]\n\n"
    "Splits the DKEK share in FILE (or, with --new, a new random share) "
    "so that any M\nof the named custodians can rebuild it. The default, "
    "SLIP-39, writes one sheet per\ncustodian into DIR (share-I-NAME.txt: "
    "33 words and a QR code; share-I-NAME.pdf:\nthe same, print-ready, "
    "on A4 or --paper letter) and, with\n--share-files, a custos v1 file "
    "of each custodian's member share under their own\npassphrase "
    "(share-I-NAME.share; a member share, never a DKEK share).\n"
    "--scheme sc-hsm writes the share to FILE.pbe under a random 8-byte "
    "password and\nsplits that password as sc-hsm-tool does, one sheet "
    "per custodian\n(pwshare-I-NAME.txt and .pdf). Every new split is "
    "rebuilt from a quorum before\nanything is written. Nothing is ever "
    "overwritten.\n";

/* The engine, the ceremony and the sources the options name. */
static int
begin(const char *ctx, const struct split_args *a, struct cli_io *io,
    struct op_ctx **cx, const char *out)
{
	int ex, r;

	cli_io_init(io, ctx);
	if ((r = op_ctx_new(cx, &io->io, NULL, 0)) != CUSTOS_OK)
		return cli_fail(ctx, r);
	if ((ex = cli_unlock(ctx, *cx, io, a->ceremony_dir, a->admin_fd,
	    a->admin_file, a->actor, out, a->pos, a->npos)) != EXIT_OK_)
		return ex;
	if ((ex = cli_io_source(io, OP_SECRET_NEW, a->new_pw_fd,
	    a->new_pw_file)) != EXIT_OK_)
		return ex;
	return EXIT_OK_;
}

/* The split arguments of the options. */
static void
split_args_of(const struct split_args *a, struct op_split_args *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->threshold = (unsigned)a->threshold;
	sa->custodians = a->cust;
	sa->ncustodians = a->ncust;
	sa->out_dir = a->out_dir;
	sa->sheets = 1;
	sa->member_files = a->share_files;
	sa->qr = a->qr == NULL || strcmp(a->qr, "none") != 0;
	sa->paper = a->paper;
	sa->title = a->title;
	sa->kdf_mem_kib = a->kdf_mem_mib * 1024;
	sa->kdf_ops = a->kdf_ops;
	sa->avoid_id = -1;
	sa->file_prefix = "share";
}

static void
print_split(const struct split_args *a, const struct op_split_result *res)
{
	printf("checked: %lu of the new shares rebuild the share\n",
	    a->threshold);
	printf("identifier: %u\nshare fingerprint: %.4s %.4s %.4s %.4s\n",
	    res->identifier, res->fpr, res->fpr + 4, res->fpr + 8,
	    res->fpr + 12);
}

static int
share_split(int argc, char **argv)
{
	static const char ctx[] = "share split";
	struct split_args a;
	struct op_split_args sa;
	struct op_split_result res;
	struct op_share in;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	char prime[17], fpr[17];
	int legacy, ex, r;

	memset(&in, 0, sizeof(in));
	cli_io_init(&io, ctx);
	if ((ex = split_parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		goto done;
	if (a.help) {
		fputs(split_usage, stdout);
		goto done;
	}
	legacy = a.scheme != NULL && strcmp(a.scheme, "sc-hsm") == 0;
	ex = EXIT_USAGE;
	if (a.npos != (a.new_share ? 0 : 1)) {
		cli_usage_error(ctx, "give one share FILE, or --new");
		goto done;
	}
	if (a.out_dir == NULL) {
		cli_usage_error(ctx, "--out-dir DIR is required (the "
		    "custodians' sheets)");
		goto done;
	}
	if (legacy && (a.out == NULL || a.share_files)) {
		cli_usage_error(ctx, "--scheme sc-hsm needs --out FILE.pbe "
		    "and takes no --share-files");
		goto done;
	}
	if (!legacy && a.out != NULL) {
		cli_usage_error(ctx, "--out is for --scheme sc-hsm");
		goto done;
	}
	if ((ex = split_check_custodians(ctx, &a, legacy ? 255 :
	    OP_SPLIT_MAX)) != EXIT_OK_ || (a.share_files &&
	    (ex = split_check_kdf(ctx, &a)) != EXIT_OK_) ||
	    (legacy && ((ex = cli_check_recordable(ctx, "output file name",
	    a.out)) != EXIT_OK_ || (ex = cli_file_free(ctx, a.out)) !=
	    EXIT_OK_)))
		goto done;
	if (legacy && a.ncust >= 10)
		fprintf(stderr, "custos: warning: sc-hsm-tool reads share IDs "
		    "of 10 and up as hex and gets them wrong;\ncustos: warning:"
		    " those custodians must recombine with custos share "
		    "combine\n");
	if ((ex = begin(ctx, &a, &io, &cx, legacy ? a.out : a.out_dir)) !=
	    EXIT_OK_ || (ex = cli_io_source(&io, OP_SECRET_OLD, a.pw_fd,
	    a.pw_file)) != EXIT_OK_)
		goto done;
	if (!a.new_share && (r = op_share_open_file(cx, a.pos[0], &in)) !=
	    CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto done;
	}
	split_args_of(&a, &sa);
	sa.share = a.new_share ? NULL : in.value;
	sa.from = a.new_share ? NULL : a.pos[0];
	if (legacy) {
		if ((r = op_share_split_legacy(cx, &sa, a.out, prime, fpr)) !=
		    CUSTOS_OK) {
			ex = cli_op_fail(ctx, cx, r);
			goto done;
		}
		printf("checked: %lu of the password shares rebuild the "
		    "password\n", a.threshold);
		printf("prime: %s\nshare fingerprint: %.4s %.4s %.4s %.4s\n",
		    prime, fpr, fpr + 4, fpr + 8, fpr + 12);
	} else {
		if ((r = op_share_split(cx, &sa, &res)) != CUSTOS_OK) {
			ex = cli_op_fail(ctx, cx, r);
			goto done;
		}
		print_split(&a, &res);
	}
	ex = EXIT_OK_;
 done:
	op_share_clear(&in);
	op_ctx_free(cx);
	cli_io_close(&io);
	split_args_free(&a);
	return ex;
}

static const char reshare_usage[] =
    "usage: custos share reshare --threshold M (--custodian NAME ... | "
    "--custodians A,B,C)\n"
    "         --out-dir DIR [--shares-file PATH | --shares-fd N | "
    "MEMBER.share ...]\n"
    "         [--scheme slip39|sc-hsm --pbe FILE.pbe] [--expect-fingerprint "
    "FPR] [--title T]\n"
    "         [--share-files] [--paper a4|letter] [--ceremony DIR ...]\n\n"
    "Rebuilds a DKEK share from a quorum of an existing split (checked as "
    "by custos\nshare combine) and splits it again with SLIP-39 for a new "
    "set of custodians,\nwith a new identifier. The new split is rebuilt "
    "from a quorum of the new\nshares before the old set is declared "
    "retired. The share, and so the DKEK and\nits KCV, do not change.\n";

static int
share_reshare(int argc, char **argv)
{
	static const char ctx[] = "share reshare";
	struct split_args a;
	struct op_split_args sa;
	struct op_split_result res;
	struct op_combine_args ca;
	struct op_combined was;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	char want[17];
	int ex, r;

	memset(&was, 0, sizeof(was));
	cli_io_init(&io, ctx);
	if ((ex = split_parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		goto done;
	if (a.help) {
		fputs(reshare_usage, stdout);
		goto done;
	}
	if (a.out_dir == NULL || a.out != NULL || a.check) {
		ex = cli_usage_error(ctx, "--out-dir DIR is required (and no "
		    "--out or --check)");
		goto done;
	}
	if (a.expect_fpr != NULL && split_parse_fpr(a.expect_fpr, want) !=
	    0) {
		ex = cli_usage_error(ctx, "--expect-fingerprint takes 16 hex "
		    "digits");
		goto done;
	}
	if ((ex = split_check_custodians(ctx, &a, OP_SPLIT_MAX)) != EXIT_OK_ ||
	    (a.share_files && (ex = split_check_kdf(ctx, &a)) != EXIT_OK_) ||
	    (ex = begin(ctx, &a, &io, &cx, a.out_dir)) != EXIT_OK_ ||
	    (ex = split_combine_args(ctx, &a, &io, &ca)) != EXIT_OK_)
		goto done;
	/* The threshold and custodians of the command are the new set's;
	 * the old set's come from its shares. */
	ca.threshold = 0;
	split_args_of(&a, &sa);
	if ((r = op_share_reshare(cx, &ca, a.expect_fpr != NULL ? want : NULL,
	    &sa, &was, &res)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto done;
	}
	print_split(&a, &res);
	printf("old set (%s %s, threshold %u) retired: a quorum of the new "
	    "set was checked\n", was.legacy ? "prime" : "identifier",
	    was.ident, was.threshold);
	ex = EXIT_OK_;
 done:
	op_combined_free(&was);
	op_ctx_free(cx);
	cli_io_close(&io);
	split_args_free(&a);
	return ex;
}

static const char print_usage[] =
    "usage: custos share print --custodian NAME --out FILE\n"
    "         [--shares-file PATH | --shares-fd N] [--fingerprint FPR] "
    "[--title T]\n         [--qr unicode|none] [--paper a4|letter] "
    "[--ceremony DIR ...]\n\n"
    "Regenerates a custodian's SLIP-39 sheet from their mnemonic (typed "
    "without echo,\nor the first mnemonic of --shares-file/--shares-fd), "
    "after checking it, and\nas PDF (FILE with .pdf for its .txt). The "
    "share fingerprint is only printed\nwhen given (--fingerprint): one "
    "mnemonic cannot show it.\n";

static int
share_print(int argc, char **argv)
{
	static const char ctx[] = "share print";
	struct split_args a;
	struct op_ctx *cx = NULL;
	struct cli_io io;
	char fpr[17], grouped[20];
	int ex, r;

	cli_io_init(&io, ctx);
	if ((ex = split_parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		goto done;
	if (a.help) {
		fputs(print_usage, stdout);
		goto done;
	}
	if (a.ncust != 1 || a.out == NULL || a.npos != 0) {
		ex = cli_usage_error(ctx, "give one --custodian NAME and --out "
		    "FILE");
		goto done;
	}
	if (a.fpr != NULL && split_parse_fpr(a.fpr, fpr) != 0) {
		ex = cli_usage_error(ctx, "--fingerprint takes 16 hex digits");
		goto done;
	}
	snprintf(grouped, sizeof(grouped), "%.4s %.4s %.4s %.4s", fpr, fpr + 4,
	    fpr + 8, fpr + 12);
	if ((ex = cli_check_recordable(ctx, "custodian label", a.cust[0])) !=
	    EXIT_OK_ || (ex = begin(ctx, &a, &io, &cx, a.out)) != EXIT_OK_ ||
	    (ex = cli_io_source(&io, OP_SECRET_SHARES, a.shares_fd,
	    a.shares_file)) != EXIT_OK_)
		goto done;
	if ((r = op_share_print(cx, a.cust[0], a.out, a.fpr != NULL ? grouped :
	    NULL, a.title, a.qr == NULL || strcmp(a.qr, "none") != 0,
	    a.paper)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, cx, r);
		goto done;
	}
	ex = EXIT_OK_;
 done:
	op_ctx_free(cx);
	cli_io_close(&io);
	split_args_free(&a);
	return ex;
}

int
cmd_share_split(int argc, char **argv)
{
	return share_split(argc, argv);
}

int
cmd_share_reshare(int argc, char **argv)
{
	return share_reshare(argc, argv);
}

int
cmd_share_print(int argc, char **argv)
{
	return share_print(argc, argv);
}
