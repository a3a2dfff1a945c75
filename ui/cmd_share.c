/*
 * cmd_share.c - custos share create | inspect | verify | convert, and the
 * dispatch of every share subcommand. The work is the engine's
 * (ceremony/op_share.c); this file turns argv into calls and prints what
 * they give.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_share.h"
#include "../ceremony/sharefile_v1.h"
#include "cli.h"
#include "cli_io.h"
#include "cmds.h"

enum {
	OPT_LABEL = 256, OPT_OUT, OPT_FORMAT, OPT_CEREMONY_ID, OPT_COMMENT,
	OPT_PW_FD, OPT_PW_FILE, OPT_NEW_PW_FD, OPT_NEW_PW_FILE, OPT_KDF_MEM,
	OPT_KDF_OPS, OPT_TO, OPT_HELP, OPT_CEREMONY, OPT_ADMIN_FD,
	OPT_ADMIN_FILE, OPT_ACTOR, OPT_CARD,
};

static const struct option share_opts[] = {
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "to", required_argument, NULL, OPT_TO },
	{ "ceremony-id", required_argument, NULL, OPT_CEREMONY_ID },
	{ "comment", required_argument, NULL, OPT_COMMENT },
	{ "passphrase-fd", required_argument, NULL, OPT_PW_FD },
	{ "passphrase-file", required_argument, NULL, OPT_PW_FILE },
	{ "new-passphrase-fd", required_argument, NULL, OPT_NEW_PW_FD },
	{ "new-passphrase-file", required_argument, NULL, OPT_NEW_PW_FILE },
	{ "kdf-memory", required_argument, NULL, OPT_KDF_MEM },
	{ "kdf-passes", required_argument, NULL, OPT_KDF_OPS },
	{ "ceremony", required_argument, NULL, OPT_CEREMONY },
	{ "admin-passphrase-fd", required_argument, NULL, OPT_ADMIN_FD },
	{ "admin-passphrase-file", required_argument, NULL, OPT_ADMIN_FILE },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "card", required_argument, NULL, OPT_CARD },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct share_args {
	const char *ceremony_dir, *admin_fd, *admin_file, *actor, *card;
	const char *label, *out, *format, *ceremony, *comment;
	const char *pw_fd, *pw_file, *new_pw_fd, *new_pw_file;
	unsigned long long kdf_mem_mib, kdf_ops;
	int help;
	int npos;
	char **pos;
	struct cli_io io;
	struct op_ctx *cx;
};

static int
parse_ull(const char *s, unsigned long long *v)
{
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoull(s, &end, 10);
	return (*end == '\0') ? 0 : -1;
}

static int
parse_args(const char *ctx, int argc, char **argv, struct share_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	cli_io_init(&a->io, ctx);
	a->kdf_mem_mib = 0;	/* 0, 0: fitted to this machine (kdfcost.h) */
	a->kdf_ops = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", share_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LABEL: a->label = optarg; break;
		case OPT_OUT: a->out = optarg; break;
		case OPT_FORMAT: case OPT_TO: a->format = optarg; break;
		case OPT_CEREMONY_ID: a->ceremony = optarg; break;
		case OPT_COMMENT: a->comment = optarg; break;
		case OPT_PW_FD: a->pw_fd = optarg; break;
		case OPT_PW_FILE: a->pw_file = optarg; break;
		case OPT_NEW_PW_FD: a->new_pw_fd = optarg; break;
		case OPT_NEW_PW_FILE: a->new_pw_file = optarg; break;
		case OPT_CEREMONY: a->ceremony_dir = optarg; break;
		case OPT_ADMIN_FD: a->admin_fd = optarg; break;
		case OPT_ADMIN_FILE: a->admin_file = optarg; break;
		case OPT_ACTOR: a->actor = optarg; break;
		case OPT_CARD: a->card = optarg; break;
		case OPT_KDF_MEM:
			if (parse_ull(optarg, &a->kdf_mem_mib) != 0)
				return cli_usage_error(ctx, "--kdf-memory "
				    "takes a number of MiB");
			break;
		case OPT_KDF_OPS:
			if (parse_ull(optarg, &a->kdf_ops) != 0)
				return cli_usage_error(ctx, "--kdf-passes "
				    "takes a number");
			break;
		case 'h': case OPT_HELP: a->help = 1; break;
		default:
			fprintf(stderr, "custos: %s: unknown or incomplete "
			    "option '%s' (try --help)\n", ctx,
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	a->npos = argc - optind;
	a->pos = argv + optind;
	return EXIT_OK_;
}

/* The engine and the ceremony (--ceremony DIR), before anything is
   asked; the passphrase source(s). */
