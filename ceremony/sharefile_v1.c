/* sharefile_v1.c - custos v1 share files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../common/secmem.h"
#include "../common/utctime.h"
#include "sharefile_v1.h"

static const char begin_line[] = "-----BEGIN CUSTOS DKEK SHARE-----\n";
static const char end_line[] = "-----END CUSTOS DKEK SHARE-----\n";

/* Appends formatted text; returns -1 when buf is full. */
static int
app(char *buf, size_t sz, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
app(char *buf, size_t sz, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	n = vsnprintf(buf + *off, sz - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

/* Appends len bytes as lower-case hex in space-separated groups of 4. */
static int
app_hex(char *buf, size_t sz, size_t *off, const unsigned char *p,
    size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (app(buf, sz, off, "%s%02x", (i > 0 && i % 2 == 0) ?
		    " " : "", p[i]) != 0)
			return -1;
	}
	return app(buf, sz, off, "\n");
}

/*
 * Writes the canonical text. *aadlen gets the length of the header part
 * (everything before the first Data line): the AEAD's associated data.
 */
static int
serialize(char *buf, size_t sz, size_t *outlen, size_t *aadlen,
    const struct v1_header *h, const unsigned char *ct)
{
	char fpr[2 * DKEK_FPR_LEN + 1];
	size_t off = 0, i;

	if (sodium_bin2hex(fpr, sizeof(fpr), h->fpr, DKEK_FPR_LEN) == NULL)
		return -1;
	for (i = 0; fpr[i]; i++)
		if (fpr[i] >= 'a' && fpr[i] <= 'f')
			fpr[i] = (char)(fpr[i] - 'a' + 'A');
	if (app(buf, sz, &off, "%sVersion: 1\nLabel: %s\nFingerprint: %s\n"
	    "Created: %s\n", begin_line, h->label, fpr, h->created) != 0)
		return -1;
	if (h->ceremony[0] != '\0' &&
	    app(buf, sz, &off, "Ceremony: %s\n", h->ceremony) != 0)
		return -1;
	if (h->comment[0] != '\0' &&
	    app(buf, sz, &off, "Comment: %s\n", h->comment) != 0)
		return -1;
	if (app(buf, sz, &off, "KDF: argon2id v=19 t=%llu m=%llu p=1\n",
	    h->opslimit, h->mem_kib) != 0 ||
	    app(buf, sz, &off, "Salt: ") != 0 ||
	    app_hex(buf, sz, &off, h->salt, V1_SALT_LEN) != 0 ||
	    app(buf, sz, &off, "Nonce: ") != 0 ||
	    app_hex(buf, sz, &off, h->nonce, V1_NONCE_LEN) != 0)
		return -1;
	*aadlen = off;
	for (i = 0; i < 3; i++) {
		if (app(buf, sz, &off, "Data-%zu: ", i + 1) != 0 ||
		    app_hex(buf, sz, &off, ct + 16 * i, 16) != 0)
			return -1;
	}
	if (app(buf, sz, &off, "%s", end_line) != 0)
		return -1;
	*outlen = off;
	return 0;
}

const char *
v1_check_text(const char *s, size_t max)
{
	size_t len = strlen(s), i = 0;

	if (len == 0)
		return "must not be empty";
	if (len > max)
		return "too long";
	if (s[0] == ' ' || s[len - 1] == ' ')
		return "must not begin or end with a space";
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x20 || c == 0x7f)
			return "must not contain control characters";
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3; cp = c & 0x07;
		} else {
			return "is not valid UTF-8";
		}
		if (i + n >= len)
			return "is not valid UTF-8";
		for (k = 1; k <= n; k++) {
			unsigned char cc = (unsigned char)s[i + k];

			if ((cc & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = (cp << 6) | (cc & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return "is not valid UTF-8 (or is a control character)";
		i += n + 1;
	}
	return NULL;
}

static int
check_header(const struct v1_header *h)
{
	if (v1_check_text(h->label, V1_LABEL_MAX) != NULL ||
	    (h->ceremony[0] && v1_check_text(h->ceremony, V1_CEREMONY_MAX)) ||
	    (h->comment[0] && v1_check_text(h->comment, V1_COMMENT_MAX)) ||
	    !utctime_valid(h->created))
		return CUSTOS_ERR_FORMAT;
	if (h->opslimit < V1_OPS_MIN || h->opslimit > V1_OPS_MAX ||
	    h->mem_kib < V1_MEM_KIB_MIN || h->mem_kib > V1_MEM_KIB_MAX)
		return CUSTOS_ERR_LIMIT;
	return CUSTOS_OK;
}

static int
derive(unsigned char *key, const struct v1_header *h,
    const unsigned char *pwd, size_t pwdlen)
{
	if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	    (const char *)pwd, pwdlen, h->salt, h->opslimit,
	    (size_t)h->mem_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CUSTOS_ERR_NOMEM;	/* libsodium fails only so */
	return CUSTOS_OK;
}

int
v1_seal(char **out, size_t *outlen, struct v1_header *h,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen)
{
	randombytes_buf(h->salt, sizeof(h->salt));
	randombytes_buf(h->nonce, sizeof(h->nonce));
	return v1_seal_deterministic(out, outlen, h, share, pwd, pwdlen);
}

int
v1_seal_deterministic(char **out, size_t *outlen, struct v1_header *h,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen)
{
	unsigned char ct[V1_CT_LEN], *key = NULL;
	char *buf = NULL;
	size_t len = 0, aadlen = 0;
	int r;

	*out = NULL;
	*outlen = 0;
	if (h->created[0] == '\0')
		utctime_now(h->created);
	if ((r = check_header(h)) != CUSTOS_OK)
		return r;
	dkek_share_fingerprint(h->fpr, share);
	if ((key = secmem_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
	    == NULL || (buf = calloc(1, V1_FILE_MAX)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	/* Serialise once with a dummy ciphertext to get the header bytes. */
	memset(ct, 0, sizeof(ct));
	if (serialize(buf, V1_FILE_MAX, &len, &aadlen, h, ct) != 0) {
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	if ((r = derive(key, h, pwd, pwdlen)) != CUSTOS_OK)
		goto out;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, share,
	    DKEK_SHARE_LEN, (unsigned char *)buf, aadlen, NULL, h->nonce, key);
	if (serialize(buf, V1_FILE_MAX, &len, &aadlen, h, ct) != 0) {
		r = CUSTOS_ERR_INTERNAL;
		goto out;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	r = CUSTOS_OK;
 out:
	secmem_free(key);
	free(buf);
	return r;
}

/* Reads "Key: value\n" at *p; value copied to val (NUL-terminated). */
static int
take_line(const char **p, const char *end, const char *key, char *val,
    size_t valsz)
{
	size_t klen = strlen(key);
	const char *nl;

	if ((size_t)(end - *p) < klen + 2 || memcmp(*p, key, klen) != 0 ||
	    (*p)[klen] != ':' || (*p)[klen + 1] != ' ')
		return -1;
	*p += klen + 2;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL || (size_t)(nl - *p) >= valsz)
		return -1;
	memcpy(val, *p, (size_t)(nl - *p));
	val[nl - *p] = '\0';
	*p = nl + 1;
	return 0;
}

/* Parses hex in groups of 4 separated by single spaces, exactly len bytes. */
static int
parse_hex_groups(const char *s, unsigned char *outb, size_t len)
{
	char flat[2 * 48 + 1];
	size_t i, o = 0, slen = strlen(s);

	if (len > 48 || slen != 2 * len + (len / 2 - 1))
		return -1;
	for (i = 0; i < slen; i++) {
		if ((i % 5) == 4) {
			if (s[i] != ' ')
				return -1;
			continue;
		}
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
		flat[o++] = s[i];
	}
	flat[o] = '\0';
	return sodium_hex2bin(outb, len, flat, o, NULL, NULL, NULL) == 0 ? 0
	    : -1;
}

int
v1_parse(const char *in, size_t len, struct v1_header *h,
    unsigned char ct[V1_CT_LEN])
{
	char val[V1_COMMENT_MAX + 64], fprhex[32], kdf[128];
	unsigned char ctb[V1_CT_LEN];
	const char *p = in, *end = in + len;
	char *canon = NULL;
	size_t clen = 0, aadlen = 0, i;
	unsigned long long t, m;
	int r = CUSTOS_ERR_FORMAT, n = 0;

	memset(h, 0, sizeof(*h));
	if (len > V1_FILE_MAX)
		return CUSTOS_ERR_TOO_LARGE;
	if (len < sizeof(begin_line) - 1 ||
	    memcmp(in, begin_line, sizeof(begin_line) - 1) != 0) {
		/* A prefix of the armour line is a truncated file. */
		if (len > 0 && len < sizeof(begin_line) - 1 &&
		    memcmp(in, begin_line, len) == 0)
			return CUSTOS_ERR_TRUNCATED;
		return CUSTOS_ERR_FORMAT;
	}
	if (len < sizeof(end_line) - 1 || memcmp(end - (sizeof(end_line) - 1),
	    end_line, sizeof(end_line) - 1) != 0) {
		/* No END line at the very end: cut short, or added to. */
		if (memmem(in, len, end_line, sizeof(end_line) - 1) != NULL)
			return CUSTOS_ERR_FORMAT;
		return CUSTOS_ERR_TRUNCATED;
	}
	p += sizeof(begin_line) - 1;
	if (take_line(&p, end, "Version", val, sizeof(val)) != 0)
		return CUSTOS_ERR_FORMAT;
	if (strcmp(val, "1") != 0)
		return CUSTOS_ERR_UNSUPPORTED;
	if (take_line(&p, end, "Label", h->label, sizeof(h->label)) != 0 ||
	    take_line(&p, end, "Fingerprint", fprhex, sizeof(fprhex)) != 0 ||
	    take_line(&p, end, "Created", h->created, sizeof(h->created)) != 0)
		return CUSTOS_ERR_FORMAT;
	if (strlen(fprhex) != (size_t)2 * DKEK_FPR_LEN ||
	    strspn(fprhex, "0123456789ABCDEF") != (size_t)2 * DKEK_FPR_LEN ||
	    sodium_hex2bin(h->fpr, DKEK_FPR_LEN, fprhex, (size_t)2 * DKEK_FPR_LEN,
	    NULL, NULL, NULL) != 0)
		return CUSTOS_ERR_FORMAT;
	if (take_line(&p, end, "Ceremony", val, sizeof(val)) == 0) {
		if (strlen(val) > V1_CEREMONY_MAX)
			return CUSTOS_ERR_FORMAT;
		memcpy(h->ceremony, val, strlen(val) + 1);
	}
	if (take_line(&p, end, "Comment", val, sizeof(val)) == 0) {
		if (strlen(val) > V1_COMMENT_MAX)
			return CUSTOS_ERR_FORMAT;
		memcpy(h->comment, val, strlen(val) + 1);
	}
	if (take_line(&p, end, "KDF", kdf, sizeof(kdf)) != 0 ||
	    strspn(kdf + 14, "0123456789tm= p") != strlen(kdf + 14) ||
	    sscanf(kdf, "argon2id v=19 t=%llu m=%llu p=1%n", &t, &m, &n) != 2 ||
	    (size_t)n != strlen(kdf))
		return CUSTOS_ERR_FORMAT;
	h->opslimit = t;
	h->mem_kib = m;
	if (take_line(&p, end, "Salt", val, sizeof(val)) != 0 ||
	    parse_hex_groups(val, h->salt, V1_SALT_LEN) != 0 ||
	    take_line(&p, end, "Nonce", val, sizeof(val)) != 0 ||
	    parse_hex_groups(val, h->nonce, V1_NONCE_LEN) != 0)
		return CUSTOS_ERR_FORMAT;
	for (i = 0; i < 3; i++) {
		char key[8];

		snprintf(key, sizeof(key), "Data-%zu", i + 1);
		if (take_line(&p, end, key, val, sizeof(val)) != 0 ||
		    parse_hex_groups(val, ctb + 16 * i, 16) != 0)
			return CUSTOS_ERR_FORMAT;
	}
	if ((r = check_header(h)) != CUSTOS_OK)
		return r;
	/* Canonical form: the text must be exactly what we would write. */
	if ((canon = calloc(1, V1_FILE_MAX)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if (serialize(canon, V1_FILE_MAX, &clen, &aadlen, h, ctb) != 0 ||
	    clen != len || memcmp(canon, in, len) != 0)
		r = CUSTOS_ERR_FORMAT;
	else
		r = CUSTOS_OK;
	free(canon);
	if (r == CUSTOS_OK && ct != NULL)
		memcpy(ct, ctb, V1_CT_LEN);
	return r;
}

int
v1_open(unsigned char *share, const char *in, size_t len,
    const unsigned char *pwd, size_t pwdlen, struct v1_header *hout)
{
	struct v1_header h;
	unsigned char ct[V1_CT_LEN], fpr[DKEK_FPR_LEN], *key = NULL;
	const char *data;
	int r;

	if ((r = v1_parse(in, len, &h, ct)) != CUSTOS_OK)
		return r;
	data = memmem(in, len, "\nData-1: ", 9);
	if (data == NULL)
		return CUSTOS_ERR_INTERNAL;
	if ((key = secmem_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
	    == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = derive(key, &h, pwd, pwdlen)) != CUSTOS_OK)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(share, NULL, NULL, ct,
	    V1_CT_LEN, (const unsigned char *)in, (size_t)(data + 1 - in),
	    h.nonce, key) != 0) {
		r = CUSTOS_ERR_BAD_PASSPHRASE;
		goto out;
	}
	dkek_share_fingerprint(fpr, share);
	if (sodium_memcmp(fpr, h.fpr, DKEK_FPR_LEN) != 0) {
		sodium_memzero(share, DKEK_SHARE_LEN);
		r = CUSTOS_ERR_FINGERPRINT;
		goto out;
	}
	if (hout != NULL)
		*hout = h;
	r = CUSTOS_OK;
 out:
	secmem_free(key);
	return r;
}
