/*
 * sc_hsm_pka.c - public key authentication, client side (sc_hsm_pka.h).
 * The APDUs are OpenSC's where OpenSC sends them (card-sc-hsm.c:
 * status, registration after MSE SET DST and PSO VERIFY CERTIFICATE of
 * the issuer and the device); the authentication, which OpenSC does not
 * do, as pico-hsm answers it (MSE SET AT with the key's holder
 * reference, GET CHALLENGE, EXTERNAL AUTHENTICATE).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "apdu.h"
#include "card.h"
#include "cvc.h"
#include "sc_hsm.h"
#include "sc_hsm_ef.h"
#include "sc_hsm_keys.h"
#include "sc_hsm_pka.h"
#include "tlv.h"

static int
xfer(struct card *c, const struct apdu *a, uint8_t *rsp, size_t cap,
    size_t *rl, uint16_t *sw)
{
	return sc_hsm_transmit(c, a, rsp, cap, rl, sw);
}

static void
put_status(const uint8_t *r, struct sc_hsm_pka_status *st)
{
	st->total = r[0];
	st->missing = r[1];
	st->required = r[2];
	st->authenticated = r[3];
}

int
sc_hsm_pka_status(struct card *c, struct sc_hsm_pka_status *st)
{
	struct apdu a = { 0x80, 0x54, 0x00, 0x00, NULL, 0, 256 };
	uint8_t rsp[258];
	size_t rl = 0;
	uint16_t sw;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	/* a device without PKA, or a firmware without the command */
	if (sw == SW_INS_NOT_SUPP || sw == SW_WRONG_P1P2 ||
	    sw == SW_FILE_NOT_FOUND || sw == SW_REF_NOT_FOUND ||
	    sw == SW_FUNC_NOT_SUPP || sw == SW_WRONG_PARAMS ||
	    sw == SW_CLA_NOT_SUPP)
		return CUSTOS_ERR_UNSUPPORTED;
	if (sw != SW_OK)
		return sc_hsm_sw_err(sw);
	if (rl < 4)
		return CUSTOS_ERR_PROTOCOL;
	put_status(rsp, st);
	return 0;
}

int
sc_hsm_pka_key(struct card *c, int slot, char chr[17], int *authed)
{
	struct apdu a = { 0x80, 0x54, 0x02, 0x00, NULL, 0, 256 };
	uint8_t rsp[258];
	size_t rl = 0;
	uint16_t sw;
	int r;

	chr[0] = '\0';
	*authed = 0;
	if (slot < 0 || slot >= SC_HSM_PKA_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	a.p2 = (uint8_t)slot;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	if (sw == SW_REF_NOT_FOUND)
		return CUSTOS_ERR_NOT_FOUND;
	if (sw == SW_INS_NOT_SUPP || sw == SW_WRONG_P1P2)
		return CUSTOS_ERR_UNSUPPORTED;
	if (sw != SW_OK && sw != 0x9001)
		return sc_hsm_sw_err(sw);
	if (rl < 1 || rl > 16)
		return CUSTOS_ERR_PROTOCOL;
	memcpy(chr, rsp, rl);
	chr[rl] = '\0';
	if (strlen(chr) != rl)
		return CUSTOS_ERR_PROTOCOL;
	*authed = sw == 0x9001;
	return 0;
}

/* MSE SET (P2 B6: the key to check a certificate with; A4: the key to
   authenticate) with 83 = ref. */
static int
mse(struct card *c, uint8_t p2, const char *ref, uint16_t *sw)
{
	uint8_t d[18], rsp[8];
	struct apdu a = { 0x00, 0x22, 0x81, 0x00, d, 0, 0 };
	size_t n = strlen(ref), rl = 0;

	if (n < 1 || n > 16)
		return CUSTOS_ERR_FORMAT;
	a.p2 = p2;
	d[0] = 0x83;
	d[1] = (uint8_t)n;
	memcpy(d + 2, ref, n);
	a.nc = n + 2;
	return xfer(c, &a, rsp, sizeof(rsp), &rl, sw);
}

/* Has the device check cert (a 7F21 TLV) against the key of its CAR,
   unless it knows the certificate's holder already (as OpenSC does). */
static int
check_cert(struct card *c, const uint8_t *cert, size_t len)
{
	struct apdu a = { 0x00, 0x2A, 0x00, 0xBE, NULL, 0, 0 };
	const uint8_t *p = cert, *v;
	uint8_t rsp[8];
	size_t left = len, vl, rl = 0;
	uint32_t tag;
	struct cvc cv;
	uint16_t sw;
	int r;

	if ((r = cvc_parse(cert, len, &cv)) != 0)
		return r;
	if ((r = mse(c, 0xB6, cv.chr, &sw)) != 0)
		return r;
	if (sw == SW_OK)
		return 0;
	if ((r = mse(c, 0xB6, cv.car, &sw)) != 0)
		return r;
	if (sw == SW_REF_NOT_FOUND)
		return CUSTOS_ERR_NOT_FOUND;	/* a root it does not know */
	if (sw != SW_OK)
		return sc_hsm_sw_err(sw);
	/* PSO VERIFY CERTIFICATE takes the certificate's value. */
	if ((r = tlv_next(&p, &left, &tag, &v, &vl)) != 0)
		return r;
	a.data = v;
	a.nc = vl;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	if (sw == SW_WRONG_DATA)
		return CUSTOS_ERR_CORRUPT;
	return sc_hsm_sw_err(sw);
}

int
sc_hsm_pka_register(struct card *c, const struct pkafile *f, int slot,
    struct sc_hsm_pka_status *st)
{
	struct apdu a = { 0x80, 0x54, 0x00, 0x00, NULL, 0, 256 };
	uint8_t rsp[258];
	size_t rl = 0;
	struct cvc cv;
	char car[17];
	uint16_t sw;
	int r;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if ((r = check_cert(c, f->dica, f->dica_len)) != 0 ||
	    (r = check_cert(c, f->dev, f->dev_len)) != 0)
		return r;
	if ((r = cvc_parse(f->req, f->req_len, &cv)) != 0)
		return r;
	if (cv.outer_car == NULL || cv.outer_car_len > 16)
		return CUSTOS_ERR_FORMAT;
	memcpy(car, cv.outer_car, cv.outer_car_len);
	car[cv.outer_car_len] = '\0';
	if ((r = mse(c, 0xB6, car, &sw)) != 0)
		return r;
	if (sw != SW_OK)
		return sw == SW_REF_NOT_FOUND ? CUSTOS_ERR_CORRUPT :
		    sc_hsm_sw_err(sw);
	if (slot >= 0) {
		a.p1 = 0x01;
		a.p2 = (uint8_t)slot;
	}
	/* The request's value (7F21, 42, 5F37), as OpenSC sends it. */
	{
		const uint8_t *p = f->req, *v;
		size_t left = f->req_len, vl;
		uint32_t tag;

		if ((r = tlv_next(&p, &left, &tag, &v, &vl)) != 0)
			return r;
		a.data = v;
		a.nc = vl;
	}
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	switch (sw) {
	case SW_OK:
		break;
	case SW_FILE_EXISTS:
		return CUSTOS_ERR_EXISTS;
	case SW_NO_SPACE:
		return CUSTOS_ERR_CARD_FULL;
	case SW_WRONG_DATA: case SW_DATA_INVALID:
		return CUSTOS_ERR_CORRUPT;
	case SW_CONDITIONS:
		return CUSTOS_ERR_REFUSED;
	case SW_INS_NOT_SUPP:
		return CUSTOS_ERR_UNSUPPORTED;
	default:
		return sc_hsm_sw_err(sw);
	}
	if (rl < 4)
		return CUSTOS_ERR_PROTOCOL;
	if (st != NULL)
		put_status(rsp, st);
	return 0;
}

int
sc_hsm_pka_challenge(struct card *c, const char *chr, uint8_t *chal,
    size_t n)
{
	struct apdu a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 0 };
	uint8_t rsp[66];
	size_t rl = 0;
	uint16_t sw;
	int r;

	if (n < 8 || n > 64)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = mse(c, 0xA4, chr, &sw)) != 0)
		return r;
	if (sw == SW_REF_NOT_FOUND)
		return CUSTOS_ERR_NOT_FOUND;
	if (sw == SW_CONDITIONS)
		return CUSTOS_ERR_EXISTS;
	if (sw != SW_OK)
		return sc_hsm_sw_err(sw);
	a.ne = n;
	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	if (sw != SW_OK)
		return sc_hsm_sw_err(sw);
	if (rl != n)
		return CUSTOS_ERR_PROTOCOL;
	memcpy(chal, rsp, n);
	return 0;
}

