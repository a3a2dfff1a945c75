/*
 * sharefile_member.h - a SLIP-39 member share kept in a custos v1 share
 * file (custos share split --share-files, and the split shares of a
 * planned ceremony): the file's 32 bytes are the member's share value,
 * its comment carries the split's public parameters. One writer and one
 * reader of that comment, for the CLI and the walk alike.
 */
#ifndef CUSTOS_SHAREFILE_MEMBER_H
#define CUSTOS_SHAREFILE_MEMBER_H

#include <stddef.h>

#include "../common/err.h"
#include "../shamir/slip39.h"

/* How a member file's comment starts. */
#define SHAREFILE_MEMBER_TAG "SLIP-39 member share"

/*
 * Writes the comment of s's member file into out (V1_COMMENT_MAX + 1
 * bytes is enough): the tag, then "id=.. ext=.. e=.. group=G/T/C
 * member=M/T".
 */
void sharefile_member_comment(char *out, size_t outsz,
    const struct slip39_share *s);

/*
 * Parses a member file's comment into s's public fields (value_len is set
 * to 32; value is untouched). No I/O. Returns 0, or CUSTOS_ERR_FORMAT
 * when it is not a member file's comment or a field is out of range.
 */
int sharefile_member_parse(const char *comment, struct slip39_share *s)
    CUSTOS_WUR;

#endif
