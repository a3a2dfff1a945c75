/*
 * cmd_hsm.c - custos hsm readers | status | init | import-share, and the
 * dispatch table of every hsm subcommand (keys: cmd_hsm_keys.c; wrap and
 * unwrap: cmd_hsm_wrap.c). The SmartCard-HSM over PC/SC or the emulated
 * device; with --ceremony DIR each step is recorded.
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
#include "hsm_util.h"

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
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_hsm_status st;
	struct hsm_ctx h;
	json_t *facts = NULL;
	char kcv[17] = "", grouped[20];
	int ch, ex, r;

	hsm_ctx_init(&h, "hsm status");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		if (ch != 'h')
			return cli_bad_option(h.ctx, argv);
		printf("usage: custos hsm status\n" HSM_COMMON_USAGE "\n"
		    "Shows the device's firmware version, whether it is "
		    "initialized, the user and\nSO PIN tries left, and the "
		    "DKEK: shares configured, outstanding, and the KCV.\n"
		    "Without --card: the first PC/SC reader holding a card, "
		    "else the emulated\ndevice \"primary\" (REHEARSAL). Sends "
		    "no PIN.\n");
		return EXIT_OK_;
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_status(h.card, &st)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	printf("firmware             : %d.%d\n", st.fw_major, st.fw_minor);
	if (st.initialized == 0) {
		printf("initialized          : no (factory-fresh)\n");
	} else {
		printf("initialized          : %s\n", st.initialized > 0 ?
		    "yes" : "unknown");
		print_tries("SO PIN tries left", st.so_tries);
		if (st.pin_verified)
			printf("user PIN             : verified in this "
			    "session\n");
		else
			print_tries("user PIN tries left", st.pin_tries);
		if (st.dkek_total <= 0)
			printf("DKEK                 : none (keys can never be "
			    "exported)\n");
		else
			printf("DKEK shares          : %d, %d outstanding\n",
			    st.dkek_total, st.dkek_left);
		if (st.dkek_total > 0 && !st.kcv_known)
			printf("DKEK KCV             : unknown (all zero: not "
			    "complete, or shown only after PIN login)\n");
		else if (st.dkek_total > 0) {
			dkek_kcv_hex(kcv, st.kcv);
			encode_hex_grouped8(grouped, st.kcv);
			printf("DKEK KCV             : %s  (%s)\n", kcv,
			    grouped);
		}
	}
	if ((facts = hsm_facts(&h)) == NULL ||
	    json_object_set_new(facts, "initialized",
	    json_integer(st.initialized)) != 0 ||
	    json_object_set_new(facts, "pin_tries",
	    json_integer(st.pin_tries)) != 0 ||
	    json_object_set_new(facts, "so_tries",
	    json_integer(st.so_tries)) != 0 ||
	    json_object_set_new(facts, "dkek_shares",
	    json_integer(st.dkek_total)) != 0 ||
	    json_object_set_new(facts, "dkek_outstanding",
	    json_integer(st.dkek_left)) != 0 ||
	    json_object_set_new(facts, "kcv", st.kcv_known ? json_string(kcv) :
	    json_null()) != 0) {
		json_decref(facts);
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	ex = hsm_record(&h, "hsm.status", facts);
 out:
	hsm_ctx_close(&h);
	return ex;
}

/* Prints the device's SO PIN state and refuses a blocked one. */
static int
init_check(struct hsm_ctx *h, const struct sc_hsm_status *st, int keys,
    int erase)
{
	if (st->initialized == 1) {
		printf("SO PIN tries left: %d%s\n", st->so_tries,
		    st->so_tries <= 3 ? "  (CAUTION: a blocked SO PIN cannot "
		    "be reset)" : "");
		if (st->so_tries == 0) {
			fprintf(stderr, "custos: %s: SO PIN blocked; the "
			    "device cannot be initialized again\n", h->ctx);
			return EXIT_AUTH;
		}
	} else
		printf("factory-fresh device: the SO PIN given now becomes "
		    "its SO PIN\n");
	if (keys > 0) {
		printf("The device holds %d key%s; initializing deletes "
		    "%s.\n", keys, keys == 1 ? "" : "s", keys == 1 ? "it" :
		    "them all");
		if (!erase && hsm_confirm("ERASE"))
			erase = 1;
		if (!erase) {
			fprintf(stderr, "custos: %s: refusing to delete %d "
			    "key%s (type ERASE, or --erase-keys)\n", h->ctx,
			    keys, keys == 1 ? "" : "s");
			return EXIT_REFUSED;
		}
	}
	return EXIT_OK_;
}

