/* hsm_util.c - options, card, PINs and records the hsm commands share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../ceremony/backup.h"
#include "../ceremony/ceremony.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "hsm_util.h"
#include "../ceremony/keyfacts.h"

void
hsm_ctx_init(struct hsm_ctx *h, const char *ctx)
{
	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	prompt_src_tty(&h->pin_src);
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
	}
	return 0;
}

int
hsm_ctx_open(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles)
{
	const char *spec = h->spec;
	char serial[17];
	int ex, r;

	if ((ex = cli_secret_source(&h->pin_src, h->pin_fd, h->pin_file,
	    h->ctx)) != EXIT_OK_)
		return ex;
	if ((ex = cli_open_ceremony(h->ctx, h->cdir, h->admin_fd,
	    h->admin_file, h->actor, out, files, nfiles, &h->cer)) != EXIT_OK_)
		return ex;
	/* A rehearsal ceremony without --card uses the emulated device. */
	if (spec == NULL && h->cer != NULL && ceremony_is_rehearsal(h->cer))
		spec = "emu:primary";
	r = card_open(spec, &h->card);
	if (r == CUSTOS_ERR_INVALID_ARG)
		return cli_usage_error(h->ctx, "--card is pcsc, pcsc:READER or "
		    "emu:NAME");
	if (r != 0) {
		fprintf(stderr, "custos: %s: card%s%s: %s\n", h->ctx,
		    spec ? " " : "", spec ? spec : "", custos_strerror(r));
		return cli_exit_code(r);
	}
	h->emulated = card_is_emulated(h->card);
	/* The serial is read once, so that records name the device even
	 * after it was pulled mid-step. The emulator served to pcscd is
	 * marked by its device certificate (holder ZZEMU...), as no real
	 * device is. */
	snprintf(h->serial, sizeof(h->serial), "unknown");
	if (sc_hsm_select(h->card, NULL, NULL) == 0 &&
	    sc_hsm_serial(h->card, serial) == 0) {
		snprintf(h->serial, sizeof(h->serial), "%s", serial);
		h->emulated = sc_hsm_is_emulator(h->card, serial);
	}
	if (h->emulated) {
		if (h->cer != NULL && !ceremony_is_rehearsal(h->cer)) {
			fprintf(stderr, "custos: %s: this ceremony is not a "
			    "rehearsal; refusing the emulated device\n",
			    h->ctx);
			return EXIT_REFUSED;
		}
		printf("REHEARSAL: emulated SmartCard-HSM, not a real "
		    "device\n");
	}
	printf("reader: %s\n", card_reader(h->card));
	return EXIT_OK_;
}

void
hsm_ctx_close(struct hsm_ctx *h)
{
	card_close(h->card);
	h->card = NULL;
	ceremony_free(h->cer);
	h->cer = NULL;
	prompt_src_close(&h->pin_src);
}

int
hsm_read_pin(const char *ctx, struct prompt_src *src, const char *what,
    int confirm, char **pin, size_t *len)
{
	int r = prompt_secret(src, what, confirm, pin, len);

	if (r != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, what,
		    r == CUSTOS_ERR_TRUNCATED ? "no line left for it" :
		    custos_strerror(r));
		return r == CUSTOS_ERR_TRUNCATED ? EXIT_USAGE :
		    cli_exit_code(r);
	}
	if (*len < 6 || *len > 16) {
		fprintf(stderr, "custos: %s: a PIN has 6 to 16 characters\n",
		    ctx);
		secmem_free(*pin);
		*pin = NULL;
		return EXIT_BADINPUT;
	}
	return EXIT_OK_;
}

int
hsm_read_so_pin(const char *ctx, struct prompt_src *src, uint8_t so[8])
{
	char *s = NULL;
	size_t len = 0;
	int r = prompt_secret(src, "SO PIN (16 hex digits)", 0, &s, &len);

	if (r != 0) {
		fprintf(stderr, "custos: %s: SO PIN: %s\n", ctx,
		    r == CUSTOS_ERR_TRUNCATED ? "no line left for it" :
		    custos_strerror(r));
		return r == CUSTOS_ERR_TRUNCATED ? EXIT_USAGE :
		    cli_exit_code(r);
	}
	r = len == 16 ? decode_hex(so, 8, s, len) : CUSTOS_ERR_FORMAT;
	secmem_free(s);
	if (r != 0) {
		fprintf(stderr, "custos: %s: the SO PIN is 16 hexadecimal "
		    "digits\n", ctx);
		return EXIT_BADINPUT;
	}
	return EXIT_OK_;
}

void
hsm_pin_error(const char *ctx, const char *what, int r, int tries)
{
	if (r == CUSTOS_ERR_WRONG_PIN && tries >= 0)
		fprintf(stderr, "custos: %s: wrong %s, %d %s left\n", ctx,
		    what, tries, tries == 1 ? "try" : "tries");
	else if (r == CUSTOS_ERR_PIN_BLOCKED)
		fprintf(stderr, "custos: %s: %s blocked\n", ctx, what);
	else
		fprintf(stderr, "custos: %s: %s\n", ctx, custos_strerror(r));
}

