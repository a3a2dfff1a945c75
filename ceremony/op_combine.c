/*
 * op_combine.c - a DKEK share rebuilt from a quorum of its M-of-N shares
 * (SLIP-39 mnemonics or member files, or sc-hsm-tool's password shares
 * with their .pbe): every share checked as it comes, then all together,
 * then the result; and share combine, which records it (op_share.h).
 */
#include <stdio.h>
#include <string.h>

#include "../common/encode.h"
#include "../common/secmem.h"
#include "op_combine_int.h"
#include "op_int.h"
#include "op_share_int.h"
#include "sharefile.h"

#define PBE_TRIES_MAX 6		/* candidate passwords tried on the file */
#define SUBSETS_MAX 500UL	/* most quorums tried to find a wrong share */

void
op_combined_free(struct op_combined *c)
{
	secmem_free(c->share);
	c->share = NULL;
}

/* Tries pwd on the .pbe file: 0 with the share, or BAD_PASSPHRASE. */
static int
try_pbe(struct op_ctx *cx, const char *pbe, const unsigned char *pwd,
    unsigned char *share)
{
	struct sharefile_info info;
	int r;

	if (cx->io->progress != NULL)
		cx->io->progress(cx->io->arg, "deriving the sc-hsm-tool key "
		    "(about 10 s)...", 0, 0);
	r = sharefile_open(pbe, share, pwd, PWSHARE_PWD_LEN, PBE_ITERATIONS,
	    &info);
	if (r == CUSTOS_OK || r == CUSTOS_ERR_BAD_PASSPHRASE)
		return r;
	return op_fail(cx, r, "%s: %s", pbe, custos_strerror(r));
}

/* Names the shares outside mask in res->wrong ("2, 5"). */
static void
name_wrong(struct op_combined *res, uint32_t mask, size_t k)
{
	size_t i, o = 0;

	for (i = 0; i < k; i++)
		if (!(mask & ((uint32_t)1 << i)) && o + 8 < sizeof(res->wrong))
			o += (size_t)snprintf(res->wrong + o,
			    sizeof(res->wrong) - o, "%s%zu", o ? ", " : "",
			    i + 1);
}

static int
legacy_combine(struct op_ctx *cx, const struct op_combine_args *a,
    struct shares_in *in, struct op_combined *res)
{
	struct pwshare_cand *c = NULL;
	unsigned char *pwd = NULL;
	const char *why = NULL;
	size_t t = a->threshold ? a->threshold : in->n, which = 0, nc = 0, i;
	int r;

