/*
 * cmd_backup.c - custos backup create | verify | restore: every key of a
 * SmartCard-HSM wrapped into a backup set with a manifest, the set checked
 * with no device (and, with the DKEK rebuilt in memory from its shares,
 * opened key by key), and restored onto a replacement device with each key
 * proven under its original public key. The work is the engine's
 * (ceremony/op_backup.c); the per-key lines are its notes.
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

static int
backup_create_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup_manifest *m = NULL;
	struct hsm_ctx h;
	const char *out = NULL;
	char sha[65];
	int refs[255], ch, ex, r;
	size_t nrefs = 0;

	hsm_ctx_init(&h, "backup create");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'o': out = optarg; break;
		case 'r':
			if (nrefs == 255 ||
			    (refs[nrefs++] = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos backup create --out DIR [--ref N]"
			    "...\n" HSM_COMMON_USAGE "\n"
			    "Wraps every exportable key of the device (or "
			    "those --ref names) under its\nDKEK into the new "
			    "directory DIR: one sc-hsm-tool wrap file per key "
			    "and\nmanifest.json (reference, label, type, "
			    "public-key SHA-256, wrap file SHA-256,\nand the "
			    "DKEK KCV), then checks the set. One PIN entry for "
			    "the whole set. Keys\nthe device will not export "
			    "are listed as NOT BACKED UP. With --ceremony the\n"
			    "manifest's SHA-256 is recorded.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc || out == NULL)
		return cli_usage_error(h.ctx, "give --out DIR");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
	if ((ex = hsm_ctx_open(&h, out, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_backup_create(h.cx, h.dev, out, refs, nrefs, m, sha)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("backup set %s: %zu key%s, DKEK KCV %s\n", out, m->nkeys,
	    m->nkeys == 1 ? "" : "s", m->kcv);
	printf("manifest SHA-256: %s\n", sha);
	if (m->nskipped > 0)
		printf("WARNING: %zu key%s NOT BACKED UP (listed in the "
		    "manifest under not_exportable)\n", m->nskipped,
		    m->nskipped == 1 ? " is" : "s are");
	ex = EXIT_OK_;
 out:
	free(m);
	hsm_ctx_close(&h);
	return ex;
}

static int
backup_verify_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "deep", no_argument, NULL, 'd' },
		DKEK_SOURCE_OPTIONS,
		{ "transcript", required_argument, NULL, 't' },
		{ "ceremony", required_argument, NULL, HSM_OPT_CEREMONY },
		{ "admin-passphrase-fd", required_argument, NULL,
		    HSM_OPT_ADMIN_FD },
		{ "admin-passphrase-file", required_argument, NULL,
		    HSM_OPT_ADMIN_FILE },
		{ "actor", required_argument, NULL, HSM_OPT_ACTOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup_manifest *m = NULL;
	struct backup_outcome *out = NULL;
	struct dkek_sources src;
	struct hsm_ctx h;
	const char *set, *transcript = NULL;
	char sha[65];
	size_t nbad = 0;
	int ch, ex, r, deep = 0;

	memset(&src, 0, sizeof(src));
	hsm_ctx_init(&h, "backup verify");
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
		case 'd': deep = 1; break;
		case 't': transcript = optarg; break;
		case 'h':
			printf("usage: custos backup verify SET [--transcript "
			    "DIR]\n"
			    "       custos backup verify SET --deep [--share "
			    "FILE]... [--mnemonics-file F]...\n"
			    "            [--pwshares-file F --pbe FILE] "
			    "[--passphrase-fd N | --passphrase-file PATH]\n"
			    "         [--ceremony DIR [--actor NAME] "
			    "[--admin-passphrase-fd N | -file PATH]]\n\n"
			    "Checks a backup set with no device: the "
			    "manifest, every wrap file's SHA-256,\nits KCV, "
			    "description and public key. --deep rebuilds the "
			    "DKEK in memory from\nits shares (share files, "
			    "SLIP-39 mnemonics one per line, sc-hsm-tool\n"
			    "password shares with their .pbe; each source "
			    "is one DKEK share) and opens\nevery blob: CMAC, "
			    "decryption, and its key against the manifest's "
			    "public key.\n--transcript DIR checks that the "
			    "manifest is the one a verified ceremony\n"
			    "recorded, and finds each key's public key "
			    "recorded at its generation.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(h.ctx, "give one backup set");
	set = argv[optind];
	if (deep != dkek_sources_given(&src))
		return cli_usage_error(h.ctx, deep ? "--deep needs the DKEK's "
		    "shares (--share, --mnemonics-file, --pwshares-file)" :
		    "shares are only for --deep");
	if ((ex = dkek_sources_check(h.ctx, &src)) != EXIT_OK_)
		return ex;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = hsm_ctx_begin(&h, NULL, argv + optind, 1)) != EXIT_OK_ ||
	    (ex = cli_io_source(&h.io, OP_SECRET_OLD, src.pw_fd, src.pw_file))
	    != EXIT_OK_)
		goto out;
	r = op_backup_verify(h.cx, set, deep ? &src.op : NULL, transcript, m,
	    sha, out, &nbad);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_CORRUPT) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (r == CUSTOS_ERR_CORRUPT && op_why(h.cx)[0] != '\0')
		hsm_fail(&h, r);	/* the transcript's complaint */
	else if (r == CUSTOS_ERR_CORRUPT)
		fprintf(stderr, "custos: backup verify: %s: %zu of %zu keys "
		    "failed (FAILED above)\n", set, nbad, m->nkeys);
	printf("%s: %zu of %zu keys %s\n", r == CUSTOS_OK ? "VERIFIED" :
	    "FAILED", m->nkeys - nbad, m->nkeys, deep ? "open with the DKEK "
	    "and match" : "match the manifest");
	ex = r == CUSTOS_OK ? EXIT_OK_ : EXIT_FAIL;
 out:
	free(m);
	free(out);
	hsm_ctx_close(&h);
	return ex;
}

