/*
 * share_split.c - the pieces of the M-of-N commands (cmd_share_split.c,
 * cmd_share_combine.c): options, custodian labels, output directories and
 * the SLIP-39 split with its sheets.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/sharefile.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "../shamir/slip39.h"
#include "cli.h"
#include "share_sheet.h"
#include "../ceremony/sharefile_member.h"
#include "share_split.h"

#define SLIP39_ITER_EXP 1	/* the reference implementation's default */

enum {
	OPT_SCHEME = 256, OPT_THRESHOLD, OPT_CUSTODIAN, OPT_CUSTODIANS,
	OPT_OUT, OPT_OUT_DIR, OPT_FORMAT, OPT_LABEL, OPT_TITLE, OPT_QR,
	OPT_PW_FD, OPT_PW_FILE, OPT_NEW_PW_FD, OPT_NEW_PW_FILE, OPT_SH_FD,
	OPT_SH_FILE, OPT_PBE, OPT_EXPECT, OPT_FPR, OPT_NEW, OPT_CHECK,
	OPT_SHARE_FILES, OPT_KDF_MEM, OPT_KDF_OPS, OPT_CEREMONY, OPT_ADMIN_FD,
	OPT_ADMIN_FILE, OPT_ACTOR, OPT_HELP,
};

static const struct option split_opts[] = {
	{ "scheme", required_argument, NULL, OPT_SCHEME },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "custodian", required_argument, NULL, OPT_CUSTODIAN },
	{ "custodians", required_argument, NULL, OPT_CUSTODIANS },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "qr", required_argument, NULL, OPT_QR },
	{ "passphrase-fd", required_argument, NULL, OPT_PW_FD },
	{ "passphrase-file", required_argument, NULL, OPT_PW_FILE },
	{ "new-passphrase-fd", required_argument, NULL, OPT_NEW_PW_FD },
	{ "new-passphrase-file", required_argument, NULL, OPT_NEW_PW_FILE },
	{ "shares-fd", required_argument, NULL, OPT_SH_FD },
	{ "shares-file", required_argument, NULL, OPT_SH_FILE },
	{ "pbe", required_argument, NULL, OPT_PBE },
	{ "expect-fingerprint", required_argument, NULL, OPT_EXPECT },
	{ "fingerprint", required_argument, NULL, OPT_FPR },
	{ "new", no_argument, NULL, OPT_NEW },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "share-files", no_argument, NULL, OPT_SHARE_FILES },
	{ "kdf-memory", required_argument, NULL, OPT_KDF_MEM },
	{ "kdf-passes", required_argument, NULL, OPT_KDF_OPS },
	{ "ceremony", required_argument, NULL, OPT_CEREMONY },
	{ "admin-passphrase-fd", required_argument, NULL, OPT_ADMIN_FD },
	{ "admin-passphrase-file", required_argument, NULL, OPT_ADMIN_FILE },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
parse_num(const char *s, unsigned long long *v)
{
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (*end == '\0' && errno == 0) ? 0 : -1;
}

/* Adds the comma-separated names of list to a->cust. */
static int
add_custodians(const char *ctx, struct split_args *a, const char *list)
{
	char *copy, *p, *save = NULL;
	size_t used = 0;

	if (a->cust_buf != NULL)
		return cli_usage_error(ctx, "give --custodians once");
	if ((a->cust_buf = strdup(list)) == NULL)
		return cli_fail(ctx, CUSTOS_ERR_NOMEM);
	copy = a->cust_buf;
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save), used++) {
		if (a->ncust == SPLIT_MAX_CUSTODIANS)
			return cli_usage_error(ctx, "too many custodians");
		a->cust[a->ncust++] = p;
	}
	if (used == 0)
		return cli_usage_error(ctx, "--custodians needs names");
	return EXIT_OK_;
}

int
split_parse_args(const char *ctx, int argc, char **argv,
    struct split_args *a)
{
	unsigned long long v;
	int c, ex;

