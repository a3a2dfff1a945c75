/*
 * cmd_backup_keys.c - custos backup import-key | export-key: moving keys
 * between software and the HSM with the DKEK. import-key brings an
 * existing PKCS#8/PEM key (RSA or EC) onto the device by wrapping it
 * under the DKEK and unwrapping it there, custos keeping no copy;
 * export-key is the break-glass path out of a backup set to another
 * vendor, behind a typed confirmation and recorded.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../cards/card.h"
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
#include "cmds.h"
#include "dkek_sources.h"
#include "hsm_util.h"

#define KEYFILE_MAX 65536

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
	struct backup_manifest *m = NULL;
	struct backup_outcome o;
	struct dkek_sources src;
	struct prompt_src npw;
	struct hsm_ctx h;
	const struct backup_key *k = NULL;
	const char *out = NULL, *nfd = NULL, *nfile = NULL, *set;
	unsigned char *dkek = NULL;
	EVP_PKEY *priv = NULL;
	BIO *bio = NULL;
	char sha[65], *pw = NULL, *pem = NULL;
	size_t pwlen = 0, i;
	long pl;
	int ch, ex, r, ref = -1, force = 0;
	json_t *facts;

	memset(&src, 0, sizeof(src));
	hsm_ctx_init(&h, "backup export-key");
	prompt_src_tty(&npw);
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
		case 'f': force = 1; break;
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
	    (ex = hsm_out_free(h.ctx, out)) != EXIT_OK_ ||
	    (ex = cli_secret_source(&npw, nfd, nfile, h.ctx)) != EXIT_OK_)
		return ex;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = cli_open_ceremony(h.ctx, h.cdir, h.admin_fd, h.admin_file,
	    h.actor, out, argv + optind, 1, &h.cer)) != EXIT_OK_)
		goto out;
	if ((ex = hsm_load_set(h.ctx, set, m, sha)) != EXIT_OK_)
		goto out;
	for (i = 0; i < m->nkeys; i++)
		if (m->keys[i].ref == ref)
			k = &m->keys[i];
	if (k == NULL) {
		fprintf(stderr, "custos: %s: key %d is not in the set\n", h.ctx,
		    ref);
		ex = EXIT_BADINPUT;
		goto out;
	}
	printf("Exporting key %d (%s, \"%s\") takes it out of the HSM's\n"
	    "protection: whoever holds %s and its passphrase holds the "
	    "key.\n", ref, k->kind, k->label, out);
	if (!force && !hsm_confirm("EXPORT")) {
		fprintf(stderr, "custos: %s: not exported (type EXPORT, or "
		    "--force)\n", h.ctx);
		ex = EXIT_REFUSED;
		goto out;
	}
	if ((ex = dkek_rebuild(h.ctx, &src, dkek)) != EXIT_OK_)
		goto out;
	if ((r = backup_open_key(set, m, ref, dkek, &priv, &o)) != 0) {
		fprintf(stderr, "custos: %s: %s\n", h.ctx, r ==
		    CUSTOS_ERR_DKEK_MISMATCH ? "the shares make another DKEK "
		    "than the set's" : o.why);
		ex = cli_exit_code(r);
		goto out;
	}
	if ((r = cli_new_passphrase(h.ctx, &npw, "New passphrase for the "
	    "exported key", 0, &pw, &pwlen)) != 0) {
		ex = r == CUSTOS_ERR_WEAK_PASSPHRASE ? cli_exit_code(r) :
		    cli_fail(h.ctx, r);
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(bio, priv, EVP_aes_256_cbc(), pw,
	    (int)pwlen, NULL, NULL) != 1 || (pl = BIO_get_mem_data(bio, &pem))
	    <= 0) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_CRYPTO);
		goto out;
	}
	if ((r = atomicio_create(out, pem, (size_t)pl)) != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", h.ctx, out,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	printf("exported key %d to %s (encrypted PKCS#8; `openssl pkey -in "
	    "%s` opens it)\n", ref, out, out);
	facts = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "set",
	    set, "manifest_sha256", sha, "kcv", m->kcv, "ref", ref, "label",
	    k->label, "pubkey_sha256", k->pubkey_sha256, "out", out,
	    "format", "PKCS#8 PEM, AES-256-CBC, PBKDF2");
	ex = hsm_record(&h, "backup.export-key", facts);
 out:
	BIO_free(bio);
	EVP_PKEY_free(priv);
	secmem_free(pw);
	secmem_free(dkek);
	free(m);
	prompt_src_close(&npw);
	hsm_ctx_close(&h);
	return ex;
}

/* Reads a private key (PEM or DER, PKCS#8 or traditional, encrypted or
 * not) from guarded memory. */
