/*
 * cmd_hsm_wrap.c - custos hsm wrap | unwrap: a key exported under the
 * DKEK in sc-hsm-tool's wrap file format, and imported again on a device
 * with the same DKEK, proven by a signature under the original public key.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cards/keyblob.h"
#include "../cards/prkd.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "../ceremony/backup.h"
#include "../ceremony/dkek.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
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
	struct sc_hsm_key k;
	struct keyblob_info bi;
	struct tlv_buf wf;
	struct hsm_ctx h;
	uint8_t *blob = NULL, *prkd = NULL, *ce = NULL;
	size_t blen = 0, plen = 0, clen = 0;
	const char *out = NULL;
	char kcv[17], grouped[20], sha[65];
	json_t *facts;
	int ch, ex, r, ref = -1;

	memset(&k, 0, sizeof(k));
	tlv_init(&wf);
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
	if ((ex = hsm_out_free(h.ctx, out)) != EXIT_OK_)
		return ex;
	if ((ex = hsm_ctx_open(&h, out, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((r = sc_hsm_read_ef_opt(h.card, (uint16_t)(0xC400 | ref), &prkd,
	    &plen)) != 0 || (r = sc_hsm_read_ef_opt(h.card, (uint16_t)(0xCE00 |
	    ref), &ce, &clen)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	k.ref = ref;
	k.has_prkd = prkd != NULL && prkd_parse(prkd, plen, &k.prkd) == 0;
	if (ce != NULL && sc_hsm_pub_from_ce(ce, clen, &k.pub) != 0)
		k.pub = NULL;
	sc_hsm_key_describe(&k);
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	if ((blob = malloc(KEYBLOB_MAX + 2)) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	r = sc_hsm_wrap_key(h.card, ref, blob, KEYBLOB_MAX + 2, &blen);
	if (r == CUSTOS_ERR_NO_DKEK) {
		fprintf(stderr, "custos: %s: key %d cannot be exported: the "
		    "DKEK is not complete, or the key was generated before "
		    "it was\n", h.ctx, ref);
		ex = EXIT_REFUSED;
		goto out;
	}
	if (r == 0 && keyblob_parse(blob, blen, &bi) != 0)
		r = CUSTOS_ERR_PROTOCOL;
	if (r != 0) {
		fprintf(stderr, "custos: %s: key %d: %s\n", h.ctx, ref,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	if (prkd == NULL && ce != NULL) {
		fprintf(stderr, "custos: %s: key %d has a public key but no "
		    "description; sc-hsm-tool could not read the file\n",
		    h.ctx, ref);
		ex = EXIT_FAIL;
		goto out;
	}
	if ((r = wrapfile_encode(&wf, blob, blen, prkd, plen, ce, clen)) !=
	    0 || (r = atomicio_create(out, wf.p, wf.len)) != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", h.ctx, out,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	dkek_kcv_hex(kcv, bi.kcv);
	encode_hex_grouped8(grouped, bi.kcv);
	if (cli_file_sha256(out, sha) != 0)
		snprintf(sha, sizeof(sha), "unknown");
	printf("wrapped key %d (%s, \"%s\") into %s\n", ref, k.kind,
	    k.has_prkd ? k.prkd.label : "", out);
	printf("DKEK KCV in the blob : %s  (%s)\n", kcv, grouped);
	printf("file SHA-256         : %s\n", sha);
	facts = hsm_facts(&h);
	hsm_key_facts(facts, &k);
	json_object_set_new(facts, "file", json_string(out));
	json_object_set_new(facts, "file_sha256", json_string(sha));
	json_object_set_new(facts, "kcv", json_string(kcv));
	ex = hsm_record(&h, "hsm.wrap", facts);
 out:
	if (blob != NULL)
		secmem_wipe(blob, KEYBLOB_MAX + 2);
	free(blob);
	free(prkd);
	free(ce);
	tlv_free(&wf);
	sc_hsm_key_clear(&k);
	hsm_ctx_close(&h);
	return ex;
}

/* What a wrap file holds, parsed. */
struct unwrap_in {
	unsigned char *buf;
	size_t len;
	struct wrapfile wf;
	struct keyblob_info bi;
	struct sc_hsm_key k;	/* description and public key from the file */
};