static int
hsm_init(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "dkek-shares", required_argument, NULL, 'n' },
		{ "no-dkek", no_argument, NULL, 'N' },
		{ "pin-retries", required_argument, NULL, 'r' },
		{ "erase-keys", no_argument, NULL, 'E' },
		{ "so-pin-fd", required_argument, NULL, 's' },
		{ "so-pin-file", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sfd = NULL, *sfile = NULL;
	struct prompt_src ssrc;
	struct sc_hsm_status st;
	struct hsm_ctx h;
	json_t *facts;
	char *pin = NULL, *end;
	size_t pinlen = 0;
	uint8_t so[8];
	long shares = -2, retries = 3;
	int ch, ex, r, keys = 0, erase = 0, so_tries = -1;

	hsm_ctx_init(&h, "hsm init");
	prompt_src_tty(&ssrc);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			shares = strtol(optarg, &end, 10);
			if (*end != '\0' || shares < 1 || shares > 255)
				return cli_usage_error(h.ctx, "--dkek-shares "
				    "is 1 to 255");
			break;
		case 'N': shares = -1; break;
		case 'r':
			retries = strtol(optarg, &end, 10);
			if (*end != '\0' || retries < 1 || retries > 10)
				return cli_usage_error(h.ctx, "--pin-retries "
				    "is 1 to 10");
			break;
		case 'E': erase = 1; break;
		case 's': sfd = optarg; break;
		case 'S': sfile = optarg; break;
		case 'h':
			printf("usage: custos hsm init --dkek-shares N | "
			    "--no-dkek [--pin-retries N] [--erase-keys]\n"
			    "         [--so-pin-fd N | --so-pin-file PATH]\n"
			    HSM_COMMON_USAGE "\n"
			    "Initializes the device: the SO PIN (16 hex "
			    "digits; on a factory-fresh device it\nbecomes "
			    "the SO PIN, else it must be the current one), a "
			    "new user PIN (6-16\ncharacters, from the PIN "
			    "source) and the number of DKEK shares. Shows the "
			    "SO\nPIN tries left before sending the SO PIN. A "
			    "device holding keys is refused\nunless the "
			    "operator types ERASE (or, without a terminal, "
			    "--erase-keys):\ninitializing deletes every "
			    "key.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if (shares == -2)
		return cli_usage_error(h.ctx, "give --dkek-shares N (or "
		    "--no-dkek: keys can then never be exported)");
	if ((ex = cli_secret_source(&ssrc, sfd, sfile, h.ctx)) != EXIT_OK_)
		return ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_status(h.card, &st)) != 0 || (st.initialized == 1 &&
	    (r = sc_hsm_count_keys(h.card, &keys)) != 0)) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = init_check(&h, &st, keys, erase)) != EXIT_OK_)
		goto out;
	if (shares > 0)
		printf("Note: keys generated before all %ld DKEK shares are "
		    "imported can never be exported.\n", shares);
	if ((ex = hsm_read_so_pin(h.ctx, &ssrc, so)) != EXIT_OK_)
		goto out;
	if ((ex = hsm_read_pin(h.ctx, &h.pin_src, "new user PIN", 1, &pin,
	    &pinlen)) != EXIT_OK_)
		goto out;
	r = sc_hsm_initialize(h.card, so, pin, pinlen, (int)retries,
	    (int)shares, &so_tries);
	if (r != 0) {
		hsm_pin_error(h.ctx, "SO PIN", r, so_tries);
		ex = cli_exit_code(r);
		facts = hsm_facts(&h);
		json_object_set_new(facts, "outcome", json_string(
		    custos_strerror(r)));
		if (so_tries >= 0)
			json_object_set_new(facts, "so_tries",
			    json_integer(so_tries));
		(void)hsm_record(&h, "hsm.init.failed", facts);
		goto out;
	}
	printf("initialized: user PIN tries %ld, DKEK shares %s\n", retries,
	    shares > 0 ? "configured" : "none");
	if (shares > 0)
		printf("DKEK shares          : %ld outstanding\n", shares);
	facts = hsm_facts(&h);
	json_object_set_new(facts, "dkek_shares", json_integer(shares > 0 ?
	    shares : 0));
	json_object_set_new(facts, "pin_retries", json_integer(retries));
	json_object_set_new(facts, "keys_erased", json_integer(keys));
	ex = hsm_record(&h, "hsm.init", facts);
 out:
	secmem_wipe(so, sizeof(so));
	if (pin != NULL)
		secmem_free(pin);
	hsm_ctx_close(&h);
	prompt_src_close(&ssrc);
	return ex;
}

