/*
 * cmd_share.c - custos share create | inspect | verify | convert.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/dkek.h"
#include "../ceremony/sharefile.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"
#include "hsm_util.h"

static const char legacy_warning[] =
    "custos: warning: a .pbe file has no integrity check: an altered file "
    "can decrypt to a\n"
    "custos: warning: wrong share without any error. Record its fingerprint"
    " and keep .pbe\n"
    "custos: warning: for sc-hsm-tool only; the custos v1 format detects "
    "any change.\n";

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
	a->kdf_mem_mib = V1_MEM_KIB_DEFAULT / 1024;
	a->kdf_ops = V1_OPS_DEFAULT;
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

/* Unlocks --ceremony DIR when given (else *c = NULL). */
static int
open_ceremony(const char *ctx, const struct share_args *a,
    struct ceremony **c)
{
	return cli_open_ceremony(ctx, a->ceremony_dir, a->admin_fd,
	    a->admin_file, a->actor, a->out, a->pos, a->npos, c);
}

/* Who acts: --actor, else the share's label, else "operator". */
static const char *
share_actor(const struct share_args *a)
{
	if (a->actor != NULL)
		return a->actor;
	return a->label != NULL ? a->label : "operator";
}

/* Records a failed step (what failed, never a secret). */
static void
record_failure(const char *ctx, struct ceremony *cer, const char *actor,
    const char *action, const char *path, int ex)
{
	json_t *facts;

	if (cer == NULL)
		return;
	facts = json_pack("{s:s, s:s, s:i, s:s}", "file", path, "outcome",
	    "failed", "exit_status", ex, "error", ex == EXIT_AUTH ?
	    "wrong passphrase, or the file was altered" : ex == EXIT_BADINPUT ?
	    "the file is missing, malformed or corrupted" : "failed");
	(void)cli_record(ctx, cer, actor, action, facts);
	json_decref(facts);
}

/* Public facts of a share file: name, SHA-256, format, fingerprint. */
static json_t *
file_facts(const char *path, enum sharefile_format f,
    const unsigned char fpr[DKEK_FPR_LEN])
{
	char hex[65], fhex[17];

	if (cli_file_sha256(path, hex) != CUSTOS_OK)
		snprintf(hex, sizeof(hex), "unreadable");
	if (encode_hex(fhex, sizeof(fhex), fpr, DKEK_FPR_LEN, 1) != CUSTOS_OK)
		fhex[0] = '\0';
	return json_pack("{s:s, s:s, s:s, s:s}", "file", path, "file_sha256",
	    hex, "format", sharefile_format_name(f), "share_fingerprint",
	    fhex);
}

static void
print_fpr(const char *prefix, const unsigned char fpr[DKEK_FPR_LEN])
{
	char g[20];

	encode_hex_grouped8(g, fpr);
	printf("%s%s\n", prefix, g);
}

/* Refuses an existing output before any passphrase is asked for. */
static int
check_out_free(const char *ctx, const char *out)
{
	struct stat st;

	if (lstat(out, &st) == 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, out,
		    custos_strerror(CUSTOS_ERR_EXISTS));
		return EXIT_REFUSED;
	}
	return EXIT_OK_;
}

static int
parse_format(const char *ctx, const char *s, enum sharefile_format *f)
{
	if (s == NULL || strcmp(s, "v1") == 0 || strcmp(s, "custos") == 0)
		*f = SHAREFILE_V1;
	else if (strcmp(s, "pbe") == 0)
		*f = SHAREFILE_PBE;
	else
		return cli_usage_error(ctx, "format must be 'v1' or 'pbe'");
	return EXIT_OK_;
}

/* Fills a v1 header from the options; checks the texts. */
static int
fill_header(const char *ctx, const struct share_args *a,
    struct v1_header *h)
{
	const char *why;

