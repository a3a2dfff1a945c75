/*
 * cvc.h - card-verifiable certificates (BSI TR-03110) as the
 * SmartCard-HSM uses them: key generation requests and the device
 * certificate chain. Building (for the emulator) and parsing (for
 * clients) of the public key and the holder/authority references.
 */
#ifndef CUSTOS_CVC_H
#define CUSTOS_CVC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"
#include "tlv.h"

/* TR-03110 algorithm object identifiers (contents only). */
extern const uint8_t cvc_oid_rsa_v15_sha256[10];
extern const uint8_t cvc_oid_ecdsa_sha256[10];

/* What a parsed certificate or request holds. */
struct cvc {
	char car[17];		/* certification authority reference */
	char chr[17];		/* certificate holder reference */
	const uint8_t *body;	/* 7F4E, tag and length included */
	size_t body_len;
	const uint8_t *sig;	/* 5F37 value */
	size_t sig_len;
	const uint8_t *pub;	/* 7F49 value */
	size_t pub_len;
	const uint8_t *outer_car; /* authenticated request: 42 after 7F21 */
	size_t outer_car_len;
	const uint8_t *outer_tbs; /* what the outer signature covers: the
				     7F21 and 42 TLVs */
	size_t outer_tbs_len;
	const uint8_t *outer_sig; /* 5F37 after 42 */
	size_t outer_sig_len;
	size_t total_len;	/* bytes the outermost TLV took */
};

/*
 * Parses one CV certificate (7F21) or authenticated request (67 around
 * 7F21) at the start of buf. Pointers point into buf. Returns 0,
 * CUSTOS_ERR_FORMAT, CUSTOS_ERR_TRUNCATED.
 */
int cvc_parse(const uint8_t *buf, size_t len, struct cvc *c) CUSTOS_WUR;

/* The members of a 7F49 value (public key or key generation template). */
struct cvc_pubfields {
	const uint8_t *oid;		/* 06 */
	size_t oid_len;
	const uint8_t *f[8];		/* 81..87 at index 1..7 */
	size_t fl[8];
	unsigned bits;			/* 02 key size */
	int bits_given;			/* 02 was there (1 or 2 bytes) */
};

/*
 * Collects the members of a 7F49 value (pointers into pub). Returns 0,
 * CUSTOS_ERR_FORMAT or CUSTOS_ERR_TRUNCATED.
 */
int cvc_pubkey_fields(const uint8_t *pub, size_t len,
    struct cvc_pubfields *pf) CUSTOS_WUR;

/*
 * Rebuilds the public key in a 7F49 value (RSA: 81 n, 82 e; EC: domain
 * parameters 81-85 and point 86, or the point alone when domain is the
 * signer's key whose curve to use). Returns 0, CUSTOS_ERR_FORMAT,
 * CUSTOS_ERR_UNSUPPORTED (curve not among the known ones).
 */
int cvc_pubkey(const uint8_t *pub, size_t len, EVP_PKEY *domain,
    EVP_PKEY **out) CUSTOS_WUR;

/*
 * Appends 7F49 for key's public part: OID, then RSA n and e, or EC domain
 * parameters (when with_domain) and the point.
 */
void cvc_put_pubkey(struct tlv_buf *b, EVP_PKEY *key, const uint8_t *oid,
    size_t oidlen, int with_domain);

/*
 * Appends the 7F49 key generation template OpenSC sends: RSA (curve
 * NULL): OID RSA v1.5 SHA-256, 82 exponent 65537, 02 bits (1024-4096, a
 * multiple of 256); EC: OID ECDSA SHA-256 and the domain parameters
 * 81-85, 87 of curve (an OpenSSL short name among the known curves).
 * Returns 0, CUSTOS_ERR_UNSUPPORTED or the buffer's error.
 */
int cvc_put_keygen_template(struct tlv_buf *b, const char *curve,
    unsigned bits) CUSTOS_WUR;

/* The curve name of an EC key ("prime256v1") or NULL. */
const char *cvc_curve_name(EVP_PKEY *key);

/*
 * Finds the named curve with exactly these domain parameters (big-endian,
 * any leading zeros); returns its OpenSSL short name or NULL.
 */
const char *cvc_curve_match(const uint8_t *p, size_t plen, const uint8_t *a,
    size_t alen, const uint8_t *b, size_t blen, const uint8_t *g,
    size_t glen, const uint8_t *n, size_t nlen);

/*
 * Signs body[0..len) with an EC key (ECDSA SHA-256) and appends 5F37 with
 * the plain r||s signature. Returns 0 or CUSTOS_ERR_CRYPTO.
 */
int cvc_sign(struct tlv_buf *b, EVP_PKEY *key, const uint8_t *body,
    size_t len) CUSTOS_WUR;

/* Verifies a plain r||s ECDSA SHA-256 signature. 0 or CUSTOS_ERR_CORRUPT. */
int cvc_verify(EVP_PKEY *key, const uint8_t *body, size_t len,
    const uint8_t *sig, size_t siglen) CUSTOS_WUR;

/*
 * Checks one CV certificate (7F21, or its value as PSO VERIFY CERTIFICATE
 * carries it: 7F4E and 5F37) against signer, whose holder reference must
 * be its CAR (signer_chr; NULL: not compared). *holder gets the
 * certificate's public key (EC domain taken from signer when the
 * certificate has none); c (may be NULL) the parsed fields. Returns 0,
 * CUSTOS_ERR_FORMAT / _TRUNCATED (not a certificate), CUSTOS_ERR_CORRUPT
 * (another CAR, or the signature does not verify).
 */
int cvc_check(const uint8_t *cert, size_t len, const char *signer_chr,
    EVP_PKEY *signer, EVP_PKEY **holder, struct cvc *c) CUSTOS_WUR;

/*
 * Checks an authenticated request (67): its inner signature by its own
 * key (EC) and its outer one by dev, whose holder reference must be the
 * outer CAR (dev_chr; NULL: not compared). *key gets the request's
 * public key. Returns as cvc_check.
 */
int cvc_check_request(const uint8_t *req, size_t len, const char *dev_chr,
    EVP_PKEY *dev, EVP_PKEY **key, struct cvc *c) CUSTOS_WUR;

/* SHA-256 of the key's SubjectPublicKeyInfo (DER). */
int cvc_spki_sha256(EVP_PKEY *key, uint8_t out[32]) CUSTOS_WUR;

#endif
