/*
 * test_backup_faults.c - backup sets (ceremony/backup.c) with the card
 * removed (CUSTOS_EMU_FAULTS remove-at=N) at every APDU of a create and
 * of a restore in turn: the run stops with CUSTOS_ERR_CARD_REMOVED, an
 * interrupted set has no manifest, and a rerun of the restore completes
 * with every key proven, once, under its reference. Also keys with parts
 * missing on the device: no description, no public key.
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
static int moving;	/* NEXT_FREE runs: keys may move, ref 1 is taken */
static const struct backup_restore_opts staged_o = { BACKUP_CONFLICT_REFUSE,
    1, 0 };

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
		if (!moving)
			assert_int_equal(out[i].dest_ref, m0->keys[i].ref);
		assert_int_equal(out[i].err, 0);
		assert_int_equal(out[i].proven, 1);
		if (already >= 0)
			assert_int_equal(out[i].already, already);
	}
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

/*
 * The card removed at each APDU of a create in turn: CARD_REMOVED, and
 * what is left has no manifest, so it is never taken for a set (and is
 * not overwritten).
 */
static void
test_create_interrupted(void **state)
{
	struct card *c = NULL;
	char dir[128], faults[32], sha[65];
	const char *why;
	size_t nbad;
	int at, r, cuts = 0;

	(void)state;
	for (at = 3; at < 2000; at++) {
		snprintf(faults, sizeof(faults), "remove-at=%d", at);
		snprintf(dir, sizeof(dir), "%s/cut-%d", tmp, at);
		assert_int_equal(setenv("CUSTOS_EMU_FAULTS", faults, 1), 0);
		assert_int_equal(card_open("emu:src", &c), 0);
		assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
		assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
		r = backup_create(c, dir, NULL, 0, "s", "r", 1, m, sha, NULL,
		    NULL);
		card_close(c);
		assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
		if (r == 0)
			break;
		if (r != CUSTOS_ERR_CARD_REMOVED)
			fail_msg("remove-at=%d: %s", at, custos_strerror(r));
		cuts++;
		assert_int_equal(backup_load(dir, m, sha, &why),
		    CUSTOS_ERR_NOT_FOUND);
		c = device("src");
		r = backup_create(c, dir, NULL, 0, "s", "r", 1, m, sha, NULL,
		    NULL);
		card_close(c);
		/* Cut before the directory was made, or refused over it. */
		assert_true(r == 0 || r == CUSTOS_ERR_EXISTS);
		if (r == CUSTOS_ERR_EXISTS)
			assert_int_equal(backup_load(dir, m, sha, &why),
			    CUSTOS_ERR_NOT_FOUND);
	}
	assert_true(cuts >= (int)NSRC * 2);
	assert_int_equal(backup_load(dir, m, sha, &why), 0);
	assert_int_equal(m->nkeys, NSRC);
	assert_int_equal(backup_verify(dir, m, dkek, out, &nbad, NULL, NULL),
	    0);
}

/*
 * One session on device name that the card leaves at its at-th APDU
 * (select and verify are the first two); staged unwraps on odd ones.
 * Returns what restore returned.
 */
static int
cut_run(const char *name, int at)
{
	struct card *c = NULL;
	char spec[64], faults[32];
	size_t nbad = 99, i;
	int r;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	snprintf(faults, sizeof(faults), "remove-at=%d", at);
	assert_int_equal(setenv("CUSTOS_EMU_FAULTS", faults, 1), 0);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
	r = backup_restore(c, set, m0, moving ? &next_free : at % 2 ?
	    &staged_o : &refuse, out, &nbad, NULL, NULL);
	card_close(c);
	assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
	if (r != CUSTOS_ERR_CARD_REMOVED && r != 0)
		fail_msg("remove-at=%d: %s", at, custos_strerror(r));
	/* An outcome is never proven with an error. */
	for (i = 0; i < m0->nkeys; i++)
		assert_true(out[i].proven == 0 || out[i].err == 0);
	if (r == 0)
		all_proven(nbad, -1);
	return r;
}

/* Reruns on name without faults: every key proven, once, in place. */
static void
rerun(const char *name)
{
	struct card *c = device(name);
	size_t nbad = 99, n, i;

	assert_int_equal(backup_restore(c, set, m0, moving ? &next_free :
	    &refuse, out, &nbad, NULL, NULL), 0);
	all_proven(nbad, -1);
	if (!moving) {
		all_in_place(c, NSRC);
	} else {
		/* The foreign key stays; each key once, where it says. */
		n = list(c);
		assert_string_equal(keys[0].prkd.label, "foreign");
		for (i = 0; i < m0->nkeys; i++)
			assert_int_equal(find(n, &m0->keys[i])->ref,
			    out[i].dest_ref);
		for (i = 0; n != NSRC + 1 && i < n; i++)
			print_message("ref %d: %s, %s\n", keys[i].ref,
			    keys[i].has_prkd ? keys[i].prkd.label : "no PrKD",
			    keys[i].pub != NULL ? "public key" : "no CE");
		assert_int_equal(n, NSRC + 1);
	}
	card_close(c);
}

