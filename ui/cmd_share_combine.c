/*
 * cmd_share_combine.c - custos share combine: rebuilds a DKEK share from
 * a quorum of its M-of-N shares (share_combine.c), checks it against the
 * fingerprint recorded at the split, and writes it to a share file or
 * just prints its fingerprint and KCV.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/sharefile.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
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

static int
write_result(const char *ctx, const struct split_args *a,
    const unsigned char *share)
{
	struct v1_header h;
	struct prompt_src src;
	enum sharefile_format f = a->format != NULL &&
	    strcmp(a->format, "pbe") == 0 ? SHAREFILE_PBE : SHAREFILE_V1;
	char *pw = NULL;
	size_t pwlen = 0;
	int r, ex;

	memset(&h, 0, sizeof(h));
	if (f == SHAREFILE_V1) {
		snprintf(h.label, sizeof(h.label), "%s", a->label);
		h.opslimit = a->kdf_ops;
		h.mem_kib = a->kdf_mem_mib * 1024;
	}
	if (a->new_pw_fd != NULL || a->new_pw_file != NULL)
		ex = cli_secret_source(&src, a->new_pw_fd, a->new_pw_file, ctx);
	else if (a->npos == 0)
		ex = cli_secret_source(&src, a->pw_fd, a->pw_file, ctx);
	else
		ex = cli_secret_source(&src, NULL, NULL, ctx);
	if (ex != EXIT_OK_)
		return ex;
	r = cli_new_passphrase(ctx, &src, "New passphrase for the share file",
	    f == SHAREFILE_PBE, &pw, &pwlen);
	prompt_src_close(&src);
	if (r != CUSTOS_OK)
		return r == CUSTOS_ERR_WEAK_PASSPHRASE ? cli_exit_code(r) :
		    cli_fail(ctx, r);
	if (f == SHAREFILE_PBE)
		fprintf(stderr, "custos: deriving the sc-hsm-tool key "
		    "(10,000,000 MD5 rounds, about 10 s)...\n");
	r = sharefile_create(a->out, f, share, (unsigned char *)pw, pwlen, &h,
	    PBE_ITERATIONS);
	secmem_free(pw);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a->out,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	printf("wrote %s (%s)\n", a->out, sharefile_format_name(f));
	return EXIT_OK_;
}

/* Checks the options of combine before anything is read. */
static int
combine_options(const char *ctx, const struct split_args *a,
    unsigned char want[DKEK_FPR_LEN])
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
	if (access(a->out, F_OK) == 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a->out,
		    custos_strerror(CUSTOS_ERR_EXISTS));
		return EXIT_REFUSED;
	}
	return split_check_kdf(ctx, a);
}

int
cmd_share_combine(int argc, char **argv)
{
	static const char ctx[] = "share combine";
	struct split_args a;
	struct split_result res;
	struct ceremony *cer = NULL;
	unsigned char fpr[DKEK_FPR_LEN], want[DKEK_FPR_LEN], kcv[8];
	char fhex[20], khex[17], fraw[17];
	json_t *facts = NULL;
	int ex, match = -1;

	memset(&res, 0, sizeof(res));
	if ((ex = split_parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		goto done;
	if (a.help) {
		fputs(combine_usage, stdout);
		goto done;
	}
	if ((ex = combine_options(ctx, &a, want)) != EXIT_OK_ ||
	    (ex = cli_check_recordable(ctx, "file name", a.pbe)) != EXIT_OK_ ||
	    (ex = cli_open_ceremony(ctx, a.ceremony_dir, a.admin_fd,
	    a.admin_file, a.actor, a.out, a.pos, a.npos, &cer)) != EXIT_OK_)
		goto done;
	ex = split_combine(ctx, &a, &res);
	if (ex == EXIT_OK_) {
		dkek_share_fingerprint(fpr, res.share);
		encode_hex_grouped8(fhex, fpr);
		if (a.expect_fpr != NULL)
			match = secmem_equal(fpr, want, DKEK_FPR_LEN) == 0;
		if (match == 0) {
			fprintf(stderr, "custos: %s: the rebuilt share's "
			    "fingerprint %s is not the recorded one; nothing "
			    "was written\n", ctx, fhex);
			ex = EXIT_BADINPUT;
		} else if (a.out != NULL) {
			ex = write_result(ctx, &a, res.share);
		}
	}
	if (ex == EXIT_OK_) {
		dkek_kcv(kcv, res.share);
		dkek_kcv_hex(khex, kcv);
		printf("rebuilt from %u shares (%s, threshold %u)\n",
		    res.given, res.legacy ? "sc-hsm-tool" : "SLIP-39",
		    res.threshold);
		printf("share fingerprint: %s%s\n", fhex, match == 1 ?
		    " (matches the recorded one)" : "");
		printf("KCV if it is the only share: %s\n", khex);
	}
	if (cer != NULL && ex != EXIT_USAGE) {
		facts = json_pack("{s:s, s:i, s:i, s:s, s:s}", "scheme",
		    res.legacy ? "sc-hsm" : "slip39", "threshold",
		    (int)res.threshold, "shares_given", (int)res.given,
		    "identifier", res.ident, "outcome", ex == EXIT_OK_ ?
		    "rebuilt" : "failed");
		if (ex == EXIT_OK_ && encode_hex(fraw, sizeof(fraw), fpr,
		    DKEK_FPR_LEN, 1) == CUSTOS_OK)
			json_object_set_new(facts, "share_fingerprint",
			    json_string(fraw));
		if (match >= 0)
			json_object_set_new(facts, "fingerprint_matches",
			    json_boolean(match));
		if (res.wrong[0] != '\0')
			json_object_set_new(facts, "wrong_shares",
			    json_string(res.wrong));
		if (a.out != NULL && ex == EXIT_OK_)
			json_object_set_new(facts, "file", json_string(a.out));
		if (a.pbe != NULL)
			json_object_set_new(facts, "pbe", json_string(a.pbe));
		if (cli_record(ctx, cer, a.actor != NULL ? a.actor :
		    "operator", "share.combine", facts) != EXIT_OK_ &&
		    ex == EXIT_OK_)
			ex = EXIT_FAIL;
	}
 done:
	json_decref(facts);
	split_result_free(&res);
	ceremony_free(cer);
	split_args_free(&a);
	return ex;
}
