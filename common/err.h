/*
 * err.h - the one flat list of custos error codes.
 *
 * Every function that can fail returns 0 (CUSTOS_OK) on success or one of
 * these negative codes; custos_strerror() gives the one-line message.
 */
#ifndef CUSTOS_ERR_H
#define CUSTOS_ERR_H

#define CUSTOS_WUR __attribute__((warn_unused_result))

enum custos_err {
	CUSTOS_OK = 0,
	CUSTOS_ERR_INTERNAL = -1,	/* a bug: should not happen */
	CUSTOS_ERR_NOMEM = -2,		/* out of (guarded) memory */
	CUSTOS_ERR_INVALID_ARG = -3,	/* caller passed something invalid */
	CUSTOS_ERR_IO = -4,		/* read/write/fsync failed (see errno) */
	CUSTOS_ERR_EXISTS = -5,		/* output exists; refusing to overwrite */
	CUSTOS_ERR_NOT_FOUND = -6,	/* input does not exist */
	CUSTOS_ERR_TOO_LARGE = -7,	/* input larger than any valid one */
	CUSTOS_ERR_FORMAT = -8,		/* input is not in the expected format */
	CUSTOS_ERR_TRUNCATED = -9,	/* input ends early */
	CUSTOS_ERR_CORRUPT = -10,	/* input was altered or damaged */
	CUSTOS_ERR_BAD_PASSPHRASE = -11, /* wrong passphrase or altered file */
	CUSTOS_ERR_WEAK_PASSPHRASE = -12, /* passphrase too weak to protect a key */
	CUSTOS_ERR_PASSPHRASE_MISMATCH = -13, /* confirmation differs */
	CUSTOS_ERR_DUPLICATE_SHARE = -14, /* same share given twice */
	CUSTOS_ERR_ZERO_DKEK = -15,	/* shares cancel out to the all-zero DKEK */
	CUSTOS_ERR_UNSUPPORTED = -16,	/* valid but unsupported version/option */
	CUSTOS_ERR_NO_TTY = -17,	/* a terminal is needed and there is none */
	CUSTOS_ERR_CRYPTO = -18,	/* the crypto library failed */
	CUSTOS_ERR_FINGERPRINT = -19,	/* share does not match its fingerprint */
	CUSTOS_ERR_NO_SPACE = -20,	/* disk full */
	CUSTOS_ERR_PERMISSION = -21,	/* permission denied */
	CUSTOS_ERR_CANCELLED = -22,	/* the user cancelled */
	CUSTOS_ERR_LIMIT = -23,		/* a parameter is outside its allowed range */
	CUSTOS_ERR_CLOSED = -24,	/* the ceremony is closed */
	CUSTOS_ERR_BUSY = -25,		/* in use by another custos process */
	CUSTOS_ERR_PCSC = -26,		/* the PC/SC service is not running */
	CUSTOS_ERR_NO_READER = -27,	/* no (such) smart card reader */
	CUSTOS_ERR_NO_CARD = -28,	/* no card in the reader */
	CUSTOS_ERR_CARD_REMOVED = -29,	/* card removed during an operation */
	CUSTOS_ERR_NOT_SC_HSM = -30,	/* the card is not a SmartCard-HSM */
	CUSTOS_ERR_WRONG_PIN = -31,	/* wrong PIN (tries left: see caller) */
	CUSTOS_ERR_PIN_BLOCKED = -32,	/* PIN blocked: no tries left */
	CUSTOS_ERR_NOT_LOGGED_IN = -33,	/* the card wants a PIN first */
	CUSTOS_ERR_CARD = -34,		/* the card refused the command */
	CUSTOS_ERR_DKEK_MISMATCH = -35,	/* key blob not made under this DKEK */
	CUSTOS_ERR_CARD_FULL = -36,	/* no room left on the card */
	CUSTOS_ERR_NO_KEY = -37,	/* no key with that reference */
	CUSTOS_ERR_PROTOCOL = -38,	/* the card's answer makes no sense */
	CUSTOS_ERR_NO_DKEK = -39,	/* the card has no (complete) DKEK */
	CUSTOS_ERR_REFUSED = -40,	/* refused: not confirmed, would erase,
					   already done (the message says) */
	CUSTOS_ERR_QUIT = -41,		/* the person chose to quit the run
					   (not: this step, this member) */
};

/* Returns a static one-line message for an error code; never NULL. */
const char *custos_strerror(int err);

/* Maps an errno value from a failed file operation to an error code. */
int custos_err_from_errno(int errnum);

#endif
