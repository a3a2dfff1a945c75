/*
 * cmd_share_split.c - custos share split | reshare | print: M-of-N splits
 * of a DKEK share among custodians, as SLIP-39 mnemonics (the default) or
 * as sc-hsm-tool's password shares of a .pbe file (--scheme sc-hsm).
 * custos share combine is in cmd_share_combine.c; the shared pieces in
 * share_split.c.
 */
#include <stdio.h>
#include <string.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/sharefile.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "../shamir/pwshare_text.h"
#include "../shamir/slip39.h"
#include "cli.h"
#include "cmds.h"
#include "share_sheet.h"
#include "share_split.h"

static const char split_usage[] =
    "usage: custos share split (FILE | --new) --threshold M\n"
    "         (--custodian NAME ... | --custodians A,B,C) --out-dir DIR\n"
    "         [--scheme slip39 | --scheme sc-hsm --out FILE.pbe]\n"
    "         [--title TEXT] [--qr unicode|none] [--share-files "
    "[--kdf-memory MiB] [--kdf-passes N]]\n"
    "         [--passphrase-fd N | --passphrase-file PATH]\n"
    "         [--new-passphrase-fd N | --new-passphrase-file PATH]\n"
    "         [--ceremony DIR [--actor NAME] [--admin-passphrase-fd N | "
    "--admin-passphrase-file P]]\n\n"
    "Splits the DKEK share in FILE (or, with --new, a new random share) "
    "so that any M\nof the named custodians can rebuild it. The default, "
    "SLIP-39, writes one sheet per\ncustodian into DIR (share-I-NAME.txt: "
    "33 words and a QR code) and, with\n--share-files, a custos v1 file "
    "of each custodian's member share under their own\npassphrase "
    "(share-I-NAME.share; a member share, never a DKEK share).\n"
    "--scheme sc-hsm writes the share to FILE.pbe under a random 8-byte "
    "password and\nsplits that password as sc-hsm-tool does, one sheet "
    "per custodian\n(pwshare-I-NAME.txt). Every new split is rebuilt from "
    "a quorum before anything\nis written. Nothing is ever overwritten.\n";

static const char legacy_note[] =
    "sc-hsm-tool password share of the .pbe file named above. Any\n"
    "threshold of these recombine with custos share combine --scheme "
    "sc-hsm, or\nwith sc-hsm-tool --import-dkek-share FILE "
    "--pwd-shares-total K (K shares).\nThe scheme has no integrity check; "
    "custos checks the result against the file.";

/* Opens the input share (FILE, or --new) into share (32, guarded). */
static int
input_share(const char *ctx, const struct split_args *a,
    unsigned char *share)
{
	struct sharefile_info info;
	struct prompt_src src;
	int ex;

	if (a->new_share) {
		dkek_share_generate(share, NULL, 0);
		return EXIT_OK_;
	}
	if ((ex = cli_secret_source(&src, a->pw_fd, a->pw_file, ctx)) !=
	    EXIT_OK_)
		return ex;
	ex = cmd_open_share(ctx, a->pos[0], &src, share, &info);
	prompt_src_close(&src);
	return ex;
}

/* --scheme sc-hsm: a .pbe under a random password, split T-of-N. */
static int
split_legacy(const char *ctx, const struct split_args *a,
    struct ceremony *cer, const unsigned char *share, json_t **facts)
{
	struct pwshare *sh = NULL;
	struct sheet_info si;
	unsigned char *pwd = NULL, *back = NULL, fpr[DKEK_FPR_LEN];
	char block[PWSHARE_FORMAT_MAX], *sheet = NULL, path[4096], ident[40];
	char cline[160], fhex[20], created[UTCTIME_LEN + 1], pfx[17];
	size_t i, sheetlen = 0;
	int r, ex = EXIT_FAIL;