/* The several-device restore: a line for each device as it ended. */
static int
restore_many(struct hsm_ctx *h, const char *set,
    const struct backup_restore_opts *ro, struct backup_manifest *m,
    char sha[65], const char *const *cards, size_t n)
{
	struct op_restore_one one[OP_RESTORE_MAX];
	size_t i, ok = 0;
	int ex = EXIT_OK_, r;

	memset(one, 0, sizeof(one));
	if (h->domain == -2)
		return cli_usage_error(h->ctx, "--domain is a key domain, 0 to "
		    "255");
	if ((ex = hsm_ctx_begin(h, NULL, (char *const *)&set, 1)) != EXIT_OK_)
		return ex;
	for (i = 0; i < n; i++) {
		if ((r = op_dev_open(h->cx, cards[i], NULL, NULL,
		    &one[i].dev)) != CUSTOS_OK) {
			ex = hsm_fail(h, r);
			goto out;
		}
		op_dev_set_domain(one[i].dev, h->domain);
		if (op_dev_emulated(one[i].dev))
			printf("REHEARSAL: emulated SmartCard-HSM %s, not a "
			    "real device\n", op_dev_serial(one[i].dev));
		printf("reader: %s\n", op_dev_reader(one[i].dev));
		if ((one[i].out = calloc(BACKUP_MAX_KEYS,
		    sizeof(*one[i].out))) == NULL) {
			ex = cli_fail(h->ctx, CUSTOS_ERR_NOMEM);
			goto out;
		}
	}
	r = op_backup_restore_many(h->cx, set, ro, m, sha, one, n);
	if (r != CUSTOS_OK && r != CUSTOS_ERR_CORRUPT) {
		ex = hsm_fail(h, r);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *serial = op_dev_serial(one[i].dev);

		if (one[i].r == CUSTOS_OK) {
			printf("HSM %s: RESTORED: %zu of %zu keys restored and "
			    "proven\n", serial, one[i].done, m->nkeys);
			ok++;
		} else if (one[i].r == CUSTOS_ERR_CORRUPT)
			printf("HSM %s: INCOMPLETE: %zu of %zu keys restored "
			    "and proven\n", serial, one[i].done, m->nkeys);
		else
			printf("HSM %s: FAILED: %s\n", serial, one[i].why[0] ?
			    one[i].why : custos_strerror(one[i].r));
	}
	printf("%s: %zu of %zu HSMs restored completely\n", ok == n ?
	    "RESTORED" : "INCOMPLETE", ok, n);
	/* One rule, whatever failed where: 1 unless every device is done. */
	if (ok != n)
		ex = EXIT_FAIL;
 out:
	for (i = 0; i < n; i++)
		free(one[i].out);
	return ex;
}

