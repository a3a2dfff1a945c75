/*
 * plan_check.c - the rules a whole ceremony plan follows once its YAML has
 * been read (docs/formats/plan.md): names, people, shares, HSMs, keys and
 * what each kind of ceremony needs. Takes a struct plan, does no I/O.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan_int.h"

#define PLAN_TITLE_MAX 80	/* characters */
#define PLAN_LABEL_MAX 64	/* characters */
#define PLAN_SERIAL_MAX 16

void
plan_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A person: 1..32 bytes of [A-Za-z0-9._-], starting with a letter/digit. */
static int
is_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > PLAN_NAME_MAX || !is_alnum(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* An HSM's short name: 1..32 bytes of [a-z0-9-]. */
static int
is_hsm_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > PLAN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* A device serial: 1..16 bytes of [A-Z0-9]. */
static int
is_serial(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > PLAN_SERIAL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
			return 0;
	return 1;
}

/*
 * Printable UTF-8 (libyaml has checked the encoding) of 1..max characters:
 * no C0 or C1 control, DEL, line separator or bidirectional override, so
 * that what reviewers read is what custos shows on the day.
 */
static int
is_text(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, chars = 0;

	for (i = 0; u[i] != '\0'; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 0;
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return 0;
		if (u[i] == 0xe2 && u[i + 1] == 0x80 && ((u[i + 2] >= 0x8e &&
		    u[i + 2] <= 0x8f) || (u[i + 2] >= 0xa8 && u[i + 2] <= 0xae)))
			return 0;
		if (u[i] == 0xe2 && u[i + 1] == 0x81 && u[i + 2] >= 0xa6 &&
		    u[i + 2] <= 0xa9)
			return 0;
		if ((u[i] & 0xc0) != 0x80)
			chars++;
	}
	return chars >= 1 && chars <= max;
}

static const char *const curves[] = {
	"P-256", "P-384", "P-521", "prime256v1", "secp384r1", "secp521r1",
	"brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1", "secp256k1",
};

/* "rsa:2048|3072|4096" or "ec:CURVE", as hsm keygen takes them. */
static int
is_key_type(const char *s)
{
	size_t i;

	if (strcmp(s, "rsa:2048") == 0 || strcmp(s, "rsa:3072") == 0 ||
	    strcmp(s, "rsa:4096") == 0)
		return 1;
	if (strncmp(s, "ec:", 3) != 0)
		return 0;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(s + 3, curves[i]) == 0)
			return 1;
	return 0;
}

/* Index of s in v[0..n), or -1. */
static int
find(const char *const *v, unsigned n, const char *s)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (int)i;
	return -1;
}

/* A list of 0..n unique names (list is the field's name for why). */
static int
check_names(const char *const *v, unsigned n, const char *list, char *why,
    size_t whysz)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!is_name(v[i])) {
			plan_why(why, whysz, "%s[%u]: '%.40s' is not a name "
			    "([A-Za-z0-9._-], up to 32, from a letter or digit)",
			    list, i + 1, v[i]);
			return CUSTOS_ERR_FORMAT;
		}
		if (find(v, i, v[i]) >= 0) {
			plan_why(why, whysz, "%s: '%s' appears twice", list,
			    v[i]);
			return CUSTOS_ERR_FORMAT;
		}
	}
	return 0;
}

