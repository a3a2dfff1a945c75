/*
 * plan.c - reads a ceremony plan (docs/formats/plan.md): plan_yaml.c
 * loads the YAML strictly, the values are copied here into a struct plan
 * (numbers, booleans and the KCV read from text, lists counted against the
 * plan's room) and plan_check() judges the plan as a whole. The plan's
 * strings stay in libcyaml's data, which the plan owns until plan_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "plan_int.h"

/* A plan and the libcyaml data its strings point into. */
struct plan_box {
	struct plan p;		/* first: plan_free() casts back */
	struct plan views[PLAN_MAX_DOMAINS];	/* p.domains[] */
	struct y_plan *y;
};

/* A decimal number of 1..3 digits without a leading zero (field: why). */
static int
get_num(const char *s, const char *field, unsigned *out, char *why,
    size_t whysz)
{
	size_t i, n = s == NULL ? 0 : strlen(s);

	*out = 0;
	if (s == NULL) {
		plan_why(why, whysz, "%s: missing", field);
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (n == 0 || n > 3 || i != n || (s[0] == '0' && n > 1)) {
		plan_why(why, whysz, "%s: '%.20s' is not a number", field, s);
		return CUSTOS_ERR_FORMAT;
	}
	*out = (unsigned)strtoul(s, NULL, 10);
	return 0;
}

/* A list's count against its limit (field and what for why). */
static int
get_count(unsigned n, unsigned max, const char *field, char *why,
    size_t whysz)
{
	if (n > max) {
		plan_why(why, whysz, "%s: %u entries, at most %u", field, n,
		    max);
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* One share: exactly one of holder and split (path names it in why). */
static int
get_share(const struct y_share *y, struct plan_share *s, const char *path,
    char *why, size_t whysz)
{
	char field[64];
	unsigned i;
	int r;

	if ((y->holder == NULL) == (y->split == NULL)) {
		plan_why(why, whysz, "%s: needs exactly one of holder and "
		    "split", path);
		return CUSTOS_ERR_FORMAT;
	}
	if ((s->holder = y->holder) != NULL)
		return 0;
	snprintf(field, sizeof(field), "%s.split.threshold", path);
	if ((r = get_num(y->split->threshold, field, &s->threshold, why,
	    whysz)) != 0)
		return r;
	snprintf(field, sizeof(field), "%s.split.group", path);
	if ((r = get_count(y->split->group_count, PLAN_MAX_GROUP, field, why,
	    whysz)) != 0)
		return r;
	if (y->split->group_count == 0) {
		plan_why(why, whysz, "%s: at least one is needed", field);
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < y->split->group_count; i++)
		s->group[i] = y->split->group[i];
	s->ngroup = y->split->group_count;
	return 0;
}

/* "0123 4567 89ab cdef" or "0123456789ABCDEF" to 16 upper-case digits. */
static int
get_kcv(const char *s, char out[17])
{
	size_t i, n = 0;
	char c;

	for (i = 0; s[i] != '\0'; i++) {
		c = s[i];
		if (c == ' ') {
			if (n == 0 || n % 4 != 0 || n == 16 || s[i - 1] == ' ')
				return -1;
			continue;
		}
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (n == 16 || !((c >= '0' && c <= '9') || (c >= 'A' &&
		    c <= 'F')))
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == 16 ? 0 : -1;
}

static int
get_required(const char *field, const void *v, char *why, size_t whysz)
{
	if (v == NULL) {
		plan_why(why, whysz, "%s: missing", field);
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* The header fields: version, kind, title, admin, rehearsal, paper,
   key_domains. */
static int
get_head(const struct y_plan *y, struct plan *p, char *why, size_t whysz)
{
	static const char *const kinds[] = { "new-dkek", "key-backup",
	    "restore", "reshare" };
	unsigned i, u;
	int r;

	if ((r = get_required("custos-plan", y->version, why, whysz)) != 0)
		return r;
	if (strcmp(y->version, "1") != 0) {
		plan_why(why, whysz, "custos-plan: version '%.20s'; this "
		    "custos reads version 1", y->version);
		return CUSTOS_ERR_FORMAT;
	}
	if ((r = get_required("kind", y->kind, why, whysz)) != 0)
		return r;
	for (i = 0; i < 4; i++)
		if (strcmp(y->kind, kinds[i]) == 0)
			p->kind = (enum plan_kind)(PLAN_NEW_DKEK + (int)i);
	if (p->kind == 0) {
		plan_why(why, whysz, "kind: '%.40s' is not new-dkek, "
		    "key-backup, restore or reshare", y->kind);
		return CUSTOS_ERR_FORMAT;
	}
	if ((r = get_required("title", y->title, why, whysz)) != 0 ||
	    (r = get_required("admin", y->admin, why, whysz)) != 0 ||
	    (y->domains == NULL && (r = get_required("dkek", y->top.dkek, why,
	    whysz)) != 0))
		return r;
	p->title = y->title;
	p->admin = y->admin;
	if (y->rehearsal != NULL && strcmp(y->rehearsal, "true") != 0 &&
	    strcmp(y->rehearsal, "false") != 0) {
		plan_why(why, whysz, "rehearsal: '%.20s' is not true or false",
		    y->rehearsal);
		return CUSTOS_ERR_FORMAT;
	}
	p->rehearsal = y->rehearsal != NULL && y->rehearsal[0] == 't';
	if (y->offline != NULL && strcmp(y->offline, "required") != 0 &&
	    strcmp(y->offline, "preferred") != 0) {
		plan_why(why, whysz, "offline: '%.20s' is not required or "
		    "preferred", y->offline);
		return CUSTOS_ERR_FORMAT;
	}
	p->offline_required = y->offline != NULL &&
	    strcmp(y->offline, "required") == 0;
	if (y->paper != NULL && paper_parse(y->paper, &p->paper) != 0) {
		plan_why(why, whysz, "paper: 'a4' or 'letter', not '%.20s'",
		    y->paper);
		return CUSTOS_ERR_FORMAT;
	}
	p->domain = -1;
	if (y->key_domains != NULL) {
		if ((r = get_num(y->key_domains, "key_domains", &u, why,
		    whysz)) != 0)
			return r;
		if (u < 1 || u > 16) {
			plan_why(why, whysz, "key_domains: %u, but a device "
			    "takes 1 to 16 key domain slots", u);
			return CUSTOS_ERR_FORMAT;
		}
		p->key_domains = (int)u;
	}
	return 0;
}

/* Copies one DKEK's fields into p: the plan's own, or one entry of its
   domains (pre names where for why: "" or "domains[2]."). */
static int
get_scope(const struct y_domain *y, struct plan *p, const char *pre,
    char *why, size_t whysz)
{
	char path[64];
	unsigned i, u;
	int r;

	if (y->expected_kcv != NULL && get_kcv(y->expected_kcv,
	    p->expected_kcv) != 0) {
		plan_why(why, whysz, "%sexpected_kcv: not 16 hex digits (in "
		    "groups of 4, with or without a space between)", pre);
		return CUSTOS_ERR_FORMAT;
	}
	p->share_dir = y->share_dir;
	p->backup = y->backup;
	p->domain = -1;
	if (y->domain != NULL) {
		snprintf(path, sizeof(path), "%sdomain", pre);
		if ((r = get_num(y->domain, path, &u, why, whysz)) != 0)
			return r;
		if (u > 15) {
			plan_why(why, whysz, "%s: %u, but a key domain is 0 "
			    "to 15", path, u);
			return CUSTOS_ERR_FORMAT;
		}
		p->domain = (int)u;
	}
	snprintf(path, sizeof(path), "%sdkek", pre);
	if ((r = get_required(path, y->dkek, why, whysz)) != 0)
		return r;
	snprintf(path, sizeof(path), "%sdkek.shares", pre);
	if ((r = get_count(y->dkek->shares_count, PLAN_MAX_SHARES, path, why,
	    whysz)) != 0)
		return r;
	snprintf(path, sizeof(path), "%skeys", pre);
	if ((r = get_count(y->keys_count, PLAN_MAX_KEYS, path, why,
	    whysz)) != 0)
		return r;
	for (i = 0; i < (p->nshares = y->dkek->shares_count); i++) {
		snprintf(path, sizeof(path), "%sdkek.shares[%u]", pre, i + 1);
		if ((r = get_share(&y->dkek->shares[i], &p->shares[i], path,
		    why, whysz)) != 0)
			return r;
	}
	for (i = 0; i < (p->nkeys = y->keys_count); i++) {
		p->keys[i].label = y->keys[i].label;
		p->keys[i].type = y->keys[i].type;
		snprintf(path, sizeof(path), "%skeys[%u].%s", pre, i + 1,
		    p->keys[i].label == NULL ? "label" : "type");
		if ((r = get_required(path, p->keys[i].label, why, whysz)) != 0 ||
		    (r = get_required(path, p->keys[i].type, why, whysz)) != 0)
			return r;
	}
	return 0;
}

/* A plan naming several key domains: their views (plan.h), each the
   plan with its domain's fields; the plan's own must not be given. */
static int
get_domains(const struct y_plan *y, struct plan *p, struct plan *views,
    char *why, size_t whysz)
{
	static const char *const own[] = { "dkek", "keys", "backup",
	    "share_dir", "expected_kcv", "domain" };
	const void *given[] = { y->top.dkek, y->top.keys, y->top.backup,
	    y->top.share_dir, y->top.expected_kcv, y->top.domain };
	char pre[24];
	unsigned i;
	int r;

	if ((r = get_count(y->domains_count, PLAN_MAX_DOMAINS, "domains",
	    why, whysz)) != 0)
		return r;
	if (y->domains_count == 0) {
		plan_why(why, whysz, "domains: at least one is needed");
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (given[i] != NULL) {
			plan_why(why, whysz, "%s: a plan with domains names it "
			    "in each domain, not at the top", own[i]);
			return CUSTOS_ERR_FORMAT;
		}
	for (i = 0; i < y->domains_count; i++) {
		const struct y_domain *yd = &y->domains[i];

		snprintf(pre, sizeof(pre), "domains[%u].", i + 1);
		if (yd->domain == NULL) {
			plan_why(why, whysz, "%sdomain: missing", pre);
			return CUSTOS_ERR_FORMAT;
		}
		/* the plan so far: its people, HSMs and devices; no domains
		   (p->ndomains is set after the loop) */
		views[i] = *p;
		memset(views[i].domains, 0, sizeof(views[i].domains));
		if ((r = get_scope(yd, &views[i], pre, why, whysz)) != 0)
			return r;
		p->domains[i] = &views[i];
	}
	p->ndomains = y->domains_count;
	return 0;
}

/* Copies what libcyaml loaded into p (lists counted against p's room);
   views gets the domains' (PLAN_MAX_DOMAINS). */
static int
plan_copy(const struct y_plan *y, struct plan *p, struct plan *views,
    char *why, size_t whysz)
{
	char path[32];
	unsigned i;
	int r;

	if ((r = get_head(y, p, why, whysz)) != 0 ||
	    (r = get_count(y->custodians_count, PLAN_MAX_PEOPLE, "custodians",
	    why, whysz)) != 0 ||
	    (r = get_count(y->witnesses_count, PLAN_MAX_PEOPLE, "witnesses",
	    why, whysz)) != 0 ||
	    (r = get_count(y->hsms_count, PLAN_MAX_HSMS, "hsms", why,
	    whysz)) != 0)
		return r;
	for (i = 0; i < (p->ncustodians = y->custodians_count); i++)
		p->custodians[i] = y->custodians[i];
	for (i = 0; i < (p->nwitnesses = y->witnesses_count); i++)
		p->witnesses[i] = y->witnesses[i];
	for (i = 0; i < (p->nhsms = y->hsms_count); i++) {
		p->hsms[i].name = y->hsms[i].name;
		p->hsms[i].serial = y->hsms[i].serial;
		snprintf(path, sizeof(path), "hsms[%u].%s", i + 1,
		    p->hsms[i].name == NULL ? "name" : "serial");
		if ((r = get_required(path, p->hsms[i].name, why, whysz)) != 0 ||
		    (r = get_required(path, p->hsms[i].serial, why, whysz)) != 0)
			return r;
	}
	if (y->pka != NULL) {
		if ((r = get_count(y->pka->devices_count, PLAN_MAX_PKA,
		    "pka.devices", why, whysz)) != 0 ||
		    (r = get_required("pka.required", y->pka->required, why,
		    whysz)) != 0 ||
		    (r = get_num(y->pka->required, "pka.required",
		    &p->pka_required, why, whysz)) != 0)
			return r;
		if (y->pka->replace != NULL && strcmp(y->pka->replace,
		    "true") != 0 && strcmp(y->pka->replace, "false") != 0) {
			plan_why(why, whysz, "pka.replace: '%.20s' is not true "
			    "or false", y->pka->replace);
			return CUSTOS_ERR_FORMAT;
		}
		p->pka_replace = y->pka->replace != NULL &&
		    y->pka->replace[0] == 't';
		for (i = 0; i < (p->npka = y->pka->devices_count); i++) {
			p->pka[i].name = y->pka->devices[i].holder;
			p->pka[i].serial = y->pka->devices[i].serial;
			snprintf(path, sizeof(path), "pka.devices[%u].%s", i + 1,
			    p->pka[i].name == NULL ? "holder" : "serial");
			if ((r = get_required(path, p->pka[i].name, why,
			    whysz)) != 0 || (r = get_required(path,
			    p->pka[i].serial, why, whysz)) != 0)
				return r;
		}
	}
	/* the views copy the people, HSMs and devices: those first */
	if (y->domains != NULL) {
		if (y->reshare != NULL) {
			plan_why(why, whysz, "reshare: a plan with domains "
			    "reshares nothing; one share at a time, in a plan of "
			    "its own");
			return CUSTOS_ERR_FORMAT;
		}
		return get_domains(y, p, views, why, whysz);
	}
	if ((r = get_scope(&y->top, p, "", why, whysz)) != 0)
		return r;
	if (y->reshare == NULL)
		return 0;
	if ((r = get_num(y->reshare->share, "reshare.share", &i, why,
	    whysz)) != 0 || (r = get_required("reshare.from", y->reshare->from,
	    why, whysz)) != 0)
		return r;
	if (i == 0) {
		plan_why(why, whysz, "reshare.share: shares count from 1");
		return CUSTOS_ERR_FORMAT;
	}
	p->reshare_index = i - 1;
	return get_share(y->reshare->from, &p->reshare_from, "reshare.from",
	    why, whysz);
}

/* Keeps why to one line of printable ASCII, whatever the input held. */
static void
why_clean(char *why, size_t whysz)
{
	size_t i;

	for (i = 0; i < whysz && why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20 ||
		    (unsigned char)why[i] >= 0x7f)
			why[i] = '?';
}

int
plan_parse(const char *buf, size_t len, struct plan **p, char *why,
    size_t whysz)
{
	struct plan_box *box = NULL;
	struct y_plan *y = NULL;
	unsigned char h[crypto_hash_sha256_BYTES];
	char dummy[8];
	unsigned i;
	int r = CUSTOS_ERR_FORMAT;

	if (why == NULL || whysz == 0) {
		why = dummy;
		whysz = sizeof(dummy);
	}
	why[0] = '\0';
	*p = NULL;
	if (len == 0) {
		plan_why(why, whysz, "empty input");
		goto out;
	}
	if (len > (size_t)PLAN_MAX_BYTES) {
		plan_why(why, whysz, "larger than %u bytes", PLAN_MAX_BYTES);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		plan_why(why, whysz, "a NUL byte: not a text file");
		goto out;
	}
	if ((r = plan_yaml_load(buf, len, &y, why, whysz)) != 0)
		goto out;
	if ((box = calloc(1, sizeof(*box))) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	box->y = y;
	y = NULL;
	if ((r = plan_copy(box->y, &box->p, box->views, why, whysz)) != 0 ||
	    (r = plan_check(&box->p, why, whysz)) != 0)
		goto out;
	crypto_hash_sha256(h, (const unsigned char *)buf, len);
	sodium_bin2hex(box->p.sha256, sizeof(box->p.sha256), h, sizeof(h));
	for (i = 0; i < box->p.ndomains; i++)
		memcpy(box->views[i].sha256, box->p.sha256,
		    sizeof(box->p.sha256));
	*p = &box->p;
	box = NULL;
	why[0] = '\0';
	r = 0;
 out:
	if (r != 0)
		why_clean(why, whysz);
	plan_yaml_free(y);
	plan_free(box == NULL ? NULL : &box->p);
	return r;
}

int
plan_load(const char *path, struct plan **p, char *why, size_t whysz)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char w[256];
	int r;

	*p = NULL;
	if ((r = atomicio_read(path, (size_t)PLAN_MAX_BYTES, 0, &buf, &len)) != 0) {
		plan_why(why, whysz, "%s: %s", path, custos_strerror(r));
		goto out;
	}
	if ((r = plan_parse((const char *)buf, len, p, w, sizeof(w))) != 0)
		plan_why(why, whysz, "%s: %s", path, w);
 out:
	atomicio_free_buf(buf, len, 0);
	return r;
}

void
plan_free(struct plan *p)
{
	struct plan_box *box = (struct plan_box *)p;

	if (box == NULL)
		return;
	plan_yaml_free(box->y);
	free(box);
}

const char *
plan_kind_name(enum plan_kind k)
{
	switch (k) {
	case PLAN_NEW_DKEK:
		return "new-dkek";
	case PLAN_KEY_BACKUP:
		return "key-backup";
	case PLAN_RESTORE:
		return "restore";
	case PLAN_RESHARE:
		return "reshare";
	}
	return "?";
}