	memset(a, 0, sizeof(*a));
	a->kdf_mem_mib = V1_MEM_KIB_DEFAULT / 1024;
	a->kdf_ops = V1_OPS_DEFAULT;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", split_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SCHEME: a->scheme = optarg; break;
		case OPT_CUSTODIAN:
			if (a->ncust == SPLIT_MAX_CUSTODIANS)
				return cli_usage_error(ctx, "too many "
				    "custodians");
			a->cust[a->ncust++] = optarg;
			break;
		case OPT_CUSTODIANS:
			if ((ex = add_custodians(ctx, a, optarg)) != EXIT_OK_)
				return ex;
			break;
		case OPT_OUT: a->out = optarg; break;
		case OPT_OUT_DIR: a->out_dir = optarg; break;
		case OPT_FORMAT: a->format = optarg; break;
		case OPT_LABEL: a->label = optarg; break;
		case OPT_TITLE: a->title = optarg; break;
		case OPT_QR: a->qr = optarg; break;
		case OPT_PW_FD: a->pw_fd = optarg; break;
		case OPT_PW_FILE: a->pw_file = optarg; break;
		case OPT_NEW_PW_FD: a->new_pw_fd = optarg; break;
		case OPT_NEW_PW_FILE: a->new_pw_file = optarg; break;
		case OPT_SH_FD: a->shares_fd = optarg; break;
		case OPT_SH_FILE: a->shares_file = optarg; break;
		case OPT_PBE: a->pbe = optarg; break;
		case OPT_EXPECT: a->expect_fpr = optarg; break;
		case OPT_FPR: a->fpr = optarg; break;
		case OPT_NEW: a->new_share = 1; break;
		case OPT_CHECK: a->check = 1; break;
		case OPT_SHARE_FILES: a->share_files = 1; break;
		case OPT_CEREMONY: a->ceremony_dir = optarg; break;
		case OPT_ADMIN_FD: a->admin_fd = optarg; break;
		case OPT_ADMIN_FILE: a->admin_file = optarg; break;
		case OPT_ACTOR: a->actor = optarg; break;
		case OPT_THRESHOLD:
			if (parse_num(optarg, &v) != 0 || v < 1 || v > 255)
				return cli_usage_error(ctx, "--threshold takes "
				    "a number from 2 to 255");
			a->threshold = (unsigned long)v;
			break;
		case OPT_KDF_MEM:
			if (parse_num(optarg, &a->kdf_mem_mib) != 0)
				return cli_usage_error(ctx, "--kdf-memory "
				    "takes a number of MiB");
			break;
		case OPT_KDF_OPS:
			if (parse_num(optarg, &a->kdf_ops) != 0)
				return cli_usage_error(ctx, "--kdf-passes "
				    "takes a number");
			break;
		case 'h': case OPT_HELP: a->help = 1; break;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	a->npos = argc - optind;
	a->pos = argv + optind;
	if (a->scheme != NULL && strcmp(a->scheme, "slip39") != 0 &&
	    strcmp(a->scheme, "sc-hsm") != 0)
		return cli_usage_error(ctx, "--scheme must be 'slip39' or "
		    "'sc-hsm'");
	if (a->qr != NULL && strcmp(a->qr, "unicode") != 0 &&
	    strcmp(a->qr, "none") != 0)
		return cli_usage_error(ctx, "--qr must be 'unicode' or "
		    "'none'");
	return EXIT_OK_;
}

void
split_args_free(struct split_args *a)
{
	free(a->cust_buf);
	a->cust_buf = NULL;
}

int
split_parse_fpr(const char *s, unsigned char fpr[DKEK_FPR_LEN])
{
	char hex[2 * DKEK_FPR_LEN + 1];
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ':')
			continue;
		if (n == sizeof(hex) - 1)
			return -1;
		hex[n++] = *s;
	}
	if (n != sizeof(hex) - 1 || decode_hex(fpr, DKEK_FPR_LEN, hex, n) !=
	    CUSTOS_OK)
		return -1;
	return 0;
}

