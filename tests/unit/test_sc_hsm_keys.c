/*
 * test_sc_hsm_keys.c - the key protocol layer (cards/sc_hsm_keys.c)
 * against the emulated SmartCard-HSM in-process: elementary files in
 * chunks, key generation with OpenSC's files, listing, wrap on one device
 * and unwrap on another with the same DKEK (and refusal under another),
 * signatures proven with OpenSSL, deletion, PIN change, GET CHALLENGE and
 * a card removed in the middle of an unwrap.
 */
#include "testutil.h"

#include <openssl/evp.h>

#include "../../cards/card.h"
#include "../../cards/keyblob.h"
#include "../../cards/prkd.h"
#include "../../cards/sc_hsm.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../common/secmem.h"

static const uint8_t so_pin[8] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38,
    0x38, 0x30 };
static const char pin[] = "648219";
static uint8_t share_a[32], share_b[32];
static char dir[64];

static int
setup(void **state)
{
	(void)state;
	if (secmem_init() != 0)
		return -1;
	testutil_tmpdir(dir);
	if (setenv("CUSTOS_EMU_DIR", dir, 1) != 0 ||
	    unsetenv("CUSTOS_EMU_FAULTS") != 0)
		return -1;
	memset(share_a, 0xA5, sizeof(share_a));
	memset(share_b, 0x3C, sizeof(share_b));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testutil_rmtree(dir);
	return 0;
}

/* Opens device name, initialized (once) with share and logged in. */
static struct card *
device(const char *name, const uint8_t *share)
{
	char spec[64];
	struct card *c = NULL;
	struct sc_hsm_status st;
	uint8_t kcv[8];
	int total, left;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_status(c, &st), 0);
	if (st.initialized != 1) {
		assert_int_equal(sc_hsm_initialize(c, so_pin, pin, 6, 3,
		    share != NULL ? 1 : 0, NULL), 0);
		if (share != NULL)
			assert_int_equal(sc_hsm_import_share(c, share, &total,
			    &left, kcv), 0);
	}
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
	return c;
}

static void
test_files(void **state)
{
	static const size_t sizes[] = { 1, 239, 240, 241, 1023, 1024, 1025,
	    3000 };
	struct card *c = device("files", NULL);
	uint8_t data[3000], *back = NULL;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(sc_hsm_write_ef(c, 0x2F11, data, sizes[i]),
		    0);
		assert_int_equal(sc_hsm_read_ef(c, 0x2F11, &back, &n), 0);
		assert_int_equal(n, sizes[i]);
		assert_memory_equal(back, data, n);
		free(back);
		assert_int_equal(sc_hsm_delete_ef(c, 0x2F11), 0);
	}
	/* A shorter file over a longer one: write keeps the old tail,
	 * replace does not. */
	assert_int_equal(sc_hsm_write_ef(c, 0x2F11, data, 3000), 0);
	assert_int_equal(sc_hsm_write_ef(c, 0x2F11, data + 1, 100), 0);
	assert_int_equal(sc_hsm_read_ef(c, 0x2F11, &back, &n), 0);
	assert_int_equal(n, 3000);
	free(back);
	assert_int_equal(sc_hsm_replace_ef(c, 0x2F11, data + 1, 100), 0);
	assert_int_equal(sc_hsm_read_ef(c, 0x2F11, &back, &n), 0);
	assert_int_equal(n, 100);
	assert_memory_equal(back, data + 1, 100);
	free(back);
	assert_int_equal(sc_hsm_delete_ef(c, 0x2F11), 0);
	assert_int_equal(sc_hsm_read_ef(c, 0x2F11, &back, &n),
	    CUSTOS_ERR_NOT_FOUND);
	assert_null(back);
	assert_int_equal(sc_hsm_delete_ef(c, 0x2F11), CUSTOS_ERR_NOT_FOUND);
	/* The device certificate cannot be written; nothing without PIN. */
	assert_int_not_equal(sc_hsm_write_ef(c, 0x2F02, data, 10), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_write_ef(c, 0x2F11, data, 10),
	    CUSTOS_ERR_NOT_LOGGED_IN);
	card_close(c);
}