	memset(h, 0, sizeof(*h));
	if (a->label == NULL)
		return cli_usage_error(ctx, "--label NAME is required for a "
		    "custos v1 file (the custodian's name)");
	if ((why = v1_check_text(a->label, V1_LABEL_MAX)) != NULL) {
		fprintf(stderr, "custos: %s: label %s\n", ctx, why);
		return EXIT_USAGE;
	}
	if (a->ceremony != NULL &&
	    (why = v1_check_text(a->ceremony, V1_CEREMONY_MAX)) != NULL) {
		fprintf(stderr, "custos: %s: ceremony id %s\n", ctx, why);
		return EXIT_USAGE;
	}
	if (a->comment != NULL &&
	    (why = v1_check_text(a->comment, V1_COMMENT_MAX)) != NULL) {
		fprintf(stderr, "custos: %s: comment %s\n", ctx, why);
		return EXIT_USAGE;
	}
	if (a->kdf_mem_mib > V1_MEM_KIB_MAX / 1024 ||
	    a->kdf_mem_mib * 1024 < V1_MEM_KIB_FLOOR ||
	    a->kdf_mem_mib * 1024 > V1_MEM_KIB_MAX ||
	    a->kdf_ops < 1 || a->kdf_ops > V1_OPS_MAX) {
		fprintf(stderr, "custos: %s: --kdf-memory must be %llu..%llu "
		    "MiB and --kdf-passes 1..%llu\n", ctx,
		    V1_MEM_KIB_FLOOR / 1024, V1_MEM_KIB_MAX / 1024,
		    V1_OPS_MAX);
		return EXIT_USAGE;
	}
	snprintf(h->label, sizeof(h->label), "%s", a->label);
	if (a->ceremony != NULL)
		snprintf(h->ceremony, sizeof(h->ceremony), "%s", a->ceremony);
	if (a->comment != NULL)
		snprintf(h->comment, sizeof(h->comment), "%s", a->comment);
	h->opslimit = a->kdf_ops;
	h->mem_kib = a->kdf_mem_mib * 1024;
	return EXIT_OK_;
}

/* Writes share to out in format f under a new passphrase from src. */
static int
write_share(const char *ctx, const struct share_args *a,
    enum sharefile_format f, struct prompt_src *src,
    const unsigned char *share, struct ceremony *cer, const char *action,
    const char *from, const char *entropy)
{
	struct v1_header h;
	json_t *facts;
	unsigned char fpr[DKEK_FPR_LEN];
	char *pw = NULL;
	size_t pwlen = 0;
	int r, ex;

	if (f == SHAREFILE_V1 &&
	    (ex = fill_header(ctx, a, &h)) != EXIT_OK_)
		return ex;
	if (f == SHAREFILE_V1 && cer != NULL && h.ceremony[0] == '\0')
		snprintf(h.ceremony, sizeof(h.ceremony), "%s",
		    ceremony_id(cer));
	if (f == SHAREFILE_PBE)
		fputs(legacy_warning, stderr);
	if ((r = cli_new_passphrase(ctx, src, "New passphrase for the share "
	    "file", f == SHAREFILE_PBE, &pw, &pwlen)) != CUSTOS_OK)
		return r == CUSTOS_ERR_WEAK_PASSPHRASE ? cli_exit_code(r) :
		    cli_fail(ctx, r);
	if (f == SHAREFILE_PBE)
		fprintf(stderr, "custos: deriving the sc-hsm-tool key "
		    "(10,000,000 MD5 rounds, about 10 s)...\n");
	r = sharefile_create(a->out, f, share, (unsigned char *)pw, pwlen,
	    &h, PBE_ITERATIONS);
	secmem_free(pw);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a->out,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	dkek_share_fingerprint(fpr, share);
	facts = file_facts(a->out, f, fpr);
	if (f == SHAREFILE_V1)
		json_object_set_new(facts, "label", json_string(h.label));
	if (from != NULL)
		json_object_set_new(facts, "from_file", json_string(from));
	if (entropy != NULL)
		json_object_set_new(facts, "card_challenge_mixed_from",
		    entropy[0] != '\0' ? json_string(entropy) : json_null());
	ex = cli_record(ctx, cer, share_actor(a), action, facts);
	json_decref(facts);
	if (ex != EXIT_OK_)
		return ex;
	printf("wrote %s (%s)\n", a->out, sharefile_format_name(f));
	print_fpr("share fingerprint: ", fpr);
	return EXIT_OK_;
}