/* Checks the custodian labels and threshold for a split of max shares. */
int
split_check_custodians(const char *ctx, const struct split_args *a,
    size_t max)
{
	const char *why;
	size_t i, j;
	int ex;

	if (a->ncust < 2)
		return cli_usage_error(ctx, "name at least two custodians "
		    "(--custodian NAME, repeated, or --custodians a,b,c)");
	if (a->ncust > max) {
		fprintf(stderr, "custos: %s: at most %zu custodians in this "
		    "scheme\n", ctx, max);
		return EXIT_USAGE;
	}
	if (a->threshold < 2 || a->threshold > a->ncust) {
		fprintf(stderr, "custos: %s: --threshold must be 2 to %zu (the "
		    "number of custodians)\n", ctx, a->ncust);
		return EXIT_USAGE;
	}
	for (i = 0; i < a->ncust; i++) {
		if ((why = v1_check_text(a->cust[i], V1_LABEL_MAX)) != NULL) {
			fprintf(stderr, "custos: %s: custodian %zu: label %s\n",
			    ctx, i + 1, why);
			return EXIT_USAGE;
		}
		if ((ex = cli_check_recordable(ctx, "custodian label",
		    a->cust[i])) != EXIT_OK_)
			return ex;
		for (j = 0; j < i; j++)
			if (strcmp(a->cust[i], a->cust[j]) == 0) {
				fprintf(stderr, "custos: %s: custodian '%s' "
				    "named twice\n", ctx, a->cust[i]);
				return EXIT_USAGE;
			}
	}
	return EXIT_OK_;
}

/* DIR/PREFIX-I-LABEL.EXT, the label reduced to safe file-name bytes. */
void
split_out_name(char *path, size_t sz, const char *dir,
    const char *prefix, size_t i, const char *label, const char *ext)
{
	char safe[41];
	size_t k;

	for (k = 0; k < sizeof(safe) - 1 && label[k] != '\0'; k++) {
		unsigned char ch = (unsigned char)label[k];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
			safe[k] = label[k];
		else
			safe[k] = '_';
	}
	safe[k] = '\0';
	snprintf(path, sz, "%s/%s-%zu-%s.%s", dir, prefix, i + 1, safe, ext);
}

/* Makes dir (0700) unless it is already a directory; refuses any of the
 * files the split would write when it exists. */
int
split_prepare_out_dir(const char *ctx, const struct split_args *a,
    const char *prefix, int with_share_files)
{
	struct stat st;
	char path[4096];
	size_t i;

	if (mkdir(a->out_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a->out_dir,
		    custos_strerror(custos_err_from_errno(errno)));
		return EXIT_FAIL;
	}
	if (stat(a->out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "custos: %s: %s: not a directory\n", ctx,
		    a->out_dir);
		return EXIT_USAGE;
	}
	for (i = 0; i < a->ncust; i++) {
		int k;

		for (k = 0; k < 1 + with_share_files; k++) {
			split_out_name(path, sizeof(path), a->out_dir,
			    prefix, i, a->cust[i], k == 0 ? "txt" : "share");
			if (lstat(path, &st) == 0) {
				fprintf(stderr, "custos: %s: %s: %s\n", ctx,
				    path, custos_strerror(CUSTOS_ERR_EXISTS));
				return EXIT_REFUSED;
			}
		}
	}
	return EXIT_OK_;
}

int
split_write_file(const char *ctx, const char *path, const char *buf,
    size_t len)
{
	int r = atomicio_create(path, buf, len);

	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, path,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	printf("wrote %s\n", path);
	return EXIT_OK_;
}

/* "title (id)", the title, the id, or NULL. */
const char *
split_ceremony_line(char *buf, size_t sz, const struct split_args *a,
    struct ceremony *cer)
{
	if (a->title != NULL && cer != NULL)
		snprintf(buf, sz, "%s (%s)", a->title, ceremony_id(cer));
	else if (a->title != NULL)
		snprintf(buf, sz, "%s", a->title);
	else if (cer != NULL)
		snprintf(buf, sz, "%s", ceremony_id(cer));
	else
		return NULL;
	return buf;
}

static const char slip39_note[] =
    "Any threshold of these sheets rebuilds the DKEK share with\n"
    "  custos share combine\n"
    "which checks every word as it is typed. Keep this sheet sealed; never\n"
    "photograph it. Losing more sheets than the threshold allows loses the "
    "share.";

/* Writes custodian i's v1 member share file under their passphrase. */
static int
write_member_file(const char *ctx, const struct split_args *a,
    const char *pw, size_t pwlen, size_t i, const struct slip39_share *s,
    struct ceremony *cer)
{
	struct v1_header h;
	char path[4096];
	int r;

