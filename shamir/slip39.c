/*
 * slip39.c - SLIP-39 splitting and combining (slip39.h): the two-level
 * Shamir scheme over GF(256) with the digest share at index 254 and the
 * shared secret at index 255, around the Feistel encryption of
 * slip39_cipher.c. The mnemonic form is in slip39_mnemonic.c.
 *
 * Every intermediate value (encrypted master secret, group shares,
 * polynomial values, digest shares) lives in one guarded work area that
 * is wiped and freed on every path.
 */
#include <string.h>

#include "slip39.h"
#include "slip39_cipher.h"
#include "slip39_sss.h"
#include "../common/secmem.h"

#define VAL SLIP39_SECRET_MAX

struct work {
	unsigned char ems[VAL];			/* encrypted master secret */
	unsigned char group[SLIP39_MAX_GROUPS][VAL];	/* group shares */
	unsigned char member[SLIP39_MAX_MEMBERS][VAL];	/* member shares */
};

static void
os_random(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	secmem_random(buf, len);
}

static int
printable(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 32 || s[i] > 126)
			return 0;
	return 1;
}

int
slip39_split(const unsigned char *secret, size_t len,
    const unsigned char *passphrase, size_t pplen, int extendable,
    unsigned iter_exp, unsigned group_threshold,
    const struct slip39_group *groups, size_t ngroups,
    struct slip39_share *shares, size_t maxshares, size_t *nshares,
    uint16_t *identifier)
{
	return slip39_split_with_rng(secret, len, passphrase, pplen,
	    extendable, iter_exp, group_threshold, groups, ngroups, shares,
	    maxshares, nshares, identifier, os_random, NULL);
}

