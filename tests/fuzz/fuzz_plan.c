/*
 * fuzz_plan.c - libFuzzer target for the ceremony plan parser
 * (ceremony/plan.c): random bytes must be refused with a one-line why or
 * parsed into a plan whose counts fit its arrays, whose strings are all
 * there, and whose hash and KCV are well formed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ceremony/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	    p->nwitnesses > PLAN_MAX_PEOPLE || p->nshares < 1 ||
	    p->nshares > PLAN_MAX_SHARES || p->nhsms > PLAN_MAX_HSMS ||
	    p->nkeys > PLAN_MAX_KEYS || strlen(p->sha256) != 64 ||
	    (p->expected_kcv[0] != '\0' && strlen(p->expected_kcv) != 16) ||
	    strlen(p->title) == 0 || strlen(p->admin) == 0 ||
	    strcmp(plan_kind_name(p->kind), "?") == 0)
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
	for (i = 0; i < p->nhsms; i++)
		if (strlen(p->hsms[i].name) == 0 ||
		    strlen(p->hsms[i].serial) == 0)
			__builtin_trap();
	for (i = 0; i < p->nkeys; i++)
		if (strlen(p->keys[i].label) == 0 || strlen(p->keys[i].type) == 0)
			__builtin_trap();
	if (p->kind == PLAN_RESHARE && p->reshare_index >= p->nshares)
		__builtin_trap();
	plan_free(p);
	return 0;
}
