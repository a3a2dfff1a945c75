/* cli_io.c - the CLI's op_io (cli_io.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/encode.h"
#include "cli.h"
#include "cli_io.h"

static struct prompt_src *
src_of(struct cli_io *c, enum op_secret kind)
{
	int k = (int)kind;

	if (k < 0 || k >= CLI_IO_KINDS)
		k = 0;
	return &c->src[c->shared[k] ? c->shared[k] : k];
}

static int
confirmed(enum op_secret kind)
{
	return kind == OP_SECRET_ADMIN_NEW || kind == OP_SECRET_NEW ||
	    kind == OP_SECRET_NEW_LEGACY || kind == OP_SECRET_SO_PIN_NEW ||
	    kind == OP_SECRET_PIN_NEW || kind == OP_SECRET_EXPORT_NEW;
}

static int
io_secret(void *arg, enum op_secret kind, const char *who, const char *what,
    const char *hint, char **out, size_t *len)
{
	struct cli_io *c = arg;

	(void)who;
	(void)hint;
	return prompt_secret(src_of(c, kind), what, confirmed(kind), out, len);
}

static int
io_can_retry(void *arg, enum op_secret kind)
{
	struct cli_io *c = arg;

	return src_of(c, kind)->fd < 0;
}

static int
io_handover(void *arg, const char *who, const char *why,
    enum op_handover kind)
{
	(void)kind;
	(void)arg;
	(void)who;
	(void)why;
	return 0;
}

static int
io_reveal(void *arg, const char *who, const char *title, const char *secret)
{
	(void)arg;
	(void)who;
	(void)title;
	(void)secret;
	return 0;	/* the CLI writes sheets; it never shows words */
}

static int
io_confirm(void *arg, const char *consequence, const char *word)
{
	struct cli_io *c = arg;
	char answer[64];
	size_t n = strlen(word);

	printf("%s\n", consequence);
	if (c->force)
		return 0;
	if (n == 0 || !isatty(STDIN_FILENO))
		return CUSTOS_ERR_CANCELLED;
	printf("Type %s to go on: ", word);
	fflush(stdout);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return CUSTOS_ERR_CANCELLED;
	return strncmp(answer, word, n) == 0 && answer[n] == '\n' ? 0 :
	    CUSTOS_ERR_CANCELLED;
}

static void
io_show(void *arg, const char *label, const char *hex)
{
	(void)arg;
	printf("%s: ", label);
	cli_print_grouped("", hex);
}

static void
io_progress(void *arg, const char *what, size_t done, size_t total)
{
	(void)arg;
	(void)done;
	if (total == 0)
		fprintf(stderr, "custos: %s\n", what);
}

static void
io_note(void *arg, const char *text)
{
	(void)arg;
	printf("%s\n", text);
	fflush(stdout);
}

static void
io_warn(void *arg, const char *text)
{
	struct cli_io *c = arg;

	(void)c;
	fprintf(stderr, "custos: warning: %s\n", text);
}

void
cli_io_init(struct cli_io *c, const char *ctx)
{
	int k;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	for (k = 0; k < CLI_IO_KINDS; k++)
		prompt_src_tty(&c->src[k]);
	c->io.arg = c;
	c->io.handover = io_handover;
	c->io.secret = io_secret;
	c->io.can_retry = io_can_retry;
	c->io.reveal = io_reveal;
	c->io.confirm = io_confirm;
	c->io.show = io_show;
	c->io.progress = io_progress;
	c->io.note = io_note;
	c->io.warn = io_warn;
}

int
cli_io_source(struct cli_io *c, enum op_secret kind, const char *fd,
    const char *file)
{
	return cli_secret_source(&c->src[kind], fd, file, c->ctx);
}

void
cli_io_same(struct cli_io *c, enum op_secret kind, enum op_secret from)
{
	c->shared[kind] = (int)from;
}

void
cli_io_close(struct cli_io *c)
{
	int k;

	for (k = 0; k < CLI_IO_KINDS; k++)
		prompt_src_close(&c->src[k]);
}
