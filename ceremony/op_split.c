/*
 * op_split.c - a DKEK share split M-of-N with SLIP-39 (share split, share
 * reshare, and the splits of a planned ceremony), and a share sealed for
 * one holder in a planned ceremony (op_share.h). A new split is rebuilt
 * from a quorum before anything is written; every member file written is
 * opened again; words are offered only after that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../common/atomicio.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "../shamir/slip39.h"
#include "ceremony.h"
#include "op_int.h"
#include "op_share_int.h"
#include "op_split_int.h"
#include "sharefile_member.h"
#include "sheet.h"
#include "sharefile_v1.h"

#define SLIP39_ITER_EXP 1	/* the reference implementation's default */

static const char slip39_note[] =
    "Any threshold of these sheets rebuilds the DKEK share with\n"
    "  custos share combine\n"
    "which checks every word as it is typed. Keep this sheet sealed; never\n"
    "photograph it. Losing more sheets than the threshold allows loses the "
    "share.";

void
op_split_name(char *path, size_t sz, const char *dir, const char *prefix,
    size_t i, const char *label, const char *ext)
{
	char safe[41];
	size_t k;

	for (k = 0; k < sizeof(safe) - 1 && label[k] != '\0'; k++) {
		unsigned char ch = (unsigned char)label[k];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
			safe[k] = label[k];
		else
			safe[k] = '_';
	}
	safe[k] = '\0';
	snprintf(path, sz, "%s/%s-%zu-%s.%s", dir, prefix, i + 1, safe, ext);
}

const char *
op_ceremony_line(struct op_ctx *cx, char *buf, size_t sz, const char *title)
{
	if (title != NULL && cx->cer != NULL)
		snprintf(buf, sz, "%s (%s)", title, ceremony_id(cx->cer));
	else if (title != NULL)
		snprintf(buf, sz, "%s", title);
	else if (cx->cer != NULL)
		snprintf(buf, sz, "%s", ceremony_id(cx->cer));
	else
		return NULL;
	return buf;
}

int
op_write_sheet(struct op_ctx *cx, const char *path, const char *buf,
    size_t len)
{
	int r = atomicio_create(path, buf, len);

	if (r != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	op_note(cx, "wrote %s", path);
	return CUSTOS_OK;
}

int
op_out_dir(struct op_ctx *cx, const char *dir, const char *const *names,
    size_t n, const char *prefix, int sheets, int files)
{
	char path[4096];
	struct stat st;
	size_t i;
	int k;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return op_fail(cx, CUSTOS_ERR_IO, "%s: %s", dir,
		    custos_strerror(custos_err_from_errno(errno)));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "%s: not a directory",
		    dir);
	for (i = 0; i < n; i++)
		for (k = 0; k < 3; k++) {
			if (!(k < 2 ? sheets : files))
				continue;
			op_split_name(path, sizeof(path), dir, prefix, i,
			    names[i], k == 0 ? "txt" : k == 1 ? "pdf" : "share");
			if (lstat(path, &st) == 0)
				return op_fail(cx, CUSTOS_ERR_EXISTS, "%s: %s",
				    path, custos_strerror(CUSTOS_ERR_EXISTS));
		}
	return CUSTOS_OK;
}

void
op_abandon_written(struct op_ctx *cx, char (*paths)[4096], size_t n,
    unsigned long long intent)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (lstat(paths[i], &st) == 0)
			op_abandon_keep(cx, paths[i], intent);
}

