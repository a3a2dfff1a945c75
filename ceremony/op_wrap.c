/*
 * op_wrap.c - one key out under the DKEK into sc-hsm-tool's wrap file
 * format, and back in on a device with the same DKEK, proven by a
 * signature under the original public key (op_hsm.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "../cards/card.h"
#include "../cards/keyblob.h"
#include "../cards/prkd.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "backup.h"
#include "keyfacts.h"
#include "op_hsm.h"
#include "op_int.h"

/* Refuses an output that exists, before any PIN try or key work
   (atomicio_create() is the real guard). */
static int
out_free(struct op_ctx *cx, const char *out)
{
	struct stat sb;

	if (lstat(out, &sb) == 0)
		return op_fail(cx, CUSTOS_ERR_EXISTS, "%s: %s", out,
		    custos_strerror(CUSTOS_ERR_EXISTS));
	if (errno != ENOENT)
		return op_fail(cx, custos_err_from_errno(errno), "%s: %s", out,
		    strerror(errno));
	return CUSTOS_OK;
}

/* Key facts with the file written or read: file, its SHA-256, kcv. */
static json_t *
wrap_facts(struct op_ctx *cx, struct op_dev *d, const struct sc_hsm_key *k,
    const char *file, const char *kcv, char sha[65])
{
	char rel[4096];
	json_t *f = op_dev_facts(d);

	op_relpath(cx, file, rel, sizeof(rel));
	op_file_sha256(file, sha);
	if (f == NULL)
		return NULL;
	keyfacts_add(f, k);
	json_object_set_new(f, "file", json_string(rel));
	json_object_set_new(f, "file_sha256", json_string(sha));
	json_object_set_new(f, "kcv", json_string(kcv));
	return f;
}

int
op_hsm_wrap(struct op_ctx *cx, struct op_dev *d, int ref, const char *out,
    struct op_wrap_result *res)
{
	const char *who = op_actor(cx, "operator");
	struct keyblob_info bi;
	struct sc_hsm_key k;
	struct tlv_buf wf;
	struct card *c;
	unsigned long long in = 0;
	uint8_t *blob = NULL, *prkd = NULL, *ce = NULL;
	size_t blen = 0, plen = 0, clen = 0;
	char rel[4096];
	json_t *f;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&k, 0, sizeof(k));
	tlv_init(&wf);
	if ((r = out_free(cx, out)) != CUSTOS_OK ||
	    (r = op_recordable(cx, "output file name", out)) != CUSTOS_OK ||
	    (r = op_dev_card(cx, d, &c)) != CUSTOS_OK)
		goto out;
	if ((r = sc_hsm_read_ef_opt(c, (uint16_t)(0xC400 | ref), &prkd, &plen))
	    != 0 || (r = sc_hsm_read_ef_opt(c, (uint16_t)(0xCE00 | ref), &ce,
	    &clen)) != 0) {
		r = op_dev_err(cx, d, r, "reading the key's files");
		goto out;
	}
	k.ref = ref;
	k.has_prkd = prkd != NULL && prkd_parse(prkd, plen, &k.prkd) == 0;
	if (ce != NULL && sc_hsm_pub_from_ce(ce, clen, &k.pub) != 0)
		k.pub = NULL;
	sc_hsm_key_describe(&k);
	if ((r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		goto out;
	if ((blob = malloc(KEYBLOB_MAX + 2)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	op_relpath(cx, out, rel, sizeof(rel));
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:s, s:s}", "ref",
		    ref, "label", k.has_prkd ? k.prkd.label : "", "file", rel));
	if ((r = op_intent(cx, d, who, "hsm.wrap", f, &in)) != CUSTOS_OK)
		goto out;
	r = sc_hsm_wrap_key(c, ref, blob, KEYBLOB_MAX + 2, &blen);
	if (r == CUSTOS_ERR_NO_DKEK) {
		op_intent_abort(cx, d, who, in, "the device will not export it",
		    NULL);
		r = op_fail(cx, CUSTOS_ERR_REFUSED, "key %d cannot be exported: "
		    "the DKEK is not complete, or the key was generated before "
		    "it was", ref);
		goto out;
	}
	if (r == 0 && keyblob_parse(blob, blen, &bi) != 0)
		r = CUSTOS_ERR_PROTOCOL;
	if (r == 0 && prkd == NULL && ce != NULL)
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "key %d has a public key but "
		    "no description; sc-hsm-tool could not read the file", ref);
	else if (r != 0)
		r = op_fail(cx, r, "key %d: %s", ref, custos_strerror(r));
	if (r == 0 && ((r = wrapfile_encode(&wf, blob, blen, prkd, plen, ce,
	    clen)) != 0 || (r = atomicio_create(out, wf.p, wf.len)) != 0))
		r = op_fail(cx, r, "%s: %s", out, custos_strerror(r));
	if (r != 0) {
		op_intent_abort(cx, d, who, in, custos_strerror(r), NULL);
		goto out;
	}
	dkek_kcv_hex(res->kcv, bi.kcv);
	op_key_from(&k, &res->key);
	if ((f = wrap_facts(cx, d, &k, out, res->kcv, res->sha256)) != NULL)
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	r = op_record(cx, d, who, "hsm.wrap", f, NULL);
 out:
	if (blob != NULL)
		secmem_wipe(blob, KEYBLOB_MAX + 2);
	free(blob);
	free(prkd);
	free(ce);
	tlv_free(&wf);
	sc_hsm_key_clear(&k);
	return r;
}

/* What a wrap file holds, parsed. */
struct unwrap_in {
	unsigned char *buf;
	size_t len;
	struct wrapfile wf;
	struct keyblob_info bi;
	struct sc_hsm_key k;	/* description and public key from the file */
};

