/*
 * test_backup_manifest_refuse.c - what the backup manifest parser
 * (ceremony/backup_manifest.c) refuses: unknown, missing and mistyped
 * members, bad timestamps, KCVs, file names, references (0, 256,
 * duplicates), hashes, IDs and control characters. Round trips and the
 * rest: test_backup_manifest.c.
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
static int
parse_doc(void)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int r;

	assert_non_null(s);
	r = parse_text(s, strlen(s));
	free(s);
	base();
	return r;
}

static json_t *
key0(void)
{
	return json_array_get(json_object_get(doc, "keys"), 0);
}

static json_t *
skip0(void)
{
	return json_array_get(json_object_get(doc, "not_exportable"), 0);
}

static json_t *
dev(void)
{
	return json_object_get(doc, "device");
}

/* Sets o.name to v (stolen) and expects a refusal. */
static void
refuse_set(json_t *(*where)(void), const char *name, json_t *v)
{
	assert_non_null(v);
	assert_int_equal(json_object_set_new(where == NULL ? doc : where(),
	    name, v), 0);
	assert_int_equal(parse_doc(), CUSTOS_ERR_FORMAT);
}

static void
refuse_str(json_t *(*where)(void), const char *name, const char *v)
{
	refuse_set(where, name, json_string(v));
}

static void
accept_str(json_t *(*where)(void), const char *name, const char *v)
{
	assert_int_equal(json_object_set_new(where == NULL ? doc : where(),
	    name, json_string(v)), 0);
	assert_int_equal(parse_doc(), 0);
}

static void
test_base_parses(void **state)
{
	(void)state;
	base();
	assert_int_equal(parse_doc(), 0);
	assert_int_equal(back->nkeys, 2);
	assert_int_equal(back->nskipped, 1);
	assert_int_equal(back->skipped[0].ref, 3);
	assert_int_equal(back->keys[1].ref, 2);
	assert_string_equal(back->keys[1].file, "key-002.wrap");
}

static void
test_unknown_and_missing(void **state)
{
	static const char *top[] = { "format", "created", "device", "kcv",
	    "keys", "not_exportable", NULL };
	static const char *dv[] = { "serial", "reader", "emulated", NULL };
	static const char *kk[] = { "ref", "label", "id", "kind",
	    "pubkey_sha256", "pubkey", "file", "file_sha256", NULL };
	static const char *sk[] = { "ref", "label", "kind", "reason", NULL };
	static const struct { json_t *(*where)(void); const char **names; }
	    t[] = { { NULL, top }, { dev, dv }, { key0, kk }, { skip0, sk } };
	size_t i, j;

	(void)state;
	base();
	refuse_str(NULL, "comment", "x");
	refuse_str(NULL, "Kcv", "0123456789ABCDEF");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* An unknown member. */
		refuse_str(t[i].where, "note", "x");
		for (j = 0; t[i].names[j] != NULL; j++) {
			json_t *o = t[i].where == NULL ? doc : t[i].where();

			/* Missing; then missing and replaced by an unknown
			 * one, so that the count is right. */
			assert_int_equal(json_object_del(o, t[i].names[j]), 0);
			assert_int_equal(parse_doc(), CUSTOS_ERR_FORMAT);
			o = t[i].where == NULL ? doc : t[i].where();
			assert_int_equal(json_object_del(o, t[i].names[j]), 0);
			refuse_str(t[i].where, "other", "");
		}
	}
}

