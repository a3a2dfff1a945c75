/*
 * test_backup_restore.c - restoring backup sets (ceremony/backup.c) onto
 * emulated SmartCard-HSMs in-process: onto a device with the same DKEK
 * (every key proven, same references, labels, IDs and public keys, and
 * exportable again), a rerun, another or an incomplete DKEK, a reference
 * holding another key (refused, or moved to a free one), an altered blob,
 * a missing file, files left or cut short beside a key. Create and
 * verify: test_backup.c; a card removed mid-run and keys with parts
 * missing: test_backup_faults.c.
 */
#include "testutil.h"

#include <openssl/evp.h>

#include "../../cards/card.h"
#include "../../cards/sc_hsm.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../cards/wrapfile.h"
#include "../../ceremony/backup.h"
#include "../../common/encode.h"
#include "../../common/secmem.h"

static const uint8_t so_pin[8] = { '5', '7', '6', '2', '1', '8', '8', '0' };
static const char pin[] = "648219";
static uint8_t share_a[32], share_b[32], dkek[32];
static char tmp[64], set[128];
static struct backup_manifest *m0, *m;
static struct backup_outcome out[BACKUP_MAX_KEYS];
static struct sc_hsm_key *keys;
static const struct backup_restore_opts refuse = { BACKUP_CONFLICT_REFUSE,
    0, 0 };
static const struct backup_restore_opts next_free = {
    BACKUP_CONFLICT_NEXT_FREE, 0, 0 };

/* The source keys; ref 3 is made before the DKEK is complete. */
static const struct { int ref; const char *curve; unsigned bits; } src[] = {
	{ 1, NULL, 2048 },
	{ 2, NULL, 3072 },
	{ 4, "prime256v1", 0 },
	{ 5, "brainpoolP384r1", 0 },
	{ 6, "secp521r1", 0 },
};
#define NSRC (sizeof(src) / sizeof(src[0]))

static struct card *
device(const char *name)
{
	char spec[64];
	struct card *c = NULL;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
	return c;
}

/* A new device with nshares shares, s1 and s2 (when not NULL) imported. */
static void
new_device(const char *name, int nshares, const uint8_t *s1,
    const uint8_t *s2)
{
	char spec[64];
	struct card *c = NULL;
	uint8_t kcv[8];
	int total, left;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_initialize(c, so_pin, pin, 6, 3, nshares,
	    NULL), 0);
	if (s1 != NULL)
		assert_int_equal(sc_hsm_import_share(c, s1, &total, &left,
		    kcv), 0);
	if (s2 != NULL)
		assert_int_equal(sc_hsm_import_share(c, s2, &total, &left,
		    kcv), 0);
	card_close(c);
}

static void
keygen(struct card *c, int ref, const char *curve, unsigned bits,
    const char *label)
{
	struct sc_hsm_key k;

	assert_int_equal(sc_hsm_keygen(c, ref, curve, bits, label, NULL, 0,
	    &k), 0);
	sc_hsm_key_clear(&k);
}

static size_t
list(struct card *c)
{
	size_t n = 0, i;

	for (i = 0; i < SC_HSM_MAX_REFS; i++)
		sc_hsm_key_clear(&keys[i]);
	assert_int_equal(sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n), 0);
	return n;
}

/* The listed key with the public key of manifest key k, and that there
 * is exactly one. */
static const struct sc_hsm_key *
find(size_t n, const struct backup_key *k)
{
	const struct sc_hsm_key *hit = NULL;
	char hex[65];
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(encode_hex(hex, 65, keys[i].fpr, 32, 0), 0);
		if (strcmp(hex, k->pubkey_sha256) != 0)
			continue;
		if (hit != NULL)
			fail_msg("key %d is on the device twice (%d, %d)",
			    k->ref, hit->ref, keys[i].ref);
		hit = &keys[i];
	}
	if (hit == NULL)
		fail_msg("key %d is not on the device", k->ref);
	assert_true(hit->has_prkd);
	assert_string_equal(hit->prkd.label, k->label);
	assert_int_equal(encode_hex(hex, 65, hit->prkd.id, hit->prkd.id_len,
	    0), 0);
	assert_string_equal(hex, k->id);
	assert_int_equal(hit->prkd.key_ref, hit->ref);
	return hit;
}

