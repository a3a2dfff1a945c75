/* prkd.c - PKCS#15 private key descriptions as OpenSC writes them. */
#include <string.h>

#include "prkd.h"

/* Common object flags "private, modifiable" and authId 01. */
static const uint8_t flags[] = { 0x03, 0x02, 0x06, 0xC0 };
static const uint8_t auth_id[] = { 0x04, 0x01, 0x01 };
/* Key usage: RSA decrypt, sign, signRecover; EC sign, signRecover,
 * derive (the bits OpenSC sets on generation). */
static const uint8_t usage_rsa[] = { 0x03, 0x02, 0x04, 0x70 };
static const uint8_t usage_ec[] = { 0x03, 0x03, 0x07, 0x30, 0x80 };

/* Appends a non-negative DER INTEGER. */
static void
put_uint(struct tlv_buf *b, unsigned v)
{
	uint8_t buf[5];
	size_t n = 0, i;

	for (i = 0; i < 4; i++) {
		uint8_t byte = (uint8_t)(v >> (24 - 8 * i));

		if (n == 0 && byte == 0 && i < 3)
			continue;
		if (n == 0 && (byte & 0x80))
			buf[n++] = 0x00;
		buf[n++] = byte;
	}
	tlv_put(b, 0x02, buf, n);
}

int
prkd_encode(const struct prkd *p, struct tlv_buf *b)
{
	size_t outer, m, m2, ll, i;

	if (p == NULL || b == NULL || (p->type != PRKD_RSA &&
	    p->type != PRKD_EC) || p->id_len == 0 || p->id_len > PRKD_ID_MAX ||
	    p->key_ref < 1 || p->key_ref > 255 || p->bits == 0)
		return CUSTOS_ERR_INVALID_ARG;
	ll = strnlen(p->label, sizeof(p->label));
	if (ll > PRKD_LABEL_MAX)
		return CUSTOS_ERR_INVALID_ARG;
	for (i = 0; i < ll; i++)
		if ((unsigned char)p->label[i] < 0x20 ||
		    p->label[i] == 0x7f)
			return CUSTOS_ERR_INVALID_ARG;
	outer = tlv_begin(b, p->type == PRKD_RSA ? 0x30 : 0xA0);
	m = tlv_begin(b, 0x30);
	tlv_put(b, 0x0C, p->label, ll);
	tlv_raw(b, flags, sizeof(flags));
	tlv_raw(b, auth_id, sizeof(auth_id));
	tlv_end(b, m);
	m = tlv_begin(b, 0x30);
	tlv_put(b, 0x04, p->id, p->id_len);
	if (p->type == PRKD_RSA)
		tlv_raw(b, usage_rsa, sizeof(usage_rsa));
	else
		tlv_raw(b, usage_ec, sizeof(usage_ec));
	put_uint(b, (unsigned)p->key_ref);
	tlv_end(b, m);
	m = tlv_begin(b, 0xA1);
	m2 = tlv_begin(b, 0x30);
	{
		size_t m3 = tlv_begin(b, 0x30);

		tlv_put(b, 0x04, NULL, 0);
		tlv_end(b, m3);
	}
	put_uint(b, p->bits);
	tlv_end(b, m2);
	tlv_end(b, m);
	tlv_end(b, outer);
	return tlv_error(b);
}

/* Reads the first INTEGER among the siblings in v[0..n) (<= 4 bytes). */
static int
find_uint(const uint8_t *v, size_t n, unsigned *out)
{
	const uint8_t *iv;
	size_t il;

	if (tlv_find(v, n, 0x02, &iv, &il) != 0 || il == 0 || il > 5 ||
	    (il == 5 && iv[0] != 0) || (iv[0] & 0x80))
		return CUSTOS_ERR_FORMAT;
	if (il == 5) {
		iv++;
		il--;
	}
	*out = tlv_uint(iv, il);
	return 0;
}

/* Length of the valid UTF-8 sequence at v[0..n) with no control
 * character (C0, DEL, C1), or 0. */
static size_t
utf8_len(const uint8_t *v, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (v[0] < 0x80)
		return v[0] >= 0x20 && v[0] != 0x7f;
	if ((v[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = v[0] & 0x1F;
	} else if ((v[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = v[0] & 0x0F;
	} else if ((v[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = v[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((v[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (v[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
		return 0;
	return len;
}

/* Copies a label, each byte that is not part of printable UTF-8 as '?'
 * (a label reaches the terminal and the transcript). */
static void
copy_label(char *dst, const uint8_t *v, size_t n)
{
	size_t i = 0, o = 0, l;

	while (i < n && o < PRKD_LABEL_MAX) {
		l = utf8_len(v + i, n - i);
		if (l == 0 || o + l > PRKD_LABEL_MAX) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, v + i, l);
		o += l;
		i += l;
	}
	dst[o] = '\0';
}

int
prkd_parse(const uint8_t *d, size_t n, struct prkd *p)
{
	const uint8_t *q = d, *body, *v, *attrs;
	size_t left = n, bl, vl, al;
	uint32_t tag;
	unsigned u;
	int r;

	memset(p, 0, sizeof(*p));
	p->key_ref = -1;
	if (d == NULL || n == 0)
		return CUSTOS_ERR_TRUNCATED;
	if ((r = tlv_next(&q, &left, &tag, &body, &bl)) != 0)
		return r;
	if (tag == 0x30)
		p->type = PRKD_RSA;
	else if (tag == 0xA0)
		p->type = PRKD_EC;
	else if ((tag & 0xE0) != 0xA0)
		return CUSTOS_ERR_FORMAT;
	/* commonObjectAttributes */
	q = body;
	left = bl;
	if ((r = tlv_next(&q, &left, &tag, &v, &vl)) != 0)
		return r;
	if (tag != 0x30)
		return CUSTOS_ERR_FORMAT;
	if (tlv_find(v, vl, 0x0C, &attrs, &al) == 0)
		copy_label(p->label, attrs, al);
	/* commonKeyAttributes: ID, usage, ..., keyReference */
	if ((r = tlv_next(&q, &left, &tag, &v, &vl)) != 0)
		return r;
	if (tag != 0x30)
		return CUSTOS_ERR_FORMAT;
	if (tlv_find(v, vl, 0x04, &attrs, &al) != 0 || al > PRKD_ID_MAX)
		return CUSTOS_ERR_FORMAT;
	memcpy(p->id, attrs, al);
	p->id_len = al;
	if (find_uint(v, vl, &u) == 0) {
		if (u > 255)
			return CUSTOS_ERR_FORMAT;
		p->key_ref = (int)u;
	}
	/* [0] private key attributes (optional), then [1] type attributes */
	while (left > 0) {
		if ((r = tlv_next(&q, &left, &tag, &v, &vl)) != 0)
			return r;
		if (tag != 0xA1)
			continue;
		if (tlv_find(v, vl, 0x30, &attrs, &al) != 0)
			return CUSTOS_ERR_FORMAT;
		if (find_uint(attrs, al, &u) == 0)
			p->bits = u;
	}
	return 0;
}
