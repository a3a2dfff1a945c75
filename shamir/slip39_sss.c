/*
 * slip39_sss.c - SLIP-39's SplitSecret and RecoverSecret over GF(256),
 * with the digest share, and the search for one wrong share
 * (slip39_sss.h). Intermediates are wiped before every return.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gf256.h"
#include "slip39_sss.h"
#include "../common/secmem.h"

#define DIGEST_LEN 4
#define DIGEST_INDEX 254
#define SECRET_INDEX 255
#define VAL SLIP39_SECRET_MAX

/* mac = HMAC-SHA256(key = r, msg = s); SLIP-39 keeps its first 4 bytes. */
static int
digest(const unsigned char *r, size_t rlen, const unsigned char *s,
    size_t slen, unsigned char mac[32])
{
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), r, (int)rlen, s, slen, mac, &maclen) == NULL ||
	    maclen != 32)
		return CUSTOS_ERR_CRYPTO;
	return CUSTOS_OK;
}

int
slip39_sss_split(unsigned t, unsigned count, const unsigned char *secret,
    size_t len, unsigned char (*out)[VAL], slip39_rng_fn rng, void *rngctx)
{
	const uint8_t *ys[SLIP39_MAX_MEMBERS];
	uint8_t xs[SLIP39_MAX_MEMBERS];
	unsigned char dshare[VAL], mac[32];
	unsigned i;
	int rc = CUSTOS_ERR_INTERNAL;

	if (t < 1 || t > count || count > SLIP39_MAX_MEMBERS ||
	    len < SLIP39_SECRET_MIN || len > VAL) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (t == 1) {
		for (i = 0; i < count; i++)
			memcpy(out[i], secret, len);
		rc = CUSTOS_OK;
		goto out;
	}
	/* t - 2 random shares, the digest share and the secret fix it. */
	for (i = 0; i < t - 2; i++) {
		rng(rngctx, out[i], len);
		xs[i] = (uint8_t)i;
		ys[i] = out[i];
	}
	rng(rngctx, dshare + DIGEST_LEN, len - DIGEST_LEN);
	if ((rc = digest(dshare + DIGEST_LEN, len - DIGEST_LEN, secret, len,
	    mac)) != CUSTOS_OK)
		goto out;
	memcpy(dshare, mac, DIGEST_LEN);
	xs[t - 2] = DIGEST_INDEX;
	ys[t - 2] = dshare;
	xs[t - 1] = SECRET_INDEX;
	ys[t - 1] = secret;
	for (i = t - 2; i < count; i++)
		if ((rc = gf256_interpolate(xs, ys, t, len, (uint8_t)i,
		    out[i])) != CUSTOS_OK)
			goto out;
	rc = CUSTOS_OK;
out:
	secmem_wipe(dshare, sizeof(dshare));
	secmem_wipe(mac, sizeof(mac));
	return rc;
}

int
slip39_sss_recover(unsigned t, const uint8_t *xs, const uint8_t *const *ys,
    size_t n, size_t len, unsigned char *out)
{
	unsigned char dshare[VAL], mac[32];
	int rc = CUSTOS_ERR_INTERNAL;

	if (n < 1 || len < DIGEST_LEN + 1 || len > VAL) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	if (t == 1) {
		memcpy(out, ys[0], len);
		rc = CUSTOS_OK;
		goto out;
	}
	if ((rc = gf256_interpolate(xs, ys, n, len, SECRET_INDEX, out)) != 0 ||
	    (rc = gf256_interpolate(xs, ys, n, len, DIGEST_INDEX,
	    dshare)) != 0 ||
	    (rc = digest(dshare + DIGEST_LEN, len - DIGEST_LEN, out, len,
	    mac)) != 0)
		goto out;
	if (secmem_equal(mac, dshare, DIGEST_LEN) != 0)
		rc = CUSTOS_ERR_CORRUPT;
out:
	if (rc != CUSTOS_OK && out != NULL)
		secmem_wipe(out, len <= VAL ? len : VAL);
	secmem_wipe(dshare, sizeof(dshare));
	secmem_wipe(mac, sizeof(mac));
	return rc;
}

/*
 * Whether the c points lie on one polynomial of degree t - 1 whose
 * digest checks (t > 1), or are all equal (t = 1). Returns 1, 0, or a
 * negative error code.
 */
static int
consistent(unsigned t, const uint8_t *xs, const uint8_t *const *ys,
    size_t c, size_t len)
{
	unsigned char tmp[VAL];
	size_t i, j;
	int rc = 1;

	if (c < t || t < 1)
		return 0;
	for (i = 0; i < c; i++)
		for (j = i + 1; j < c; j++)
			if (xs[i] == xs[j])
				return 0;
	if (t == 1) {
		for (j = 1; j < c; j++)
			if (secmem_equal(ys[j], ys[0], len) != 0)
				return 0;
		return 1;
	}
	/* The digest of the first t, and the rest on their polynomial. */
	if ((rc = slip39_sss_recover(t, xs, ys, t, len, tmp)) != CUSTOS_OK) {
		rc = rc == CUSTOS_ERR_CORRUPT ? 0 : rc;
		goto out;
	}
	rc = 1;
	for (j = t; j < c && rc == 1; j++) {
		if ((rc = gf256_interpolate(xs, ys, t, len, xs[j], tmp)) != 0)
			goto out;
		rc = secmem_equal(tmp, ys[j], len) == 0;
	}
out:
	secmem_wipe(tmp, sizeof(tmp));
	return rc;
}

int
slip39_sss_odd_one_out(unsigned t, const uint8_t *xs,
    const uint8_t *const *ys, size_t c, size_t len, size_t *bad)
{
	const uint8_t *sub_ys[SLIP39_MAX_SHARES];
	uint8_t sub_xs[SLIP39_MAX_SHARES];
	size_t i, j, k, found = 0;
	int rc;

	if (c > SLIP39_MAX_SHARES || len > VAL || bad == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	if ((rc = consistent(t, xs, ys, c, len)) != 0)
		return rc < 0 ? rc : 0;
	/* Without one point, the rest must still reach the threshold. */
	for (i = 0; i < c && c > t; i++) {
		for (j = 0, k = 0; j < c; j++)
			if (j != i) {
				sub_xs[k] = xs[j];
				sub_ys[k++] = ys[j];
			}
		if ((rc = consistent(t, sub_xs, sub_ys, k, len)) < 0)
			return rc;
		if (rc == 1) {
			*bad = i;
			found++;
		}
	}
	return found == 1 ? 1 : CUSTOS_ERR_CORRUPT;
}