/* A share (at path, for why) whose people are custodians; marks them. */
static int
check_share(const struct plan *p, const struct plan_share *s,
    const char *path, unsigned char used[PLAN_MAX_PEOPLE], char *why,
    size_t whysz)
{
	char list[64];
	const char *who;
	unsigned i;
	int r, c;

	if (s->holder != NULL) {
		if ((c = find(p->custodians, p->ncustodians, s->holder)) < 0) {
			plan_why(why, whysz, "%s.holder: '%.40s' is not a "
			    "custodian", path, s->holder);
			return CUSTOS_ERR_FORMAT;
		}
		used[c] = 1;
		return 0;
	}
	snprintf(list, sizeof(list), "%s.split.group", path);
	if ((r = check_names(s->group, s->ngroup, list, why, whysz)) != 0)
		return r;
	for (i = 0; i < s->ngroup; i++) {
		who = s->group[i];
		if ((c = find(p->custodians, p->ncustodians, who)) < 0) {
			plan_why(why, whysz, "%s: '%s' is not a custodian",
			    list, who);
			return CUSTOS_ERR_FORMAT;
		}
		used[c] = 1;
	}
	if (s->ngroup == 0 || s->threshold < 1 ||
	    s->threshold > s->ngroup || (s->threshold == 1 && s->ngroup > 1)) {
		plan_why(why, whysz, "%s.split.threshold: %u of %u: needs 1 <= "
		    "M <= N, and M = 1 only when N = 1", path, s->threshold,
		    s->ngroup);
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* HSM names and serials well formed, names and serials unique. */
static int
check_hsms(const struct plan *p, char *why, size_t whysz)
{
	unsigned i, j;

	for (i = 0; i < p->nhsms; i++) {
		const struct plan_hsm *h = &p->hsms[i];

		if (!is_hsm_name(h->name)) {
			plan_why(why, whysz, "hsms[%u].name: '%.40s' is not "
			    "1..32 of [a-z0-9-]", i + 1, h->name);
			return CUSTOS_ERR_FORMAT;
		}
		if (!is_serial(h->serial)) {
			plan_why(why, whysz, "hsms[%u].serial: '%.40s' is not "
			    "1..16 of [A-Z0-9]", i + 1, h->serial);
			return CUSTOS_ERR_FORMAT;
		}
		for (j = 0; j < i; j++)
			if (strcmp(p->hsms[j].name, h->name) == 0 ||
			    strcmp(p->hsms[j].serial, h->serial) == 0) {
				plan_why(why, whysz, "hsms[%u].%s: the same as "
				    "hsms[%u]'s", i + 1, strcmp(p->hsms[j].name,
				    h->name) == 0 ? "name" : "serial", j + 1);
				return CUSTOS_ERR_FORMAT;
			}
	}
	return 0;
}

/* Public key authentication: 1 <= required <= devices, each held by a
   custodian, holders and serials unique and apart from the HSMs'; not
   in a reshare. Marks the holders as holding something. */
static int
check_pka(const struct plan *p, unsigned char *used, char *why,
    size_t whysz)
{
	unsigned i, j;
	int c;

	if (p->npka == 0) {
		if (p->pka_required > 0) {
			plan_why(why, whysz, "pka.devices: name the custodians' "
			    "personal devices");
			return CUSTOS_ERR_FORMAT;
		}
		return 0;
	}
	if (p->kind == PLAN_RESHARE) {
		plan_why(why, whysz, "pka: a reshare plan uses no HSM");
		return CUSTOS_ERR_FORMAT;
	}
	if (p->pka_required < 1 || p->pka_required > p->npka) {
		plan_why(why, whysz, "pka.required: %u, but it is 1 to the %u "
		    "devices named", p->pka_required, p->npka);
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < p->npka; i++) {
		const struct plan_hsm *d = &p->pka[i];

		if ((c = find(p->custodians, p->ncustodians, d->name)) < 0) {
			plan_why(why, whysz, "pka.devices[%u].holder: '%.40s' is "
			    "not one of the custodians", i + 1, d->name);
			return CUSTOS_ERR_FORMAT;
		}
		used[c] = 1;
		if (!is_serial(d->serial)) {
			plan_why(why, whysz, "pka.devices[%u].serial: '%.40s' is "
			    "not 1..16 of [A-Z0-9]", i + 1, d->serial);
			return CUSTOS_ERR_FORMAT;
		}
		for (j = 0; j < i; j++)
			if (strcmp(p->pka[j].name, d->name) == 0 ||
			    strcmp(p->pka[j].serial, d->serial) == 0) {
				plan_why(why, whysz, "pka.devices[%u].%s: the same "
				    "as pka.devices[%u]'s: each custodian has "
				    "their own device", i + 1, strcmp(p->pka[j].name,
				    d->name) == 0 ? "holder" : "serial", j + 1);
				return CUSTOS_ERR_FORMAT;
			}
		for (j = 0; j < p->nhsms; j++)
			if (strcmp(p->hsms[j].serial, d->serial) == 0) {
				plan_why(why, whysz, "pka.devices[%u].serial: it is "
				    "HSM %s's; a personal device is another one",
				    i + 1, p->hsms[j].name);
				return CUSTOS_ERR_FORMAT;
			}
	}
	return 0;
}

/* Key labels printable and unique, types ones hsm keygen makes (pre:
   "" or "domains[2]." for why). */
static int
check_keys(const struct plan *p, const char *pre, char *why, size_t whysz)
{
	unsigned i, j;

	for (i = 0; i < p->nkeys; i++) {
		const struct plan_key *k = &p->keys[i];

		if (!is_text(k->label, PLAN_LABEL_MAX)) {
			plan_why(why, whysz, "%skeys[%u].label: not 1..64 "
			    "printable characters", pre, i + 1);
			return CUSTOS_ERR_FORMAT;
		}
		if (!is_key_type(k->type)) {
			plan_why(why, whysz, "%skeys[%u].type: '%.40s' is not "
			    "rsa:2048|3072|4096 or ec:CURVE (see plan.md)",
			    pre, i + 1, k->type);
			return CUSTOS_ERR_FORMAT;
		}
		for (j = 0; j < i; j++)
			if (strcmp(p->keys[j].label, k->label) == 0) {
				plan_why(why, whysz, "%skeys[%u].label: the "
				    "label of keys[%u] again", pre, i + 1, j + 1);
				return CUSTOS_ERR_FORMAT;
			}
	}
	return 0;
}

/* What a kind needs (need) and cannot use (refuse). */
struct kind_rule {
	enum plan_kind kind;
	int hsms;	/* 1: at least one, 2: exactly one, -1: none */
	int keys;	/* 1: at least one, 0: optional, -1: none */
	int backup, share_dir, kcv, reshare;	/* 1 need, 0 may, -1 none */
};

static const struct kind_rule rules[] = {
	{ PLAN_NEW_DKEK,   1,  0,  0, -1, -1, -1 },
	{ PLAN_KEY_BACKUP, 2,  1,  1, -1,  0, -1 },
	{ PLAN_RESTORE,    1, -1,  1,  1,  1, -1 },
	{ PLAN_RESHARE,   -1, -1, -1,  1, -1,  1 },
};

/* One optional field (pre: where) against its rule (1 need, -1 none). */
static int
check_need(const struct plan *p, const char *pre, const char *field,
    int present, int rule, char *why, size_t whysz)
{
	if (rule == 1 && !present) {
		plan_why(why, whysz, "%s%s: a %s plan needs it", pre, field,
		    plan_kind_name(p->kind));
		return CUSTOS_ERR_FORMAT;
	}
	if (rule == -1 && present) {
		plan_why(why, whysz, "%s%s: a %s plan has no use for it", pre,
		    field, plan_kind_name(p->kind));
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* What the kind needs of one DKEK (pre: "" or "domains[2]."). */
static int
check_kind(const struct plan *p, const char *pre, char *why, size_t whysz)
{
	const struct kind_rule *k = NULL;
	size_t i;
	int r;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].kind == p->kind)
			k = &rules[i];
	if (k == NULL) {
		plan_why(why, whysz, "kind: unknown");
		return CUSTOS_ERR_FORMAT;
	}
	if (k->hsms == 2 && p->nhsms != 1) {
		plan_why(why, whysz, "hsms: a %s plan names exactly one HSM, "
		    "the one holding the keys", plan_kind_name(p->kind));
		return CUSTOS_ERR_FORMAT;
	}
	if ((r = check_need(p, "", "hsms", p->nhsms > 0, k->hsms == 2 ? 1 :
	    k->hsms, why, whysz)) != 0 ||
	    (r = check_need(p, pre, "keys", p->nkeys > 0, k->keys, why,
	    whysz)) != 0 ||
	    (r = check_need(p, pre, "backup", p->backup != NULL, k->backup,
	    why, whysz)) != 0 ||
	    (r = check_need(p, pre, "share_dir", p->share_dir != NULL,
	    k->share_dir, why, whysz)) != 0 ||
	    (r = check_need(p, pre, "expected_kcv", p->expected_kcv[0] !=
	    '\0', k->kcv, why, whysz)) != 0 ||
	    (r = check_need(p, "", "reshare", p->reshare_from.holder != NULL ||
	    p->reshare_from.ngroup > 0, k->reshare, why, whysz)) != 0)
		return r;
	if (p->domain >= 0 && p->kind == PLAN_RESHARE) {
		plan_why(why, whysz, "domain: a reshare plan touches no HSM");
		return CUSTOS_ERR_FORMAT;
	}
	if (p->key_domains > 0 && (p->kind == PLAN_RESHARE ||
	    p->kind == PLAN_KEY_BACKUP)) {
		plan_why(why, whysz, "key_domains: a %s plan initializes no "
		    "HSM", plan_kind_name(p->kind));
		return CUSTOS_ERR_FORMAT;
	}
	if (p->key_domains > 0 && p->domain < 0) {
		plan_why(why, whysz, "key_domains: name the domain of the "
		    "ceremony's DKEK (domain: N)");
		return CUSTOS_ERR_FORMAT;
	}
	if (p->key_domains > 0 && p->domain >= p->key_domains) {
		plan_why(why, whysz, "%sdomain: %d, but key_domains sets up "
		    "slots 0 to %d", pre, p->domain, p->key_domains - 1);
		return CUSTOS_ERR_FORMAT;
	}
	if (p->kind == PLAN_NEW_DKEK && p->nkeys > 0 && p->backup == NULL) {
		plan_why(why, whysz, "%sbackup: keys made in a new-dkek plan "
		    "must be backed up; name the backup directory", pre);
		return CUSTOS_ERR_FORMAT;
	}
	if (p->kind == PLAN_RESHARE && p->reshare_index >= p->nshares) {
		plan_why(why, whysz, "reshare.share: %u, but dkek.shares has "
		    "%u entries", p->reshare_index + 1, p->nshares);
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* A path: 1..PATH_MAX-1 bytes of printable text. */
static int
check_path(const char *field, const char *s, char *why, size_t whysz)
{
	const char *c;
	size_t n;

	if (s != NULL && (strlen(s) >= PATH_MAX || !is_text(s, PATH_MAX))) {
		plan_why(why, whysz, "%s: not a printable path", field);
		return CUSTOS_ERR_FORMAT;
	}
	if (s == NULL)
		return 0;
	/* Issue 14: every path stays inside the plan's own tree. */
	if (s[0] == '/' || s[0] == '~') {
		plan_why(why, whysz, "%s: '%.60s' is absolute; give a path "
		    "inside the ceremony's directory", field, s);
		return CUSTOS_ERR_FORMAT;
	}
	for (c = s; *c != '\0'; c += n + (c[n] == '/')) {
		n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			plan_why(why, whysz, "%s: '%.60s' leaves the ceremony's "
			    "directory (..); give a path inside it", field, s);
			return CUSTOS_ERR_FORMAT;
		}
	}
	return 0;
}

static int
check_people(const struct plan *p, char *why, size_t whysz)
{
	int r;

	if (!is_text(p->title, PLAN_TITLE_MAX)) {
		plan_why(why, whysz, "title: not 1..80 printable characters");
		return CUSTOS_ERR_FORMAT;
	}
	if (!is_name(p->admin)) {
		plan_why(why, whysz, "admin: '%.40s' is not a name "
		    "([A-Za-z0-9._-], up to 32, from a letter or digit)",
		    p->admin);
		return CUSTOS_ERR_FORMAT;
	}
	if (p->ncustodians == 0) {
		plan_why(why, whysz, "custodians: at least one is needed");
		return CUSTOS_ERR_FORMAT;
	}
	if ((r = check_names(p->custodians, p->ncustodians, "custodians", why,
	    whysz)) != 0 || (r = check_names(p->witnesses, p->nwitnesses,
	    "witnesses", why, whysz)) != 0)
		return r;
	if (find(p->witnesses, p->nwitnesses, p->admin) >= 0) {
		plan_why(why, whysz, "witnesses: '%s' is the admin; a witness "
		    "is someone else", p->admin);
		return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

/* One DKEK's shares (pre: "" or "domains[2]."), marking who holds one. */
static int
check_shares(const struct plan *p, const char *pre,
    unsigned char used[PLAN_MAX_PEOPLE], char *why, size_t whysz)
{
	char path[64];
	unsigned i;
	int r;

	if (p->nshares == 0) {
		plan_why(why, whysz, "%sdkek.shares: at least one is needed",
		    pre);
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < p->nshares; i++) {
		snprintf(path, sizeof(path), "%sdkek.shares[%u]", pre, i + 1);
		if ((r = check_share(p, &p->shares[i], path, used, why,
		    whysz)) != 0)
			return r;
	}
	return 0;
}

/* One DKEK's keys, paths and what the kind needs of it. */
static int
check_scope(const struct plan *p, const char *pre, char *why, size_t whysz)
{
	char field[48];
	int r;

	if ((r = check_keys(p, pre, why, whysz)) != 0)
		return r;
	snprintf(field, sizeof(field), "%sbackup", pre);
	if ((r = check_path(field, p->backup, why, whysz)) != 0)
		return r;
	snprintf(field, sizeof(field), "%sshare_dir", pre);
	if ((r = check_path(field, p->share_dir, why, whysz)) != 0)
		return r;
	return check_kind(p, pre, why, whysz);
}

/* Path s with empty and "." segments dropped ("./a//b/" is "a/b"); the
   checked paths hold no "..". */
static void
path_norm(const char *s, char *out, size_t sz)
{
	size_t n, o = 0;

	out[0] = '\0';
	for (; *s != '\0'; s += n + (s[n] == '/')) {
		n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (o + n + 2 > sz)
			return;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
		out[o] = '\0';
	}
}

/* Whether paths a and b (both may be NULL) name one directory, or one
   lies inside the other: two domains' files would mix. */
static int
paths_meet(const char *a, const char *b)
{
	char na[PATH_MAX], nb[PATH_MAX];
	size_t la, lb, m;

	if (a == NULL || b == NULL)
		return 0;
	path_norm(a, na, sizeof(na));
	path_norm(b, nb, sizeof(nb));
	la = strlen(na);
	lb = strlen(nb);
	m = la < lb ? la : lb;
	if (la == 0 || lb == 0)		/* "." : the plan's own directory */
		return 1;
	return strncmp(na, nb, m) == 0 && (la == lb ||
	    (la > lb ? na[m] : nb[m]) == '/');
}

/* Two domains of one plan: each its own number, backup set, share
   directory and key labels (the keys share one device). */
static int
check_apart(const struct plan *a, const struct plan *b, unsigned ia,
    unsigned ib, char *why, size_t whysz)
{
	unsigned i, j;

	if (a->domain == b->domain) {
		plan_why(why, whysz, "domains[%u].domain: %d again (domains[%u]"
		    "); each domain of a plan is another one", ib + 1,
		    b->domain, ia + 1);
		return CUSTOS_ERR_FORMAT;
	}
	if (paths_meet(a->backup, b->backup)) {
		plan_why(why, whysz, "domains[%u].backup: domains[%u]'s again "
		    "(or inside it); each domain's keys go to their own set",
		    ib + 1, ia + 1);
		return CUSTOS_ERR_FORMAT;
	}
	if (paths_meet(a->share_dir, b->share_dir)) {
		plan_why(why, whysz, "domains[%u].share_dir: domains[%u]'s "
		    "again (or inside it); each domain's share files are apart",
		    ib + 1, ia + 1);
		return CUSTOS_ERR_FORMAT;
	}
	for (i = 0; i < b->nkeys; i++)
		for (j = 0; j < a->nkeys; j++)
			if (strcmp(a->keys[j].label, b->keys[i].label) == 0) {
				plan_why(why, whysz, "domains[%u].keys[%u].label: "
				    "the label of domains[%u].keys[%u]; keys on "
				    "one device have labels of their own", ib + 1,
				    i + 1, ia + 1, j + 1);
				return CUSTOS_ERR_FORMAT;
			}
	return 0;
}

/* A plan naming several key domains: each checked as one DKEK, then
   against the others. */
static int
check_domains(const struct plan *p, unsigned char used[PLAN_MAX_PEOPLE],
    char *why, size_t whysz)
{
	char pre[24];
	unsigned i, j;
	int r;

	for (i = 0; i < p->ndomains; i++) {
		snprintf(pre, sizeof(pre), "domains[%u].", i + 1);
		if ((r = check_shares(p->domains[i], pre, used, why,
		    whysz)) != 0 ||
		    (r = check_scope(p->domains[i], pre, why, whysz)) != 0)
			return r;
		for (j = 0; j < i; j++)
			if ((r = check_apart(p->domains[j], p->domains[i], j, i,
			    why, whysz)) != 0)
				return r;
	}
	return 0;
}

int
plan_check(const struct plan *p, char *why, size_t whysz)
{
	unsigned char used[PLAN_MAX_PEOPLE];
	unsigned i;
	int r;

	memset(used, 0, sizeof(used));
	if ((r = check_people(p, why, whysz)) != 0)
		goto out;
	if (p->ndomains > 0) {
		if ((r = check_hsms(p, why, whysz)) != 0 ||
		    (r = check_domains(p, used, why, whysz)) != 0 ||
		    (r = check_pka(p, used, why, whysz)) != 0)
			goto out;
	} else {
		if ((r = check_shares(p, "", used, why, whysz)) != 0)
			goto out;
		if (p->kind == PLAN_RESHARE && (p->reshare_from.holder != NULL ||
		    p->reshare_from.ngroup > 0) && (r = check_share(p,
		    &p->reshare_from, "reshare.from", used, why, whysz)) != 0)
			goto out;
		if ((r = check_hsms(p, why, whysz)) != 0 ||
		    (r = check_scope(p, "", why, whysz)) != 0 ||
		    (r = check_pka(p, used, why, whysz)) != 0)
			goto out;
	}
	for (i = 0; i < p->ncustodians; i++)
		if (!used[i]) {
			plan_why(why, whysz, "custodians: '%s' holds no share",
			    p->custodians[i]);
			r = CUSTOS_ERR_FORMAT;
			goto out;
		}
	r = 0;
 out:
	return r;
}
