/*
 * test_slip39.c - SLIP-39 (shamir/slip39.h): all 45 published test
 * vectors, mnemonic parsing and the word named on each error, split and
 * combine round trips, every kind of bad share set, and finding the one
 * wrong share among more than a threshold.
 */
#include "testutil.h"

#include <jansson.h>
#include <sodium.h>

#include "../../common/secmem.h"
#include "../../shamir/slip39.h"
#include "../../shamir/slip39_cipher.h"
#include "../../shamir/slip39_mnemonic.h"
#include "../../shamir/wordlist.h"

#define VECTORS "tests/vectors/slip39-vectors.json"
#define PP "TREZOR"
#define PPLEN 6
#define MNEMONIC_SZ (SLIP39_MNEMONIC_MAX + 1)

static struct slip39_share *sh;	/* guarded, SLIP39_MAX_SHARES */
static unsigned char *secret;	/* guarded, SLIP39_SECRET_MAX */
static char *text;		/* guarded, SLIP39_MNEMONIC_MAX + 1 */

static const char v20[] = "theory painting academic academic armed sweater "
    "year military elder discuss acne wildlife boring employer fused large "
    "satoshi bundle carbon diagnose anatomy hamster leaves tracks paces "
    "beyond phantom capital marvel lips brave detect luck";

static int
setup(void **state)
{
	(void)state;
	if (secmem_init() != 0)
		return -1;
	sh = secmem_alloc(SLIP39_MAX_SHARES * sizeof(*sh));
	secret = secmem_alloc(SLIP39_SECRET_MAX);
	text = secmem_alloc(SLIP39_MNEMONIC_MAX + 1);
	return sh != NULL && secret != NULL && text != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	secmem_free(sh);
	secmem_free(secret);
	secmem_free(text);
	return 0;
}

/* Deterministic "random" bytes for reproducible splits. */
static void
seq_rng(void *ctx, unsigned char *buf, size_t len)
{
	unsigned *ctr = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		buf[i] = (unsigned char)(*ctr * 131 + 7);
		(*ctr)++;
	}
}

/* The error a vector must give, from its description. */
static int
expected_error(const char *desc, int *at_decode)
{
	static const struct {
		const char *what;
		int decode, err;
	} map[] = {
		{ "invalid checksum", 1, CUSTOS_ERR_CORRUPT },
		{ "invalid padding", 1, CUSTOS_ERR_FORMAT },
		{ "insufficient length", 1, CUSTOS_ERR_FORMAT },
		{ "invalid master secret length", 1, CUSTOS_ERR_FORMAT },
		{ "greater group threshold", 1, CUSTOS_ERR_FORMAT },
		{ "different identifiers", 0, CUSTOS_ERR_FORMAT },
		{ "different iteration exponents", 0, CUSTOS_ERR_FORMAT },
		{ "mismatching group thresholds", 0, CUSTOS_ERR_FORMAT },
		{ "mismatching group counts", 0, CUSTOS_ERR_FORMAT },
		{ "mismatching member thresholds", 0, CUSTOS_ERR_FORMAT },
		{ "duplicate member indices", 0, CUSTOS_ERR_DUPLICATE_SHARE },
		{ "invalid digest", 0, CUSTOS_ERR_CORRUPT },
		{ "nsufficient number", 0, CUSTOS_ERR_TRUNCATED },
		{ "Basic sharing", 0, CUSTOS_ERR_TRUNCATED },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(desc, map[i].what) != NULL) {
			*at_decode = map[i].decode;
			return map[i].err;
		}
	fail_msg("no expected error for \"%s\"", desc);
	return 0;
}

