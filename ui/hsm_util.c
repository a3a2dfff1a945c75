/* hsm_util.c - options and opening what the hsm commands share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/encode.h"
#include "cli.h"
#include "hsm_util.h"
#include "../ceremony/op_pka.h"

void
hsm_ctx_init(struct hsm_ctx *h, const char *ctx)
{
	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	h->domain = -1;
	cli_io_init(&h->io, ctx);
}

int
hsm_ctx_option(struct hsm_ctx *h, int ch, const char *arg)
{
	switch (ch) {
	case HSM_OPT_CARD: h->spec = arg; return 1;
	case HSM_OPT_PIN_FD: h->pin_fd = arg; return 1;
	case HSM_OPT_PIN_FILE: h->pin_file = arg; return 1;
	case HSM_OPT_CEREMONY: h->cdir = arg; return 1;
	case HSM_OPT_ADMIN_FD: h->admin_fd = arg; return 1;
	case HSM_OPT_ADMIN_FILE: h->admin_file = arg; return 1;
	case HSM_OPT_ACTOR: h->actor = arg; return 1;
	case HSM_OPT_DOMAIN: h->domain = hsm_parse_domain(arg); return 1;
	case HSM_OPT_PKA_AUTH: hsm_pka_option(h, arg); return 1;
	}
	return 0;
}

/* --pka-auth SPEC[,HOLDER]: a custodian's personal device, and whose. */
void
hsm_pka_option(struct hsm_ctx *h, const char *arg)
{
	char *comma;
	size_t i = h->npka;

	if (i >= sizeof(h->pka_spec) / sizeof(h->pka_spec[0]) ||
	    snprintf(h->pka_buf[i], sizeof(h->pka_buf[i]), "%s", arg) >=
	    (int)sizeof(h->pka_buf[i]) || arg[0] == '\0') {
		h->pka_bad = 1;
		return;
	}
	h->pka_spec[i] = h->pka_buf[i];
	h->pka_holder[i] = NULL;
	if ((comma = strchr(h->pka_buf[i], ',')) != NULL) {
		*comma = '\0';
		h->pka_holder[i] = comma + 1;
	}
	h->npka++;
}

int
hsm_parse_domain(const char *s)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -2;
	v = strtol(s, &end, 10);
	return (*end == '\0' && v >= 0 && v <= 255) ? (int)v : -2;
}

int
hsm_fail(const struct hsm_ctx *h, int r)
{
	fprintf(stderr, "custos: %s: %s\n", h->ctx, h->cx != NULL &&
	    op_why(h->cx)[0] != '\0' ? op_why(h->cx) : custos_strerror(r));
	return cli_exit_code(r);
}

int
hsm_ctx_engine(struct hsm_ctx *h)
{
	int ex, r;

	if (h->cx != NULL)
		return EXIT_OK_;
	if ((ex = cli_io_source(&h->io, OP_SECRET_PIN, h->pin_fd,
	    h->pin_file)) != EXIT_OK_)
		return ex;
	cli_io_same(&h->io, OP_SECRET_PIN_NEW, OP_SECRET_PIN);
	if ((r = op_ctx_new(&h->cx, &h->io.io, NULL, 0)) != CUSTOS_OK)
		return cli_fail(h->ctx, r);
	return EXIT_OK_;
}

int
hsm_ctx_begin(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles)
{
	int ex, r;

	if (h->pka_bad)
		return cli_usage_error(h->ctx, "--pka-auth names one personal "
		    "device (SPEC[,HOLDER]), at most 7 of them");
	if ((ex = hsm_ctx_engine(h)) != EXIT_OK_)
		return ex;
	/* the custodians' personal devices, for any device that uses
	   public key authentication (one or several) */
	if ((r = op_set_pka(h->cx, h->pka_spec, h->pka_holder, h->npka)) !=
	    CUSTOS_OK)
		return hsm_fail(h, r);
	return cli_unlock(h->ctx, h->cx, &h->io, h->cdir, h->admin_fd,
	    h->admin_file, h->actor, out, files, nfiles);
}

int
hsm_ctx_open(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles)
{
	int ex, r;

	if ((ex = hsm_ctx_begin(h, out, files, nfiles)) != EXIT_OK_)
		return ex;
	if (h->domain == -2)
		return cli_usage_error(h->ctx, "--domain is a key domain, 0 to "
		    "255");
	if ((r = op_dev_open(h->cx, h->spec, NULL, NULL, &h->dev)) !=
	    CUSTOS_OK)
		return hsm_fail(h, r);
	op_dev_set_domain(h->dev, h->domain);
	if (h->domain >= 0)
		printf("key domain: %d\n", h->domain);
	if (op_dev_emulated(h->dev))
		printf("REHEARSAL: emulated SmartCard-HSM, not a real "
		    "device\n");
	printf("reader: %s\n", op_dev_reader(h->dev));
	return EXIT_OK_;
}

void
hsm_ctx_close(struct hsm_ctx *h)
{
	op_ctx_free(h->cx);
	h->cx = NULL;
	h->dev = NULL;
	cli_io_close(&h->io);
}

int
hsm_parse_ref(const char *s)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return (*end == '\0' && v >= 1 && v <= 255) ? (int)v : -1;
}

void
hsm_key_print(const struct op_key *k)
{
	printf("%3d  %-18s %-24s %.*s\n", k->ref, k->kind, k->has_prkd ?
	    k->label : "(no description)", k->has_pub ? 16 : 64,
	    k->has_pub ? k->fpr : "(no public key on the device)");
}

int
hsm_parse_id(const char *ctx, const char *hex, uint8_t *id, size_t *len)
{
	size_t n = strlen(hex);

	*len = n / 2;
	if (*len == 0 || *len > OP_ID_MAX || n % 2 != 0 ||
	    decode_hex(id, *len, hex, n) != 0)
		return cli_usage_error(ctx, "--id is 1 to 32 bytes in hex");
	return EXIT_OK_;
}

/* Parses a command's options: the shared ones, and -h. */
int
hsm_common_only(struct hsm_ctx *h, int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(h, ch, optarg))
			continue;
		if (ch != 'h')
			return cli_bad_option(h->ctx, argv);
		printf("%s", usage);
		return -1;
	}
	if (optind != argc)
		return cli_usage_error(h->ctx, "unexpected argument");
	return EXIT_OK_;
}
