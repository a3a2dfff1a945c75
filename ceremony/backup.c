/* backup.c - backup sets: create, verify (with or without the DKEK),
 * restore with proof. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../cards/keyblob.h"
#include "../cards/prkd.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "backup.h"
#include "dkek.h"

static void
say(struct backup_outcome *o, int err, const char *fmt, ...)
{
	va_list ap;

	o->err = err;
	va_start(ap, fmt);
	/* clang-analyzer loses track of va_start here: a false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

static void
sha256_hex(char out[65], const void *d, size_t n)
{
	uint8_t h[32];

	if (EVP_Digest(d, n, h, NULL, EVP_sha256(), NULL) != 1 ||
	    encode_hex(out, 65, h, sizeof(h), 0) != 0)
		snprintf(out, 65, "%s", "");
}

static int
path_in(char *out, size_t cap, const char *dir, const char *name)
{
	return snprintf(out, cap, "%s/%s", dir, name) >= (int)cap ?
	    CUSTOS_ERR_TOO_LARGE : 0;
}

/* The device's KCV; CUSTOS_ERR_NO_DKEK when it has no complete DKEK. */
static int
device_kcv(struct card *c, char kcv[17])
{
	uint8_t k[8], zero[8] = { 0 };
	int r, total = 0, left = 0;

	if ((r = sc_hsm_dkek_query(c, &total, &left, k)) != 0)
		return r == CUSTOS_ERR_CARD ? CUSTOS_ERR_NO_DKEK : r;
	if (total <= 0 || left > 0)
		return CUSTOS_ERR_NO_DKEK;
	if (memcmp(k, zero, 8) == 0)
		return CUSTOS_ERR_NOT_LOGGED_IN;
	dkek_kcv_hex(kcv, k);
	return 0;
}

/* Fills a manifest entry from a listed key. */
static int
key_entry(const struct sc_hsm_key *k, struct backup_key *e)
{
	unsigned char *der = NULL;
	int n, r = CUSTOS_ERR_NOMEM;

	memset(e, 0, sizeof(*e));
	e->ref = k->ref;
	snprintf(e->label, sizeof(e->label), "%s", k->has_prkd ?
	    k->prkd.label : "");
	if (k->has_prkd && encode_hex(e->id, sizeof(e->id), k->prkd.id,
	    k->prkd.id_len, 0) != 0)
		e->id[0] = '\0';
	snprintf(e->kind, sizeof(e->kind), "%s", k->kind);
	if (encode_hex(e->pubkey_sha256, sizeof(e->pubkey_sha256), k->fpr,
	    sizeof(k->fpr), 0) != 0)
		return CUSTOS_ERR_INTERNAL;
	if ((n = i2d_PUBKEY(k->pub, &der)) > 0)
		r = encode_base64(e->pubkey, sizeof(e->pubkey), der, (size_t)n);
	OPENSSL_free(der);
	backup_key_file(e->file, e->ref);
	return r;
}

/* Reads EF fid, or nothing (*d NULL) when the device has none. */
static int
read_opt(struct card *c, uint16_t fid, uint8_t **d, size_t *n)
{
	int r = sc_hsm_read_ef(c, fid, d, n);

	if (r == CUSTOS_ERR_NOT_FOUND) {
		*d = NULL;
		*n = 0;
		return 0;
	}
	return r;
}