static int
begin(const char *ctx, struct share_args *a)
{
	int ex, r;

	if ((ex = cli_io_source(&a->io, OP_SECRET_OLD, a->pw_fd, a->pw_file))
	    != EXIT_OK_)
		return ex;
	if ((r = op_ctx_new(&a->cx, &a->io.io, NULL, 0)) != CUSTOS_OK)
		return cli_fail(ctx, r);
	return cli_unlock(ctx, a->cx, &a->io, a->ceremony_dir, a->admin_fd,
	    a->admin_file, a->actor, a->out, a->pos, a->npos);
}

static void
end(struct share_args *a)
{
	op_ctx_free(a->cx);
	a->cx = NULL;
	cli_io_close(&a->io);
}

static int
parse_format(const char *ctx, const char *s, enum op_share_format *f)
{
	if (s == NULL || strcmp(s, "v1") == 0 || strcmp(s, "custos") == 0)
		*f = OP_FORMAT_V1;
	else if (strcmp(s, "pbe") == 0)
		*f = OP_FORMAT_PBE;
	else
		return cli_usage_error(ctx, "format must be 'v1' or 'pbe'");
	return EXIT_OK_;
}

/* The new file's header from the options, checked before anything is
   asked. */
static int
file_args(const char *ctx, const struct share_args *a,
    enum op_share_format fmt, struct op_file_args *f)
{
	memset(f, 0, sizeof(*f));
	f->format = fmt;
	f->label = a->label;
	f->ceremony = a->ceremony;
	f->comment = a->comment;
	f->kdf_ops = a->kdf_ops;
	f->kdf_mem_kib = a->kdf_mem_mib * 1024;
	if (fmt == OP_FORMAT_V1 && a->label == NULL)
		return cli_usage_error(ctx, "--label NAME is required for a "
		    "custos v1 file (the custodian's name)");
	if (a->kdf_mem_mib > V1_MEM_KIB_MAX / 1024 || a->kdf_ops > V1_OPS_MAX) {
		fprintf(stderr, "custos: %s: --kdf-memory must be %llu..%llu "
		    "MiB and --kdf-passes 1..%llu\n", ctx,
		    V1_MEM_KIB_FLOOR / 1024, V1_MEM_KIB_MAX / 1024,
		    V1_OPS_MAX);
		return EXIT_USAGE;
	}
	return EXIT_OK_;
}

static void
print_fpr(const char *prefix, const char *fpr)
{
	printf("%s%.4s %.4s %.4s %.4s\n", prefix, fpr, fpr + 4, fpr + 8,
	    fpr + 12);
}

static int
share_create(int argc, char **argv)
{
	static const char ctx[] = "share create";
	struct share_args a;
	struct op_create_args ca;
	struct op_create_result res;
	enum op_share_format f = OP_FORMAT_V1;
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share create --out FILE [--label NAME] "
		    "[--format v1|pbe]\n"
		    "         [--ceremony-id ID] [--comment TEXT] "
		    "[--kdf-memory MiB] [--kdf-passes N]\n"
		    "         [--passphrase-fd N | --passphrase-file PATH] "
		    "[--card SPEC]\n\n"
		    "Creates a new random 32-byte DKEK share and writes it, "
		    "encrypted under a new\npassphrase, to FILE (never "
		    "overwritten), then opens it again to check it. When\na "
		    "SmartCard-HSM is in a PC/SC reader (or --card names one), "
		    "32 bytes of its\nGET CHALLENGE are mixed into the OS "
		    "random bytes. The default custos v1\nformat needs "
		    "--label (the custodian); --format pbe writes sc-hsm-tool's"
		    " format\ninstead. Prints the share fingerprint. With "
		    "--ceremony DIR the step is recorded\nin that ceremony's "
		    "transcript (administrator passphrase: terminal,\n"
		    "--admin-passphrase-fd N or --admin-passphrase-file PATH; "
		    "--actor NAME says\nwho acted: by default the label).\n");
		return EXIT_OK_;
	}
	if (a.npos != 0)
		return cli_usage_error(ctx, "unexpected argument");
	if (a.out == NULL)
		return cli_usage_error(ctx, "--out FILE is required");
	if ((ex = parse_format(ctx, a.format, &f)) != EXIT_OK_ ||
	    (ex = cli_file_free(ctx, a.out)) != EXIT_OK_)
		return ex;
	memset(&ca, 0, sizeof(ca));
	if ((ex = file_args(ctx, &a, f, &ca.file)) != EXIT_OK_)
		return ex;
	ca.out = a.out;
	ca.card = a.card;
	if ((ex = begin(ctx, &a)) != EXIT_OK_)
		goto out;
	cli_io_same(&a.io, OP_SECRET_NEW, OP_SECRET_OLD);
	cli_io_same(&a.io, OP_SECRET_NEW_LEGACY, OP_SECRET_OLD);
	if ((r = op_share_create(a.cx, &ca, &res)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, a.cx, r);
		goto out;
	}
	printf("wrote %s (%s)\n", a.out, f == OP_FORMAT_V1 ? "custos v1" :
	    "sc-hsm-tool .pbe");
	print_fpr("share fingerprint: ", res.fpr);
	ex = EXIT_OK_;
 out:
	end(&a);
	return ex;
}

