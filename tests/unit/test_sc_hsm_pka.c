/*
 * test_sc_hsm_pka.c - public key authentication through the card layer
 * (cards/sc_hsm_pka.c, cards/pkafile.c) against emulated devices in
 * process: three personal devices export their keys (.pka), a main HSM
 * initialized 2-of-3 checks and registers them, refuses a duplicate, a
 * fourth key, an altered file and a foreign chain; key use waits for the
 * quorum; a forged or replayed answer and the same key twice are
 * refused; a reset ends the authenticated state; replacing a key needs
 * the option and the quorum. Known answers: CardContact's root
 * certificate checks its own signature, and the emulator's roots are
 * the published seeds'.
 */
#include "testutil.h"

#include <openssl/evp.h>

#include "../../cards/card.h"
#include "../../cards/cvc.h"
#include "../../cards/cvc_roots.h"
#include "../../cards/pkafile.h"
#include "../../cards/sc_hsm.h"
#include "../../cards/sc_hsm_ef.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../cards/sc_hsm_pka.h"
#include "../../common/secmem.h"

static const uint8_t so_pin[8] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38,
    0x38, 0x30 };
static const char pin[] = "648219";
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
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testutil_rmtree(dir);
	return 0;
}

/* A personal device: initialized without DKEK, an EC key in ref 1, its
   .pka built into out. */
static void
personal(const char *name, const char *curve, struct tlv_buf *out)
{
	char spec[64];
	struct card *c = NULL;
	struct sc_hsm_key k;
	uint8_t *ce = NULL, *chain = NULL;
	size_t cel = 0, chl = 0;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_initialize(c, so_pin, pin, 6, 3, -1, NULL),
	    0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, pin, 6, NULL), 0);
	memset(&k, 0, sizeof(k));
	assert_int_equal(sc_hsm_keygen(c, 1, curve, 0, "pka", NULL, 0, &k),
	    0);
	sc_hsm_key_clear(&k);
	assert_int_equal(sc_hsm_read_ef(c, 0xCE01, &ce, &cel), 0);
	assert_int_equal(sc_hsm_read_ef(c, 0x2F02, &chain, &chl), 0);
	tlv_init(out);
	assert_int_equal(pkafile_build(ce, cel, chain, chl, out), 0);
	free(ce);
	free(chain);
	card_close(c);
}

static struct card *
main_hsm(const char *name, int n, int m, int replace)
{
	struct sc_hsm_pka_init pk = { n, m, replace };
	char spec[64];
	struct card *c = NULL;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_initialize_pka(c, so_pin, NULL, 0, 3, 1, 0,
	    &pk, NULL), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	return c;
}

static uint8_t last_sig[132];
static size_t last_sl;

/* The personal device name answers main's challenge for its key (the
   signature is kept in last_sig). */