static int
share_create(int argc, char **argv)
{
	static const char ctx[] = "share create";
	struct share_args a;
	struct ceremony *cer = NULL;
	struct prompt_src src;
	enum sharefile_format f = SHAREFILE_UNKNOWN;
	unsigned char *share = NULL;
	uint8_t extra[32];
	char reader[160];
	int ex;

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
		    "overwritten). When a SmartCard-HSM is in a PC/SC\n"
		    "reader (or --card names one), 32 bytes of its GET "
		    "CHALLENGE are mixed into\nthe OS random bytes. The "
		    "default custos v1 format needs\n"
		    "--label (the custodian); --format pbe writes sc-hsm-tool's"
		    " format instead.\nPrints the share fingerprint. With "
		    "--ceremony DIR the step is recorded in that\nceremony's "
		    "transcript (administrator passphrase: terminal, "
		    "--admin-passphrase-fd N\nor --admin-passphrase-file "
		    "PATH; --actor NAME says who acted).\n");
		return EXIT_OK_;
	}
	if (a.npos != 0)
		return cli_usage_error(ctx, "unexpected argument");
	if (a.out == NULL)
		return cli_usage_error(ctx, "--out FILE is required");
	if ((ex = parse_format(ctx, a.format, &f)) != EXIT_OK_ ||
	    (ex = check_out_free(ctx, a.out)) != EXIT_OK_)
		return ex;
	if (f == SHAREFILE_V1 && a.label == NULL)
		return cli_usage_error(ctx, "--label NAME is required for a "
		    "custos v1 file (the custodian's name)");
	if ((ex = open_ceremony(ctx, &a, &cer)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&src, a.pw_fd, a.pw_file, ctx)) !=
	    EXIT_OK_) {
		ceremony_free(cer);
		return ex;
	}
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = hsm_card_entropy(ctx, a.card, extra, reader,
	    sizeof(reader))) != EXIT_OK_)
		goto out;
	dkek_share_generate(share, reader[0] ? extra : NULL, sizeof(extra));
	secmem_wipe(extra, sizeof(extra));
	if (reader[0] != '\0')
		printf("mixed 32 bytes from the card's GET CHALLENGE (%s) into "
		    "the OS random bytes\n", reader);
	ex = write_share(ctx, &a, f, &src, share, cer, "share.create", NULL,
	    reader);
 out:
	secmem_free(share);
	prompt_src_close(&src);
	ceremony_free(cer);
	return ex;
}

static int
share_inspect(int argc, char **argv)
{
	static const char ctx[] = "share inspect";
	struct share_args a;
	struct sharefile_info info;
	char salt[2 * PBE_SALT_LEN + 1];
	int ex, r;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share inspect FILE\n\nShows the public "
		    "header of a share file; asks for no passphrase.\n");
		return EXIT_OK_;
	}
	if (a.npos != 1)
		return cli_usage_error(ctx, "give exactly one FILE");
	if ((r = sharefile_inspect(a.pos[0], &info)) != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, a.pos[0],
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	printf("file:        %s\nformat:      %s\n", a.pos[0],
	    sharefile_format_name(info.format));
	if (info.format == SHAREFILE_PBE) {
		if (encode_hex(salt, sizeof(salt), info.pbe_salt,
		    PBE_SALT_LEN, 0) != CUSTOS_OK)
			return cli_fail(ctx, CUSTOS_ERR_INTERNAL);
		printf("salt:        %s\nkdf:         EVP_BytesToKey MD5, "
		    "10000000 iterations\nintegrity:   none beyond CBC "
		    "padding\n", salt);
		printf("fingerprint: unknown until decrypted (custos share "
		    "verify)\n");
		return EXIT_OK_;
	}
	printf("label:       %s\n", info.v1.label);
	print_fpr("fingerprint: ", info.v1.fpr);
	printf("created:     %s\n", info.v1.created);
	if (info.v1.ceremony[0])
		printf("ceremony:    %s\n", info.v1.ceremony);
	if (info.v1.comment[0])
		printf("comment:     %s\n", info.v1.comment);
	printf("kdf:         argon2id, %llu MiB, %llu passes\n",
	    info.v1.mem_kib / 1024, info.v1.opslimit);
	printf("integrity:   XChaCha20-Poly1305 over share and header\n");
	return EXIT_OK_;
}