static void
test_vectors(void **state)
{
	json_error_t jerr;
	json_t *root = json_load_file(VECTORS, 0, &jerr), *v, *m;
	size_t i, j, n, len, nvalid = 0, ninvalid = 0;
	unsigned char want[SLIP39_SECRET_MAX];
	const char *why;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 45);
	json_array_foreach(root, i, v) {
		const char *desc = json_string_value(json_array_get(v, 0));
		const char *hex = json_string_value(json_array_get(v, 2));
		json_t *list = json_array_get(v, 1);
		int rc = 0, at_decode = 0, err = 0, decode_err = 0;

		assert_non_null(desc);
		assert_non_null(hex);
		n = json_array_size(list);
		assert_true(n >= 1 && n <= SLIP39_MAX_SHARES);
		json_array_foreach(list, j, m) {
			rc = slip39_mnemonic_decode(json_string_value(m),
			    &sh[j], NULL, 0, NULL);
			if (rc != 0)
				break;
		}
		decode_err = rc != 0;
		if (rc == 0)
			rc = slip39_combine(sh, n, (const unsigned char *)PP,
			    PPLEN, secret, SLIP39_SECRET_MAX, &len, &why);
		if (hex[0] != '\0') {
			if (rc != 0)
				fail_msg("%s: %s", desc, custos_strerror(rc));
			assert_int_equal(sodium_hex2bin(want, sizeof(want),
			    hex, strlen(hex), NULL, &len, NULL), 0);
			assert_memory_equal(secret, want, len);
			nvalid++;
		} else {
			err = expected_error(desc, &at_decode);
			if (rc != err || decode_err != at_decode)
				fail_msg("%s: got %d (%s) at %s", desc, rc,
				    custos_strerror(rc),
				    decode_err ? "decode" : "combine");
			ninvalid++;
		}
	}
	assert_int_equal(nvalid, 15);
	assert_int_equal(ninvalid, 30);
	json_decref(root);
}

/* Decoding then encoding every valid vector share gives it back. */
static void
test_vectors_reencode(void **state)
{
	json_t *root = json_load_file(VECTORS, 0, NULL), *v, *m;
	size_t i, j, count = 0;

	(void)state;
	assert_non_null(root);
	json_array_foreach(root, i, v) {
		if (json_string_value(json_array_get(v, 2))[0] == '\0')
			continue;
		json_array_foreach(json_array_get(v, 1), j, m) {
			const char *s = json_string_value(m);

			assert_int_equal(slip39_mnemonic_decode(s, &sh[0],
			    NULL, 0, NULL), 0);
			assert_int_equal(slip39_mnemonic_encode(&sh[0], text,
			    SLIP39_MNEMONIC_MAX + 1), 0);
			assert_string_equal(text, s);
			count++;
		}
	}
	assert_true(count > 30);
	json_decref(root);
}