/* Wraps key k into dir; fills e or, when the device will not, s. */
static int
create_one(struct card *c, const char *dir, const struct sc_hsm_key *k,
    uint8_t *blob, struct backup_key *e, struct backup_skipped *s,
    int *skipped, char kcv[17])
{
	struct keyblob_info bi;
	struct tlv_buf wf;
	uint8_t *prkd = NULL, *ce = NULL;
	size_t bl = 0, pl = 0, cl = 0;
	char path[4096], bk[17];
	int r;

	tlv_init(&wf);
	*skipped = 0;
	memset(s, 0, sizeof(*s));
	s->ref = k->ref;
	snprintf(s->label, sizeof(s->label), "%s", k->has_prkd ?
	    k->prkd.label : "");
	snprintf(s->kind, sizeof(s->kind), "%s", k->kind);
	if (k->pub == NULL) {
		snprintf(s->reason, sizeof(s->reason), "no public key stored "
		    "beside it (EF CE%02X): it could not be proven", k->ref);
		*skipped = 1;
		return 0;
	}
	r = sc_hsm_wrap_key(c, k->ref, blob, KEYBLOB_MAX + 2, &bl);
	if (r == CUSTOS_ERR_NO_DKEK) {
		snprintf(s->reason, sizeof(s->reason), "the device will not "
		    "export it: generated before the DKEK was complete");
		*skipped = 1;
		return 0;
	}
	if (r != 0)
		goto out;
	if (keyblob_parse(blob, bl, &bi) != 0) {
		r = CUSTOS_ERR_PROTOCOL;
		goto out;
	}
	dkek_kcv_hex(bk, bi.kcv);
	if (strcmp(bk, kcv) != 0) {
		r = CUSTOS_ERR_DKEK_MISMATCH;	/* the device contradicts itself */
		goto out;
	}
	if ((r = read_opt(c, (uint16_t)(0xC400 | k->ref), &prkd, &pl)) != 0 ||
	    (r = read_opt(c, (uint16_t)(0xCE00 | k->ref), &ce, &cl)) != 0)
		goto out;
	if (prkd == NULL) {
		/* sc-hsm-tool reads the parts by position: give it one. */
		struct prkd p;
		struct tlv_buf pb;

		memset(&p, 0, sizeof(p));
		p.type = EVP_PKEY_get_base_id(k->pub) == EVP_PKEY_RSA ?
		    PRKD_RSA : PRKD_EC;
		if ((r = sc_hsm_default_id(k->pub, p.id)) != 0)
			goto out;
		p.id_len = 20;
		p.key_ref = k->ref;
		p.bits = (unsigned)EVP_PKEY_get_bits(k->pub);
		tlv_init(&pb);
		if ((r = prkd_encode(&p, &pb)) == 0 &&
		    (prkd = malloc(pb.len)) == NULL)
			r = CUSTOS_ERR_NOMEM;
		if (r == 0) {
			memcpy(prkd, pb.p, pb.len);
			pl = pb.len;
		}
		tlv_free(&pb);
		if (r != 0)
			goto out;
	}
	if ((r = key_entry(k, e)) != 0)
		goto out;
	if (!k->has_prkd) {
		/* The manifest names the description the file carries. */
		struct prkd p;

		if (prkd_parse(prkd, pl, &p) != 0 || encode_hex(e->id,
		    sizeof(e->id), p.id, p.id_len, 0) != 0) {
			r = CUSTOS_ERR_INTERNAL;
			goto out;
		}
	}
	if ((r = wrapfile_encode(&wf, blob, bl, prkd, pl, ce, cl)) != 0 ||
	    (r = path_in(path, sizeof(path), dir, e->file)) != 0 ||
	    (r = atomicio_create(path, wf.p, wf.len)) != 0)
		goto out;
	sha256_hex(e->file_sha256, wf.p, wf.len);
 out:
	secmem_wipe(blob, KEYBLOB_MAX + 2);
	free(prkd);
	free(ce);
	tlv_free(&wf);
	return r;
}

