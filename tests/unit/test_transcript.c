/*
 * test_transcript.c - the signed, hash-chained transcript: building,
 * verifying, and catching and locating every kind of tampering.
 */
#include "testutil.h"

#include "../../ceremony/transcript.h"

#define NREC 12

static unsigned char pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static char *file;		/* NREC records */
static size_t file_len;
static size_t line_start[NREC + 1];

static int
setup(void **state)
{
	char prev[65], *line = NULL;
	size_t len = 0, off = 0, i;

	(void)state;
	crypto_sign_keypair(pk, sk);
	file = calloc(1, (size_t)NREC * 2048);
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (i = 0; i < NREC; i++) {
		json_t *facts = json_pack("{s:s, s:I, s:s}", "kcv",
		    "66687AADF862BD77", "count", (json_int_t)i, "label",
		    "Müller \"quoted\" \\ /");
		if (transcript_make_line(&line, &len, i,
		    "2026-11-23T12:00:00Z", prev, "alice", "share.create",
		    facts, 1, sk) != CUSTOS_OK)
			return -1;
		json_decref(facts);
		line_start[i] = off;
		memcpy(file + off, line, len);
		file[off + len] = '\n';
		transcript_line_hash(prev, line, len);
		off += len + 1;
		free(line);
	}
	line_start[NREC] = off;
	file_len = off;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(file);
	return 0;
}

static size_t
record_of(size_t off)
{
	size_t i;

	for (i = 0; i < NREC; i++)
		if (off < line_start[i + 1])
			return i;
	return NREC;
}

static void
test_good_chain(void **state)
{
	struct transcript_verdict v;

	(void)state;
	assert_int_equal(transcript_verify(file, file_len, pk, &v), CUSTOS_OK);
	assert_int_equal(v.records, NREC);
	assert_true(v.ok);
	assert_string_equal(v.last_action, "share.create");
	/* Cut mid-record: the last whole record's action. */
	assert_int_equal(transcript_verify(file, line_start[2] + 5, pk, &v),
	    CUSTOS_ERR_TRUNCATED);
	assert_string_equal(v.last_action, "share.create");
	assert_int_equal(v.records, 2);
}

static void
test_record_shape(void **state)
{
	struct transcript_record rec;
	const char *why;
	size_t l = line_start[1] - 1;

	(void)state;
	assert_int_equal(transcript_parse_record(file, l, &rec, &why),
	    CUSTOS_OK);
	assert_string_equal(rec.action, "share.create");
	assert_string_equal(rec.actor, "alice");
	assert_true(rec.rehearsal);
	assert_int_equal(rec.seq, 0);
	/* Keys sorted, compact; the signature member last. */
	assert_memory_equal(file, "{\"action\":\"share.create\",\"actor\":"
	    "\"alice\",\"facts\":{\"count\":0,", 60);
	assert_memory_equal(file + l - 103, "\"v\":1,\"sig\":\"", 13);
	transcript_record_clear(&rec);
}

static void
test_wrong_key(void **state)
{
	unsigned char pk2[32], sk2[64];
	struct transcript_verdict v;

	(void)state;
	crypto_sign_keypair(pk2, sk2);
	assert_int_equal(transcript_verify(file, file_len, pk2, &v),
	    CUSTOS_ERR_CORRUPT);
	assert_int_equal(v.bad_record, 0);
	assert_non_null(strstr(v.why, "signature"));
}

/* Every byte flipped (three bit positions each): caught, located. */
static void
test_flips_located(void **state)
{
	struct transcript_verdict v;
	char *buf = malloc(file_len);
	size_t i, want;
	int bit, r;

	(void)state;
	for (i = 0; i < file_len; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			memcpy(buf, file, file_len);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			r = transcript_verify(buf, file_len, pk, &v);
			if (r == CUSTOS_OK)
				fail_msg("flip at %zu bit %d undetected", i,
				    bit);
			want = record_of(i);
			/* A flipped newline damages its own record. */
			if (v.bad_record != (long)want && !(buf[i] != '\n' &&
			    file[i] == '\n' && v.bad_record == (long)want) &&
			    !v.truncated)
				fail_msg("flip at %zu located at %ld, not %zu",
				    i, v.bad_record, want);
		}
	}
	free(buf);
}

