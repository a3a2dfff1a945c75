/*
 * sharefile_member.c - the comment of a SLIP-39 member share file
 * (sharefile_member.h).
 */
#include <stdio.h>
#include <string.h>

#include "dkek.h"
#include "sharefile_member.h"

void
sharefile_member_comment(char *out, size_t outsz,
    const struct slip39_share *s)
{
	snprintf(out, outsz, SHAREFILE_MEMBER_TAG ", not a DKEK share "
	    "(custos share combine): id=%u ext=%u e=%u group=%u/%u/%u "
	    "member=%u/%u", s->identifier, s->extendable, s->iter_exp,
	    s->group_index, s->group_threshold, s->group_count,
	    s->member_index, s->member_threshold);
}

int
sharefile_member_parse(const char *comment, struct slip39_share *s)
{
	unsigned id, ext, e, gi, gt, gc, mi, mt;
	const char *p;

	if (strncmp(comment, SHAREFILE_MEMBER_TAG,
	    strlen(SHAREFILE_MEMBER_TAG)) != 0 ||
	    (p = strstr(comment, ": id=")) == NULL ||
	    sscanf(p, ": id=%u ext=%u e=%u group=%u/%u/%u member=%u/%u", &id,
	    &ext, &e, &gi, &gt, &gc, &mi, &mt) != 8 || id > 32767 || ext > 1
	    || e > 15 || gi > 15 || gt < 1 || gt > 16 || gc > 16 || mi > 15 ||
	    mt < 1 || mt > 16)
		return CUSTOS_ERR_FORMAT;
	s->identifier = (uint16_t)id;
	s->extendable = (uint8_t)ext;
	s->iter_exp = (uint8_t)e;
	s->group_index = (uint8_t)gi;
	s->group_threshold = (uint8_t)gt;
	s->group_count = (uint8_t)gc;
	s->member_index = (uint8_t)mi;
	s->member_threshold = (uint8_t)mt;
	s->value_len = DKEK_SHARE_LEN;
	return 0;
}
