/*
 * dkek_sources.h - the options that name a DKEK's shares for the
 * commands that rebuild it in memory, without a device (backup verify
 * --deep, import-key, export-key): share files (custos v1 or .pbe),
 * SLIP-39 mnemonics and sc-hsm-tool password shares. Each source gives
 * one DKEK share; the DKEK is their XOR, as the card makes it. The
 * rebuilding is the engine's (op_dkek_rebuild()).
 */
#ifndef CUSTOS_DKEK_SOURCES_H
#define CUSTOS_DKEK_SOURCES_H

#include <getopt.h>
#include <stddef.h>

#include "../ceremony/op_share.h"

#define DKEK_MAX_SOURCES 16

enum {
	DKEK_OPT_SHARE = 1100, DKEK_OPT_MNEM, DKEK_OPT_PWSHARES, DKEK_OPT_PBE,
	DKEK_OPT_PW_FD, DKEK_OPT_PW_FILE,
};

/* The getopt_long entries for the sources. */
#define DKEK_SOURCE_OPTIONS \
	{ "share", required_argument, NULL, DKEK_OPT_SHARE }, \
	{ "mnemonics-file", required_argument, NULL, DKEK_OPT_MNEM }, \
	{ "pwshares-file", required_argument, NULL, DKEK_OPT_PWSHARES }, \
	{ "pbe", required_argument, NULL, DKEK_OPT_PBE }, \
	{ "passphrase-fd", required_argument, NULL, DKEK_OPT_PW_FD }, \
	{ "passphrase-file", required_argument, NULL, DKEK_OPT_PW_FILE }

#define DKEK_SOURCE_USAGE \
	"         [--share FILE]... [--mnemonics-file F]... " \
	"[--pwshares-file F --pbe FILE]\n" \
	"         [--passphrase-fd N | --passphrase-file PATH]\n"

struct dkek_sources {
	char *files[DKEK_MAX_SOURCES];		/* share files */
	size_t nfiles;
	char *mnem[DKEK_MAX_SOURCES];		/* SLIP-39, one per line */
	size_t nmnem;
	const char *pwshares, *pbe;		/* sc-hsm-tool shares */
	const char *pw_fd, *pw_file;		/* passphrases */
	struct op_dkek_sources op;		/* for the engine */
};

/* Takes a source option: 1 when ch was one, -1 too many, else 0. */
int dkek_sources_option(struct dkek_sources *s, int ch, char *arg);

/* Non-zero when any source was given. */
int dkek_sources_given(const struct dkek_sources *s);

/* Checks the combination and fills s->op; prints one line; returns an
   exit code. */
int dkek_sources_check(const char *ctx, struct dkek_sources *s);

#endif