int
hsm_login(struct hsm_ctx *h)
{
	char *pin = NULL;
	size_t len = 0;
	int ex, r, tries = -1;

	if ((ex = hsm_read_pin(h->ctx, &h->pin_src, "user PIN", 0, &pin,
	    &len)) != EXIT_OK_)
		return ex;
	r = sc_hsm_verify_pin(h->card, pin, len, &tries);
	secmem_free(pin);
	if (r != 0) {
		hsm_pin_error(h->ctx, "user PIN", r, tries);
		return cli_exit_code(r);
	}
	return EXIT_OK_;
}

json_t *
hsm_facts(struct hsm_ctx *h)
{
	if (h->card == NULL)
		return json_object();
	return json_pack("{s:s, s:s, s:b}", "reader", card_reader(h->card),
	    "serial", h->serial, "emulated", h->emulated);
}

int
hsm_record(struct hsm_ctx *h, const char *action, json_t *facts)
{
	const char *actor = h->actor != NULL ? h->actor : "operator";
	int ex = cli_record(h->ctx, h->cer, actor, action, facts);

	json_decref(facts);
	return ex;
}

int
hsm_confirm(const char *word)
{
	char answer[64];
	size_t n = strlen(word);

	if (!isatty(STDIN_FILENO))
		return 0;
	printf("Type %s to go on: ", word);
	fflush(stdout);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return 0;
	return strncmp(answer, word, n) == 0 && answer[n] == '\n';
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
hsm_key_facts(json_t *facts, const struct sc_hsm_key *k)
{
	keyfacts_add(facts, k);
}

void
hsm_key_print(const struct sc_hsm_key *k)
{
	char fpr[65];

	if (k->pub == NULL || encode_hex(fpr, sizeof(fpr), k->fpr, 8, 0) != 0)
		snprintf(fpr, sizeof(fpr), "(no public key on the device)");
	printf("%3d  %-18s %-24s %s\n", k->ref, k->kind, k->has_prkd ?
	    k->prkd.label : "(no description)", fpr);
}

int
hsm_card_entropy(const char *ctx, const char *spec, uint8_t out[32],
    char *reader, size_t rsz)
{
	struct card *c = NULL;
	int r;

	reader[0] = '\0';
	/* Without --card only a real PC/SC card is asked, and its absence
	 * is no error: the OS random bytes are enough on their own. */
	if ((r = card_open(spec != NULL ? spec : "pcsc", &c)) != 0) {
		if (spec == NULL)
			return EXIT_OK_;
		if (r == CUSTOS_ERR_INVALID_ARG)
			return cli_usage_error(ctx, "--card is pcsc, "
			    "pcsc:READER or emu:NAME");
		fprintf(stderr, "custos: %s: card %s: %s\n", ctx, spec,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	r = sc_hsm_select(c, NULL, NULL);
	if (r == 0)
		r = sc_hsm_challenge(c, out, 32);
	if (r == 0)
		snprintf(reader, rsz, "%s", card_reader(c));
	card_close(c);
	if (r != 0 && spec != NULL) {
		fprintf(stderr, "custos: %s: GET CHALLENGE: %s\n", ctx,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	if (r != 0)
		secmem_wipe(out, 32);
	return EXIT_OK_;
}

int
hsm_parse_id(const char *ctx, const char *hex, uint8_t *id, size_t *len)
{
	size_t n = strlen(hex);

	*len = n / 2;
	if (*len == 0 || *len > PRKD_ID_MAX || n % 2 != 0 ||
	    decode_hex(id, *len, hex, n) != 0)
		return cli_usage_error(ctx, "--id is 1 to 32 bytes in hex");
	return EXIT_OK_;
}

int
hsm_out_free(const char *ctx, const char *out)
{
	int r = access(out, F_OK) == 0 ? CUSTOS_ERR_EXISTS : errno == ENOENT ?
	    0 : custos_err_from_errno(errno);

	if (r != 0) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, out,
		    custos_strerror(r));
		return cli_exit_code(r);
	}
	return EXIT_OK_;
}

int
hsm_load_set(const char *ctx, const char *set, struct backup_manifest *m,
    char sha256[65])
{
	const char *why = NULL;
	int r = backup_load(set, m, sha256, &why);

	if (r == 0)
		return EXIT_OK_;
	fprintf(stderr, "custos: %s: %s: %s\n", ctx, set,
	    r == CUSTOS_ERR_NOT_FOUND ? "no manifest.json: not a backup set, "
	    "or an interrupted one" : why != NULL ? why : custos_strerror(r));
	return cli_exit_code(r);
}
