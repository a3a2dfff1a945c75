/*
 * slip39_mnemonic.c - SLIP-39 share mnemonics: words to share fields and
 * back, and the RS1024 checksum (slip39.h, slip39_mnemonic.h).
 *
 * Layout, 10 bits a word, big-endian: identifier (15 bits), extendable
 * flag (1), iteration exponent (4), group index (4), group threshold - 1
 * (4), group count - 1 (4), member index (4), member threshold - 1 (4),
 * the share value left-padded with zero bits to a whole number of words,
 * then 3 checksum words.
 */
#include <string.h>

#include "slip39.h"
#include "slip39_mnemonic.h"
#include "wordlist.h"
#include "../common/secmem.h"

#define META_WORDS 7		/* 2 id/exp + 2 group params + 3 checksum */
#define VALUE_FIRST 4		/* index of the first share value word */
#define WORD_LEN_MIN 4
#define WORD_LEN_MAX 8
#define UINT_BITS (sizeof(unsigned) * 8)

static const uint32_t rs1024_gen[10] = {
	0xe0e040, 0x1c1c080, 0x3838100, 0x7070200, 0xe0e0009,
	0x1c0c2412, 0x38086c24, 0x3090fc48, 0x21b1f890, 0x3f3f120,
};

/* One step of the checksum's LFSR; linear in (chk, v), no branches. */
static uint32_t
rs1024_step(uint32_t chk, uint32_t v)
{
	uint32_t top = chk >> 20;
	int i;

	chk = ((chk & 0xfffff) << 10) ^ v;
	for (i = 0; i < 10; i++)
		chk ^= rs1024_gen[i] & (0U - ((top >> i) & 1U));
	return chk;
}

uint32_t
slip39_rs1024_polymod(int extendable, const uint16_t *words, size_t n)
{
	const char *cs = extendable ? "shamir_extendable" : "shamir";
	uint32_t chk = 1;
	size_t i;

	for (i = 0; cs[i] != '\0'; i++)
		chk = rs1024_step(chk, (unsigned char)cs[i]);
	for (i = 0; i < n; i++)
		chk = rs1024_step(chk, words[i] & 0x3ffU);
	return chk;
}

void
slip39_rs1024_create(int extendable, const uint16_t *words, size_t n,
    uint16_t out[SLIP39_CHECKSUM_WORDS])
{
	uint32_t chk = slip39_rs1024_polymod(extendable, words, n);
	int i;

	for (i = 0; i < SLIP39_CHECKSUM_WORDS; i++)
		chk = rs1024_step(chk, 0);
	chk ^= 1;
	out[0] = (uint16_t)((chk >> 20) & 0x3ff);
	out[1] = (uint16_t)((chk >> 10) & 0x3ff);
	out[2] = (uint16_t)(chk & 0x3ff);
}

int
slip39_rs1024_locate(const uint16_t *words, size_t n)
{
	uint32_t basis[10], res, res_flip, e;
	size_t i, k;
	unsigned d, b;
	int ext, found = -1, count = 0;

	if (words == NULL || n < 2 || n > 1000)
		return -1;
	ext = (words[1] >> 4) & 1;
	res = slip39_rs1024_polymod(ext, words, n) ^ 1;
	res_flip = slip39_rs1024_polymod(!ext, words, n) ^ 1;
	if (res == 0)
		return -1;
	/*
	 * The checksum is affine in the words: changing word i by xor d
	 * changes the remainder by E_i(d), linear in d. E_i of each bit of
	 * d is the bit run through the steps after position i.
	 */
	for (i = 0; i < n; i++) {
		for (b = 0; b < 10; b++) {
			uint32_t chk = 1U << b;

			for (k = i + 1; k < n; k++)
				chk = rs1024_step(chk, 0);
			basis[b] = chk;
		}
		for (d = 1; d < 1024; d++) {
			/* Changing the extendable flag changes the string. */
			uint32_t target = i == 1 && (d & 0x10) ? res_flip :
			    res;

			e = 0;
			for (b = 0; b < 10; b++)
				e ^= basis[b] & (0U - ((d >> b) & 1U));
			if (e == target) {
				count++;
				found = (int)i;
				break;
			}
		}
	}
	return count == 1 ? found : -1;
}