/* Any case, 4-letter prefixes and any white space give the same share. */
static void
test_decode_forms(void **state)
{
	struct slip39_share a, b;
	char in[600], *p;
	const char *w;
	size_t k;

	(void)state;
	assert_int_equal(slip39_mnemonic_decode(v20, &a, NULL, 0, NULL), 0);
	assert_int_equal(a.value_len, 32);
	assert_int_equal(a.group_threshold, 1);
	assert_int_equal(a.member_threshold, 1);
	assert_int_equal(a.extendable, 0);
	assert_int_equal(a.iter_exp, 0);
	assert_int_equal(slip39_mnemonic_words(32), 33);
	assert_int_equal(slip39_mnemonic_words(16), 20);

	/* Upper case, first 4 letters only, tabs and new lines. */
	p = in;
	for (w = v20, k = 0; *w != '\0'; k++) {
		size_t wl = strcspn(w, " ");
		size_t take = wl > 4 && k % 2 == 0 ? 4 : wl;
		size_t c;

		for (c = 0; c < take; c++)
			*p++ = (char)(k % 3 == 0 ? w[c] - 'a' + 'A' : w[c]);
		*p++ = k % 5 == 0 ? '\n' : k % 5 == 1 ? '\t' : ' ';
		w += wl;
		while (*w == ' ')
			w++;
	}
	*p = '\0';
	assert_int_equal(slip39_mnemonic_decode(in, &b, NULL, 0, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	secmem_wipe(&a, sizeof(a));
	secmem_wipe(&b, sizeof(b));
}

static void
test_decode_unknown_word(void **state)
{
	static const char *bad_words[] = {
		"foobar", "aca", "academics", "acad3mic", "zzzz",
		"\xc3\xa9t\xc3\xa9",
	};
	struct slip39_share s;
	char in[600], bad[SLIP39_BAD_WORD_MAX];
	size_t pos, i;

	(void)state;
	for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
		/* Word 5 replaced ("armed" is bytes 34..38). */
		snprintf(in, sizeof(in), "theory painting academic academic "
		    "%s%s", bad_words[i], v20 + 39);
		assert_int_equal(slip39_mnemonic_decode(in, &s, bad,
		    sizeof(bad), &pos), CUSTOS_ERR_FORMAT);
		assert_int_equal(pos, 5);
		if (i < 5)
			assert_string_equal(bad, bad_words[i]);
		else
			assert_string_equal(bad, "??t??");	/* printable */
	}
	/* Truncated to the buffer. */
	snprintf(in, sizeof(in), "verylongnotaword %s", v20);
	assert_int_equal(slip39_mnemonic_decode(in, &s, bad, 5, &pos),
	    CUSTOS_ERR_FORMAT);
	assert_string_equal(bad, "very");
	assert_int_equal(pos, 1);
}

/* Every single wrong word is named by its position, at every position. */
static void
test_decode_checksum_names_word(void **state)
{
	char words[33][9], in[600], bad[SLIP39_BAD_WORD_MAX];
	struct slip39_share s;
	size_t n = 0, i, k, pos, off;
	const char *w = v20;
	int idx;

	(void)state;
	while (*w != '\0') {
		size_t wl = strcspn(w, " ");

		memcpy(words[n], w, wl);
		words[n++][wl] = '\0';
		w += wl + (w[wl] == ' ');
	}
	assert_int_equal(n, 33);
	for (i = 0; i < n; i++) {
		for (k = 1; k < 1024; k += 97) {
			const char *repl;

			idx = wordlist_index(words[i]);
			repl = wordlist_slip39[(idx + (int)k) % 1024];
			off = 0;
			for (size_t j = 0; j < n; j++)
				off += (size_t)snprintf(in + off,
				    sizeof(in) - off, "%s%s", j ? " " : "",
				    j == i ? repl : words[j]);
			assert_int_equal(slip39_mnemonic_decode(in, &s, bad,
			    sizeof(bad), &pos), CUSTOS_ERR_CORRUPT);
			assert_int_equal(pos, i + 1);
			assert_string_equal(bad, repl);
		}
	}
	/* Two wrong words: an error, and no single word blamed. */
	snprintf(in, sizeof(in), "%s", v20);
	memcpy(in + strlen(in) - 4, "lips", 4);	/* luck -> lips */
	memcpy(in, "tidy  ", 6);			/* theory -> tidy */
	assert_int_equal(slip39_mnemonic_decode(in, &s, bad, sizeof(bad),
	    &pos), CUSTOS_ERR_CORRUPT);
	assert_int_equal(pos, 0);
	assert_string_equal(bad, "");
}

static void
test_decode_lengths(void **state)
{
	struct slip39_share s;
	char in[800];
	size_t pos;
	int i;

	(void)state;
	assert_int_equal(slip39_mnemonic_decode("", &s, NULL, 0, &pos),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(slip39_mnemonic_decode(" \n\t ", &s, NULL, 0, NULL),
	    CUSTOS_ERR_FORMAT);
	/* 19 words: too short; 21, 24: padding over 8 bits. */
	for (i = 19; i <= 24; i++) {
		int k;

		in[0] = '\0';
		for (k = 0; k < i; k++)
			strcat(in, k ? " acid" : "acid");
		assert_int_equal(slip39_mnemonic_decode(in, &s, NULL, 0,
		    NULL), i == 19 || i == 21 || i == 24 ? CUSTOS_ERR_FORMAT :
		    CUSTOS_ERR_CORRUPT);
	}
	/* 36 words (a 36-byte secret) is SLIP-39, but over custos's limit. */
	in[0] = '\0';
	for (i = 0; i < 36; i++)
		strcat(in, i ? " acid" : "acid");
	assert_int_equal(slip39_mnemonic_decode(in, &s, NULL, 0, NULL),
	    CUSTOS_ERR_UNSUPPORTED);
	assert_int_equal(slip39_mnemonic_decode(NULL, &s, NULL, 0, NULL),
	    CUSTOS_ERR_INVALID_ARG);
}

static void
test_encode_limits(void **state)
{
	struct slip39_share s;
	char small[40];

	(void)state;
	assert_int_equal(slip39_mnemonic_decode(v20, &s, NULL, 0, NULL), 0);
	assert_int_equal(slip39_mnemonic_encode(&s, small, sizeof(small)),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(small[0], '\0');
	assert_int_equal(slip39_mnemonic_encode(&s, text, strlen(v20)),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(slip39_mnemonic_encode(&s, text, strlen(v20) + 1), 0);
	s.value_len = 17;
	assert_int_equal(slip39_mnemonic_encode(&s, text, MNEMONIC_SZ),
	    CUSTOS_ERR_INVALID_ARG);
	s.value_len = 32;
	s.identifier = 0x8000;
	assert_int_equal(slip39_mnemonic_encode(&s, text, MNEMONIC_SZ),
	    CUSTOS_ERR_INVALID_ARG);
	s.identifier = 1;
	s.group_threshold = 3;
	s.group_count = 2;
	assert_int_equal(slip39_mnemonic_encode(&s, text, MNEMONIC_SZ),
	    CUSTOS_ERR_INVALID_ARG);
	secmem_wipe(&s, sizeof(s));
}

static void
test_rs1024(void **state)
{
	uint16_t w[20];
	size_t i;

	(void)state;
	for (i = 0; i < 17; i++)
		w[i] = (uint16_t)((i * 389 + 11) & 0x3ff);
	w[1] &= (uint16_t)~0x10;	/* word 1 holds the extendable flag */
	slip39_rs1024_create(0, w, 17, w + 17);
	assert_int_equal(slip39_rs1024_polymod(0, w, 20), 1);
	assert_int_not_equal(slip39_rs1024_polymod(1, w, 20), 1);
	assert_int_equal(slip39_rs1024_locate(w, 20), -1);
	w[9] ^= 0x155;
	assert_int_equal(slip39_rs1024_locate(w, 20), 9);
	w[9] ^= 0x155;
	/* A wrong flag word is found too, though the string changes. */
	w[1] ^= 0x10;
	assert_int_equal(slip39_rs1024_locate(w, 20), 1);
	slip39_rs1024_create(1, w, 17, w + 17);
	assert_int_equal(slip39_rs1024_polymod(1, w, 20), 1);
	assert_int_equal(slip39_rs1024_locate(w, 20), -1);
	w[1] ^= 0x13;
	assert_int_equal(slip39_rs1024_locate(w, 20), 1);
}

/* Splits secret as given, checks every share's mnemonic round trip. */
static size_t
split(size_t len, int ext, unsigned gt, const struct slip39_group *g,
    size_t ng, const char *pp)
{
	struct slip39_share s;
	size_t n = 0, i;
	uint16_t id = 0xffff;

	assert_int_equal(slip39_split(secret, len, (const unsigned char *)pp,
	    strlen(pp), ext, 0, gt, g, ng, sh, SLIP39_MAX_SHARES, &n, &id),
	    0);
	assert_true(id <= 0x7fff);
	for (i = 0; i < n; i++) {
		assert_int_equal(sh[i].identifier, id);
		assert_int_equal(slip39_mnemonic_encode(&sh[i], text,
		    SLIP39_MNEMONIC_MAX + 1), 0);
		assert_int_equal(slip39_mnemonic_decode(text, &s, NULL, 0,
		    NULL), 0);
		assert_memory_equal(&s, &sh[i], sizeof(s));
		assert_int_equal(strlen(text) > 0, 1);
	}
	secmem_wipe(&s, sizeof(s));
	return n;
}

static void
combine_ok(const struct slip39_share *set, size_t n, const char *pp,
    const unsigned char *want, size_t wantlen)
{
	unsigned char *out = secmem_alloc(SLIP39_SECRET_MAX);
	const char *why = "unset";
	size_t len = 0;

	assert_non_null(out);
	assert_int_equal(slip39_combine(set, n, (const unsigned char *)pp,
	    strlen(pp), out, SLIP39_SECRET_MAX, &len, &why), 0);
	assert_null(why);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, wantlen);
	secmem_free(out);
}

static int
combine_err(const struct slip39_share *set, size_t n, const char **why)
{
	unsigned char out[SLIP39_SECRET_MAX];
	size_t len = 99;
	int rc;

	memset(out, 0xaa, sizeof(out));
	rc = slip39_combine(set, n, (const unsigned char *)PP, PPLEN, out,
	    sizeof(out), &len, why);
	assert_int_equal(len, 0);
	assert_true(sodium_is_zero(out, sizeof(out)));	/* wiped */
	return rc;
}

static void
test_roundtrip_single_group(void **state)
{
	const struct slip39_group one = { 1, 1 }, two3 = { 2, 3 },
	    three5 = { 3, 5 };
	struct slip39_share set[3];
	size_t len, a, b, c, n;
	int ext;

	(void)state;
	for (len = 16; len <= 32; len += 16)
		for (ext = 0; ext <= 1; ext++) {
			randombytes_buf(secret, len);
			n = split(len, ext, 1, &one, 1, "");
			assert_int_equal(n, 1);
			combine_ok(sh, 1, "", secret, len);

			n = split(len, ext, 1, &two3, 1, PP);
			assert_int_equal(n, 3);
			for (a = 0; a < 3; a++)
				for (b = 0; b < 3; b++) {
					if (a == b)
						continue;
					set[0] = sh[a];
					set[1] = sh[b];
					combine_ok(set, 2, PP, secret, len);
				}
			n = split(len, ext, 1, &three5, 1, "x");
			assert_int_equal(n, 5);
			for (a = 0; a < 5; a++)
				for (b = a + 1; b < 5; b++)
					for (c = b + 1; c < 5; c++) {
						set[0] = sh[c];
						set[1] = sh[a];
						set[2] = sh[b];
						combine_ok(set, 3, "x", secret,
						    len);
					}
		}
	secmem_wipe(set, sizeof(set));
}

static void
test_roundtrip_groups(void **state)
{
	/* The spec's example: 2 of [own 1-of-1, own 1-of-1, 3-of-5, 2-of-6]. */
	const struct slip39_group g[4] = { { 1, 1 }, { 1, 1 }, { 3, 5 },
	    { 2, 6 } };
	struct slip39_share set[5];
	size_t n;

	(void)state;
	randombytes_buf(secret, 32);
	n = split(32, 1, 2, g, 4, PP);
	assert_int_equal(n, 13);
	assert_int_equal(sh[0].group_index, 0);
	assert_int_equal(sh[2].group_index, 2);
	assert_int_equal(sh[2].member_threshold, 3);
	assert_int_equal(sh[12].group_index, 3);
	assert_int_equal(sh[12].member_index, 5);
	/* Groups 0 and 1. */
	combine_ok(sh, 2, PP, secret, 32);
	/* Group 1 and 3 of group 2 (members 4, 0, 2). */
	set[0] = sh[1];
	set[1] = sh[2 + 4];
	set[2] = sh[2 + 0];
	set[3] = sh[2 + 2];
	combine_ok(set, 4, PP, secret, 32);
	/* 3 of group 2 and 2 of group 3. */
	set[0] = sh[2 + 1];
	set[1] = sh[7 + 5];
	set[2] = sh[2 + 3];
	set[3] = sh[7 + 0];
	set[4] = sh[2 + 2];
	combine_ok(set, 5, PP, secret, 32);
	secmem_wipe(set, sizeof(set));
}

static void
test_split_deterministic(void **state)
{
	const struct slip39_group g = { 2, 3 };
	struct slip39_share *other = secmem_alloc(3 * sizeof(*other));
	unsigned c1 = 0, c2 = 0;
	size_t n1, n2;
	uint16_t id1, id2;

	(void)state;
	assert_non_null(other);
	memset(secret, 0x42, 16);
	assert_int_equal(slip39_split_with_rng(secret, 16, NULL, 0, 0, 1, 1,
	    &g, 1, sh, 3, &n1, &id1, seq_rng, &c1), 0);
	assert_int_equal(slip39_split_with_rng(secret, 16, NULL, 0, 0, 1, 1,
	    &g, 1, other, 3, &n2, &id2, seq_rng, &c2), 0);
	assert_int_equal(n1, 3);
	assert_int_equal(id1, id2);
	assert_int_equal(id1, (7 << 8 | 138) & 0x7fff);	/* rng bytes 0, 1 */
	assert_memory_equal(sh, other, 3 * sizeof(*other));
	assert_int_equal(sh[0].iter_exp, 1);
	combine_ok(sh, 2, "", secret, 16);
	secmem_free(other);
}

static void
test_split_bad_args(void **state)
{
	const struct slip39_group ok = { 2, 3 }, t1n2 = { 1, 2 },
	    t3n2 = { 3, 2 }, n17 = { 2, 17 }, zero = { 0, 0 };
	const struct slip39_group four[2] = { { 2, 3 }, { 2, 3 } };
	const unsigned char bad_pp[] = "caf\xc3\xa9";
	size_t n = 7;

	(void)state;
	memset(secret, 1, 32);
#define SPLIT(len, pp, pplen, ext, e, gt, g, ng, max) \
	slip39_split(secret, len, pp, pplen, ext, e, gt, g, ng, sh, max, &n, \
	    NULL)
	assert_int_equal(SPLIT(15, NULL, 0, 0, 0, 1, &ok, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(n, 0);
	assert_int_equal(SPLIT(17, NULL, 0, 0, 0, 1, &ok, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(34, NULL, 0, 0, 0, 1, &ok, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 16, 1, &ok, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 1, &t1n2, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 1, &t3n2, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 1, &n17, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 1, &zero, 1, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 3, four, 2, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 0, four, 2, 16),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 2, four, 2, 5),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(SPLIT(32, bad_pp, 5, 0, 0, 1, &ok, 1, 16),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(SPLIT(32, NULL, 0, 2, 0, 1, &ok, 1, 16),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(SPLIT(32, NULL, 0, 0, 0, 2, four, 2, 6), 0);
	assert_int_equal(n, 6);
#undef SPLIT
}

static void
test_combine_errors(void **state)
{
	const struct slip39_group g = { 3, 5 }, one = { 1, 1 };
	const struct slip39_group two[2] = { { 2, 3 }, { 2, 3 } };
	struct slip39_share set[6];
	struct slip39_share *other = secmem_alloc(5 * sizeof(*other));
	const char *why = NULL;
	unsigned char small[SLIP39_SECRET_MAX];
	size_t n, len;

	(void)state;
	assert_non_null(other);
	randombytes_buf(secret, 32);
	n = split(32, 0, 1, &g, 1, PP);
	assert_int_equal(n, 5);
	memcpy(other, sh, 5 * sizeof(*other));
	/* A second split of the same secret, same parameters. */
	assert_int_equal(split(32, 0, 1, &g, 1, PP), 5);

	/* Shares of two splits: the identifiers differ. */
	set[0] = sh[0];
	set[1] = sh[1];
	set[2] = other[2];
	if (sh[0].identifier != other[0].identifier) {
		assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
		assert_non_null(strstr(why, "different splits"));
	}
	/* Even with equal identifiers, the digest catches the mix. */
	set[2].identifier = sh[0].identifier;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(why, "digest"));

	/* The same share twice, and two shares with one index. */
	set[2] = sh[1];
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_DUPLICATE_SHARE);
	assert_string_equal(why, "the same share was given twice");
	set[2].value[0] ^= 1;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_DUPLICATE_SHARE);
	assert_non_null(strstr(why, "same member index"));

	/* Too few, too many, none. */
	assert_int_equal(combine_err(sh, 2, &why), CUSTOS_ERR_TRUNCATED);
	assert_int_equal(combine_err(sh, 4, &why), CUSTOS_ERR_LIMIT);
	assert_int_equal(combine_err(sh, 0, &why), CUSTOS_ERR_TRUNCATED);

	/* A changed value: the digest does not match. */
	set[0] = sh[0];
	set[1] = sh[3];
	set[2] = sh[4];
	set[1].value[31] ^= 0x80;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(why, "digest"));

	/* Mismatched parameters, each with its reason. */
	set[1] = sh[3];
	set[1].iter_exp = 1;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "iteration"));
	set[1] = sh[3];
	set[1].member_threshold = 2;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "member thresholds"));
	set[1] = sh[3];
	set[1].value_len = 30;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "lengths"));
	set[1] = sh[3];
	set[1].extendable = 1;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
	/* Index fields out of range (no mnemonic can carry them). */
	set[1] = sh[3];
	set[1].member_index = 255;
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);
	set[1] = sh[3];
	set[1].group_index = 1;		/* beyond a group count of 1 */
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_FORMAT);

	/* Output too small; a non-ASCII passphrase. */
	set[1] = sh[3];
	assert_int_equal(slip39_combine(set, 3, (const unsigned char *)PP,
	    PPLEN, small, 16, &len, &why), CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(slip39_combine(set, 3, (const unsigned char *)"\t",
	    1, small, 32, &len, &why), CUSTOS_ERR_INVALID_ARG);
	combine_ok(set, 3, PP, secret, 32);

	/* Groups: too few groups, too many, a group short of members. */
	assert_int_equal(split(16, 0, 2, two, 2, PP), 6);
	assert_int_equal(combine_err(sh, 2, &why), CUSTOS_ERR_TRUNCATED);
	assert_non_null(strstr(why, "groups"));
	set[0] = sh[0];
	set[1] = sh[1];
	set[2] = sh[3];
	assert_int_equal(combine_err(set, 3, &why), CUSTOS_ERR_TRUNCATED);
	set[3] = sh[4];
	combine_ok(set, 4, PP, secret, 16);
	assert_int_equal(split(16, 0, 1, &one, 1, PP), 1);
	set[4] = sh[0];
	assert_int_equal(combine_err(set, 5, &why), CUSTOS_ERR_FORMAT);
	secmem_wipe(set, sizeof(set));
	secmem_free(other);
}