/* Every key of m0 is on c under its own reference, once; n keys in all. */
static void
all_in_place(struct card *c, size_t total)
{
	size_t n = list(c), i;

	assert_int_equal(n, total);
	for (i = 0; i < m0->nkeys; i++)
		assert_int_equal(find(n, &m0->keys[i])->ref, m0->keys[i].ref);
}

/* Every outcome proven; already 0 or 1 (-1: either). */
static void
all_proven(size_t nbad, int already)
{
	size_t i;

	assert_int_equal(nbad, 0);
	for (i = 0; i < m0->nkeys; i++) {
		assert_int_equal(out[i].ref, m0->keys[i].ref);
		assert_int_equal(out[i].dest_ref, m0->keys[i].ref);
		assert_int_equal(out[i].err, 0);
		assert_int_equal(out[i].proven, 1);
		if (already >= 0)
			assert_int_equal(out[i].already, already);
	}
}

static size_t ncalls;

static void
progress(void *arg, size_t done, size_t total, const struct backup_outcome *o)
{
	assert_null(arg);
	assert_int_equal(done, ++ncalls);
	assert_int_equal(total, m0->nkeys);
	assert_int_equal(o->ref, m0->keys[done - 1].ref);
}

static int
setup(void **state)
{
	struct card *c = NULL;
	char sha[65], label[32];
	size_t i;

	(void)state;
	assert_int_equal(secmem_init(), 0);
	testutil_tmpdir(tmp);
	assert_int_equal(setenv("CUSTOS_EMU_DIR", tmp, 1), 0);
	assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
	for (i = 0; i < 32; i++) {
		share_a[i] = (uint8_t)(0x5A ^ (3 * i));
		share_b[i] = (uint8_t)(0xC3 + 11 * i);
		dkek[i] = share_a[i] ^ share_b[i];
	}
	assert_non_null(m0 = calloc(1, sizeof(*m0)));
	assert_non_null(m = calloc(1, sizeof(*m)));
	assert_non_null(keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys)));
	new_device("src", 2, share_a, NULL);
	c = device("src");
	keygen(c, 3, "prime256v1", 0, "early");
	card_close(c);
	c = device("src");
	{
		uint8_t kcv[8];
		int total, left;

		assert_int_equal(sc_hsm_import_share(c, share_b, &total,
		    &left, kcv), 0);
		assert_int_equal(left, 0);
	}
	card_close(c);
	c = device("src");
	for (i = 0; i < NSRC; i++) {
		snprintf(label, sizeof(label), "key %d", src[i].ref);
		keygen(c, src[i].ref, src[i].curve, src[i].bits, label);
	}
	snprintf(set, sizeof(set), "%s/set", tmp);
	assert_int_equal(backup_create(c, set, NULL, 0, "ZZEMU000001",
	    "emu:src", 1, m0, sha, NULL, NULL), 0);
	assert_int_equal(m0->nkeys, NSRC);
	assert_int_equal(m0->nskipped, 1);
	card_close(c);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	testutil_rmtree(tmp);
	for (i = 0; keys != NULL && i < SC_HSM_MAX_REFS; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
	free(m0);
	free(m);
	return 0;
}

static void
test_restore(void **state)
{
	static const char *names[] = { "dst", "dst-staged" };
	struct backup_restore_opts o = refuse;
	struct card *c;
	char dir[128], sha[65];
	size_t nbad = 99, i;
	int staged;

	(void)state;
	for (staged = 0; staged <= 1; staged++) {
		new_device(names[staged], 2, share_b, share_a);
		c = device(names[staged]);
		o.staged = staged;
		ncalls = 0;
		assert_int_equal(backup_restore(c, set, m0, &o, out, &nbad,
		    progress, NULL), 0);
		assert_int_equal(ncalls, m0->nkeys);
		all_proven(nbad, 0);
		for (i = 0; i < m0->nkeys; i++)
			assert_int_equal(out[i].dest_ref, m0->keys[i].ref);
		all_in_place(c, NSRC);
		/* Again: every key is there already, and proven. */
		nbad = 99;
		assert_int_equal(backup_restore(c, set, m0, &o, out, &nbad,
		    NULL, NULL), 0);
		all_proven(nbad, 1);
		all_in_place(c, NSRC);
		card_close(c);
	}
	/* The restored keys can be backed up again: same public keys. */
	c = device("dst");
	snprintf(dir, sizeof(dir), "%s/again", tmp);
	assert_int_equal(backup_create(c, dir, NULL, 0, "s", "r", 1, m, sha,
	    NULL, NULL), 0);
	card_close(c);
	assert_int_equal(m->nkeys, m0->nkeys);
	assert_int_equal(m->nskipped, 0);
	assert_string_equal(m->kcv, m0->kcv);
	for (i = 0; i < m->nkeys; i++) {
		assert_int_equal(m->keys[i].ref, m0->keys[i].ref);
		assert_string_equal(m->keys[i].pubkey_sha256,
		    m0->keys[i].pubkey_sha256);
		assert_string_equal(m->keys[i].label, m0->keys[i].label);
	}
	assert_int_equal(backup_verify(dir, m, dkek, out, &nbad, NULL, NULL),
	    0);
	/* Onto the source itself: all there already. */
	c = device("src");
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &nbad, NULL,
	    NULL), 0);
	all_proven(nbad, 1);
	card_close(c);
}