	memset(&h, 0, sizeof(h));
	snprintf(h.label, sizeof(h.label), "%s", a->cust[i]);
	if (cer != NULL)
		snprintf(h.ceremony, sizeof(h.ceremony), "%s",
		    ceremony_id(cer));
	sharefile_member_comment(h.comment, sizeof(h.comment), s);
	h.opslimit = a->kdf_ops;
	h.mem_kib = a->kdf_mem_mib * 1024;
	split_out_name(path, sizeof(path), a->out_dir, "share", i, a->cust[i],
	    "share");
	r = sharefile_create(path, SHAREFILE_V1, s->value,
	    (const unsigned char *)pw, pwlen, &h, PBE_ITERATIONS);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, path,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	printf("wrote %s (custos v1, %s's passphrase)\n", path, a->cust[i]);
	return EXIT_OK_;
}

/*
 * Reads every custodian's new passphrase (policy-checked) into pw[i]
 * before any file is written, so a refused one leaves nothing behind.
 */
static int
ask_passphrases(const char *ctx, const struct split_args *a, char **pw,
    size_t *pwlen)
{
	struct prompt_src src;
	char what[160];
	size_t i;
	int r, ex;

	if ((ex = cli_secret_source(&src, a->new_pw_fd, a->new_pw_file,
	    ctx)) != EXIT_OK_)
		return ex;
	for (i = 0; i < a->ncust && ex == EXIT_OK_; i++) {
		snprintf(what, sizeof(what), "New passphrase for %s's share "
		    "file", a->cust[i]);
		if ((r = cli_new_passphrase(ctx, &src, what, 0, &pw[i],
		    &pwlen[i])) != CUSTOS_OK)
			ex = r == CUSTOS_ERR_WEAK_PASSPHRASE ?
			    cli_exit_code(r) : cli_fail(ctx, r);
	}
	prompt_src_close(&src);
	return ex;
}

/* Checks the kdf options of --share-files. */
int
split_check_kdf(const char *ctx, const struct split_args *a)
{
	if (a->kdf_mem_mib > V1_MEM_KIB_MAX / 1024 ||
	    a->kdf_mem_mib * 1024 < V1_MEM_KIB_FLOOR ||
	    a->kdf_ops < 1 || a->kdf_ops > V1_OPS_MAX) {
		fprintf(stderr, "custos: %s: --kdf-memory must be %llu..%llu "
		    "MiB and --kdf-passes 1..%llu\n", ctx,
		    V1_MEM_KIB_FLOOR / 1024, V1_MEM_KIB_MAX / 1024,
		    V1_OPS_MAX);
		return EXIT_USAGE;
	}
	return EXIT_OK_;
}

