/*
 * op_migrate.c - keys between software and the HSM with the DKEK
 * (op_backup.h): import-key brings an existing PKCS#8/PEM key (RSA or EC)
 * onto the device by wrapping it under the DKEK and unwrapping it there,
 * custos keeping no copy; export-key is the break-glass path out of a
 * backup set to another vendor, behind a typed confirmation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../cards/card.h"
#include "../cards/keyblob.h"
#include "../cards/prkd.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "keyfacts.h"
#include "op_backup.h"
#include "op_int.h"
#include "op_share_int.h"

#define KEYFILE_MAX 65536

/* The passphrase of an encrypted key file, asked through io once. */
struct pw_cb {
	struct op_ctx *cx;
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
	if ((cb->err = op_secret(cb->cx, OP_SECRET_KEY, op_actor(cb->cx,
	    "operator"), "Passphrase of the key file", "", &pw, &len)) != 0 ||
	    len > (size_t)size) {
		secmem_free(pw);
		return -1;
	}
	memcpy(buf, pw, len);
	secmem_free(pw);
	return (int)len;
}

/* Reads a private key (PEM or DER, PKCS#8 or traditional, encrypted or
   not) from guarded memory. */
static EVP_PKEY *
read_key(struct op_ctx *cx, const unsigned char *d, size_t n, int *asked)
{
	struct pw_cb cb = { cx, 0, 0 };
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
   so that custos and OpenSC find its public key. */
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

/* Reads, checks and parses the key file (guarded, never copied). */
static int
load_key(struct op_ctx *cx, const char *path, EVP_PKEY **key)
{
	unsigned char *file = NULL;
	size_t flen = 0;
	int r, asked = 0;

	if ((r = atomicio_read(path, KEYFILE_MAX, 1, &file, &flen)) != 0)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	*key = read_key(cx, file, flen, &asked);
	atomicio_free_buf(file, flen, 1);
	if (*key == NULL)
		return op_fail(cx, asked ? CUSTOS_ERR_BAD_PASSPHRASE :
		    CUSTOS_ERR_FORMAT, "%s: %s", path, asked ? "wrong passphrase, "
		    "or not a private key" : "not a private key in PEM or DER");
	if (EVP_PKEY_get_base_id(*key) == EVP_PKEY_RSA &&
	    EVP_PKEY_get_bits(*key) < 2048)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: RSA below 2048 bits is "
		    "not imported", path);
	return CUSTOS_OK;
}

int
op_backup_import_key(struct op_ctx *cx, struct op_dev *d,
    const struct op_import_key_args *a, struct op_key *out)
{
	const char *who = op_actor(cx, "operator");
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_outcome o;
	struct sc_hsm_key k;
	struct wrapfile w;
	struct tlv_buf wf;
	struct card *c;
	unsigned long long in = 0;
	unsigned char *dkek = NULL, kcv[8];
	char want[17], have[17] = "", pub[65];
	EVP_PKEY *key = NULL;
	json_t *f;
	int r, ref = a->ref, login = 0;

	memset(&k, 0, sizeof(k));
	memset(out, 0, sizeof(*out));
	tlv_init(&wf);
	if ((r = load_key(cx, a->keyfile, &key)) != CUSTOS_OK)
		goto out;
	if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((r = op_dkek_rebuild(cx, a->sources, dkek)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		goto out;
	dkek_kcv(kcv, dkek);
	dkek_kcv_hex(want, kcv);
	if ((r = op_dev_kcv(cx, d, who, have, &login)) != CUSTOS_OK)
		goto out;
	if (strcmp(want, have) != 0) {
		r = op_fail(cx, CUSTOS_ERR_DKEK_MISMATCH, "DKEK MISMATCH: the "
		    "shares make KCV %s, the device has %s; nothing written",
		    want, have[0] != '\0' ? have : "no complete DKEK");
		goto out;
	}
	if (ref < 0 && (r = sc_hsm_free_ref(c, &ref)) != 0) {
		r = op_dev_err(cx, d, r, "finding a free reference");
		goto out;
	}
	if ((r = build_wrapfile(dkek, key, a->label, a->id, a->idlen, ref,
	    &wf)) != 0 || (r = wrapfile_parse(wf.p, wf.len, &w)) != 0) {
		r = op_fail(cx, r, "%s: %s", a->keyfile, r ==
		    CUSTOS_ERR_UNSUPPORTED ? "a key type or curve the "
		    "SmartCard-HSM does not take" : custos_strerror(r));
		goto out;
	}
	k.ref = ref;
	k.has_prkd = prkd_parse(w.prkd, w.prkd_len, &k.prkd) == 0;
	if (sc_hsm_pub_from_ce(w.cert, w.cert_len, &k.pub) != 0)
		k.pub = NULL;
	sc_hsm_key_describe(&k);
	if (encode_hex(pub, sizeof(pub), k.fpr, sizeof(k.fpr), 0) != 0)
		pub[0] = '\0';
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:s, s:s}", "ref",
		    ref, "label", a->label, "pubkey_sha256", pub));
	if ((r = op_intent(cx, d, who, "backup.import-key", f, &in)) !=
	    CUSTOS_OK)
		goto out;
	memset(&o, 0, sizeof(o));
	o.ref = o.dest_ref = ref;
	r = backup_restore_key(c, &w, key, &ro, NULL, &o);
	if (r != 0 || o.err != 0 || o.already) {
		op_intent_abort(cx, d, who, in, o.already ? "the key is on the "
		    "device already" : o.why, json_pack("{s:s, s:i}",
		    "key_on_device", o.on_device ? "yes" : "no", "ref", ref));
		r = op_fail(cx, o.already ? CUSTOS_ERR_REFUSED : r != 0 ? r :
		    o.err == CUSTOS_ERR_EXISTS ? o.err : CUSTOS_ERR_CARD, "%s",
		    o.already ? "the key is on the device already" : o.why);
		goto out;
	}
	op_key_from(&k, out);
	if ((f = op_dev_facts(d)) != NULL) {
		keyfacts_add(f, &k);
		json_object_set_new(f, "kcv", json_string(want));
		json_object_set_new(f, "proof", json_true());
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	}
	r = op_record(cx, d, who, "backup.import-key", f, NULL);
 out:
	sc_hsm_key_clear(&k);
	EVP_PKEY_free(key);
	secmem_free(dkek);
	tlv_free(&wf);
	return r;
}