static int
read_wrapfile(const char *ctx, const char *path, struct unwrap_in *in)
{
	const char *what = NULL;
	int r = atomicio_read(path, WRAPFILE_MAX, 0, &in->buf, &in->len);

	if (r == 0 && (r = wrapfile_parse(in->buf, in->len, &in->wf)) != 0)
		what = "not a wrap file (or truncated)";
	if (r == 0 && keyblob_parse(in->wf.blob, in->wf.blob_len, &in->bi) !=
	    0)
		what = "its key blob is malformed";
	/* A description must parse (OpenSC would choke on it) and be of
	 * the public key's type. */
	if (r == 0 && what == NULL && in->wf.prkd != NULL &&
	    prkd_parse(in->wf.prkd, in->wf.prkd_len, &in->k.prkd) != 0)
		what = "its key description does not parse";
	in->k.has_prkd = r == 0 && what == NULL && in->wf.prkd != NULL;
	if (r == 0 && what == NULL && in->wf.cert != NULL &&
	    sc_hsm_pub_from_ce(in->wf.cert, in->wf.cert_len, &in->k.pub) != 0)
		what = "its public key does not parse";
	if (r == 0 && what == NULL && in->k.pub != NULL && in->k.has_prkd &&
	    in->k.prkd.type != (EVP_PKEY_get_base_id(in->k.pub) ==
	    EVP_PKEY_RSA ? PRKD_RSA : PRKD_EC))
		what = "its description is of another key type than its "
		    "public key";
	if (r != 0 || what != NULL) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, path,
		    what != NULL ? what : custos_strerror(r));
		return cli_exit_code(what != NULL ? CUSTOS_ERR_FORMAT : r);
	}
	sc_hsm_key_describe(&in->k);
	return EXIT_OK_;
}

/*
 * Compares the blob's KCV with the device's, logging in when the device
 * shows all zeros. *logged_in is set when it did.
 */
static int
check_kcv(struct hsm_ctx *h, const struct unwrap_in *in, int *logged_in)
{
	uint8_t kcv[8], zero[8] = { 0 };
	char want[17], have[17];
	int total = 0, left = 0, r, ex;

	if (sc_hsm_dkek_query(h->card, &total, &left, kcv) != 0 ||
	    total <= 0 || left > 0) {
		fprintf(stderr, "custos: %s: the device has no complete DKEK; "
		    "import its shares first\n", h->ctx);
		return EXIT_REFUSED;
	}
	if (memcmp(kcv, zero, 8) == 0) {
		if ((ex = hsm_login(h)) != EXIT_OK_)
			return ex;
		*logged_in = 1;
		if ((r = sc_hsm_dkek_query(h->card, &total, &left, kcv)) != 0)
			return cli_fail(h->ctx, r);
		if (memcmp(kcv, zero, 8) == 0) {
			fprintf(stderr, "custos: %s: the device shows no KCV; "
			    "cannot check the DKEK\n", h->ctx);
			return EXIT_FAIL;
		}
	}
	dkek_kcv_hex(want, in->bi.kcv);
	dkek_kcv_hex(have, kcv);
	if (memcmp(kcv, in->bi.kcv, 8) != 0) {
		fprintf(stderr, "custos: %s: DKEK MISMATCH: the key was wrapped "
		    "under KCV %s, the device has %s; nothing written\n",
		    h->ctx, want, have);
		return EXIT_REFUSED;
	}
	printf("DKEK KCV             : %s  (device and wrap file agree)\n",
	    have);
	return EXIT_OK_;
}

