/*
 * cmd_hsm.c - custos hsm status | init | import-share, and the dispatch
 * table of every hsm subcommand (readers: cmd_hsm_readers.c; keys:
 * cmd_hsm_keys.c; wrap and unwrap: cmd_hsm_wrap.c). The work is the
 * engine's (ceremony/op_hsm.c); this file turns argv into calls and
 * prints what they give.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_share.h"
#include "../common/encode.h"
#include "cli.h"
#include "cmds.h"
#include "../cards/sc_hsm.h"
#include "hsm_util.h"

static void
print_tries(const char *what, int tries)
{
	if (tries < 0)
		printf("%-21s: unknown\n", what);
	else if (tries == 0)
		printf("%-21s: 0 (BLOCKED)\n", what);
	else
		printf("%-21s: %d\n", what, tries);
}

static void
print_grouped16(const char *label, const char *hex)
{
	printf("%-21s: %s  (%.4s %.4s %.4s %.4s)\n", label, hex, hex, hex + 4,
	    hex + 8, hex + 12);
}

static void
print_status(const struct op_hsm_status *st)
{
	printf("firmware             : %d.%d\n", st->fw_major, st->fw_minor);
	if (st->initialized == 0) {
		printf("initialized          : no (factory-fresh)\n");
		return;
	}
	printf("initialized          : %s\n", st->initialized > 0 ? "yes" :
	    "unknown");
	print_tries("SO PIN tries left", st->so_tries);
	if (st->pin_verified)
		printf("user PIN             : verified in this session\n");
	else
		print_tries("user PIN tries left", st->pin_tries);
	if (st->dkek_total <= 0) {
		printf("DKEK                 : none (keys can never be "
		    "exported)\n");
		return;
	}
	printf("DKEK shares          : %d, %d outstanding\n", st->dkek_total,
	    st->dkek_left);
	if (!st->kcv_known)
		printf("DKEK KCV             : unknown (all zero: not complete, "
		    "or shown only after PIN login; give --pin-file or "
		    "--pin-fd to log in and read it)\n");
	else
		print_grouped16("DKEK KCV", st->kcv);
	if (st->zero_dkek)
		printf("WARNING: this is the all-zero DKEK (KCV 66687AADF862BD77):"
		    " a share went in twice,\nor its shares cancel out; nothing "
		    "wrapped under it is protected. Initialize the\ndevice again "
		    "(custos hsm init) and import each share once.\n");
}

static int
hsm_status(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_hsm_status st;
	struct hsm_ctx h;
	int ch, ex, r;

	hsm_ctx_init(&h, "hsm status");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		if (ch != 'h')
			return cli_bad_option(h.ctx, argv);
		printf("usage: custos hsm status\n" HSM_COMMON_USAGE "\n"
		    "Shows the device's firmware version, whether it is "
		    "initialized, the user and\nSO PIN tries left, and the "
		    "DKEK: shares configured, outstanding, and the KCV.\n"
		    "Without --card: the first PC/SC reader holding a card, "
		    "else the emulated\ndevice \"primary\" (REHEARSAL). Sends "
		    "no PIN, unless a PIN source is given\n(--pin-file, "
		    "--pin-fd): then a device that shows its KCV only after "
		    "login is\nlogged in to, and the KCV read.\n");
		return EXIT_OK_;
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_status(h.cx, h.dev, h.pin_fd != NULL ||
	    h.pin_file != NULL, &st)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_status(&st);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
hsm_init(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "dkek-shares", required_argument, NULL, 'n' },
		{ "no-dkek", no_argument, NULL, 'N' },
		{ "key-domains", required_argument, NULL, 'K' },
		{ "pka", required_argument, NULL, 'P' },
		{ "pka-required", required_argument, NULL, 'M' },
		{ "pka-replace", no_argument, NULL, 'R' },
		{ "pin-retries", required_argument, NULL, 'r' },
		{ "erase-keys", no_argument, NULL, 'E' },
		{ "so-pin-fd", required_argument, NULL, 's' },
		{ "so-pin-file", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sfd = NULL, *sfile = NULL;
	struct op_init_args a;
	struct hsm_ctx h;
	char *end;
	long shares = -2, retries = 3, kds = 0, pka = 0, pka_m = 0;
	int ch, ex, r, keys = 0, pka_replace = 0;

	hsm_ctx_init(&h, "hsm init");
	memset(&a, 0, sizeof(a));
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			shares = strtol(optarg, &end, 10);
			if (*end != '\0' || shares < 1 || shares > 255)
				return cli_usage_error(h.ctx, "--dkek-shares "
				    "is 1 to 255");
			break;
		case 'N': shares = -1; break;
		case 'K':
			kds = strtol(optarg, &end, 10);
			if (*end != '\0' || kds < 1 || kds > SC_HSM_KD_MAX)
				return cli_usage_error(h.ctx, "--key-domains "
				    "is 1 to 16");
			break;
		case 'P':
			pka = strtol(optarg, &end, 10);
			if (*end != '\0' || pka < 1 || pka > SC_HSM_PKA_MAX)
				return cli_usage_error(h.ctx, "--pka is 1 to 90 "
				    "keys");
			break;
		case 'M':
			pka_m = strtol(optarg, &end, 10);
			if (*end != '\0' || pka_m < 1 || pka_m > SC_HSM_PKA_MAX)
				return cli_usage_error(h.ctx, "--pka-required is "
				    "1 to 90 keys");
			break;
		case 'R': pka_replace = 1; break;
		case 'r':
			retries = strtol(optarg, &end, 10);
			if (*end != '\0' || retries < 1 || retries > 10)
				return cli_usage_error(h.ctx, "--pin-retries "
				    "is 1 to 10");
			break;
		case 'E': h.io.force = 1; break;
		case 's': sfd = optarg; break;
		case 'S': sfile = optarg; break;
		case 'h':
			printf("usage: custos hsm init --dkek-shares N | "
			    "--no-dkek | --key-domains K\n"
			    "         [--pin-retries N] [--erase-keys]\n"
			    "         [--so-pin-fd N | --so-pin-file PATH]\n"
			    HSM_COMMON_USAGE "\n"
			    "Initializes the device: the SO PIN (16 hex "
			    "digits; on a factory-fresh device it\nbecomes "
			    "the SO PIN, else it must be the current one, and "
			    "it is checked before\nanything is erased), a new "
			    "user PIN (6-16 characters, from the PIN source)\n"
			    "and the number of DKEK shares. Shows the SO PIN "
			    "tries left before sending the\nSO PIN. A device "
			    "holding keys is refused unless the operator types "
			    "ERASE (or,\nwithout a terminal, --erase-keys): "
			    "initializing deletes every key.\n"
			    "--key-domains K sets up K key domain slots "
			    "(1-16), all empty, instead of a\nDKEK: each "
			    "domain is then created with its own number of "
			    "shares (custos hsm\ndomain create) and gets its "
			    "own DKEK (custos hsm import-share --domain N).\n"
			    "--pka N --pka-required M [--pka-replace]: public "
			    "key authentication instead\nof a user PIN: N "
			    "custodians' keys are registered (custos pka "
			    "register) and M\nof them must authenticate "
			    "before any key is used (--pka-auth);\n"
			    "--pka-replace lets a registered key be replaced "
			    "later.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if (h.domain != -1)
		return cli_usage_error(h.ctx, "--domain does not apply: a device "
		    "is initialized whole (its domains: --key-domains K, then "
		    "custos hsm domain create)");
	if ((pka_m > 0 || pka_replace) && pka == 0)
		return cli_usage_error(h.ctx, "--pka-required and --pka-replace "
		    "go with --pka N");
	if (pka > 0 && pka_m == 0)
		pka_m = 1;	/* sc-hsm-tool's default */
	if (pka_m > pka)
		return cli_usage_error(h.ctx, "--pka-required must not be more "
		    "than --pka");
	if (kds > 0 && shares != -2)
		return cli_usage_error(h.ctx, "--key-domains replaces "
		    "--dkek-shares and --no-dkek: give one of them");
	if (kds > 0)
		shares = -1;
	if (shares == -2)
		return cli_usage_error(h.ctx, "give --dkek-shares N (or "
		    "--no-dkek: keys can then never be exported, or "
		    "--key-domains K)");
	/* a factory-fresh device takes a new SO PIN from the same source */
	cli_io_same(&h.io, OP_SECRET_SO_PIN_NEW, OP_SECRET_SO_PIN);
	if ((ex = cli_io_source(&h.io, OP_SECRET_SO_PIN, sfd, sfile)) !=
	    EXIT_OK_ || (ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	a.dkek_shares = (int)shares;
	a.key_domains = (int)kds;
	a.pka_total = (int)pka;
	a.pka_required = (int)pka_m;
	a.pka_replace = pka_replace;
	a.retries = (int)retries;
	if ((r = op_hsm_init(h.cx, h.dev, &a, &keys)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (kds > 0)
		printf("initialized: user PIN tries %ld, key domains %ld "
		    "(slots 0-%ld, all empty)\n", retries, kds, kds - 1);
	else
		printf("initialized: user PIN tries %ld, DKEK shares %s\n",
		    retries, shares > 0 ? "configured" : "none");
	if (shares > 0)
		printf("DKEK shares          : %ld outstanding\n", shares);
	if (pka > 0)
		printf("public key auth.     : %ld of %ld keys, none registered "
		    "yet (custos pka register);\n                       no "
		    "user PIN%s\n", pka_m, pka, pka_replace ? "; registered "
		    "keys may be replaced" : "");
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

/* --expect-kcv: 16 hex digits, spaces allowed, into want (upper case). */
static int
parse_kcv(const char *s, char want[17])
{
	size_t i, k = 0;
	uint8_t b[8];

	for (i = 0; s[i] != '\0' && k < 16; i++)
		if (s[i] != ' ')
			want[k++] = s[i];
	want[k] = '\0';
	if (k != 16 || s[i] != '\0' || decode_hex(b, 8, want, 16) != 0)
		return -1;
	for (i = 0; i < 16; i++)
		if (want[i] >= 'a' && want[i] <= 'f')
			want[i] = (char)(want[i] - 'a' + 'A');
	return 0;
}

/* After the last share: the KCV, compared with the one expected. */
static int
import_kcv(struct hsm_ctx *h, const char *want)
{
	struct op_kcv_result k;
	int r;

	r = op_hsm_kcv(h->cx, h->dev, want, NULL, &k);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_DKEK_MISMATCH)
		return hsm_fail(h, r);
	if (k.kcv[0] != '\0')
		printf("DKEK complete. device KCV: %s  (%.4s %.4s %.4s %.4s)\n",
		    k.kcv, k.kcv, k.kcv + 4, k.kcv + 8, k.kcv + 12);
	if (r == CUSTOS_ERR_DKEK_MISMATCH) {
		hsm_fail(h, r);
		return EXIT_FAIL;
	}
	if (want == NULL)
		printf("no expected KCV given: compare it with the ceremony "
		    "record (custos dkek kcv)\n");
	else
		printf("KCV MATCHES the expected KCV: same DKEK\n");
	return EXIT_OK_;
}

static int
hsm_import_share(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "expect-kcv", required_argument, NULL, 'k' },
		{ "passphrase-fd", required_argument, NULL, 'f' },
		{ "passphrase-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fd = NULL, *file = NULL, *expect = NULL;
	struct op_share shares[64];
	struct op_import_result res;
	struct hsm_ctx h;
	char want[17];
	size_t n, i, opened = 0;
	int ch, ex, r;

	hsm_ctx_init(&h, "hsm import-share");
	memset(shares, 0, sizeof(shares));
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'k': expect = optarg; break;
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'h':
			printf("usage: custos hsm import-share FILE... "
			    "[--expect-kcv HEX]\n"
			    "         [--passphrase-fd N | --passphrase-file "
			    "PATH]\n" HSM_COMMON_USAGE "\n"
			    "Decrypts each share file (custos v1 or .pbe), "
			    "refuses a share given twice,\nthen imports them "
			    "one by one and shows how many are still "
			    "outstanding. A share\nthe device's record (the "
			    "ceremony's transcript, or outside a ceremony the\n"
			    "device's journal) says went in already is never "
			    "sent again. When the DKEK is\ncomplete, compares "
			    "the device's KCV with the KCV expected: "
			    "--expect-kcv,\nor the shares' own when these files "
			    "are all the shares. A KCV of all zeros\nmeans "
			    "\"unknown until PIN login\": custos then asks for "
			    "the user PIN and reads\nit again; it is never "
			    "taken as a match.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0 || n > 64)
		return cli_usage_error(h.ctx, "give 1 to 64 share files");
	if (expect != NULL && parse_kcv(expect, want) != 0)
		return cli_usage_error(h.ctx, "--expect-kcv is 16 hex digits");
	if ((ex = cli_io_source(&h.io, OP_SECRET_OLD, fd, file)) != EXIT_OK_)
		goto out;
	/* The ceremony and the card are opened before any passphrase is
	 * asked; every file is opened and checked before anything is
	 * sent. */
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, (int)n)) != EXIT_OK_)
		goto out;
	for (i = 0; i < n; i++, opened++)
		if ((r = op_share_open_file(h.cx, argv[optind + (int)i],
		    &shares[i])) != CUSTOS_OK) {
			ex = hsm_fail(&h, r);
			goto out;
		}
	if ((r = op_hsm_import(h.cx, h.dev, shares, n, NULL, &res)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (res.left > 0) {
		printf("DKEK incomplete: %d share%s still to import\n", res.left,
		    res.left == 1 ? "" : "s");
		ex = EXIT_OK_;
		goto out;
	}
	ex = import_kcv(&h, expect != NULL ? want : res.files_kcv[0] != '\0' ?
	    res.files_kcv : NULL);
 out:
	for (i = 0; i < opened; i++)
		op_share_clear(&shares[i]);
	hsm_ctx_close(&h);
	return ex;
}

static const struct cli_cmd hsm_cmds[] = {
	{ "readers", cmd_hsm_readers, "list PC/SC readers" },
	{ "status", hsm_status, "firmware, PIN tries, DKEK shares and KCV" },
	{ "init", hsm_init, "initialize: SO PIN, user PIN, DKEK share count" },
	{ "import-share", hsm_import_share, "import DKEK shares, check the "
	    "KCV" },
	{ "keys", cmd_hsm_keys, "list keys: reference, label, type, "
	    "fingerprint" },
	{ "keygen", cmd_hsm_keygen, "generate an RSA or EC key pair" },
	{ "delete", cmd_hsm_delete, "delete a key" },
	{ "wrap", cmd_hsm_wrap, "export a key under the DKEK (sc-hsm-tool "
	    "wrap file)" },
	{ "unwrap", cmd_hsm_unwrap, "import a wrap file, prove the key" },
	{ "sign-test", cmd_hsm_sign_test, "prove keys work: sign and "
	    "verify" },
	{ "change-pin", cmd_hsm_change_pin, "change the user PIN" },
	{ "domains", cmd_hsm_domains, "list key domains: shares, KCV" },
	{ "domain", cmd_hsm_domain, "create or delete a key domain" },
	{ NULL, NULL, NULL },
};

int
cmd_hsm(int argc, char **argv)
{
	return cli_dispatch("hsm", hsm_cmds, argc - 1, argv + 1);
}