static void
test_restore_wrong_dkek(void **state)
{
	struct card *c;
	size_t nbad = 99, i;

	(void)state;
	/* One share of the two: another DKEK. */
	new_device("other", 1, share_a, NULL);
	c = device("other");
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &nbad, NULL,
	    NULL), CUSTOS_ERR_DKEK_MISMATCH);
	assert_int_equal(list(c), 0);
	for (i = 0; i < m0->nkeys; i++)
		assert_int_equal(out[i].proven, 0);
	card_close(c);
	/* Not complete yet. */
	new_device("incomplete", 2, share_a, NULL);
	c = device("incomplete");
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &nbad, NULL,
	    NULL), CUSTOS_ERR_NO_DKEK);
	assert_int_equal(list(c), 0);
	card_close(c);
	/* No DKEK at all. */
	new_device("nodkek", 0, NULL, NULL);
	c = device("nodkek");
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &nbad, NULL,
	    NULL), CUSTOS_ERR_NO_DKEK);
	assert_int_equal(list(c), 0);
	card_close(c);
}

/* A device with the DKEK whose ref 1 holds another key; *fpr gets it. */
static struct card *
occupied(const char *name, uint8_t fpr[32])
{
	struct card *c;

	new_device(name, 2, share_a, share_b);
	c = device(name);
	keygen(c, 1, "prime256v1", 0, "foreign");
	assert_int_equal(list(c), 1);
	memcpy(fpr, keys[0].fpr, 32);
	return c;
}

static void
test_conflict_refuse(void **state)
{
	struct card *c;
	uint8_t fpr[32];
	size_t nbad = 99, n, i;

	(void)state;
	c = occupied("conflict-r", fpr);
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &nbad, NULL,
	    NULL), CUSTOS_ERR_CORRUPT);
	assert_int_equal(nbad, 1);
	assert_int_equal(out[0].ref, 1);
	assert_int_equal(out[0].err, CUSTOS_ERR_EXISTS);
	assert_int_equal(out[0].proven, 0);
	assert_true(strlen(out[0].why) > 0);
	for (i = 1; i < m0->nkeys; i++) {
		assert_int_equal(out[i].err, 0);
		assert_int_equal(out[i].proven, 1);
		assert_int_equal(out[i].dest_ref, m0->keys[i].ref);
	}
	/* The foreign key is untouched; the rest are in place. */
	n = list(c);
	assert_int_equal(n, NSRC);
	assert_int_equal(keys[0].ref, 1);
	assert_memory_equal(keys[0].fpr, fpr, 32);
	assert_string_equal(keys[0].prkd.label, "foreign");
	for (i = 1; i < m0->nkeys; i++)
		assert_int_equal(find(n, &m0->keys[i])->ref, m0->keys[i].ref);
	card_close(c);
}

static void
test_conflict_next_free(void **state)
{
	struct card *c;
	uint8_t fpr[32];
	size_t nbad = 99, n, i;

	(void)state;
	c = occupied("conflict-n", fpr);
	assert_int_equal(backup_restore(c, set, m0, &next_free, out, &nbad,
	    NULL, NULL), 0);
	assert_int_equal(nbad, 0);
	for (i = 0; i < m0->nkeys; i++) {
		assert_int_equal(out[i].err, 0);
		assert_int_equal(out[i].proven, 1);
	}
	assert_int_not_equal(out[0].dest_ref, 1);
	n = list(c);
	assert_int_equal(n, NSRC + 1);
	assert_int_equal(keys[0].ref, 1);
	assert_memory_equal(keys[0].fpr, fpr, 32);
	/* Each key once, where its outcome says. */
	for (i = 0; i < m0->nkeys; i++)
		assert_int_equal(find(n, &m0->keys[i])->ref, out[i].dest_ref);
	card_close(c);
}

