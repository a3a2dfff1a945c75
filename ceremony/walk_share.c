/*
 * walk_share.c - the walk's share steps: a holder's new share, a new
 * share split M-of-N (SLIP-39 member share files, words on request), a
 * re-share for new custodians, and opening a share for an import. Every
 * file written is opened again with the passphrase just typed and must
 * give the same share back before the step is recorded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/encode.h"
#include "../common/secmem.h"
#include "../shamir/slip39.h"
#include "ceremony.h"
#include "sharefile.h"
#include "sharefile_member.h"
#include "walk_int.h"

struct sealed {
	char path[PLAN_MAX_GROUP][PATH_MAX];
	char *pw[PLAN_MAX_GROUP];
	size_t pwlen[PLAN_MAX_GROUP];
};

static void
sealed_clear(struct sealed *s)
{
	unsigned i;

	for (i = 0; i < PLAN_MAX_GROUP; i++)
		secmem_free(s->pw[i]);
	memset(s, 0, sizeof(*s));
}

static void
fpr_hex(char out[2 * DKEK_FPR_LEN + 1], const unsigned char *share)
{
	unsigned char f[DKEK_FPR_LEN];

	dkek_share_fingerprint(f, share);
	if (encode_hex(out, 2 * DKEK_FPR_LEN + 1, f, sizeof(f), 1) != 0)
		out[0] = '\0';
}

static int
shares_dir(struct walk *w, char *out, size_t sz)
{
	if (snprintf(out, sz, "%s/shares", w->dir) >= (int)sz)
		return walk_fail(w, CUSTOS_ERR_TOO_LARGE, "path too long");
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return walk_fail(w, CUSTOS_ERR_IO, "%s: %s", out,
		    strerror(errno));
	return 0;
}

struct file_job {
	const char *path;
	unsigned char *value;
	const char *pw;
	size_t pwlen;
	struct v1_header *h;
	struct sharefile_info *info;
};

static int
create_job(void *p)
{
	struct file_job *j = p;

	return sharefile_create(j->path, SHAREFILE_V1, j->value,
	    (const unsigned char *)j->pw, j->pwlen, j->h, PBE_ITERATIONS);
}

static int
open_job(void *p)
{
	struct file_job *j = p;

	return sharefile_open(j->path, j->value, (const unsigned char *)j->pw,
	    j->pwlen, PBE_ITERATIONS, j->info);
}

static int
write_file(struct walk *w, const char *path, const unsigned char *value,
    const char *label, const char *comment, const char *pw, size_t pwlen)
{
	struct v1_header h;
	struct file_job job;
	int r;

	memset(&h, 0, sizeof(h));
	memset(&job, 0, sizeof(job));
	snprintf(h.label, sizeof(h.label), "%s", label);
	snprintf(h.ceremony, sizeof(h.ceremony), "%s", ceremony_id(w->cer));
	snprintf(h.comment, sizeof(h.comment), "%s", comment);
	h.opslimit = w->kdf_ops;	/* walk_open() set the defaults */
	h.mem_kib = w->kdf_mem_kib;
	job.path = path;
	job.value = (unsigned char *)value;
	job.pw = pw;
	job.pwlen = pwlen;
	job.h = &h;
	r = walk_slow(w, "Sealing the share file (Argon2id)", create_job, &job);
	if (r != 0)
		return walk_fail(w, r, "%s: %s", path, custos_strerror(r));
	return 0;
}

/* Opens path with pw into value (32 bytes, guarded); SLIP-39 metadata of
   a member file into s when s is not NULL. */
static int
open_file(struct walk *w, const char *path, const char *pw, size_t pwlen,
    unsigned char *value, struct slip39_share *s)
{
	struct sharefile_info info;
	struct file_job job;
	int r;

	memset(&job, 0, sizeof(job));
	job.path = path;
	job.value = value;
	job.pw = pw;
	job.pwlen = pwlen;
	job.info = &info;
	r = walk_slow(w, "Opening the share file (Argon2id)", open_job, &job);
	if (r != 0)
		return walk_fail(w, r, "%s: %s", path, r ==
		    CUSTOS_ERR_BAD_PASSPHRASE ? "wrong passphrase (or the file "
		    "was altered); nothing was changed" : custos_strerror(r));
	if (s == NULL)
		return 0;
	if (info.format != SHAREFILE_V1 ||
	    sharefile_member_parse(info.v1.comment, s) != 0)
		return walk_fail(w, CUSTOS_ERR_FORMAT, "%s: not a SLIP-39 "
		    "member share file", path);
	memcpy(s->value, value, DKEK_SHARE_LEN);
	return 0;
}

