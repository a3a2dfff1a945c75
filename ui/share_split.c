/*
 * share_split.c - the options of the M-of-N commands (cmd_share_split.c,
 * cmd_share_combine.c) and their checks before anything is asked. The
 * splits and combines themselves are the engine's (ceremony/op_split.c,
 * ceremony/op_combine.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ceremony/op_share.h"
#include "../ceremony/sharefile_v1.h"
#include "../common/encode.h"
#include "cli.h"
#include "cli_io.h"
#include "share_split.h"

enum {
	OPT_SCHEME = 256, OPT_THRESHOLD, OPT_CUSTODIAN, OPT_CUSTODIANS,
	OPT_OUT, OPT_OUT_DIR, OPT_FORMAT, OPT_LABEL, OPT_TITLE, OPT_QR,
	OPT_PW_FD, OPT_PW_FILE, OPT_NEW_PW_FD, OPT_NEW_PW_FILE, OPT_SH_FD,
	OPT_SH_FILE, OPT_PBE, OPT_EXPECT, OPT_FPR, OPT_NEW, OPT_CHECK,
	OPT_SHARE_FILES, OPT_KDF_MEM, OPT_KDF_OPS, OPT_CEREMONY, OPT_ADMIN_FD,
	OPT_ADMIN_FILE, OPT_ACTOR, OPT_PAPER, OPT_HELP,
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
	{ "paper", required_argument, NULL, OPT_PAPER },
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
	a->kdf_mem_mib = 0;	/* 0, 0: fitted to this machine (kdfcost.h) */
	a->kdf_ops = 0;
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
		case OPT_PAPER:
			if (paper_parse(optarg, &a->paper) != CUSTOS_OK)
				return cli_usage_error(ctx, "--paper must be "
				    "'a4' or 'letter'");
			break;
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
split_parse_fpr(const char *s, char fpr[17])
{
	unsigned char b[8];
	size_t n = 0, i;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ':')
			continue;
		if (n == 16)
			return -1;
		fpr[n++] = *s;
	}
	fpr[n] = '\0';
	if (n != 16 || decode_hex(b, sizeof(b), fpr, n) != CUSTOS_OK)
		return -1;
	for (i = 0; i < n; i++)
		if (fpr[i] >= 'a' && fpr[i] <= 'f')
			fpr[i] = (char)(fpr[i] - 'a' + 'A');
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

int
split_check_kdf(const char *ctx, const struct split_args *a)
{
	if (a->kdf_mem_mib > V1_MEM_KIB_MAX / 1024 || (a->kdf_mem_mib != 0 &&
	    a->kdf_mem_mib * 1024 < V1_MEM_KIB_FLOOR) ||
	    a->kdf_ops > V1_OPS_MAX) {
		fprintf(stderr, "custos: %s: --kdf-memory must be %llu..%llu "
		    "MiB and --kdf-passes 1..%llu\n", ctx,
		    V1_MEM_KIB_FLOOR / 1024, V1_MEM_KIB_MAX / 1024,
		    V1_OPS_MAX);
		return EXIT_USAGE;
	}
	return EXIT_OK_;
}

int
split_combine_args(const char *ctx, const struct split_args *a,
    struct cli_io *io, struct op_combine_args *ca)
{
	int legacy = a->scheme != NULL && strcmp(a->scheme, "sc-hsm") == 0;
	int ex;

	memset(ca, 0, sizeof(*ca));
	ca->legacy = a->scheme == NULL ? -1 : legacy;
	ca->pbe = a->pbe;
	ca->threshold = (unsigned)a->threshold;
	if (a->npos > 0 && (legacy || a->shares_fd || a->shares_file))
		return cli_usage_error(ctx, "member share files cannot be mixed "
		    "with other shares");
	if (a->npos > 0) {
		ca->from = OP_SHARES_MEMBER_FILES;
		ca->files = a->pos;
		ca->nfiles = (size_t)a->npos;
		return cli_io_source(io, OP_SECRET_OLD, a->pw_fd, a->pw_file);
	}
	ca->from = OP_SHARES_INPUT;
	if ((ex = cli_io_source(io, OP_SECRET_SHARES, a->shares_fd,
	    a->shares_file)) != EXIT_OK_)
		return ex;
	/* at a terminal the scheme is what the options say (SLIP-39 by
	   default); an input says it by its text */
	if (a->shares_fd == NULL && a->shares_file == NULL && !legacy)
		ca->legacy = 0;
	return EXIT_OK_;
}
