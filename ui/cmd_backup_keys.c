/*
 * cmd_backup_keys.c - custos backup import-key | export-key: moving keys
 * between software and the HSM with the DKEK. The work is the engine's
 * (ceremony/op_migrate.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/op_backup.h"
#include "cli.h"
#include "cmds.h"
#include "dkek_sources.h"
#include "hsm_util.h"

int
cmd_backup_export_key(int argc, char **argv)
{
	static const struct option opts[] = {
		DKEK_SOURCE_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "new-passphrase-fd", required_argument, NULL, 'n' },
		{ "new-passphrase-file", required_argument, NULL, 'N' },
		{ "force", no_argument, NULL, 'f' },
		{ "ceremony", required_argument, NULL, HSM_OPT_CEREMONY },
		{ "admin-passphrase-fd", required_argument, NULL,
		    HSM_OPT_ADMIN_FD },
		{ "admin-passphrase-file", required_argument, NULL,
		    HSM_OPT_ADMIN_FILE },
		{ "actor", required_argument, NULL, HSM_OPT_ACTOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup_key k;
	struct dkek_sources src;
	struct hsm_ctx h;
	const char *out = NULL, *nfd = NULL, *nfile = NULL, *set;
	int ch, ex, r, ref = -1;

	memset(&src, 0, sizeof(src));
	hsm_ctx_init(&h, "backup export-key");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		if ((r = dkek_sources_option(&src, ch, optarg)) != 0) {
			if (r < 0)
				return cli_usage_error(h.ctx, "too many "
				    "shares");
			continue;
		}
		switch (ch) {
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'o': out = optarg; break;
		case 'n': nfd = optarg; break;
		case 'N': nfile = optarg; break;
		case 'f': h.io.force = 1; break;
		case 'h':
			printf("usage: custos backup export-key SET --ref N "
			    "--out FILE.pem [--force]\n" DKEK_SOURCE_USAGE
			    "         [--new-passphrase-fd N | "
			    "--new-passphrase-file PATH]\n"
			    "         [--ceremony DIR [--actor NAME] "
			    "[--admin-passphrase-fd N | -file PATH]]\n\n"
			    "The break-glass path to another system: opens "
			    "key N of the backup set with\nthe DKEK rebuilt "
			    "from its shares (after the deep check of backup "
			    "verify) and\nwrites it as an encrypted PKCS#8 PEM "
			    "file (AES-256-CBC, PBKDF2) under a new\n"
			    "passphrase. The key then exists outside the HSM: "
			    "the operator types EXPORT\n(or gives --force "
			    "without a terminal). FILE must not exist.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc || ref < 0 || out == NULL)
		return cli_usage_error(h.ctx, "give SET, --ref N and --out "
		    "FILE");
	set = argv[optind];
	if (!dkek_sources_given(&src))
		return cli_usage_error(h.ctx, "give the DKEK's shares (--share, "
		    "--mnemonics-file, --pwshares-file)");
	if ((ex = dkek_sources_check(h.ctx, &src)) != EXIT_OK_ ||
	    (ex = cli_file_free(h.ctx, out)) != EXIT_OK_ ||
	    (ex = cli_io_source(&h.io, OP_SECRET_EXPORT_NEW, nfd, nfile)) !=
	    EXIT_OK_)
		goto out;
	if ((ex = hsm_ctx_begin(&h, out, argv + optind, 1)) != EXIT_OK_ ||
	    (ex = cli_io_source(&h.io, OP_SECRET_OLD, src.pw_fd, src.pw_file))
	    != EXIT_OK_)
		goto out;
	if ((r = op_backup_export_key(h.cx, set, ref, out, &src.op, &k)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("exported key %d to %s (encrypted PKCS#8; `openssl pkey -in "
	    "%s` opens it)\n", ref, out, out);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_backup_import_key(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		DKEK_SOURCE_OPTIONS,
		{ "label", required_argument, NULL, 'l' },
		{ "ref", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'i' },
		{ "key-passphrase-fd", required_argument, NULL, 'k' },
		{ "key-passphrase-file", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_import_key_args a;
	struct dkek_sources src;
	struct op_key k;
	struct hsm_ctx h;
	const char *idhex = NULL, *kfd = NULL, *kfile = NULL;
	uint8_t id[OP_ID_MAX];
	int ch, ex, r;

	memset(&src, 0, sizeof(src));
	memset(&a, 0, sizeof(a));
	a.ref = -1;
	hsm_ctx_init(&h, "backup import-key");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		if ((r = dkek_sources_option(&src, ch, optarg)) != 0) {
			if (r < 0)
				return cli_usage_error(h.ctx, "too many "
				    "shares");
			continue;
		}
		switch (ch) {
		case 'l': a.label = optarg; break;
		case 'i': idhex = optarg; break;
		case 'k': kfd = optarg; break;
		case 'K': kfile = optarg; break;
		case 'r':
			if ((a.ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos backup import-key KEYFILE --label "
			    "LABEL [--ref N] [--id HEX]\n" DKEK_SOURCE_USAGE
			    "         [--key-passphrase-fd N | "
			    "--key-passphrase-file PATH]\n" HSM_COMMON_USAGE
			    "\nMigration of an existing software key (RSA "
			    "2048-4096 or EC, PEM or DER,\nPKCS#8 or "
			    "traditional, encrypted or not) into the HSM: "
			    "custos wraps it under\nthe DKEK rebuilt from its "
			    "shares (its KCV must be the device's), unwraps "
			    "it\non the device with a description and a "
			    "self-signed certificate for its public\nkey, and "
			    "proves it by a signature. custos keeps no copy of "
			    "KEYFILE; destroy\nit as your policy requires.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc || a.label == NULL || a.label[0] == '\0' ||
	    strlen(a.label) > OP_LABEL_MAX)
		return cli_usage_error(h.ctx, "give KEYFILE and --label (1 to 64 "
		    "characters)");
	a.keyfile = argv[optind];
	if (!dkek_sources_given(&src))
		return cli_usage_error(h.ctx, "give the DKEK's shares (--share, "
		    "--mnemonics-file, --pwshares-file)");
	if ((ex = cli_check_recordable(h.ctx, "label", a.label)) != EXIT_OK_ ||
	    (ex = dkek_sources_check(h.ctx, &src)) != EXIT_OK_)
		return ex;
	if (idhex != NULL && (ex = hsm_parse_id(h.ctx, idhex, id, &a.idlen)) !=
	    EXIT_OK_)
		return ex;
	a.id = idhex != NULL ? id : NULL;
	a.sources = &src.op;
	if ((ex = cli_io_source(&h.io, OP_SECRET_KEY, kfd, kfile)) !=
	    EXIT_OK_ || (ex = cli_io_source(&h.io, OP_SECRET_OLD, src.pw_fd,
	    src.pw_file)) != EXIT_OK_ ||
	    (ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if ((r = op_backup_import_key(h.cx, h.dev, &a, &k)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("imported %s under reference %d and PROVEN (the device signs "
	    "under its public key):\n", a.keyfile, k.ref);
	hsm_key_print(&k);
	printf("custos kept no copy of %s; destroy it as your policy "
	    "requires.\n", a.keyfile);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}