int
split_slip39(const char *ctx, const struct split_args *a,
    struct ceremony *cer, const unsigned char *share, long avoid_id,
    uint16_t *id)
{
	struct slip39_group g;
	struct slip39_share *sh = NULL, *back = NULL;
	struct sheet_info si;
	unsigned char *again = NULL, fpr[DKEK_FPR_LEN];
	char *mn = NULL, *sheet = NULL, ident[32], cline[160], fhex[20];
	char created[UTCTIME_LEN + 1], path[4096], bad[SLIP39_BAD_WORD_MAX];
	char *pw[SLIP39_MAX_MEMBERS] = { NULL };
	size_t pwlen[SLIP39_MAX_MEMBERS] = { 0 };
	size_t n = 0, i, len = 0, sheetlen = 0, badpos;
	int r, ex = EXIT_FAIL, tries;

	if (a->ncust > SLIP39_MAX_MEMBERS)
		return cli_fail(ctx, CUSTOS_ERR_LIMIT);
	g.threshold = (uint8_t)a->threshold;
	g.count = (uint8_t)a->ncust;
	if ((sh = secmem_alloc(sizeof(*sh) * a->ncust)) == NULL ||
	    (back = secmem_alloc(sizeof(*back) * a->ncust)) == NULL ||
	    (again = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (mn = secmem_alloc((SLIP39_MNEMONIC_MAX + 1) * a->ncust)) ==
	    NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	for (tries = 0; tries < 8; tries++) {
		r = slip39_split(share, DKEK_SHARE_LEN, NULL, 0, 1,
		    SLIP39_ITER_EXP, 1, &g, 1, sh, a->ncust, &n, id);
		if (r != CUSTOS_OK || (long)*id != avoid_id)
			break;
	}
	if (r != CUSTOS_OK || n != a->ncust) {
		ex = cli_fail(ctx, r != CUSTOS_OK ? r : CUSTOS_ERR_INTERNAL);
		goto out;
	}
	/* Encode every mnemonic, then decode a quorum and rebuild. */
	for (i = 0; i < n; i++) {
		char *m = mn + i * (SLIP39_MNEMONIC_MAX + 1);

		if ((r = slip39_mnemonic_encode(&sh[i], m,
		    SLIP39_MNEMONIC_MAX + 1)) != CUSTOS_OK ||
		    (r = slip39_mnemonic_decode(m, &back[i], bad, sizeof(bad),
		    &badpos)) != CUSTOS_OK) {
			ex = cli_fail(ctx, r);
			goto out;
		}
	}
	if (slip39_combine(back + n - a->threshold, a->threshold, NULL, 0,
	    again, DKEK_SHARE_LEN, &len, NULL) != CUSTOS_OK ||
	    len != DKEK_SHARE_LEN ||
	    secmem_equal(again, share, DKEK_SHARE_LEN) != 0) {
		fprintf(stderr, "custos: %s: the new shares do not rebuild the "
		    "share; nothing was written\n", ctx);
		ex = EXIT_FAIL;
		goto out;
	}
	if (a->share_files &&
	    (ex = ask_passphrases(ctx, a, pw, pwlen)) != EXIT_OK_)
		goto out;
	dkek_share_fingerprint(fpr, share);
	encode_hex_grouped8(fhex, fpr);
	utctime_now(created);
	snprintf(ident, sizeof(ident), "%u (SLIP-39, 15 bits)", *id);
	memset(&si, 0, sizeof(si));
	si.kind = "SLIP-39 mnemonic share";
	si.ceremony = split_ceremony_line(cline, sizeof(cline), a, cer);
	si.count = (unsigned)n;
	si.threshold = (unsigned)a->threshold;
	si.identifier = ident;
	si.fingerprint = fhex;
	si.created = created;
	si.note = slip39_note;
	for (i = 0; i < n; i++) {
		si.custodian = a->cust[i];
		si.index = (unsigned)i + 1;
		if ((r = sheet_mnemonic(&sheet, &sheetlen, &si,
		    mn + i * (SLIP39_MNEMONIC_MAX + 1), a->qr == NULL ||
		    strcmp(a->qr, "none") != 0)) != CUSTOS_OK) {
			ex = cli_fail(ctx, r);
			goto out;
		}
		split_out_name(path, sizeof(path), a->out_dir, "share", i,
		    a->cust[i], "txt");
		ex = split_write_file(ctx, path, sheet, sheetlen);
		secmem_free(sheet);
		sheet = NULL;
		if (ex != EXIT_OK_)
			goto out;
	}
	for (i = 0; a->share_files && i < n; i++)
		if ((ex = write_member_file(ctx, a, pw[i], pwlen[i], i, &sh[i],
		    cer)) != EXIT_OK_)
			goto out;
	printf("checked: %lu of the new shares rebuild the share\n",
	    a->threshold);
	printf("identifier: %u\nshare fingerprint: %s\n", *id, fhex);
	ex = EXIT_OK_;
 out:
	for (i = 0; i < SLIP39_MAX_MEMBERS; i++)
		secmem_free(pw[i]);
	secmem_free(sheet);
	secmem_free(mn);
	secmem_free(again);
	secmem_free(back);
	secmem_free(sh);
	return ex;
}

json_t *
split_facts(const char *scheme, const struct split_args *a,
    const char *ident, const unsigned char fpr[DKEK_FPR_LEN])
{
	json_t *facts, *labels;
	char fhex[2 * DKEK_FPR_LEN + 1];
	size_t i;

	if (encode_hex(fhex, sizeof(fhex), fpr, DKEK_FPR_LEN, 1) != CUSTOS_OK)
		fhex[0] = '\0';
	if ((labels = json_array()) == NULL)
		return NULL;
	for (i = 0; i < a->ncust; i++)
		json_array_append_new(labels, json_string(a->cust[i]));
	facts = json_pack("{s:s, s:i, s:i, s:o, s:s, s:s}", "scheme", scheme,
	    "threshold", (int)a->threshold, "count", (int)a->ncust,
	    "custodians", labels, "identifier", ident, "share_fingerprint",
	    fhex);
	return facts;
}
