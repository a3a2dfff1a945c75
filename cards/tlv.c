/* tlv.c - BER-TLV building and parsing. */
#include <stdlib.h>
#include <string.h>

#include "../common/secmem.h"
#include "tlv.h"

#define TLV_MAX ((size_t)16 * 1024 * 1024)

void
tlv_init(struct tlv_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
tlv_free(struct tlv_buf *b)
{
	if (b == NULL)
		return;
	if (b->p != NULL) {
		secmem_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

static int
reserve(struct tlv_buf *b, size_t more)
{
	size_t ncap;
	uint8_t *np;

	if (b->err != 0)
		return b->err;
	if (more > TLV_MAX || b->len + more > TLV_MAX)
		return b->err = CUSTOS_ERR_TOO_LARGE;
	if (b->len + more <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + more)
		ncap *= 2;
	/* Not realloc: the old block must be wiped. */
	if ((np = malloc(ncap)) == NULL)
		return b->err = CUSTOS_ERR_NOMEM;
	if (b->p != NULL) {
		memcpy(np, b->p, b->len);
		secmem_wipe(b->p, b->cap);
		free(b->p);
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

void
tlv_raw(struct tlv_buf *b, const void *v, size_t len)
{
	if (len == 0 || reserve(b, len) != 0)
		return;
	memcpy(b->p + b->len, v, len);
	b->len += len;
}

static size_t
tag_bytes(uint32_t tag, uint8_t out[3])
{
	if (tag > 0xffff) {
		out[0] = (uint8_t)(tag >> 16);
		out[1] = (uint8_t)(tag >> 8);
		out[2] = (uint8_t)tag;
		return 3;
	}
	if (tag > 0xff) {
		out[0] = (uint8_t)(tag >> 8);
		out[1] = (uint8_t)tag;
		return 2;
	}
	out[0] = (uint8_t)tag;
	return 1;
}

static size_t
len_bytes(size_t len, uint8_t out[4])
{
	if (len < 0x80) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xff) {
		out[0] = 0x81;
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[0] = 0x82;
		out[1] = (uint8_t)(len >> 8);
		out[2] = (uint8_t)len;
		return 3;
	}
	out[0] = 0x83;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	return 4;
}

void
tlv_put(struct tlv_buf *b, uint32_t tag, const void *v, size_t len)
{
	uint8_t t[3] = { 0 }, l[4] = { 0 };

	tlv_raw(b, t, tag_bytes(tag, t));
	tlv_raw(b, l, len_bytes(len, l));
	tlv_raw(b, v, len);
}

void
tlv_put_u8(struct tlv_buf *b, uint32_t tag, uint8_t v)
{
	tlv_put(b, tag, &v, 1);
}

size_t
tlv_begin(struct tlv_buf *b, uint32_t tag)
{
	uint8_t t[3] = { 0 };

	tlv_raw(b, t, tag_bytes(tag, t));
	return b->len;
}

void
tlv_end(struct tlv_buf *b, size_t mark)
{
	uint8_t l[4] = { 0 };
	size_t n, body;

	if (b->err != 0 || mark > b->len)
		return;
	body = b->len - mark;
	n = len_bytes(body, l);
	if (reserve(b, n) != 0)
		return;
	memmove(b->p + mark + n, b->p + mark, body);
	memcpy(b->p + mark, l, n);
	b->len += n;
}

int
tlv_error(const struct tlv_buf *b)
{
	return b->err;
}

int
tlv_next(const uint8_t **p, size_t *left, uint32_t *tag,
    const uint8_t **val, size_t *vlen)
{
	const uint8_t *q = *p;
	size_t n = *left, len, i, k;
	uint32_t t;

	if (n == 0)
		return CUSTOS_ERR_TRUNCATED;
	t = *q++;
	n--;
	if ((t & 0x1f) == 0x1f) {
		for (i = 0;; i++) {
			if (n == 0)
				return CUSTOS_ERR_TRUNCATED;
			if (i == 2)
				return CUSTOS_ERR_FORMAT;
			t = (t << 8) | *q;
			n--;
			if ((*q++ & 0x80) == 0)
				break;
		}
	}
	if (n == 0)
		return CUSTOS_ERR_TRUNCATED;
	len = *q++;
	n--;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 3)
			return CUSTOS_ERR_FORMAT;
		if (n < k)
			return CUSTOS_ERR_TRUNCATED;
		for (len = 0, i = 0; i < k; i++)
			len = (len << 8) | *q++;
		n -= k;
	}
	if (len > n)
		return CUSTOS_ERR_TRUNCATED;
	*tag = t;
	*val = q;
	*vlen = len;
	*p = q + len;
	*left = n - len;
	return 0;
}

int
tlv_find(const uint8_t *buf, size_t len, uint32_t tag,
    const uint8_t **val, size_t *vlen)
{
	uint32_t t;
	int r;

	while (len > 0) {
		if ((r = tlv_next(&buf, &len, &t, val, vlen)) != 0)
			return r;
		if (t == tag)
			return 0;
	}
	return CUSTOS_ERR_NOT_FOUND;
}

uint32_t
tlv_uint(const uint8_t *v, size_t len)
{
	uint32_t x = 0;
	size_t i;

	for (i = 0; i < len && i < 4; i++)
		x = (x << 8) | v[i];
	return x;
}
