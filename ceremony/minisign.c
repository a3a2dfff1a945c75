/* minisign.c - minisign-compatible keys and prehashed signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "minisign.h"

static const char untrusted[] = "untrusted comment: ";
static const char trusted[] = "trusted comment: ";

int
minisign_pubkey_text(char *out, size_t outsz,
    const unsigned char keyid[MINISIGN_KEYID_LEN], const unsigned char pk[32],
    const char *comment)
{
	unsigned char raw[2 + MINISIGN_KEYID_LEN + 32];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL)];
	int n;

	if (strchr(comment, '\n') != NULL)
		return CUSTOS_ERR_INVALID_ARG;
	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, keyid, MINISIGN_KEYID_LEN);
	memcpy(raw + 2 + MINISIGN_KEYID_LEN, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(out, outsz, "%s%s\n%s\n", untrusted, comment, b64);
	return (n < 0 || (size_t)n >= outsz) ? CUSTOS_ERR_INVALID_ARG :
	    CUSTOS_OK;
}

/* Finds line number idx (0-based) of text; returns its length or -1. */
static long
get_line(const char *text, size_t len, int idx, const char **start)
{
	const char *p = text, *end = text + len, *nl;

	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (idx-- == 0) {
			*start = p;
			return nl ? (long)(nl - p) : (long)(end - p);
		}
		if (nl == NULL)
			return -1;
		p = nl + 1;
	}
}

