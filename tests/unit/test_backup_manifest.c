/*
 * test_backup_manifest.c - the backup manifest (ceremony/backup_manifest.c):
 * dump and parse round trips (no key, one, 255, not_exportable entries),
 * byte-stable output pinned against a golden text, dump's refusals, and
 * the parser's refusal of duplicate JSON keys, another format, oversize
 * and truncated input. Refused members and values:
 * test_backup_manifest_refuse.c.
 */
#include "testutil.h"

#include <jansson.h>

#include "../../ceremony/backup_manifest.h"
#include "../../common/secmem.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct backup_manifest *m, *back;

static int
setup(void **state)
{
	(void)state;
	if (secmem_init() != 0)
		return -1;
	m = calloc(1, sizeof(*m));
	back = calloc(1, sizeof(*back));
	return m != NULL && back != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	free(m);
	free(back);
	return 0;
}

static void
fill_key(struct backup_key *k, int ref)
{
	memset(k, 0, sizeof(*k));
	k->ref = ref;
	snprintf(k->label, sizeof(k->label), "key %d \xc3\xa4", ref);
	snprintf(k->id, sizeof(k->id), "%s", ref % 2 ? "0a1b2c" : "");
	snprintf(k->kind, sizeof(k->kind), "%s", ref % 3 ? "RSA-2048" :
	    "EC prime256v1");
	snprintf(k->pubkey_sha256, sizeof(k->pubkey_sha256), SHA_A);
	snprintf(k->pubkey, sizeof(k->pubkey), "MFkwEwYHKoZIzj0CAQ/+%d==", ref);
	backup_key_file(k->file, ref);
	snprintf(k->file_sha256, sizeof(k->file_sha256), SHA_B);
}

static void
fill_skipped(struct backup_skipped *s, int ref)
{
	memset(s, 0, sizeof(*s));
	s->ref = ref;
	snprintf(s->label, sizeof(s->label), "early %d", ref);
	snprintf(s->kind, sizeof(s->kind), "EC secp521r1");
	snprintf(s->reason, sizeof(s->reason), "generated before the DKEK "
	    "was complete \"quoted\" \\ back");
}

/* A manifest with nkeys keys at refs 1.. and nskipped after them. */
static void
make(size_t nkeys, size_t nskipped)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->domain = -1;
	snprintf(m->created, sizeof(m->created), "2026-11-30T10:52:13Z");
	snprintf(m->serial, sizeof(m->serial), "ZZEMU0A1B2C");
	snprintf(m->reader, sizeof(m->reader), "emu:alpha");
	m->emulated = 1;
	snprintf(m->kcv, sizeof(m->kcv), "0123456789ABCDEF");
	for (i = 0; i < nkeys; i++)
		fill_key(&m->keys[i], (int)i + 1);
	m->nkeys = nkeys;
	for (i = 0; i < nskipped; i++)
		fill_skipped(&m->skipped[i], (int)(nkeys + i) + 1);
	m->nskipped = nskipped;
}

static void
assert_same(const struct backup_manifest *a, const struct backup_manifest *b)
{
	assert_string_equal(a->created, b->created);
	assert_string_equal(a->serial, b->serial);
	assert_string_equal(a->reader, b->reader);
	assert_int_equal(a->emulated, b->emulated);
	assert_string_equal(a->kcv, b->kcv);
	assert_int_equal(a->domain, b->domain);
	assert_int_equal(a->nkeys, b->nkeys);
	assert_int_equal(a->nskipped, b->nskipped);
	/* Both zero-filled past each string (make() and the parser). */
	assert_memory_equal(a->keys, b->keys, a->nkeys * sizeof(a->keys[0]));
	assert_memory_equal(a->skipped, b->skipped,
	    a->nskipped * sizeof(a->skipped[0]));
}

