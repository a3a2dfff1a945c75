/* backup_restore.c - a backup set restored onto a device, each key
 * proven; one key (also for hsm unwrap and import-key). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../cards/prkd.h"
#include "../cards/sc_hsm_keys.h"
#include "../cards/wrapfile.h"
#include "backup.h"
#include "backup_int.h"

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
		backup_say(o, r, "%s", custos_strerror(r));
		return r == CUSTOS_ERR_CARD_REMOVED ? r : 0;
	}
	/* One that does not parse at all is a write that was cut off:
	 * it is completed. */
	if (has_ce && sc_hsm_pub_from_ce(ce, cl, &k.pub) != 0)
		has_ce = 0;
	else if (has_ce && !force && EVP_PKEY_eq(k.pub, pub) != 1)
		backup_say(o, CUSTOS_ERR_EXISTS, "reference %d keeps another public "
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
	o->on_device = 1;
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
	o->already = o->proven = o->on_device = 0;
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
			backup_say(o, CUSTOS_ERR_EXISTS, "reference %d holds another "
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
				backup_say(o, r, "reference %d holds another key and "
				    "no reference is free", o->dest_ref);
				r = 0;
				goto out;
			}
			o->dest_ref = dest;
			has_c4 = has_ce = 0;
		}
	}
	if (!o->already && (has_c4 || has_ce) && !opt->force) {
		backup_say(o, CUSTOS_ERR_EXISTS, "reference %d has a description or "
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
			backup_say(o, r, "the device refused the blob: %s", r ==
			    CUSTOS_ERR_DKEK_MISMATCH ? "it does not match the "
			    "DKEK, or was altered" : custos_strerror(r));
			r = 0;
			goto out;
		}
		/* Prove before anything is written beside it: a blob that
		 * is not the key of its public key is taken out again. */
		note_ef(f, (uint16_t)(0xCC00 | dest), 1);
		o->on_device = 1;
		k.ref = dest;
		k.pub = pub;
		r = sc_hsm_prove_key(c, &k);
		k.pub = NULL;
		if (r == CUSTOS_ERR_CARD_REMOVED) {
			backup_say(o, r, "key %d is in, but the card was removed "
			    "before its proof", dest);
			goto out;
		}
		if (r != 0 && r != CUSTOS_ERR_CORRUPT) {
			backup_say(o, r, "key %d is in, but could not be proven: %s "
			    "(run again)", dest, custos_strerror(r));
			r = 0;
			goto out;
		}
		if (r != 0) {
			int gone = sc_hsm_delete_ef(c, (uint16_t)(0xCC00 |
			    dest)) == 0;

			if (gone) {
				note_ef(f, (uint16_t)(0xCC00 | dest), 0);
				o->on_device = 0;
			} else
				f->valid = 0;

			backup_say(o, CUSTOS_ERR_CORRUPT, "the key in the blob does not "
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
		backup_say(o, r, "key %d is in, but its description could not be "
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
			backup_say(o, r, "key %d is in, but the card was removed "
			    "during its proof", dest);
			goto out;
		}
		backup_say(o, CUSTOS_ERR_CORRUPT, "the public key read back is not "
		    "the expected one");
		r = 0;
		goto out;
	}
	o->proven = 1;
	r = 0;
 out:
	if (r != 0 && o->err == 0)
		backup_say(o, r, "%s", custos_strerror(r));
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
		backup_say(&out[i], CUSTOS_ERR_CANCELLED, "not attempted");
	}
	if ((r = backup_device_kcv(c, kcv)) != 0)
		return r;
	if (strcmp(kcv, m->kcv) != 0)
		return CUSTOS_ERR_DKEK_MISMATCH;
	if ((fids = calloc(1, sizeof(*fids))) == NULL)
		return CUSTOS_ERR_NOMEM;
	for (i = 0; i < m->nkeys; i++)
		fids->reserved[m->keys[i].ref] = 1;
	for (i = 0; i < m->nkeys; i++) {
		if (backup_check_key(dir, m, &m->keys[i], NULL, &file, &flen, &wf,
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
