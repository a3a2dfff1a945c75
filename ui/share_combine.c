/*
 * share_combine.c - reading and combining M-of-N shares for custos share
 * combine and share reshare: SLIP-39 mnemonics, custos v1 member share
 * files, or sc-hsm-tool's printed password shares with their .pbe file.
 * Every share is checked as it comes (a bad word is named), then all of
 * them together, then the result (SLIP-39 digest, .pbe padding).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../ceremony/ceremony.h"
#include "../ceremony/sharefile.h"
#include "../ceremony/sharefile_member.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../shamir/pwshare_text.h"
#include "../shamir/slip39.h"
#include "cli.h"
#include "cmds.h"
#include "share_split.h"

#define PBE_TRIES_MAX 6		/* candidate passwords tried on the file */

/* All shares read so far, in guarded memory. */
struct shares_in {
	struct slip39_share s39[SLIP39_MAX_SHARES];
	struct pwshare pw[PWSHARE_MAX];
	size_t n;
	char text[PWSHARE_TEXT_MAX];	/* legacy text as read */
	size_t textlen;
};

void
split_result_free(struct split_result *res)
{
	secmem_free(res->share);
	res->share = NULL;
}

/* Decodes a mnemonic; on error prints share k's bad word, returns exit. */
static int
decode_one(const char *ctx, size_t k, const char *line,
    struct slip39_share *s)
{
	char bad[SLIP39_BAD_WORD_MAX];
	size_t pos = 0;
	int r;

	if ((r = slip39_mnemonic_decode(line, s, bad, sizeof(bad), &pos)) ==
	    CUSTOS_OK)
		return EXIT_OK_;
	if (pos > 0)
		fprintf(stderr, "custos: %s: share %zu, word %zu '%s': %s\n",
		    ctx, k, pos, bad, r == CUSTOS_ERR_CORRUPT ? "the checksum "
		    "fails; this word is probably wrong" : "not a SLIP-39 "
		    "word");
	else
		fprintf(stderr, "custos: %s: share %zu is not a valid SLIP-39 "
		    "mnemonic (%s)\n", ctx, k, r == CUSTOS_ERR_CORRUPT ?
		    "its checksum fails" : "wrong number of words or bad "
		    "padding");
	return EXIT_BADINPUT;
}

/* Reads every line of the --shares-* source into in->text. */
static int
read_source(const char *ctx, struct prompt_src *src, struct shares_in *in)
{
	char *line = NULL;
	size_t len = 0;
	int r;

	while ((r = prompt_secret(src, "", 0, &line, &len)) == CUSTOS_OK) {
		int nul = memchr(line, '\0', len) != NULL;

		if (nul || in->textlen + len + 2 > sizeof(in->text)) {
			secmem_free(line);
			fprintf(stderr, "custos: %s: the shares input is %s\n",
			    ctx, nul ? "not text" : "too large");
			return EXIT_BADINPUT;
		}
		memcpy(in->text + in->textlen, line, len);
		in->textlen += len;
		in->text[in->textlen++] = '\n';
		in->text[in->textlen] = '\0';
		secmem_free(line);
		line = NULL;
	}
	if (r != CUSTOS_ERR_TRUNCATED)
		return cli_fail(ctx, r);
	return EXIT_OK_;
}

static int
looks_legacy(const char *t)
{
	for (; *t != '\0'; t++)
		if (strncasecmp(t, "share value", 11) == 0 ||
		    strncasecmp(t, "share id", 8) == 0)
			return 1;
	return 0;
}

/* The mnemonics of in->text, one per line ('#' and blank lines skipped). */
static int
mnemonics_from_text(const char *ctx, struct shares_in *in)
{
	char *p = in->text, *next;
	size_t l;
	int ex;

	while (*p != '\0') {
		l = strcspn(p, "\n");
		next = p[l] == '\0' ? p + l : p + l + 1;
		p[l] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			if (in->n == SLIP39_MAX_SHARES) {
				fprintf(stderr, "custos: %s: too many shares"
				    "\n", ctx);
				return EXIT_BADINPUT;
			}
			if ((ex = decode_one(ctx, in->n + 1, p,
			    &in->s39[in->n])) != EXIT_OK_)
				return ex;
			in->n++;
		}
		p = next;
	}
	return EXIT_OK_;
}