static int
decode_line(const char *p, long l, unsigned char *out, size_t want)
{
	size_t got = 0;
	const char *end = NULL;

	if (l <= 0)
		return -1;
	if (sodium_base642bin(out, want, p, (size_t)l, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != want ||
	    end != p + l)
		return -1;
	return 0;
}

int
minisign_pubkey_parse(const char *text, size_t len,
    unsigned char keyid[MINISIGN_KEYID_LEN], unsigned char pk[32])
{
	unsigned char raw[2 + MINISIGN_KEYID_LEN + 32];
	const char *p;
	long l;

	l = get_line(text, len, 0, &p);
	if (l < (long)sizeof(untrusted) - 1 ||
	    memcmp(p, untrusted, sizeof(untrusted) - 1) != 0)
		return CUSTOS_ERR_FORMAT;
	l = get_line(text, len, 1, &p);
	if (decode_line(p, l, raw, sizeof(raw)) != 0 ||
	    memcmp(raw, "Ed", 2) != 0)
		return CUSTOS_ERR_FORMAT;
	memcpy(keyid, raw + 2, MINISIGN_KEYID_LEN);
	memcpy(pk, raw + 2 + MINISIGN_KEYID_LEN, 32);
	return CUSTOS_OK;
}

int
minisign_sign(char **out, size_t *outlen, const unsigned char *msg,
    size_t msglen, const unsigned char keyid[MINISIGN_KEYID_LEN],
    const unsigned char *sk, const char *trusted_comment)
{
	unsigned char hash[crypto_generichash_BYTES_MAX];
	unsigned char raw[2 + MINISIGN_KEYID_LEN + crypto_sign_BYTES];
	unsigned char gsig[crypto_sign_BYTES], *gmsg;
	char b64a[sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL)];
	char b64b[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	size_t tclen = strlen(trusted_comment), sz;
	char *text;
	int n;

	*out = NULL;
	*outlen = 0;
	if (strchr(trusted_comment, '\n') != NULL)
		return CUSTOS_ERR_INVALID_ARG;
	crypto_generichash(hash, sizeof(hash), msg, msglen, NULL, 0);
	raw[0] = 'E';
	raw[1] = 'D';
	memcpy(raw + 2, keyid, MINISIGN_KEYID_LEN);
	crypto_sign_detached(raw + 2 + MINISIGN_KEYID_LEN, NULL, hash,
	    sizeof(hash), sk);
	if ((gmsg = malloc(crypto_sign_BYTES + tclen + 1)) == NULL)
		return CUSTOS_ERR_NOMEM;
	memcpy(gmsg, raw + 2 + MINISIGN_KEYID_LEN, crypto_sign_BYTES);
	/* Binary message: signature then comment, no NUL wanted. */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(gmsg + crypto_sign_BYTES, trusted_comment, tclen);
	crypto_sign_detached(gsig, NULL, gmsg, crypto_sign_BYTES + tclen, sk);
	free(gmsg);
	sodium_bin2base64(b64a, sizeof(b64a), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64b, sizeof(b64b), gsig, sizeof(gsig),
	    sodium_base64_VARIANT_ORIGINAL);
	sz = tclen + 512;
	if ((text = malloc(sz)) == NULL)
		return CUSTOS_ERR_NOMEM;
	n = snprintf(text, sz, "%ssignature from custos ceremony key\n%s\n"
	    "%s%s\n%s\n", untrusted, b64a, trusted, trusted_comment, b64b);
	if (n < 0 || (size_t)n >= sz) {
		free(text);
		return CUSTOS_ERR_INTERNAL;
	}
	*out = text;
	*outlen = (size_t)n;
	return CUSTOS_OK;
}

int
minisign_verify(const char *sigtext, size_t siglen,
    const unsigned char *msg, size_t msglen,
    const unsigned char keyid[MINISIGN_KEYID_LEN], const unsigned char pk[32])
{
	unsigned char hash[crypto_generichash_BYTES_MAX];
	unsigned char raw[2 + MINISIGN_KEYID_LEN + crypto_sign_BYTES];
	unsigned char gsig[crypto_sign_BYTES], *gmsg;
	const char *p, *tc;
	long l, tcl;
	int ok;

	if (get_line(sigtext, siglen, 0, &p) < 0 ||
	    memcmp(p, untrusted, sizeof(untrusted) - 1) != 0)
		return CUSTOS_ERR_FORMAT;
	l = get_line(sigtext, siglen, 1, &p);
	if (decode_line(p, l, raw, sizeof(raw)) != 0)
		return CUSTOS_ERR_FORMAT;
	tcl = get_line(sigtext, siglen, 2, &tc);
	if (tcl < (long)sizeof(trusted) - 1 ||
	    memcmp(tc, trusted, sizeof(trusted) - 1) != 0)
		return CUSTOS_ERR_FORMAT;
	tc += sizeof(trusted) - 1;
	tcl -= (long)sizeof(trusted) - 1;
	l = get_line(sigtext, siglen, 3, &p);
	if (decode_line(p, l, gsig, sizeof(gsig)) != 0)
		return CUSTOS_ERR_FORMAT;
	if (memcmp(raw + 2, keyid, MINISIGN_KEYID_LEN) != 0)
		return CUSTOS_ERR_CORRUPT;
	if (memcmp(raw, "ED", 2) == 0) {
		crypto_generichash(hash, sizeof(hash), msg, msglen, NULL, 0);
		ok = crypto_sign_verify_detached(raw + 2 + MINISIGN_KEYID_LEN,
		    hash, sizeof(hash), pk) == 0;
	} else if (memcmp(raw, "Ed", 2) == 0) {
		ok = crypto_sign_verify_detached(raw + 2 + MINISIGN_KEYID_LEN,
		    msg, msglen, pk) == 0;
	} else {
		return CUSTOS_ERR_FORMAT;
	}
	if (!ok)
		return CUSTOS_ERR_CORRUPT;
	if ((gmsg = malloc(crypto_sign_BYTES + (size_t)tcl + 1)) == NULL)
		return CUSTOS_ERR_NOMEM;
	memcpy(gmsg, raw + 2 + MINISIGN_KEYID_LEN, crypto_sign_BYTES);
	memcpy(gmsg + crypto_sign_BYTES, tc, (size_t)tcl);
	ok = crypto_sign_verify_detached(gsig, gmsg,
	    crypto_sign_BYTES + (size_t)tcl, pk) == 0;
	free(gmsg);
	return ok ? CUSTOS_OK : CUSTOS_ERR_CORRUPT;
}
