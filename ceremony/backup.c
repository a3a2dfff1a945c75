/* backup.c - backup sets: create, load, verify (with or without the
 * DKEK), open a key; restore is in backup_restore.c. */
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
#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "backup.h"
#include "backup_int.h"
#include "dkek.h"

void
backup_say(struct backup_outcome *o, int err, const char *fmt, ...)
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
int
backup_device_kcv(struct card *c, char kcv[17])
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
		snprintf(s->reason, sizeof(s->reason), "%s", card_domain(c) < 0 ?
		    "the device will not export it: generated before the DKEK "
		    "was complete" : "not exportable now: made before its "
		    "domain's DKEK was complete, or in an incomplete domain");
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
	if (strcmp(bk, kcv) != 0 && card_domain(c) >= 0) {
		/* a key of another key domain: its own set has it */
		*skipped = 2;
		r = 0;
		goto out;
	}
	if (strcmp(bk, kcv) != 0) {
		r = CUSTOS_ERR_DKEK_MISMATCH;	/* the device contradicts itself */
		goto out;
	}
	if ((r = sc_hsm_read_ef_opt(c, (uint16_t)(0xC400 | k->ref), &prkd, &pl)) != 0 ||
	    (r = sc_hsm_read_ef_opt(c, (uint16_t)(0xCE00 | k->ref), &ce, &cl)) != 0)
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
	m->domain = card_domain(c);	/* wrapped under that domain's DKEK */
	memset(want, 0, sizeof(want));
	sha256[0] = '\0';
	for (i = 0; i < nrefs; i++) {
		if (refs[i] < 1 || refs[i] > 255)
			return CUSTOS_ERR_INVALID_ARG;
		want[refs[i]] = 1;
	}
	if ((r = backup_device_kcv(c, m->kcv)) != 0)
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
		if (skipped == 2 && nrefs > 0) {
			/* asked for by reference: said, never dropped */
			snprintf(m->skipped[m->nskipped].reason,
			    sizeof(m->skipped[m->nskipped].reason), "in "
			    "another key domain than %d: back it up with the "
			    "--domain of its own", card_domain(c));
			skipped = 1;
		} else if (skipped == 2) {
			m->nother++;
			total--;
			continue;
		}
		if (skipped)
			backup_say(&o, CUSTOS_ERR_NO_DKEK, "%s",
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
int
backup_check_key(const char *dir, const struct backup_manifest *m,
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
	unsigned notes = 0;
	int r;

	*file = NULL;
	*pub = NULL;
	memset(wf, 0, sizeof(*wf));
	memset(o, 0, sizeof(*o));
	o->ref = o->dest_ref = k->ref;
	if ((r = path_in(path, sizeof(path), dir, k->file)) != 0 ||
	    (r = atomicio_read(path, WRAPFILE_MAX, 0, file, flen)) != 0) {
		backup_say(o, r, "%s: %s", k->file, custos_strerror(r));
		return r;
	}
	sha256_hex(hex, *file, *flen);
	if (strcmp(hex, k->file_sha256) != 0) {
		backup_say(o, CUSTOS_ERR_CORRUPT, "%s: its SHA-256 is not the "
		    "manifest's (altered or replaced)", k->file);
		return o->err;
	}
	if (wrapfile_parse(*file, *flen, wf) != 0 ||
	    keyblob_parse(wf->blob, wf->blob_len, &bi) != 0) {
		backup_say(o, CUSTOS_ERR_CORRUPT, "%s: not a wrap file", k->file);
		return o->err;
	}
	dkek_kcv_hex(hex, bi.kcv);
	if (strcmp(hex, m->kcv) != 0) {
		backup_say(o, CUSTOS_ERR_DKEK_MISMATCH, "%s: wrapped under KCV %s, "
		    "not the set's %s", k->file, hex, m->kcv);
		return o->err;
	}
	if (decode_base64(der, sizeof(der), &dl, k->pubkey,
	    strlen(k->pubkey)) != 0 || EVP_Digest(der, dl, h, NULL,
	    EVP_sha256(), NULL) != 1 || encode_hex(hex, sizeof(hex), h, 32, 0)
	    != 0 || strcmp(hex, k->pubkey_sha256) != 0 ||
	    (*pub = d2i_PUBKEY(NULL, &p, (long)dl)) == NULL) {
		backup_say(o, CUSTOS_ERR_CORRUPT, "key %d: the manifest's public key "
		    "does not match its own SHA-256 (edited?)", k->ref);
		return o->err;
	}
	if (wf->prkd == NULL || prkd_parse(wf->prkd, wf->prkd_len, &pd) != 0 ||
	    strcmp(pd.label, k->label) != 0 || pd.type != (EVP_PKEY_get_base_id(
	    *pub) == EVP_PKEY_RSA ? PRKD_RSA : PRKD_EC)) {
		backup_say(o, CUSTOS_ERR_CORRUPT, "%s: its description is not the "
		    "manifest's (label \"%s\")", k->file, k->label);
		return o->err;
	}
	if (wf->cert == NULL || sc_hsm_pub_from_ce(wf->cert, wf->cert_len,
	    &cpub) != 0 || EVP_PKEY_eq(cpub, *pub) != 1) {
		EVP_PKEY_free(cpub);
		backup_say(o, CUSTOS_ERR_CORRUPT, "%s: its public key is not the "
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
			backup_say(o, CUSTOS_ERR_CORRUPT, "%s: its ID or key type is "
			    "not the manifest's", k->file);
			return o->err;
		}
	}
	if (dkek == NULL)
		return 0;
	r = keyblob_unwrap_notes(dkek, wf->blob, wf->blob_len, &priv, &notes);
	if (r == 0 && (notes & KEYBLOB_NOTE_A_IMPLIED) != 0)
		snprintf(o->note, sizeof(o->note), "its EC coefficient A is empty: "
		    "taken as the -3 its curve implies");
	if (r != 0) {
		backup_say(o, r, "%s: %s", k->file, r == CUSTOS_ERR_CORRUPT ? "the "
		    "blob's CMAC does not hold: altered" : custos_strerror(r));
		return r;
	}
	r = EVP_PKEY_eq(priv, *pub) == 1 ? 0 : CUSTOS_ERR_CORRUPT;
	EVP_PKEY_free(priv);
	if (r != 0)
		backup_say(o, r, "%s: the blob holds another key than the manifest's "
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
		if (backup_check_key(dir, m, &m->keys[i], dkek, &file, &flen, &wf,
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
		backup_say(o, CUSTOS_ERR_NO_KEY, "key %d is not in the set", ref);
		return CUSTOS_ERR_NO_KEY;
	}
	/* The deep check first: CMAC, decryption, the manifest's key. */
	if ((r = backup_check_key(dir, m, &m->keys[i], dkek, &file, &flen, &wf, &pub,
	    o)) == 0 && (r = keyblob_unwrap(dkek, wf.blob, wf.blob_len, priv))
	    != 0)	/* the check above said what it read leniently */
		backup_say(o, r, "%s", custos_strerror(r));
	EVP_PKEY_free(pub);
	free(file);
	return r;
}