static int
backup_restore_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "conflict", required_argument, NULL, 'c' },
		{ "staged", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_manifest *m = NULL;
	struct backup_outcome *out = NULL;
	struct hsm_ctx h;
	const char *set, *cards[OP_RESTORE_MAX];
	char sha[65];
	size_t done = 0, ncards = 0;
	int ch, ex, r;

	hsm_ctx_init(&h, "backup restore");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == HSM_OPT_CARD) {
			if (ncards == OP_RESTORE_MAX)
				return cli_usage_error(h.ctx, "at most 8 "
				    "--card at once");
			cards[ncards++] = optarg;
		}
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'c':
			if (strcmp(optarg, "refuse") == 0)
				ro.conflict = BACKUP_CONFLICT_REFUSE;
			else if (strcmp(optarg, "next-free") == 0)
				ro.conflict = BACKUP_CONFLICT_NEXT_FREE;
			else
				return cli_usage_error(h.ctx, "--conflict is "
				    "refuse or next-free");
			break;
		case 's': ro.staged = 1; break;
		case 'f': ro.force = 1; break;
		case 'h':
			printf("usage: custos backup restore SET [--conflict "
			    "refuse|next-free] [--staged] [--force]\n" HSM_COMMON_USAGE
			    "\n"
			    "Restores a backup set onto a device whose DKEK "
			    "has the set's KCV (checked\nfirst: on a mismatch "
			    "nothing is written). Every key goes under its "
			    "original\nreference and label and is proven: "
			    "the public key read back is the manifest's\nand "
			    "a test signature verifies under it. A key that "
			    "fails stops nothing else;\nthe exit status says "
			    "whether all were restored. Rerun after an "
			    "interruption:\nkeys already there and proven "
			    "are kept. A reference holding another key is\n"
			    "refused unless --conflict next-free; a description "
			    "or public key kept\nthere is replaced only with "
			    "--force.\n\n"
			    "--card given several times (up to 8) restores "
			    "onto every device named at\nonce, one thread per "
			    "device, after a PIN for each (one line each from "
			    "a\n--pin-file, in --card order). A device that "
			    "fails stops none of the others;\neach ends with "
			    "its own line and its own records. Exit status 1 "
			    "unless every\ndevice was restored completely.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(h.ctx, "give one backup set");
	set = argv[optind];
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (out = calloc(BACKUP_MAX_KEYS, sizeof(*out))) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = hsm_ctx_engine(&h)) != EXIT_OK_)
		goto out;
	/* The set is read and checked before any device is opened. */
	if ((r = op_backup_load(h.cx, set, m, sha)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	if (ncards > 1) {
		ex = restore_many(&h, set, &ro, m, sha, cards, ncards);
		goto out;
	}
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	r = op_backup_restore(h.cx, h.dev, set, &ro, m, sha, out, &done);
	if (r == CUSTOS_ERR_DKEK_MISMATCH) {
		ex = hsm_fail(&h, CUSTOS_ERR_REFUSED);
		goto out;
	}
	if (r == CUSTOS_OK || r == CUSTOS_ERR_CORRUPT)
		printf("%s: %zu of %zu keys restored and proven\n", r == 0 ?
		    "RESTORED" : "INCOMPLETE", done, m->nkeys);
	else
		hsm_fail(&h, r);
	ex = r == CUSTOS_OK ? EXIT_OK_ : cli_exit_code(r == CUSTOS_ERR_CORRUPT
	    ? CUSTOS_ERR_CARD : r);
 out:
	free(m);
	free(out);
	hsm_ctx_close(&h);
	return ex;
}

static const struct cli_cmd backup_cmds[] = {
	{ "create", backup_create_cmd, "wrap every key into a backup set" },
	{ "verify", backup_verify_cmd, "check a set without a device "
	    "(--deep: with the DKEK)" },
	{ "restore", backup_restore_cmd, "restore a set onto a device, "
	    "proving every key" },
	{ "import-key", cmd_backup_import_key, "migrate a software key "
	    "(PKCS#8/PEM) into the HSM" },
	{ "export-key", cmd_backup_export_key, "break glass: a key of a set "
	    "to encrypted PKCS#8" },
	{ NULL, NULL, NULL },
};

int
cmd_backup(int argc, char **argv)
{
	return cli_dispatch("backup", backup_cmds, argc - 1, argv + 1);
}