int
sc_hsm_pka_answer(struct card *c, const uint8_t *sig, size_t n)
{
	struct apdu a = { 0x00, 0x82, 0x00, 0x00, sig, n, 0 };
	uint8_t rsp[8];
	size_t rl = 0;
	uint16_t sw;
	int r;

	if ((r = xfer(c, &a, rsp, sizeof(rsp), &rl, &sw)) != 0)
		return r;
	if (sw == SW_OK)
		return 0;
	/* 6985 (pico-hsm, and the emulator): not the answer, or no
	   challenge pending; 6A88: no key selected; 63xx: ISO's
	   "verification failed". */
	if (sw == SW_CONDITIONS || (sw & 0xff00) == 0x6300 ||
	    sw == SW_SECURITY || sw == SW_WRONG_DATA ||
	    sw == SW_REF_NOT_FOUND)
		return CUSTOS_ERR_REFUSED;
	return sc_hsm_sw_err(sw);
}

int
sc_hsm_pka_sign(struct card *c, int ref, const char *main_chr,
    const uint8_t *chal, size_t n, uint8_t *sig, size_t cap, size_t *len)
{
	uint8_t msg[16 + 64], h[32], der[160];
	const unsigned char *p = der;
	size_t ml = strlen(main_chr), dl = 0;
	ECDSA_SIG *es = NULL;
	int r, w;

	*len = 0;
	if (ml > 16 || n > 64 || cap < 132)
		return CUSTOS_ERR_INVALID_ARG;
	memcpy(msg, main_chr, ml);
	memcpy(msg + ml, chal, n);
	if (EVP_Digest(msg, ml + n, h, NULL, EVP_sha256(), NULL) != 1)
		return CUSTOS_ERR_CRYPTO;
	/* 70: ECDSA on the hash given (the card answers DER). */
	if ((r = sc_hsm_sign(c, ref, 0x70, h, sizeof(h), der, sizeof(der),
	    &dl)) != 0)
		return r;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)dl)) == NULL)
		return CUSTOS_ERR_PROTOCOL;
	/* The width of r and s: the larger of the two, at least 32. */
	w = BN_num_bytes(ECDSA_SIG_get0_r(es));
	if (BN_num_bytes(ECDSA_SIG_get0_s(es)) > w)
		w = BN_num_bytes(ECDSA_SIG_get0_s(es));
	if (w < 32)
		w = 32;
	if (2 * (size_t)w > cap ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, w) != w ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + w, w) != w) {
		ECDSA_SIG_free(es);
		return CUSTOS_ERR_PROTOCOL;
	}
	ECDSA_SIG_free(es);
	*len = 2 * (size_t)w;
	return 0;
}
