/*
 * op_dev.h - a SmartCard-HSM as the engine uses it: opened by a spec
 * ("pcsc", "pcsc:READER", "emu:NAME") or found by its serial among the
 * PC/SC readers; its serial, reader and whether it is emulated read once,
 * so that records name it even after it was pulled; the user PIN asked
 * once and kept (guarded) while the context lives; its journal outside a
 * ceremony. Opening a device reconciles the intents its record leaves
 * open (a step cut short) before anything else is done with it.
 */
#ifndef CUSTOS_OP_DEV_H
#define CUSTOS_OP_DEV_H

#include <jansson.h>

#include "../common/err.h"
#include "op.h"

struct card;
struct op_dev;

/*
 * Opens the device spec names (NULL: in a rehearsal ceremony the emulated
 * "primary", else the first PC/SC reader holding a card, else the
 * emulated "primary"). An emulated device is refused in a ceremony that
 * is not a rehearsal. name (plan HSM name) and stands_in_for (a
 * rehearsal: the planned serial) may be NULL. The device belongs to cx
 * (freed with it). Returns 0 or an error (op_why()).
 */
int op_dev_open(struct op_ctx *cx, const char *spec, const char *name,
    const char *stands_in_for, struct op_dev **out) CUSTOS_WUR;

/*
 * Finds the device with serial among the PC/SC readers (a planned
 * ceremony). Returns 0, CUSTOS_ERR_NO_CARD ("insert it"), or an error.
 */
int op_dev_find(struct op_ctx *cx, const char *serial, const char *name,
    struct op_dev **out) CUSTOS_WUR;

/* Frees (closing the card, wiping the PIN); accepts NULL. */
void op_dev_free(struct op_dev *d);

/* Frees d and takes it out of cx (a custodian's personal device, done
   with). */
void op_dev_drop(struct op_ctx *cx, struct op_dev *d);

/* Closes the card but keeps the device (its PIN too): the next use
   opens it again, and it must be the same device. */
void op_dev_release(struct op_dev *d);

/*
 * The open card (opened again when released; the same serial is
 * required, the application selected). Returns 0 or an error (why).
 */
int op_dev_card(struct op_ctx *cx, struct op_dev *d, struct card **c)
    CUSTOS_WUR;

const char *op_dev_serial(const struct op_dev *d);
const char *op_dev_reader(const struct op_dev *d);
int op_dev_emulated(const struct op_dev *d);
const char *op_dev_label(const struct op_dev *d);	/* name or serial */

/*
 * Verifies the user PIN (asked of who once, kept; a wrong one says how
 * many tries are left and is recorded as refused). Returns 0 or an error.
 */
int op_dev_login(struct op_ctx *cx, struct op_dev *d, const char *who)
    CUSTOS_WUR;

/*
 * The key domain d works in (docs/emulator.md, "Key domains"): its DKEK
 * status and shares, and the keys generated, are that domain's, and its
 * records name it. -1, the default: none named, the device's DKEK.
 */
void op_dev_set_domain(struct op_dev *d, int domain);
int op_dev_domain(const struct op_dev *d);

/* What the user PIN prompt calls it ("PIN of alice's personal
   device"); NULL: "user PIN" or "User PIN of HSM name". */
void op_dev_set_pin_label(struct op_dev *d, const char *label);

/* Takes a PIN just set (init): the device is logged in with it. */
void op_dev_take_pin(struct op_dev *d, char *pin, size_t len);

/* Forgets the PIN kept (a wrong one, or one changed). */
void op_dev_forget_pin(struct op_dev *d);

/* The facts every device record carries: serial, reader, emulated, and
   hsm / stands_in_for when planned. NULL when out of memory. */
json_t *op_dev_facts(const struct op_dev *d);

/*
 * A transport or card error on d: the card is released when it was
 * pulled; why says the device, what was being done and the error.
 * Returns r.
 */
int op_dev_err(struct op_ctx *cx, struct op_dev *d, int r, const char *what);

/* The device's journal (outside a ceremony), or NULL. */
struct ledger *op_dev_journal(struct op_dev *d);

/* Reconciles the intents left open for d (op_reconcile.c). */
int op_reconcile_device(struct op_ctx *cx, struct op_dev *d) CUSTOS_WUR;

#endif
