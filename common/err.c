/* err.c - messages for the custos error codes. */
#include <errno.h>

#include "err.h"

const char *
custos_strerror(int err)
{
	switch (err) {
	case CUSTOS_OK: return "success";
	case CUSTOS_ERR_INTERNAL: return "internal error";
	case CUSTOS_ERR_NOMEM: return "out of memory";
	case CUSTOS_ERR_INVALID_ARG: return "invalid argument";
	case CUSTOS_ERR_IO: return "input/output error";
	case CUSTOS_ERR_EXISTS: return "file exists; refusing to overwrite it";
	case CUSTOS_ERR_NOT_FOUND: return "no such file";
	case CUSTOS_ERR_TOO_LARGE: return "input is too large";
	case CUSTOS_ERR_FORMAT: return "not in the expected format";
	case CUSTOS_ERR_TRUNCATED: return "input is truncated";
	case CUSTOS_ERR_CORRUPT: return "input is corrupted";
	case CUSTOS_ERR_BAD_PASSPHRASE:
		return "wrong passphrase, or the file was altered";
	case CUSTOS_ERR_WEAK_PASSPHRASE: return "passphrase is too weak";
	case CUSTOS_ERR_PASSPHRASE_MISMATCH: return "passphrases do not match";
	case CUSTOS_ERR_DUPLICATE_SHARE: return "the same share was given twice";
	case CUSTOS_ERR_ZERO_DKEK:
		return "the shares cancel out to the all-zero DKEK";
	case CUSTOS_ERR_UNSUPPORTED: return "unsupported version or option";
	case CUSTOS_ERR_NO_TTY: return "no terminal to read from";
	case CUSTOS_ERR_CRYPTO: return "cryptographic library failure";
	case CUSTOS_ERR_FINGERPRINT:
		return "share does not match the fingerprint in its header";
	case CUSTOS_ERR_NO_SPACE: return "no space left on device";
	case CUSTOS_ERR_PERMISSION: return "permission denied";
	case CUSTOS_ERR_CANCELLED: return "cancelled";
	case CUSTOS_ERR_LIMIT: return "parameter outside its allowed range";
	case CUSTOS_ERR_CLOSED:
		return "the ceremony is closed; nothing can be appended";
	case CUSTOS_ERR_BUSY:
		return "the ceremony is in use by another custos process";
	case CUSTOS_ERR_PCSC:
		return "the PC/SC service is not available (is pcscd running?)";
	case CUSTOS_ERR_NO_READER: return "no smart card reader found";
	case CUSTOS_ERR_NO_CARD: return "no card in the reader";
	case CUSTOS_ERR_CARD_REMOVED:
		return "the card was removed during the operation";
	case CUSTOS_ERR_NOT_SC_HSM: return "the card is not a SmartCard-HSM";
	case CUSTOS_ERR_WRONG_PIN: return "wrong PIN";
	case CUSTOS_ERR_PIN_BLOCKED: return "PIN blocked";
	case CUSTOS_ERR_NOT_LOGGED_IN:
		return "the card wants the user PIN first";
	case CUSTOS_ERR_CARD: return "the card refused the command";
	case CUSTOS_ERR_DKEK_MISMATCH:
		return "the wrapped key does not match the device's DKEK, or "
		    "was altered";
	case CUSTOS_ERR_CARD_FULL: return "no room left on the card";
	case CUSTOS_ERR_NO_KEY: return "no key with that reference on the card";
	case CUSTOS_ERR_PROTOCOL: return "the card's answer is malformed";
	case CUSTOS_ERR_NO_DKEK:
		return "the device has no complete DKEK";
	case CUSTOS_ERR_REFUSED: return "refused";
	case CUSTOS_ERR_QUIT: return "stopped: quit was chosen (resume later)";
	}
	return "unknown error";
}

int
custos_err_from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT: case ENOTDIR: return CUSTOS_ERR_NOT_FOUND;
	case EEXIST: return CUSTOS_ERR_EXISTS;
	case ENOSPC: case EDQUOT: return CUSTOS_ERR_NO_SPACE;
	case EACCES: case EPERM: case EROFS: return CUSTOS_ERR_PERMISSION;
	case ENOMEM: return CUSTOS_ERR_NOMEM;
	case EFBIG: return CUSTOS_ERR_TOO_LARGE;
	}
	return CUSTOS_ERR_IO;
}
