/*
 * cli.h - what every custos subcommand shares: the dispatch table type,
 * exit codes, and one-line error reporting.
 */
#ifndef CUSTOS_CLI_H
#define CUSTOS_CLI_H

#include "prompt.h"

/* Exit codes (documented in custos(1)). */
enum cli_exit {
	EXIT_OK_ = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_AUTH = 3,		/* wrong passphrase or PIN */
	EXIT_BADINPUT = 4,	/* input file missing, malformed or corrupted */
	EXIT_REFUSED = 5,	/* refused: would overwrite, duplicate share,
				   zero DKEK, weak passphrase */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Maps an error code to an exit code. */
int cli_exit_code(int err);

/*
 * Prints "custos: <ctx>: <message>" on one line to stderr and returns the
 * exit code for err. ctx may be NULL.
 */
int cli_fail(const char *ctx, int err);

/* Prints "custos: <ctx>: <msg>" to stderr, returns EXIT_USAGE. */
int cli_usage_error(const char *ctx, const char *msg);

/*
 * Dispatches argv[0] among cmds (NULL-terminated); prints the group's
 * help for no command, "help", "-h" or "--help". group names it in
 * messages ("share").
 */
int cli_dispatch(const char *group, const struct cli_cmd *cmds, int argc,
    char **argv);

/* Sets up src from --passphrase-fd / --passphrase-file (either or none). */
int cli_secret_source(struct prompt_src *src, const char *fd,
    const char *file, const char *ctx);

/* Reports an unknown or incomplete option (after getopt_long). */
int cli_bad_option(const char *ctx, char **argv);

/* The first 80 bits of a hex string as 8 SLIP-39 words. */
void cli_hex_words(char *out, size_t outsz, const char *hex);

/* Prints prefix and hex in groups of four, 16 groups per line. */
void cli_print_grouped(const char *prefix, const char *hex);

/*
 * Prints first, then text as items separated by sep (", "), wrapped
 * between items to 79 columns, each further line starting with indent.
 */
void cli_print_wrapped(const char *first, const char *indent,
    const char *text, const char *sep);

/*
 * Checks that s (an actor or file name to be recorded; NULL: nothing) is
 * UTF-8 without control characters, before any step is done. Prints one
 * line and returns EXIT_USAGE otherwise.
 */
int cli_check_recordable(const char *ctx, const char *what, const char *s);

struct op_ctx;
struct cli_io;

/*
 * For a command given --ceremony DIR (dir; NULL: none): refuses an
 * administrator passphrase or actor without it, checks that the actor,
 * the output name and the input files can be recorded, then unlocks the
 * ceremony in cx through the engine (which refuses a closed one before
 * anything is touched and reconciles what a cut left). Prints one line
 * on error; returns an exit code.
 */
int cli_unlock(const char *ctx, struct op_ctx *cx, struct cli_io *io,
    const char *dir, const char *admin_fd, const char *admin_file,
    const char *actor, const char *out, char *const *files, int nfiles);

/* Prints "custos: ctx: <the engine's reason>" for r; returns the exit
   code. */
int cli_op_fail(const char *ctx, const struct op_ctx *cx, int r);

/* Refuses an output path that exists, before any passphrase is asked
   (the engine's atomic writes are the real guard). Exit code. */
int cli_file_free(const char *ctx, const char *path);

#endif