static int
share_verify(int argc, char **argv)
{
	static const char ctx[] = "share verify";
	struct share_args a;
	struct sharefile_info info;
	struct ceremony *cer = NULL;
	struct prompt_src src;
	unsigned char *share = NULL, fpr[DKEK_FPR_LEN];
	json_t *facts;
	int ex;

	if ((ex = parse_args(ctx, argc, argv, &a)) != EXIT_OK_)
		return ex;
	if (a.help) {
		printf("usage: custos share verify FILE [--passphrase-fd N | "
		    "--passphrase-file PATH]\n"
		    "         [--ceremony DIR [--actor NAME] "
		    "[--admin-passphrase-fd N | --admin-passphrase-file P]]"
		    "\n\nDecrypts FILE and prints the share's fingerprint; "
		    "the share itself is never\nshown. With --ceremony DIR "
		    "the check and its outcome are recorded.\n");
		return EXIT_OK_;
	}
	if (a.npos != 1)
		return cli_usage_error(ctx, "give exactly one FILE");
	if ((ex = open_ceremony(ctx, &a, &cer)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&src, a.pw_fd, a.pw_file, ctx)) !=
	    EXIT_OK_) {
		ceremony_free(cer);
		return ex;
	}
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	ex = cmd_open_share(ctx, a.pos[0], &src, share, &info);
	if (ex != EXIT_OK_) {
		record_failure(ctx, cer, share_actor(&a), "share.verify",
		    a.pos[0], ex);
		goto out;
	}
	dkek_share_fingerprint(fpr, share);
	facts = file_facts(a.pos[0], info.format, fpr);
	json_object_set_new(facts, "outcome", json_string("passphrase "
	    "correct"));
	ex = cli_record(ctx, cer, share_actor(&a), "share.verify", facts);
	json_decref(facts);
	if (ex == EXIT_OK_) {
		printf("%s: passphrase correct (%s)\n", a.pos[0],
		    sharefile_format_name(info.format));
		print_fpr("share fingerprint: ", fpr);
	}
 out:
	secmem_free(share);
	prompt_src_close(&src);
	ceremony_free(cer);
	return ex;
}

static int
share_convert(int argc, char **argv)
{
	static const char ctx[] = "share convert";
	struct share_args a;
	struct sharefile_info info;
	struct prompt_src src, nsrc;
	struct ceremony *cer = NULL;
	enum sharefile_format f = SHAREFILE_UNKNOWN;
	unsigned char *share = NULL;
	int ex;

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
	    (ex = check_out_free(ctx, a.out)) != EXIT_OK_)
		return ex;
	if (f == SHAREFILE_V1 && a.label == NULL)
		return cli_usage_error(ctx, "--label NAME is required for a "
		    "custos v1 file (the custodian's name)");
	if ((ex = open_ceremony(ctx, &a, &cer)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&src, a.pw_fd, a.pw_file, ctx)) !=
	    EXIT_OK_) {
		ceremony_free(cer);
		return ex;
	}
	if (a.new_pw_fd == NULL && a.new_pw_file == NULL) {
		nsrc = src;	/* the same script line source, next line */
		nsrc.owned = 0;
	} else if ((ex = cli_secret_source(&nsrc, a.new_pw_fd,
	    a.new_pw_file, ctx)) != EXIT_OK_) {
		prompt_src_close(&src);
		ceremony_free(cer);
		return ex;
	}
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = cmd_open_share(ctx, a.pos[0], &src, share, &info)) !=
	    EXIT_OK_) {
		record_failure(ctx, cer, share_actor(&a), "share.convert",
		    a.pos[0], ex);
		goto out;
	}
	ex = write_share(ctx, &a, f, &nsrc, share, cer, "share.convert",
	    a.pos[0], NULL);
 out:
	secmem_free(share);
	prompt_src_close(&nsrc);
	prompt_src_close(&src);
	ceremony_free(cer);
	return ex;
}

static const struct cli_cmd share_cmds[] = {
	{ "create", share_create, "create a new DKEK share file" },
	{ "inspect", share_inspect, "show a share file's public header" },
	{ "verify", share_verify, "check a passphrase; print the fingerprint" },
	{ "convert", share_convert, "convert between custos v1 and .pbe" },
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