int
backup_create(struct card *c, const char *dir, const int *refs,
    size_t nrefs, const char *serial, const char *reader, int emulated,
    struct backup_manifest *m, char sha256[65], backup_progress_fn fn,
    void *arg)
{
	struct sc_hsm_key *keys = NULL;
	struct backup_outcome o;
	uint8_t *blob = NULL, want[256];
	char *json = NULL, path[4096];
	size_t n = 0, i, jl = 0, total;
	int r, skipped;

	memset(m, 0, sizeof(*m));
	memset(want, 0, sizeof(want));
	sha256[0] = '\0';
	for (i = 0; i < nrefs; i++) {
		if (refs[i] < 1 || refs[i] > 255)
			return CUSTOS_ERR_INVALID_ARG;
		want[refs[i]] = 1;
	}
	if ((r = device_kcv(c, m->kcv)) != 0)
		return r;
	keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys));
	blob = malloc(KEYBLOB_MAX + 2);
	if (keys == NULL || blob == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if ((r = sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (want[keys[i].ref])
			want[keys[i].ref] = 2;
	for (i = 0; i < 256; i++)
		if (want[i] == 1) {
			r = CUSTOS_ERR_NO_KEY;
			goto out;
		}
	if (mkdir(dir, 0700) != 0) {
		r = errno == EEXIST ? CUSTOS_ERR_EXISTS :
		    custos_err_from_errno(errno);
		goto out;
	}
	utctime_now(m->created);
	snprintf(m->serial, sizeof(m->serial), "%s", serial);
	snprintf(m->reader, sizeof(m->reader), "%s", reader);
	m->emulated = emulated;
	total = nrefs > 0 ? nrefs : n;
	for (i = 0; i < n; i++) {
		if (nrefs > 0 && !want[keys[i].ref])
			continue;
		r = create_one(c, dir, &keys[i], blob, &m->keys[m->nkeys],
		    &m->skipped[m->nskipped], &skipped, m->kcv);
		memset(&o, 0, sizeof(o));
		o.ref = o.dest_ref = keys[i].ref;
		if (r != 0)
			goto out;
		if (skipped)
			say(&o, CUSTOS_ERR_NO_DKEK, "%s",
			    m->skipped[m->nskipped++].reason);
		else
			m->nkeys++;
		if (fn != NULL)
			fn(arg, m->nkeys + m->nskipped, total, &o);
	}
	if ((r = backup_manifest_dump(m, &json, &jl)) != 0 ||
	    (r = path_in(path, sizeof(path), dir, BACKUP_MANIFEST)) != 0 ||
	    (r = atomicio_create(path, json, jl)) != 0)
		goto out;
	sha256_hex(sha256, json, jl);
 out:
	for (i = 0; keys != NULL && i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
	free(blob);
	free(json);
	return r;
}

int
backup_load(const char *dir, struct backup_manifest *m, char sha256[65],
    const char **why)
{
	unsigned char *buf = NULL;
	char path[4096];
	size_t len = 0;
	int r;

	*why = NULL;
	if ((r = path_in(path, sizeof(path), dir, BACKUP_MANIFEST)) != 0 ||
	    (r = atomicio_read(path, BACKUP_MANIFEST_MAX, 0, &buf, &len)) != 0)
		return r;
	sha256_hex(sha256, buf, len);
	r = backup_manifest_parse((const char *)buf, len, m, why);
	atomicio_free_buf(buf, len, 0);
	return r;
}

/*
 * Checks one key's wrap file against the manifest (and with dkek, opens
 * its blob); *wf points into *file (the caller frees it); *pub gets the
 * manifest's public key.
 */
static int
check_key(const char *dir, const struct backup_manifest *m,
    const struct backup_key *k, const uint8_t *dkek, unsigned char **file,
    size_t *flen, struct wrapfile *wf, EVP_PKEY **pub,
    struct backup_outcome *o)
{
	uint8_t der[1200], h[32];
	const unsigned char *p = der;
	struct keyblob_info bi;
	struct prkd pd;
	EVP_PKEY *cpub = NULL, *priv = NULL;
	char path[4096], hex[65];
	size_t dl = 0;
	int r;

	*file = NULL;
	*pub = NULL;
	memset(wf, 0, sizeof(*wf));
	memset(o, 0, sizeof(*o));
	o->ref = o->dest_ref = k->ref;
	if ((r = path_in(path, sizeof(path), dir, k->file)) != 0 ||
	    (r = atomicio_read(path, WRAPFILE_MAX, 0, file, flen)) != 0) {
		say(o, r, "%s: %s", k->file, custos_strerror(r));
		return r;
	}
	sha256_hex(hex, *file, *flen);
	if (strcmp(hex, k->file_sha256) != 0) {
		say(o, CUSTOS_ERR_CORRUPT, "%s: its SHA-256 is not the "
		    "manifest's (altered or replaced)", k->file);
		return o->err;
	}
	if (wrapfile_parse(*file, *flen, wf) != 0 ||
	    keyblob_parse(wf->blob, wf->blob_len, &bi) != 0) {
		say(o, CUSTOS_ERR_CORRUPT, "%s: not a wrap file", k->file);
		return o->err;
	}
	dkek_kcv_hex(hex, bi.kcv);
	if (strcmp(hex, m->kcv) != 0) {
		say(o, CUSTOS_ERR_DKEK_MISMATCH, "%s: wrapped under KCV %s, "
		    "not the set's %s", k->file, hex, m->kcv);
		return o->err;
	}
	if (decode_base64(der, sizeof(der), &dl, k->pubkey,
	    strlen(k->pubkey)) != 0 || EVP_Digest(der, dl, h, NULL,
	    EVP_sha256(), NULL) != 1 || encode_hex(hex, sizeof(hex), h, 32, 0)
	    != 0 || strcmp(hex, k->pubkey_sha256) != 0 ||
	    (*pub = d2i_PUBKEY(NULL, &p, (long)dl)) == NULL) {
		say(o, CUSTOS_ERR_CORRUPT, "key %d: the manifest's public key "
		    "does not match its own SHA-256 (edited?)", k->ref);
		return o->err;
	}
	if (wf->prkd == NULL || prkd_parse(wf->prkd, wf->prkd_len, &pd) != 0 ||
	    strcmp(pd.label, k->label) != 0 || pd.type != (EVP_PKEY_get_base_id(
	    *pub) == EVP_PKEY_RSA ? PRKD_RSA : PRKD_EC)) {
		say(o, CUSTOS_ERR_CORRUPT, "%s: its description is not the "
		    "manifest's (label \"%s\")", k->file, k->label);
		return o->err;
	}
	if (wf->cert == NULL || sc_hsm_pub_from_ce(wf->cert, wf->cert_len,
	    &cpub) != 0 || EVP_PKEY_eq(cpub, *pub) != 1) {
		EVP_PKEY_free(cpub);
		say(o, CUSTOS_ERR_CORRUPT, "%s: its public key is not the "
		    "manifest's", k->file);
		return o->err;
	}
	EVP_PKEY_free(cpub);
	/* The manifest's ID and kind are the file's, too. */
	{
		struct sc_hsm_key dk;

		memset(&dk, 0, sizeof(dk));
		dk.pub = *pub;
		sc_hsm_key_describe(&dk);
		if (encode_hex(hex, sizeof(hex), pd.id, pd.id_len, 0) != 0 ||
		    strcmp(hex, k->id) != 0 || strcmp(dk.kind, k->kind) != 0) {
			say(o, CUSTOS_ERR_CORRUPT, "%s: its ID or key type is "
			    "not the manifest's", k->file);
			return o->err;
		}
	}
	if (dkek == NULL)
		return 0;
	r = keyblob_unwrap(dkek, wf->blob, wf->blob_len, &priv);
	if (r != 0) {
		say(o, r, "%s: %s", k->file, r == CUSTOS_ERR_CORRUPT ? "the "
		    "blob's CMAC does not hold: altered" : custos_strerror(r));
		return r;
	}
	r = EVP_PKEY_eq(priv, *pub) == 1 ? 0 : CUSTOS_ERR_CORRUPT;
	EVP_PKEY_free(priv);
	if (r != 0)
		say(o, r, "%s: the blob holds another key than the manifest's "
		    "public key", k->file);
	return r;
}

int
backup_verify(const char *dir, const struct backup_manifest *m,
    const uint8_t *dkek, struct backup_outcome *out, size_t *nbad,
    backup_progress_fn fn, void *arg)
{
	unsigned char *file = NULL;
	struct wrapfile wf;
	EVP_PKEY *pub = NULL;
	uint8_t kcv[8];
	char hex[17];
	size_t i, flen = 0;

	*nbad = 0;
	if (dkek != NULL) {
		dkek_kcv(kcv, dkek);
		dkek_kcv_hex(hex, kcv);
		if (strcmp(hex, m->kcv) != 0)
			return CUSTOS_ERR_DKEK_MISMATCH;
	}
	for (i = 0; i < m->nkeys; i++) {
		if (check_key(dir, m, &m->keys[i], dkek, &file, &flen, &wf,
		    &pub, &out[i]) != 0)
			(*nbad)++;
		EVP_PKEY_free(pub);
		pub = NULL;
		free(file);
		file = NULL;
		if (fn != NULL)
			fn(arg, i + 1, m->nkeys, &out[i]);
	}
	return *nbad == 0 ? 0 : CUSTOS_ERR_CORRUPT;
}

int
backup_open_key(const char *dir, const struct backup_manifest *m, int ref,
    const uint8_t *dkek, EVP_PKEY **priv, struct backup_outcome *o)
{
	unsigned char *file = NULL;
	struct wrapfile wf;
	EVP_PKEY *pub = NULL;
	size_t i, flen = 0;
	int r;

	*priv = NULL;
	memset(o, 0, sizeof(*o));
	o->ref = o->dest_ref = ref;
	for (i = 0; i < m->nkeys; i++)
		if (m->keys[i].ref == ref)
			break;
	if (i == m->nkeys) {
		say(o, CUSTOS_ERR_NO_KEY, "key %d is not in the set", ref);
		return CUSTOS_ERR_NO_KEY;
	}
	/* The deep check first: CMAC, decryption, the manifest's key. */
	if ((r = check_key(dir, m, &m->keys[i], dkek, &file, &flen, &wf, &pub,
	    o)) == 0 && (r = keyblob_unwrap(dkek, wf.blob, wf.blob_len, priv))
	    != 0)
		say(o, r, "%s", custos_strerror(r));
	EVP_PKEY_free(pub);
	free(file);
	return r;
}

/* The PrKD to write under dest: the file's, with the reference fixed. */
static int
prkd_for(const struct wrapfile *wf, int dest, struct tlv_buf *b)
{
	struct prkd p;

	if (prkd_parse(wf->prkd, wf->prkd_len, &p) != 0)
		return CUSTOS_ERR_CORRUPT;
	if (p.key_ref == dest || p.type == PRKD_UNKNOWN || p.id_len == 0 ||
	    p.bits == 0) {
		tlv_raw(b, wf->prkd, wf->prkd_len);
		return tlv_error(b);
	}
	p.key_ref = dest;
	return prkd_encode(&p, b);
}

/* Whether the device has EF fid. */
static int
has_ef(const struct backup_fids *f, uint16_t fid)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->fid[i] == fid)
			return 1;
	return 0;
}

/* Notes that fid now exists (add) or not. */
static void
note_ef(struct backup_fids *f, uint16_t fid, int add)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->fid[i] == fid) {
			if (!add)
				f->fid[i] = f->fid[--f->n];
			return;
		}
	if (add && f->n < sizeof(f->fid) / sizeof(f->fid[0]))
		f->fid[f->n++] = fid;
	else if (add)
		f->valid = 0;	/* full: ask the device next time */
}

