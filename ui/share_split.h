/*
 * share_split.h - what the M-of-N commands share: custos share split,
 * reshare and print (ui/cmd_share_split.c) and custos share combine
 * (ui/cmd_share_combine.c). Their options, and the steps two of them need.
 */
#ifndef CUSTOS_SHARE_SPLIT_H
#define CUSTOS_SHARE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "../ceremony/paper.h"
#include "../common/err.h"

#define SPLIT_MAX_CUSTODIANS 255	/* sc-hsm-tool's most */

struct ceremony;

struct split_args {
	const char *ceremony_dir, *admin_fd, *admin_file, *actor;
	const char *scheme;		/* "slip39" (default) or "sc-hsm" */
	const char *out, *out_dir, *format, *label, *title, *qr;
	const char *pw_fd, *pw_file;	/* input share file(s) */
	const char *new_pw_fd, *new_pw_file;	/* files written */
	const char *shares_fd, *shares_file;	/* shares to combine */
	const char *pbe;		/* the .pbe of sc-hsm-tool shares */
	const char *expect_fpr, *fpr;
	const char *cust[SPLIT_MAX_CUSTODIANS];
	size_t ncust;
	char *cust_buf;			/* owns --custodians copies */
	unsigned long threshold;	/* 0: not given */
	unsigned long long kdf_mem_mib, kdf_ops;
	enum paper_size paper;		/* --paper (default A4) */
	int new_share, check, share_files, help;
	int npos;
	char **pos;
};

/* Parses the options of every M-of-N command. Returns an exit code. */
int split_parse_args(const char *ctx, int argc, char **argv,
    struct split_args *a) CUSTOS_WUR;

/* Frees what split_parse_args() allocated. */
void split_args_free(struct split_args *a);

/* Checks custodian labels and the threshold for at most max shares. */
int split_check_custodians(const char *ctx, const struct split_args *a,
    size_t max) CUSTOS_WUR;

/* Checks --kdf-memory / --kdf-passes for new v1 files. Exit code. */
int split_check_kdf(const char *ctx, const struct split_args *a) CUSTOS_WUR;

/*
 * Parses a share fingerprint (16 hex digits, spaces allowed) into fpr (16
 * upper-case hex digits). Returns 0 or -1.
 */
int split_parse_fpr(const char *s, char fpr[17]) CUSTOS_WUR;

/*
 * The combine arguments of the options: member share files given as
 * arguments, the --shares-file/--shares-fd input, or the terminal; the
 * scheme (sc-hsm: legacy), --pbe and --threshold. Sets the SHARES source
 * in io. Prints one line on error; returns an exit code.
 */
struct cli_io;
struct op_combine_args;
int split_combine_args(const char *ctx, const struct split_args *a,
    struct cli_io *io, struct op_combine_args *ca) CUSTOS_WUR;

#endif