/* SLIP-39 has no passphrase check: a wrong one gives another secret. */
static void
test_wrong_passphrase(void **state)
{
	const struct slip39_group g = { 2, 3 };
	unsigned char *out = secmem_alloc(32);
	size_t len = 0;

	(void)state;
	assert_non_null(out);
	randombytes_buf(secret, 32);
	assert_int_equal(split(32, 0, 1, &g, 1, "right"), 3);
	combine_ok(sh, 2, "right", secret, 32);
	assert_int_equal(slip39_combine(sh, 2, (const unsigned char *)"wrong",
	    5, out, 32, &len, NULL), 0);
	assert_int_equal(len, 32);
	assert_memory_not_equal(out, secret, 32);
	assert_int_equal(slip39_combine(sh, 2, NULL, 0, out, 32, &len, NULL),
	    0);
	assert_memory_not_equal(out, secret, 32);
	secmem_free(out);
}

/*
 * Member index 0 is an ordinary share in SLIP-39 (the secret is at 255,
 * not 0), so it combines like any other; indices a mnemonic cannot carry
 * (16 and up, 254, 255) are refused.
 */
static void
test_index_zero(void **state)
{
	const struct slip39_group g = { 2, 2 };
	struct slip39_share set[2];

	(void)state;
	randombytes_buf(secret, 16);
	assert_int_equal(split(16, 0, 1, &g, 1, ""), 2);
	assert_int_equal(sh[0].member_index, 0);
	assert_memory_not_equal(sh[0].value, secret, 16);
	combine_ok(sh, 2, "", secret, 16);
	set[0] = sh[0];
	set[1] = sh[1];
	set[0].member_index = 255;
	assert_int_equal(combine_err(set, 2, NULL), CUSTOS_ERR_FORMAT);
	set[0].member_index = 254;
	assert_int_equal(combine_err(set, 2, NULL), CUSTOS_ERR_FORMAT);
	set[0].member_index = 16;
	assert_int_equal(combine_err(set, 2, NULL), CUSTOS_ERR_FORMAT);
	secmem_wipe(set, sizeof(set));
}