/*
 * The lowest reference with no key, description or public key on the
 * device that the set does not use either.
 */
static int
free_ref(const struct backup_fids *f, int *ref)
{
	int i;

	for (i = 1; i <= 255; i++)
		if (!f->reserved[i] && !has_ef(f, (uint16_t)(0xCC00 | i)) &&
		    !has_ef(f, (uint16_t)(0xC400 | i)) &&
		    !has_ef(f, (uint16_t)(0xCE00 | i))) {
			*ref = i;
			return 0;
		}
	return CUSTOS_ERR_CARD_FULL;
}

/*
 * A key whose public key is pub somewhere else on the device (an earlier
 * run put it under a free reference): one that signs under pub and has no
 * public key beside it, or one whose stored public key is pub. *ref, or
 * -1. Returns a transport error, else 0.
 */
static int
find_elsewhere(struct card *c, const struct backup_fids *f, EVP_PKEY *pub,
    int skip, int *ref)
{
	struct sc_hsm_key k;
	uint8_t *ce = NULL;
	EVP_PKEY *p = NULL;
	size_t i, cl = 0;
	int r, x, stored;

	*ref = -1;
	for (i = 0; i < f->n && *ref < 0; i++) {
		x = f->fid[i] & 0xff;
		if ((f->fid[i] >> 8) != 0xCC || x == 0 || x == skip ||
		    f->reserved[x])
			continue;
		stored = 0;
		if (has_ef(f, (uint16_t)(0xCE00 | x))) {
			if ((r = sc_hsm_read_ef(c, (uint16_t)(0xCE00 | x), &ce,
			    &cl)) == CUSTOS_ERR_CARD_REMOVED)
				return r;
			stored = r == 0 && sc_hsm_pub_from_ce(ce, cl, &p) == 0;
			free(ce);
			ce = NULL;
		}
		if (stored) {
			if (EVP_PKEY_eq(p, pub) == 1)
				*ref = x;
			EVP_PKEY_free(p);
			p = NULL;
			continue;
		}
		/* No public key beside it, or one cut off mid-write: it is
		 * this key if it signs under pub. */
		memset(&k, 0, sizeof(k));
		k.ref = x;
		k.pub = pub;
		if ((r = sc_hsm_prove_key(c, &k)) == 0)
			*ref = x;
		else if (r == CUSTOS_ERR_CARD_REMOVED)
			return r;
	}
	return 0;
}

