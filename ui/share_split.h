/*
 * share_split.h - what the M-of-N commands share: custos share split,
 * reshare and print (ui/cmd_share_split.c) and custos share combine
 * (ui/cmd_share_combine.c). Their options, and the steps two of them need.
 */
#ifndef CUSTOS_SHARE_SPLIT_H
#define CUSTOS_SHARE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../ceremony/dkek.h"
#include "../common/err.h"
#include "../shamir/pwshare.h"

#define SPLIT_MAX_CUSTODIANS PWSHARE_MAX

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
	int new_share, check, share_files, help;
	int npos;
	char **pos;
};

/* What combining shares gave (split_combine()). */
struct split_result {
	unsigned char *share;		/* DKEK_SHARE_LEN, guarded */
	int legacy;			/* sc-hsm-tool password shares */
	unsigned int threshold, count, given;
	uint16_t identifier;		/* SLIP-39 only */
	char ident[64];			/* identifier or prime, as text */
	char wrong[128];		/* shares found wrong, "" if none */
};

/* Parses the options of every M-of-N command. Returns an exit code. */
int split_parse_args(const char *ctx, int argc, char **argv,
    struct split_args *a) CUSTOS_WUR;

/* Frees what split_parse_args() allocated. */
void split_args_free(struct split_args *a);

/* Checks custodian labels and the threshold for at most max shares. */
int split_check_custodians(const char *ctx, const struct split_args *a,
    size_t max) CUSTOS_WUR;

/* Writes DIR/PREFIX-I-LABEL.EXT (label reduced to safe bytes) to path. */
void split_out_name(char *path, size_t sz, const char *dir,
    const char *prefix, size_t i, const char *label, const char *ext);

/*
 * Makes a->out_dir (0700) unless it is a directory, and refuses when any
 * file the split would write there exists. Returns an exit code.
 */
int split_prepare_out_dir(const char *ctx, const struct split_args *a,
    const char *prefix, int with_share_files) CUSTOS_WUR;

/* Creates path atomically (never clobbering); prints it. Exit code. */
int split_write_file(const char *ctx, const char *path, const char *buf,
    size_t len) CUSTOS_WUR;

/* The ceremony line of a sheet ("title (id)"), or NULL. */
const char *split_ceremony_line(char *buf, size_t sz,
    const struct split_args *a, struct ceremony *cer);

/*
 * The facts a split records: scheme, threshold, count, custodian labels,
 * identifier, share fingerprint - never a share. NULL on failure.
 */
json_t *split_facts(const char *scheme, const struct split_args *a,
    const char *ident, const unsigned char fpr[DKEK_FPR_LEN]);

/* Checks --kdf-memory / --kdf-passes for new v1 files. Exit code. */
int split_check_kdf(const char *ctx, const struct split_args *a) CUSTOS_WUR;

/*
 * Reads shares as the options say (--shares-file/--shares-fd, member
 * share files given as arguments, or the terminal one per prompt), checks
 * each as it comes, then all together, and rebuilds the DKEK share into
 * res (res->share allocated here; free with split_result_free). Prints
 * one line on error; returns an exit code.
 */
int split_combine(const char *ctx, const struct split_args *a,
    struct split_result *res) CUSTOS_WUR;

/* Wipes and frees res->share. */
void split_result_free(struct split_result *res);

/*
 * Parses a share fingerprint (16 hex digits, spaces allowed) for
 * --expect-fingerprint. Returns 0 or -1.
 */
int split_parse_fpr(const char *s, unsigned char fpr[DKEK_FPR_LEN]) CUSTOS_WUR;

/*
 * Splits share with SLIP-39 for a->cust (threshold a->threshold), checks
 * that a quorum of the new mnemonics gives share back, then writes one
 * sheet per custodian (and v1 member share files with --share-files) into
 * a->out_dir. avoid_id (-1: none) is an identifier the new split must not
 * have (the retired set's). *id gets the new identifier. Prints what it
 * wrote; one line on error; returns an exit code.
 */
int split_slip39(const char *ctx, const struct split_args *a,
    struct ceremony *cer, const unsigned char *share, long avoid_id,
    uint16_t *id) CUSTOS_WUR;

#endif