struct pw_cb {
	struct prompt_src *src;
	int asked, err;
};

static int
pem_pw(char *buf, int size, int rwflag, void *u)
{
	struct pw_cb *cb = u;
	char *pw = NULL;
	size_t len = 0;

	(void)rwflag;
	if (cb->asked++ > 0)
		return -1;
	if ((cb->err = prompt_secret(cb->src, "Passphrase of the key file", 0,
	    &pw, &len)) != 0 || len > (size_t)size) {
		secmem_free(pw);
		return -1;
	}
	memcpy(buf, pw, len);
	secmem_free(pw);
	return (int)len;
}

static EVP_PKEY *
read_key(const unsigned char *d, size_t n, struct prompt_src *src,
    int *asked)
{
	struct pw_cb cb = { src, 0, 0 };
	EVP_PKEY *k = NULL;
	BIO *b;

	if ((b = BIO_new_mem_buf(d, (int)n)) == NULL)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, pem_pw, &cb);
	if (k == NULL && cb.asked == 0) {
		(void)BIO_reset(b);
		k = d2i_PKCS8PrivateKey_bio(b, NULL, pem_pw, &cb);
	}
	if (k == NULL && cb.asked == 0) {
		(void)BIO_reset(b);
		k = d2i_PrivateKey_bio(b, NULL);
	}
	BIO_free(b);
	*asked = cb.asked;
	return k;
}

/* A self-signed X.509 certificate for the imported key, stored in CExx
 * so that custos and OpenSC find its public key. */
static int
self_cert(EVP_PKEY *key, const char *label, uint8_t **der, int *len)
{
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	int r = CUSTOS_ERR_CRYPTO;

	*der = NULL;
	if (x == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400L) == NULL ||
	    (name = X509_get_subject_name(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)label, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, key) != 1
	    || X509_sign(x, key, EVP_sha256()) <= 0 ||
	    (*len = i2d_X509(x, der)) <= 0)
		goto out;
	r = 0;
 out:
	X509_free(x);
	return r;
}

