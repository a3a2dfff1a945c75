/*
 * op_combine_int.h - what op_combine.c and op_combine_in.c share: the
 * shares read so far, and the readers of each kind of input.
 */
#ifndef CUSTOS_OP_COMBINE_INT_H
#define CUSTOS_OP_COMBINE_INT_H

#include <stddef.h>

#include "../shamir/pwshare.h"
#include "../shamir/pwshare_text.h"
#include "../shamir/slip39.h"
#include "op_share.h"

/* All shares read so far, in guarded memory. */
struct shares_in {
	struct slip39_share s39[SLIP39_MAX_SHARES];
	struct pwshare pw[PWSHARE_MAX];
	size_t n;
	char text[PWSHARE_TEXT_MAX];	/* text as read */
	size_t textlen;
};

/* Every line io gives (OP_SECRET_SHARES) until the input ends. */
int op_in_read_all(struct op_ctx *cx, struct shares_in *in) CUSTOS_WUR;

/* The whole of a text file of shares. */
int op_in_read_file(struct op_ctx *cx, const char *path,
    struct shares_in *in) CUSTOS_WUR;

/* Whether the text is sc-hsm-tool's ("Share ID", "Share value"). */
int op_in_looks_legacy(const char *text);

/* The mnemonics of in->text, one per line ('#' and blank lines skipped),
   each checked. */
int op_in_mnemonics_text(struct op_ctx *cx, struct shares_in *in)
    CUSTOS_WUR;

/* SLIP-39 at a terminal: one mnemonic per prompt, each checked as typed
   (a bad one is asked again, three times at most). */
int op_in_mnemonics_tty(struct op_ctx *cx, struct shares_in *in)
    CUSTOS_WUR;

/* Parses the sc-hsm-tool text in in->text and checks each share. */
int op_in_legacy_parse(struct op_ctx *cx, struct shares_in *in) CUSTOS_WUR;

/* sc-hsm-tool shares at a terminal: the prime once, then ID and value of
   each, checked as typed. */
int op_in_legacy_tty(struct op_ctx *cx, unsigned threshold,
    struct shares_in *in) CUSTOS_WUR;

/* One SLIP-39 member share file, opened with its holder's passphrase
   (who gets the holder). */
int op_in_member_file(struct op_ctx *cx, const char *path,
    struct slip39_share *s, char *who, size_t whosz) CUSTOS_WUR;

#endif
