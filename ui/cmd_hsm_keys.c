/*
 * cmd_hsm_keys.c - custos hsm keys | keygen | delete | sign-test |
 * change-pin: the keys on a SmartCard-HSM and the user PIN. The work is
 * the engine's (ceremony/op_hsm_keys.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hsm_util.h"

int
cmd_hsm_keys(int argc, char **argv)
{
	struct op_key *keys = NULL;
	struct hsm_ctx h;
	size_t n = 0, i;
	int ex, r;

	hsm_ctx_init(&h, "hsm keys");
	ex = hsm_common_only(&h, argc, argv, "usage: custos hsm keys\n"
	    HSM_COMMON_USAGE "\nLists the keys on the device: reference, "
	    "type and size, label, and the first\n8 bytes of the SHA-256 "
	    "of the public key (SubjectPublicKeyInfo). Sends no PIN.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_keys(h.cx, h.dev, &keys, &n)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (n == 0)
		printf("no keys\n");
	else
		printf("ref  type               label                    "
		    "public key SHA-256 (first 8 bytes)\n");
	for (i = 0; i < n; i++)
		hsm_key_print(&keys[i]);
	ex = EXIT_OK_;
 out:
	free(keys);
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "type", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "id", required_argument, NULL, 'i' },
		{ "ref", required_argument, NULL, 'r' },
		{ "unexportable", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *idhex = NULL;
	struct op_keygen_args a;
	struct op_key k;
	struct hsm_ctx h;
	uint8_t id[OP_ID_MAX];
	int ch, ex, r;

	memset(&a, 0, sizeof(a));
	a.ref = -1;
	hsm_ctx_init(&h, "hsm keygen");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 't': a.type = optarg; break;
		case 'l': a.label = optarg; break;
		case 'i': idhex = optarg; break;
		case 'U': h.io.force = 1; break;
		case 'r':
			if ((a.ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos hsm keygen --type rsa:BITS | "
			    "ec:CURVE --label LABEL [--id HEX]\n"
			    "         [--ref N] [--unexportable]\n"
			    HSM_COMMON_USAGE "\n"
			    "Generates a key pair on the device: RSA of 2048, "
			    "3072 or 4096 bits, or EC on\nprime256v1 (P-256), "
			    "secp384r1 (P-384), secp521r1 (P-521), "
			    "brainpoolP256r1,\nbrainpoolP320r1, "
			    "brainpoolP384r1, brainpoolP512r1 or secp256k1. "
			    "The key gets the\nlowest free reference (or "
			    "--ref), a PKCS#15 description with LABEL and ID\n"
			    "(default: SHA-1 of the modulus or point, as "
			    "OpenSC), and its public key is\nkept on the "
			    "device and recorded. A key generated before the "
			    "DKEK is complete\ncan never be exported: that "
			    "needs UNEXPORTABLE typed, or --unexportable.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if (!op_key_type_valid(a.type))
		return cli_usage_error(h.ctx, "--type is rsa:2048, rsa:3072, "
		    "rsa:4096 or ec:CURVE");
	if (a.label == NULL || a.label[0] == '\0' || strlen(a.label) >
	    OP_LABEL_MAX)
		return cli_usage_error(h.ctx, "--label is 1 to 64 characters");
	if ((ex = cli_check_recordable(h.ctx, "label", a.label)) != EXIT_OK_)
		return ex;
	if (idhex != NULL && (ex = hsm_parse_id(h.ctx, idhex, id, &a.idlen)) !=
	    EXIT_OK_)
		return ex;
	a.id = idhex != NULL ? id : NULL;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_keygen(h.cx, h.dev, &a, &k)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("generated:\n");
	hsm_key_print(&k);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_key k;
	struct hsm_ctx h;
	int ch, ex, r, ref = -1;

	hsm_ctx_init(&h, "hsm delete");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'f': h.io.force = 1; break;
		case 'h':
			printf("usage: custos hsm delete --ref N [--force]\n"
			    HSM_COMMON_USAGE "\n"
			    "Deletes key N with its description and public "
			    "key. Unless it was backed up\n(custos hsm wrap), "
			    "the key is gone for good: the operator types "
			    "DELETE, or,\nwithout a terminal, gives "
			    "--force.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc || ref < 0)
		return cli_usage_error(h.ctx, "give --ref N");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_delete(h.cx, h.dev, ref, &k)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("deleted key %d\n", ref);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_sign_test(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_key *keys = NULL;
	struct hsm_ctx h;
	size_t n = 0, i, bad = 0;
	int ch, ex, r, ref = -1;

	hsm_ctx_init(&h, "hsm sign-test");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos hsm sign-test [--ref N]\n"
			    HSM_COMMON_USAGE "\n"
			    "Proves that key N (default: every key) works: "
			    "the device signs 32 random\nbytes (SHA-256; "
			    "PKCS#1 v1.5 or ECDSA) and custos verifies the "
			    "signature with\nthe public key stored beside the "
			    "key. Exits 1 when any signature fails.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_sign_test(h.cx, h.dev, ref, &keys, &n)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	for (i = 0; i < n; i++) {
		printf("key %3d %-18s %-24s %s\n", keys[i].ref, keys[i].kind,
		    keys[i].label, keys[i].verified ? "signature VERIFIES with "
		    "its public key" : keys[i].why);
		if (!keys[i].verified)
			bad++;
	}
	printf("%zu key%s tested, %zu failed\n", n, n == 1 ? "" : "s", bad);
	ex = bad > 0 ? EXIT_FAIL : EXIT_OK_;
 out:
	free(keys);
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_change_pin(int argc, char **argv)
{
	struct hsm_ctx h;
	int ex, r;

	hsm_ctx_init(&h, "hsm change-pin");
	ex = hsm_common_only(&h, argc, argv, "usage: custos hsm change-pin\n"
	    HSM_COMMON_USAGE "\nChanges the user PIN: the current PIN, then "
	    "the new one twice (a PIN file\ngives each once: two lines). A wrong "
	    "current PIN says how many tries are left.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_change_pin(h.cx, h.dev)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("user PIN changed\n");
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}