/* Splits share for a; checks a quorum of the mnemonics rebuilds it. */
static int
make_split(struct op_ctx *cx, const struct op_split_args *a,
    const unsigned char *share, struct slip39_share *sh, char *mn,
    uint16_t *id)
{
	struct slip39_share *back = NULL;
	struct slip39_group g;
	unsigned char *again = NULL;
	char bad[SLIP39_BAD_WORD_MAX];
	size_t n = 0, i, len = 0, badpos;
	int r = CUSTOS_OK, tries;

	g.threshold = (uint8_t)a->threshold;
	g.count = (uint8_t)a->ncustodians;
	if ((back = secmem_alloc(sizeof(*back) * a->ncustodians)) == NULL ||
	    (again = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	for (tries = 0; tries < 8; tries++) {
		r = slip39_split(share, DKEK_SHARE_LEN, NULL, 0, 1,
		    SLIP39_ITER_EXP, 1, &g, 1, sh, a->ncustodians, &n, id);
		if (r != CUSTOS_OK || (long)*id != a->avoid_id)
			break;
	}
	if (r != CUSTOS_OK || n != a->ncustodians) {
		r = op_fail(cx, r != CUSTOS_OK ? r : CUSTOS_ERR_INTERNAL,
		    "splitting: %s", custos_strerror(r));
		goto out;
	}
	/* Encode every mnemonic, then decode them and rebuild a quorum. */
	for (i = 0; i < n; i++) {
		char *m = mn + i * (SLIP39_MNEMONIC_MAX + 1);

		if ((r = slip39_mnemonic_encode(&sh[i], m,
		    SLIP39_MNEMONIC_MAX + 1)) != CUSTOS_OK ||
		    (r = slip39_mnemonic_decode(m, &back[i], bad, sizeof(bad),
		    &badpos)) != CUSTOS_OK) {
			r = op_fail(cx, r, "%s", custos_strerror(r));
			goto out;
		}
	}
	if (slip39_combine(back + n - a->threshold, a->threshold, NULL, 0,
	    again, DKEK_SHARE_LEN, &len, NULL) != CUSTOS_OK ||
	    len != DKEK_SHARE_LEN ||
	    secmem_equal(again, share, DKEK_SHARE_LEN) != 0)
		r = op_fail(cx, CUSTOS_ERR_INTERNAL, "the new shares do not "
		    "rebuild the share; nothing was written");
 out:
	secmem_free(again);
	secmem_free(back);
	return r;
}

/* Whether each member sees (and types back) their words in the visit
   that seals their part, rather than in a round of their own. */
static int
one_visit(const struct op_ctx *cx, const struct op_split_args *a)
{
	return a->handover && a->reveal && a->member_files &&
	    cx->io->reveal != NULL && cx->io->secret != NULL;
}

/* The position (1-based) of the first word of typed that differs from
   want, or 0 when they are the same words; *ntyped gets its count. Case
   and runs of blanks do not matter. */
static size_t
first_wrong_word(const char *typed, const char *want, size_t *ntyped)
{
	size_t pos = 0, bad = 0, nt, nw;
	const char *t = typed, *w = want;

	*ntyped = 0;
	for (;;) {
		while (*t == ' ' || *t == '\t')
			t++;
		while (*w == ' ')
			w++;
		if (*t == '\0' && *w == '\0')
			return bad;
		pos++;
		nt = strcspn(t, " \t");
		nw = strcspn(w, " ");
		if (nt > 0)
			(*ntyped)++;
		if (bad == 0 && (nt != nw || strncasecmp(t, w, nw) != 0))
			bad = pos;
		t += nt;
		w += nw;
	}
}

/*
 * Member i, at the keyboard after sealing: their words on request, and
 * when they saw them, typed back from the paper and checked word by word
 * (three tries). Returns 1 (seen and checked), 0 (not asked to see them)
 * or an error.
 */
static int
words_typed_back(struct op_ctx *cx, const struct op_split_args *a, size_t i,
    const char *mn)
{
	const char *who = a->custodians[i];
	char what[160], *typed = NULL;
	size_t len = 0, pos, ntyped, nwords = 0;
	const char *p;
	int r, tries;

	r = cx->io->reveal(cx->io->arg, who, "Your words (a paper backup of "
	    "your part)", mn);
	if (r <= 0)
		return r < 0 ? op_fail(cx, r, "words for %s: %s", who,
		    custos_strerror(r)) : 0;
	for (p = mn; *p != '\0'; p += strcspn(p, " "), p += strspn(p, " "))
		nwords++;
	snprintf(what, sizeof(what), "%s: your %zu words, typed back from your "
	    "paper", who, nwords);
	for (tries = 0; tries < 3; tries++) {
		if ((r = cx->io->secret(cx->io->arg, OP_SECRET_SHARES, who, what,
		    "In order, separated by spaces. They are checked against "
		    "the words shown, then forgotten.", &typed, &len)) !=
		    CUSTOS_OK)
			return op_fail(cx, r, "%s's words were not typed back: "
			    "nothing was written; any words written down for "
			    "this split are void", who);
		pos = first_wrong_word(typed, mn, &ntyped);
		secmem_free(typed);
		typed = NULL;
		if (pos == 0)
			return 1;
		if (ntyped != nwords)
			op_warn(cx, "%zu words typed, %zu shown (word %zu is the "
			    "first that differs); look at the paper and type "
			    "them again", ntyped, nwords, pos);
		else
			op_warn(cx, "word %zu of %zu is not the word shown; look "
			    "at the paper and type them again", pos, nwords);
	}
	return op_fail(cx, CUSTOS_ERR_CANCELLED, "%s's words did not match "
	    "three times: nothing was written; take the step again (a new "
	    "split: any words written down for this one are void)", who);
}

/*
 * Every member's new passphrase, asked before any file is written. With
 * hand-overs and words offered, each member's visit is one: the
 * passphrase, then their words shown and typed back (viewed and checked
 * get their names).
 */
static int
ask_passphrases(struct op_ctx *cx, const struct op_split_args *a, char **pw,
    size_t *pwlen, const char *mn, json_t *viewed, json_t *checked)
{
	char what[160], why[200];
	size_t i;
	int r;

	for (i = 0; i < a->ncustodians; i++) {
		const char *who = a->custodians[i];

		if (a->handover) {
			snprintf(why, sizeof(why), "%s seals their part of DKEK "
			    "share %d; everyone else looks away.", who,
			    a->plan_share);
			if (cx->io->handover != NULL && (r = cx->io->handover(
			    cx->io->arg, who, why, OP_HANDOVER_STEP)) != 0)
				return op_fail(cx, r, "%s did not take over",
				    who);
			snprintf(what, sizeof(what), "%s's new passphrase for "
			    "share %d", who, a->plan_share);
		} else {
			snprintf(what, sizeof(what), "New passphrase for %s's "
			    "share file", who);
		}
		if ((r = op_secret(cx, OP_SECRET_NEW, who, what, "At least 12 "
		    "characters; five random words is best. Only you may know "
		    "it.", &pw[i], &pwlen[i])) != CUSTOS_OK)
			return r;
		if (!one_visit(cx, a))
			continue;
		if ((r = words_typed_back(cx, a, i, mn + i *
		    (SLIP39_MNEMONIC_MAX + 1))) < 0)
			return r;
		if (r > 0) {
			json_array_append_new(viewed, json_string(who));
			json_array_append_new(checked, json_string(who));
		}
	}
	return CUSTOS_OK;
}

/* The SLIP-39 sheet of member i into path, and as PDF into pdf. */
static int
write_sheet(struct op_ctx *cx, const struct op_split_args *a, size_t i,
    const char *mn, const char *fpr, uint16_t id, const char *path,
    const char *pdf)
{
	struct sheet_info si;
	char ident[32], cline[160], fhex[20], created[UTCTIME_LEN + 1];
	char *sheet = NULL;
	unsigned char *doc = NULL;
	size_t sheetlen = 0, doclen = 0;
	int r;

	snprintf(fhex, sizeof(fhex), "%.4s %.4s %.4s %.4s", fpr, fpr + 4,
	    fpr + 8, fpr + 12);
	utctime_now(created);
	snprintf(ident, sizeof(ident), "%u (SLIP-39, 15 bits)", id);
	memset(&si, 0, sizeof(si));
	si.kind = "SLIP-39 mnemonic share";
	si.ceremony = op_ceremony_line(cx, cline, sizeof(cline), a->title);
	si.count = (unsigned)a->ncustodians;
	si.threshold = a->threshold;
	si.identifier = ident;
	si.fingerprint = fhex;
	si.created = created;
	si.note = slip39_note;
	si.custodian = a->custodians[i];
	si.index = (unsigned)i + 1;
	if ((r = sheet_mnemonic(&sheet, &sheetlen, &si, mn, a->qr)) !=
	    CUSTOS_OK || (r = sheet_mnemonic_pdf(&doc, &doclen, &si, mn,
	    a->qr, a->paper, created)) != CUSTOS_OK) {
		secmem_free(sheet);
		return op_fail(cx, r, "%s", custos_strerror(r));
	}
	if ((r = op_write_sheet(cx, path, sheet, sheetlen)) == CUSTOS_OK)
		r = op_write_sheet(cx, pdf, (const char *)doc, doclen);
	secmem_free(doc);
	secmem_free(sheet);
	return r;
}

/* Member i's v1 member share file, sealed and opened again. */
static int
write_member(struct op_ctx *cx, const struct op_split_args *a, size_t i,
    const struct slip39_share *s, const char *pw, size_t pwlen,
    const char *path)
{
	struct op_file_args f;
	char comment[V1_COMMENT_MAX + 1];
	int r;

	memset(&f, 0, sizeof(f));
	sharefile_member_comment(comment, sizeof(comment), s);
	f.format = OP_FORMAT_V1;
	f.label = a->custodians[i];
	f.comment = comment;
	f.kdf_mem_kib = a->kdf_mem_kib;
	f.kdf_ops = a->kdf_ops;
	if ((r = op_seal(cx, s->value, path, &f, pw, pwlen)) != CUSTOS_OK)
		return r;
	op_note(cx, "wrote %s (custos v1, %s's passphrase)", path,
	    a->custodians[i]);
	return CUSTOS_OK;
}

/* Offers each member their words; viewed gets who asked to see them. */
static int
offer_words(struct op_ctx *cx, const struct op_split_args *a,
    const char *mn, json_t *viewed)
{
	char why[200];
	size_t i;
	int r;

	for (i = 0; i < a->ncustodians && cx->io->reveal != NULL; i++) {
		const char *who = a->custodians[i];

		snprintf(why, sizeof(why), "%s may now see the words of their "
		    "part, for a paper backup; everyone else looks away.", who);
		if (cx->io->handover != NULL &&
		    (r = cx->io->handover(cx->io->arg, who, why,
		    OP_HANDOVER_STEP)) != 0)
			return op_fail(cx, r, "words for %s: %s", who,
			    custos_strerror(r));
		r = cx->io->reveal(cx->io->arg, who, "Your words (a paper "
		    "backup of your part)", mn + i * (SLIP39_MNEMONIC_MAX + 1));
		if (r < 0)
			return op_fail(cx, r, "words for %s: %s", who,
			    custos_strerror(r));
		if (r > 0)
			json_array_append_new(viewed, json_string(who));
	}
	return CUSTOS_OK;
}

/* The custodians, and the paths of files[0..n), as record facts. */
static json_t *
names(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
relpaths(struct op_ctx *cx, char (*paths)[4096], size_t n)
{
	json_t *a = json_array();
	char rel[4096];
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		op_relpath(cx, paths[i], rel, sizeof(rel));
		json_array_append_new(a, json_string(rel));
	}
	return a;
}

/* Who acted for a split: the members who sealed their part, or the
   operator. */
static void
split_actor(struct op_ctx *cx, const struct op_split_args *a, char *out,
    size_t sz)
{
	size_t i, o = 0;

	if (!a->handover) {
		snprintf(out, sz, "%s", op_actor(cx, "operator"));
		return;
	}
	out[0] = '\0';
	for (i = 0; i < a->ncustodians && o + 3 < sz; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s%s", i ? ", " : "",
		    a->custodians[i]);
}

/* The files a split writes, as its intent names them. */
static json_t *
every_file(struct op_ctx *cx, const struct op_split_args *a,
    char (*sheets)[4096], char (*pdfs)[4096], char (*files)[4096])
{
	json_t *all = json_array(), *t;
	size_t n = a->ncustodians;

	if (all == NULL)
		return NULL;
	if (a->sheets && (t = relpaths(cx, sheets, n)) != NULL) {
		json_array_extend(all, t);
		json_decref(t);
	}
	if (a->sheets && (t = relpaths(cx, pdfs, n)) != NULL) {
		json_array_extend(all, t);
		json_decref(t);
	}
	if (a->member_files && (t = relpaths(cx, files, n)) != NULL) {
		json_array_extend(all, t);
		json_decref(t);
	}
	return all;
}

/*
 * The facts of the split's record (share.split or share.reshare): extra
 * (the reshare's old set), and the words lists viewed and checked, are
 * taken over (set to NULL).
 */
static json_t *
split_facts(struct op_ctx *cx, const struct op_split_args *a,
    const char *action, json_t **extra, const struct op_split_result *res,
    char (*sheets)[4096], char (*pdfs)[4096], char (*files)[4096],
    unsigned long long in, json_t **viewed, json_t **checked)
{
	size_t n = a->ncustodians;
	char rel[4096], ident[16];
	json_t *f, *all;

	op_relpath(cx, a->out_dir, rel, sizeof(rel));
	f = *extra != NULL ? *extra : json_object();
	*extra = NULL;
	if (f == NULL)
		return NULL;
	json_object_update_new(f, json_pack("{s:s, s:i, s:i, s:o, s:s, s:o, "
	    "s:o, s:s, s:s, s:I}", "scheme", "slip39", "threshold",
	    (int)a->threshold, "count", (int)n, "custodians",
	    names(a->custodians, n), "identifier", "", "files", a->member_files
	    ? relpaths(cx, files, n) : json_array(), "sheets", a->sheets ?
	    relpaths(cx, sheets, n) : json_array(), "share_fingerprint",
	    res->fpr, "out_dir", rel, "intent", (json_int_t)in));
	if (a->sheets && (all = relpaths(cx, pdfs, n)) != NULL) {
		json_array_extend(json_object_get(f, "sheets"), all);
		json_decref(all);
	}
	snprintf(ident, sizeof(ident), "%u", res->identifier);
	json_object_set_new(f, "identifier", json_string(ident));
	if (strcmp(action, "share.split") == 0) {
		if (a->from != NULL)
			op_relpath(cx, a->from, rel, sizeof(rel));
		json_object_set_new(f, "from", json_string(a->from != NULL ?
		    rel : "new random share"));
	}
	if (a->plan_share > 0)
		json_object_set_new(f, "share", json_integer(a->plan_share));
	if (*checked != NULL && one_visit(cx, a)) {
		json_object_set_new(f, "words_checked_by", *checked);
		*checked = NULL;
	}
	if (*viewed != NULL) {
		json_object_set_new(f, "words_viewed_by", *viewed);
		*viewed = NULL;
	}
	return f;
}

int
op_split_slip39(struct op_ctx *cx, const struct op_split_args *a,
    const char *action, json_t *extra, struct op_split_result *res)
{
	struct slip39_share *sh = NULL;
	unsigned char *share = NULL;
	char *mn = NULL, *pw[OP_SPLIT_MAX] = { NULL }, who[600];
	char (*sheets)[4096] = NULL, (*files)[4096] = NULL, (*pdfs)[4096] = NULL;
	size_t pwlen[OP_SPLIT_MAX] = { 0 }, i, n = a->ncustodians;
	unsigned long long in = 0;
	json_t *f = NULL, *viewed = NULL, *checked = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	if (n < 2 || n > OP_SPLIT_MAX || a->threshold < 2 || a->threshold > n) {
		r = op_fail(cx, CUSTOS_ERR_INVALID_ARG, "a split is 2 to %u of "
		    "at most %d custodians", a->threshold, OP_SPLIT_MAX);
		goto out;
	}
	if ((sh = secmem_alloc(sizeof(*sh) * n)) == NULL ||
	    (share = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (mn = secmem_alloc((SLIP39_MNEMONIC_MAX + 1) * n)) == NULL ||
	    (sheets = calloc(n, sizeof(*sheets))) == NULL ||
	    (pdfs = calloc(n, sizeof(*pdfs))) == NULL ||
	    (files = calloc(n, sizeof(*files))) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = op_out_dir(cx, a->out_dir, a->custodians, n, a->file_prefix,
	    a->sheets, a->member_files)) != CUSTOS_OK)
		goto out;
	if (a->share != NULL)
		memcpy(share, a->share, DKEK_SHARE_LEN);
	else
		dkek_share_generate(share, NULL, 0);
	if ((r = make_split(cx, a, share, sh, mn, &res->identifier)) !=
	    CUSTOS_OK)
		goto out;
	if (a->reveal && ((viewed = json_array()) == NULL ||
	    (checked = json_array()) == NULL)) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (a->member_files && (r = ask_passphrases(cx, a, pw, pwlen, mn,
	    viewed, checked)) != CUSTOS_OK)
		goto out;
	op_fpr_hex(res->fpr, share);
	split_actor(cx, a, who, sizeof(who));
	for (i = 0; i < n; i++) {
		op_split_name(sheets[i], sizeof(sheets[i]), a->out_dir,
		    a->file_prefix, i, a->custodians[i], "txt");
		op_split_name(pdfs[i], sizeof(pdfs[i]), a->out_dir,
		    a->file_prefix, i, a->custodians[i], "pdf");
		op_split_name(files[i], sizeof(files[i]), a->out_dir,
		    a->file_prefix, i, a->custodians[i], "share");
	}
	if ((f = json_pack("{s:o}", "files", every_file(cx, a, sheets, pdfs,
	    files))) != NULL && a->plan_share > 0)
		json_object_set_new(f, "share", json_integer(a->plan_share));
	if ((r = op_intent(cx, NULL, who, action, f, &in)) != CUSTOS_OK)
		goto out;
	for (i = 0; a->sheets && i < n; i++)
		if ((r = write_sheet(cx, a, i, mn + i * (SLIP39_MNEMONIC_MAX +
		    1), res->fpr, res->identifier, sheets[i], pdfs[i])) !=
		    CUSTOS_OK)
			goto fail;
	for (i = 0; a->member_files && i < n; i++)
		if ((r = write_member(cx, a, i, &sh[i], pw[i], pwlen[i],
		    files[i])) != CUSTOS_OK)
			goto fail;
	if (a->reveal && !one_visit(cx, a) && (r = offer_words(cx, a, mn,
	    viewed)) != CUSTOS_OK)
		goto fail;
	f = split_facts(cx, a, action, &extra, res, sheets, pdfs, files, in,
	    &viewed, &checked);
	r = op_record(cx, NULL, who, action, f, NULL);
	goto out;
 fail:
	/* what was written holds a split nobody will use: moved aside */
	if (a->sheets) {
		op_abandon_written(cx, sheets, n, in);
		op_abandon_written(cx, pdfs, n, in);
	}
	if (a->member_files)
		op_abandon_written(cx, files, n, in);
	op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
 out:
	json_decref(extra);
	json_decref(viewed);
	json_decref(checked);
	for (i = 0; i < OP_SPLIT_MAX; i++)
		secmem_free(pw[i]);
	free(sheets);
	free(pdfs);
	free(files);
	secmem_free(mn);
	secmem_free(share);
	secmem_free(sh);
	return r;
}

int
op_share_split(struct op_ctx *cx, const struct op_split_args *a,
    struct op_split_result *res)
{
	return op_split_slip39(cx, a, "share.split", NULL, res);
}

int
op_share_reshare(struct op_ctx *cx, const struct op_combine_args *old,
    const char *expect_fpr, const struct op_split_args *a,
    struct op_combined *was, struct op_split_result *res)
{
	struct op_split_args na = *a;
	json_t *extra;
	int r;

	if ((r = op_combine(cx, old, was)) != CUSTOS_OK) {
		op_refused(cx, op_actor(cx, "operator"), json_pack("{s:s, s:s}",
		    "what", "share", "reason", op_why(cx)));
		return r;
	}
	if (expect_fpr != NULL && strcmp(expect_fpr, was->fpr) != 0)
		return op_fail(cx, CUSTOS_ERR_FINGERPRINT, "the rebuilt share is "
		    "not the one recorded (fingerprint differs); nothing was "
		    "written");
	na.share = was->share;
	na.avoid_id = was->legacy ? -1 : (long)was->identifier;
	if ((extra = op_combine_facts(was, "old_")) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(extra, "old_set", json_string("retired"));
	return op_split_slip39(cx, &na, "share.reshare", extra, res);
}