/*
 * The card removed at every APDU of a restore in turn, each on a fresh
 * device: the run stops with CUSTOS_ERR_CARD_REMOVED, and a rerun
 * completes with every key proven, once, under its reference.
 */
static void
test_interrupted(void **state)
{
	char name[32];
	int at, cuts = 0;

	(void)state;
	for (at = 3; at < 1000; at++) {
		snprintf(name, sizeof(name), "cut-%d", at);
		new_device(name, 2, share_a, share_b);
		if (cut_run(name, at) == 0)
			break;		/* past the last APDU */
		cuts++;
		rerun(name);
	}
	/* Five keys: unwrap, prove and write each; many APDUs. */
	assert_true(cuts >= 5 * 4);
	assert_true(at < 1000);
}

/* Cut again and again on one device, each run a little further. */
static void
test_interrupted_repeatedly(void **state)
{
	int at, runs = 0;

	(void)state;
	new_device("cuts", 2, share_a, share_b);
	for (at = 4; cut_run("cuts", at) == CUSTOS_ERR_CARD_REMOVED; at += 3)
		runs++;
	assert_true(runs >= 3);
	rerun("cuts");
}

/*
 * The same with BACKUP_CONFLICT_NEXT_FREE onto a device whose ref 1 holds
 * another key, cut at every third APDU: a rerun completes without
 * unwrapping a moved key twice.
 *
 * BUG (ceremony/backup.c, backup_restore_key): at 7606a64 any rerun
 * unwraps a moved key again (see test_backup_restore.c). The uncommitted
 * fix being made in the working tree (find_elsewhere) looks for a moved
 * key only by the public key in EF CExx; a run cut after the unwrap and
 * the PrKD write but before the CExx write (remove-at=9 here) leaves key
 * 1 under ref 3 with no CExx, and the rerun unwraps it once more under
 * ref 7: the same private key twice on the device.
 */
static void
test_interrupted_next_free(void **state)
{
	struct card *c;
	char name[32];
	int at, cuts = 0;

	(void)state;
	moving = 1;
	for (at = 3; at < 1000; at += 3) {
		snprintf(name, sizeof(name), "cutn-%d", at);
		new_device(name, 2, share_a, share_b);
		c = device(name);
		keygen(c, 1, "prime256v1", 0, "foreign");
		card_close(c);
		if (cut_run(name, at) == 0)
			break;
		cuts++;
		rerun(name);
	}
	moving = 0;
	assert_true(cuts >= 5);
	assert_true(at < 1000);
}

/* A key with no description (one is made for the wrap file) and one with
 * no public key (skipped: it could not be proven). */
static void
test_bare_keys(void **state)
{
	struct card *c;
	char dir[128], sha[65], hex[65];
	size_t nbad = 99;

	(void)state;
	new_device("bare", 2, share_a, share_b);
	c = device("bare");
	keygen(c, 1, "prime256v1", 0, "no prkd");
	keygen(c, 2, "secp384r1", 0, "no pub");
	assert_int_equal(sc_hsm_delete_ef(c, 0xC401), 0);
	assert_int_equal(sc_hsm_delete_ef(c, 0xCE02), 0);
	snprintf(dir, sizeof(dir), "%s/bare", tmp);
	assert_int_equal(backup_create(c, dir, NULL, 0, "s", "r", 1, m, sha,
	    NULL, NULL), 0);
	card_close(c);
	assert_int_equal(m->nkeys, 1);
	assert_int_equal(m->keys[0].ref, 1);
	assert_string_equal(m->keys[0].label, "");
	assert_int_equal(m->nskipped, 1);
	assert_int_equal(m->skipped[0].ref, 2);
	assert_string_equal(m->skipped[0].label, "no pub");
	assert_true(strlen(m->skipped[0].reason) > 0);
	assert_int_equal(backup_verify(dir, m, dkek, out, &nbad, NULL, NULL),
	    0);
	new_device("bare-dst", 2, share_a, share_b);
	c = device("bare-dst");
	assert_int_equal(backup_restore(c, dir, m, &refuse, out, &nbad, NULL,
	    NULL), 0);
	assert_int_equal(out[0].proven, 1);
	assert_int_equal(list(c), 1);
	assert_int_equal(keys[0].ref, 1);
	assert_true(keys[0].has_prkd);
	assert_int_equal(keys[0].prkd.key_ref, 1);
	assert_int_equal(encode_hex(hex, 65, keys[0].fpr, 32, 0), 0);
	assert_string_equal(hex, m->keys[0].pubkey_sha256);
	card_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_interrupted),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_interrupted_repeatedly),
		cmocka_unit_test(test_interrupted_next_free),
		cmocka_unit_test(test_bare_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
