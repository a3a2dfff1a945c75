/*
 * op_plan_share.c - the DKEK shares of a planned ceremony (op_share.h):
 * sealed for their holder or split for their group, and opened again by
 * the holder or a quorum of the group, each custodian at the keyboard in
 * turn. The files are named by plan share and custodian:
 * share-I-HOLDER.share, share-I-member-M-NAME.share.
 */
#include <stdio.h>
#include <string.h>

#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "../shamir/slip39.h"
#include "op_int.h"
#include "op_share_int.h"
#include "op_split_int.h"
#include "sharefile.h"
#include "sharefile_member.h"

void
op_plan_file(char *out, size_t sz, const char *dir, int share,
    const struct op_protection *p, unsigned m)
{
	char prefix[48];

	if (p->holder != NULL) {
		op_split_name(out, sz, dir, "share", (size_t)share - 1,
		    p->holder, "share");
		return;
	}
	snprintf(prefix, sizeof(prefix), "share-%d-member", share);
	op_split_name(out, sz, dir, prefix, m, p->group[m], "share");
}

/* Opens one planned file with who's passphrase into value (32). */
static int
open_one(struct op_ctx *cx, const char *path, const char *who, int share,
    int member, unsigned char *value, struct sharefile_info *info)
{
	char what[128], why[200], rel[4096], *pw = NULL;
	size_t pwlen = 0;
	int r;

	snprintf(why, sizeof(why), "%s opens %s share %d; everyone else looks "
	    "away.", who, member ? "their part of DKEK" : "DKEK", share);
	if (cx->io->handover != NULL &&
	    (r = cx->io->handover(cx->io->arg, who, why, member ?
	    OP_HANDOVER_MEMBER : OP_HANDOVER_STEP)) != 0)
		return op_fail(cx, r, "%s did not take over", who);
	snprintf(what, sizeof(what), "%s's passphrase for share %d", who, share);
	if ((r = op_secret(cx, OP_SECRET_OLD, who, what, member ? "Esc if this "
	    "custodian is not here: the next one of the group is asked." : "",
	    &pw, &pwlen)) != CUSTOS_OK)
		return r;
	r = sharefile_open(path, value, (unsigned char *)pw, pwlen,
	    PBE_ITERATIONS, info);
	secmem_free(pw);
	if (r == CUSTOS_ERR_BAD_PASSPHRASE) {
		op_relpath(cx, path, rel, sizeof(rel));
		op_refused(cx, who, json_pack("{s:s, s:s, s:s}", "what",
		    "passphrase", "reason", custos_strerror(r), "file", rel));
		return op_fail(cx, r, "%s: wrong passphrase (or the file was "
		    "altered); nothing was changed", path);
	}
	if (r != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	return CUSTOS_OK;
}

int
op_plan_share_open(struct op_ctx *cx, const char *dir,
    const struct op_protection *p, int share, struct op_share *s)
{
	struct slip39_share *sh = NULL;
	struct sharefile_info info;
	char path[4096];
	size_t len = 0;
	unsigned m, got = 0, n = p->holder ? 1 : p->ngroup;
	unsigned need = p->holder ? 1 : p->threshold;
	int r = CUSTOS_OK;

	memset(s, 0, sizeof(*s));
	memset(&info, 0, sizeof(info));
	s->plan_share = share;
	if ((s->value = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (sh = secmem_alloc(OP_SPLIT_MAX * sizeof(*sh))) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (n > OP_SPLIT_MAX) {
		r = op_fail(cx, CUSTOS_ERR_LIMIT, "share %d: too many "
		    "custodians", share);
		goto out;
	}
	for (m = 0; m < n && got < need; m++) {
		const char *who = p->holder ? p->holder : p->group[m];

		op_plan_file(path, sizeof(path), dir, share, p, m);
		r = open_one(cx, path, who, share, p->holder == NULL,
		    p->holder ? s->value : sh[got].value, &info);
		if (r == CUSTOS_ERR_CANCELLED && p->holder == NULL) {
			r = CUSTOS_OK;
			continue;	/* absent: the next one is asked */
		}
		if (r != CUSTOS_OK)
			goto out;
		if (p->holder == NULL && (info.format != SHAREFILE_V1 ||
		    sharefile_member_parse(info.v1.comment, &sh[got]) != 0)) {
			r = op_fail(cx, CUSTOS_ERR_FORMAT, "%s: not a SLIP-39 "
			    "member share file", path);
			goto out;
		}
		snprintf(s->names[s->ncustodians++], sizeof(s->names[0]), "%s",
		    who);
		got++;
	}
	if (got < need) {
		r = op_fail(cx, CUSTOS_ERR_TRUNCATED, "share %d needs %u of its "
		    "custodians; %u opened theirs", share, need, got);
		goto out;
	}
	if (p->holder != NULL)
		snprintf(s->file, sizeof(s->file), "%s", path);
	else if ((r = slip39_combine(sh, got, NULL, 0, s->value,
	    DKEK_SHARE_LEN, &len, NULL)) != 0 || len != DKEK_SHARE_LEN) {
		r = op_fail(cx, r != 0 ? r : CUSTOS_ERR_FORMAT, "share %d: the "
		    "parts do not combine: %s", share, custos_strerror(r));
		goto out;
	}
	op_fpr_hex(s->fpr, s->value);
 out:
	secmem_free(sh);
	if (r != CUSTOS_OK)
		op_share_clear(s);
	return r;
}

/* The one file of a holder: sealed, opened again, recorded. */
static int
seal_holder(struct op_ctx *cx, const struct op_seal_args *a,
    const unsigned char *value, char fpr[17])
{
	const char *who = a->to->holder;
	struct op_file_args f;
	unsigned long long in = 0;
	char path[4096], comment[64], what[128], why[200], rel[4096];
	char *pw = NULL;
	size_t pwlen = 0;
	json_t *facts;
	int r;

	memset(&f, 0, sizeof(f));
	snprintf(comment, sizeof(comment), "DKEK share %d of %u", a->share,
	    a->nshares);
	f.format = OP_FORMAT_V1;
	f.label = who;
	f.comment = comment;
	f.kdf_mem_kib = a->kdf_mem_kib;
	f.kdf_ops = a->kdf_ops;
	op_plan_file(path, sizeof(path), a->dir, a->share, a->to, 0);
	if ((r = op_out_free(cx, path)) != CUSTOS_OK)
		return r;
	snprintf(why, sizeof(why), "%s seals DKEK share %d under a passphrase; "
	    "everyone else looks away.", who, a->share);
	if (cx->io->handover != NULL &&
	    (r = cx->io->handover(cx->io->arg, who, why,
	    OP_HANDOVER_STEP)) != 0)
		return op_fail(cx, r, "%s did not take over", who);
	snprintf(what, sizeof(what), "%s's new passphrase for share %d", who,
	    a->share);
	if ((r = op_secret(cx, OP_SECRET_NEW, who, what, "At least 12 "
	    "characters; five random words is best. Only you may know it.",
	    &pw, &pwlen)) != CUSTOS_OK ||
	    (r = op_file_intent(cx, who, a->old ? "share.reshare" :
	    "share.create", path, json_pack("{s:s, s:i}", "label", who,
	    "share", a->share), &in)) != CUSTOS_OK)
		goto out;
	if ((r = op_seal(cx, value, path, &f, pw, pwlen)) != CUSTOS_OK) {
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	op_fpr_hex(fpr, value);
	snprintf(what, sizeof(what), "%s's DKEK share %d fingerprint", who,
	    a->share);
	op_show(cx, what, fpr);
	if (a->old == NULL) {
		if ((facts = op_file_facts(cx, path, &f, fpr)) != NULL)
			json_object_update_new(facts, json_pack("{s:i, s:I}",
			    "share", a->share, "intent", (json_int_t)in));
		r = op_record(cx, NULL, who, "share.create", facts, NULL);
		goto out;
	}
	op_relpath(cx, path, rel, sizeof(rel));
	facts = op_combine_facts(a->old, "old_");
	if (facts != NULL) {
		if (a->old_scheme != NULL)
			json_object_set_new(facts, "old_scheme",
			    json_string(a->old_scheme));
		json_object_update_new(facts, json_pack("{s:s, s:s, s:i, s:i, "
		    "s:[s], s:s, s:[s], s:[], s:s, s:i, s:I}", "old_set",
		    "retired", "scheme", "file", "threshold", 1, "count", 1,
		    "custodians", who, "identifier", "", "files", rel, "sheets",
		    "share_fingerprint", fpr, "share", a->share, "intent",
		    (json_int_t)in));
		op_relpath(cx, a->dir, rel, sizeof(rel));
		json_object_set_new(facts, "out_dir", json_string(rel));
	}
	r = op_record(cx, NULL, who, "share.reshare", facts, NULL);
 out:
	secmem_free(pw);
	return r;
}

/* The files just sealed, each offered to its custodian to take away. */
static int
offer(struct op_ctx *cx, const struct op_seal_args *a)
{
	char paths[OP_SPLIT_MAX][4096];
	const char *files[OP_SPLIT_MAX], *whos[OP_SPLIT_MAX];
	unsigned m, n = a->to->holder != NULL ? 1 : a->to->ngroup;

	for (m = 0; m < n && m < OP_SPLIT_MAX; m++) {
		op_plan_file(paths[m], sizeof(paths[m]), a->dir, a->share, a->to,
		    m);
		files[m] = paths[m];
		whos[m] = a->to->holder != NULL ? a->to->holder : a->to->group[m];
	}
	return op_offer_copies(cx, files, whos, m, a->taken, a->takensz);
}

int
op_plan_share_seal(struct op_ctx *cx, const struct op_seal_args *a,
    char fpr[17])
{
	struct op_split_args sa;
	struct op_split_result res;
	unsigned char *value = NULL;
	char prefix[48], label[64];
	json_t *extra = NULL;
	int r;

	if ((r = atomicio_mkdirs(a->dir)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", a->dir, custos_strerror(r));
	if (a->to->holder != NULL) {
		if ((value = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
			return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded "
			    "memory");
		if (a->value != NULL)
			memcpy(value, a->value, DKEK_SHARE_LEN);
		else
			dkek_share_generate(value, NULL, 0);
		r = seal_holder(cx, a, value, fpr);
		secmem_free(value);
		return r != CUSTOS_OK ? r : offer(cx, a);
	}
	memset(&sa, 0, sizeof(sa));
	snprintf(prefix, sizeof(prefix), "share-%d-member", a->share);
	sa.share = a->value;
	sa.threshold = a->to->threshold;
	sa.custodians = a->to->group;
	sa.ncustodians = a->to->ngroup;
	sa.out_dir = a->dir;
	sa.member_files = 1;
	sa.kdf_mem_kib = a->kdf_mem_kib;
	sa.kdf_ops = a->kdf_ops;
	sa.avoid_id = a->old != NULL && !a->old->legacy && a->old->threshold >
	    1 ? (long)a->old->identifier : -1;
	sa.handover = 1;
	sa.reveal = 1;
	sa.plan_share = a->share;
	sa.file_prefix = prefix;
	if (a->old != NULL) {
		if ((extra = op_combine_facts(a->old, "old_")) == NULL)
			return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		if (a->old_scheme != NULL)
			json_object_set_new(extra, "old_scheme",
			    json_string(a->old_scheme));
		json_object_set_new(extra, "old_set", json_string("retired"));
	}
	if ((r = op_split_slip39(cx, &sa, a->old != NULL ? "share.reshare" :
	    "share.split", extra, &res)) != CUSTOS_OK)
		return r;
	snprintf(fpr, 17, "%s", res.fpr);
	snprintf(label, sizeof(label), "DKEK share %d (split) fingerprint",
	    a->share);
	op_show(cx, label, fpr);
	return offer(cx, a);
}
