/* dkek_sources.c - the options that name a DKEK's shares. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dkek_sources.h"

int
dkek_sources_option(struct dkek_sources *s, int ch, char *arg)
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
dkek_sources_check(const char *ctx, struct dkek_sources *s)
{
	if ((s->pwshares == NULL) != (s->pbe == NULL))
		return cli_usage_error(ctx, "--pwshares-file and --pbe go "
		    "together");
	memset(&s->op, 0, sizeof(s->op));
	s->op.files = s->files;
	s->op.nfiles = s->nfiles;
	s->op.mnemonics = s->mnem;
	s->op.nmnemonics = s->nmnem;
	s->op.pwshares = s->pwshares;
	s->op.pbe = s->pbe;
	return EXIT_OK_;
}