static void
test_keygen_list(void **state)
{
	static const struct { const char *curve; unsigned bits;
	    const char *kind; } t[] = {
		{ NULL, 2048, "RSA-2048" },
		{ "prime256v1", 0, "EC prime256v1" },
		{ "brainpoolP256r1", 0, "EC brainpoolP256r1" },
		{ "secp521r1", 0, "EC secp521r1" },
	};
	struct card *c = device("keys", share_a);
	struct sc_hsm_key k, *keys;
	uint8_t id[3] = { 0xAB, 0xCD, 0xEF };
	char serial[17], label[32];
	size_t n, i;
	int ref;

	(void)state;
	assert_int_equal(sc_hsm_serial(c, serial), 0);
	assert_memory_equal(serial, "ZZEMU", 5);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(sc_hsm_free_ref(c, &ref), 0);
		assert_int_equal(ref, (int)i + 1);
		snprintf(label, sizeof(label), "key-%zu", i);
		assert_int_equal(sc_hsm_keygen(c, ref, t[i].curve, t[i].bits,
		    label, i == 1 ? id : NULL, i == 1 ? 3 : 0, &k), 0);
		assert_string_equal(k.kind, t[i].kind);
		assert_non_null(k.pub);
		assert_int_equal(k.prkd.key_ref, ref);
		assert_int_equal(sc_hsm_prove_key(c, &k), 0);
		sc_hsm_key_clear(&k);
	}
	/* A taken reference; a size the card does not take. */
	assert_int_equal(sc_hsm_keygen(c, 1, NULL, 2048, "x", NULL, 0, &k),
	    CUSTOS_ERR_EXISTS);
	assert_int_equal(sc_hsm_keygen(c, 9, NULL, 1000, "x", NULL, 0, &k),
	    CUSTOS_ERR_UNSUPPORTED);
	assert_int_equal(sc_hsm_keygen(c, 9, "nocurve", 0, "x", NULL, 0, &k),
	    CUSTOS_ERR_UNSUPPORTED);
	assert_non_null(keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys)));
	assert_int_equal(sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "key-%zu", i);
		assert_int_equal(keys[i].ref, (int)i + 1);
		assert_true(keys[i].has_prkd);
		assert_string_equal(keys[i].prkd.label, label);
		assert_string_equal(keys[i].kind, t[i].kind);
		assert_int_equal(keys[i].prkd.id_len, i == 1 ? 3 : 20);
	}
	assert_memory_equal(keys[1].prkd.id, id, 3);
	/* The public key of one key does not prove another. */
	EVP_PKEY_free(keys[1].pub);
	keys[1].pub = EVP_PKEY_dup(keys[2].pub);
	assert_int_equal(sc_hsm_prove_key(c, &keys[1]), CUSTOS_ERR_CORRUPT);
	for (i = 0; i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	/* Deletion takes the description and public key too. */
	assert_int_equal(sc_hsm_delete_key(c, 2), 0);
	assert_int_equal(sc_hsm_delete_key(c, 2), CUSTOS_ERR_NO_KEY);
	assert_int_equal(sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	assert_int_equal(sc_hsm_free_ref(c, &ref), 0);
	assert_int_equal(ref, 2);
	free(keys);
	card_close(c);
}

static void
test_wrap_unwrap(void **state)
{
	struct card *a = device("wrap-a", share_a), *b, *other, *early;
	struct sc_hsm_key k, back;
	struct keyblob_info bi;
	uint8_t blob[KEYBLOB_MAX + 2], kcv[8];
	size_t bl = 0;
	int staged;

	(void)state;
	assert_int_equal(sc_hsm_keygen(a, 5, "secp384r1", 0, "w", NULL, 0,
	    &k), 0);
	assert_int_equal(sc_hsm_wrap_key(a, 5, blob, sizeof(blob), &bl), 0);
	assert_int_equal(keyblob_parse(blob, bl, &bi), 0);
	assert_int_equal(keyblob_kcv(kcv, share_a), 0);
	assert_memory_equal(bi.kcv, kcv, 8);
	assert_int_equal(sc_hsm_wrap_key(a, 6, blob + 0, sizeof(blob), &bl),
	    CUSTOS_ERR_NO_KEY);
	assert_int_equal(sc_hsm_wrap_key(a, 5, blob, sizeof(blob), &bl), 0);
	card_close(a);

	for (staged = 0; staged <= 1; staged++) {
		b = device(staged ? "wrap-b2" : "wrap-b1", share_a);
		assert_int_equal(sc_hsm_unwrap_key(b, 7, blob, bl, staged), 0);
		assert_int_equal(sc_hsm_unwrap_key(b, 7, blob, bl, staged),
		    CUSTOS_ERR_EXISTS);
		memset(&back, 0, sizeof(back));
		back.ref = 7;
		back.pub = k.pub;	/* borrowed: the original public key */
		assert_int_equal(sc_hsm_prove_key(b, &back), 0);
		card_close(b);
	}
	/* Another DKEK: refused, and nothing is left under the reference. */
	other = device("wrap-other", share_b);
	assert_int_equal(sc_hsm_unwrap_key(other, 7, blob, bl, 0),
	    CUSTOS_ERR_DKEK_MISMATCH);
	blob[bl - 1] ^= 1;
	card_close(other);
	other = device("wrap-a", NULL);
	assert_int_equal(sc_hsm_unwrap_key(other, 8, blob, bl, 0),
	    CUSTOS_ERR_DKEK_MISMATCH);
	card_close(other);
	/* A key generated with no DKEK can never be exported. */
	early = device("wrap-none", NULL);
	assert_int_equal(sc_hsm_keygen(early, 1, "prime256v1", 0, "e", NULL,
	    0, &back), 0);
	assert_int_equal(sc_hsm_wrap_key(early, 1, blob, sizeof(blob), &bl),
	    CUSTOS_ERR_NO_DKEK);
	sc_hsm_key_clear(&back);
	card_close(early);
	sc_hsm_key_clear(&k);
}

static void
test_removed_mid_unwrap(void **state)
{
	struct card *a = device("rm-a", share_a), *b;
	struct sc_hsm_key k, *keys;
	uint8_t blob[KEYBLOB_MAX + 2];
	size_t bl = 0, n;

	(void)state;
	assert_int_equal(sc_hsm_keygen(a, 1, "prime256v1", 0, "r", NULL, 0,
	    &k), 0);
	assert_int_equal(sc_hsm_wrap_key(a, 1, blob, sizeof(blob), &bl), 0);
	card_close(a);
	sc_hsm_key_clear(&k);
	b = device("rm-b", share_a);
	card_close(b);
	/* select, verify, then the staging writes: removed at the 4th. */
	assert_int_equal(setenv("CUSTOS_EMU_FAULTS", "remove-at=4", 1), 0);
	assert_int_equal(card_open("emu:rm-b", &b), 0);
	assert_int_equal(sc_hsm_select(b, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(b, pin, 6, NULL), 0);
	assert_int_equal(sc_hsm_unwrap_key(b, 1, blob, bl, 1),
	    CUSTOS_ERR_CARD_REMOVED);
	card_close(b);
	assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
	/* Nothing was unwrapped; a longer leftover in EF 2F10 does not
	 * spoil the next staged unwrap. */
	b = device("rm-b", share_a);
	{
		uint8_t junk[3000];

		memset(junk, 0x5A, sizeof(junk));
		assert_int_equal(sc_hsm_write_ef(b, 0x2F10, junk,
		    sizeof(junk)), 0);
	}
	assert_non_null(keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys)));
	assert_int_equal(sc_hsm_list_keys(b, keys, SC_HSM_MAX_REFS, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sc_hsm_unwrap_key(b, 1, blob, bl, 1), 0);
	assert_int_equal(sc_hsm_list_keys(b, keys, SC_HSM_MAX_REFS, &n), 0);
	assert_int_equal(n, 1);
	sc_hsm_key_clear(&keys[0]);
	free(keys);
	card_close(b);
}

static void
test_pin_and_challenge(void **state)
{
	struct card *c = device("pins", NULL);
	uint8_t r1[32], r2[32];
	int tries = -1;

	(void)state;
	assert_int_equal(sc_hsm_change_pin(c, "000000", 6, "123456", 6,
	    &tries), CUSTOS_ERR_WRONG_PIN);
	assert_int_equal(tries, 2);
	assert_int_equal(sc_hsm_change_pin(c, pin, 6, "123456", 6, &tries), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, &tries),
	    CUSTOS_ERR_WRONG_PIN);
	assert_int_equal(sc_hsm_verify_pin(c, "123456", 6, &tries), 0);
	assert_int_equal(sc_hsm_change_pin(c, "12345", 5, "123456", 6,
	    &tries), CUSTOS_ERR_LIMIT);
	assert_int_equal(sc_hsm_challenge(c, r1, sizeof(r1)), 0);
	assert_int_equal(sc_hsm_challenge(c, r2, sizeof(r2)), 0);
	assert_memory_not_equal(r1, r2, sizeof(r1));
	assert_int_equal(sc_hsm_challenge(c, r1, 0), CUSTOS_ERR_INVALID_ARG);
	card_close(c);
}

