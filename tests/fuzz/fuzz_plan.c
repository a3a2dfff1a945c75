/*
 * fuzz_plan.c - libFuzzer target for the ceremony plan parser
 * (ceremony/plan.c): random bytes must be refused with a one-line why or
 * parsed into a plan whose counts fit its arrays, whose strings are all
 * there, and whose hash and KCV are well formed; a plan naming several
 * key domains holds one such DKEK in each, and none of its own.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ceremony/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One DKEK's shares and keys: the plan's own, or one domain's view. */
static void
check_dkek(const struct plan *p)
{
	unsigned i, j;

	if (p->nshares < 1 || p->nshares > PLAN_MAX_SHARES ||
	    p->nkeys > PLAN_MAX_KEYS ||
	    (p->expected_kcv[0] != '\0' && strlen(p->expected_kcv) != 16) ||
	    p->domain > 15)
		__builtin_trap();
	for (i = 0; i < p->nshares; i++) {
		const struct plan_share *s = &p->shares[i];

		if ((s->holder == NULL) == (s->ngroup == 0) ||
		    s->ngroup > PLAN_MAX_GROUP || s->threshold > s->ngroup)
			__builtin_trap();
		for (j = 0; j < s->ngroup; j++)
			if (strlen(s->group[j]) == 0)
				__builtin_trap();
	}
	for (i = 0; i < p->nkeys; i++)
		if (strlen(p->keys[i].label) == 0 || strlen(p->keys[i].type) == 0)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan *p = NULL;
	char why[256];
	unsigned i, j;

	if (plan_parse((const char *)data, size, &p, why, sizeof(why)) != 0) {
		if (p != NULL || why[0] == '\0' || strchr(why, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	if (p->ncustodians < 1 || p->ncustodians > PLAN_MAX_PEOPLE ||
	    p->nwitnesses > PLAN_MAX_PEOPLE || p->nhsms > PLAN_MAX_HSMS ||
	    p->ndomains > PLAN_MAX_DOMAINS || strlen(p->sha256) != 64 ||
	    strlen(p->title) == 0 || strlen(p->admin) == 0 ||
	    strcmp(plan_kind_name(p->kind), "?") == 0)
		__builtin_trap();
	if (p->ndomains == 0)
		check_dkek(p);
	else if (p->nshares != 0 || p->nkeys != 0 || p->domain != -1 ||
	    p->kind == PLAN_RESHARE)
		__builtin_trap();
	/* each domain a view of this plan: its own DKEK, number and hash */
	for (i = 0; i < p->ndomains; i++) {
		const struct plan *v = p->domains[i];

		check_dkek(v);
		if (v->ndomains != 0 || v->domain < 0 || v->nhsms != p->nhsms ||
		    strcmp(v->sha256, p->sha256) != 0 || (p->key_domains > 0 &&
		    v->domain >= p->key_domains))
			__builtin_trap();
		for (j = 0; j < i; j++)
			if (p->domains[j]->domain == v->domain)
				__builtin_trap();
	}
	for (i = 0; i < p->nhsms; i++)
		if (strlen(p->hsms[i].name) == 0 ||
		    strlen(p->hsms[i].serial) == 0)
			__builtin_trap();
	if (p->kind == PLAN_RESHARE && p->reshare_index >= p->nshares)
		__builtin_trap();
	plan_free(p);
	return 0;
}
