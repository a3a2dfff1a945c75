/*
 * op_combine_in.c - reading M-of-N shares for op_combine(): SLIP-39
 * mnemonics and sc-hsm-tool's printed password shares, typed one at a
 * time at a terminal (each checked as it comes, a bad one asked again),
 * or read line by line from an input or a file; and SLIP-39 member share
 * files opened with their holders' passphrases.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "../shamir/pwshare_text.h"
#include "../shamir/slip39.h"
#include "op_combine_int.h"
#include "op_int.h"
#include "sharefile.h"
#include "sharefile_member.h"

/* Decodes a mnemonic; on error names share k's bad word. */
static int
decode_one(struct op_ctx *cx, size_t k, const char *line,
    struct slip39_share *s)
{
	char bad[SLIP39_BAD_WORD_MAX];
	size_t pos = 0;
	int r;

	if ((r = slip39_mnemonic_decode(line, s, bad, sizeof(bad), &pos)) ==
	    CUSTOS_OK)
		return CUSTOS_OK;
	if (pos > 0)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "share %zu, word %zu '%s': "
		    "%s", k, pos, bad, r == CUSTOS_ERR_CORRUPT ? "the checksum "
		    "fails; this word is probably wrong" : "not a SLIP-39 word");
	return op_fail(cx, CUSTOS_ERR_FORMAT, "share %zu is not a valid "
	    "SLIP-39 mnemonic (%s)", k, r == CUSTOS_ERR_CORRUPT ? "its checksum "
	    "fails" : "wrong number of words or bad padding");
}

/* Appends one line (len bytes) to in->text. */
static int
add_line(struct op_ctx *cx, struct shares_in *in, const char *line,
    size_t len)
{
	int nul = memchr(line, '\0', len) != NULL;

	if (nul || in->textlen + len + 2 > sizeof(in->text))
		return op_fail(cx, CUSTOS_ERR_FORMAT, "the shares input is %s",
		    nul ? "not text" : "too large");
	memcpy(in->text + in->textlen, line, len);
	in->textlen += len;
	in->text[in->textlen++] = '\n';
	in->text[in->textlen] = '\0';
	return CUSTOS_OK;
}

int
op_in_read_all(struct op_ctx *cx, struct shares_in *in)
{
	char *line = NULL;
	size_t len = 0;
	int r;

	while ((r = cx->io->secret(cx->io->arg, OP_SECRET_SHARES, "", "Shares",
	    "", &line, &len)) == CUSTOS_OK) {
		r = add_line(cx, in, line, len);
		secmem_free(line);
		line = NULL;
		if (r != CUSTOS_OK)
			return r;
	}
	if (r != CUSTOS_ERR_TRUNCATED)
		return op_fail(cx, r, "%s", custos_strerror(r));
	return CUSTOS_OK;
}

int
op_in_read_file(struct op_ctx *cx, const char *path, struct shares_in *in)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = atomicio_read(path, sizeof(in->text) - 2, 1, &buf, &len)) !=
	    CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	if (memchr(buf, '\0', len) != NULL)
		r = op_fail(cx, CUSTOS_ERR_FORMAT, "the shares input is not "
		    "text");
	else {
		memcpy(in->text, buf, len);
		in->textlen = len;
		if (len > 0 && in->text[len - 1] != '\n')
			in->text[in->textlen++] = '\n';
		in->text[in->textlen] = '\0';
	}
	atomicio_free_buf(buf, len, 1);
	return r;
}

int
op_in_looks_legacy(const char *t)
{
	for (; *t != '\0'; t++)
		if (strncasecmp(t, "share value", 11) == 0 ||
		    strncasecmp(t, "share id", 8) == 0)
			return 1;
	return 0;
}

int
op_in_mnemonics_text(struct op_ctx *cx, struct shares_in *in)
{
	char *p = in->text, *next;
	size_t l;
	int r;

	while (*p != '\0') {
		l = strcspn(p, "\n");
		next = p[l] == '\0' ? p + l : p + l + 1;
		p[l] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			if (in->n == SLIP39_MAX_SHARES)
				return op_fail(cx, CUSTOS_ERR_FORMAT, "too many "
				    "shares");
			if ((r = decode_one(cx, in->n + 1, p, &in->s39[in->n]))
			    != CUSTOS_OK)
				return r;
			in->n++;
		}
		p = next;
	}
	return CUSTOS_OK;
}

int
op_in_mnemonics_tty(struct op_ctx *cx, struct shares_in *in)
{
	char what[96], *line = NULL;
	size_t len, need = 0;
	int r, tries = 0;

	while (need == 0 || in->n < need) {
		if (need)
			snprintf(what, sizeof(what), "Share %zu of %zu (words, "
			    "not shown)", in->n + 1, need);
		else
			snprintf(what, sizeof(what), "Share 1 (words, not "
			    "shown)");
		if ((r = cx->io->secret(cx->io->arg, OP_SECRET_SHARES, "", what,
		    "", &line, &len)) != CUSTOS_OK)
			return op_fail(cx, r, "%s", custos_strerror(r));
		r = decode_one(cx, in->n + 1, line, &in->s39[in->n]);
		secmem_free(line);
		line = NULL;
		if (r != CUSTOS_OK) {
			if (++tries >= 3)
				return r;
			op_warn(cx, "%s", op_why(cx));
			continue;	/* type that share again */
		}
		tries = 0;
		need = in->s39[0].member_threshold;
		in->n++;
	}
	return CUSTOS_OK;
}