/* Writes EF fid, deleting it first only when it is there. */
static int
put_ef(struct card *c, struct backup_fids *f, uint16_t fid, const uint8_t *d,
    size_t n)
{
	int r = has_ef(f, fid) ? sc_hsm_replace_ef(c, fid, d, n) :
	    sc_hsm_write_ef(c, fid, d, n);

	if (r == 0)
		note_ef(f, fid, 1);
	else
		f->valid = 0;	/* not sure what is there now */
	return r;
}

/* A key already under o->dest_ref: is it this one, and may its files be
 * completed? Returns a transport error, else 0 with o set. */
static int
resume_key(struct card *c, const struct wrapfile *wf, EVP_PKEY *pub,
    int has_c4, int has_ce, int force, struct backup_outcome *o,
    int *write_c4, int *write_ce)
{
	struct sc_hsm_key k;
	uint8_t *ce = NULL;
	size_t cl = 0;
	int r;

	memset(&k, 0, sizeof(k));
	k.ref = o->dest_ref;
	k.pub = pub;
	if ((r = sc_hsm_prove_key(c, &k)) != 0)
		return r == CUSTOS_ERR_CARD_REMOVED ? r : CUSTOS_ERR_EXISTS;
	/* The key signs under the expected public key. A public key kept
	 * beside it must be that one too. */
	k.pub = NULL;
	if (has_ce && (r = sc_hsm_read_ef(c, (uint16_t)(0xCE00 | o->dest_ref),
	    &ce, &cl)) != 0) {
		say(o, r, "%s", custos_strerror(r));
		return r == CUSTOS_ERR_CARD_REMOVED ? r : 0;
	}
	/* One that does not parse at all is a write that was cut off:
	 * it is completed. */
	if (has_ce && sc_hsm_pub_from_ce(ce, cl, &k.pub) != 0)
		has_ce = 0;
	else if (has_ce && !force && EVP_PKEY_eq(k.pub, pub) != 1)
		say(o, CUSTOS_ERR_EXISTS, "reference %d keeps another public "
		    "key beside its key; not changed (--force replaces it)",
		    o->dest_ref);
	EVP_PKEY_free(k.pub);
	free(ce);
	ce = NULL;
	if (has_c4 && o->err == 0) {
		struct prkd p;

		if ((r = sc_hsm_read_ef(c, (uint16_t)(0xC400 | o->dest_ref),
		    &ce, &cl)) == CUSTOS_ERR_CARD_REMOVED)
			return r;
		if (r != 0 || prkd_parse(ce, cl, &p) != 0)
			has_c4 = 0;
		free(ce);
	}
	o->already = 1;
	o->proven = o->err == 0;
	*write_c4 = wf->prkd != NULL && (force || !has_c4);
	*write_ce = wf->cert != NULL && (force || !has_ce);
	return 0;
}