/* Reads the DKEK's KCV again after a PIN login (all zero before it). */
static int
kcv_after_login(struct hsm_ctx *h, uint8_t got[8])
{
	int ex, r, total = 0, left = 0;
	size_t i;

	printf("The device shows KCV 0000000000000000: unknown until PIN "
	    "login.\n");
	if ((ex = hsm_login(h)) != EXIT_OK_)
		return ex;
	if ((r = sc_hsm_dkek_query(h->card, &total, &left, got)) != 0)
		return cli_fail(h->ctx, r);
	for (i = 0; i < 8; i++)
		if (got[i] != 0)
			return EXIT_OK_;
	fprintf(stderr, "custos: %s: the device still shows no KCV; cannot "
	    "confirm the DKEK\n", h->ctx);
	return EXIT_FAIL;
}

static int
hsm_import_share(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "expect-kcv", required_argument, NULL, 'k' },
		{ "passphrase-fd", required_argument, NULL, 'f' },
		{ "passphrase-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fd = NULL, *file = NULL, *expect = NULL;
	const unsigned char *list[64];
	struct prompt_src src;
	struct sharefile_info info;
	struct sc_hsm_status st;
	struct hsm_ctx h;
	json_t *facts = NULL, *fprs = NULL;
	unsigned char *shares = NULL, *dkek = NULL, want[8], got[8];
	unsigned char fpr[DKEK_FPR_LEN];
	char hex[17], grouped[20], fhex[2 * DKEK_FPR_LEN + 1];
	size_t n, i, dup_a = 0, dup_b = 0, done = 0;
	int ch, ex, r, total = 0, left = 0, have_want = 0, zero;

	hsm_ctx_init(&h, "hsm import-share");
	prompt_src_tty(&src);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'k': expect = optarg; break;
		case 'f': fd = optarg; break;
		case 'F': file = optarg; break;
		case 'h':
			printf("usage: custos hsm import-share FILE... "
			    "[--expect-kcv HEX]\n"
			    "         [--passphrase-fd N | --passphrase-file "
			    "PATH]\n" HSM_COMMON_USAGE "\n"
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
			return cli_bad_option(h.ctx, argv);
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0 || n > 64)
		return cli_usage_error(h.ctx, "give 1 to 64 share files");
	if (expect != NULL) {
		char compact[17];
		size_t k = 0;

		for (i = 0; expect[i] != '\0' && k < 16; i++)
			if (expect[i] != ' ')
				compact[k++] = expect[i];
		compact[k] = '\0';
		if (k != 16 || expect[i] != '\0' ||
		    decode_hex(want, 8, compact, 16) != 0)
			return cli_usage_error(h.ctx, "--expect-kcv is 16 hex "
			    "digits");
		have_want = 1;
	}
	if ((ex = cli_secret_source(&src, fd, file, h.ctx)) != EXIT_OK_)
		return ex;
	if ((shares = secmem_alloc(n * DKEK_SHARE_LEN)) == NULL ||
	    (dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (fprs = json_array()) == NULL) {
		ex = cli_fail(h.ctx, CUSTOS_ERR_NOMEM);
		goto out;
	}
	/* The ceremony and the card are opened before any passphrase is
	 * asked; every file is opened and checked before anything is
	 * sent. */
	if ((ex = hsm_ctx_open(&h, NULL, argv + optind, (int)n)) != EXIT_OK_)
		goto out;
	for (i = 0; i < n; i++) {
		if ((ex = cmd_open_share(h.ctx, argv[optind + i], &src,
		    shares + i * DKEK_SHARE_LEN, &info)) != EXIT_OK_ ||
		    (ex = cmd_refuse_member(h.ctx, argv[optind + i], &info)) !=
		    EXIT_OK_)
			goto out;
		list[i] = shares + i * DKEK_SHARE_LEN;
		dkek_share_fingerprint(fpr, list[i]);
		if (encode_hex(fhex, sizeof(fhex), fpr, sizeof(fpr), 0) != 0) {
			ex = cli_fail(h.ctx, CUSTOS_ERR_INTERNAL);
			goto out;
		}
		json_array_append_new(fprs, json_string(fhex));
	}
	r = dkek_combine(dkek, got, list, n, &dup_a, &dup_b);
	if (r == CUSTOS_ERR_DUPLICATE_SHARE) {
		fprintf(stderr, "custos: %s: %s and %s hold the same share; "
		    "nothing imported\n", h.ctx, argv[optind + dup_a],
		    argv[optind + dup_b]);
		ex = EXIT_REFUSED;
		goto out;
	}
	if ((r = sc_hsm_status(h.card, &st)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if (st.dkek_total <= 0 || st.dkek_left <= 0 ||
	    (size_t)st.dkek_left < n) {
		fprintf(stderr, "custos: %s: the device takes %d more "
		    "share%s, not %zu; nothing imported\n", h.ctx,
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
		r = sc_hsm_import_share(h.card, list[i], &total, &left, got);
		if (r != 0) {
			fprintf(stderr, "custos: %s: %s: %s (%zu of %zu "
			    "imported)\n", h.ctx, argv[optind + i],
			    custos_strerror(r), i, n);
			ex = cli_exit_code(r);
			goto record;
		}
		done++;
		printf("imported %s: %d of %d shares in, %d outstanding\n",
		    argv[optind + i], total - left, total, left);
	}
	if (left > 0) {
		printf("DKEK incomplete: %d share%s still to import\n", left,
		    left == 1 ? "" : "s");
		ex = EXIT_OK_;
		goto record;
	}
	for (zero = 1, i = 0; i < 8; i++)
		if (got[i] != 0)
			zero = 0;
	if (zero && (ex = kcv_after_login(&h, got)) != EXIT_OK_)
		goto record;
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
		    "device holds a different DKEK\n", h.ctx, hex);
		ex = EXIT_FAIL;
	}
 record:
	/* What was imported is recorded whatever came after it. */
	if (done > 0 || ex != EXIT_OK_) {
		facts = hsm_facts(&h);
		json_object_set(facts, "share_fingerprints", fprs);
		json_object_set_new(facts, "imported", json_integer(
		    (json_int_t)done));
		json_object_set_new(facts, "outstanding", json_integer(left));
		if (left == 0 && done == n && ex != EXIT_AUTH) {
			dkek_kcv_hex(hex, got);
			json_object_set_new(facts, "kcv", json_string(hex));
		}
		if (have_want) {
			dkek_kcv_hex(hex, want);
			json_object_set_new(facts, "expected_kcv",
			    json_string(hex));
		}
		json_object_set_new(facts, "outcome", json_string(
		    ex == EXIT_OK_ ? "ok" : "failed"));
		r = hsm_record(&h, "hsm.import-share", facts);
		if (ex == EXIT_OK_)
			ex = r;
	}
 out:
	if (shares != NULL) {
		secmem_wipe(shares, n * DKEK_SHARE_LEN);
		secmem_free(shares);
	}
	if (dkek != NULL)
		secmem_free(dkek);
	json_decref(fprs);
	hsm_ctx_close(&h);
	prompt_src_close(&src);
	return ex;
}

static const struct cli_cmd hsm_cmds[] = {
	{ "readers", hsm_readers, "list PC/SC readers" },
	{ "status", hsm_status, "firmware, PIN tries, DKEK shares and KCV" },
	{ "init", hsm_init, "initialize: SO PIN, user PIN, DKEK share count" },
	{ "import-share", hsm_import_share, "import DKEK shares, check the "
	    "KCV" },
	{ "keys", cmd_hsm_keys, "list keys: reference, label, type, "
	    "fingerprint" },
	{ "keygen", cmd_hsm_keygen, "generate an RSA or EC key pair" },
	{ "delete", cmd_hsm_delete, "delete a key" },
	{ "wrap", cmd_hsm_wrap, "export a key under the DKEK (sc-hsm-tool "
	    "wrap file)" },
	{ "unwrap", cmd_hsm_unwrap, "import a wrap file, prove the key" },
	{ "sign-test", cmd_hsm_sign_test, "prove keys work: sign and "
	    "verify" },
	{ "change-pin", cmd_hsm_change_pin, "change the user PIN" },
	{ NULL, NULL, NULL },
};

int
cmd_hsm(int argc, char **argv)
{
	return cli_dispatch("hsm", hsm_cmds, argc - 1, argv + 1);
}