static int
share_inspect(int argc, char **argv)
{
	static const char ctx[] = "share inspect";
	struct op_share_header h;
	struct share_args a;
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share inspect FILE\n\nShows the public "
		    "header of a share file; asks for no passphrase. A key\n"
		    "derivation cost below what custos writes is flagged "
		    "WEAK.\n");
		return EXIT_OK_;
	}
	if (a.npos != 1)
		return cli_usage_error(ctx, "give exactly one FILE");
	if ((r = op_ctx_new(&a.cx, &a.io.io, NULL, 0)) != CUSTOS_OK)
		return cli_fail(ctx, r);
	if ((r = op_share_inspect(a.cx, a.pos[0], &h)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, a.cx, r);
		goto out;
	}
	printf("file:        %s\nformat:      %s\n", a.pos[0],
	    h.format == OP_FORMAT_V1 ? "custos v1" : "sc-hsm-tool .pbe");
	if (h.format == OP_FORMAT_PBE) {
		printf("salt:        %s\nkdf:         EVP_BytesToKey MD5, "
		    "10000000 iterations\nintegrity:   none beyond CBC "
		    "padding\n", h.salt);
		printf("fingerprint: unknown until decrypted (custos share "
		    "verify)\n");
		goto out;
	}
	printf("label:       %s\n", h.label);
	printf("fingerprint: %s\n", h.fpr);
	printf("created:     %s\n", h.created);
	if (h.ceremony[0])
		printf("ceremony:    %s\n", h.ceremony);
	if (h.comment[0])
		printf("comment:     %s\n", h.comment);
	if (h.mem_kib % 1024 == 0)
		printf("kdf:         argon2id, %llu MiB, %llu passes%s\n",
		    h.mem_kib / 1024, h.opslimit, h.weak_kdf ? "  WEAK: below "
		    "what custos writes (256 MiB)" : "");
	else
		printf("kdf:         argon2id, %llu KiB, %llu passes%s\n",
		    h.mem_kib, h.opslimit, h.weak_kdf ? "  WEAK: below what "
		    "custos writes (256 MiB)" : "");
	printf("integrity:   XChaCha20-Poly1305 over share and header\n");
 out:
	end(&a);
	return ex;
}

static int
share_verify(int argc, char **argv)
{
	static const char ctx[] = "share verify";
	enum op_share_format f;
	struct share_args a;
	char fpr[17];
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share verify FILE [--passphrase-fd N | "
		    "--passphrase-file PATH]\n"
		    "         [--ceremony DIR [--actor NAME] "
		    "[--admin-passphrase-fd N | --admin-passphrase-file P]]"
		    "\n\nDecrypts FILE and prints the share's fingerprint; "
		    "the share itself is never\nshown. With --ceremony DIR "
		    "the check is recorded, and a wrong passphrase too.\n");
		return EXIT_OK_;
	}
	if (a.npos != 1)
		return cli_usage_error(ctx, "give exactly one FILE");
	if ((ex = begin(ctx, &a)) != EXIT_OK_)
		goto out;
	if ((r = op_share_verify(a.cx, a.pos[0], fpr, &f)) != CUSTOS_OK) {
		ex = cli_op_fail(ctx, a.cx, r);
		goto out;
	}
	printf("%s: passphrase correct (%s)\n", a.pos[0], f == OP_FORMAT_V1 ?
	    "custos v1" : "sc-hsm-tool .pbe");
	print_fpr("share fingerprint: ", fpr);
	ex = EXIT_OK_;
 out:
	end(&a);
	return ex;
}

