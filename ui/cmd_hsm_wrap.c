/*
 * cmd_hsm_wrap.c - custos hsm wrap | unwrap: a key exported under the
 * DKEK in sc-hsm-tool's wrap file format, and imported again on a device
 * with the same DKEK, proven by a signature under the original public key.
 * The work is the engine's (ceremony/op_wrap.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hsm_util.h"

int
cmd_hsm_wrap(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_wrap_result res;
	struct hsm_ctx h;
	const char *out = NULL;
	int ch, ex, r, ref = -1;

	hsm_ctx_init(&h, "hsm wrap");
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
		case 'o': out = optarg; break;
		case 'h':
			printf("usage: custos hsm wrap --ref N --out FILE\n"
			    HSM_COMMON_USAGE "\n"
			    "Exports key N encrypted under the device's DKEK "
			    "into FILE, in the format of\nsc-hsm-tool "
			    "--wrap-key (the key blob, its description and "
			    "its public key), so\nthat custos or sc-hsm-tool "
			    "can import it on any device with the same DKEK.\n"
			    "FILE must not exist. Prints the DKEK's KCV the "
			    "blob carries.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc || ref < 0 || out == NULL)
		return cli_usage_error(h.ctx, "give --ref N and --out FILE");
	if (cli_file_free(h.ctx, out) != EXIT_OK_)
		return EXIT_REFUSED;
	if ((ex = hsm_ctx_open(&h, out, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_wrap(h.cx, h.dev, ref, out, &res)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("wrapped key %d (%s, \"%s\") into %s\n", ref, res.key.kind,
	    res.key.label, out);
	printf("DKEK KCV in the blob : %s  (%.4s %.4s %.4s %.4s)\n", res.kcv,
	    res.kcv, res.kcv + 4, res.kcv + 8, res.kcv + 12);
	printf("file SHA-256         : %s\n", res.sha256);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_unwrap(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "staged", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_unwrap_args a;
	struct op_unwrap_result res;
	struct hsm_ctx h;
	int ch, ex, r, fref = -1;

	memset(&a, 0, sizeof(a));
	a.ref = -1;
	hsm_ctx_init(&h, "hsm unwrap");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			if ((a.ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'f': a.force = 1; break;
		case 's': a.staged = 1; break;
		case 'h':
			printf("usage: custos hsm unwrap FILE [--ref N] "
			    "[--force] [--staged]\n" HSM_COMMON_USAGE "\n"
			    "Imports the key in a wrap file (custos hsm wrap "
			    "or sc-hsm-tool --wrap-key)\nunder reference N "
			    "(default: the one in the file's description). "
			    "First checks\nthat the device's DKEK has the "
			    "KCV the blob carries (nothing is written\n"
			    "otherwise), then unwraps and proves the key: "
			    "the device signs and the\nsignature must verify "
			    "under the file's public key (a key that does not "
			    "is\ntaken out again); only then are its "
			    "description and public key written.\nRun again "
			    "after an interruption: a key already under N "
			    "that signs under the\nfile's public key is "
			    "kept, and only missing files are written. A\n"
			    "description or public key already there is "
			    "replaced only with --force.\n--staged sends "
			    "the blob through EF 2F10 as OpenSC 0.24 and later "
			    "do.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(h.ctx, "give one wrap file");
	a.file = argv[optind];
	if ((ex = hsm_ctx_engine(&h)) != EXIT_OK_)
		goto out;
	/* The file is read and checked before any device is opened. */
	if ((r = op_wrapfile_ref(h.cx, a.file, &fref)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (a.ref < 0 && fref < 0) {
		ex = cli_usage_error(h.ctx, "the file names no key reference: "
		    "give --ref N");
		goto out;
	}
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_unwrap(h.cx, h.dev, &a, &res)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (res.already)
		printf("reference %d already holds this key (it signs under "
		    "the file's public key);\nonly missing files were "
		    "written\n", res.key.ref);
	else
		printf("unwrapped into reference %d\n", res.key.ref);
	printf("proof: the key signs and the signature VERIFIES under the "
	    "original public key\n");
	hsm_key_print(&res.key);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}