/* Records an unwrap that stopped: how far it came, and why. */
static void
record_failure(struct hsm_ctx *h, const struct unwrap_in *in,
    const char *path, int unwrapped, int r)
{
	json_t *facts = hsm_facts(h);
	char kcv[17];

	hsm_key_facts(facts, &in->k);
	json_object_del(facts, "pubkey");
	dkek_kcv_hex(kcv, in->bi.kcv);
	json_object_set_new(facts, "file", json_string(path));
	json_object_set_new(facts, "kcv", json_string(kcv));
	json_object_set_new(facts, "unwrapped", json_boolean(unwrapped));
	json_object_set_new(facts, "error", json_string(custos_strerror(r)));
	(void)hsm_record(h, "hsm.unwrap.failed", facts);
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
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_outcome o;
	struct unwrap_in in;
	struct hsm_ctx h;
	const char *path;
	char kcv[17], sha[65];
	json_t *facts;
	int ch, ex, r, ref = -1, logged_in = 0;

	memset(&in, 0, sizeof(in));
	hsm_ctx_init(&h, "hsm unwrap");
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
		case 'f': ro.force = 1; break;
		case 's': ro.staged = 1; break;
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
	path = argv[optind];
	if ((ex = read_wrapfile(h.ctx, path, &in)) != EXIT_OK_)
		goto out;
	if (ref < 0)
		ref = in.k.has_prkd && in.k.prkd.key_ref > 0 ?
		    in.k.prkd.key_ref : -1;
	if (ref < 0) {
		ex = cli_usage_error(h.ctx, "the file names no key reference: "
		    "give --ref N");
		goto out;
	}
	in.k.ref = ref;
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if (in.k.pub == NULL) {
		fprintf(stderr, "custos: %s: %s has no public key: the key "
		    "could not be proven, so it is not imported\n", h.ctx,
		    path);
		ex = EXIT_BADINPUT;
		goto out;
	}
	if ((ex = check_kcv(&h, &in, &logged_in)) != EXIT_OK_)
		goto out;
	if (!logged_in && (ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	memset(&o, 0, sizeof(o));
	o.ref = o.dest_ref = ref;
	r = backup_restore_key(h.card, &in.wf, in.k.pub, &ro, NULL, &o);
	if (r != 0 || o.err != 0) {
		fprintf(stderr, "custos: %s: %s\n", h.ctx, o.why);
		ex = cli_exit_code(r != 0 ? r : o.err == CUSTOS_ERR_EXISTS ?
		    CUSTOS_ERR_EXISTS : o.err == CUSTOS_ERR_DKEK_MISMATCH ?
		    CUSTOS_ERR_DKEK_MISMATCH : CUSTOS_ERR_CARD);
		record_failure(&h, &in, path, o.on_device, r != 0 ? r : o.err);
		goto out;
	}
	if (o.already)
		printf("reference %d already holds this key (it signs under "
		    "the file's public key);\nonly missing files were "
		    "written\n", ref);
	else
		printf("unwrapped into reference %d\n", ref);
	printf("proof: the key signs and the signature VERIFIES under the "
	    "original public key\n");
	hsm_key_print(&in.k);
	dkek_kcv_hex(kcv, in.bi.kcv);
	if (cli_file_sha256(path, sha) != 0)
		snprintf(sha, sizeof(sha), "unknown");
	facts = hsm_facts(&h);
	hsm_key_facts(facts, &in.k);
	json_object_set_new(facts, "file", json_string(path));
	json_object_set_new(facts, "file_sha256", json_string(sha));
	json_object_set_new(facts, "kcv", json_string(kcv));
	json_object_set_new(facts, "resumed", json_boolean(o.already));
	json_object_set_new(facts, "proof", json_boolean(o.proven));
	ex = hsm_record(&h, "hsm.unwrap", facts);
 out:
	sc_hsm_key_clear(&in.k);
	free(in.buf);
	hsm_ctx_close(&h);
	return ex;
}
