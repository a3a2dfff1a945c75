/*
 * cmd_backup.c - custos backup create | verify | restore: every key of a
 * SmartCard-HSM wrapped into a backup set with a manifest, the set checked
 * with no device (and, with the DKEK rebuilt in memory from its shares,
 * opened key by key), and restored onto a replacement device with each key
 * proven under its original public key. The logic is ceremony/backup.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../ceremony/backup.h"
#include "../ceremony/keyfacts.h"
#include "../ceremony/dkek.h"
#include "../ceremony/transcript.h"
#include "../ceremony/verify.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"
#include "hsm_util.h"
#include "dkek_sources.h"

static void
print_outcome(void *arg, size_t done, size_t total,
    const struct backup_outcome *o)
{
	const char *verb = arg;

	if (o->err != 0)
		printf("[%zu/%zu] key %3d: %s: %s\n", done, total, o->ref,
		    o->err == CUSTOS_ERR_NO_DKEK && strcmp(verb, "wrapped") == 0
		    ? "NOT BACKED UP" : "FAILED", o->why);
	else if (o->already)
		printf("[%zu/%zu] key %3d: already on the device under %d, "
		    "PROVEN\n", done, total, o->ref, o->dest_ref);
	else if (o->proven)
		printf("[%zu/%zu] key %3d: restored under %d, PROVEN (signs "
		    "under its original public key)\n", done, total, o->ref,
		    o->dest_ref);
	else
		printf("[%zu/%zu] key %3d: %s\n", done, total, o->ref, verb);
	fflush(stdout);
}

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
	size_t nrefs = 0, i;
	json_t *facts, *skipped;

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
			    "DKEK KCV). One PIN entry for the whole set. Keys "
			    "the device will not\nexport are listed as NOT "
			    "BACKED UP. With --ceremony the manifest's SHA-256 "
			    "is\nrecorded.\n");
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
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	r = backup_create(h.card, out, refs, nrefs, h.serial,
	    card_reader(h.card), h.emulated, m, sha, print_outcome,
	    (void *)"wrapped");
	if (r != 0) {
		fprintf(stderr, "custos: %s: %s: %s%s\n", h.ctx, out,
		    r == CUSTOS_ERR_NO_DKEK ? "the device has no complete "
		    "DKEK" : custos_strerror(r), r == CUSTOS_ERR_EXISTS ||
		    r == CUSTOS_ERR_NO_DKEK || r == CUSTOS_ERR_NO_KEY ? "" :
		    " (the set has no manifest: it is incomplete; start again "
		    "in a new directory)");
		ex = cli_exit_code(r);
		goto out;
	}
	printf("backup set %s: %zu key%s, DKEK KCV %s\n", out, m->nkeys,
	    m->nkeys == 1 ? "" : "s", m->kcv);
	printf("manifest SHA-256: %s\n", sha);
	if (m->nskipped > 0)
		printf("WARNING: %zu key%s NOT BACKED UP (listed in the "
		    "manifest under not_exportable)\n", m->nskipped,
		    m->nskipped == 1 ? " is" : "s are");
	facts = hsm_facts(&h);
	skipped = json_array();
	for (i = 0; i < m->nskipped; i++)
		json_array_append_new(skipped, json_pack("{s:i, s:s, s:s}",
		    "ref", m->skipped[i].ref, "label", m->skipped[i].label,
		    "reason", m->skipped[i].reason));
	json_object_set_new(facts, "set", json_string(out));
	json_object_set_new(facts, "manifest_sha256", json_string(sha));
	json_object_set_new(facts, "kcv", json_string(m->kcv));
	json_object_set_new(facts, "keys", keyfacts_manifest(m));
	json_object_set_new(facts, "not_exportable", skipped);
	ex = hsm_record(&h, "backup.create", facts);
 out:
	free(m);
	hsm_ctx_close(&h);
	return ex;
}

/* Looks in a verified ceremony transcript for the manifest and the keys'
 * public keys at generation. Prints what it finds; exit code. */
