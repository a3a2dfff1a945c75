/*
 * cmd_hsm.c - custos hsm readers | status: the SmartCard-HSM over PC/SC
 * or the emulated device. (init, import-share, keys, keygen, delete,
 * wrap, unwrap and sign-test follow.)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cards/card.h"
#include "../cards/pcsc.h"
#include "../cards/sc_hsm.h"
#include "../ceremony/dkek.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

/* Opens --card (NULL: auto) and says which card, REHEARSAL if emulated. */
static int
open_card(const char *ctx, const char *spec, struct card **c)
{
	int r = card_open(spec, c);

	if (r == CUSTOS_ERR_INVALID_ARG)
		return cli_usage_error(ctx, "--card is pcsc, pcsc:READER or "
		    "emu:NAME");
	if (r != 0) {
		fprintf(stderr, "custos: %s: %s%s: %s\n", ctx,
		    spec ? "card " : "card", spec ? spec : "", custos_strerror(r));
		return cli_exit_code(r);
	}
	if (card_is_emulated(*c))
		printf("REHEARSAL: emulated SmartCard-HSM, not a real "
		    "device\n");
	printf("reader: %s\n", card_reader(*c));
	return EXIT_OK_;
}

static int
hsm_readers(int argc, char **argv)
{
	struct pcsc_reader rd[16];
	size_t n = 0, i;
	int r;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos hsm readers\n\nLists the PC/SC readers "
		    "and whether each holds a card.\n");
		return EXIT_OK_;
	}
	if (argc > 1)
		return cli_usage_error("hsm readers", "unexpected argument");
	if ((r = pcsc_list(rd, 16, &n)) != 0)
		return cli_fail("hsm readers", r);
	if (n == 0)
		printf("no readers (without one, custos uses the emulated "
		    "device: --card emu:primary)\n");
	for (i = 0; i < n; i++)
		printf("%s  %s\n", rd[i].card_present ? "card   " : "empty  ",
		    rd[i].name);
	return EXIT_OK_;
}

static void
print_tries(const char *what, int tries)
{
	if (tries < 0)
		printf("%-21s: unknown\n", what);
	else if (tries == 0)
		printf("%-21s: 0 (BLOCKED)\n", what);
	else
		printf("%-21s: %d\n", what, tries);
}

