/*
 * hsm_util.h - what the `custos hsm` and `custos backup` subcommands
 * share: the options every one of them takes (--card, the user PIN
 * source, --ceremony), and opening what they name through the engine:
 * the ceremony (unlocked, reconciled) and the device, with the REHEARSAL
 * notice.
 */
#ifndef CUSTOS_HSM_UTIL_H
#define CUSTOS_HSM_UTIL_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "../ceremony/op_hsm.h"
#include "cli_io.h"

/* Option codes of the shared options (above any short option). */
enum {
	HSM_OPT_CARD = 1000, HSM_OPT_PIN_FD, HSM_OPT_PIN_FILE,
	HSM_OPT_CEREMONY, HSM_OPT_ADMIN_FD, HSM_OPT_ADMIN_FILE, HSM_OPT_ACTOR,
	HSM_OPT_DOMAIN, HSM_OPT_PKA_AUTH,
};

/* The shared entries of a getopt_long table. */
#define HSM_COMMON_OPTIONS \
	{ "card", required_argument, NULL, HSM_OPT_CARD }, \
	{ "pin-fd", required_argument, NULL, HSM_OPT_PIN_FD }, \
	{ "pin-file", required_argument, NULL, HSM_OPT_PIN_FILE }, \
	{ "ceremony", required_argument, NULL, HSM_OPT_CEREMONY }, \
	{ "admin-passphrase-fd", required_argument, NULL, HSM_OPT_ADMIN_FD }, \
	{ "admin-passphrase-file", required_argument, NULL, \
	    HSM_OPT_ADMIN_FILE }, \
	{ "actor", required_argument, NULL, HSM_OPT_ACTOR }, \
	{ "domain", required_argument, NULL, HSM_OPT_DOMAIN }, \
	{ "pka-auth", required_argument, NULL, HSM_OPT_PKA_AUTH }

/* The usage text of the shared options. */
#define HSM_COMMON_USAGE \
	"         [--card pcsc[:READER] | emu:NAME] [--pin-fd N | " \
	"--pin-file PATH]\n" \
	"         [--domain N (a key domain: its DKEK and keys)]\n" \
	"         [--pka-auth PERSONAL[,HOLDER] ... (public key " \
	"authentication)]\n" \
	"         [--ceremony DIR [--actor NAME] [--admin-passphrase-fd N " \
	"| -file PATH]]\n"

/* What the shared options gave, and what they opened. */
struct hsm_ctx {
	const char *ctx;	/* "hsm keygen", for messages */
	const char *spec, *pin_fd, *pin_file;
	const char *cdir, *admin_fd, *admin_file, *actor;
	int domain;		/* --domain, or -1 */
	const char *pka_spec[7], *pka_holder[7];	/* --pka-auth */
	char pka_buf[7][300];
	size_t npka;
	int pka_bad;		/* a --pka-auth too many or too long */
	struct cli_io io;
	struct op_ctx *cx;
	struct op_dev *dev;
};

/* Starts h for command ctx (nothing opened yet). */
void hsm_ctx_init(struct hsm_ctx *h, const char *ctx);

/* Takes one --pka-auth SPEC[,HOLDER]. */
void hsm_pka_option(struct hsm_ctx *h, const char *arg);

/* Takes a shared option: 1 when ch was one, else 0. */
int hsm_ctx_option(struct hsm_ctx *h, int ch, const char *arg);

/* Opens the engine (the PIN source; no ceremony, no device): enough to
   check input files first. Prints one line on error; exit code. */
int hsm_ctx_engine(struct hsm_ctx *h);

/*
 * Opens the engine and the ceremony the options name (checking that out
 * and files[0..nfiles) can be recorded), without a device. Prints one
 * line on error; returns an exit code.
 */
int hsm_ctx_begin(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles);

/*
 * hsm_ctx_begin(), then the device, printing REHEARSAL for the emulated
 * one and the reader. Prints one line on error; returns an exit code.
 */
int hsm_ctx_open(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles);

/*
 * Parses the options of a command that takes only the shared ones (and
 * -h, which prints usage): EXIT_OK_, -1 after the usage was printed, or
 * an exit code.
 */
int hsm_common_only(struct hsm_ctx *h, int argc, char **argv,
    const char *usage);

/* A --domain value: 0-255, or -2 when it is not one. */
int hsm_parse_domain(const char *s);

/* Closes everything h opened. */
void hsm_ctx_close(struct hsm_ctx *h);

/* Prints the engine's one line for r ("custos: ctx: why"); returns the
   exit code. */
int hsm_fail(const struct hsm_ctx *h, int r);

/* Parses a key reference 1..255; -1 when invalid. */
int hsm_parse_ref(const char *s);

/* Prints one line for k: reference, kind, label, fingerprint. */
void hsm_key_print(const struct op_key *k);

/* Parses --id: 1 to 32 bytes in hex into id, *len. Exit code. */
int hsm_parse_id(const char *ctx, const char *hex, uint8_t *id,
    size_t *len);

/* The hsm subcommands in cmd_hsm_keys.c and cmd_hsm_wrap.c. */
int cmd_hsm_keys(int argc, char **argv);
int cmd_hsm_keygen(int argc, char **argv);
int cmd_hsm_delete(int argc, char **argv);
int cmd_hsm_sign_test(int argc, char **argv);
int cmd_hsm_change_pin(int argc, char **argv);
int cmd_hsm_wrap(int argc, char **argv);
int cmd_hsm_unwrap(int argc, char **argv);
int cmd_hsm_readers(int argc, char **argv);
int cmd_hsm_domains(int argc, char **argv);
int cmd_hsm_domain(int argc, char **argv);

#endif
