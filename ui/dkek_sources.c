/* dkek_sources.c - the DKEK rebuilt in memory from its shares. */
#include <stdio.h>
#include <string.h>

#include "../ceremony/dkek.h"
#include "../ceremony/sharefile.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"
#include "dkek_sources.h"
#include "share_split.h"

int
dkek_sources_option(struct dkek_sources *s, int ch, const char *arg)
{
	switch (ch) {
	case DKEK_OPT_SHARE:
		if (s->nfiles == DKEK_MAX_SOURCES)
			return -1;
		s->files[s->nfiles++] = arg;
		return 1;
	case DKEK_OPT_MNEM:
		if (s->nmnem == DKEK_MAX_SOURCES)
			return -1;
		s->mnem[s->nmnem++] = arg;
		return 1;
	case DKEK_OPT_PWSHARES: s->pwshares = arg; return 1;
	case DKEK_OPT_PBE: s->pbe = arg; return 1;
	case DKEK_OPT_PW_FD: s->pw_fd = arg; return 1;
	case DKEK_OPT_PW_FILE: s->pw_file = arg; return 1;
	}
	return 0;
}

int
dkek_sources_given(const struct dkek_sources *s)
{
	return s->nfiles + s->nmnem + (s->pwshares != NULL) > 0;
}

int
dkek_sources_check(const char *ctx, const struct dkek_sources *s)
{
	if ((s->pwshares == NULL) != (s->pbe == NULL))
		return cli_usage_error(ctx, "--pwshares-file and --pbe go "
		    "together");
	return EXIT_OK_;
}

int
dkek_rebuild(const char *ctx, const struct dkek_sources *s,
    unsigned char *dkek)
{
	const unsigned char *list[DKEK_MAX_SOURCES * 2 + 1];
	unsigned char *shares = NULL, kcv[8];
	struct sharefile_info info;
	struct split_result res;
	struct split_args a;
	struct prompt_src src;
	size_t n = 0, i;
	int ex = EXIT_OK_, r;

	prompt_src_tty(&src);
	if ((shares = secmem_alloc((size_t)(DKEK_MAX_SOURCES * 2 + 1) *
	    DKEK_SHARE_LEN)) == NULL)
		return cli_fail(ctx, CUSTOS_ERR_NOMEM);
	if ((ex = cli_secret_source(&src, s->pw_fd, s->pw_file, ctx)) !=
	    EXIT_OK_)
		goto out;
	for (i = 0; i < s->nfiles; i++, n++) {
		list[n] = shares + n * DKEK_SHARE_LEN;
		if ((ex = cmd_open_share(ctx, s->files[i], &src,
		    shares + n * DKEK_SHARE_LEN, &info)) != EXIT_OK_ ||
		    (ex = cmd_refuse_member(ctx, s->files[i], &info)) !=
		    EXIT_OK_)
			goto out;
	}
	for (i = 0; i < s->nmnem + (s->pwshares != NULL); i++, n++) {
		memset(&a, 0, sizeof(a));
		if (i < s->nmnem) {
			a.scheme = "slip39";
			a.shares_file = s->mnem[i];
		} else {
			a.scheme = "sc-hsm";
			a.shares_file = s->pwshares;
			a.pbe = s->pbe;
		}
		if ((ex = split_combine(ctx, &a, &res)) != EXIT_OK_)
			goto out;
		memcpy(shares + n * DKEK_SHARE_LEN, res.share, DKEK_SHARE_LEN);
		split_result_free(&res);
		list[n] = shares + n * DKEK_SHARE_LEN;
	}
	if ((r = dkek_combine(dkek, kcv, list, n, NULL, NULL)) != 0) {
		fprintf(stderr, "custos: %s: %s\n", ctx, r ==
		    CUSTOS_ERR_DUPLICATE_SHARE ? "the same DKEK share is given "
		    "twice" : custos_strerror(r));
		ex = cli_exit_code(r);
	}
 out:
	secmem_free(shares);
	prompt_src_close(&src);
	return ex;
}

