/*
 * cli_io.h - the CLI's side of the engine (struct op_io): secrets from
 * the terminal without echo or from the descriptors and files the
 * command line names (one secret per line), confirmations typed on the
 * terminal or given as an option (--erase-keys, --force), what happened
 * on standard output, warnings and errors on standard error.
 */
#ifndef CUSTOS_CLI_IO_H
#define CUSTOS_CLI_IO_H

#include "../ceremony/op.h"
#include "prompt.h"

#define CLI_IO_KINDS (OP_SECRET_SHARES + 1)

struct cli_io {
	const char *ctx;		/* "hsm init": for messages */
	struct prompt_src src[CLI_IO_KINDS];
	int shared[CLI_IO_KINDS];	/* reads another kind's source */
	int force;			/* confirmations given as an option */
	struct op_io io;
};

/* Starts c for command ctx: every secret from the terminal. */
void cli_io_init(struct cli_io *c, const char *ctx);

/*
 * Secrets of kind come from descriptor fd or file (either or none: the
 * terminal). Prints one line on error; returns an exit code.
 */
int cli_io_source(struct cli_io *c, enum op_secret kind, const char *fd,
    const char *file);

/* Secrets of kind come from kind from's source (its next lines). */
void cli_io_same(struct cli_io *c, enum op_secret kind, enum op_secret from);

/* Closes the files opened. */
void cli_io_close(struct cli_io *c);

#endif