int
backup_restore_key(struct card *c, const struct wrapfile *wf, EVP_PKEY *pub,
    const struct backup_restore_opts *opt, struct backup_fids *cache,
    struct backup_outcome *o)
{
	struct backup_fids local, *f;
	struct sc_hsm_key k;
	struct tlv_buf pb;
	uint8_t *ce = NULL;
	size_t cl = 0;
	int r, dest = o->dest_ref, has_key, has_c4, has_ce;
	int write_c4 = wf->prkd != NULL, write_ce = wf->cert != NULL;

	memset(&k, 0, sizeof(k));
	tlv_init(&pb);
	o->err = 0;
	o->already = o->proven = 0;
	memset(&local, 0, sizeof(local));
	f = cache != NULL ? cache : &local;
	if (!f->valid) {
		if ((r = sc_hsm_enumerate(c, f->fid, sizeof(f->fid) /
		    sizeof(f->fid[0]), &f->n)) != 0)
			goto out;
		f->valid = 1;
	}
	has_key = has_ef(f, (uint16_t)(0xCC00 | dest));
	has_c4 = has_ef(f, (uint16_t)(0xC400 | dest));
	has_ce = has_ef(f, (uint16_t)(0xCE00 | dest));
	if (has_key) {
		r = resume_key(c, wf, pub, has_c4, has_ce, opt->force, o,
		    &write_c4, &write_ce);
		if (r == CUSTOS_ERR_CARD_REMOVED)
			goto out;
		if (r == 0 && o->err != 0) {
			o->proven = 0;
			goto out;
		}
		if (r != 0 && opt->conflict != BACKUP_CONFLICT_NEXT_FREE) {
			say(o, CUSTOS_ERR_EXISTS, "reference %d holds another "
			    "key; not restored (--conflict next-free puts it "
			    "elsewhere)", dest);
			r = 0;
			goto out;
		}
		if (r != 0) {
			int there;

			/* Placed elsewhere by an earlier run? Then it is
			 * completed there, never placed twice. */
			if ((r = find_elsewhere(c, f, pub, dest, &there)) != 0)
				goto out;
			if (there > 0) {
				o->dest_ref = there;
				return backup_restore_key(c, wf, pub, opt, f, o);
			}
			if ((r = free_ref(f, &dest)) != 0) {
				say(o, r, "reference %d holds another key and "
				    "no reference is free", o->dest_ref);
				r = 0;
				goto out;
			}
			o->dest_ref = dest;
			has_c4 = has_ce = 0;
		}
	}
	if (!o->already && (has_c4 || has_ce) && !opt->force) {
		say(o, CUSTOS_ERR_EXISTS, "reference %d has a description or "
		    "public key but no key; --force replaces them", dest);
		r = 0;
		goto out;
	}
	if (!o->already) {
		r = sc_hsm_unwrap_key(c, dest, wf->blob, wf->blob_len,
		    opt->staged);
		if (r == CUSTOS_ERR_CARD_REMOVED) {
			f->valid = 0;
			goto out;
		}
		if (r != 0) {
			say(o, r, "the device refused the blob: %s", r ==
			    CUSTOS_ERR_DKEK_MISMATCH ? "it does not match the "
			    "DKEK, or was altered" : custos_strerror(r));
			r = 0;
			goto out;
		}
		/* Prove before anything is written beside it: a blob that
		 * is not the key of its public key is taken out again. */
		note_ef(f, (uint16_t)(0xCC00 | dest), 1);
		k.ref = dest;
		k.pub = pub;
		r = sc_hsm_prove_key(c, &k);
		k.pub = NULL;
		if (r == CUSTOS_ERR_CARD_REMOVED) {
			say(o, r, "key %d is in, but the card was removed "
			    "before its proof", dest);
			goto out;
		}
		if (r != 0 && r != CUSTOS_ERR_CORRUPT) {
			say(o, r, "key %d is in, but could not be proven: %s "
			    "(run again)", dest, custos_strerror(r));
			r = 0;
			goto out;
		}
		if (r != 0) {
			int gone = sc_hsm_delete_ef(c, (uint16_t)(0xCC00 |
			    dest)) == 0;

			if (gone)
				note_ef(f, (uint16_t)(0xCC00 | dest), 0);
			else
				f->valid = 0;

			say(o, CUSTOS_ERR_CORRUPT, "the key in the blob does not "
			    "sign under the public key given with it (%s); %s",
			    custos_strerror(r), gone ? "removed again" :
			    "it could NOT be removed: delete it");
			r = 0;
			goto out;
		}
	}
	/* The public key first: it identifies the key on a rerun. */
	if ((write_ce && (r = put_ef(c, f, (uint16_t)(0xCE00 | dest),
	    wf->cert, wf->cert_len)) != 0) || (write_c4 && ((r = prkd_for(wf,
	    dest, &pb)) != 0 || (r = put_ef(c, f, (uint16_t)(0xC400 | dest),
	    pb.p, pb.len)) != 0))) {
		say(o, r, "key %d is in, but its description could not be "
		    "written: %s (run again to complete)", dest,
		    custos_strerror(r));
		r = r == CUSTOS_ERR_CARD_REMOVED ? r : 0;
		goto out;
	}
	/* What the device now keeps beside the key is the expected public
	 * key. */
	if ((r = sc_hsm_read_ef(c, (uint16_t)(0xCE00 | dest), &ce, &cl)) != 0
	    || sc_hsm_pub_from_ce(ce, cl, &k.pub) != 0 ||
	    EVP_PKEY_eq(k.pub, pub) != 1) {
		if (r == CUSTOS_ERR_CARD_REMOVED) {
			say(o, r, "the card was removed during the proof");
			goto out;
		}
		say(o, CUSTOS_ERR_CORRUPT, "the public key read back is not "
		    "the expected one");
		r = 0;
		goto out;
	}
	o->proven = 1;
	r = 0;
 out:
	if (r != 0 && o->err == 0)
		say(o, r, "%s", custos_strerror(r));
	if (o->err != 0)
		o->proven = 0;
	EVP_PKEY_free(k.pub);
	free(ce);
	tlv_free(&pb);
	return r;
}

