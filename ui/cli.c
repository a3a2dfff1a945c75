/* cli.c - shared pieces of the custos subcommands. */
#include <stdio.h>
#include <string.h>

#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "cli.h"

int
cli_exit_code(int err)
{
	switch (err) {
	case CUSTOS_OK:
		return EXIT_OK_;
	case CUSTOS_ERR_BAD_PASSPHRASE:
	case CUSTOS_ERR_PASSPHRASE_MISMATCH:
		return EXIT_AUTH;
	case CUSTOS_ERR_NOT_FOUND:
	case CUSTOS_ERR_TOO_LARGE:
	case CUSTOS_ERR_FORMAT:
	case CUSTOS_ERR_TRUNCATED:
	case CUSTOS_ERR_CORRUPT:
	case CUSTOS_ERR_FINGERPRINT:
	case CUSTOS_ERR_UNSUPPORTED:
	case CUSTOS_ERR_LIMIT:
		return EXIT_BADINPUT;
	case CUSTOS_ERR_EXISTS:
	case CUSTOS_ERR_DUPLICATE_SHARE:
	case CUSTOS_ERR_ZERO_DKEK:
	case CUSTOS_ERR_WEAK_PASSPHRASE:
		return EXIT_REFUSED;
	case CUSTOS_ERR_INVALID_ARG:
		return EXIT_USAGE;
	}
	return EXIT_FAIL;
}

int
cli_fail(const char *ctx, int err)
{
	if (ctx != NULL)
		fprintf(stderr, "custos: %s: %s\n", ctx, custos_strerror(err));
	else
		fprintf(stderr, "custos: %s\n", custos_strerror(err));
	return cli_exit_code(err);
}

int
cli_usage_error(const char *ctx, const char *msg)
{
	fprintf(stderr, "custos: %s: %s (try --help)\n", ctx, msg);
	return EXIT_USAGE;
}

int
cli_dispatch(const char *group, const struct cli_cmd *cmds, int argc,
    char **argv)
{
	const struct cli_cmd *c;

	if (argc < 1 || strcmp(argv[0], "help") == 0 ||
	    strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
		FILE *f = argc < 1 ? stderr : stdout;

		fprintf(f, "usage: custos %s COMMAND [OPTIONS]\n\n", group);
		for (c = cmds; c->name != NULL; c++)
			fprintf(f, "  %-14s %s\n", c->name, c->summary);
		fprintf(f, "\n'custos %s COMMAND --help' describes each.\n",
		    group);
		return argc < 1 ? EXIT_USAGE : EXIT_OK_;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->run(argc, argv);
	fprintf(stderr, "custos: %s: unknown command '%s' (try 'custos %s "
	    "help')\n", group, argv[0], group);
	return EXIT_USAGE;
}

int
cli_secret_source(struct prompt_src *src, const char *fd, const char *file,
    const char *ctx)
{
	int r;

	prompt_src_tty(src);
	if (fd != NULL && file != NULL)
		return cli_usage_error(ctx, "give a passphrase fd or a file, "
		    "not both");
	if (fd != NULL && prompt_src_fd(src, fd) != CUSTOS_OK)
		return cli_usage_error(ctx, "passphrase fd is not an open "
		    "file descriptor");
	if (file != NULL && (r = prompt_src_file(src, file)) != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, file,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	return EXIT_OK_;
}

int
cli_new_passphrase(const char *ctx, struct prompt_src *src, const char *what,
    int legacy, char **pw, size_t *pwlen)
{
	int tries, r = CUSTOS_ERR_INTERNAL;
	const char *why;

	for (tries = 0; tries < 3; tries++) {
		if ((r = prompt_secret(src, what, 1, pw, pwlen)) != CUSTOS_OK) {
			if (r == CUSTOS_ERR_PASSPHRASE_MISMATCH) {
				fprintf(stderr, "custos: the two entries "
				    "differ; please try again\n");
				continue;
			}
			return r;
		}
		if ((why = pwpolicy_check(*pw, *pwlen, legacy)) == NULL)
			return CUSTOS_OK;
		secmem_free(*pw);
		*pw = NULL;
		fprintf(stderr, "custos: %s: passphrase refused: %s\n", ctx, why);
		if (src->fd >= 0)
			return CUSTOS_ERR_WEAK_PASSPHRASE;
	}
	return CUSTOS_ERR_CANCELLED;
}