	if ((r = pwshare_check(in->pw, in->n, t, 1, &which, &why)) !=
	    CUSTOS_OK) {
		if (r == CUSTOS_ERR_LIMIT)
			return op_fail(cx, CUSTOS_ERR_FORMAT, "too few shares: "
			    "%zu given, %zu needed", in->n, t);
		return op_fail(cx, r, "share %zu (ID %u): %s", which + 1,
		    in->pw[which].id, why);
	}
	if (encode_hex(res->ident, sizeof(res->ident), in->pw[0].prime,
	    PWSHARE_NUM_LEN, 0) != CUSTOS_OK ||
	    (pwd = secmem_alloc(PWSHARE_PWD_LEN)) == NULL ||
	    (c = secmem_alloc(sizeof(*c) * PBE_TRIES_MAX)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	res->legacy = 1;
	res->threshold = (unsigned)t;
	res->given = (unsigned)in->n;
	if (in->n > t) {
		if ((r = pwshare_candidates(in->pw, in->n, t, c, PBE_TRIES_MAX,
		    &nc)) != CUSTOS_OK) {
			r = op_fail(cx, r, "%s", custos_strerror(r));
			goto out;
		}
		for (i = 0, r = CUSTOS_ERR_BAD_PASSPHRASE; i < nc &&
		    r == CUSTOS_ERR_BAD_PASSPHRASE; i++)
			if ((r = try_pbe(cx, a->pbe, c[i].pwd, res->share)) ==
			    CUSTOS_OK && c[i].nsupport < in->n)
				name_wrong(res, c[i].support, in->n);
	} else if ((r = pwshare_combine(in->pw, in->n, pwd)) ==
	    CUSTOS_ERR_CORRUPT) {
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "these shares give no "
		    "password sc-hsm-tool could have made: a share is wrong "
		    "(give more than the threshold, with --threshold, to find "
		    "which)");
		goto out;
	} else if (r != CUSTOS_OK) {
		r = op_fail(cx, r, "%s", custos_strerror(r));
		goto out;
	} else {
		r = try_pbe(cx, a->pbe, pwd, res->share);
	}
	if (r == CUSTOS_ERR_BAD_PASSPHRASE)
		r = op_fail(cx, r, "%s: the shares do not open it: a share is "
		    "wrong, too few were given, or the file was altered%s",
		    a->pbe, in->n > t ? "" : " (give more than the threshold, "
		    "with --threshold, to find which)");
 out:
	secmem_free(pwd);
	secmem_free(c);
	return r;
}

/*
 * More shares than the threshold: rebuilds every quorum (each checked by
 * its digest); the shares in no valid quorum are the wrong ones. All the
 * valid quorums must agree.
 */
int
op_quorum_search(struct op_ctx *cx, const struct slip39_share *s, size_t n,
    size_t m, unsigned char *out, char *wrong, size_t wrongsz)
{
	struct slip39_share *q = NULL;
	unsigned char *got = NULL;
	size_t idx[SLIP39_MAX_MEMBERS], i, j, len, o = 0;
	unsigned long tried = 0;
	uint32_t good = 0;
	int found = 0, r;

	if (n > 32 || m == 0 || m > SLIP39_MAX_MEMBERS || m > n)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "too many shares to search");
	if ((q = secmem_alloc(sizeof(*q) * m)) == NULL ||
	    (got = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	for (i = 0; i < m; i++)
		idx[i] = i;
	for (;;) {
		for (i = 0; i < m; i++)
			q[i] = s[idx[i]];
		if (slip39_combine(q, m, NULL, 0, got, DKEK_SHARE_LEN, &len,
		    NULL) == CUSTOS_OK && len == DKEK_SHARE_LEN) {
			if (found && secmem_equal(got, out, DKEK_SHARE_LEN) !=
			    0) {
				r = op_fail(cx, CUSTOS_ERR_FORMAT, "different "
				    "quorums of these shares give different "
				    "shares: more than one is wrong");
				goto out;
			}
			memcpy(out, got, DKEK_SHARE_LEN);
			found = 1;
			for (i = 0; i < m; i++)
				good |= (uint32_t)1 << idx[i];
		}
		if (++tried >= SUBSETS_MAX)
			break;
		for (i = m; i-- > 0;)
			if (idx[i] < n - m + i)
				break;
		if (i == (size_t)-1)
			break;
		idx[i]++;
		for (j = i + 1; j < m; j++)
			idx[j] = idx[j - 1] + 1;
	}
	if (!found) {
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "no %zu of these %zu shares "
		    "rebuild a share whose digest checks: too many are wrong", m,
		    n);
		goto out;
	}
	wrong[0] = '\0';
	for (i = 0; i < n; i++)
		if (!(good & ((uint32_t)1 << i)) && o + 8 < wrongsz)
			o += (size_t)snprintf(wrong + o, wrongsz - o, "%s%zu",
			    o ? ", " : "", i + 1);
	r = CUSTOS_OK;
 out:
	if (r != CUSTOS_OK)
		secmem_wipe(out, DKEK_SHARE_LEN);
	secmem_free(got);
	secmem_free(q);
	return r;
}

static int
slip39_rebuild(struct op_ctx *cx, struct shares_in *in,
    struct op_combined *res)
{
	const char *why = NULL;
	size_t len = 0, m = in->s39[0].member_threshold;
	int r;