	if ((sh = secmem_alloc(sizeof(*sh) * a->ncust)) == NULL ||
	    (pwd = secmem_alloc(PWSHARE_PWD_LEN)) == NULL ||
	    (back = secmem_alloc(PWSHARE_PWD_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((r = pwshare_split(pwd, sh, (unsigned)a->threshold,
	    (unsigned)a->ncust)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	/* A quorum (the last M) must give the password back. */
	if (pwshare_combine(sh + a->ncust - a->threshold, a->threshold,
	    back) != CUSTOS_OK ||
	    secmem_equal(back, pwd, PWSHARE_PWD_LEN) != 0) {
		fprintf(stderr, "custos: %s: the new password shares do not "
		    "rebuild the password; nothing was written\n", ctx);
		goto out;
	}
	fprintf(stderr, "custos: deriving the sc-hsm-tool key (10,000,000 "
	    "MD5 rounds, about 10 s)...\n");
	if ((r = sharefile_create(a->out, SHAREFILE_PBE, share, pwd,
	    PWSHARE_PWD_LEN, NULL, PBE_ITERATIONS)) != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a->out,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	printf("wrote %s (sc-hsm-tool .pbe, random 8-byte password)\n",
	    a->out);
	dkek_share_fingerprint(fpr, share);
	encode_hex_grouped8(fhex, fpr);
	utctime_now(created);
	if (encode_hex(pfx, sizeof(pfx), sh[0].prime, PWSHARE_NUM_LEN, 0) !=
	    CUSTOS_OK)
		goto out;
	snprintf(ident, sizeof(ident), "prime %s", pfx);
	memset(&si, 0, sizeof(si));
	si.kind = "sc-hsm-tool password share";
	si.ceremony = split_ceremony_line(cline, sizeof(cline), a, cer);
	si.count = (unsigned)a->ncust;
	si.threshold = (unsigned)a->threshold;
	si.identifier = ident;
	si.fingerprint = fhex;
	si.created = created;
	si.note = legacy_note;
	si.file = a->out;
	for (i = 0; i < a->ncust; i++) {
		si.custodian = a->cust[i];
		si.index = (unsigned)i + 1;
		if ((r = pwshare_format(block, sizeof(block), &sh[i],
		    (unsigned)i + 1, (unsigned)a->ncust)) != CUSTOS_OK ||
		    (r = sheet_pwshare(&sheet, &sheetlen, &si, block)) !=
		    CUSTOS_OK) {
			ex = cli_fail(ctx, r);
			goto out;
		}
		split_out_name(path, sizeof(path), a->out_dir, "pwshare", i,
		    a->cust[i], "txt");
		ex = split_write_file(ctx, path, sheet, sheetlen);
		secmem_free(sheet);
		sheet = NULL;
		if (ex != EXIT_OK_)
			goto out;
	}
	printf("checked: %lu of the password shares rebuild the password\n",
	    a->threshold);
	printf("prime: %s\nshare fingerprint: %s\n", pfx, fhex);
	if ((*facts = split_facts("sc-hsm", a, pfx, fpr)) != NULL)
		json_object_set_new(*facts, "file", json_string(a->out));
	ex = EXIT_OK_;
 out:
	secmem_wipe(block, sizeof(block));
	secmem_free(sheet);
	secmem_free(back);
	secmem_free(pwd);
	secmem_free(sh);
	return ex;
}

static int
share_split(int argc, char **argv)
{
	static const char ctx[] = "share split";
	struct split_args a;
	struct ceremony *cer = NULL;
	unsigned char *share = NULL, fpr[DKEK_FPR_LEN];
	json_t *facts = NULL;
	char ident[16];
	uint16_t id = 0;
	int legacy, ex;

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
	if ((ex = split_check_custodians(ctx, &a, legacy ? PWSHARE_MAX :
	    SLIP39_MAX_MEMBERS)) != EXIT_OK_ ||
	    (a.share_files && (ex = split_check_kdf(ctx, &a)) != EXIT_OK_) ||
	    (legacy && (ex = cli_check_recordable(ctx, "output file name",
	    a.out)) != EXIT_OK_))
		goto done;
	if (legacy && a.ncust >= 10)
		fprintf(stderr, "custos: warning: sc-hsm-tool reads share IDs "
		    "of 10 and up as hex and gets them wrong;\ncustos: warning:"
		    " those custodians must recombine with custos share "
		    "combine\n");
	if ((ex = split_prepare_out_dir(ctx, &a, legacy ? "pwshare" :
	    "share", a.share_files)) != EXIT_OK_)
		goto done;
	if (legacy && (ex = cli_check_recordable(ctx, "directory name",
	    a.out_dir)) != EXIT_OK_)
		goto done;
	if ((ex = cli_open_ceremony(ctx, a.ceremony_dir, a.admin_fd,
	    a.admin_file, a.actor, legacy ? a.out : a.out_dir, a.pos,
	    a.npos, &cer)) != EXIT_OK_)
		goto done;
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto done;
	}
	if ((ex = input_share(ctx, &a, share)) != EXIT_OK_)
		goto done;
	if (legacy) {
		ex = split_legacy(ctx, &a, cer, share, &facts);
	} else if ((ex = split_slip39(ctx, &a, cer, share, -1, &id)) ==
	    EXIT_OK_) {
		snprintf(ident, sizeof(ident), "%u", id);
		dkek_share_fingerprint(fpr, share);
		facts = split_facts("slip39", &a, ident, fpr);
	}
	if (ex == EXIT_OK_ && cer != NULL) {
		if (facts == NULL) {
			ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
			goto done;
		}
		json_object_set_new(facts, "from", json_string(a.new_share ?
		    "new random share" : a.pos[0]));
		json_object_set_new(facts, "out_dir", json_string(a.out_dir));
		ex = cli_record(ctx, cer, a.actor != NULL ? a.actor :
		    "operator", "share.split", facts);
	}
 done:
	json_decref(facts);
	secmem_free(share);
	ceremony_free(cer);
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
    "         [--share-files] [--ceremony DIR ...]\n\n"
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
	struct split_result res;
	struct ceremony *cer = NULL;
	unsigned char fpr[DKEK_FPR_LEN], want[DKEK_FPR_LEN];
	json_t *facts = NULL;
	char ident[16];
	uint16_t id = 0;
	int ex;

	memset(&res, 0, sizeof(res));
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
	if ((ex = split_check_custodians(ctx, &a, SLIP39_MAX_MEMBERS)) !=
	    EXIT_OK_ || (a.share_files &&
	    (ex = split_check_kdf(ctx, &a)) != EXIT_OK_) ||
	    (ex = split_prepare_out_dir(ctx, &a, "share", a.share_files)) !=
	    EXIT_OK_)
		goto done;
	if ((ex = cli_open_ceremony(ctx, a.ceremony_dir, a.admin_fd,
	    a.admin_file, a.actor, a.out_dir, a.pos, a.npos, &cer)) !=
	    EXIT_OK_)
		goto done;
	/* The threshold and custodians of the command are the new set's;
	 * the old set's come from its shares. */
	if ((ex = split_combine(ctx, &a, &res)) != EXIT_OK_)
		goto done;
	dkek_share_fingerprint(fpr, res.share);
	if (a.expect_fpr != NULL &&
	    secmem_equal(fpr, want, DKEK_FPR_LEN) != 0) {
		fprintf(stderr, "custos: %s: the rebuilt share is not the one "
		    "recorded (fingerprint differs); nothing was written\n",
		    ctx);
		ex = EXIT_BADINPUT;
		goto done;
	}
	if ((ex = split_slip39(ctx, &a, cer, res.share, res.legacy ? -1 :
	    (long)res.identifier, &id)) != EXIT_OK_)
		goto done;
	printf("old set (%s %s, threshold %u) retired: a quorum of the new "
	    "set was checked\n", res.legacy ? "prime" : "identifier",
	    res.ident, res.threshold);
	snprintf(ident, sizeof(ident), "%u", id);
	if (cer != NULL) {
		if ((facts = split_facts("slip39", &a, ident, fpr)) == NULL) {
			ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
			goto done;
		}
		json_object_set_new(facts, "old_scheme", json_string(
		    res.legacy ? "sc-hsm" : "slip39"));
		json_object_set_new(facts, "old_identifier",
		    json_string(res.ident));
		json_object_set_new(facts, "old_threshold",
		    json_integer(res.threshold));
		json_object_set_new(facts, "old_shares_given",
		    json_integer(res.given));
		json_object_set_new(facts, "old_set", json_string("retired"));
		json_object_set_new(facts, "out_dir", json_string(a.out_dir));
		ex = cli_record(ctx, cer, a.actor != NULL ? a.actor :
		    "operator", "share.reshare", facts);
	}
 done:
	json_decref(facts);
	split_result_free(&res);
	ceremony_free(cer);
	split_args_free(&a);
	return ex;
}

static const char print_usage[] =
    "usage: custos share print --custodian NAME --out FILE\n"
    "         [--shares-file PATH | --shares-fd N] [--fingerprint FPR] "
    "[--title T]\n         [--qr unicode|none] [--ceremony DIR ...]\n\n"
    "Regenerates a custodian's SLIP-39 sheet from their mnemonic (typed "
    "without echo,\nor the first mnemonic of --shares-file/--shares-fd), "
    "after checking it. The\nshare fingerprint is only printed when given "
    "(--fingerprint): one mnemonic\ncannot show it.\n";

/* Reads one mnemonic and decodes it; names a bad word. */
static int
read_one_mnemonic(const char *ctx, const struct split_args *a,
    struct slip39_share *s, char **mn)
{
	struct prompt_src src;
	char bad[SLIP39_BAD_WORD_MAX];
	size_t len = 0, pos = 0;
	int r, ex;

	prompt_src_tty(&src);
	if ((ex = cli_secret_source(&src, a->shares_fd, a->shares_file,
	    ctx)) != EXIT_OK_)
		return ex;
	do {
		secmem_free(*mn);
		*mn = NULL;
		r = prompt_secret(&src, "Mnemonic (33 words)", 0, mn, &len);
	} while (r == CUSTOS_OK && src.fd >= 0 && ((*mn)[0] == '\0' ||
	    (*mn)[0] == '#'));
	prompt_src_close(&src);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s\n", ctx, r ==
		    CUSTOS_ERR_TRUNCATED ? "no mnemonic in the input" :
		    custos_strerror(r));
		return r == CUSTOS_ERR_TRUNCATED ? EXIT_BADINPUT :
		    cli_exit_code(r);
	}
	if ((r = slip39_mnemonic_decode(*mn, s, bad, sizeof(bad), &pos)) !=
	    CUSTOS_OK) {
		if (pos > 0)
			fprintf(stderr, "custos: %s: word %zu '%s': %s\n", ctx,
			    pos, bad, r == CUSTOS_ERR_CORRUPT ? "the checksum "
			    "fails; this word is probably wrong" : "not a "
			    "SLIP-39 word");
		else
			fprintf(stderr, "custos: %s: not a valid SLIP-39 "
			    "mnemonic: %s\n", ctx, custos_strerror(r));
		return EXIT_BADINPUT;
	}
	return EXIT_OK_;
}

static int
share_print(int argc, char **argv)
{
	static const char ctx[] = "share print";
	struct split_args a;
	struct slip39_share *s = NULL;
	struct sheet_info si;
	struct ceremony *cer = NULL;
	unsigned char fpr[DKEK_FPR_LEN];
	char *mn = NULL, *sheet = NULL, ident[32], cline[160], fhex[20];
	size_t sheetlen = 0;
	json_t *facts = NULL;
	int r, ex;

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
	if ((ex = cli_check_recordable(ctx, "custodian label", a.cust[0])) !=
	    EXIT_OK_ || (ex = cli_open_ceremony(ctx, a.ceremony_dir,
	    a.admin_fd, a.admin_file, a.actor, a.out, NULL, 0, &cer)) !=
	    EXIT_OK_)
		goto done;
	if ((s = secmem_alloc(sizeof(*s))) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto done;
	}
	if ((ex = read_one_mnemonic(ctx, &a, s, &mn)) != EXIT_OK_)
		goto done;
	/* Re-encode: the sheet shows the canonical full words. */
	if ((r = slip39_mnemonic_encode(s, mn, PROMPT_SECRET_MAX)) !=
	    CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto done;
	}
	snprintf(ident, sizeof(ident), "%u (SLIP-39, 15 bits)",
	    s->identifier);
	if (a.fpr != NULL)
		encode_hex_grouped8(fhex, fpr);
	memset(&si, 0, sizeof(si));
	si.kind = "SLIP-39 mnemonic share";
	si.ceremony = split_ceremony_line(cline, sizeof(cline), &a, cer);
	si.custodian = a.cust[0];
	si.index = s->member_index + 1U;
	si.count = 0;
	si.threshold = s->member_threshold;
	si.identifier = ident;
	si.fingerprint = a.fpr != NULL ? fhex : NULL;
	si.note = "Reprinted from the mnemonic (custos share print); the "
	    "number of shares in the\nsplit is not part of a mnemonic.";
	if ((r = sheet_mnemonic(&sheet, &sheetlen, &si, mn, a.qr == NULL ||
	    strcmp(a.qr, "none") != 0)) != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto done;
	}
	if ((ex = split_write_file(ctx, a.out, sheet, sheetlen)) != EXIT_OK_)
		goto done;
	if (cer != NULL) {
		facts = json_pack("{s:s, s:s, s:i, s:i, s:i}", "scheme",
		    "slip39", "custodian", a.cust[0], "identifier",
		    (int)s->identifier, "member_index", s->member_index + 1,
		    "threshold", (int)s->member_threshold);
		json_object_set_new(facts, "file", json_string(a.out));
		ex = cli_record(ctx, cer, a.actor != NULL ? a.actor :
		    a.cust[0], "share.print", facts);
	}
 done:
	json_decref(facts);
	secmem_free(sheet);
	secmem_free(mn);
	secmem_free(s);
	ceremony_free(cer);
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