size_t
slip39_mnemonic_words(size_t len)
{
	return META_WORDS + (len * 8 + 9) / 10;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/*
 * Index of the word that tok[0..len) spells in full or begins with (at
 * least 4 letters, any case), or -1. Every list word is compared, with
 * no early exit, so the time does not depend on which word it is.
 */
static int
word_lookup(const char *tok, size_t len)
{
	char low[WORD_LEN_MAX] = { 0 };
	unsigned found = 0, result = 0;
	size_t c;
	int w;

	if (len < WORD_LEN_MIN || len > WORD_LEN_MAX)
		return -1;
	for (c = 0; c < len; c++) {
		unsigned char ch = (unsigned char)tok[c];

		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if (ch < 'a' || ch > 'z') {
			secmem_wipe(low, sizeof(low));
			return -1;
		}
		low[c] = (char)ch;
	}
	for (w = 0; w < WORDLIST_SIZE; w++) {
		const char *word = wordlist_slip39[w];
		size_t wlen = strlen(word);
		unsigned diff = len > wlen, match;

		for (c = 0; c < len; c++) {
			unsigned wc = c < wlen ? (unsigned char)word[c] : 0U;

			diff |= wc ^ (unsigned char)low[c];
		}
		/* 1 when diff is 0, without a branch */
		match = ((diff | (0U - diff)) >> (UINT_BITS - 1)) ^ 1U;
		result |= (unsigned)w & (0U - match);
		found |= match;
	}
	secmem_wipe(low, sizeof(low));
	return found ? (int)result : -1;
}

/* Copies a word as typed into bad, printable ASCII only, truncated. */
static void
name_bad(char *bad, size_t badsz, const char *tok, size_t len)
{
	size_t i;

	if (bad == NULL || badsz == 0)
		return;
	for (i = 0; i < len && i + 1 < badsz; i++) {
		unsigned char ch = (unsigned char)tok[i];

		bad[i] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
	bad[i] = '\0';
}

int
slip39_mnemonic_decode(const char *words, struct slip39_share *out,
    char *bad, size_t badsz, size_t *badpos)
{
	uint16_t idx[SLIP39_WORDS_MAX];
	size_t toff[SLIP39_WORDS_MAX], tlen[SLIP39_WORDS_MAX];
	size_t n = 0, p = 0, start, padding, vbits, q;
	uint32_t id_exp, params;
	unsigned padbits = 0;
	int rc = CUSTOS_ERR_INTERNAL, v, pos, ext;

	if (bad != NULL && badsz > 0)
		bad[0] = '\0';
	if (badpos != NULL)
		*badpos = 0;
	if (words == NULL || out == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	secmem_wipe(out, sizeof(*out));
	memset(idx, 0, sizeof(idx));

	for (;;) {
		while (is_space(words[p]))
			p++;
		if (words[p] == '\0')
			break;
		start = p;
		while (words[p] != '\0' && !is_space(words[p]))
			p++;
		v = word_lookup(words + start, p - start);
		if (v < 0) {
			name_bad(bad, badsz, words + start, p - start);
			if (badpos != NULL)
				*badpos = n + 1;
			rc = CUSTOS_ERR_FORMAT;
			goto out;
		}
		if (n < SLIP39_WORDS_MAX) {
			toff[n] = start;
			tlen[n] = p - start;
			idx[n] = (uint16_t)v;
		}
		n++;
	}

	/* The value must be 16 bytes or more, its padding at most 8 bits. */
	if (n < SLIP39_WORDS_MIN ||
	    (10 * (n - META_WORDS)) % 16 > 8) {
		rc = CUSTOS_ERR_FORMAT;
		goto out;
	}
	if (n > SLIP39_WORDS_MAX) {
		rc = CUSTOS_ERR_UNSUPPORTED;	/* a secret over 32 bytes */
		goto out;
	}

	ext = (idx[1] >> 4) & 1;
	if (slip39_rs1024_polymod(ext, idx, n) != 1) {
		pos = slip39_rs1024_locate(idx, n);
		if (pos >= 0) {
			name_bad(bad, badsz, words + toff[pos], tlen[pos]);
			if (badpos != NULL)
				*badpos = (size_t)pos + 1;
		}
		rc = CUSTOS_ERR_CORRUPT;
		goto out;
	}

	id_exp = ((uint32_t)idx[0] << 10) | idx[1];
	params = ((uint32_t)idx[2] << 10) | idx[3];
	out->identifier = (uint16_t)(id_exp >> 5);
	out->extendable = (uint8_t)ext;
	out->iter_exp = (uint8_t)(id_exp & 0xf);
	out->group_index = (uint8_t)((params >> 16) & 0xf);
	out->group_threshold = (uint8_t)(((params >> 12) & 0xf) + 1);
	out->group_count = (uint8_t)(((params >> 8) & 0xf) + 1);
	out->member_index = (uint8_t)((params >> 4) & 0xf);
	out->member_threshold = (uint8_t)((params & 0xf) + 1);
	if (out->group_threshold > out->group_count) {
		rc = CUSTOS_ERR_FORMAT;
		goto out;
	}

	/* Share value: the padding bits first, which must all be 0. */
	vbits = 10 * (n - META_WORDS);
	padding = vbits % 16;
	for (q = 0; q < vbits; q++) {
		unsigned bit = (idx[VALUE_FIRST + q / 10] >> (9 - q % 10)) & 1U;

		if (q < padding)
			padbits |= bit;
		else
			out->value[(q - padding) / 8] |= (unsigned char)
			    (bit << (7 - (q - padding) % 8));
	}
	out->value_len = (uint8_t)((vbits - padding) / 8);
	if (padbits != 0) {
		rc = CUSTOS_ERR_FORMAT;
		goto out;
	}
	rc = CUSTOS_OK;
out:
	if (rc != CUSTOS_OK)
		secmem_wipe(out, sizeof(*out));
	secmem_wipe(idx, sizeof(idx));
	return rc;
}

int
slip39_mnemonic_encode(const struct slip39_share *s, char *out, size_t outsz)
{
	uint16_t idx[SLIP39_WORDS_MAX];
	size_t len, nvalue, nwords, padding, q, i, off = 0, wlen;
	uint32_t id_exp, params;
	int rc = CUSTOS_ERR_INTERNAL;

	memset(idx, 0, sizeof(idx));
	if (s == NULL || out == NULL || outsz == 0 ||
	    s->identifier > 0x7fff || s->extendable > 1 ||
	    s->iter_exp > SLIP39_ITER_EXP_MAX || s->group_index > 15 ||
	    s->group_threshold < 1 || s->group_count > SLIP39_MAX_GROUPS ||
	    s->group_threshold > s->group_count || s->member_index > 15 ||
	    s->member_threshold < 1 ||
	    s->member_threshold > SLIP39_MAX_MEMBERS ||
	    s->value_len < SLIP39_SECRET_MIN ||
	    s->value_len > SLIP39_SECRET_MAX || s->value_len % 2 != 0) {
		rc = CUSTOS_ERR_INVALID_ARG;
		goto out;
	}
	len = s->value_len;
	nvalue = (len * 8 + 9) / 10;
	nwords = VALUE_FIRST + nvalue + SLIP39_CHECKSUM_WORDS;
	padding = nvalue * 10 - len * 8;

	id_exp = ((uint32_t)s->identifier << 5) |
	    ((uint32_t)s->extendable << 4) | s->iter_exp;
	params = ((uint32_t)s->group_index << 16) |
	    ((uint32_t)(s->group_threshold - 1) << 12) |
	    ((uint32_t)(s->group_count - 1) << 8) |
	    ((uint32_t)s->member_index << 4) |
	    (uint32_t)(s->member_threshold - 1);
	idx[0] = (uint16_t)(id_exp >> 10);
	idx[1] = (uint16_t)(id_exp & 0x3ff);
	idx[2] = (uint16_t)(params >> 10);
	idx[3] = (uint16_t)(params & 0x3ff);
	for (q = padding; q < nvalue * 10; q++) {
		unsigned bit = (s->value[(q - padding) / 8] >>
		    (7 - (q - padding) % 8)) & 1U;

		idx[VALUE_FIRST + q / 10] |= (uint16_t)(bit << (9 - q % 10));
	}
	slip39_rs1024_create(s->extendable, idx, VALUE_FIRST + nvalue,
	    idx + VALUE_FIRST + nvalue);

	for (i = 0; i < nwords; i++) {
		const char *w = wordlist_slip39[idx[i]];

		wlen = strlen(w);
		if (off + (i > 0) + wlen + 1 > outsz) {
			rc = CUSTOS_ERR_TOO_LARGE;
			goto out;
		}
		if (i > 0)
			out[off++] = ' ';
		memcpy(out + off, w, wlen);
		off += wlen;
	}
	out[off] = '\0';
	rc = CUSTOS_OK;
out:
	if (rc != CUSTOS_OK && out != NULL && outsz > 0)
		secmem_wipe(out, outsz);
	secmem_wipe(idx, sizeof(idx));
	return rc;
}
