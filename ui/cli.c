/* cli.c - shared pieces of the custos subcommands. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../ceremony/op.h"
#include "../ceremony/op_share.h"
#include "cli.h"
#include "cli_io.h"

int
cli_exit_code(int err)
{
	switch (err) {
	case CUSTOS_OK:
		return EXIT_OK_;
	case CUSTOS_ERR_BAD_PASSPHRASE:
	case CUSTOS_ERR_PASSPHRASE_MISMATCH:
	case CUSTOS_ERR_WRONG_PIN:
	case CUSTOS_ERR_PIN_BLOCKED:
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
	case CUSTOS_ERR_DKEK_MISMATCH:
	case CUSTOS_ERR_REFUSED:
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

		fprintf(f, "usage: custos %s%sCOMMAND [OPTIONS]\n\n", group,
		    *group ? " " : "");
		for (c = cmds; c->name != NULL; c++)
			fprintf(f, "  %-14s %s\n", c->name, c->summary);
		fprintf(f, "\n'custos %s%sCOMMAND --help' describes each.\n",
		    group, *group ? " " : "");
		return argc < 1 ? EXIT_USAGE : EXIT_OK_;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->run(argc, argv);
	fprintf(stderr, "custos: %s%sunknown command '%s' (try 'custos %s%s"
	    "help')\n", group, *group ? ": " : "", argv[0], group,
	    *group ? " " : "");
	return EXIT_USAGE;
}

int
cli_secret_source(struct prompt_src *src, const char *fd, const char *file,
    const char *ctx)
{
	struct stat st;
	int r;

	prompt_src_tty(src);
	if (fd != NULL && file != NULL)
		return cli_usage_error(ctx, "give a passphrase fd or a file, "
		    "not both");
	if (fd != NULL && prompt_src_fd(src, fd) != CUSTOS_OK)
		return cli_usage_error(ctx, "passphrase fd is not an open "
		    "file descriptor");
	if (file != NULL && stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* named against the file given, not the share it was for */
		fprintf(stderr, "custos: %s: %s: is a directory, not a file of "
		    "passphrases\n", ctx, file);
		return EXIT_BADINPUT;
	}
	if (file != NULL && (r = prompt_src_file(src, file)) != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, file,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	return EXIT_OK_;
}

int
cli_bad_option(const char *ctx, char **argv)
{
	fprintf(stderr, "custos: %s: unknown or incomplete option '%s' (try "
	    "--help)\n", ctx, argv[optind - 1]);
	return EXIT_USAGE;
}

void
cli_hex_words(char *out, size_t outsz, const char *hex)
{
	op_hex_words(out, outsz, hex);
}

void
cli_print_grouped(const char *prefix, const char *hex)
{
	size_t i, n = strlen(hex);

	fputs(prefix, stdout);
	for (i = 0; i < n; i++) {
		if (i > 0 && i % 64 == 0)
			printf("\n%s", prefix);
		else if (i > 0 && i % 4 == 0)
			putchar(' ');
		putchar(hex[i]);
	}
	putchar('\n');
}

void
cli_print_wrapped(const char *first, const char *indent, const char *text,
    const char *sep)
{
	size_t col = strlen(first), w, seplen = strlen(sep);
	const char *p = text, *e;
	int any = 0;

	fputs(first, stdout);
	while (*p != '\0') {
		e = strstr(p, sep);
		w = e != NULL ? (size_t)(e - p) : strlen(p);
		if (any && col + seplen + w > 79) {
			/* the separator ends the line, its spaces dropped */
			printf("%.*s\n%s", (int)strcspn(sep, " "), sep, indent);
			col = strlen(indent);
		} else if (any) {
			fputs(sep, stdout);
			col += seplen;
		}
		fwrite(p, 1, w, stdout);
		col += w;
		any = 1;
		p += w;
		if (e != NULL)
			p += seplen;
	}
	putchar('\n');
}

int
cli_check_recordable(const char *ctx, const char *what, const char *s)
{
	json_t *j;
	const unsigned char *p;

	if (s == NULL)
		return EXIT_OK_;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "custos: %s: the %s contains a control "
			    "character; it cannot be recorded\n", ctx, what);
			return EXIT_USAGE;
		}
	}
	if ((j = json_string(s)) == NULL) {
		fprintf(stderr, "custos: %s: the %s is not valid UTF-8; it "
		    "cannot be recorded\n", ctx, what);
		return EXIT_USAGE;
	}
	json_decref(j);
	return EXIT_OK_;
}

int
cli_unlock(const char *ctx, struct op_ctx *cx, struct cli_io *io,
    const char *dir, const char *admin_fd, const char *admin_file,
    const char *actor, const char *out, char *const *files, int nfiles)
{
	int ex, i, r;

	if (dir == NULL) {
		if (admin_fd != NULL || admin_file != NULL || actor != NULL)
			return cli_usage_error(ctx, "an administrator "
			    "passphrase or --actor needs --ceremony DIR");
		return EXIT_OK_;
	}
	/* Everything to be recorded must be recordable, before any step. */
	if ((ex = cli_check_recordable(ctx, "actor", actor)) != EXIT_OK_ ||
	    (ex = cli_check_recordable(ctx, "output file name", out)) !=
	    EXIT_OK_)
		return ex;
	for (i = 0; i < nfiles; i++)
		if ((ex = cli_check_recordable(ctx, "file name", files[i])) !=
		    EXIT_OK_)
			return ex;
	if ((ex = cli_io_source(io, OP_SECRET_ADMIN, admin_fd, admin_file)) !=
	    EXIT_OK_)
		return ex;
	op_set_actor(cx, actor);
	if ((r = op_ceremony_unlock(cx, dir)) != CUSTOS_OK)
		return cli_op_fail(ctx, cx, r);
	return EXIT_OK_;
}

int
cli_op_fail(const char *ctx, const struct op_ctx *cx, int r)
{
	const char *why = cx != NULL ? op_why(cx) : "";

	fprintf(stderr, "custos: %s: %s\n", ctx, why[0] != '\0' ? why :
	    custos_strerror(r));
	return cli_exit_code(r);
}

int
cli_file_free(const char *ctx, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, path,
		    custos_strerror(CUSTOS_ERR_EXISTS));
		return EXIT_REFUSED;
	}
	return EXIT_OK_;
}
