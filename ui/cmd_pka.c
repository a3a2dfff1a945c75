/*
 * cmd_pka.c - custos pka export | check | register | status |
 * authenticate: public key authentication, each custodian with their own
 * personal device (docs/user-guide.md 5.9). The work is the engine's
 * (ceremony/op_pka.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_pka.h"
#include "cli.h"
#include "cmds.h"
#include "hsm_util.h"

static void
print_key(const struct op_pka_key *k)
{
	printf("key         : %s (%s)\n", k->key_chr, k->kind);
	printf("device      : %s%s\n", k->serial, k->emulated ? " (EMULATED: "
	    "a rehearsal device)" : "");
	printf("chain       : %s -> device, checked\n", k->root);
	printf("fingerprint : %s\n", k->fpr);
}

static void
print_state(const struct op_pka_state *st)
{
	int i;

	printf("public key authentication: %d of %d authenticated; %d "
	    "required; %d of %d registered\n", st->authenticated, st->total,
	    st->required, st->total - st->missing, st->total);
	for (i = 0; i < st->total && i < OP_PKA_KEYS; i++)
		if (st->keys[i].chr[0] != '\0')
			printf("  slot %d: %-16s %s\n", i, st->keys[i].chr,
			    st->keys[i].authenticated ? "authenticated" :
			    "not authenticated");
		else
			printf("  slot %d: (not registered yet)\n", i);
}

static int
pka_export(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "holder", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *holder = NULL;
	struct op_pka_key k;
	struct hsm_ctx h;
	int ch, ex, r, ref = -1;

	hsm_ctx_init(&h, "pka export");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--key is a key "
				    "reference, 1 to 255");
			break;
		case 'o': out = optarg; break;
		case 'H': holder = optarg; break;
		case 'h':
			printf("usage: custos pka export --card PERSONAL --key "
			    "REF --out FILE.pka [--holder NAME]\n"
			    HSM_COMMON_USAGE "\n"
			    "Writes the .pka of key REF on a custodian's "
			    "personal device: the key's\nrequest and the "
			    "device's certificate chain, in sc-hsm-tool's form "
			    "(its\n--export-for-pub-key-auth), checked before "
			    "it is written; never over a file.\nThe key is an "
			    "EC key of at most 256 bits (custos hsm keygen "
			    "--type\nec:brainpoolP256r1 --unexportable). Sends "
			    "no PIN.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if (ref < 0 || out == NULL)
		return cli_usage_error(h.ctx, "give --key REF and --out "
		    "FILE.pka");
	if ((ex = hsm_ctx_open(&h, out, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_pka_export(h.cx, h.dev, ref, holder, out, &k)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_key(&k);
	printf("written     : %s\n", out);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
pka_check(int argc, char **argv)
{
	struct op_pka_key k;
	struct hsm_ctx h;
	int ex, r;

	hsm_ctx_init(&h, "pka check");
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: custos pka check FILE.pka\n\nChecks a .pka "
		    "(custos's, sc-hsm-tool's or the Smart Card Shell's "
		    "form):\nthe device certificate chain up to a known root, "
		    "and the key's request. Shows\nwhose device it is. No "
		    "device needed.\n");
		return EXIT_OK_;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(h.ctx, "give one FILE.pka");
	if ((ex = hsm_ctx_engine(&h)) != EXIT_OK_)
		return ex;
	if ((r = op_pka_check(h.cx, argv[1], &k)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_key(&k);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
pka_register(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "holder", required_argument, NULL, 'H' },
		{ "replace", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *holder = NULL;
	struct op_pka_state st;
	struct op_pka_key k;
	struct hsm_ctx h;
	char *end;
	long slot = -1;
	int ch, ex, r;

	hsm_ctx_init(&h, "pka register");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'H': holder = optarg; break;
		case 'R':
			slot = strtol(optarg, &end, 10);
			if (*end != '\0' || slot < 0 || slot > 89)
				return cli_usage_error(h.ctx, "--replace is a "
				    "slot, 0 to 89");
			break;
		case 'h':
			printf("usage: custos pka register FILE.pka --holder "
			    "NAME [--replace SLOT]\n" HSM_COMMON_USAGE "\n"
			    "Registers a custodian's key on the HSM: the file "
			    "is checked first (its\ndevice certificate chain "
			    "up to a known root, the key's request) and whose\n"
			    "device it is shown; then the HSM checks the chain "
			    "itself. The same key twice,\nor more keys than the "
			    "HSM was initialized for, is refused. --replace "
			    "SLOT puts\nit in the place of a registered key "
			    "(an HSM initialized with --pka-replace,\nafter "
			    "the quorum: --pka-auth).\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(h.ctx, "give one FILE.pka");
	if (holder == NULL)
		return cli_usage_error(h.ctx, "give --holder NAME: whose key "
		    "it is");
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if (slot >= 0 && (r = op_pka_authenticate(h.cx, h.dev, &st)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if ((r = op_pka_register(h.cx, h.dev, argv[optind], holder, (int)slot,
	    &k, &st)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_key(&k);
	printf("registered for %s\n", holder);
	print_state(&st);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
pka_status(int argc, char **argv)
{
	struct op_pka_state st;
	struct hsm_ctx h;
	int ex, r;

	hsm_ctx_init(&h, "pka status");
	ex = hsm_common_only(&h, argc, argv, "usage: custos pka status\n"
	    HSM_COMMON_USAGE "\nThe HSM's public key authentication: keys "
	    "registered (N), required (M),\nauthenticated since its last "
	    "reset, and each registered key. Sends no PIN.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_pka_status(h.cx, h.dev, &st)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_state(&st);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
pka_authenticate(int argc, char **argv)
{
	struct op_pka_state st;
	struct hsm_ctx h;
	int ex, r;

	hsm_ctx_init(&h, "pka authenticate");
	ex = hsm_common_only(&h, argc, argv, "usage: custos pka authenticate "
	    "--pka-auth PERSONAL[,HOLDER] ...\n" HSM_COMMON_USAGE "\n"
	    "Each custodian in turn inserts their personal device and types "
	    "its PIN; the\ndevice signs the HSM's challenge, until the quorum "
	    "is reached. The HSM keeps\nthat state only until it is reset: "
	    "the hsm and backup commands take the same\n--pka-auth and "
	    "authenticate in their own connection. This command checks the\n"
	    "custodians' devices and PINs (a rehearsal of the quorum).\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if (h.npka == 0)
		return cli_usage_error(h.ctx, "name the custodians' personal "
		    "devices: --pka-auth PERSONAL[,HOLDER]");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_pka_authenticate(h.cx, h.dev, &st)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	print_state(&st);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static const struct cli_cmd pka_cmds[] = {
	{ "export", pka_export, "write a personal device's key as a .pka" },
	{ "check", pka_check, "check a .pka: chain and whose device" },
	{ "register", pka_register, "register a custodian's key on the HSM" },
	{ "status", pka_status, "keys registered, required, authenticated" },
	{ "authenticate", pka_authenticate, "the quorum, each with their "
	    "own device" },
	{ NULL, NULL, NULL },
};

int
cmd_pka(int argc, char **argv)
{
	return cli_dispatch("pka", pka_cmds, argc - 1, argv + 1);
}