/* dump -> parse -> dump: same manifest, same bytes. */
static void
roundtrip(void)
{
	char *s1 = NULL, *s2 = NULL;
	size_t l1 = 0, l2 = 0;
	const char *why = "unset";

	assert_int_equal(backup_manifest_dump(m, &s1, &l1), 0);
	assert_non_null(s1);
	assert_int_equal(strlen(s1), l1);
	assert_int_equal(s1[l1 - 1], '\n');
	assert_int_equal(backup_manifest_parse(s1, l1, back, &why), 0);
	assert_same(m, back);
	assert_int_equal(backup_manifest_dump(back, &s2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	free(s2);
	/* Dumping the same manifest twice gives the same bytes. */
	assert_int_equal(backup_manifest_dump(m, &s2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	free(s1);
	free(s2);
}

static void
test_key_file(void **state)
{
	char f[32];

	(void)state;
	backup_key_file(f, 1);
	assert_string_equal(f, "key-001.wrap");
	backup_key_file(f, 42);
	assert_string_equal(f, "key-042.wrap");
	backup_key_file(f, 255);
	assert_string_equal(f, "key-255.wrap");
}

static void
test_roundtrips(void **state)
{
	(void)state;
	make(0, 0);
	roundtrip();
	make(1, 0);
	roundtrip();
	make(1, 1);
	m->emulated = 0;
	m->reader[0] = '\0';
	roundtrip();
	make(0, 3);
	roundtrip();
	make(BACKUP_MAX_KEYS, 0);
	roundtrip();
	make(200, 55);
	roundtrip();
	make(0, BACKUP_MAX_KEYS);
	roundtrip();
	/* Longest fields that fit. */
	make(1, 1);
	memset(m->keys[0].label, 'L', 64);
	memset(m->keys[0].id, 'e', 64);
	memset(m->keys[0].pubkey, 'Q', 1499);
	memset(m->serial, 'S', 16);
	memset(m->skipped[0].reason, 'r', 127);
	roundtrip();
	/* A set from key domain 2 says so; one from none names none. */
	make(2, 0);
	m->domain = 2;
	roundtrip();
	assert_int_equal(back->domain, 2);
	{
		char *t = NULL;
		size_t l = 0;
		const char *why = "";

		assert_int_equal(backup_manifest_dump(m, &t, &l), 0);
		assert_non_null(strstr(t, "\"domain\": 2"));
		free(t);
		make(1, 0);
		assert_int_equal(backup_manifest_dump(m, &t, &l), 0);
		assert_null(strstr(t, "domain"));
		assert_int_equal(backup_manifest_parse(t, l, back, &why), 0);
		assert_int_equal(back->domain, -1);
		free(t);
		m->domain = 256;
		assert_int_equal(backup_manifest_dump(m, &t, &l),
		    CUSTOS_ERR_INVALID_ARG);
	}
}

/* The exact bytes, so that a change of layout is noticed. */
static void
test_golden(void **state)
{
	static const char golden[] =
	    "{\n"
	    "  \"created\": \"2026-11-30T10:52:13Z\",\n"
	    "  \"device\": {\n"
	    "    \"emulated\": true,\n"
	    "    \"reader\": \"emu:alpha\",\n"
	    "    \"serial\": \"ZZEMU0A1B2C\"\n"
	    "  },\n"
	    "  \"format\": \"custos-backup/1\",\n"
	    "  \"kcv\": \"0123456789ABCDEF\",\n"
	    "  \"keys\": [\n"
	    "    {\n"
	    "      \"file\": \"key-001.wrap\",\n"
	    "      \"file_sha256\": \"" SHA_B "\",\n"
	    "      \"id\": \"0a1b2c\",\n"
	    "      \"kind\": \"RSA-2048\",\n"
	    "      \"label\": \"key 1 \\u00E4\",\n"
	    "      \"pubkey\": \"MFkwEwYHKoZIzj0CAQ/+1==\",\n"
	    "      \"pubkey_sha256\": \"" SHA_A "\",\n"
	    "      \"ref\": 1\n"
	    "    }\n"
	    "  ],\n"
	    "  \"not_exportable\": [\n"
	    "    {\n"
	    "      \"kind\": \"EC secp521r1\",\n"
	    "      \"label\": \"early 2\",\n"
	    "      \"reason\": \"generated before the DKEK was complete "
	    "\\\"quoted\\\" \\\\ back\",\n"
	    "      \"ref\": 2\n"
	    "    }\n"
	    "  ]\n"
	    "}\n";
	char *s = NULL;
	size_t l = 0;

	(void)state;
	make(1, 1);
	assert_int_equal(backup_manifest_dump(m, &s, &l), 0);
	assert_int_equal(l, sizeof(golden) - 1);
	assert_string_equal(s, golden);
	free(s);
}

static void
test_dump_refuses(void **state)
{
	char *s = (char *)"x";
	size_t l = 7;

	(void)state;
	make(1, 0);
	snprintf(m->kcv, sizeof(m->kcv), "0123456789abcdef");
	assert_int_equal(backup_manifest_dump(m, &s, &l),
	    CUSTOS_ERR_INVALID_ARG);
	assert_null(s);
	assert_int_equal(l, 0);
	make(1, 0);
	m->kcv[15] = '\0';
	assert_int_equal(backup_manifest_dump(m, &s, &l),
	    CUSTOS_ERR_INVALID_ARG);
	make(1, 0);
	m->nkeys = BACKUP_MAX_KEYS + 1;
	assert_int_equal(backup_manifest_dump(m, &s, &l),
	    CUSTOS_ERR_INVALID_ARG);
	make(1, 0);
	m->nskipped = BACKUP_MAX_KEYS + 1;
	assert_int_equal(backup_manifest_dump(m, &s, &l),
	    CUSTOS_ERR_INVALID_ARG);
}

/* ---- the base manifest as JSON, for edits ---- */

static json_t *doc;	/* the base manifest (2 keys, 1 skipped) as JSON */

static void
base(void)
{
	char *s = NULL;
	size_t l = 0;
	json_error_t e;

	make(2, 1);
	assert_int_equal(backup_manifest_dump(m, &s, &l), 0);
	json_decref(doc);
	assert_non_null(doc = json_loadb(s, l, 0, &e));
	free(s);
}

/* Parses text; returns the result, checks why and the counts. */
static int
parse_text(const char *s, size_t l)
{
	const char *why = NULL;
	int r;

	memset(back, 0x5A, sizeof(*back));
	r = backup_manifest_parse(s, l, back, &why);
	if (r != 0) {
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		assert_int_equal(back->nkeys, 0);
		assert_int_equal(back->nskipped, 0);
	}
	/* The same without a why. */
	assert_int_equal(backup_manifest_parse(s, l, back, NULL), r);
	return r;
}

/* Parses doc (after the caller's edit) and rebuilds the base. */
static void
test_duplicate_json_keys(void **state)
{
	char *s, *p, *t;
	size_t l;

	(void)state;
	base();
	assert_non_null(s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS));
	assert_int_equal(parse_text(s, strlen(s)), 0);
	l = strlen(s) + 200;
	assert_non_null(t = malloc(l));
	/* The same member twice with the same value: still refused. */
	assert_non_null(p = strstr(s, "  \"kcv\""));
	snprintf(t, l, "%.*s  \"kcv\": \"0123456789ABCDEF\",\n%s",
	    (int)(p - s), s, p);
	assert_int_equal(parse_text(t, strlen(t)), CUSTOS_ERR_FORMAT);
	assert_non_null(p = strstr(s, "      \"label\""));
	snprintf(t, l, "%.*s      \"label\": \"other\",\n%s", (int)(p - s), s,
	    p);
	assert_int_equal(parse_text(t, strlen(t)), CUSTOS_ERR_FORMAT);
	assert_non_null(p = strstr(s, "    \"emulated\""));
	snprintf(t, l, "%.*s    \"emulated\": false,\n%s", (int)(p - s), s,
	    p);
	assert_int_equal(parse_text(t, strlen(t)), CUSTOS_ERR_FORMAT);
	/* Trailing text after the object. */
	snprintf(t, l, "%s{}", s);
	assert_int_equal(parse_text(t, strlen(t)), CUSTOS_ERR_FORMAT);
	free(t);
	free(s);
}

static void
test_format(void **state)
{
	static const char *other[] = { "custos-backup/2", "custos-backup/1 ",
	    "CUSTOS-BACKUP/1", "", "custos-backup" };
	const char *why = NULL;
	char *s;
	size_t i;

	(void)state;
	base();
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_int_equal(json_object_set_new(doc, "format",
		    json_string(other[i])), 0);
		assert_non_null(s = json_dumps(doc, JSON_SORT_KEYS));
		why = NULL;
		assert_int_equal(backup_manifest_parse(s, strlen(s), back,
		    &why), CUSTOS_ERR_UNSUPPORTED);
		assert_non_null(why);
		assert_int_equal(back->nkeys, 0);
		free(s);
	}
	base();
	/* Another format is told apart before anything else. */
	s = (char *)"{\"format\": \"custos-backup/9\"}";
	assert_int_equal(parse_text(s, strlen(s)), CUSTOS_ERR_UNSUPPORTED);
}

static void
test_sizes(void **state)
{
	char *big, *s = NULL;
	size_t l = 0;
	json_t *keys;

	(void)state;
	assert_non_null(big = malloc(BACKUP_MANIFEST_MAX + 2));
	memset(big, ' ', BACKUP_MANIFEST_MAX + 2);
	assert_int_equal(parse_text(big, BACKUP_MANIFEST_MAX + 1),
	    CUSTOS_ERR_TOO_LARGE);
	assert_int_equal(parse_text(big, BACKUP_MANIFEST_MAX),
	    CUSTOS_ERR_FORMAT);
	/* A valid manifest padded with spaces to the limit still parses. */
	make(2, 1);
	assert_int_equal(backup_manifest_dump(m, &s, &l), 0);
	memcpy(big, s, l);
	assert_int_equal(parse_text(big, BACKUP_MANIFEST_MAX), 0);
	assert_int_equal(parse_text(big, BACKUP_MANIFEST_MAX + 1),
	    CUSTOS_ERR_TOO_LARGE);
	free(s);
	free(big);
	/* 256 keys: one more than a device holds (and than m has room
	 * for). */
	make(BACKUP_MAX_KEYS, 0);
	assert_int_equal(backup_manifest_dump(m, &s, &l), 0);
	json_decref(doc);
	assert_non_null(doc = json_loadb(s, l, 0, NULL));
	free(s);
	keys = json_object_get(doc, "keys");
	assert_int_equal(json_array_size(keys), BACKUP_MAX_KEYS);
	assert_int_equal(json_array_append(keys, json_array_get(keys, 0)), 0);
	assert_non_null(s = json_dumps(doc, JSON_SORT_KEYS));
	assert_int_equal(parse_text(s, strlen(s)), CUSTOS_ERR_FORMAT);
	free(s);
}

static void
test_truncated(void **state)
{
	char *s = NULL, *t;
	size_t l = 0, i;

	(void)state;
	make(1, 1);
	assert_int_equal(backup_manifest_dump(m, &s, &l), 0);
	/* Every prefix short of the closing brace is refused; copied so
	 * that nothing past the length is there to read. */
	for (i = 0; i < l - 1; i++) {
		assert_non_null(t = malloc(i + 1));
		memcpy(t, s, i);
		assert_int_equal(parse_text(t, i), CUSTOS_ERR_FORMAT);
		free(t);
	}
	/* Without the final newline it is the same JSON. */
	assert_int_equal(parse_text(s, l - 1), 0);
	assert_int_equal(parse_text(s, l), 0);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_dump_refuses),
		cmocka_unit_test(test_duplicate_json_keys),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_truncated),
	};
	int r = cmocka_run_group_tests(tests, setup, teardown);

	json_decref(doc);
	return r;
}