static int
check_transcript(const char *ctx, const char *dir,
    const struct backup_manifest *m, const char *sha)
{
	struct ceremony_verdict v;
	struct transcript_record rec;
	char *buf = NULL, *p, *nl, *end;
	const char *why;
	long n = 0, found = -1, *gen = NULL;
	size_t i, len = 0;
	int r, ex = EXIT_OK_;

	if ((r = ceremony_verify(dir, &v, &buf, &len)) != 0) {
		fprintf(stderr, "custos: %s: %s: the transcript does not verify"
		    ": %s\n", ctx, dir, v.why[0] ? v.why : custos_strerror(r));
		free(buf);
		return EXIT_BADINPUT;
	}
	if ((gen = calloc(m->nkeys + 1, sizeof(*gen))) == NULL) {
		free(buf);
		return cli_fail(ctx, CUSTOS_ERR_NOMEM);
	}
	for (i = 0; i < m->nkeys; i++)
		gen[i] = -1;
	for (p = buf, end = buf + len; p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1, n++) {
		json_t *f, *v2;

		if (transcript_parse_record(p, (size_t)(nl - p), &rec, &why) !=
		    0)
			continue;
		f = json_object_get(rec.body, "facts");
		if (strcmp(rec.action, "backup.create") == 0 &&
		    json_is_string(v2 = json_object_get(f, "manifest_sha256"))
		    && strcmp(json_string_value(v2), sha) == 0)
			found = n;
		if (strcmp(rec.action, "hsm.keygen") == 0 &&
		    json_is_string(v2 = json_object_get(f, "pubkey_sha256")))
			for (i = 0; i < m->nkeys; i++)
				if (strcmp(json_string_value(v2),
				    m->keys[i].pubkey_sha256) == 0)
					gen[i] = n;
		transcript_record_clear(&rec);
	}
	if (found < 0) {
		fprintf(stderr, "custos: %s: the manifest (SHA-256 %.16s...) "
		    "is not the one recorded by any backup.create in %s\n",
		    ctx, sha, dir);
		ex = EXIT_FAIL;
	} else
		printf("manifest: the one recorded at record %ld of %s\n",
		    found, dir);
	for (i = 0; i < m->nkeys; i++)
		if (gen[i] >= 0)
			printf("key %3d: public key as recorded at its "
			    "generation (record %ld)\n", m->keys[i].ref, gen[i]);
		else
			printf("key %3d: not generated in this ceremony (no "
			    "hsm.keygen record with its public key)\n",
			    m->keys[i].ref);
	free(gen);
	free(buf);
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
	unsigned char *dkek = NULL;
	const char *set, *transcript = NULL;
	char sha[65];
	size_t nbad = 0, i;
	int ch, ex, r, deep = 0;
	json_t *facts, *bad;

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
	if ((ex = cli_open_ceremony(h.ctx, h.cdir, h.admin_fd, h.admin_file,
	    h.actor, NULL, argv + optind, 1, &h.cer)) != EXIT_OK_)
		goto out;
	if ((ex = hsm_load_set(h.ctx, set, m, sha)) != EXIT_OK_)
		goto out;
	printf("backup set %s: %zu key%s from device %s, DKEK KCV %s\n", set,
	    m->nkeys, m->nkeys == 1 ? "" : "s", m->serial, m->kcv);
	printf("manifest SHA-256: %s\n", sha);
	if (deep) {
		if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
			ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
			goto out;
		}
		if ((ex = dkek_rebuild(h.ctx, &src, dkek)) != EXIT_OK_)
			goto out;
	}
	r = backup_verify(set, m, dkek, out, &nbad, print_outcome,
	    (void *)(deep ? "OK: hash, KCV, CMAC, decrypts to the manifest's "
	    "public key" : "OK: hash, KCV, description and public key"));
	if (r == CUSTOS_ERR_DKEK_MISMATCH) {
		fprintf(stderr, "custos: %s: the shares make another DKEK than "
		    "the set's (KCV %s)\n", h.ctx, m->kcv);
		ex = EXIT_REFUSED;
		goto out;
	}
	for (i = 0; i < m->nskipped; i++)
		printf("key %3d: NOT IN THE SET: %s\n", m->skipped[i].ref,
		    m->skipped[i].reason);
	ex = r == 0 ? EXIT_OK_ : EXIT_FAIL;
	if (transcript != NULL && check_transcript(h.ctx, transcript, m, sha)
	    != EXIT_OK_)
		ex = EXIT_FAIL;
	printf("%s: %zu of %zu keys %s\n", ex == EXIT_OK_ ? "VERIFIED" :
	    "FAILED", m->nkeys - nbad, m->nkeys, deep ? "open with the DKEK "
	    "and match" : "match the manifest");
	facts = json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "set", set,
	    "manifest_sha256", sha, "kcv", m->kcv, "deep", deep, "keys",
	    (json_int_t)m->nkeys, "failed", (json_int_t)nbad);
	bad = json_array();
	for (i = 0; i < m->nkeys; i++)
		if (out[i].err != 0)
			json_array_append_new(bad, json_pack("{s:i, s:s}", "ref",
			    out[i].ref, "why", out[i].why));
	json_object_set_new(facts, "problems", bad);
	r = hsm_record(&h, "backup.verify", facts);
	if (ex == EXIT_OK_)
		ex = r;
 out:
	secmem_free(dkek);
	free(m);
	free(out);
	hsm_ctx_close(&h);
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
	const char *set;
	char sha[65], kcv[17];
	uint8_t k[8];
	size_t nbad = 0, i, done = 0;
	int ch, ex, r, total, left;
	json_t *facts, *res;

	hsm_ctx_init(&h, "backup restore");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
			    "--force. For a clone, run it once per device.\n");
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
	if ((ex = hsm_load_set(h.ctx, set, m, sha)) != EXIT_OK_)
		goto out;
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	printf("restoring %zu key%s from %s (device %s), DKEK KCV %s\n",
	    m->nkeys, m->nkeys == 1 ? "" : "s", set, m->serial, m->kcv);
	r = backup_restore(h.card, set, m, &ro, out, &nbad, print_outcome,
	    (void *)"restored");
	if (r == CUSTOS_ERR_DKEK_MISMATCH || r == CUSTOS_ERR_NO_DKEK) {
		if (r == CUSTOS_ERR_DKEK_MISMATCH &&
		    sc_hsm_dkek_query(h.card, &total, &left, k) == 0)
			dkek_kcv_hex(kcv, k);
		else
			snprintf(kcv, sizeof(kcv), "none");
		fprintf(stderr, "custos: %s: DKEK %s: the set was made under "
		    "KCV %s, the device has %s; nothing written\n", h.ctx,
		    r == CUSTOS_ERR_NO_DKEK ? "INCOMPLETE" : "MISMATCH",
		    m->kcv, kcv);
		ex = EXIT_REFUSED;
		goto out;
	}
	for (i = 0; i < m->nkeys; i++)
		if (out[i].err == 0 && out[i].proven)
			done++;
	if (r != 0 && r != CUSTOS_ERR_CORRUPT)
		fprintf(stderr, "custos: %s: %s (%zu of %zu keys restored and "
		    "proven; run again to finish)\n", h.ctx,
		    custos_strerror(r), done, m->nkeys);
	else
		printf("%s: %zu of %zu keys restored and proven\n", r == 0 ?
		    "RESTORED" : "INCOMPLETE", done, m->nkeys);
	ex = r == 0 ? EXIT_OK_ : cli_exit_code(r == CUSTOS_ERR_CORRUPT ?
	    CUSTOS_ERR_CARD : r);
	facts = hsm_facts(&h);
	res = keyfacts_restore(m, out);
	json_object_set_new(facts, "set", json_string(set));
	json_object_set_new(facts, "manifest_sha256", json_string(sha));
	json_object_set_new(facts, "kcv", json_string(m->kcv));
	json_object_set_new(facts, "results", res);
	json_object_set_new(facts, "restored", json_integer((json_int_t)done));
	r = hsm_record(&h, "backup.restore", facts);
	if (ex == EXIT_OK_)
		ex = r;
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