static void
unwrap_in_clear(struct unwrap_in *in)
{
	sc_hsm_key_clear(&in->k);
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

static int
read_wrapfile(struct op_ctx *cx, const char *path, struct unwrap_in *in)
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
	if (r != 0 || what != NULL)
		return op_fail(cx, what != NULL ? CUSTOS_ERR_FORMAT : r,
		    "%s: %s", path, what != NULL ? what : custos_strerror(r));
	sc_hsm_key_describe(&in->k);
	return CUSTOS_OK;
}

int
op_wrapfile_ref(struct op_ctx *cx, const char *file, int *ref)
{
	struct unwrap_in in;
	int r;

	memset(&in, 0, sizeof(in));
	*ref = -1;
	if ((r = read_wrapfile(cx, file, &in)) == CUSTOS_OK &&
	    in.k.has_prkd && in.k.prkd.key_ref > 0)
		*ref = in.k.prkd.key_ref;
	unwrap_in_clear(&in);
	return r;
}

/* The device's DKEK must be the blob's: compared before anything is
   written (logging in when the device shows all zeros). */
static int
check_kcv(struct op_ctx *cx, struct op_dev *d, const char *who,
    const struct unwrap_in *in, char want[17])
{
	char have[17] = "";
	int r, login = 0;

	dkek_kcv_hex(want, in->bi.kcv);
	r = op_dev_kcv(cx, d, who, have, &login);
	if (r == CUSTOS_ERR_NO_DKEK)
		return op_fail(cx, CUSTOS_ERR_REFUSED, "the device has no "
		    "complete DKEK; import its shares first");
	if (r != CUSTOS_OK)
		return r;
	if (strcmp(want, have) != 0)
		return op_fail(cx, CUSTOS_ERR_DKEK_MISMATCH, "DKEK MISMATCH: the "
		    "key was wrapped under KCV %s, the device has %s; nothing "
		    "written", want, have);
	op_note(cx, "DKEK KCV             : %s  (device and wrap file agree)",
	    have);
	return CUSTOS_OK;
}

int
op_hsm_unwrap(struct op_ctx *cx, struct op_dev *d,
    const struct op_unwrap_args *a, struct op_unwrap_result *res)
{
	const char *who = op_actor(cx, "operator");
	struct backup_restore_opts ro = { BACKUP_CONFLICT_REFUSE, 0, 0 };
	struct backup_outcome o;
	struct unwrap_in in;
	struct card *c;
	unsigned long long seq = 0;
	char rel[4096], sha[65], pub[65];
	json_t *f;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&in, 0, sizeof(in));
	ro.force = a->force;
	ro.staged = a->staged;
	if ((r = read_wrapfile(cx, a->file, &in)) != CUSTOS_OK)
		goto out;
	in.k.ref = a->ref > 0 ? a->ref : in.k.has_prkd ? in.k.prkd.key_ref :
	    -1;
	if (in.k.ref < 1) {
		r = op_fail(cx, CUSTOS_ERR_INVALID_ARG, "the file names no key "
		    "reference: give --ref N");
		goto out;
	}
	if (in.k.pub == NULL) {
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "%s has no public key: the "
		    "key could not be proven, so it is not imported", a->file);
		goto out;
	}
	if ((r = check_kcv(cx, d, who, &in, res->kcv)) != CUSTOS_OK ||
	    (r = op_dev_login(cx, d, who)) != CUSTOS_OK)
		goto out;
	op_key_from(&in.k, &res->key);
	op_relpath(cx, a->file, rel, sizeof(rel));
	if (encode_hex(pub, sizeof(pub), in.k.fpr, sizeof(in.k.fpr), 0) != 0)
		pub[0] = '\0';
	if ((f = op_dev_facts(d)) != NULL)
		json_object_update_new(f, json_pack("{s:i, s:s, s:s, s:s}",
		    "ref", in.k.ref, "label", res->key.label, "pubkey_sha256",
		    pub, "file", rel));
	if ((r = op_intent(cx, d, who, "hsm.unwrap", f, &seq)) != CUSTOS_OK)
		goto out;
	memset(&o, 0, sizeof(o));
	o.ref = o.dest_ref = in.k.ref;
	if ((r = op_dev_card(cx, d, &c)) == CUSTOS_OK)
		r = backup_restore_key(c, &in.wf, in.k.pub, &ro, NULL, &o);
	if (r != 0 || o.err != 0) {
		op_intent_abort(cx, d, who, seq, o.why[0] != '\0' ? o.why :
		    custos_strerror(r), json_pack("{s:s, s:s, s:i, s:s, s:s}",
		    "key_on_device", o.on_device ? "yes" : "no", "serial",
		    op_dev_serial(d), "ref", in.k.ref, "pubkey_sha256", pub,
		    "kcv", res->kcv));
		r = op_fail(cx, r != 0 ? r : o.err == CUSTOS_ERR_EXISTS ||
		    o.err == CUSTOS_ERR_DKEK_MISMATCH ? o.err : CUSTOS_ERR_CARD,
		    "%s", o.why[0] != '\0' ? o.why : custos_strerror(r));
		goto out;
	}
	res->already = o.already;
	if ((f = wrap_facts(cx, d, &in.k, a->file, res->kcv, sha)) != NULL) {
		json_object_del(f, "pubkey");
		keyfacts_add(f, &in.k);
		json_object_set_new(f, "resumed", json_boolean(o.already));
		json_object_set_new(f, "proof", json_boolean(o.proven));
		json_object_set_new(f, "intent", json_integer((json_int_t)seq));
	}
	r = op_record(cx, d, who, "hsm.unwrap", f, NULL);
 out:
	unwrap_in_clear(&in);
	return r;
}