static char *
splice(size_t *outlen, const size_t *order, size_t n)
{
	char *out = calloc(1, file_len * 2);
	size_t i, off = 0;

	for (i = 0; i < n; i++) {
		size_t a = line_start[order[i]], b = line_start[order[i] + 1];

		memcpy(out + off, file + a, b - a);
		off += b - a;
	}
	*outlen = off;
	return out;
}

static void
test_delete_insert_reorder(void **state)
{
	struct transcript_verdict v;
	size_t order[NREC + 1], i, k, len;
	char *buf;

	(void)state;
	for (k = 0; k < NREC - 1; k++) {	/* delete record k */
		size_t n = 0;

		for (i = 0; i < NREC; i++)
			if (i != k)
				order[n++] = i;
		buf = splice(&len, order, n);
		assert_int_equal(transcript_verify(buf, len, pk, &v),
		    CUSTOS_ERR_CORRUPT);
		assert_int_equal(v.bad_record, (long)k);
		free(buf);
	}
	for (k = 0; k < NREC; k++) {	/* duplicate record k after itself */
		size_t n = 0;

		for (i = 0; i < NREC; i++) {
			order[n++] = i;
			if (i == k)
				order[n++] = i;
		}
		buf = splice(&len, order, n);
		assert_int_equal(transcript_verify(buf, len, pk, &v),
		    CUSTOS_ERR_CORRUPT);
		assert_int_equal(v.bad_record, (long)k + 1);
		free(buf);
	}
	for (k = 0; k + 1 < NREC; k++) {	/* swap k and k+1 */
		for (i = 0; i < NREC; i++)
			order[i] = i;
		order[k] = k + 1;
		order[k + 1] = k;
		buf = splice(&len, order, NREC);
		assert_int_equal(transcript_verify(buf, len, pk, &v),
		    CUSTOS_ERR_CORRUPT);
		assert_int_equal(v.bad_record, (long)k);
		free(buf);
	}
}

/* Cut anywhere: whole records still verify; a partial one is reported. */
static void
test_truncation(void **state)
{
	struct transcript_verdict v;
	size_t cut, whole;
	int r;

	(void)state;
	for (cut = 1; cut < file_len; cut++) {
		r = transcript_verify(file, cut, pk, &v);
		whole = record_of(cut);
		if (cut == line_start[whole]) {
			assert_int_equal(r, CUSTOS_OK);
			assert_int_equal(v.records, whole);
		} else {
			assert_int_equal(r, CUSTOS_ERR_TRUNCATED);
			assert_true(v.truncated);
			assert_int_equal(v.records, whole);
		}
	}
	assert_int_equal(transcript_verify(file, 0, pk, &v),
	    CUSTOS_ERR_CORRUPT);
}

static void
test_non_canonical_rejected(void **state)
{
	struct transcript_record rec;
	const char *why;
	char *buf;
	size_t l = line_start[1] - 1;

	(void)state;
	buf = calloc(1, l + 2);
	/* A space after the first colon. */
	memcpy(buf, file, 10);
	buf[10] = ' ';
	memcpy(buf + 11, file + 10, l - 10);
	assert_int_equal(transcript_parse_record(buf, l + 1, &rec, &why),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "canonical"));
	free(buf);
	assert_int_equal(transcript_parse_record("{}", 2, &rec, &why),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(transcript_parse_record("", 0, &rec, &why),
	    CUSTOS_ERR_FORMAT);
}

#define NBIG 3000

/* NBIG records (enough for every core to take part), their starts. */
static char *
big_file(size_t *len, size_t *starts)
{
	char *buf = calloc(1, (size_t)NBIG * 400), *line = NULL, prev[65];
	size_t off = 0, l, i;

	assert_non_null(buf);
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (i = 0; i < NBIG; i++) {
		json_t *f = json_pack("{s:I}", "n", (json_int_t)i);

		assert_int_equal(transcript_make_line(&line, &l, i,
		    "2026-11-23T12:00:00Z", prev, "alice", "share.verify", f,
		    1, sk), CUSTOS_OK);
		json_decref(f);
		starts[i] = off;
		memcpy(buf + off, line, l);
		buf[off + l] = '\n';
		transcript_line_hash(prev, line, l);
		off += l + 1;
		free(line);
	}
	starts[NBIG] = off;
	*len = off;
	return buf;
}