static void
test_identify_bad(void **state)
{
	const struct slip39_group g = { 2, 5 }, three[3] = { { 1, 1 },
	    { 1, 1 }, { 1, 1 } }, two[3] = { { 2, 3 }, { 2, 3 }, { 2, 3 } };
	struct slip39_share set[5];
	struct slip39_share *other = secmem_alloc(5 * sizeof(*other));
	size_t pos = 99, i, k;

	(void)state;
	assert_non_null(other);
	randombytes_buf(secret, 32);
	assert_int_equal(split(32, 0, 1, &g, 1, PP), 5);
	memcpy(other, sh, 5 * sizeof(*other));
	assert_int_equal(split(32, 0, 1, &g, 1, PP), 5);

	/* 4 of a 2-of-5 split: all agree, then each one altered in turn. */
	memcpy(set, &sh[1], 4 * sizeof(*set));
	assert_int_equal(slip39_identify_bad(set, 4, &pos),
	    CUSTOS_ERR_NOT_FOUND);
	for (k = 0; k < 4; k++) {
		memcpy(set, &sh[1], 4 * sizeof(*set));
		set[k].value[k] ^= 0x5a;
		pos = 99;
		assert_int_equal(slip39_identify_bad(set, 4, &pos), 0);
		assert_int_equal(pos, k);
	}
	/* Threshold + 1 suffices; threshold alone cannot tell. */
	memcpy(set, &sh[0], 3 * sizeof(*set));
	set[2].value[0] ^= 1;
	assert_int_equal(slip39_identify_bad(set, 3, &pos), 0);
	assert_int_equal(pos, 2);
	assert_int_equal(slip39_identify_bad(set + 1, 2, &pos),
	    CUSTOS_ERR_CORRUPT);
	/* Two wrong of four: no single share to blame. */
	memcpy(set, &sh[1], 4 * sizeof(*set));
	set[0].value[3] ^= 1;
	set[3].value[3] ^= 1;
	assert_int_equal(slip39_identify_bad(set, 4, &pos),
	    CUSTOS_ERR_CORRUPT);
	/* A share of another split (same identifier forged, or not). */
	memcpy(set, &sh[0], 4 * sizeof(*set));
	set[1] = other[1];
	assert_int_equal(slip39_identify_bad(set, 4, &pos), 0);
	assert_int_equal(pos, 1);
	set[1].identifier = sh[0].identifier;
	assert_int_equal(slip39_identify_bad(set, 4, &pos), 0);
	assert_int_equal(pos, 1);

	/* The same share twice: the second copy; a malformed share. */
	memcpy(set, &sh[0], 3 * sizeof(*set));
	set[3] = sh[1];
	assert_int_equal(slip39_identify_bad(set, 4, &pos), 0);
	assert_int_equal(pos, 3);
	set[3] = sh[3];
	set[0].member_index = 200;
	assert_int_equal(slip39_identify_bad(set, 4, &pos), 0);
	assert_int_equal(pos, 0);
	/* Two shares that disagree: either could be the wrong one. */
	set[0] = other[0];
	assert_int_equal(slip39_identify_bad(set, 2, &pos),
	    CUSTOS_ERR_CORRUPT);

	/* Among whole groups: 3 groups given where 2 are needed. */
	assert_int_equal(split(16, 0, 2, three, 3, PP), 3);
	assert_int_equal(slip39_identify_bad(sh, 3, &pos),
	    CUSTOS_ERR_NOT_FOUND);
	for (i = 0; i < 3; i++) {
		memcpy(set, sh, 3 * sizeof(*set));
		set[i].value[5] ^= 0x10;
		assert_int_equal(slip39_identify_bad(set, 3, &pos), 0);
		assert_int_equal(pos, i);
	}
	/* Groups short of members are skipped, not blamed. */
	assert_int_equal(split(16, 0, 2, two, 3, PP), 9);
	set[0] = sh[0];			/* group 0: 1 of 2 */
	set[1] = sh[3];			/* group 1: 3 of 2-of-3 */
	set[2] = sh[4];
	set[3] = sh[5];
	set[4] = sh[6];			/* group 2: 1 of 2 */
	assert_int_equal(slip39_identify_bad(set, 5, &pos),
	    CUSTOS_ERR_NOT_FOUND);
	set[2].value[1] ^= 4;
	assert_int_equal(slip39_identify_bad(set, 5, &pos), 0);
	assert_int_equal(pos, 2);
	secmem_wipe(set, sizeof(set));
	secmem_free(other);
}