	r = slip39_combine(in->s39, in->n, NULL, 0, res->share,
	    DKEK_SHARE_LEN, &len, &why);
	if (r != CUSTOS_OK && in->n > m &&
	    (r == CUSTOS_ERR_LIMIT || r == CUSTOS_ERR_CORRUPT)) {
		if ((r = op_quorum_search(cx, in->s39, in->n, m, res->share,
		    res->wrong, sizeof(res->wrong))) != CUSTOS_OK)
			return r;
		len = DKEK_SHARE_LEN;
	}
	if (r != CUSTOS_OK || len != DKEK_SHARE_LEN)
		return op_fail(cx, r == CUSTOS_OK ? CUSTOS_ERR_FORMAT : r,
		    "%s", why != NULL ? why : r == CUSTOS_OK ? "the shares hold "
		    "no 32-byte DKEK share" : custos_strerror(r));
	res->identifier = in->s39[0].identifier;
	snprintf(res->ident, sizeof(res->ident), "%u", res->identifier);
	res->threshold = (unsigned)m;
	res->given = (unsigned)in->n;
	return CUSTOS_OK;
}

/* The member files' holders, in order, as one actor ("bob, carol"). */
static void
add_who(struct op_combined *res, const char *who)
{
	size_t o = strlen(res->who);

	snprintf(res->who + o, sizeof(res->who) - o, "%s%s", o ? ", " : "",
	    who);
}

/* Reads the shares the arguments name into in. */
static int
read_shares(struct op_ctx *cx, const struct op_combine_args *a,
    struct shares_in *in, struct op_combined *res, int *legacy)
{
	char who[65];
	size_t i;
	int r;

	switch (a->from) {
	case OP_SHARES_MEMBER_FILES:
		for (i = 0; i < a->nfiles && i < SLIP39_MAX_SHARES; i++,
		    in->n++) {
			if ((r = op_in_member_file(cx, a->files[i], &in->s39[i],
			    who, sizeof(who))) != CUSTOS_OK)
				return r;
			add_who(res, who);
		}
		*legacy = 0;
		return CUSTOS_OK;
	case OP_SHARES_TEXT_FILE:
	case OP_SHARES_INPUT:
		if (a->from == OP_SHARES_INPUT && cx->io->can_retry != NULL &&
		    cx->io->can_retry(cx->io->arg, OP_SECRET_SHARES)) {
			/* at a terminal: each share checked as it is typed */
			if (*legacy != 1) {
				*legacy = 0;
				return op_in_mnemonics_tty(cx, in);
			}
			if ((r = op_in_legacy_tty(cx, a->threshold, in)) !=
			    CUSTOS_OK)
				return r;
			return op_in_legacy_parse(cx, in);
		}
		if ((r = a->from == OP_SHARES_TEXT_FILE ? op_in_read_file(cx,
		    a->files[0], in) : op_in_read_all(cx, in)) != CUSTOS_OK)
			return r;
		if (*legacy < 0)
			*legacy = op_in_looks_legacy(in->text);
		return *legacy ? op_in_legacy_parse(cx, in) :
		    op_in_mnemonics_text(cx, in);
	}
	return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "no shares given");
}

int
op_combine(struct op_ctx *cx, const struct op_combine_args *a,
    struct op_combined *res)
{
	struct shares_in *in = NULL;
	int legacy = a->legacy, r;

	memset(res, 0, sizeof(*res));
	if ((in = secmem_alloc(sizeof(*in))) == NULL ||
	    (res->share = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		secmem_free(in);
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	}
	if ((r = read_shares(cx, a, in, res, &legacy)) != CUSTOS_OK)
		goto out;
	if (legacy && a->pbe == NULL) {
		r = op_fail(cx, CUSTOS_ERR_INVALID_ARG, "sc-hsm-tool shares need "
		    "--pbe FILE (the share file their password opens) (try "
		    "--help)");
		goto out;
	}
	if (!legacy && in->n == 0) {
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "no share in the input");
		goto out;
	}
	r = legacy ? legacy_combine(cx, a, in, res) : slip39_rebuild(cx, in,
	    res);
	if (r == CUSTOS_OK) {
		op_fpr_hex(res->fpr, res->share);
		if (res->wrong[0] != '\0')
			op_warn(cx, "share %s is wrong and was left out: the "
			    "other shares agree without it", res->wrong);
	}
 out:
	secmem_free(in);
	if (r != CUSTOS_OK)
		op_combined_free(res);
	return r;
}