/* SLIP-39 on the terminal: one mnemonic per prompt, each checked. */
static int
mnemonics_from_tty(const char *ctx, struct shares_in *in)
{
	struct prompt_src tty;
	char what[96], *line = NULL;
	size_t len, need = 0;
	int r, ex, tries = 0;

	prompt_src_tty(&tty);
	while (need == 0 || in->n < need) {
		if (need)
			snprintf(what, sizeof(what), "Share %zu of %zu (words, "
			    "not shown)", in->n + 1, need);
		else
			snprintf(what, sizeof(what), "Share 1 (words, not "
			    "shown)");
		if ((r = prompt_secret(&tty, what, 0, &line, &len)) !=
		    CUSTOS_OK)
			return cli_fail(ctx, r);
		ex = decode_one(ctx, in->n + 1, line, &in->s39[in->n]);
		secmem_free(line);
		line = NULL;
		if (ex != EXIT_OK_) {
			if (++tries >= 3)
				return ex;
			continue;	/* type that share again */
		}
		tries = 0;
		need = in->s39[0].member_threshold;
		in->n++;
	}
	return EXIT_OK_;
}

static int legacy_parse(const char *ctx, struct shares_in *in);

/* sc-hsm-tool shares on the terminal: prime once, then ID and value. */
static int
legacy_from_tty(const char *ctx, const struct split_args *a,
    struct shares_in *in)
{
	struct prompt_src tty;
	char *l = NULL, *v = NULL, what[96];
	size_t ll, vl, k = 0;
	unsigned int id;
	int r, tries = 0;

	prompt_src_tty(&tty);
	if ((r = prompt_secret(&tty, "Prime (from any share sheet)", 0, &l,
	    &ll)) != CUSTOS_OK)
		return cli_fail(ctx, r);
	in->textlen = (size_t)snprintf(in->text, sizeof(in->text),
	    "Prime : %s\n", l);
	secmem_free(l);
	for (k = 0; a->threshold == 0 || k < a->threshold; k++) {
		snprintf(what, sizeof(what), "Share %zu ID (empty: no more)",
		    k + 1);
		if ((r = prompt_secret(&tty, what, 0, &l, &ll)) != CUSTOS_OK)
			return cli_fail(ctx, r);
		if (ll == 0) {
			secmem_free(l);
			break;
		}
		if (pwshare_parse_id(l, ll, &id) != CUSTOS_OK) {
			/* Checked as typed: IDs are decimal, 1-255. */
			fprintf(stderr, "custos: %s: share ID 0 or above 255, or "
			    "not decimal\n", ctx);
			secmem_free(l);
			if (++tries >= 3)
				return EXIT_BADINPUT;
			k--;
			continue;
		}
		snprintf(what, sizeof(what), "Share %zu value (not shown)",
		    k + 1);
		if ((r = prompt_secret(&tty, what, 0, &v, &vl)) != CUSTOS_OK) {
			secmem_free(l);
			return cli_fail(ctx, r);
		}
		if (in->textlen + ll + vl + 40 < sizeof(in->text)) {
			size_t before = in->textlen;

			in->textlen += (size_t)snprintf(in->text +
			    in->textlen, sizeof(in->text) - in->textlen,
			    "Share ID : %s\nShare value : %s\n", l, v);
			/* Check it as typed; a bad one is asked again. */
			if (legacy_parse(ctx, in) != EXIT_OK_) {
				secmem_wipe(in->text + before,
				    in->textlen - before);
				in->textlen = before;
				k--;
				if (++tries >= 3) {
					secmem_free(l);
					secmem_free(v);
					return EXIT_BADINPUT;
				}
			} else {
				tries = 0;
			}
		}
		secmem_free(l);
		secmem_free(v);
	}
	return EXIT_OK_;
}