static void
test_cipher(void **state)
{
	unsigned char in[32], a[32], b[32], c[32];

	(void)state;
	randombytes_buf(in, sizeof(in));
	assert_int_equal(slip39_cipher(0, a, in, 32, (const unsigned char *)
	    PP, PPLEN, 0, 1234, 0), 0);
	assert_memory_not_equal(a, in, 32);
	assert_int_equal(slip39_cipher(1, b, a, 32, (const unsigned char *)
	    PP, PPLEN, 0, 1234, 0), 0);
	assert_memory_equal(b, in, 32);
	/* The identifier is in the salt unless the flag is set. */
	assert_int_equal(slip39_cipher(0, b, in, 32, (const unsigned char *)
	    PP, PPLEN, 0, 1235, 0), 0);
	assert_memory_not_equal(a, b, 32);
	assert_int_equal(slip39_cipher(0, b, in, 32, (const unsigned char *)
	    PP, PPLEN, 0, 1234, 1), 0);
	assert_int_equal(slip39_cipher(0, c, in, 32, (const unsigned char *)
	    PP, PPLEN, 0, 1235, 1), 0);
	assert_memory_equal(b, c, 32);
	assert_memory_not_equal(a, b, 32);
	assert_int_equal(slip39_cipher(0, c, in, 31, NULL, 0, 0, 1, 0),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(slip39_cipher(0, c, in, 32, NULL, 0, 16, 1, 0),
	    CUSTOS_ERR_INVALID_ARG);
	sodium_memzero(in, sizeof(in));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vectors_reencode),
		cmocka_unit_test(test_decode_forms),
		cmocka_unit_test(test_decode_unknown_word),
		cmocka_unit_test(test_decode_checksum_names_word),
		cmocka_unit_test(test_decode_lengths),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_rs1024),
		cmocka_unit_test(test_roundtrip_single_group),
		cmocka_unit_test(test_roundtrip_groups),
		cmocka_unit_test(test_split_deterministic),
		cmocka_unit_test(test_split_bad_args),
		cmocka_unit_test(test_combine_errors),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_index_zero),
		cmocka_unit_test(test_identify_bad),
		cmocka_unit_test(test_cipher),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