static int
authenticate(struct card *m, const char *name, const char *key_chr,
    int tamper)
{
	char spec[64], mchr[17];
	struct card *p = NULL;
	uint8_t chal[16], sig[132];
	size_t sl = 0;
	int r;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	if ((r = sc_hsm_pka_challenge(m, key_chr, chal, sizeof(chal))) != 0)
		return r;
	assert_int_equal(sc_hsm_device_chr(m, mchr), 0);
	assert_int_equal(card_open(spec, &p), 0);
	assert_int_equal(sc_hsm_select(p, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(p, pin, 6, NULL), 0);
	assert_int_equal(sc_hsm_pka_sign(p, 1, mchr, chal, sizeof(chal), sig,
	    sizeof(sig), &sl), 0);
	card_close(p);
	if (tamper)
		sig[5] ^= 0x01;
	memcpy(last_sig, sig, sl);
	last_sl = sl;
	return sc_hsm_pka_answer(m, sig, sl);
}

static void
test_roots(void **state)
{
	EVP_PKEY *k = NULL, *pub = NULL;
	int emu = -1;

	(void)state;
	/* CardContact's root: found, and its self-signature verifies. */
	assert_int_equal(cvc_root_key("DESRCACC100001", &pub, &emu), 0);
	assert_int_equal(emu, 0);
	assert_string_equal(cvc_curve_name(pub), "brainpoolP256r1");
	EVP_PKEY_free(pub);
	assert_int_equal(cvc_root_key("XXNOSUCHROOT1", &pub, &emu),
	    CUSTOS_ERR_NOT_FOUND);
	/* The emulator's root: the seed's key, marked emulated. */
	assert_int_equal(cvc_root_key(CVC_EMU_ROOT_CHR, &pub, &emu), 0);
	assert_int_equal(emu, 1);
	assert_int_equal(cvc_emu_ca_key(0, &k), 0);
	assert_int_equal(EVP_PKEY_eq(k, pub), 1);
	EVP_PKEY_free(k);
	assert_int_equal(cvc_emu_ca_key(1, &k), 0);
	assert_int_not_equal(EVP_PKEY_eq(k, pub), 1);
	EVP_PKEY_free(k);
	EVP_PKEY_free(pub);
}

static void
test_pka_file(void **state)
{
	struct tlv_buf f;
	struct pkafile pf;
	struct pka_facts facts;
	uint8_t *alt;

	(void)state;
	personal("file-a", "brainpoolP256r1", &f);
	assert_int_equal(pkafile_parse(f.p, f.len, &pf), 0);
	assert_int_equal(pf.scsh, 0);
	assert_int_equal(pkafile_verify(&pf, &facts), 0);
	assert_int_equal(facts.emulated, 1);
	assert_string_equal(facts.root_chr, CVC_EMU_ROOT_CHR);
	assert_string_equal(facts.dica_chr, CVC_EMU_DICA_CHR);
	assert_int_equal(strncmp(facts.serial, "ZZEMU", 5), 0);
	assert_string_equal(facts.kind, "EC brainpoolP256r1");
	pka_facts_clear(&facts);
	/* Truncated: every shorter prefix is refused. */
	assert_int_not_equal(pkafile_parse(f.p, f.len - 1, &pf), 0);
	assert_int_not_equal(pkafile_parse(f.p, 10, &pf), 0);
	/* Altered: a byte of the key, of the device certificate's
	   signature, of the issuer: each caught by a signature. */
	alt = malloc(f.len);
	assert_non_null(alt);
	memcpy(alt, f.p, f.len);
	assert_int_equal(pkafile_parse(alt, f.len, &pf), 0);
	alt[(size_t)(pf.req - alt) + pf.req_len - 3] ^= 0x01;
	assert_int_equal(pkafile_verify(&pf, &facts), CUSTOS_ERR_CORRUPT);
	memcpy(alt, f.p, f.len);
	alt[(size_t)(pf.req - alt) + 40] ^= 0x01;
	assert_int_not_equal(pkafile_verify(&pf, &facts), 0);
	memcpy(alt, f.p, f.len);
	alt[(size_t)(pf.dev - alt) + pf.dev_len - 3] ^= 0x01;
	assert_int_equal(pkafile_verify(&pf, &facts), CUSTOS_ERR_CORRUPT);
	memcpy(alt, f.p, f.len);
	alt[(size_t)(pf.dica - alt) + pf.dica_len - 3] ^= 0x01;
	assert_int_equal(pkafile_verify(&pf, &facts), CUSTOS_ERR_CORRUPT);
	free(alt);
	/* Unsigned bytes riding inside the request (after its outer
	   signature): refused, though every signature still verifies. */
	{
		struct tlv_buf req, chain, out;
		const uint8_t *p, *v;
		size_t left, vl, m;
		uint32_t tag;
		uint8_t zero = 0;

		assert_int_equal(pkafile_parse(f.p, f.len, &pf), 0);
		p = pf.req;
		left = pf.req_len;
		assert_int_equal(tlv_next(&p, &left, &tag, &v, &vl), 0);
		tlv_init(&req);
		tlv_init(&chain);
		tlv_init(&out);
		m = tlv_begin(&req, 0x67);
		tlv_raw(&req, v, vl);
		tlv_put(&req, 0x53, &zero, 1);
		tlv_end(&req, m);
		tlv_raw(&chain, pf.dev, pf.dev_len);
		tlv_raw(&chain, pf.dica, pf.dica_len);
		assert_int_equal(pkafile_build(req.p, req.len, chain.p,
		    chain.len, &out), 0);
		assert_int_equal(pkafile_parse(out.p, out.len, &pf), 0);
		assert_int_equal(pkafile_verify(&pf, &facts),
		    CUSTOS_ERR_FORMAT);
		tlv_free(&req);
		tlv_free(&chain);
		tlv_free(&out);
	}
	tlv_free(&f);
}

static void
test_quorum(void **state)
{
	struct tlv_buf fa, fb, fc, fd;
	struct pkafile pa, pb, pc, pd;
	struct pka_facts xa, xb, xc;
	struct sc_hsm_pka_status st;
	struct card *m;
	struct sc_hsm_key k;
	char chr[17];
	int authed, sw_ok;

	(void)state;
	personal("cust-a", "prime256v1", &fa);
	personal("cust-b", "brainpoolP256r1", &fb);
	personal("cust-c", "prime256v1", &fc);
	personal("cust-d", "prime256v1", &fd);
	assert_int_equal(pkafile_parse(fa.p, fa.len, &pa), 0);
	assert_int_equal(pkafile_parse(fb.p, fb.len, &pb), 0);
	assert_int_equal(pkafile_parse(fc.p, fc.len, &pc), 0);
	assert_int_equal(pkafile_parse(fd.p, fd.len, &pd), 0);
	assert_int_equal(pkafile_verify(&pa, &xa), 0);
	assert_int_equal(pkafile_verify(&pb, &xb), 0);
	assert_int_equal(pkafile_verify(&pc, &xc), 0);

	m = main_hsm("main", 3, 2, 0);
	assert_int_equal(sc_hsm_pka_status(m, &st), 0);
	assert_int_equal(st.total, 3);
	assert_int_equal(st.missing, 3);
	assert_int_equal(st.required, 2);
	assert_int_equal(st.authenticated, 0);
	assert_int_equal(sc_hsm_pka_register(m, &pa, -1, &st), 0);
	assert_int_equal(st.missing, 2);
	/* The same key again: refused, nothing changed. */
	assert_int_equal(sc_hsm_pka_register(m, &pa, -1, &st),
	    CUSTOS_ERR_EXISTS);
	assert_int_equal(sc_hsm_pka_status(m, &st), 0);
	assert_int_equal(st.missing, 2);
	assert_int_equal(sc_hsm_pka_register(m, &pb, -1, &st), 0);
	assert_int_equal(sc_hsm_pka_register(m, &pc, -1, &st), 0);
	assert_int_equal(st.missing, 0);
	/* A fourth: no slot left. */
	assert_int_equal(sc_hsm_pka_register(m, &pd, -1, &st),
	    CUSTOS_ERR_CARD_FULL);
	assert_int_equal(sc_hsm_pka_key(m, 1, chr, &authed), 0);
	assert_string_equal(chr, xb.key_chr);
	assert_int_equal(authed, 0);

	/* Before the quorum: no key use, whatever the PIN. */
	memset(&k, 0, sizeof(k));
	assert_int_equal(sc_hsm_keygen(m, 2, "prime256v1", 0, "x", NULL, 0,
	    &k), CUSTOS_ERR_NOT_LOGGED_IN);
	/* Not registered; forged; then a replay of nothing pending. */
	assert_int_equal(authenticate(m, "cust-d", "ZZNOTREGISTERED", 0),
	    CUSTOS_ERR_NOT_FOUND);
	assert_int_equal(authenticate(m, "cust-a", xa.key_chr, 1),
	    CUSTOS_ERR_REFUSED);
	{
		uint8_t junk[64] = { 1 };

		assert_int_equal(sc_hsm_pka_answer(m, junk, sizeof(junk)),
		    CUSTOS_ERR_REFUSED);
	}
	/* A key answering another's challenge: refused. */
	assert_int_equal(authenticate(m, "cust-b", xa.key_chr, 0),
	    CUSTOS_ERR_REFUSED);
	assert_int_equal(authenticate(m, "cust-a", xa.key_chr, 0), 0);
	assert_int_equal(sc_hsm_pka_status(m, &st), 0);
	assert_int_equal(st.authenticated, 1);
	/* The same key twice: refused. */
	assert_int_equal(authenticate(m, "cust-a", xa.key_chr, 0),
	    CUSTOS_ERR_EXISTS);
	assert_int_equal(sc_hsm_keygen(m, 2, "prime256v1", 0, "x", NULL, 0,
	    &k), CUSTOS_ERR_NOT_LOGGED_IN);
	assert_int_equal(authenticate(m, "cust-c", xc.key_chr, 0), 0);
	assert_int_equal(sc_hsm_pka_key(m, 2, chr, &authed), 0);
	assert_int_equal(authed, 1);
	sw_ok = sc_hsm_keygen(m, 2, "prime256v1", 0, "x", NULL, 0, &k);
	assert_int_equal(sw_ok, 0);
	sc_hsm_key_clear(&k);
	/* Replacing is not allowed on this device. */
	assert_int_equal(sc_hsm_pka_register(m, &pd, 0, &st),
	    CUSTOS_ERR_REFUSED);
	/* A new SELECT (as after a reset) ends the authenticated state. */
	assert_int_equal(sc_hsm_select(m, NULL, NULL), 0);
	assert_int_equal(sc_hsm_pka_status(m, &st), 0);
	assert_int_equal(st.authenticated, 0);
	assert_int_equal(sc_hsm_keygen(m, 3, "prime256v1", 0, "x", NULL, 0,
	    &k), CUSTOS_ERR_NOT_LOGGED_IN);
	card_close(m);
	/* The registrations were kept across a power cycle. */
	assert_int_equal(card_open("emu:main", &m), 0);
	assert_int_equal(sc_hsm_select(m, NULL, NULL), 0);
	assert_int_equal(sc_hsm_pka_status(m, &st), 0);
	assert_int_equal(st.missing, 0);
	assert_int_equal(st.authenticated, 0);
	card_close(m);

	/* Replacing, on a device that allows it: after the quorum only. */
	m = main_hsm("main-r", 2, 1, 1);
	assert_int_equal(sc_hsm_pka_register(m, &pa, -1, &st), 0);
	assert_int_equal(sc_hsm_pka_register(m, &pb, -1, &st), 0);
	assert_int_equal(sc_hsm_pka_register(m, &pd, 1, &st),
	    CUSTOS_ERR_NOT_LOGGED_IN);
	assert_int_equal(authenticate(m, "cust-a", xa.key_chr, 0), 0);
	assert_int_equal(sc_hsm_pka_register(m, &pd, 1, &st), 0);
	/* A replayed answer: after a reset, the old signature does not
	   answer the new challenge. */
	assert_int_equal(sc_hsm_select(m, NULL, NULL), 0);
	{
		uint8_t chal[16];

		assert_int_equal(sc_hsm_pka_challenge(m, xa.key_chr, chal,
		    sizeof(chal)), 0);
		assert_int_equal(sc_hsm_pka_answer(m, last_sig, last_sl),
		    CUSTOS_ERR_REFUSED);
		assert_int_equal(sc_hsm_pka_status(m, &st), 0);
		assert_int_equal(st.authenticated, 0);
	}
	assert_int_equal(sc_hsm_pka_key(m, 1, chr, &authed), 0);
	assert_int_not_equal(strcmp(chr, xb.key_chr), 0);
	card_close(m);

	/* A device without PKA says so. */
	assert_int_equal(card_open("emu:cust-a", &m), 0);
	assert_int_equal(sc_hsm_select(m, NULL, NULL), 0);
	assert_int_equal(sc_hsm_pka_status(m, &st), CUSTOS_ERR_UNSUPPORTED);
	card_close(m);
	pka_facts_clear(&xa);
	pka_facts_clear(&xb);
	pka_facts_clear(&xc);
	tlv_free(&fa);
	tlv_free(&fb);
	tlv_free(&fc);
	tlv_free(&fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_pka_file),
		cmocka_unit_test(test_quorum),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