/* The wrap file for key (blob under dkek, PrKD, certificate) into wf. */
static int
build_wrapfile(const uint8_t *dkek, EVP_PKEY *key, const char *label,
    const uint8_t *id, size_t idlen, int ref, struct tlv_buf *wf)
{
	uint8_t *blob = NULL, *der = NULL, defid[20];
	struct tlv_buf pb;
	struct prkd p;
	size_t bl = 0;
	int dl = 0, r;

	tlv_init(&pb);
	memset(&p, 0, sizeof(p));
	if ((blob = malloc(KEYBLOB_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = keyblob_wrap(dkek, key, NULL, 0, blob, KEYBLOB_MAX, &bl)) != 0)
		goto out;
	p.type = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? PRKD_RSA :
	    PRKD_EC;
	snprintf(p.label, sizeof(p.label), "%s", label);
	if (id == NULL) {
		if ((r = sc_hsm_default_id(key, defid)) != 0)
			goto out;
		id = defid;
		idlen = sizeof(defid);
	}
	memcpy(p.id, id, idlen);
	p.id_len = idlen;
	p.key_ref = ref;
	p.bits = (unsigned)EVP_PKEY_get_bits(key);
	if ((r = prkd_encode(&p, &pb)) != 0 ||
	    (r = self_cert(key, label, &der, &dl)) != 0)
		goto out;
	r = wrapfile_encode(wf, blob, bl, pb.p, pb.len, der, (size_t)dl);
 out:
	if (blob != NULL)
		secmem_wipe(blob, KEYBLOB_MAX);
	free(blob);
	OPENSSL_free(der);
	tlv_free(&pb);
	return r;
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
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_outcome o;
	struct sc_hsm_key k;
	struct dkek_sources src;
	struct prompt_src kpw;
	struct wrapfile w;
	struct tlv_buf wf;
	struct hsm_ctx h;
	const char *label = NULL, *idhex = NULL, *kfd = NULL, *kfile = NULL;
	const char *path;
	unsigned char *file = NULL, *dkek = NULL, kcv[8], dev[8];
	uint8_t id[PRKD_ID_MAX];
	EVP_PKEY *key = NULL;
	char want[17], have[17];
	size_t flen = 0, idlen = 0;
	int ch, ex, r, ref = -1, asked = 0, total = 0, left = 0;
	json_t *facts;

	memset(&src, 0, sizeof(src));
	memset(&k, 0, sizeof(k));
	tlv_init(&wf);
	hsm_ctx_init(&h, "backup import-key");
	prompt_src_tty(&kpw);
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
		case 'l': label = optarg; break;
		case 'i': idhex = optarg; break;
		case 'k': kfd = optarg; break;
		case 'K': kfile = optarg; break;
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
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
	if (optind + 1 != argc || label == NULL || label[0] == '\0' ||
	    strlen(label) > PRKD_LABEL_MAX)
		return cli_usage_error(h.ctx, "give KEYFILE and --label (1 to 64 "
		    "characters)");
	path = argv[optind];
	if (!dkek_sources_given(&src))
		return cli_usage_error(h.ctx, "give the DKEK's shares (--share, "
		    "--mnemonics-file, --pwshares-file)");
	if ((ex = cli_check_recordable(h.ctx, "label", label)) != EXIT_OK_ ||
	    (ex = dkek_sources_check(h.ctx, &src)) != EXIT_OK_ ||
	    (ex = cli_secret_source(&kpw, kfd, kfile, h.ctx)) != EXIT_OK_)
		return ex;
	if (idhex != NULL && (ex = hsm_parse_id(h.ctx, idhex, id, &idlen)) !=
	    EXIT_OK_)
		return ex;
	/* The key file: guarded memory, parsed, never copied anywhere. */
	if ((r = atomicio_read(path, KEYFILE_MAX, 1, &file, &flen)) != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", h.ctx, path,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	if ((key = read_key(file, flen, &kpw, &asked)) == NULL) {
		fprintf(stderr, "custos: %s: %s: %s\n", h.ctx, path, asked ?
		    "wrong passphrase, or not a private key" : "not a private "
		    "key in PEM or DER");
		ex = asked ? EXIT_AUTH : EXIT_BADINPUT;
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    EVP_PKEY_get_bits(key) < 2048) {
		fprintf(stderr, "custos: %s: %s: RSA below 2048 bits is not "
		    "imported\n", h.ctx, path);
		ex = EXIT_BADINPUT;
		goto out;
	}
	if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	if ((ex = dkek_rebuild(h.ctx, &src, dkek)) != EXIT_OK_ ||
	    (ex = hsm_ctx_open(&h, NULL, argv + optind, 1)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	dkek_kcv(kcv, dkek);
	dkek_kcv_hex(want, kcv);
	if ((r = sc_hsm_dkek_query(h.card, &total, &left, dev)) != 0 ||
	    total <= 0 || left > 0 || memcmp(dev, kcv, 8) != 0) {
		dkek_kcv_hex(have, dev);
		fprintf(stderr, "custos: %s: DKEK MISMATCH: the shares make KCV "
		    "%s, the device has %s; nothing written\n", h.ctx, want,
		    r == 0 && total > 0 && left == 0 ? have : "no complete "
		    "DKEK");
		ex = EXIT_REFUSED;
		goto out;
	}
	if (ref < 0 && (r = sc_hsm_free_ref(h.card, &ref)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((r = build_wrapfile(dkek, key, label, idhex ? id : NULL, idlen,
	    ref, &wf)) != 0 || (r = wrapfile_parse(wf.p, wf.len, &w)) != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", h.ctx, path, r ==
		    CUSTOS_ERR_UNSUPPORTED ? "a key type or curve the "
		    "SmartCard-HSM does not take" : custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.ref = o.dest_ref = ref;
	r = backup_restore_key(h.card, &w, key, &ro, NULL, &o);
	if (r != 0 || o.err != 0 || o.already) {
		fprintf(stderr, "custos: %s: %s\n", h.ctx, o.already ?
		    "the key is on the device already" : o.why);
		ex = o.already ? EXIT_REFUSED : cli_exit_code(r != 0 ? r :
		    o.err == CUSTOS_ERR_EXISTS ? o.err : CUSTOS_ERR_CARD);
		goto out;
	}
	k.ref = ref;
	k.has_prkd = prkd_parse(w.prkd, w.prkd_len, &k.prkd) == 0;
	if (sc_hsm_pub_from_ce(w.cert, w.cert_len, &k.pub) != 0)
		k.pub = NULL;
	sc_hsm_key_describe(&k);
	printf("imported %s under reference %d and PROVEN (the device signs "
	    "under its public key):\n", path, ref);
	hsm_key_print(&k);
	printf("custos kept no copy of %s; destroy it as your policy "
	    "requires.\n", path);
	facts = hsm_facts(&h);
	hsm_key_facts(facts, &k);
	json_object_set_new(facts, "kcv", json_string(want));
	json_object_set_new(facts, "proof", json_true());
	ex = hsm_record(&h, "backup.import-key", facts);
 out:
	sc_hsm_key_clear(&k);
	EVP_PKEY_free(key);
	atomicio_free_buf(file, flen, 1);
	secmem_free(dkek);
	tlv_free(&wf);
	prompt_src_close(&kpw);
	hsm_ctx_close(&h);
	return ex;
}