int
slip39_split_with_rng(const unsigned char *secret, size_t len,
    const unsigned char *passphrase, size_t pplen, int extendable,
    unsigned iter_exp, unsigned group_threshold,
    const struct slip39_group *groups, size_t ngroups,
    struct slip39_share *shares, size_t maxshares, size_t *nshares,
    uint16_t *identifier, slip39_rng_fn rng, void *rngctx)
{
	struct work *w = NULL;
	unsigned char idb[2];
	size_t g, m, total = 0, k = 0;
	uint16_t id;
	int rc = CUSTOS_ERR_INTERNAL;

	if (nshares != NULL)
		*nshares = 0;
	if (secret == NULL || (passphrase == NULL && pplen > 0) ||
	    groups == NULL || shares == NULL || nshares == NULL ||
	    rng == NULL || (extendable != 0 && extendable != 1) ||
	    !printable(passphrase, pplen)) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (len < SLIP39_SECRET_MIN || len > SLIP39_SECRET_MAX ||
	    len % 2 != 0 || iter_exp > SLIP39_ITER_EXP_MAX || ngroups < 1 ||
	    ngroups > SLIP39_MAX_GROUPS || group_threshold < 1 ||
	    group_threshold > ngroups) {
		rc = CUSTOS_ERR_LIMIT;
		goto out;
	}
	for (g = 0; g < ngroups; g++) {
		/* 1-of-N for N > 1 only copies a share: SLIP-39 forbids it. */
		if (groups[g].count < 1 ||
		    groups[g].count > SLIP39_MAX_MEMBERS ||
		    groups[g].threshold < 1 ||
		    groups[g].threshold > groups[g].count ||
		    (groups[g].threshold == 1 && groups[g].count > 1)) {
			rc = CUSTOS_ERR_LIMIT;
			goto out;
		}
		total += groups[g].count;
	}
	if (total > maxshares) {
		rc = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	if ((w = secmem_alloc(sizeof(*w))) == NULL) {
		rc = CUSTOS_ERR_NOMEM;
		goto out;
	}

	rng(rngctx, idb, sizeof(idb));
	id = (uint16_t)(((unsigned)idb[0] << 8 | idb[1]) & 0x7fff);
	if ((rc = slip39_cipher(0, w->ems, secret, len, passphrase, pplen,
	    iter_exp, id, extendable)) != CUSTOS_OK)
		goto out;
	if ((rc = slip39_sss_split(group_threshold, (unsigned)ngroups, w->ems,
	    len, w->group, rng, rngctx)) != CUSTOS_OK)
		goto out;
	for (g = 0; g < ngroups; g++) {
		rc = slip39_sss_split(groups[g].threshold, groups[g].count,
		    w->group[g], len, w->member, rng, rngctx);
		if (rc != CUSTOS_OK)
			goto out;
		for (m = 0; m < groups[g].count; m++, k++) {
			struct slip39_share *s = &shares[k];

			memset(s, 0, sizeof(*s));
			s->identifier = id;
			s->extendable = (uint8_t)extendable;
			s->iter_exp = (uint8_t)iter_exp;
			s->group_index = (uint8_t)g;
			s->group_threshold = (uint8_t)group_threshold;
			s->group_count = (uint8_t)ngroups;
			s->member_index = (uint8_t)m;
			s->member_threshold = groups[g].threshold;
			s->value_len = (uint8_t)len;
			memcpy(s->value, w->member[m], len);
		}
	}
	*nshares = k;
	if (identifier != NULL)
		*identifier = id;
	rc = CUSTOS_OK;
out:
	if (rc != CUSTOS_OK && shares != NULL)
		secmem_wipe(shares, k * sizeof(*shares));
	secmem_free(w);
	return rc;
}

/* Fields within what a mnemonic can carry and a split can make. */
static int
share_valid(const struct slip39_share *s)
{
	return s->identifier <= 0x7fff && s->extendable <= 1 &&
	    s->iter_exp <= SLIP39_ITER_EXP_MAX && s->group_threshold >= 1 &&
	    s->group_threshold <= s->group_count &&
	    s->group_count <= SLIP39_MAX_GROUPS &&
	    s->group_index < s->group_count && s->member_index <= 15 &&
	    s->member_threshold >= 1 &&
	    s->member_threshold <= SLIP39_MAX_MEMBERS &&
	    s->value_len >= SLIP39_SECRET_MIN &&
	    s->value_len <= SLIP39_SECRET_MAX && s->value_len % 2 == 0;
}

/* Whether two shares could come from one split (ignoring the group). */
static int
same_split(const struct slip39_share *a, const struct slip39_share *b)
{
	return a->identifier == b->identifier &&
	    a->extendable == b->extendable && a->iter_exp == b->iter_exp &&
	    a->group_threshold == b->group_threshold &&
	    a->group_count == b->group_count && a->value_len == b->value_len;
}

/*
 * The checks of SLIP-39's "Combining the shares", step 1, that concern
 * the set: one split, one member threshold per group, distinct members.
 */
static int
check_set(const struct slip39_share *shares, size_t n, const char **why)
{
	const struct slip39_share *a = &shares[0], *b;
	size_t i, j;

	for (i = 0; i < n; i++) {
		b = &shares[i];
		if (!share_valid(b)) {
			*why = "a share has a field out of range";
			return CUSTOS_ERR_FORMAT;
		}
		if (b->identifier != a->identifier ||
		    b->extendable != a->extendable) {
			*why = "the shares are from different splits "
			    "(identifiers differ)";
			return CUSTOS_ERR_FORMAT;
		}
		if (b->iter_exp != a->iter_exp) {
			*why = "the shares have different iteration exponents";
			return CUSTOS_ERR_FORMAT;
		}
		if (b->group_threshold != a->group_threshold ||
		    b->group_count != a->group_count) {
			*why = "the shares have different group thresholds "
			    "or group counts";
			return CUSTOS_ERR_FORMAT;
		}
		if (b->value_len != a->value_len) {
			*why = "the shares have different lengths";
			return CUSTOS_ERR_FORMAT;
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			a = &shares[i];
			b = &shares[j];
			if (a->group_index != b->group_index)
				continue;
			if (a->member_threshold != b->member_threshold) {
				*why = "shares of one group have different "
				    "member thresholds";
				return CUSTOS_ERR_FORMAT;
			}
			if (a->member_index != b->member_index)
				continue;
			*why = secmem_equal(a->value, b->value,
			    a->value_len) == 0 ?
			    "the same share was given twice" :
			    "two different shares have the same member index";
			return CUSTOS_ERR_DUPLICATE_SHARE;
		}
	return CUSTOS_OK;
}

int
slip39_combine(const struct slip39_share *shares, size_t n,
    const unsigned char *passphrase, size_t pplen, unsigned char *secret,
    size_t secretsz, size_t *len, const char **why)
{
	struct work *w = NULL;
	const struct slip39_share *s0;
	const uint8_t *gys[SLIP39_MAX_GROUPS], *mys[SLIP39_MAX_MEMBERS];
	uint8_t gxs[SLIP39_MAX_GROUPS], mxs[SLIP39_MAX_MEMBERS];
	size_t i, gi, c, ngroups = 0, vlen;
	const char *reason = NULL;
	int rc = CUSTOS_ERR_INTERNAL;

	if (len != NULL)
		*len = 0;
	if ((shares == NULL && n > 0) || secret == NULL || len == NULL ||
	    (passphrase == NULL && pplen > 0)) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (!printable(passphrase, pplen)) {
		reason = "the passphrase must be printable ASCII";
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (n == 0) {
		reason = "no shares given";
		rc = CUSTOS_ERR_TRUNCATED;
		goto out;
	}
	if (n > SLIP39_MAX_SHARES) {
		reason = "more shares than a split can have";
		rc = CUSTOS_ERR_LIMIT;
		goto out;
	}
	if ((rc = check_set(shares, n, &reason)) != CUSTOS_OK)
		goto out;
	s0 = &shares[0];
	vlen = s0->value_len;
	if (secretsz < vlen) {
		rc = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}

	/* Exactly GT groups, each with exactly its member threshold. */
	for (gi = 0; gi < SLIP39_MAX_GROUPS; gi++) {
		for (i = 0, c = 0; i < n; i++)
			c += shares[i].group_index == gi;
		ngroups += c > 0;
	}
	if (ngroups < s0->group_threshold) {
		reason = "too few groups: more shares are needed";
		rc = CUSTOS_ERR_TRUNCATED;
		goto out;
	}
	if (ngroups > s0->group_threshold) {
		reason = "shares from more groups than the group threshold";
		rc = CUSTOS_ERR_LIMIT;
		goto out;
	}
	for (gi = 0; gi < SLIP39_MAX_GROUPS; gi++) {
		size_t t = 0;

		for (i = 0, c = 0; i < n; i++)
			if (shares[i].group_index == gi) {
				c++;
				t = shares[i].member_threshold;
			}
		if (c > 0 && c < t) {
			reason = "too few shares of a group: more are needed";
			rc = CUSTOS_ERR_TRUNCATED;
			goto out;
		}
		if (c > t) {
			reason = "more shares of a group than its threshold";
			rc = CUSTOS_ERR_LIMIT;
			goto out;
		}
	}

	if ((w = secmem_alloc(sizeof(*w))) == NULL) {
		rc = CUSTOS_ERR_NOMEM;
		goto out;
	}
	ngroups = 0;
	for (gi = 0; gi < SLIP39_MAX_GROUPS; gi++) {
		unsigned t = 0;

		for (i = 0, c = 0; i < n; i++)
			if (shares[i].group_index == gi) {
				mxs[c] = shares[i].member_index;
				mys[c++] = shares[i].value;
				t = shares[i].member_threshold;
			}
		if (c == 0)
			continue;
		rc = slip39_sss_recover(t, mxs, mys, c, vlen,
		    w->group[ngroups]);
		if (rc != CUSTOS_OK) {
			reason = "the digest of a group's shares does not "
			    "match: a share is wrong";
			goto out;
		}
		gxs[ngroups] = (uint8_t)gi;
		gys[ngroups] = w->group[ngroups];
		ngroups++;
	}
	rc = slip39_sss_recover(s0->group_threshold, gxs, gys, ngroups,
	    vlen, w->ems);
	if (rc != CUSTOS_OK) {
		reason = "the digest of the group shares does not match: "
		    "a share is wrong";
		goto out;
	}
	if ((rc = slip39_cipher(1, secret, w->ems, vlen, passphrase, pplen,
	    s0->iter_exp, s0->identifier, s0->extendable)) != CUSTOS_OK)
		goto out;
	*len = vlen;
	rc = CUSTOS_OK;
out:
	if (rc != CUSTOS_OK && secret != NULL)
		secmem_wipe(secret, secretsz);
	secmem_free(w);
	if (why != NULL)
		*why = rc == CUSTOS_OK ? NULL :
		    reason != NULL ? reason : custos_strerror(rc);
	return rc;
}

int
slip39_identify_bad(const struct slip39_share *shares, size_t n,
    size_t *pos)
{
	struct work *w = NULL;
	const uint8_t *ys[SLIP39_MAX_SHARES], *gys[SLIP39_MAX_GROUPS];
	uint8_t xs[SLIP39_MAX_SHARES], gxs[SLIP39_MAX_GROUPS];
	size_t map[SLIP39_MAX_SHARES], gmap[SLIP39_MAX_GROUPS];
	size_t gsize[SLIP39_MAX_GROUPS];
	size_t i, j, c, odd = 0, nodd = 0, gi, ng = 0, bad = 0;
	int rc = CUSTOS_ERR_INTERNAL, r, mixed = 0;

	if (shares == NULL || pos == NULL || n == 0 ||
	    n > SLIP39_MAX_SHARES) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	/* A malformed share, or one of another split, among agreeing others. */
	for (i = 0; i < n; i++) {
		const struct slip39_share *ref = &shares[n > 1 && i == 0];
		int others_agree = 1;

		for (j = 0; j < n; j++)
			if (j != i && (!share_valid(&shares[j]) ||
			    !same_split(&shares[j], ref)))
				others_agree = 0;
		if (others_agree && (!share_valid(&shares[i]) ||
		    !same_split(&shares[i], ref))) {
			odd = i;
			nodd++;
		}
		mixed |= !share_valid(&shares[i]) ||
		    !same_split(&shares[i], &shares[0]);
	}
	if (mixed) {
		rc = CUSTOS_ERR_CORRUPT;
		if (nodd == 1) {
			*pos = odd;
			rc = CUSTOS_OK;
		}
		goto out;
	}
	if ((w = secmem_alloc(sizeof(*w))) == NULL) {
		rc = CUSTOS_ERR_NOMEM;
		goto out;
	}
	/* In each group: the one member off the others' polynomial. */
	for (gi = 0; gi < SLIP39_MAX_GROUPS; gi++) {
		unsigned t = 0;

		for (i = 0, c = 0; i < n; i++)
			if (shares[i].group_index == gi) {
				if (t != 0 && shares[i].member_threshold != t) {
					rc = CUSTOS_ERR_CORRUPT;
					goto out;
				}
				t = shares[i].member_threshold;
				xs[c] = shares[i].member_index;
				ys[c] = shares[i].value;
				map[c++] = i;
			}
		if (c == 0 || c < t)
			continue;	/* too few to check or rebuild */
		/* The same share twice: the second copy is the one to drop. */
		for (i = 0; i < c; i++)
			for (j = i + 1; j < c; j++)
				if (xs[i] == xs[j] && secmem_equal(ys[i], ys[j],
				    shares[0].value_len) == 0) {
					*pos = map[j];
					rc = CUSTOS_OK;
					goto out;
				}
		r = slip39_sss_odd_one_out(t, xs, ys, c, shares[0].value_len,
		    &bad);
		if (r == 1)
			*pos = map[bad];
		if (r != 0) {
			rc = r == 1 ? CUSTOS_OK : r;
			goto out;
		}
		rc = slip39_sss_recover(t, xs, ys, t, shares[0].value_len,
		    w->group[ng]);
		if (rc != CUSTOS_OK)
			goto out;
		gxs[ng] = (uint8_t)gi;
		gys[ng] = w->group[ng];
		gsize[ng] = c;
		gmap[ng++] = map[0];
	}
	/* Among whole groups: a group off the others; named if one share. */
	r = 0;
	if (ng >= shares[0].group_threshold)
		r = slip39_sss_odd_one_out(shares[0].group_threshold, gxs,
		    gys, ng, shares[0].value_len, &bad);
	if (r == 1 && gsize[bad] != 1)
		r = CUSTOS_ERR_CORRUPT;
	if (r == 1)
		*pos = gmap[bad];
	rc = r == 1 ? CUSTOS_OK : r == 0 ? CUSTOS_ERR_NOT_FOUND : r;
out:
	secmem_free(w);
	return rc;
}
