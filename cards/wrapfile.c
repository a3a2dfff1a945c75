/* wrapfile.c - sc-hsm-tool's wrap file: DER, parts by position. */
#include <string.h>

#include "wrapfile.h"

/* A whole TLV at d[0..n): 0 when it is exactly one. */
static int
one_tlv(const uint8_t *d, size_t n)
{
	const uint8_t *v;
	size_t vl, left = n;
	uint32_t tag;

	if (d == NULL || n == 0)
		return -1;
	if (tlv_next(&d, &left, &tag, &v, &vl) != 0 || left != 0)
		return -1;
	return 0;
}

int
wrapfile_encode(struct tlv_buf *b, const uint8_t *blob, size_t blob_len,
    const uint8_t *prkd, size_t prkd_len, const uint8_t *cert,
    size_t cert_len)
{
	size_t m;

	if (b == NULL || blob == NULL || blob_len == 0 ||
	    (prkd != NULL && one_tlv(prkd, prkd_len) != 0) ||
	    (cert != NULL && one_tlv(cert, cert_len) != 0) ||
	    (cert != NULL && prkd == NULL))
		return CUSTOS_ERR_INVALID_ARG;
	m = tlv_begin(b, 0x30);
	tlv_put(b, 0x04, blob, blob_len);
	if (prkd != NULL)
		tlv_raw(b, prkd, prkd_len);
	if (cert != NULL)
		tlv_raw(b, cert, cert_len);
	tlv_end(b, m);
	return tlv_error(b);
}

int
wrapfile_parse(const uint8_t *d, size_t n, struct wrapfile *w)
{
	const uint8_t *q = d, *v, *start;
	size_t left = n, vl, inner;
	uint32_t tag;
	int r, i;

	memset(w, 0, sizeof(*w));
	if (d == NULL || n == 0)
		return CUSTOS_ERR_TRUNCATED;
	if (n > WRAPFILE_MAX)
		return CUSTOS_ERR_TOO_LARGE;
	if ((r = tlv_next(&q, &left, &tag, &v, &vl)) != 0)
		return r;
	if (tag != 0x30 || left != 0)
		return CUSTOS_ERR_FORMAT;
	q = v;
	inner = vl;
	if ((r = tlv_next(&q, &inner, &tag, &v, &vl)) != 0)
		return r;
	if (tag != 0x04 || vl == 0)
		return CUSTOS_ERR_FORMAT;
	w->blob = v;
	w->blob_len = vl;
	for (i = 0; i < 2 && inner > 0; i++) {
		start = q;
		if ((r = tlv_next(&q, &inner, &tag, &v, &vl)) != 0)
			return r;
		if (i == 0) {
			w->prkd = start;
			w->prkd_len = (size_t)(q - start);
		} else {
			w->cert = start;
			w->cert_len = (size_t)(q - start);
		}
	}
	return inner == 0 ? 0 : CUSTOS_ERR_FORMAT;
}