int
backup_restore(struct card *c, const char *dir,
    const struct backup_manifest *m, const struct backup_restore_opts *opt,
    struct backup_outcome *out, size_t *nbad, backup_progress_fn fn,
    void *arg)
{
	struct backup_fids *fids = NULL;
	unsigned char *file = NULL;
	struct wrapfile wf;
	EVP_PKEY *pub = NULL;
	char kcv[17];
	size_t i, flen = 0;
	int r = 0;

	*nbad = 0;
	for (i = 0; i < m->nkeys; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].ref = out[i].dest_ref = m->keys[i].ref;
		say(&out[i], CUSTOS_ERR_CANCELLED, "not attempted");
	}
	if ((r = device_kcv(c, kcv)) != 0)
		return r;
	if (strcmp(kcv, m->kcv) != 0)
		return CUSTOS_ERR_DKEK_MISMATCH;
	if ((fids = calloc(1, sizeof(*fids))) == NULL)
		return CUSTOS_ERR_NOMEM;
	for (i = 0; i < m->nkeys; i++)
		fids->reserved[m->keys[i].ref] = 1;
	for (i = 0; i < m->nkeys; i++) {
		if (check_key(dir, m, &m->keys[i], NULL, &file, &flen, &wf,
		    &pub, &out[i]) == 0)
			r = backup_restore_key(c, &wf, pub, opt, fids, &out[i]);
		if (out[i].err != 0 || !out[i].proven)
			(*nbad)++;
		EVP_PKEY_free(pub);
		pub = NULL;
		free(file);
		file = NULL;
		if (fn != NULL)
			fn(arg, i + 1, m->nkeys, &out[i]);
		if (r != 0)
			break;		/* the card is gone: stop here */
	}
	free(fids);
	if (r != 0)
		return r;
	return *nbad == 0 ? 0 : CUSTOS_ERR_CORRUPT;
}