/*
 * BUG (ceremony/backup.c:561-568 at 7606a64, backup_restore_key, with
 * sc_hsm_free_ref): with BACKUP_CONFLICT_NEXT_FREE a key whose reference
 * is taken goes to the lowest free reference even when that is the own
 * reference of a later key of the same set, which is then displaced in
 * turn (here key 1 -> 2, key 2 -> 3): keys that had no conflict at all
 * do not keep their references.
 */
static void
test_conflict_next_free_displaces(void **state)
{
	struct card *c;
	uint8_t fpr[32];
	size_t nbad = 99, i;

	(void)state;
	c = occupied("conflict-n2", fpr);
	assert_int_equal(backup_restore(c, set, m0, &next_free, out, &nbad,
	    NULL, NULL), 0);
	card_close(c);
	for (i = 1; i < m0->nkeys; i++)
		if (out[i].dest_ref != m0->keys[i].ref)
			fail_msg("key %d, no conflict of its own, moved to %d",
			    m0->keys[i].ref, out[i].dest_ref);
}

/*
 * BUG (ceremony/backup.c:540-569 at 7606a64, backup_restore_key): a
 * rerun looks for a key only under its manifest reference, so a key that
 * an earlier run moved with BACKUP_CONFLICT_NEXT_FREE is unwrapped once
 * more: the device ends up holding the same private key twice. backup.h
 * says a rerun "restores only what is missing".
 */
static void
test_conflict_next_free_rerun(void **state)
{
	struct card *c;
	uint8_t fpr[32];
	size_t nbad = 99, n, i;

	(void)state;
	c = occupied("conflict-n3", fpr);
	assert_int_equal(backup_restore(c, set, m0, &next_free, out, &nbad,
	    NULL, NULL), 0);
	card_close(c);
	c = device("conflict-n3");
	assert_int_equal(backup_restore(c, set, m0, &next_free, out, &nbad,
	    NULL, NULL), 0);
	n = list(c);
	for (i = 0; i < m0->nkeys; i++)
		(void)find(n, &m0->keys[i]);	/* fails on a duplicate */
	assert_int_equal(n, NSRC + 1);
	for (i = 0; i < m0->nkeys; i++)
		assert_int_equal(out[i].already, 1);
	card_close(c);
}

/* A set copied to tmp/name with key ref's blob altered (hash fixed) or
 * its file removed. */
static void
spoiled_set(const char *name, int ref, int remove, char dir[128])
{
	uint8_t buf[WRAPFILE_MAX];
	struct wrapfile wf;
	char cmd[300], path[200], sha[65], *json = NULL;
	const char *why;
	size_t i, n, len;
	FILE *f;

	snprintf(dir, 128, "%s/%s", tmp, name);
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", set, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/key-%03d.wrap", dir, ref);
	if (remove) {
		assert_int_equal(unlink(path), 0);
		return;
	}
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(wrapfile_parse(buf, n, &wf), 0);
	buf[(size_t)(wf.blob - buf) + wf.blob_len / 2] ^= 0x10;
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	memcpy(m, m0, sizeof(*m));
	for (i = 0; i < m->nkeys; i++) {
		uint8_t h[32];

		if (m->keys[i].ref != ref)
			continue;
		assert_int_equal(EVP_Digest(buf, n, h, NULL, EVP_sha256(),
		    NULL), 1);
		assert_int_equal(encode_hex(m->keys[i].file_sha256, 65, h, 32,
		    0), 0);
	}
	assert_int_equal(backup_manifest_dump(m, &json, &len), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, BACKUP_MANIFEST);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(json, 1, len, f), len);
	fclose(f);
	free(json);
	assert_int_equal(backup_load(dir, m, sha, &why), 0);
}