/* Flips a byte inside record k's signature (its last base64 chars). */
static void
break_sig(char *buf, const size_t *starts, size_t k)
{
	char *c = &buf[starts[k + 1] - 10];

	*c = *c == 'A' ? 'B' : 'A';	/* still base64: another signature */
}

/* A byte of record k's JSON that keeps the line parseable but changes a
   signed value: the "n" fact's digit. */
static void
break_body(char *buf, const size_t *starts, size_t k)
{
	char *p = strstr(buf + starts[k], "\"n\":");

	assert_non_null(p);
	p[4] = p[4] == '9' ? '8' : (char)(p[4] + 1);
}

static void
test_parallel_verdict(void **state)
{
	static size_t starts[NBIG + 1];
	struct transcript_verdict v;
	size_t len, i;
	char *good, *buf;

	(void)state;
	good = big_file(&len, starts);
	buf = malloc(len);
	assert_non_null(buf);
	assert_int_equal(transcript_verify(good, len, pk, &v), CUSTOS_OK);
	assert_int_equal(v.records, NBIG);
	assert_string_equal(v.last_action, "share.verify");
	/* one fault anywhere is found at its record, whichever core took it */
	for (i = 0; i < NBIG; i += 97) {
		memcpy(buf, good, len);
		break_sig(buf, starts, i);
		assert_int_equal(transcript_verify(buf, len, pk, &v),
		    CUSTOS_ERR_CORRUPT);
		assert_int_equal(v.bad_record, (long)i);
		assert_int_equal(v.records, i);
		assert_non_null(strstr(v.why, "signature does not verify"));
	}
	/* several faults: the first in order wins, whatever its kind and
	   whatever was checked first */
	memcpy(buf, good, len);
	break_sig(buf, starts, 2900);
	break_body(buf, starts, 1700);
	buf[starts[2200] + 3] = 'X';	/* not JSON any more */
	assert_int_equal(transcript_verify(buf, len, pk, &v),
	    CUSTOS_ERR_CORRUPT);
	assert_int_equal(v.bad_record, 1700);
	/* a changed body also breaks the next record's prev: the record
	   itself is named, by its signature */
	assert_non_null(strstr(v.why, "signature does not verify"));
	/* a record removed in the second half: seq, at its place */
	memcpy(buf, good, starts[2500]);
	memcpy(buf + starts[2500], good + starts[2501], len - starts[2501]);
	assert_int_equal(transcript_verify(buf, len - (starts[2501] -
	    starts[2500]), pk, &v), CUSTOS_ERR_CORRUPT);
	assert_int_equal(v.bad_record, 2500);
	assert_non_null(strstr(v.why, "seq is 2501 where 2500"));
	/* a partial last line after 3000 good records */
	memcpy(buf, good, len);
	assert_int_equal(transcript_verify(buf, len - 5, pk, &v),
	    CUSTOS_ERR_TRUNCATED);
	assert_int_equal(v.records, NBIG - 1);
	assert_int_equal(v.truncated, 1);
	free(buf);
	free(good);
}

static void
test_make_line_rejects(void **state)
{
	char *line = NULL;
	size_t len;
	char prev[65];
	json_t *arr = json_array();

	(void)state;
	memset(prev, '0', 64);
	prev[64] = '\0';
	assert_int_equal(transcript_make_line(&line, &len, 0, "yesterday",
	    prev, "a", "x", NULL, 0, sk), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(transcript_make_line(&line, &len, 0,
	    "2026-11-23T12:00:00Z", "abc", "a", "x", NULL, 0, sk),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(transcript_make_line(&line, &len, 0,
	    "2026-11-23T12:00:00Z", prev, "a", "x", arr, 0, sk),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(transcript_make_line(&line, &len, 0,
	    "2026-11-23T12:00:00Z", prev, "bad\xff", "x", NULL, 0, sk),
	    CUSTOS_ERR_INVALID_ARG);
	assert_null(line);
	json_decref(arr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain),
		cmocka_unit_test(test_record_shape),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_flips_located),
		cmocka_unit_test(test_delete_insert_reorder),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_non_canonical_rejected),
		cmocka_unit_test(test_make_line_rejects),
		cmocka_unit_test(test_parallel_verdict),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