/* Asks who for a new passphrase, with why as the hand-over. */
static int
new_pw(struct walk *w, const char *who, const char *why, int share,
    char **pw, size_t *len)
{
	char what[96];
	int r;

	if ((r = w->io->handover(w->io->arg, who, why)) != 0)
		return walk_fail(w, r, "%s did not take over", who);
	snprintf(what, sizeof(what), "%s's new passphrase for share %d", who,
	    share + 1);
	return walk_secret(w, WALK_SECRET_NEW, who, what, "At least 12 "
	    "characters; five random words is best. Only you may know it.",
	    pw, len);
}

/*
 * The split half of seal(): share split M-of-N (sh[0..N) in guarded
 * memory, 2N entries of room), each member's part sealed under their
 * passphrase, then EVERY file opened again and compared with its part,
 * and the first M reopened parts combined into back. Only then are the
 * words offered, member by member, so no paper is written for a set that
 * does not hold.
 */
static int
seal_split(struct walk *w, const struct plan_share *ps, int i,
    const unsigned char *share, const char *dir, json_t *files,
    struct sealed *sd, unsigned char *back, struct slip39_share *sh,
    char *words)
{
	struct slip39_share *re = sh + PLAN_MAX_GROUP;	/* as reopened */
	struct slip39_group g = { (uint8_t)ps->threshold, (uint8_t)ps->ngroup };
	char comment[V1_COMMENT_MAX + 1], why[160];
	size_t n = 0, len = 0;
	unsigned m;
	int r;

	if ((r = slip39_split(share, DKEK_SHARE_LEN, (const unsigned char *)"",
	    0, 1, 0, 1, &g, 1, sh, PLAN_MAX_GROUP, &n, NULL)) != 0)
		return walk_fail(w, r, "splitting: %s", custos_strerror(r));
	for (m = 0; m < ps->ngroup; m++) {
		walk_member_path(sd->path[m], PATH_MAX, dir, i, m, ps->group[m]);
		snprintf(why, sizeof(why), "%s seals their part of DKEK share "
		    "%d; everyone else looks away.", ps->group[m], i + 1);
		if ((r = new_pw(w, ps->group[m], why, i, &sd->pw[m],
		    &sd->pwlen[m])) != 0)
			return r;
		sharefile_member_comment(comment, sizeof(comment), &sh[m]);
		if ((r = write_file(w, sd->path[m], sh[m].value, ps->group[m],
		    comment, sd->pw[m], sd->pwlen[m])) != 0)
			return r;
		json_array_append_new(files, json_string(sd->path[m]));
	}
	for (m = 0; m < ps->ngroup; m++) {
		if ((r = open_file(w, sd->path[m], sd->pw[m], sd->pwlen[m],
		    back, &re[m])) != 0)
			return r;
		if (secmem_equal(re[m].value, sh[m].value, DKEK_SHARE_LEN) != 0
		    || re[m].identifier != sh[m].identifier ||
		    re[m].member_index != sh[m].member_index)
			return walk_fail(w, CUSTOS_ERR_CORRUPT, "%s: it does not "
			    "hold %s's part as written", sd->path[m],
			    ps->group[m]);
	}
	if ((r = slip39_combine(re, ps->threshold, (const unsigned char *)"",
	    0, back, DKEK_SHARE_LEN, &len, NULL)) != 0)
		return walk_fail(w, r, "the new files do not rebuild the "
		    "share: %s", custos_strerror(r));
	for (m = 0; m < ps->ngroup; m++) {
		snprintf(why, sizeof(why), "%s may now see the words of their "
		    "part, for a paper backup; everyone else looks away.",
		    ps->group[m]);
		if ((r = w->io->handover(w->io->arg, ps->group[m], why)) != 0 ||
		    (r = slip39_mnemonic_encode(&sh[m], words,
		    SLIP39_MNEMONIC_MAX + 1)) != 0 ||
		    (r = w->io->reveal(w->io->arg, ps->group[m], "Your words "
		    "(a paper backup of your part)", words)) != 0)
			return walk_fail(w, r, "words for %s: %s", ps->group[m],
			    custos_strerror(r));
		secmem_wipe(words, SLIP39_MNEMONIC_MAX + 1);
	}
	return 0;
}

/*
 * Seals share (for share index i) under protection ps into dir: one file
 * for a holder, or a SLIP-39 split with a member file each and the words
 * offered on request (seal_split). Then opens what was written again; it
 * must give share back. files gets the paths written.
 */