/* Key domains through the card layer (issue 19): slots, a domain made
   of two shares, a key generated in it and wrapped under its KEK, and a
   domain that holds keys kept until they are gone. */
static void
test_key_domains(void **state)
{
	static uint8_t blob[8192];
	uint8_t s1[32], s2[32], x[32], h[32], kcv[8];
	struct keyblob_info info;
	struct sc_hsm_key k;
	struct card *c = NULL;
	size_t bl = 0, i;
	int total, left, slots;

	(void)state;
	memset(&k, 0, sizeof(k));
	for (i = 0; i < 32; i++) {
		s1[i] = (uint8_t)(i * 7 + 1);
		s2[i] = (uint8_t)(i * 13 + 5);
		x[i] = s1[i] ^ s2[i];
	}
	assert_int_equal(card_open("emu:domains", &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_initialize_kd(c, so_pin, pin, 6, 3, 0, NULL),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(sc_hsm_initialize_kd(c, so_pin, pin, 6, 3, 3, NULL),
	    0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_kd_slots(c, &slots), 0);
	assert_int_equal(slots, 3);
	assert_int_equal(sc_hsm_kd_query(c, 0, &total, &left, kcv),
	    CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(sc_hsm_kd_query(c, 3, &total, &left, kcv),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(sc_hsm_kd_create(c, 1, 2, &total, &left, kcv),
	    CUSTOS_ERR_NOT_LOGGED_IN);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
	assert_int_equal(sc_hsm_kd_create(c, 1, 2, &total, &left, kcv), 0);
	assert_int_equal(total, 2);
	assert_int_equal(left, 2);
	assert_int_equal(sc_hsm_kd_create(c, 1, 2, &total, &left, kcv),
	    CUSTOS_ERR_LIMIT);
	assert_int_equal(sc_hsm_kd_import(c, 1, s1, &total, &left, kcv), 0);
	assert_int_equal(sc_hsm_kd_import(c, 1, s2, &total, &left, kcv), 0);
	assert_int_equal(left, 0);
	assert_int_equal(EVP_Digest(x, 32, h, NULL, EVP_sha256(), NULL), 1);
	assert_memory_equal(kcv, h, 8);
	assert_int_equal(sc_hsm_kd_import(c, 1, s1, &total, &left, kcv),
	    CUSTOS_ERR_NO_DKEK);
	assert_int_equal(sc_hsm_kd_import(c, 2, s1, &total, &left, kcv),
	    CUSTOS_ERR_NO_DKEK);
	assert_int_equal(sc_hsm_keygen_kd(c, 4, 2, "prime256v1", 0, "none",
	    NULL, 0, &k), CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(sc_hsm_keygen_kd(c, 4, 1, "prime256v1", 0, "in-1",
	    NULL, 0, &k), 0);
	sc_hsm_key_clear(&k);
	assert_int_equal(sc_hsm_wrap_key(c, 4, blob, sizeof(blob), &bl), 0);
	assert_int_equal(keyblob_parse(blob, bl, &info), 0);
	assert_memory_equal(info.kcv, h, 8);
	assert_int_equal(sc_hsm_kd_delete(c, 1), CUSTOS_ERR_EXISTS);
	assert_int_equal(sc_hsm_delete_key(c, 4), 0);
	assert_int_equal(sc_hsm_kd_delete(c, 1), 0);
	assert_int_equal(sc_hsm_kd_query(c, 1, &total, &left, kcv),
	    CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(sc_hsm_kd_delete(c, 1), CUSTOS_ERR_LIMIT);
	card_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_key_domains),
		cmocka_unit_test(test_keygen_list),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_removed_mid_unwrap),
		cmocka_unit_test(test_pin_and_challenge),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
