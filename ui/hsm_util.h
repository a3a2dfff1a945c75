/*
 * hsm_util.h - what the `custos hsm` subcommands share: the options every
 * one of them takes (--card, the user PIN source, --ceremony), opening the
 * card with the REHEARSAL notice, reading PINs, logging in with the tries
 * left, and the facts every hsm record carries.
 */
#ifndef CUSTOS_HSM_UTIL_H
#define CUSTOS_HSM_UTIL_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prompt.h"

struct card;
struct ceremony;

/* Option codes of the shared options (above any short option). */
enum {
	HSM_OPT_CARD = 1000, HSM_OPT_PIN_FD, HSM_OPT_PIN_FILE,
	HSM_OPT_CEREMONY, HSM_OPT_ADMIN_FD, HSM_OPT_ADMIN_FILE, HSM_OPT_ACTOR,
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
	{ "actor", required_argument, NULL, HSM_OPT_ACTOR }

/* The usage text of the shared options. */
#define HSM_COMMON_USAGE \
	"         [--card pcsc[:READER] | emu:NAME] [--pin-fd N | " \
	"--pin-file PATH]\n" \
	"         [--ceremony DIR [--actor NAME] [--admin-passphrase-fd N " \
	"| -file PATH]]\n"

/* What the shared options gave, and what they opened. */
struct hsm_ctx {
	const char *ctx;	/* "hsm keygen", for messages */
	const char *spec, *pin_fd, *pin_file;
	const char *cdir, *admin_fd, *admin_file, *actor;
	struct prompt_src pin_src;
	struct card *card;
	int emulated;		/* in-process, or served (ZZEMU serial) */
	char serial[17];	/* read when opened; "unknown" */
	struct ceremony *cer;
};

/* Starts h for command ctx (nothing opened yet). */
void hsm_ctx_init(struct hsm_ctx *h, const char *ctx);

/* Takes a shared option: 1 when ch was one, else 0. */
int hsm_ctx_option(struct hsm_ctx *h, int ch, const char *arg);

/*
 * Opens what the options name: the PIN source, the ceremony (checking
 * that files[0..nfiles) and out can be recorded) and the card, printing
 * REHEARSAL for the emulated one. An emulated card is refused in a
 * ceremony that is not a rehearsal. Prints one line on error; returns an
 * exit code.
 */
int hsm_ctx_open(struct hsm_ctx *h, const char *out, char *const *files,
    int nfiles);

/* Closes everything h opened. */
void hsm_ctx_close(struct hsm_ctx *h);

/*
 * Reads the user PIN from h's source and VERIFYs it; a wrong PIN says how
 * many tries are left. Prints one line on error; returns an exit code.
 */
int hsm_login(struct hsm_ctx *h);

/* Reads a PIN (6-16 characters); prints one line on error. */
int hsm_read_pin(const char *ctx, struct prompt_src *src, const char *what,
    int confirm, char **pin, size_t *len);

/* Reads the SO PIN: 16 hexadecimal digits, 8 bytes. */
int hsm_read_so_pin(const char *ctx, struct prompt_src *src, uint8_t so[8]);

/* Prints "wrong <what>, N tries left", "<what> blocked" or the error. */
void hsm_pin_error(const char *ctx, const char *what, int r, int tries);

/*
 * A new facts object for a record: reader, device serial, emulated (the
 * step was a rehearsal). NULL when out of memory.
 */
json_t *hsm_facts(struct hsm_ctx *h);

/*
 * Records action with facts (consumed; may be NULL) when a ceremony is
 * open. Returns an exit code.
 */
int hsm_record(struct hsm_ctx *h, const char *action, json_t *facts);

/* Asks on the terminal to type word to go on; 1 when typed. */
int hsm_confirm(const char *word);

/* Parses a key reference 1..255; -1 when invalid. */
int hsm_parse_ref(const char *s);

struct sc_hsm_key;

/*
 * Adds what identifies key k to facts: reference, label, ID, kind and the
 * SHA-256 of its public key (SubjectPublicKeyInfo), and the public key
 * itself (base64 DER) so that a backup can be checked against it later.
 */
void hsm_key_facts(json_t *facts, const struct sc_hsm_key *k);

/* Prints one line for k: reference, kind, label, fingerprint. */
void hsm_key_print(const struct sc_hsm_key *k);

/*
 * 32 random bytes from the card's GET CHALLENGE into out, to be mixed into
 * a new DKEK share; reader gets the reader's name. With spec NULL a PC/SC
 * card is used when one is present and nothing happens otherwise (reader
 * ""); with spec, a failure is an error. Prints one line on error;
 * returns an exit code.
 */
int hsm_card_entropy(const char *ctx, const char *spec, uint8_t out[32],
    char *reader, size_t rsz);

/* Parses --id: 1 to 32 bytes in hex into id, *len. Exit code. */
int hsm_parse_id(const char *ctx, const char *hex, uint8_t *id,
    size_t *len);

/* Refuses an output path that exists, before any PIN try or key work
 * (atomicio_create() is the real guard). Prints one line; exit code. */
int hsm_out_free(const char *ctx, const char *out);

struct backup_manifest;

/* Loads the backup set's manifest (and its SHA-256) or says in one line
 * why not. Exit code. */
int hsm_load_set(const char *ctx, const char *set, struct backup_manifest *m,
    char sha256[65]);

/* The hsm subcommands in cmd_hsm_keys.c and cmd_hsm_wrap.c. */
int cmd_hsm_keys(int argc, char **argv);
int cmd_hsm_keygen(int argc, char **argv);
int cmd_hsm_delete(int argc, char **argv);
int cmd_hsm_sign_test(int argc, char **argv);
int cmd_hsm_change_pin(int argc, char **argv);
int cmd_hsm_wrap(int argc, char **argv);
int cmd_hsm_unwrap(int argc, char **argv);

#endif