/* Parses the legacy text and checks each share as given. */
static int
legacy_parse(const char *ctx, struct shares_in *in)
{
	const char *why = NULL;
	size_t line = 0, i;
	int r;

	if ((r = pwshare_parse(in->text, in->textlen, in->pw, PWSHARE_MAX,
	    &in->n, &line)) != CUSTOS_OK) {
		if (line == 0)
			fprintf(stderr, "custos: %s: no sc-hsm-tool share in "
			    "the input\n", ctx);
		else
			fprintf(stderr, "custos: %s: shares input line %zu: "
			    "%s\n", ctx, line, r == CUSTOS_ERR_TRUNCATED ?
			    "a share ID without its value" :
			    r == CUSTOS_ERR_LIMIT ? "share ID 0 or above 255 "
			    "(IDs are decimal)" : custos_strerror(r));
		return EXIT_BADINPUT;
	}
	for (i = 0; i < in->n; i++) {
		if ((r = pwshare_check_one(&in->pw[i], 1, &why)) !=
		    CUSTOS_OK) {
			fprintf(stderr, "custos: %s: share %zu (ID %u): %s\n",
			    ctx, i + 1, in->pw[i].id, why != NULL ? why :
			    custos_strerror(r));
			return cli_exit_code(r);
		}
	}
	return EXIT_OK_;
}

/* Tries pwd on the .pbe file: EXIT_OK_ with the share, or EXIT_AUTH. */
static int
try_pbe(const char *ctx, const char *pbe, const unsigned char *pwd,
    unsigned char *share)
{
	struct sharefile_info info;
	int r;

	fprintf(stderr, "custos: deriving the sc-hsm-tool key (about 10 s)"
	    "...\n");
	r = sharefile_open(pbe, share, pwd, PWSHARE_PWD_LEN, PBE_ITERATIONS,
	    &info);
	if (r == CUSTOS_OK)
		return EXIT_OK_;
	if (r == CUSTOS_ERR_BAD_PASSPHRASE)
		return EXIT_AUTH;
	fprintf(stderr, "custos: %s: %s: %s\n", ctx, pbe, custos_strerror(r));
	return cli_exit_code(r);
}

/* Names the shares outside mask in res->wrong ("2, 5"). */
static void
name_wrong(struct split_result *res, uint32_t mask, size_t k)
{
	size_t i, o = 0;

	for (i = 0; i < k; i++)
		if (!(mask & ((uint32_t)1 << i)) && o + 8 < sizeof(res->wrong))
			o += (size_t)snprintf(res->wrong + o,
			    sizeof(res->wrong) - o, "%s%zu", o ? ", " : "",
			    i + 1);
}

static int
legacy_combine(const char *ctx, const struct split_args *a,
    struct shares_in *in, struct split_result *res)
{
	struct pwshare_cand *c = NULL;
	unsigned char *pwd = NULL;
	const char *why = NULL;
	size_t t = a->threshold ? a->threshold : in->n, which = 0, nc = 0, i;
	int r, ex = EXIT_FAIL, tries = 0;