/* The facts of a combine, and of a reshare's old set. */
json_t *
op_combine_facts(const struct op_combined *c, const char *prefix)
{
	char k[4][40];

	snprintf(k[0], sizeof(k[0]), "%sscheme", prefix);
	snprintf(k[1], sizeof(k[1]), "%sthreshold", prefix);
	snprintf(k[2], sizeof(k[2]), "%sshares_given", prefix);
	snprintf(k[3], sizeof(k[3]), "%sidentifier", prefix);
	return json_pack("{s:s, s:i, s:i, s:s}", k[0], c->legacy ? "sc-hsm" :
	    "slip39", k[1], (int)c->threshold, k[2], (int)c->given, k[3],
	    c->ident);
}

int
op_share_combine(struct op_ctx *cx, const struct op_combine_args *a,
    const char *expect_fpr, const char *out, const struct op_file_args *f,
    struct op_combined *res)
{
	const char *who;
	unsigned long long in = 0;
	char *pw = NULL, rel[4096];
	json_t *facts;
	int r;

	if (out != NULL && ((r = op_out_free(cx, out)) != CUSTOS_OK ||
	    (r = op_file_args_check(cx, f)) != CUSTOS_OK))
		return r;
	if ((r = op_combine(cx, a, res)) != CUSTOS_OK) {
		op_refused(cx, op_actor(cx, "operator"), json_pack("{s:s, s:s}",
		    "what", "share", "reason", op_why(cx)));
		return r;
	}
	who = op_actor(cx, res->who[0] ? res->who : "operator");
	if (expect_fpr != NULL && strcmp(expect_fpr, res->fpr) != 0) {
		op_refused(cx, who, json_pack("{s:s, s:s, s:s, s:s}", "what",
		    "share", "reason", "the rebuilt share is not the recorded "
		    "one", "share_fingerprint", res->fpr,
		    "expected_fingerprint", expect_fpr));
		return op_fail(cx, CUSTOS_ERR_FINGERPRINT, "the rebuilt share's "
		    "fingerprint %.4s %.4s %.4s %.4s is not the recorded one; "
		    "nothing was written", res->fpr, res->fpr + 4, res->fpr + 8,
		    res->fpr + 12);
	}
	if ((facts = op_combine_facts(res, "")) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_object_set_new(facts, "share_fingerprint", json_string(res->fpr));
	if (expect_fpr != NULL)
		json_object_set_new(facts, "fingerprint_matches", json_true());
	if (res->wrong[0] != '\0')
		json_object_set_new(facts, "wrong_shares",
		    json_string(res->wrong));
	if (a->pbe != NULL) {
		op_relpath(cx, a->pbe, rel, sizeof(rel));
		json_object_set_new(facts, "pbe", json_string(rel));
	}
	if (out != NULL) {
		size_t pwlen = 0;
		json_t *ff;

		if ((r = op_new_passphrase(cx, f, f->label ? f->label : who,
		    "New passphrase for the share file", "", &pw, &pwlen)) !=
		    CUSTOS_OK || (r = op_file_intent(cx, who, "share.combine",
		    out, NULL, &in)) != CUSTOS_OK)
			goto out;
		if ((r = op_seal(cx, res->share, out, f, pw, pwlen)) !=
		    CUSTOS_OK) {
			op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
			goto out;
		}
		if ((ff = op_file_facts(cx, out, f, res->fpr)) != NULL) {
			json_object_set(facts, "file", json_object_get(ff,
			    "file"));
			json_object_set(facts, "file_sha256", json_object_get(ff,
			    "file_sha256"));
			json_decref(ff);
		}
		json_object_set_new(facts, "intent", json_integer((json_int_t)in));
	}
	r = op_record(cx, NULL, who, "share.combine", facts, NULL);
	facts = NULL;
 out:
	json_decref(facts);
	secmem_free(pw);
	return r;
}
