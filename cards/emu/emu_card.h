/*
 * emu_card.h - the emulated SmartCard-HSM as a card backend (in-process),
 * and the fault injection tests use on it and on `emulator serve`.
 */
#ifndef CUSTOS_EMU_CARD_H
#define CUSTOS_EMU_CARD_H

#include "../../common/err.h"

struct card;

/* Faults to inject: the card is removed when the remove_at-th APDU
 * (1-based; 0 never) arrives, and every answer waits delay_ms. */
struct emu_faults {
	unsigned long remove_at;
	unsigned long delay_ms;
	int no_applet;		/* a card without the SmartCard-HSM applet */
	/* remove-on=INS:N: the card is removed when the N-th command with
	   instruction byte INS (hex) arrives, before the card sees it */
	int remove_ins;		/* -1: none */
	unsigned long remove_ins_n;
	/* exit-after=INS:N: the process ends (exit status 137, as killed)
	   right after the card acted on the N-th command with INS and saved
	   its state, before the answer arrives: a cut at the worst moment */
	int exit_ins;		/* -1: none */
	unsigned long exit_ins_n;
	/* sw-on=INS:SW: every command with instruction byte INS is answered
	   with the status word SW (hex) and not carried out, as a card that
	   answers it otherwise would */
	int sw_ins;		/* -1: none */
	uint16_t sw_val;
	int kcv_after_login;	/* kcv-after-login=1: the KCV shows only
				   after the user PIN is verified */
};

/*
 * Parses "remove-at=N,delay-ms=M,no-applet=1,remove-on=INS:N,
 * exit-after=INS:N" (any of them, any order; "" none). Returns 0 or
 * CUSTOS_ERR_FORMAT.
 */
int emu_faults_parse(const char *s, struct emu_faults *f) CUSTOS_WUR;

/*
 * Answers cmd[0..n) in rsp as a card without the SmartCard-HSM applet
 * would, when f says so: returns 1 then, else 0 (the emulator answers).
 */
int emu_faults_answer(const struct emu_faults *f, const uint8_t *cmd,
    size_t n, uint8_t *rsp, size_t cap, size_t *rlen);

/*
 * Opens emulated device name in-process as a card (faults from
 * $CUSTOS_EMU_FAULTS). Returns emu_open() errors: CUSTOS_ERR_BUSY when the
 * device is being served to pcscd.
 */
int emu_card_open(const char *name, struct card **out) CUSTOS_WUR;

#endif