static void
test_restore_spoiled(void **state)
{
	struct card *c;
	char dir[128];
	size_t nbad = 99, n, i, bad;
	int remove;

	(void)state;
	for (remove = 0; remove <= 1; remove++) {
		spoiled_set(remove ? "spoil-rm" : "spoil-blob", 4, remove,
		    dir);
		new_device(remove ? "spoiled-rm" : "spoiled-blob", 2, share_a,
		    share_b);
		c = device(remove ? "spoiled-rm" : "spoiled-blob");
		assert_int_equal(backup_restore(c, dir, m, &refuse, out, &nbad,
		    NULL, NULL), CUSTOS_ERR_CORRUPT);
		assert_int_equal(nbad, 1);
		bad = 2;	/* ref 4 is the third key */
		assert_int_equal(out[bad].ref, 4);
		assert_int_not_equal(out[bad].err, 0);
		assert_int_equal(out[bad].proven, 0);
		/* Nothing under ref 4; the others restored. */
		n = list(c);
		assert_int_equal(n, NSRC - 1);
		for (i = 0; i < n; i++)
			assert_int_not_equal(keys[i].ref, 4);
		for (i = 0; i < m0->nkeys; i++)
			if (i != bad)
				assert_int_equal(find(n, &m0->keys[i])->ref,
				    m0->keys[i].ref);
		card_close(c);
	}
}

/* Rerun on c with force f: returns the outcome of key ref. */
static const struct backup_outcome *
again(struct card *c, int f, int want, int ref)
{
	struct backup_restore_opts o = refuse;
	size_t nbad = 99, i, bad = 0;

	o.force = f;
	assert_int_equal(backup_restore(c, set, m0, &o, out, &nbad, NULL,
	    NULL), want == 0 ? 0 : CUSTOS_ERR_CORRUPT);
	for (i = 0; i < m0->nkeys; i++) {
		if (m0->keys[i].ref == ref) {
			bad = i;
			continue;
		}
		assert_int_equal(out[i].err, 0);
		assert_int_equal(out[i].already, 1);
		assert_int_equal(out[i].proven, 1);
	}
	assert_int_equal(nbad, want == 0 ? 0 : 1);
	assert_int_equal(out[bad].err, want);
	assert_int_equal(out[bad].proven, want == 0);
	return &out[bad];
}

/* Files left beside a key, or missing, or cut short; --force. */
static void
test_restore_leftovers(void **state)
{
	struct card *c;
	uint8_t *ce5 = NULL, *ce2 = NULL;
	size_t l5 = 0, l2 = 0;

	(void)state;
	new_device("left", 2, share_a, share_b);
	c = device("left");
	assert_int_equal(backup_restore(c, set, m0, &refuse, out, &l5, NULL,
	    NULL), 0);
	all_proven(l5, 0);
	/* Another key's public key beside key 4: kept unless forced. */
	assert_int_equal(sc_hsm_read_ef(c, 0xCE05, &ce5, &l5), 0);
	assert_int_equal(sc_hsm_replace_ef(c, 0xCE04, ce5, l5), 0);
	assert_int_equal(again(c, 0, CUSTOS_ERR_EXISTS, 4)->already, 1);
	assert_int_equal(again(c, 1, 0, 4)->already, 1);
	all_in_place(c, NSRC);
	/* Key 6 gone, its description and public key left: not without
	 * force. */
	assert_int_equal(sc_hsm_delete_ef(c, 0xCC06), 0);
	assert_int_equal(again(c, 0, CUSTOS_ERR_EXISTS, 6)->already, 0);
	assert_int_equal(list(c), NSRC - 1);
	assert_int_equal(again(c, 1, 0, 6)->already, 0);
	all_in_place(c, NSRC);
	/* A description and a public key cut short: completed. */
	assert_int_equal(sc_hsm_replace_ef(c, 0xC401, ce5, 3), 0);
	assert_int_equal(sc_hsm_read_ef(c, 0xCE02, &ce2, &l2), 0);
	assert_int_equal(sc_hsm_replace_ef(c, 0xCE02, ce2, l2 / 2), 0);
	(void)again(c, 0, 0, 0);
	all_in_place(c, NSRC);
	/* Missing ones: written again. */
	assert_int_equal(sc_hsm_delete_ef(c, 0xC405), 0);
	assert_int_equal(sc_hsm_delete_ef(c, 0xCE05), 0);
	(void)again(c, 0, 0, 0);
	all_in_place(c, NSRC);
	free(ce5);
	free(ce2);
	card_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_restore_wrong_dkek),
		cmocka_unit_test(test_conflict_refuse),
		cmocka_unit_test(test_conflict_next_free),
		cmocka_unit_test(test_conflict_next_free_displaces),
		cmocka_unit_test(test_conflict_next_free_rerun),
		cmocka_unit_test(test_restore_spoiled),
		cmocka_unit_test(test_restore_leftovers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