int
op_in_legacy_parse(struct op_ctx *cx, struct shares_in *in)
{
	const char *why = NULL;
	size_t line = 0, i;
	int r;

	if ((r = pwshare_parse(in->text, in->textlen, in->pw, PWSHARE_MAX,
	    &in->n, &line)) != CUSTOS_OK) {
		if (line == 0)
			return op_fail(cx, CUSTOS_ERR_FORMAT, "no sc-hsm-tool "
			    "share in the input");
		return op_fail(cx, CUSTOS_ERR_FORMAT, "shares input line %zu: "
		    "%s", line, r == CUSTOS_ERR_TRUNCATED ? "a share ID without "
		    "its value" : r == CUSTOS_ERR_LIMIT ? "share ID 0 or above "
		    "255 (IDs are decimal)" : custos_strerror(r));
	}
	for (i = 0; i < in->n; i++)
		if ((r = pwshare_check_one(&in->pw[i], 1, &why)) != CUSTOS_OK)
			return op_fail(cx, r, "share %zu (ID %u): %s", i + 1,
			    in->pw[i].id, why != NULL ? why : custos_strerror(r));
	return CUSTOS_OK;
}

/* Asks one line at the terminal into l (guarded). */
static int
ask(struct op_ctx *cx, const char *what, char **l, size_t *len)
{
	int r = cx->io->secret(cx->io->arg, OP_SECRET_SHARES, "", what, "", l,
	    len);

	return r == CUSTOS_OK ? r : op_fail(cx, r, "%s", custos_strerror(r));
}

int
op_in_legacy_tty(struct op_ctx *cx, unsigned threshold, struct shares_in *in)
{
	char *l = NULL, *v = NULL, what[96];
	size_t ll, vl, k, before;
	unsigned int id;
	int r, tries = 0;

	if ((r = ask(cx, "Prime (from any share sheet)", &l, &ll)) != 0)
		return r;
	in->textlen = (size_t)snprintf(in->text, sizeof(in->text),
	    "Prime : %s\n", l);
	secmem_free(l);
	for (k = 0; threshold == 0 || k < threshold; k++) {
		snprintf(what, sizeof(what), "Share %zu ID (empty: no more)",
		    k + 1);
		if ((r = ask(cx, what, &l, &ll)) != CUSTOS_OK)
			return r;
		if (ll == 0) {
			secmem_free(l);
			break;
		}
		if (pwshare_parse_id(l, ll, &id) != CUSTOS_OK) {
			/* Checked as typed: IDs are decimal, 1-255. */
			secmem_free(l);
			r = op_fail(cx, CUSTOS_ERR_FORMAT, "share ID 0 or above "
			    "255, or not decimal");
			if (++tries >= 3)
				return r;
			op_warn(cx, "%s", op_why(cx));
			k--;
			continue;
		}
		snprintf(what, sizeof(what), "Share %zu value (not shown)",
		    k + 1);
		if ((r = ask(cx, what, &v, &vl)) != CUSTOS_OK) {
			secmem_free(l);
			return r;
		}
		if (in->textlen + ll + vl + 40 < sizeof(in->text)) {
			before = in->textlen;
			in->textlen += (size_t)snprintf(in->text + in->textlen,
			    sizeof(in->text) - in->textlen, "Share ID : %s\n"
			    "Share value : %s\n", l, v);
			/* Checked as typed; a bad one is asked again. */
			if ((r = op_in_legacy_parse(cx, in)) != CUSTOS_OK) {
				secmem_wipe(in->text + before,
				    in->textlen - before);
				in->textlen = before;
				k--;
				if (++tries >= 3) {
					secmem_free(l);
					secmem_free(v);
					return r;
				}
				op_warn(cx, "%s", op_why(cx));
			} else {
				tries = 0;
			}
		}
		secmem_free(l);
		secmem_free(v);
	}
	return CUSTOS_OK;
}

int
op_in_member_file(struct op_ctx *cx, const char *path, struct slip39_share *s,
    char *who, size_t whosz)
{
	struct sharefile_info info;
	char *pw = NULL, what[4200], rel[4096];
	size_t pwlen = 0;
	int r;

	if ((r = sharefile_inspect(path, &info)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	snprintf(who, whosz, "%s", info.format == SHAREFILE_V1 ?
	    info.v1.label : op_actor(cx, "operator"));
	snprintf(what, sizeof(what), "Passphrase for %s%s%s", path,
	    info.format == SHAREFILE_V1 ? " of " : "",
	    info.format == SHAREFILE_V1 ? info.v1.label : "");
	if ((r = op_secret(cx, OP_SECRET_OLD, who, what, "", &pw, &pwlen)) !=
	    CUSTOS_OK) {
		if (r == CUSTOS_ERR_TRUNCATED)
			return op_fail(cx, r, "%s: the passphrase input has no "
			    "line left for it", path);
		return r;
	}
	r = sharefile_open(path, s->value, (unsigned char *)pw, pwlen,
	    PBE_ITERATIONS, &info);
	secmem_free(pw);
	if (r == CUSTOS_ERR_BAD_PASSPHRASE) {
		op_relpath(cx, path, rel, sizeof(rel));
		op_refused(cx, who, json_pack("{s:s, s:s, s:s}", "what",
		    "passphrase", "reason", custos_strerror(r), "file", rel));
	}
	if (r != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	if (info.format != SHAREFILE_V1 ||
	    sharefile_member_parse(info.v1.comment, s) != 0)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: not a SLIP-39 member "
		    "share file (custos share split --share-files)", path);
	return CUSTOS_OK;
}
