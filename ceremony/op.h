/*
 * op.h - the ceremony engine: every ceremony operation is written once,
 * here in ceremony/op_*.c, and both front ends call it: the CLI turns
 * argv into a call, the walk (walk.h) turns a plan step into one. An
 * operation takes its inputs and a context, does the device and file
 * work, and writes its one record (docs/formats/transcript.md lists every
 * action and its fields; schema.c holds the same list and every record is
 * checked against it before it is written).
 *
 * Safe to cut anywhere: an operation that changes a device or writes a
 * file first records its intent (which share, key reference or file). The
 * next run reconciles every intent left open against the device and the
 * files before it does anything else, so nothing is done twice. In a
 * ceremony the transcript is the record; outside one, a small journal per
 * device serial in the state directory is.
 *
 * No terminal here: whatever a person must type, confirm or see goes
 * through struct op_io, which the CLI (ui/cli_io.c), the TUI
 * (ui/tui_walk.c) and the unit tests implement.
 */
#ifndef CUSTOS_OP_H
#define CUSTOS_OP_H

#include <stddef.h>

#include "../common/err.h"
#include "paper.h"

/* What a secret request is for: the front end chooses its source (a
 * descriptor given on the command line, a screen) from it. */
enum op_secret {
	OP_SECRET_ADMIN_NEW = 1, /* a new administrator passphrase */
	OP_SECRET_ADMIN,	/* the administrator's passphrase */
	OP_SECRET_NEW,		/* a custodian's new passphrase (confirmed) */
	OP_SECRET_NEW_LEGACY,	/* a new .pbe passphrase (sc-hsm-tool's
				   minimum), confirmed */
	OP_SECRET_OLD,		/* the passphrase of an existing share file */
	OP_SECRET_SO_PIN,	/* 16 hex digits */
	OP_SECRET_SO_PIN_NEW,	/* 16 hex digits, confirmed */
	OP_SECRET_PIN,		/* the user PIN */
	OP_SECRET_PIN_NEW,	/* a new user PIN, confirmed */
	OP_SECRET_KEY,		/* the passphrase of a private key file */
	OP_SECRET_EXPORT_NEW,	/* a new passphrase for an exported key */
	OP_SECRET_SHARES,	/* one line of M-of-N shares (mnemonic words,
				   or sc-hsm-tool share text) */
};

/* What backing out of a hand-over means. */
enum op_handover {
	OP_HANDOVER_STEP = 0,	/* the step stops; nothing is done */
	OP_HANDOVER_MEMBER,	/* this member of a group is absent: the
				   next one is asked */
};

/*
 * The front end's side. Every callback gets arg; strings are borrowed for
 * the call. Callbacks that return int return 0 to go on, or
 * CUSTOS_ERR_CANCELLED when the person backs out (nothing more is done).
 */
struct op_io {
	void *arg;
	/* who must now take the keyboard, and why (one sentence); kind
	   says what backing out means (CUSTOS_ERR_CANCELLED). A person who
	   chooses to quit the whole run gives CUSTOS_ERR_QUIT, which never
	   means "absent". */
	int (*handover)(void *arg, const char *who, const char *why,
	    enum op_handover kind);
	/*
	 * Reads a secret for who into *out (guarded memory, NUL-terminated,
	 * secmem_free() by the engine) and *len. For confirmed kinds on a
	 * terminal the front end asks twice and returns
	 * CUSTOS_ERR_PASSPHRASE_MISMATCH when they differ; the engine checks
	 * the policy. CUSTOS_ERR_TRUNCATED: the input has no line left.
	 */
	int (*secret)(void *arg, enum op_secret kind, const char *who,
	    const char *what, const char *hint, char **out, size_t *len);
	/* Whether a refused secret of this kind can be asked again (a
	   person at a terminal), or the refusal is final (a file). */
	int (*can_retry)(void *arg, enum op_secret kind);
	/* Offers who a secret (mnemonic words) on request, on a screen
	   cleared afterwards. */
	int (*reveal)(void *arg, const char *who, const char *title,
	    const char *secret);
	/* Asks who a line of plain text (never a secret): question says
	   what for, hint (may be "") what went wrong last. The answer goes
	   into out ("": none given). NULL: nothing is asked. */
	int (*text)(void *arg, const char *who, const char *question,
	    const char *hint, char *out, size_t outsz);
	/* Names the consequence; returns 0 only after word (if not "") or
	   a yes was given. */
	int (*confirm)(void *arg, const char *consequence, const char *word);
	/* A value to read aloud: label and hex digits. */
	void (*show)(void *arg, const char *label, const char *hex);
	/* Progress of work done item by item (total 0: just wait). */
	void (*progress)(void *arg, const char *what, size_t done,
	    size_t total);
	/* Runs fn(ctx), slow work; NULL: the engine calls fn itself. */
	int (*slow)(void *arg, const char *what, int (*fn)(void *ctx),
	    void *ctx);
	/* A line to show: what happened (CLI: standard output). */
	void (*note)(void *arg, const char *text);
	/* A warning (CLI: "custos: warning: ..." on standard error). */
	void (*warn)(void *arg, const char *text);
	/* After each record written (tests stop here). */
	void (*recorded)(void *arg, const char *action, const char *step);
};

