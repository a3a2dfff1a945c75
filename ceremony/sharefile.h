/*
 * sharefile.h - DKEK share files of either format, read and written as
 * whole files: detection, decryption, atomic never-clobbering creation.
 */
#ifndef CUSTOS_SHAREFILE_H
#define CUSTOS_SHAREFILE_H

#include <stddef.h>

#include "../common/err.h"
#include "sharefile_pbe.h"
#include "sharefile_v1.h"

enum sharefile_format {
	SHAREFILE_UNKNOWN = 0,
	SHAREFILE_PBE,		/* sc-hsm-tool .pbe */
	SHAREFILE_V1,		/* custos share file v1 */
};

struct sharefile_info {
	enum sharefile_format format;
	struct v1_header v1;	/* valid for SHAREFILE_V1 */
	unsigned char pbe_salt[PBE_SALT_LEN];	/* valid for SHAREFILE_PBE */
};

/* Name of a format for messages ("custos v1", "sc-hsm-tool .pbe"). */
const char *sharefile_format_name(enum sharefile_format f);

/*
 * Reads path and parses its public part (no passphrase) into info.
 * Returns 0, an atomicio_read() error, or a v1_parse()/pbe_parse() error;
 * CUSTOS_ERR_FORMAT when the file is neither kind of share file.
 */
int sharefile_inspect(const char *path, struct sharefile_info *info)
    CUSTOS_WUR;

/*
 * Reads and decrypts path into share (32 bytes, guarded memory). iterations
 * is the legacy KDF count (PBE_ITERATIONS). Returns 0 or an error code
 * (CUSTOS_ERR_BAD_PASSPHRASE for a wrong passphrase).
 */
int sharefile_open(const char *path, unsigned char *share,
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations,
    struct sharefile_info *info) CUSTOS_WUR;

/*
 * Encrypts share into a new file at path in the given format; for v1, h
 * supplies the header (see v1_seal()). The file is created atomically and
 * never replaces an existing one. Returns 0 or an error code.
 */
int sharefile_create(const char *path, enum sharefile_format format,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen,
    struct v1_header *h, unsigned long iterations) CUSTOS_WUR;

#endif