	if ((r = pwshare_check(in->pw, in->n, t, 1, &which, &why)) !=
	    CUSTOS_OK) {
		if (r == CUSTOS_ERR_LIMIT)
			fprintf(stderr, "custos: %s: too few shares: %zu given"
			    ", %zu needed\n", ctx, in->n, t);
		else
			fprintf(stderr, "custos: %s: share %zu (ID %u): %s\n",
			    ctx, which + 1, in->pw[which].id, why);
		return r == CUSTOS_ERR_LIMIT ? EXIT_BADINPUT :
		    cli_exit_code(r);
	}
	if (encode_hex(res->ident, sizeof(res->ident), in->pw[0].prime,
	    PWSHARE_NUM_LEN, 0) != CUSTOS_OK ||
	    (pwd = secmem_alloc(PWSHARE_PWD_LEN)) == NULL ||
	    (c = secmem_alloc(sizeof(*c) * PBE_TRIES_MAX)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	res->legacy = 1;
	res->threshold = (unsigned)t;
	res->given = (unsigned)in->n;
	if (in->n > t) {
		if ((r = pwshare_candidates(in->pw, in->n, t, c, PBE_TRIES_MAX,
		    &nc)) != CUSTOS_OK) {
			ex = cli_fail(ctx, r);
			goto out;
		}
		for (i = 0, ex = EXIT_AUTH; i < nc && ex == EXIT_AUTH; i++) {
			tries++;
			if ((ex = try_pbe(ctx, a->pbe, c[i].pwd,
			    res->share)) == EXIT_OK_ && c[i].nsupport < in->n)
				name_wrong(res, c[i].support, in->n);
		}
	} else if ((r = pwshare_combine(in->pw, in->n, pwd)) ==
	    CUSTOS_ERR_CORRUPT) {
		fprintf(stderr, "custos: %s: these shares give no password "
		    "sc-hsm-tool could have made: a share is wrong (give more "
		    "than the threshold, with --threshold, to find which)\n",
		    ctx);
		ex = EXIT_BADINPUT;
		goto out;
	} else if (r != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	} else {
		tries++;
		ex = try_pbe(ctx, a->pbe, pwd, res->share);
	}
	if (ex == EXIT_AUTH)
		fprintf(stderr, "custos: %s: %s: the shares do not open it: a "
		    "share is wrong, too few were given, or the file was "
		    "altered%s\n", ctx, a->pbe, in->n > t ? "" : " (give more "
		    "than the threshold, with --threshold, to find which)");
 out:
	secmem_free(pwd);
	secmem_free(c);
	return ex;
}

/* Rebuilds a SLIP-39 member share from its v1 file (header + value). */
static int
member_file(const char *ctx, const char *path, struct prompt_src *src,
    struct slip39_share *s)
{
	struct sharefile_info info;
	int ex;

	if ((ex = cmd_open_share(ctx, path, src, s->value, &info)) !=
	    EXIT_OK_)
		return ex;
	if (info.format != SHAREFILE_V1 ||
	    sharefile_member_parse(info.v1.comment, s) != 0) {
		fprintf(stderr, "custos: %s: %s: not a SLIP-39 member share "
		    "file (custos share split --share-files)\n", ctx, path);
		return EXIT_BADINPUT;
	}
	return EXIT_OK_;
}

#define SUBSETS_MAX 500UL	/* most quorums tried to find a wrong share */

/*
 * More shares than the threshold: rebuilds every quorum (each checked by
 * its digest); the shares in no valid quorum are the wrong ones. All the
 * valid quorums must agree. Returns an exit code.
 */
static int
quorum_search(const char *ctx, struct shares_in *in, size_t m,
    struct split_result *res)
{
	struct slip39_share *q = NULL;
	unsigned char *got = NULL;
	size_t idx[SLIP39_MAX_MEMBERS], i, j, len, o = 0;
	unsigned long tried = 0;
	uint32_t good = 0;
	int found = 0, ex = EXIT_FAIL;

	if (in->n > 32 || m == 0 || m > SLIP39_MAX_MEMBERS)
		return EXIT_BADINPUT;
	if ((q = secmem_alloc(sizeof(*q) * m)) == NULL ||
	    (got = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	for (i = 0; i < m; i++)
		idx[i] = i;
	for (;;) {
		for (i = 0; i < m; i++)
			q[i] = in->s39[idx[i]];
		if (slip39_combine(q, m, NULL, 0, got, DKEK_SHARE_LEN, &len,
		    NULL) == CUSTOS_OK && len == DKEK_SHARE_LEN) {
			if (found && secmem_equal(got, res->share,
			    DKEK_SHARE_LEN) != 0) {
				fprintf(stderr, "custos: %s: different quorums "
				    "of these shares give different shares: "
				    "more than one is wrong\n", ctx);
				ex = EXIT_BADINPUT;
				goto out;
			}
			memcpy(res->share, got, DKEK_SHARE_LEN);
			found = 1;
			for (i = 0; i < m; i++)
				good |= (uint32_t)1 << idx[i];
		}
		if (++tried >= SUBSETS_MAX)
			break;
		for (i = m; i-- > 0;)
			if (idx[i] < in->n - m + i)
				break;
		if (i == (size_t)-1)
			break;
		idx[i]++;
		for (j = i + 1; j < m; j++)
			idx[j] = idx[j - 1] + 1;
	}
	if (!found) {
		fprintf(stderr, "custos: %s: no %zu of these %zu shares "
		    "rebuild a share whose digest checks: too many are wrong"
		    "\n", ctx, m, in->n);
		ex = EXIT_BADINPUT;
		goto out;
	}
	for (i = 0; i < in->n; i++)
		if (!(good & ((uint32_t)1 << i)) && o + 8 < sizeof(res->wrong))
			o += (size_t)snprintf(res->wrong + o,
			    sizeof(res->wrong) - o, "%s%zu", o ? ", " : "",
			    i + 1);
	ex = EXIT_OK_;
 out:
	secmem_free(got);
	secmem_free(q);
	return ex;
}

static int
slip39_rebuild(const char *ctx, struct shares_in *in,
    struct split_result *res)
{
	const char *why = NULL;
	size_t len = 0, m = in->s39[0].member_threshold;
	int r, ex;

	r = slip39_combine(in->s39, in->n, NULL, 0, res->share,
	    DKEK_SHARE_LEN, &len, &why);
	if (r != CUSTOS_OK && in->n > m &&
	    (r == CUSTOS_ERR_LIMIT || r == CUSTOS_ERR_CORRUPT)) {
		if ((ex = quorum_search(ctx, in, m, res)) != EXIT_OK_)
			return ex;
		r = CUSTOS_OK;
		len = DKEK_SHARE_LEN;
	}
	if (r != CUSTOS_OK || len != DKEK_SHARE_LEN) {
		fprintf(stderr, "custos: %s: %s\n", ctx, why != NULL ? why :
		    r == CUSTOS_OK ? "the shares hold no 32-byte DKEK share" :
		    custos_strerror(r));
		return r == CUSTOS_OK ? EXIT_BADINPUT : cli_exit_code(r);
	}
	res->identifier = in->s39[0].identifier;
	snprintf(res->ident, sizeof(res->ident), "%u", res->identifier);
	res->threshold = (unsigned)m;
	res->given = (unsigned)in->n;
	return EXIT_OK_;
}

int
split_combine(const char *ctx, const struct split_args *a,
    struct split_result *res)
{
	struct shares_in *in = NULL;
	struct prompt_src src;
	int legacy = a->scheme != NULL && strcmp(a->scheme, "sc-hsm") == 0;
	int ex = EXIT_OK_, i;

	memset(res, 0, sizeof(*res));
	prompt_src_tty(&src);
	if ((in = secmem_alloc(sizeof(*in))) == NULL ||
	    (res->share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return cli_fail(ctx, CUSTOS_ERR_NOMEM);
	if (a->npos > 0 && (legacy || a->shares_fd || a->shares_file)) {
		ex = cli_usage_error(ctx, "member share files cannot be mixed "
		    "with other shares");
		goto out;
	}
	if (a->npos > 0) {
		if ((ex = cli_secret_source(&src, a->pw_fd, a->pw_file, ctx))
		    != EXIT_OK_)
			goto out;
		for (i = 0; i < a->npos && i < SLIP39_MAX_SHARES; i++, in->n++)
			if ((ex = member_file(ctx, a->pos[i], &src,
			    &in->s39[i])) != EXIT_OK_)
				goto out;
	} else if (a->shares_fd != NULL || a->shares_file != NULL) {
		if ((ex = cli_secret_source(&src, a->shares_fd,
		    a->shares_file, ctx)) != EXIT_OK_ ||
		    (ex = read_source(ctx, &src, in)) != EXIT_OK_)
			goto out;
		if (a->scheme == NULL)
			legacy = looks_legacy(in->text);
		ex = legacy ? legacy_parse(ctx, in) :
		    mnemonics_from_text(ctx, in);
	} else if (legacy) {
		if ((ex = legacy_from_tty(ctx, a, in)) == EXIT_OK_)
			ex = legacy_parse(ctx, in);
	} else {
		ex = mnemonics_from_tty(ctx, in);
	}
	if (ex != EXIT_OK_)
		goto out;
	if (legacy && a->pbe == NULL) {
		ex = cli_usage_error(ctx, "sc-hsm-tool shares need --pbe FILE "
		    "(the share file their password opens)");
		goto out;
	}
	if (!legacy && in->n == 0) {
		fprintf(stderr, "custos: %s: no share in the input\n", ctx);
		ex = EXIT_BADINPUT;
		goto out;
	}
	ex = legacy ? legacy_combine(ctx, a, in, res) :
	    slip39_rebuild(ctx, in, res);
	if (ex == EXIT_OK_ && res->wrong[0] != '\0')
		fprintf(stderr, "custos: warning: share %s is wrong and was "
		    "left out: the other shares agree without it\n",
		    res->wrong);
 out:
	prompt_src_close(&src);
	secmem_free(in);
	if (ex != EXIT_OK_)
		split_result_free(res);
	return ex;
}
