/*
 * sharefile_v1.h - the custos share file, version 1 (docs/formats/
 * share-file.md): an ASCII-armoured, printable text whose header is
 * authenticated as associated data of XChaCha20-Poly1305 under a key from
 * Argon2id. The text is canonical: any altered byte fails to parse or to
 * authenticate.
 */
#ifndef CUSTOS_SHAREFILE_V1_H
#define CUSTOS_SHAREFILE_V1_H

#include <stddef.h>

#include "../common/err.h"
#include "dkek.h"

#define V1_LABEL_MAX 64
#define V1_CEREMONY_MAX 64
#define V1_COMMENT_MAX 200
#define V1_SALT_LEN 16
#define V1_NONCE_LEN 24
#define V1_CT_LEN (DKEK_SHARE_LEN + 16)
#define V1_FILE_MAX 2048

/* Argon2id cost bounds a reader accepts (memory in KiB). */
#define V1_OPS_MIN 1ULL
#define V1_OPS_MAX 64ULL
#define V1_MEM_KIB_MIN 8ULL
#define V1_MEM_KIB_MAX (4ULL * 1024 * 1024)
/* Defaults a writer uses: see tests/bench/kdf for the measurements. */
#define V1_OPS_DEFAULT 2ULL
#define V1_MEM_KIB_DEFAULT (512ULL * 1024)
/* The floor the CLI enforces for new files. */
#define V1_MEM_KIB_FLOOR (256ULL * 1024)

struct v1_header {
	char label[V1_LABEL_MAX + 1];
	char ceremony[V1_CEREMONY_MAX + 1];	/* "" when absent */
	char comment[V1_COMMENT_MAX + 1];	/* "" when absent */
	char created[21];		/* YYYY-MM-DDTHH:MM:SSZ */
	unsigned char fpr[DKEK_FPR_LEN];
	unsigned long long opslimit;
	unsigned long long mem_kib;
	unsigned char salt[V1_SALT_LEN];
	unsigned char nonce[V1_NONCE_LEN];
};

/*
 * Checks a label, ceremony id or comment: UTF-8, no control characters, no
 * leading or trailing space, 1..max bytes. Returns NULL or a static reason.
 */
const char *v1_check_text(const char *s, size_t max);

/*
 * Encrypts share under pwd into a new v1 text (*out, *outlen; free()).
 * From h it takes label, ceremony, comment, created (if empty: now),
 * opslimit and mem_kib; it fills h->fpr, h->salt and h->nonce.
 * Returns 0 or a negative error code.
 */
int v1_seal(char **out, size_t *outlen, struct v1_header *h,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen)
    CUSTOS_WUR;

/*
 * Parses a v1 text without decrypting it (no I/O: safe to fuzz): fills h
 * and, when ct is non-NULL, the ciphertext. Returns 0, CUSTOS_ERR_FORMAT
 * (not a custos share file, or not canonical), CUSTOS_ERR_TRUNCATED,
 * CUSTOS_ERR_TOO_LARGE, CUSTOS_ERR_UNSUPPORTED (other version) or
 * CUSTOS_ERR_LIMIT (KDF cost out of bounds).
 */
int v1_parse(const char *in, size_t len, struct v1_header *h,
    unsigned char ct[V1_CT_LEN]) CUSTOS_WUR;

/*
 * Decrypts a v1 text into share (32 bytes, guarded memory); h may be NULL.
 * Returns 0, a v1_parse() error, CUSTOS_ERR_BAD_PASSPHRASE (wrong
 * passphrase or altered file), or CUSTOS_ERR_FINGERPRINT.
 */
int v1_open(unsigned char *share, const char *in, size_t len,
    const unsigned char *pwd, size_t pwdlen, struct v1_header *h)
    CUSTOS_WUR;

/*
 * As v1_seal(), but with the salt and nonce already in h: for known-answer
 * test vectors only. Never use a salt or nonce twice.
 */
int v1_seal_deterministic(char **out, size_t *outlen, struct v1_header *h,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen)
    CUSTOS_WUR;


#endif