static int
seal(struct walk *w, const struct plan_share *ps, int i,
    const unsigned char *share, const char *dir, json_t *files)
{
	struct sealed sd;
	struct slip39_share *sh = NULL;
	unsigned char *back = NULL;
	char comment[V1_COMMENT_MAX + 1], why[160], *words = NULL;
	int r;

	memset(&sd, 0, sizeof(sd));
	if ((back = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (words = secmem_alloc(SLIP39_MNEMONIC_MAX + 1)) == NULL ||
	    (sh = secmem_alloc((size_t)2 * PLAN_MAX_GROUP * sizeof(*sh))) ==
	    NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (ps->holder != NULL) {
		walk_share_path(sd.path[0], PATH_MAX, dir, i, ps->holder);
		snprintf(why, sizeof(why), "%s seals DKEK share %d under a "
		    "passphrase; everyone else looks away.", ps->holder, i + 1);
		if ((r = new_pw(w, ps->holder, why, i, &sd.pw[0],
		    &sd.pwlen[0])) != 0)
			goto out;
		snprintf(comment, sizeof(comment), "DKEK share %d of %u", i + 1,
		    w->plan->nshares);
		if ((r = write_file(w, sd.path[0], share, ps->holder, comment,
		    sd.pw[0], sd.pwlen[0])) != 0)
			goto out;
		json_array_append_new(files, json_string(sd.path[0]));
		if ((r = open_file(w, sd.path[0], sd.pw[0], sd.pwlen[0], back,
		    NULL)) != 0)
			goto out;
	} else if ((r = seal_split(w, ps, i, share, dir, files, &sd, back,
	    sh, words)) != 0) {
		goto out;
	}
	if (secmem_equal(back, share, DKEK_SHARE_LEN) != 0)
		r = walk_fail(w, CUSTOS_ERR_CORRUPT, "the new share %s "
		    "not give the share back", ps->holder ? "file does" :
		    "files do");
 out:
	sealed_clear(&sd);
	secmem_free(back);
	secmem_free(words);
	secmem_free(sh);
	return r;
}

/* The path of file m (0-based) of share i's protection ps in dir. */
static void
target(char *path, size_t sz, const struct plan_share *ps, int i,
    const char *dir, unsigned m)
{
	if (ps->holder)
		walk_share_path(path, sz, dir, i, ps->holder);
	else
		walk_member_path(path, sz, dir, i, m, ps->group[m]);
}

int
walk_pre_share(struct walk *w)
{
	const struct plan_share *ps = &w->plan->shares[w->cur->share];
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned m, n = ps->holder ? 1 : ps->ngroup;
	int r;

	if ((r = shares_dir(w, dir, sizeof(dir))) != 0)
		return r;
	for (m = 0; m < n; m++) {
		target(path, sizeof(path), ps, w->cur->share, dir, m);
		if (access(path, F_OK) == 0)
			return walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists; a "
			    "file is never overwritten (move it away, then "
			    "take the step again)", path);
	}
	return 0;
}

/*
 * A step that began and wrote some files before it was cut: moves aside
 * those this ceremony wrote (their header names it; they hold a share
 * nobody imported) and says that words shown for them are void. A file
 * from anywhere else is refused, never touched.
 */
static int
clear_partial(struct walk *w, const struct plan_share *ps, int i,
    const char *dir)
{
	struct sharefile_info info;
	char path[PATH_MAX], note[200];
	unsigned m, n = ps->holder ? 1 : ps->ngroup, moved = 0;
	int r;

	for (m = 0; m < n; m++) {
		target(path, sizeof(path), ps, i, dir, m);
		if (access(path, F_OK) != 0)
			continue;
		if (!w->resumed || sharefile_inspect(path, &info) != 0 ||
		    info.format != SHAREFILE_V1 ||
		    strcmp(info.v1.ceremony, ceremony_id(w->cer)) != 0)
			return walk_fail(w, CUSTOS_ERR_EXISTS, "%s exists and "
			    "was not written by this ceremony; it is never "
			    "overwritten", path);
		if ((r = walk_abandon(w, path)) != 0)
			return r;
		moved++;
	}
	if (moved > 0 && !ps->holder) {
		snprintf(note, sizeof(note), "Share %d is made anew: any words "
		    "written down for it before the interruption are VOID; "
		    "destroy that paper.", i + 1);
		w->io->note(w->io->arg, note);
	}
	return 0;
}

static int
create(struct walk *w, const struct plan_share *ps, int i,
    const unsigned char *given)
{
	unsigned char *share = NULL;
	char dir[PATH_MAX], fpr[2 * DKEK_FPR_LEN + 1];
	json_t *files = json_array(), *f = NULL;
	int r;

	if ((r = shares_dir(w, dir, sizeof(dir))) != 0 ||
	    (r = clear_partial(w, ps, i, dir)) != 0)
		goto out;
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		r = walk_fail(w, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (given != NULL)
		memcpy(share, given, DKEK_SHARE_LEN);
	else
		dkek_share_generate(share, NULL, 0);
	if ((r = seal(w, ps, i, share, dir, files)) != 0)
		goto out;
	fpr_hex(fpr, share);
	w->io->show(w->io->arg, "Share fingerprint", fpr);
	f = json_pack("{s:i, s:s, s:O}", "share", i + 1, "fingerprint", fpr,
	    "files", files);
	if (ps->holder)
		json_object_set_new(f, "holder", json_string(ps->holder));
	else
		json_object_set_new(f, "threshold",
		    json_integer(ps->threshold));
	snprintf(w->share_fpr[i], sizeof(w->share_fpr[0]), "%s", fpr);
	r = walk_finish(w, given ? "share.reshare" : ps->holder ?
	    "share.create" : "share.split", f);
 out:
	json_decref(files);
	secmem_free(share);
	return r;
}

int
walk_do_share_new(struct walk *w)
{
	return create(w, &w->plan->shares[w->cur->share], w->cur->share, NULL);
}

int
walk_do_reshare(struct walk *w)
{
	const struct plan *p = w->plan;
	unsigned char *share = NULL;
	char from[PATH_MAX];
	int r;

	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of guarded memory");
	walk_path(w, from, sizeof(from), p->share_dir);
	if ((r = walk_share_open(w, from, &p->reshare_from, w->cur->share,
	    share, NULL)) == 0)
		r = create(w, &p->shares[w->cur->share], w->cur->share, share);
	secmem_free(share);
	return r;
}

int
walk_share_open(struct walk *w, const char *dir, const struct plan_share *ps,
    int i, unsigned char *out, char fpr[2 * DKEK_FPR_LEN + 1])
{
	struct slip39_share *sh = NULL;
	char path[PATH_MAX], why[160], what[96], *pw = NULL;
	size_t pwlen = 0, len = 0;
	unsigned m, got = 0, n = ps->holder ? 1 : ps->ngroup;
	unsigned need = ps->holder ? 1 : ps->threshold;
	const char *who;
	int r = 0;

	if ((sh = secmem_alloc(PLAN_MAX_GROUP * sizeof(*sh))) == NULL)
		return walk_fail(w, CUSTOS_ERR_NOMEM, "out of guarded memory");
	for (m = 0; m < n && got < need; m++) {
		who = ps->holder ? ps->holder : ps->group[m];
		target(path, sizeof(path), ps, i, dir, m);
		snprintf(why, sizeof(why), "%s opens %s share %d; everyone "
		    "else looks away.", who, ps->holder ? "DKEK" :
		    "their part of DKEK", i + 1);
		snprintf(what, sizeof(what), "%s's passphrase for share %d",
		    who, i + 1);
		if ((r = w->io->handover(w->io->arg, who, why)) != 0 ||
		    (r = walk_secret(w, WALK_SECRET_OLD, who, what, ps->holder ?
		    "" : "Esc if this custodian is not here: the next one of "
		    "the group is asked.", &pw, &pwlen)) != 0) {
			if (r == CUSTOS_ERR_CANCELLED && !ps->holder)
				continue;
			goto out;
		}
		r = open_file(w, path, pw, pwlen, out, ps->holder ? NULL :
		    &sh[got]);
		secmem_free(pw);
		pw = NULL;
		if (r != 0)
			goto out;
		got++;
	}
	if (got < need) {
		r = walk_fail(w, CUSTOS_ERR_TRUNCATED, "share %d needs %u of "
		    "its custodians; %u opened theirs", i + 1, need, got);
		goto out;
	}
	if (!ps->holder && (r = slip39_combine(sh, got, (const unsigned char *)"", 0, out,
	    DKEK_SHARE_LEN, &len, NULL)) != 0) {
		r = walk_fail(w, r, "share %d: the parts do not combine: %s",
		    i + 1, custos_strerror(r));
		goto out;
	}
	if (fpr != NULL)
		fpr_hex(fpr, out);
 out:
	if (r != 0)
		secmem_wipe(out, DKEK_SHARE_LEN);
	secmem_free(sh);
	return r;
}