static int
share_convert(int argc, char **argv)
{
	static const char ctx[] = "share convert";
	struct op_file_args fa;
	struct share_args a;
	enum op_share_format f = OP_FORMAT_V1;
	char fpr[17];
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share convert IN --out OUT --to v1|pbe "
		    "[--label NAME] [header options]\n"
		    "         [--passphrase-fd N | --passphrase-file PATH]\n"
		    "         [--new-passphrase-fd N | --new-passphrase-file "
		    "PATH]\n"
		    "         [--ceremony DIR [--actor NAME] "
		    "[--admin-passphrase-fd N | --admin-passphrase-file P]]"
		    "\n\nRe-encrypts the share in IN into OUT in the "
		    "other format, under a new\npassphrase. The share, and so "
		    "its fingerprint, is unchanged.\n");
		return EXIT_OK_;
	}
	if (a.npos != 1)
		return cli_usage_error(ctx, "give exactly one input FILE");
	if (a.out == NULL || a.format == NULL)
		return cli_usage_error(ctx, "--out FILE and --to v1|pbe are "
		    "required");
	if ((ex = parse_format(ctx, a.format, &f)) != EXIT_OK_ ||
	    (ex = cli_file_free(ctx, a.out)) != EXIT_OK_ ||
	    (ex = file_args(ctx, &a, f, &fa)) != EXIT_OK_)
		return ex;
	if ((ex = begin(ctx, &a)) != EXIT_OK_)
		goto out;
	if (a.new_pw_fd == NULL && a.new_pw_file == NULL) {
		/* the same script line source, next line */
		cli_io_same(&a.io, OP_SECRET_NEW, OP_SECRET_OLD);
		cli_io_same(&a.io, OP_SECRET_NEW_LEGACY, OP_SECRET_OLD);
	} else if ((ex = cli_io_source(&a.io, OP_SECRET_NEW, a.new_pw_fd,
	    a.new_pw_file)) != EXIT_OK_) {
		goto out;
	} else {
		cli_io_same(&a.io, OP_SECRET_NEW_LEGACY, OP_SECRET_NEW);
	}
	if ((r = op_share_convert(a.cx, a.pos[0], a.out, &fa, fpr)) !=
	    CUSTOS_OK) {
		ex = cli_op_fail(ctx, a.cx, r);
		goto out;
	}
	printf("wrote %s (%s)\n", a.out, f == OP_FORMAT_V1 ? "custos v1" :
	    "sc-hsm-tool .pbe");
	print_fpr("share fingerprint: ", fpr);
	ex = EXIT_OK_;
 out:
	end(&a);
	return ex;
}

static int
share_copy(int argc, char **argv)
{
	static const char ctx[] = "share copy";
	struct op_copy_result res;
	struct share_args a;
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share copy FILE DEST\n"
		    "         [--ceremony DIR [--actor NAME] "
		    "[--admin-passphrase-fd N | --admin-passphrase-file P]]"
		    "\n\nCopies the share file FILE for its custodian to DEST "
		    "- a directory (on\nremovable media), or a new file's "
		    "path with the same ending - never over\nanother file, "
		    "then reads the copy back from the medium and compares its"
		    "\nSHA-256. With --ceremony DIR the copy is recorded "
		    "(share.copy: who took\nwhich file where, never its "
		    "content) and named in the closing summary.\nThe "
		    "custodian is --actor, else the file's label.\n");
		return EXIT_OK_;
	}
	if (a.npos != 2)
		return cli_usage_error(ctx, "give the share FILE and where the "
		    "copy goes (DEST)");
	if ((ex = begin(ctx, &a)) != EXIT_OK_)
		goto out;
	if ((r = op_share_copy(a.cx, NULL, a.pos[0], a.pos[1], &res)) !=
	    CUSTOS_OK) {
		ex = cli_op_fail(ctx, a.cx, r);
		goto out;
	}
	printf("%s %s\nread back from the medium: SHA-256 %s (the same)\n",
	    res.existed ? "already there, the same bytes:" : "copied to",
	    res.to, res.sha256);
	ex = EXIT_OK_;
 out:
	end(&a);
	return ex;
}

static const struct cli_cmd share_cmds[] = {
	{ "create", share_create, "create a new DKEK share file" },
	{ "inspect", share_inspect, "show a share file's public header" },
	{ "verify", share_verify, "check a passphrase; print the fingerprint" },
	{ "convert", share_convert, "convert between custos v1 and .pbe" },
	{ "copy", share_copy, "copy a share file to removable media, checked" },
	{ "split", cmd_share_split, "split a share M-of-N among custodians" },
	{ "combine", cmd_share_combine, "rebuild a share from M of N" },
	{ "reshare", cmd_share_reshare, "re-split for new custodians" },
	{ "print", cmd_share_print, "reprint a custodian's SLIP-39 sheet" },
	{ NULL, NULL, NULL },
};

int
cmd_share(int argc, char **argv)
{
	return cli_dispatch("share", share_cmds, argc - 1, argv + 1);
}