struct op_ctx;
struct op_dev;
struct ceremony;

/*
 * A new context for operations done by a front end with io (borrowed:
 * it must outlive the context). why/whysz: where the one-line reason of
 * the last failure goes (NULL: kept inside, see op_why()). Returns 0 or
 * CUSTOS_ERR_NOMEM.
 */
int op_ctx_new(struct op_ctx **cx, const struct op_io *io, char *why,
    size_t whysz) CUSTOS_WUR;

/* Closes devices, wipes PINs, frees; accepts NULL. */
void op_ctx_free(struct op_ctx *cx);

/* The one-line reason of the last failure ("" when none). */
const char *op_why(const struct op_ctx *cx);

/* Points the reason of the next failures at why[0..whysz). */
void op_set_why(struct op_ctx *cx, char *why, size_t whysz);

/*
 * Who acts for records that name no one better: the CLI's --actor (NULL:
 * the operation's default, e.g. the share's label or "operator").
 */
void op_set_actor(struct op_ctx *cx, const char *actor);

/*
 * The plan step being taken (walk): its id goes into every record and
 * intent until cleared with NULL.
 */
void op_set_step(struct op_ctx *cx, const char *step);

/* Non-zero when a ceremony is open in cx. */
int op_in_ceremony(const struct op_ctx *cx);
int op_is_rehearsal(const struct op_ctx *cx);
const char *op_ceremony_id(const struct op_ctx *cx);
const char *op_ceremony_dir(const struct op_ctx *cx);
const char *op_admin(const struct op_ctx *cx);

/*
 * Unlocks the open ceremony in dir with the administrator's passphrase
 * (asked through io; up to three tries at a terminal), checks that its
 * transcript verifies and that it is not closed - nor its close cut
 * short - and reconciles the intents the transcript leaves open for
 * files. Before any device or file is touched: a refusal changes
 * nothing. Returns 0, CUSTOS_ERR_CLOSED, CUSTOS_ERR_BAD_PASSPHRASE,
 * CUSTOS_ERR_CORRUPT, ...; op_why() says why in one line.
 */
int op_ceremony_unlock(struct op_ctx *cx, const char *dir) CUSTOS_WUR;

/* What ceremony open takes. */
struct op_open_args {
	const char *title, *admin;
	const char *witnesses[16];
	size_t nwitnesses;
	int rehearsal;
	const char *plan_sha256;	/* a planned ceremony: its plan, or NULL */
	unsigned long long kdf_ops, kdf_mem_kib;	/* 0: defaults */
	int offline_required;	/* refuse while a network interface is up */
};

/* What ceremony open gives. */
struct op_open_result {
	char id[17];
	char pubkey_sha256[65];
};

/*
 * Creates the ceremony directory dir (it must not exist) under a new
 * administrator passphrase (asked through io) and records
 * ceremony.open: title, administrator, witnesses, and the software and
 * machine (custos's version, commit and executable SHA-256, its
 * libraries, the kernel, the network interfaces up). An interface up is
 * a warning, or with offline_required a refusal before anything is
 * asked or written. The ceremony stays unlocked in cx. Returns 0 or an
 * error (op_why()).
 */
/*
 * Refuses (CUSTOS_ERR_DENIED-like, op_why() naming them) while a network
 * interface other than loopback is up; 0 when none is.
 */
int op_require_offline(struct op_ctx *cx) CUSTOS_WUR;

int op_ceremony_open(struct op_ctx *cx, const char *dir,
    const struct op_open_args *a, struct op_open_result *res) CUSTOS_WUR;

/*
 * Closes the ceremony unlocked in cx (op_ceremony_unlock_for_close):
 * records ceremony.close (unless a cut close did), writes the closing
 * summary from the closed transcript (summary.txt, and summary.pdf on
 * paper: summary.h), signs the transcript, destroys the key, and leaves
 * no temporary file behind. Rerunning it after a cut finishes the close;
 * a summary file already there must hold the same bytes, else it is left
 * alone and the close stays unfinished (CUSTOS_ERR_EXISTS). Returns 0 or
 * an error (op_why()).
 */
int op_ceremony_close(struct op_ctx *cx, enum paper_size paper) CUSTOS_WUR;

/*
 * Like op_ceremony_unlock(), but for finishing or making the close: a
 * ceremony whose close record is written but whose signature is not is
 * taken, so that the close can be finished. Nothing else may follow.
 */
int op_ceremony_unlock_for_close(struct op_ctx *cx, const char *dir)
    CUSTOS_WUR;

/* The ceremony unlocked in cx (for the walk's own use), or NULL. */
struct ceremony *op_ceremony(struct op_ctx *cx);

#endif