int
op_backup_export_key(struct op_ctx *cx, const char *set, int ref,
    const char *out, const struct op_dkek_sources *sources,
    struct backup_key *kout)
{
	const char *who = op_actor(cx, "operator");
	struct backup_manifest *m = NULL;
	struct backup_outcome o;
	const struct backup_key *k = NULL;
	unsigned long long in = 0;
	unsigned char *dkek = NULL;
	EVP_PKEY *priv = NULL;
	BIO *bio = NULL;
	char sha[65], fsha[65], *pw = NULL, *pem = NULL, cons[400];
	char rel[4096], srel[4096];
	size_t pwlen = 0, i;
	long pl;
	json_t *f;
	int r;

	if ((r = op_out_free(cx, out)) != CUSTOS_OK)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = op_backup_load(cx, set, m, sha)) != CUSTOS_OK)
		goto out;
	for (i = 0; i < m->nkeys; i++)
		if (m->keys[i].ref == ref)
			k = &m->keys[i];
	if (k == NULL) {
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "key %d is not in the set",
		    ref);
		goto out;
	}
	*kout = *k;
	snprintf(cons, sizeof(cons), "Exporting key %d (%s, \"%s\") takes it "
	    "out of the HSM's\nprotection: whoever holds %s and its passphrase "
	    "holds the key.", ref, k->kind, k->label, out);
	if ((r = op_confirm(cx, cons, "EXPORT", "not exported (type EXPORT, or "
	    "--force)")) != CUSTOS_OK ||
	    (r = op_dkek_rebuild(cx, sources, dkek)) != CUSTOS_OK)
		goto out;
	if ((r = backup_open_key(set, m, ref, dkek, &priv, &o)) != 0) {
		r = op_fail(cx, r == CUSTOS_ERR_DKEK_MISMATCH ?
		    CUSTOS_ERR_REFUSED : r, "%s", r == CUSTOS_ERR_DKEK_MISMATCH ?
		    "the shares make another DKEK than the set's" : o.why);
		goto out;
	}
	if (o.note[0] != '\0')
		op_note(cx, "key %d: %s", ref, o.note);
	if ((r = op_secret(cx, OP_SECRET_EXPORT_NEW, who, "New passphrase for "
	    "the exported key", "", &pw, &pwlen)) != CUSTOS_OK ||
	    (r = op_file_intent(cx, who, "backup.export-key", out, NULL, &in))
	    != CUSTOS_OK)
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(bio, priv, EVP_aes_256_cbc(), pw,
	    (int)pwlen, NULL, NULL) != 1 || (pl = BIO_get_mem_data(bio, &pem))
	    <= 0)
		r = op_fail(cx, CUSTOS_ERR_CRYPTO, "%s", custos_strerror(
		    CUSTOS_ERR_CRYPTO));
	else if ((r = atomicio_create(out, pem, (size_t)pl)) != 0)
		r = op_fail(cx, r, "%s: %s", out, custos_strerror(r));
	if (r != CUSTOS_OK) {
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	op_relpath(cx, out, rel, sizeof(rel));
	op_relpath(cx, set, srel, sizeof(srel));
	op_file_sha256(out, fsha);
	f = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "set", srel, "manifest_sha256", sha, "kcv", m->kcv, "ref", ref,
	    "label", k->label, "pubkey_sha256", k->pubkey_sha256, "file", rel,
	    "file_sha256", fsha, "format", "PKCS#8 PEM, AES-256-CBC, PBKDF2",
	    "intent", (json_int_t)in);
	if (f != NULL && m->domain >= 0)
		json_object_set_new(f, "domain", json_integer(m->domain));
	r = op_record(cx, NULL, who, "backup.export-key", f, NULL);
 out:
	BIO_free(bio);
	EVP_PKEY_free(priv);
	secmem_free(pw);
	secmem_free(dkek);
	free(m);
	return r;
}