static int
hsm_status(int argc, char **argv)
{
	static const char ctx[] = "hsm status";
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_hsm_status st;
	const char *spec = NULL;
	struct card *c = NULL;
	char kcv[17], grouped[20];
	int ch, ex, r;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': spec = optarg; break;
		case 'h':
			printf("usage: custos hsm status [--card pcsc[:READER]"
			    " | emu:NAME]\n\n"
			    "Shows the device's firmware version, whether it "
			    "is initialized, the user and\nSO PIN tries left, "
			    "and the DKEK: shares configured, outstanding, and "
			    "the KCV.\nWithout --card: the first PC/SC reader "
			    "holding a card, else the emulated\ndevice "
			    "\"primary\" (REHEARSAL). Sends no PIN.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(ctx, "unexpected argument");
	if ((ex = open_card(ctx, spec, &c)) != EXIT_OK_)
		return ex;
	r = sc_hsm_status(c, &st);
	card_close(c);
	if (r != 0)
		return cli_fail(ctx, r);
	printf("firmware             : %d.%d\n", st.fw_major, st.fw_minor);
	if (st.initialized == 0) {
		printf("initialized          : no (factory-fresh)\n");
		return EXIT_OK_;
	}
	printf("initialized          : %s\n", st.initialized > 0 ? "yes" :
	    "unknown");
	print_tries("SO PIN tries left", st.so_tries);
	if (st.pin_verified)
		printf("user PIN             : verified in this session\n");
	else
		print_tries("user PIN tries left", st.pin_tries);
	if (st.dkek_total <= 0) {
		printf("DKEK                 : none (keys can never be "
		    "exported)\n");
		return EXIT_OK_;
	}
	printf("DKEK shares          : %d, %d outstanding\n", st.dkek_total,
	    st.dkek_left);
	if (!st.kcv_known)
		printf("DKEK KCV             : unknown (all zero: not complete, "
		    "or shown only after PIN login)\n");
	else {
		if (encode_hex(kcv, sizeof(kcv), st.kcv, 8, 1) != 0)
			return cli_fail(ctx, CUSTOS_ERR_INTERNAL);
		encode_hex_grouped8(grouped, st.kcv);
		printf("DKEK KCV             : %s  (%s)\n", kcv, grouped);
	}
	return EXIT_OK_;
}

/* Reads a PIN (6-16 characters) from src; prints one line on error. */
static int
read_pin(const char *ctx, struct prompt_src *src, const char *what,
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

/* Reads the SO PIN: 16 hexadecimal digits, 8 bytes. */
static int
read_so_pin(const char *ctx, struct prompt_src *src, uint8_t so[8])
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

static void
pin_error(const char *ctx, const char *what, int r, int tries)
{
	if (r == CUSTOS_ERR_WRONG_PIN && tries >= 0)
		fprintf(stderr, "custos: %s: wrong %s, %d %s left\n", ctx,
		    what, tries, tries == 1 ? "try" : "tries");
	else if (r == CUSTOS_ERR_PIN_BLOCKED)
		fprintf(stderr, "custos: %s: %s blocked\n", ctx, what);
	else
		fprintf(stderr, "custos: %s: %s\n", ctx, custos_strerror(r));
}

static int
hsm_init(int argc, char **argv)
{
	static const char ctx[] = "hsm init";
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "dkek-shares", required_argument, NULL, 'n' },
		{ "no-dkek", no_argument, NULL, 'N' },
		{ "pin-retries", required_argument, NULL, 'r' },
		{ "erase-keys", no_argument, NULL, 'E' },
		{ "pin-fd", required_argument, NULL, 'p' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "so-pin-fd", required_argument, NULL, 's' },
		{ "so-pin-file", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *pfd = NULL, *pfile = NULL, *sfd = NULL,
	    *sfile = NULL;
	struct prompt_src psrc, ssrc;
	struct sc_hsm_status st;
	struct card *c = NULL;
	char *pin = NULL, *end, answer[32];
	size_t pinlen = 0;
	uint8_t so[8];
	long shares = -2, retries = 3;
	int ch, ex, r, keys = 0, erase = 0, so_tries = -1;

	optind = 0;
	opterr = 0;
	prompt_src_tty(&psrc);
	prompt_src_tty(&ssrc);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': spec = optarg; break;
		case 'n':
			shares = strtol(optarg, &end, 10);
			if (*end != '\0' || shares < 1 || shares > 255)
				return cli_usage_error(ctx, "--dkek-shares is "
				    "1 to 255");
			break;
		case 'N': shares = -1; break;
		case 'r':
			retries = strtol(optarg, &end, 10);
			if (*end != '\0' || retries < 1 || retries > 10)
				return cli_usage_error(ctx, "--pin-retries is "
				    "1 to 10");
			break;
		case 'E': erase = 1; break;
		case 'p': pfd = optarg; break;
		case 'P': pfile = optarg; break;
		case 's': sfd = optarg; break;
		case 'S': sfile = optarg; break;
		case 'h':
			printf("usage: custos hsm init --dkek-shares N | "
			    "--no-dkek [--pin-retries N] [--erase-keys]\n"
			    "         [--card SPEC] [--so-pin-fd N | "
			    "--so-pin-file PATH] [--pin-fd N | --pin-file "
			    "PATH]\n\n"
			    "Initializes the device: the SO PIN (16 hex "
			    "digits; on a factory-fresh device it\nbecomes "
			    "the SO PIN, else it must be the current one), a "
			    "new user PIN (6-16\ncharacters) and the number "
			    "of DKEK shares. Shows the SO PIN tries left "
			    "before\nsending the SO PIN. A device holding "
			    "keys is refused unless the operator types\n"
			    "ERASE (or, without a terminal, --erase-keys): "
			    "initializing deletes every key.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(ctx, "unexpected argument");
	if (shares == -2)
		return cli_usage_error(ctx, "give --dkek-shares N (or "
		    "--no-dkek: keys can then never be exported)");
	if ((ex = cli_secret_source(&ssrc, sfd, sfile, ctx)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&psrc, pfd, pfile, ctx)) != EXIT_OK_)
		goto out;
	if ((ex = open_card(ctx, spec, &c)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_status(c, &st)) != 0 ||
	    (st.initialized == 1 && (r = sc_hsm_count_keys(c, &keys)) != 0)) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	if (st.initialized == 1) {
		printf("SO PIN tries left: %d%s\n", st.so_tries,
		    st.so_tries <= 3 ? "  (CAUTION: a blocked SO PIN cannot "
		    "be reset)" : "");
		if (st.so_tries == 0) {
			fprintf(stderr, "custos: %s: SO PIN blocked; the "
			    "device cannot be initialized again\n", ctx);
			ex = EXIT_AUTH;
			goto out;
		}
	} else
		printf("factory-fresh device: the SO PIN given now becomes "
		    "its SO PIN\n");
	if (keys > 0) {
		printf("The device holds %d key%s; initializing deletes "
		    "%s.\n", keys, keys == 1 ? "" : "s", keys == 1 ? "it" :
		    "them all");
		if (!erase && isatty(STDIN_FILENO)) {
			printf("Type ERASE to go on: ");
			fflush(stdout);
			if (fgets(answer, sizeof(answer), stdin) != NULL &&
			    strcmp(answer, "ERASE\n") == 0)
				erase = 1;
		}
		if (!erase) {
			fprintf(stderr, "custos: %s: refusing to delete %d "
			    "key%s (type ERASE, or --erase-keys)\n", ctx, keys,
			    keys == 1 ? "" : "s");
			ex = EXIT_REFUSED;
			goto out;
		}
	}
	if (shares > 0)
		printf("Note: keys generated before all %ld DKEK shares are "
		    "imported can never be exported.\n", shares);
	if ((ex = read_so_pin(ctx, &ssrc, so)) != EXIT_OK_)
		goto out;
	if ((ex = read_pin(ctx, &psrc, "new user PIN", 1, &pin, &pinlen)) !=
	    EXIT_OK_)
		goto out;
	r = sc_hsm_initialize(c, so, pin, pinlen, (int)retries, (int)shares,
	    &so_tries);
	if (r != 0) {
		pin_error(ctx, "SO PIN", r, so_tries);
		ex = cli_exit_code(r);
		goto out;
	}
	printf("initialized: user PIN tries %ld, DKEK shares %s\n", retries,
	    shares > 0 ? "configured" : "none");
	if (shares > 0)
		printf("DKEK shares          : %ld outstanding\n", shares);
	ex = EXIT_OK_;
 out:
	secmem_wipe(so, sizeof(so));
	if (pin != NULL)
		secmem_free(pin);
	card_close(c);
	prompt_src_close(&psrc);
	prompt_src_close(&ssrc);
	return ex;
}

static int
hsm_import_share(int argc, char **argv)
{
	static const char ctx[] = "hsm import-share";
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "expect-kcv", required_argument, NULL, 'k' },
		{ "passphrase-fd", required_argument, NULL, 'f' },
		{ "passphrase-file", required_argument, NULL, 'F' },
		{ "pin-fd", required_argument, NULL, 'p' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *fd = NULL, *file = NULL, *pfd = NULL,
	    *pfile = NULL, *expect = NULL;
	const unsigned char *list[64];
	struct prompt_src src, psrc;
	struct sharefile_info info;
	struct sc_hsm_status st;
	struct card *c = NULL;
	unsigned char *shares = NULL, *dkek = NULL, want[8], got[8];
	char hex[17], grouped[20], *pin = NULL;
	size_t n, i, dup_a = 0, dup_b = 0, pinlen = 0;
	int ch, ex, r, total = 0, left = 0, have_want = 0, tries = -1, zero;

	optind = 0;
	opterr = 0;
	prompt_src_tty(&src);
	prompt_src_tty(&psrc);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': spec = optarg; break;
		case 'k': expect = optarg; break;
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'p': pfd = optarg; break;
		case 'P': pfile = optarg; break;
		case 'h':
			printf("usage: custos hsm import-share FILE... "
			    "[--expect-kcv HEX] [--card SPEC]\n"
			    "         [--passphrase-fd N | --passphrase-file "
			    "PATH] [--pin-fd N | --pin-file PATH]\n\n"
			    "Decrypts each share file (custos v1 or .pbe), "
			    "refuses a share given twice,\nthen imports them "
			    "one by one and shows how many are still "
			    "outstanding.\nWhen the DKEK is complete, "
			    "compares the device's KCV with the KCV "
			    "expected:\n--expect-kcv, or the shares' own "
			    "when these files are all the shares. A KCV\n"
			    "of all zeros means \"unknown until PIN login\": "
			    "custos then asks for the user\nPIN and reads it "
			    "again; it is never taken as a match.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0 || n > 64)
		return cli_usage_error(ctx, "give 1 to 64 share files");
	if (expect != NULL) {
		char compact[17];
		size_t k = 0;

		for (i = 0; expect[i] != '\0' && k < 16; i++)
			if (expect[i] != ' ')
				compact[k++] = expect[i];
		compact[k] = '\0';
		if (k != 16 || expect[i] != '\0' ||
		    decode_hex(want, 8, compact, 16) != 0)
			return cli_usage_error(ctx, "--expect-kcv is 16 hex "
			    "digits");
		have_want = 1;
	}
	if ((ex = cli_secret_source(&src, fd, file, ctx)) != EXIT_OK_)
		return ex;
	if ((ex = cli_secret_source(&psrc, pfd, pfile, ctx)) != EXIT_OK_)
		goto out;
	if ((shares = secmem_alloc(n * DKEK_SHARE_LEN)) == NULL ||
	    (dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		ex = cli_fail(ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	/* Every file is opened and checked before anything is sent. */
	for (i = 0; i < n; i++) {
		if ((ex = cmd_open_share(ctx, argv[optind + i], &src,
		    shares + i * DKEK_SHARE_LEN, &info)) != EXIT_OK_)
			goto out;
		list[i] = shares + i * DKEK_SHARE_LEN;
	}
	r = dkek_combine(dkek, got, list, n, &dup_a, &dup_b);
	if (r == CUSTOS_ERR_DUPLICATE_SHARE) {
		fprintf(stderr, "custos: %s: %s and %s hold the same share; "
		    "nothing imported\n", ctx, argv[optind + dup_a],
		    argv[optind + dup_b]);
		ex = EXIT_REFUSED;
		goto out;
	}
	if ((ex = open_card(ctx, spec, &c)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_status(c, &st)) != 0) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	if (st.dkek_total <= 0 || st.dkek_left <= 0 ||
	    (size_t)st.dkek_left < n) {
		fprintf(stderr, "custos: %s: the device takes %d more "
		    "share%s, not %zu; nothing imported\n", ctx,
		    st.dkek_left < 0 ? 0 : st.dkek_left,
		    st.dkek_left == 1 ? "" : "s", n);
		ex = EXIT_REFUSED;
		goto out;
	}
	/* These files are the whole DKEK: their KCV is the one to get. */
	if (!have_want && st.dkek_left == st.dkek_total &&
	    (size_t)st.dkek_total == n && r == 0) {
		memcpy(want, got, 8);
		have_want = 1;
	}
	for (i = 0; i < n; i++) {
		r = sc_hsm_import_share(c, list[i], &total, &left, got);
		if (r != 0) {
			fprintf(stderr, "custos: %s: %s: %s (%zu of %zu "
			    "imported)\n", ctx, argv[optind + i],
			    custos_strerror(r), i, n);
			ex = cli_exit_code(r);
			goto out;
		}
		printf("imported %s: %d of %d shares in, %d outstanding\n",
		    argv[optind + i], total - left, total, left);
	}
	if (left > 0) {
		printf("DKEK incomplete: %d share%s still to import\n", left,
		    left == 1 ? "" : "s");
		ex = EXIT_OK_;
		goto out;
	}
	for (zero = 1, i = 0; i < 8; i++)
		if (got[i] != 0)
			zero = 0;
	if (zero) {
		printf("The device shows KCV 0000000000000000: unknown until "
		    "PIN login.\n");
		if ((ex = read_pin(ctx, &psrc, "user PIN", 0, &pin,
		    &pinlen)) != EXIT_OK_)
			goto out;
		if ((r = sc_hsm_verify_pin(c, pin, pinlen, &tries)) != 0 ||
		    (r = sc_hsm_dkek_query(c, &total, &left, got)) != 0) {
			pin_error(ctx, "user PIN", r, tries);
			ex = cli_exit_code(r);
			goto out;
		}
		for (zero = 1, i = 0; i < 8; i++)
			if (got[i] != 0)
				zero = 0;
		if (zero) {
			fprintf(stderr, "custos: %s: the device still shows "
			    "no KCV; cannot confirm the DKEK\n", ctx);
			ex = EXIT_FAIL;
			goto out;
		}
	}
	dkek_kcv_hex(hex, got);
	encode_hex_grouped8(grouped, got);
	printf("DKEK complete. device KCV: %s  (%s)\n", hex, grouped);
	if (!have_want) {
		printf("no expected KCV given: compare it with the ceremony "
		    "record (custos dkek kcv)\n");
		ex = EXIT_OK_;
	} else if (memcmp(want, got, 8) == 0) {
		printf("KCV MATCHES the expected KCV: same DKEK\n");
		ex = EXIT_OK_;
	} else {
		dkek_kcv_hex(hex, want);
		fprintf(stderr, "custos: %s: KCV MISMATCH: expected %s; the "
		    "device holds a different DKEK\n", ctx, hex);
		ex = EXIT_FAIL;
	}
 out:
	if (shares != NULL) {
		secmem_wipe(shares, n * DKEK_SHARE_LEN);
		secmem_free(shares);
	}
	if (dkek != NULL)
		secmem_free(dkek);
	if (pin != NULL)
		secmem_free(pin);
	card_close(c);
	prompt_src_close(&src);
	prompt_src_close(&psrc);
	return ex;
}

static const struct cli_cmd hsm_cmds[] = {
	{ "readers", hsm_readers, "list PC/SC readers" },
	{ "status", hsm_status, "firmware, PIN tries, DKEK shares and KCV" },
	{ "init", hsm_init, "initialize: SO PIN, user PIN, DKEK share count" },
	{ "import-share", hsm_import_share, "import DKEK shares, check the "
	    "KCV" },
	{ NULL, NULL, NULL },
};

int
cmd_hsm(int argc, char **argv)
{
	return cli_dispatch("hsm", hsm_cmds, argc - 1, argv + 1);
}