static void
test_wrong_types(void **state)
{
	static const char *kstr[] = { "label", "id", "kind", "pubkey_sha256",
	    "pubkey", "file", "file_sha256" };
	size_t i;

	(void)state;
	base();
	refuse_set(NULL, "format", json_integer(1));
	refuse_set(NULL, "format", json_null());
	refuse_set(NULL, "created", json_integer(1764499933));
	refuse_set(NULL, "device", json_array());
	refuse_set(NULL, "device", json_string("ZZEMU"));
	refuse_set(NULL, "kcv", json_integer(1));
	refuse_set(NULL, "keys", json_object());
	refuse_set(NULL, "keys", json_null());
	refuse_set(NULL, "not_exportable", json_object());
	refuse_set(dev, "serial", json_integer(5));
	refuse_set(dev, "reader", json_false());
	refuse_set(dev, "emulated", json_integer(1));
	refuse_set(dev, "emulated", json_string("true"));
	refuse_set(key0, "ref", json_string("1"));
	refuse_set(key0, "ref", json_real(1.0));
	refuse_set(key0, "ref", json_true());
	for (i = 0; i < sizeof(kstr) / sizeof(kstr[0]); i++)
		refuse_set(key0, kstr[i], json_integer(0));
	refuse_set(skip0, "ref", json_string("3"));
	refuse_set(skip0, "label", json_null());
	refuse_set(skip0, "kind", json_array());
	refuse_set(skip0, "reason", json_integer(2));
	/* Entries that are not objects; a top level that is not one. */
	assert_int_equal(json_array_set_new(json_object_get(doc, "keys"), 0,
	    json_string("key-001.wrap")), 0);
	assert_int_equal(parse_doc(), CUSTOS_ERR_FORMAT);
	assert_int_equal(json_array_set_new(json_object_get(doc,
	    "not_exportable"), 0, json_integer(3)), 0);
	assert_int_equal(parse_doc(), CUSTOS_ERR_FORMAT);
	assert_int_equal(parse_text("[]", 2), CUSTOS_ERR_FORMAT);
	assert_int_equal(parse_text("\"custos-backup/1\"", 17),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(parse_text("", 0), CUSTOS_ERR_FORMAT);
	assert_int_equal(parse_text("{}", 2), CUSTOS_ERR_FORMAT);
}

static void
test_fields(void **state)
{
	static const char *bad_time[] = { "2026-11-30 10:52:13Z",
	    "2026-11-30T10:52:13", "2026-11-30T10:52:13+00:00",
	    "2026-11-30T10:52:13.5Z", "26-11-30T10:52:13Z", "",
	    "2026-11-3OT10:52:13Z", "2026-11-30t10:52:13z" };
	static const char *bad_kcv[] = { "0123456789abcdef", "0123456789ABCDE",
	    "0123456789ABCDEF0", "0123456789ABCDEG", "", "0123456789ABCDeF" };
	static const char *bad_sha[] = { SHA_A "0", SHA_A + 1,
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "", " 123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef" };
	static const char *bad_file[] = { "key-1.wrap", "key-01.wrap",
	    "key-002.wrap", "KEY-001.wrap", "key-001.WRAP", "key-001.wrap ",
	    "./key-001.wrap", "../key-001.wrap", "/tmp/key-001.wrap",
	    "key-0001.wrap", "" };
	static const char *bad_id[] = { "abc", "0", "0A", "zz", "0a 1b",
	    "0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d00"
	};
	size_t i;

	(void)state;
	base();
	for (i = 0; i < sizeof(bad_time) / sizeof(bad_time[0]); i++)
		refuse_str(NULL, "created", bad_time[i]);
	for (i = 0; i < sizeof(bad_kcv) / sizeof(bad_kcv[0]); i++)
		refuse_str(NULL, "kcv", bad_kcv[i]);
	for (i = 0; i < sizeof(bad_sha) / sizeof(bad_sha[0]); i++) {
		refuse_str(key0, "pubkey_sha256", bad_sha[i]);
		refuse_str(key0, "file_sha256", bad_sha[i]);
	}
	for (i = 0; i < sizeof(bad_file) / sizeof(bad_file[0]); i++)
		refuse_str(key0, "file", bad_file[i]);
	for (i = 0; i < sizeof(bad_id) / sizeof(bad_id[0]); i++)
		refuse_str(key0, "id", bad_id[i]);
	accept_str(key0, "id", "");
	accept_str(key0, "id", "00ff");
	/* Longest text fields, and one byte more. */
	accept_str(key0, "label", "0123456789012345678901234567890123456789"
	    "012345678901234567890123");
	refuse_str(key0, "label", "0123456789012345678901234567890123456789"
	    "0123456789012345678901234");
	accept_str(dev, "serial", "ZZEMU01234567890");
	refuse_str(dev, "serial", "ZZEMU012345678901");
	refuse_str(key0, "kind", "EC brainpoolP384r1 xxxxx");
}

static void
test_refs(void **state)
{
	static const int bad[] = { 0, 256, -1, 1000 };
	char f[32];
	size_t i;

	(void)state;
	base();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The file name follows the reference where it can. */
		backup_key_file(f, bad[i]);
		assert_int_equal(json_object_set_new(key0(), "file",
		    json_string(f)), 0);
		refuse_set(key0, "ref", json_integer(bad[i]));
		refuse_set(skip0, "ref", json_integer(bad[i]));
	}
	/* 255 is the last: as a key, and as a not_exportable one. */
	assert_int_equal(json_object_set_new(key0(), "file",
	    json_string("key-255.wrap")), 0);
	assert_int_equal(json_object_set_new(key0(), "ref",
	    json_integer(255)), 0);
	assert_int_equal(parse_doc(), 0);
	assert_int_equal(back->keys[0].ref, 255);
	assert_int_equal(json_object_set_new(skip0(), "ref",
	    json_integer(255)), 0);
	assert_int_equal(parse_doc(), 0);
	/* The same reference twice among the keys... */
	assert_int_equal(json_object_set_new(key0(), "file",
	    json_string("key-002.wrap")), 0);
	refuse_set(key0, "ref", json_integer(2));
	/* ...and in keys and not_exportable. */
	refuse_set(skip0, "ref", json_integer(2));
	refuse_set(skip0, "ref", json_integer(1));
	/* Twice in not_exportable. */
	assert_int_equal(json_array_append(json_object_get(doc,
	    "not_exportable"), skip0()), 0);
	assert_int_equal(parse_doc(), CUSTOS_ERR_FORMAT);
}

static void
test_text(void **state)
{
	static const char *bad[] = { "a\x01", "line\nbreak", "tab\there",
	    "del\x7f", "\x1b[2J", "cr\r" };
	size_t i;

	(void)state;
	base();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refuse_str(key0, "label", bad[i]);
		refuse_str(key0, "kind", bad[i]);
		refuse_str(dev, "reader", bad[i]);
		refuse_str(dev, "serial", bad[i]);
		refuse_str(skip0, "label", bad[i]);
		refuse_str(skip0, "reason", bad[i]);
	}
	/* A NUL inside a string, and bytes that are not UTF-8. */
	{
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS), *p;
		size_t l;

		assert_non_null(s);
		l = strlen(s);
		assert_non_null(p = strstr(s, "emu:alpha"));
		memcpy(p, "\\u0000pha", 9);
		assert_int_equal(parse_text(s, l), CUSTOS_ERR_FORMAT);
		memcpy(p, "\xff\xfe" "u:alpha", 9);
		assert_int_equal(parse_text(s, l), CUSTOS_ERR_FORMAT);
		memcpy(p, "emu\0alpha", 9);
		assert_int_equal(parse_text(s, l), CUSTOS_ERR_FORMAT);
		free(s);
	}
	/* UTF-8 labels pass. */
	accept_str(key0, "label", "Schl\xc3\xbcssel \xe2\x82\xac");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_parses),
		cmocka_unit_test(test_unknown_and_missing),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_text),
	};
	int r = cmocka_run_group_tests(tests, setup, teardown);

	json_decref(doc);
	return r;
}
