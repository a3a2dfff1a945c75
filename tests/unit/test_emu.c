/*
 * test_emu.c - the emulated SmartCard-HSM driven with raw command APDUs,
 * as OpenSC and custos send them: PINs, DKEK shares, key generation,
 * signatures checked with OpenSSL, wrap/unwrap, files, the state file, and
 * the in-process card backend with fault injection.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "../../cards/card.h"
#include "../../cards/cvc.h"
#include "../../cards/emu/emu.h"
#include "../../cards/apdu.h"
#include "../../cards/emu/emu_card.h"
#include "../../cards/emu/emu_int.h"
#include "../../cards/keyblob.h"
#include "../../cards/tlv.h"
#include "../../common/secmem.h"

#define SELECT	"00A4040C0BE82B0601040181C31F0201"
#define PIN	"313233343536"			/* "123456" */
#define PIN2	"363534333231"			/* "654321" */
#define SOPIN	"3537621880790612"
#define BADSO	"0000000000000000"
#define LOGIN	"00200081 06" PIN

/* GENERATE data as OpenSC builds it (the contents of a 7F4E body). */
#define GEN_CAR	"5F290100 4209555443413030303031"
#define GEN_CHR	"5F2012444543555354 4F53303030303130303030 31"
#define GEN_RSA	GEN_CAR "7F4915 060A04007F00070202020102 8203010001 02020800" \
	GEN_CHR
#define GEN_EC	GEN_CAR "7F4981DA 060A04007F00070202020203" \
	"8120FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF" \
	"8220FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC" \
	"83205AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B" \
	"8441046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296" \
	"4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5" \
	"8520FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551" \
	"870101" GEN_CHR

static uint8_t rbuf[65600];
static uint8_t share1[32], share2[32];

/* ---- helpers ---- */

/* Parses hex (spaces allowed) into out; returns the length. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		assert_true(s[1] != '\0' && n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

/* Sends cmd[0..n); copies the response data to out (if any). */
static uint16_t
txb(struct emu *e, const uint8_t *cmd, size_t n, uint8_t *out, size_t *olen)
{
	size_t rl = 0;

	assert_int_equal(emu_process(e, cmd, n, rbuf, sizeof(rbuf), &rl), 0);
	assert_true(rl >= 2);
	if (out != NULL)
		memcpy(out, rbuf, rl - 2);
	if (olen != NULL)
		*olen = rl - 2;
	return (uint16_t)((rbuf[rl - 2] << 8) | rbuf[rl - 1]);
}

/* Sends a command given in hex. */
static uint16_t
tx(struct emu *e, const char *hex, uint8_t *out, size_t *olen)
{
	uint8_t cmd[1024];

	return txb(e, cmd, unhex(hex, cmd, sizeof(cmd)), out, olen);
}

/* Sends an extended APDU: header, then d[0..nc), Le 0000. */
static uint16_t
txe(struct emu *e, const char *hdr, const uint8_t *d, size_t nc,
    uint8_t *out, size_t *olen)
{
	static uint8_t cmd[4 + 3 + 65535 + 2];
	size_t n = unhex(hdr, cmd, 4);

	assert_int_equal(n, 4);
	cmd[n++] = 0;
	if (nc > 0) {
		cmd[n++] = (uint8_t)(nc >> 8);
		cmd[n++] = (uint8_t)nc;
		memcpy(cmd + n, d, nc);
		n += nc;
	}
	cmd[n++] = 0;
	cmd[n++] = 0;
	return txb(e, cmd, n, out, olen);
}

/* Sends an extended APDU with its data in hex. */
static uint16_t
txeh(struct emu *e, const char *hdr, const char *hex, uint8_t *out,
    size_t *olen)
{
	uint8_t d[1024];

	return txe(e, hdr, d, unhex(hex, d, sizeof(d)), out, olen);
}

static struct emu *
dev_new(void)
{
	struct emu *e = NULL;

	assert_int_equal(emu_open_volatile(&e), 0);
	assert_non_null(e);
	return e;
}

/* Selects and initializes e (PIN 123456, 3 tries, reset by SO allowed,
 * nshares DKEK shares). */
static void
dev_init(struct emu *e, unsigned nshares)
{
	char cmd[200];

	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	snprintf(cmd, sizeof(cmd), "80500000 1C 80020001 8106" PIN
	    "8208" SOPIN "910103 9201%02X", nshares);
	assert_int_equal(tx(e, cmd, NULL, NULL), 0x9000);
}

/* Imports a share; returns the status word, status data in st[10]. */
static uint16_t
import(struct emu *e, const uint8_t *share, uint8_t st[10])
{
	uint8_t cmd[5 + 32];
	size_t n = 0;
	uint16_t sw;

	memcpy(cmd, "\x80\x52\x00\x00\x20", 5);
	memcpy(cmd + 5, share, 32);
	sw = txb(e, cmd, sizeof(cmd), rbuf + 32768, &n);
	if (sw == 0x9000) {
		assert_int_equal(n, 10);
		memcpy(st, rbuf + 32768, 10);
	}
	return sw;
}

/* A device initialized with one DKEK share (share1), logged in. */
static struct emu *
dev_ready(void)
{
	struct emu *e = dev_new();
	uint8_t st[10];

	dev_init(e, 1);
	assert_int_equal(import(e, share1, st), 0x9000);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	return e;
}

/* Generates a key at ref from GENERATE data in hex; returns its public
 * key rebuilt from the request. */
static EVP_PKEY *
keygen(struct emu *e, uint8_t ref, const char *data)
{
	static uint8_t out[4096];
	char hdr[16];
	struct cvc c;
	EVP_PKEY *pk = NULL;
	size_t n = 0;

	snprintf(hdr, sizeof(hdr), "0046%02X00", ref);
	assert_int_equal(txeh(e, hdr, data, out, &n), 0x9000);
	assert_int_equal(out[0], 0x67);
	assert_int_equal(cvc_parse(out, n, &c), 0);
	assert_int_equal(c.total_len, n);
	assert_string_equal(c.chr, "DECUSTOS00001000");
	assert_string_equal(c.car, "UTCA00001");
	assert_non_null(c.outer_car);
	assert_int_equal(cvc_pubkey(c.pub, c.pub_len, NULL, &pk), 0);
	return pk;
}

/* Signs d[0..n) with key ref and algorithm alg; returns the status. */
static uint16_t
sign(struct emu *e, uint8_t ref, uint8_t alg, const uint8_t *d, size_t n,
    uint8_t *sig, size_t *sl)
{
	char hdr[16];

	snprintf(hdr, sizeof(hdr), "8068%02X%02X", ref, alg);
	return txe(e, hdr, d, n, sig, sl);
}

/* Verifies sig over the 32-byte hash h with pk (ECDSA or PSS). */
static void
verify_hash(EVP_PKEY *pk, int pss, const uint8_t *h, const uint8_t *sig,
    size_t sl)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	if (pss) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx,
		    RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx,
		    EVP_sha256()), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx,
		    RSA_PSS_SALTLEN_DIGEST), 1);
	}
	assert_int_equal(EVP_PKEY_verify(ctx, sig, sl, h, 32), 1);
	EVP_PKEY_CTX_free(ctx);
}

/* ECDSA-signs a fresh hash with key ref and checks it with pk. */
static void
ec_sign_ok(struct emu *e, uint8_t ref, EVP_PKEY *pk)
{
	uint8_t h[32], sig[200];
	size_t sl = 0;

	secmem_random(h, sizeof(h));
	assert_int_equal(sign(e, ref, 0x70, h, 32, sig, &sl), 0x9000);
	assert_int_equal(sig[0], 0x30);
	verify_hash(pk, 0, h, sig, sl);
}

/* Does ENUMERATE list fid? */
static int
listed(struct emu *e, uint16_t fid)
{
	uint8_t out[2048];
	size_t n = 0, i;

	assert_int_equal(tx(e, "80580000 00", out, &n), 0x9000);
	assert_int_equal(n % 2, 0);
	for (i = 0; i < n; i += 2)
		if (((out[i] << 8) | out[i + 1]) == fid)
			return 1;
	return 0;
}

/* ---- selection ---- */

static void
test_select(void **state)
{
	struct emu *e = dev_new();
	uint8_t out[256];
	const uint8_t *v;
	size_t n = 0, vl;

	(void)state;
	assert_int_equal(tx(e, "00A40400 05 A000000001 00", out, &n), 0x6A82);
	assert_int_equal(n, 0);
	/* Before the applet is selected only GET CHALLENGE works. */
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x6D00);
	assert_int_equal(tx(e, "80580000 00", NULL, NULL), 0x6D00);
	assert_int_equal(tx(e, "80500000 03 800200", NULL, NULL), 0x6D00);
	assert_int_equal(tx(e, "00840000 08", out, &n), 0x9000);
	assert_int_equal(n, 8);
	assert_int_equal(tx(e,
	    "00A40400 0B E82B0601040181C31F0201 00", out, &n), 0x9000);
	assert_int_equal(out[0], 0x62);
	assert_int_equal(tlv_find(out + 2, out[1], 0x85, &v, &vl), 0);
	assert_true(vl >= 2);
	assert_int_equal(v[vl - 2], 3);		/* version 3.5 */
	assert_int_equal(v[vl - 1], 5);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "00A40000 02 C401 00", NULL, NULL), 0x6A82);
	/* The device certificate is there from the factory. */
	assert_int_equal(tx(e, "00A40000 02 2F02 00", out, &n), 0x9000);
	assert_int_equal(tx(e, "00B00000 00", out, &n), 0x9000);
	assert_true(n > 100);
	assert_int_equal(out[0], 0x7F);
	assert_int_equal(out[1], 0x21);
	emu_free(e);
}

/* ---- PINs ---- */

static void
test_pin(void **state)
{
	struct emu *e = dev_new();

	(void)state;
	dev_init(e, 0);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C3);
	assert_int_equal(tx(e, "00200085", NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "00200086 06" PIN, NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00200081 07" PIN "31", NULL, NULL), 0x63C1);
	/* A right PIN restores the counter. */
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C3);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x63C1);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x6983);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x6983);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x6983);
	assert_int_equal(tx(e, "00460100 00", NULL, NULL), 0x6982);
	/* SO: a wrong SO PIN counts down from 15. */
	assert_int_equal(tx(e, "00200088", NULL, NULL), 0x63CF);
	assert_int_equal(tx(e, "002C0081 0E" BADSO PIN2, NULL, NULL), 0x63CE);
	assert_int_equal(tx(e, "002C0081 0E" BADSO PIN2, NULL, NULL), 0x63CD);
	assert_int_equal(tx(e, "00200088 08" BADSO, NULL, NULL), 0x63CC);
	assert_int_equal(tx(e, "00200088", NULL, NULL), 0x63CC);
	/* RESET RETRY COUNTER with the SO PIN and a new PIN unblocks. */
	assert_int_equal(tx(e, "002C0081 0E" SOPIN PIN2, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00200088", NULL, NULL), 0x63CF);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C3);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x9000);
	emu_free(e);
}

static void
test_change_pin(void **state)
{
	struct emu *e = dev_new();

	(void)state;
	dev_init(e, 0);
	assert_int_equal(tx(e, "00240081 0C" PIN2 PIN2, NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00240081 0C" PIN PIN2, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C3);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x9000);
	/* A longer new PIN. */
	assert_int_equal(tx(e, "00240081 0E" PIN2 PIN "3738", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(e, "00200081 08" PIN "3738", NULL, NULL), 0x9000);
	/* SO PIN change. */
	assert_int_equal(tx(e, "00240088 10" SOPIN BADSO, NULL, NULL),
	    0x9000);
	assert_int_equal(tx(e, "00200088 08" SOPIN, NULL, NULL), 0x63CE);
	assert_int_equal(tx(e, "00200088 08" BADSO, NULL, NULL), 0x9000);
	emu_free(e);
}

static void
test_reinit(void **state)
{
	struct emu *e = dev_ready();
	EVP_PKEY *pk = keygen(e, 1, GEN_EC);

	(void)state;
	assert_true(listed(e, 0xCC01));
	assert_int_equal(tx(e, "80500000 1C 80020001 8106" PIN "8208" BADSO
	    "910103 920101", NULL, NULL), 0x63CE);
	assert_true(listed(e, 0xCC01));
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x9000);
	ec_sign_ok(e, 1, pk);
	/* With the right SO PIN the device is wiped. */
	assert_int_equal(tx(e, "80500000 1C 80020001 8106" PIN2 "8208" SOPIN
	    "910105 920100", NULL, NULL), 0x9000);
	assert_false(listed(e, 0xCC01));
	assert_true(listed(e, 0xCC00));
	assert_true(listed(e, 0x2F02));
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C5);
	assert_int_equal(tx(e, "80520000 00", rbuf + 1000, NULL), 0x9000);
	EVP_PKEY_free(pk);
	emu_free(e);
}

/* ---- DKEK ---- */

static void
test_dkek(void **state)
{
	struct emu *e = dev_new();
	uint8_t st[10], x[32], h[32], out[16];
	size_t n = 0, i;

	(void)state;
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(import(e, share1, st), 0x6985);
	dev_init(e, 2);
	assert_int_equal(tx(e, "80520000 00", out, &n), 0x9000);
	assert_int_equal(n, 10);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 2);
	assert_int_equal(import(e, share1, st), 0x9000);
	assert_int_equal(st[0], 2);
	assert_int_equal(st[1], 1);
	assert_int_equal(import(e, share2, st), 0x9000);
	assert_int_equal(st[1], 0);
	for (i = 0; i < 32; i++)
		x[i] = share1[i] ^ share2[i];
	SHA256(x, 32, h);
	assert_memory_equal(st + 2, h, 8);
	assert_int_equal(import(e, share1, st), 0x6985);
	assert_int_equal(tx(e, "80520000 00", out, &n), 0x9000);
	assert_memory_equal(out + 2, h, 8);
	/* A short share. */
	assert_int_equal(tx(e, "80520000 02 0102", NULL, NULL), 0x6700);

	/* The same share twice cancels out: the zero DKEK. */
	dev_init(e, 2);
	assert_int_equal(import(e, share1, st), 0x9000);
	assert_int_equal(import(e, share1, st), 0x9000);
	assert_memory_equal(st + 2,
	    "\x66\x68\x7A\xAD\xF8\x62\xBD\x77", 8);
	emu_free(e);
}

/* ---- keys ---- */

static void
test_rsa(void **state)
{
	struct emu *e = dev_ready();
	EVP_PKEY *pk = keygen(e, 1, GEN_RSA);
	static const uint8_t di[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09,
	    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	    0x04, 0x20 };
	uint8_t m[256], sig[600], back[256], h[32], dinfo[51];
	size_t sl = 0, bl = sizeof(back);
	EVP_PKEY_CTX *ctx;

	(void)state;
	assert_int_equal(EVP_PKEY_get_bits(pk), 2048);
	assert_true(listed(e, 0xCC01));
	/* Raw RSA: m^d, checked with m = s^e. */
	secmem_random(m, sizeof(m));
	m[0] = 0x00;
	assert_int_equal(sign(e, 1, 0x20, m, sizeof(m), sig, &sl), 0x9000);
	assert_int_equal(sl, 256);
	assert_non_null(ctx = EVP_PKEY_CTX_new(pk, NULL));
	assert_int_equal(EVP_PKEY_verify_recover_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(ctx, back, &bl, sig, sl), 1);
	assert_int_equal(bl, 256);
	assert_memory_equal(back, m, 256);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(sign(e, 1, 0x20, m, 255, sig, &sl), 0x6A80);
	/* PSS over a bare hash and over a DigestInfo. */
	secmem_random(h, sizeof(h));
	assert_int_equal(sign(e, 1, 0x40, h, 32, sig, &sl), 0x9000);
	verify_hash(pk, 1, h, sig, sl);
	memcpy(dinfo, di, sizeof(di));
	memcpy(dinfo + sizeof(di), h, 32);
	assert_int_equal(sign(e, 1, 0x40, dinfo, sizeof(dinfo), sig, &sl),
	    0x9000);
	verify_hash(pk, 1, h, sig, sl);
	/* ECDSA on an RSA key: wrong algorithm. */
	assert_int_equal(sign(e, 1, 0x70, h, 32, sig, &sl), 0x6A86);
	/* DECIPHER: raw c^d. */
	assert_non_null(ctx = EVP_PKEY_CTX_new(pk, NULL));
	assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	bl = sizeof(sig);
	assert_int_equal(EVP_PKEY_encrypt(ctx, sig, &bl, m, sizeof(m)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(txe(e, "80620121", sig, bl, back, &sl), 0x9000);
	assert_int_equal(sl, 256);
	assert_memory_equal(back, m, 256);
	/* Without the PIN nothing is signed. */
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(sign(e, 1, 0x40, h, 32, sig, &sl), 0x6982);
	assert_int_equal(txe(e, "80620121", sig, bl, back, &sl), 0x6982);
	EVP_PKEY_free(pk);
	emu_free(e);
}

static void
test_ec(void **state)
{
	struct emu *e = dev_ready();
	EVP_PKEY *pk = keygen(e, 2, GEN_EC), *peer;
	EVP_PKEY_CTX *ctx;
	uint8_t pt[65], out[200], z[32];
	size_t pl = 0, n = 0, zl = sizeof(z);

	(void)state;
	memset(z, 0, sizeof(z));
	assert_string_equal(cvc_curve_name(pk), "prime256v1");
	ec_sign_ok(e, 2, pk);
	assert_int_equal(sign(e, 3, 0x70, z, 32, out, &n), 0x6A88);
	/* ECDH: the card gives 04|x|y; x is the shared secret. */
	assert_non_null(peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "prime256v1"));
	assert_int_equal(EVP_PKEY_get_octet_string_param(peer,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &pl), 1);
	assert_int_equal(pl, 65);
	assert_int_equal(txe(e, "80620280", pt, pl, out, &n), 0x9000);
	assert_int_equal(n, 65);
	assert_int_equal(out[0], 0x04);
	assert_non_null(ctx = EVP_PKEY_CTX_new(peer, NULL));
	assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(ctx, pk), 1);
	assert_int_equal(EVP_PKEY_derive(ctx, z, &zl), 1);
	assert_int_equal(zl, 32);
	assert_memory_equal(out + 1, z, 32);
	EVP_PKEY_CTX_free(ctx);
	/* A point not on the curve. */
	pt[64] ^= 1;
	assert_int_equal(txe(e, "80620280", pt, pl, out, &n), 0x6A80);
	/* keygen needs the PIN, and a free reference. */
	assert_int_equal(txeh(e, "00460200", GEN_EC, out, &n), 0x6A89);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(txeh(e, "00460300", GEN_EC, out, &n), 0x6982);
	assert_false(listed(e, 0xCC03));
	EVP_PKEY_free(peer);
	EVP_PKEY_free(pk);
	emu_free(e);
}

/* Wraps key ref; returns the blob length. */
static size_t
wrap(struct emu *e, uint8_t ref, uint8_t *blob)
{
	char hdr[16];
	size_t n = 0;

	snprintf(hdr, sizeof(hdr), "8072%02X92", ref);
	assert_int_equal(txe(e, hdr, NULL, 0, blob, &n), 0x9000);
	return n;
}

static void
test_wrap_unwrap(void **state)
{
	static uint8_t blob[KEYBLOB_MAX], cmd[KEYBLOB_MAX + 16];
	struct emu *e = dev_ready(), *f = dev_ready(), *g = dev_new();
	EVP_PKEY *pk = keygen(e, 1, GEN_EC), *pk2;
	struct keyblob_info info;
	uint8_t st[10], kcv[8];
	size_t bl, n;

	(void)state;
	assert_int_equal(tx(e, "80520000 00", st, &n), 0x9000);
	SHA256(share1, 32, blob);
	assert_memory_equal(st + 2, blob, 8);
	memcpy(kcv, st + 2, 8);
	bl = wrap(e, 1, blob);
	assert_int_equal(keyblob_parse(blob, bl, &info), 0);
	assert_memory_equal(info.kcv, kcv, 8);
	assert_int_equal(info.type, KEYBLOB_EC);
	assert_int_equal(txe(e, "80720292", NULL, 0, NULL, NULL), 0x6A88);
	/* Into a second device with the same DKEK. */
	assert_int_equal(txe(f, "80740593", blob, bl, NULL, NULL), 0x9000);
	ec_sign_ok(f, 5, pk);
	assert_true(listed(f, 0xCC05));
	/* An occupied reference. */
	assert_int_equal(txe(f, "80740593", blob, bl, NULL, NULL), 0x6A89);
	/* Staged in EF 2F10 (OpenSC >= 0.24). */
	assert_int_equal(tx(f, "00A40000 02 2F10 00", NULL, NULL), 0x6A82);
	n = 0;
	memcpy(cmd, "\x00\xD7\x2F\x10\x00", 5);
	cmd[5] = (uint8_t)((bl + 8) >> 8);
	cmd[6] = (uint8_t)(bl + 8);
	memcpy(cmd + 7, "\x54\x02\x00\x00\x53\x82", 6);
	cmd[13] = (uint8_t)(bl >> 8);
	cmd[14] = (uint8_t)bl;
	memcpy(cmd + 15, blob, bl);
	assert_int_equal(txb(f, cmd, 15 + bl, NULL, NULL), 0x9000);
	assert_int_equal(tx(f, "00A4000C 02 2F10", NULL, NULL), 0x9000);
	assert_int_equal(tx(f, "80740693", NULL, NULL), 0x9000);
	ec_sign_ok(f, 6, pk);
	assert_int_equal(tx(f, "00A40000 02 2F10 00", NULL, NULL), 0x6A82);
	assert_int_equal(tx(f, "80740793", NULL, NULL), 0x6A80);
	/* An unwrapped key can be wrapped again. */
	n = wrap(f, 5, cmd);
	assert_int_equal(keyblob_parse(cmd, n, &info), 0);
	assert_memory_equal(info.kcv, kcv, 8);
	/* Another DKEK. */
	dev_init(g, 1);
	assert_int_equal(import(g, share2, st), 0x9000);
	assert_int_equal(tx(g, LOGIN, NULL, NULL), 0x9000);
	assert_int_equal(txe(g, "80740193", blob, bl, NULL, NULL), 0x6A80);
	/* A changed byte in the ciphertext. */
	blob[bl - 20] ^= 1;
	assert_int_equal(txe(f, "80740893", blob, bl, NULL, NULL), 0x6A80);
	assert_int_equal(txe(f, "80740093", blob, bl, NULL, NULL), 0x6A86);
	assert_false(listed(f, 0xCC08));
	/* RSA round trip. */
	pk2 = keygen(e, 9, GEN_RSA);
	bl = wrap(e, 9, blob);
	assert_int_equal(keyblob_parse(blob, bl, &info), 0);
	assert_int_equal(txe(f, "80740993", blob, bl, NULL, NULL), 0x9000);
	{
		uint8_t h[32], sig[512];
		size_t sl = 0;

		secmem_random(h, sizeof(h));
		assert_int_equal(sign(f, 9, 0x40, h, 32, sig, &sl), 0x9000);
		verify_hash(pk2, 1, h, sig, sl);
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
	emu_free(e);
	emu_free(f);
	emu_free(g);
}

static void
test_wrap_needs_dkek(void **state)
{
	struct emu *e = dev_new();
	EVP_PKEY *pk, *pk2;
	uint8_t st[10];

	(void)state;
	dev_init(e, 2);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	pk = keygen(e, 1, GEN_EC);
	assert_int_equal(txe(e, "80720192", NULL, 0, NULL, NULL), 0x6985);
	assert_int_equal(import(e, share1, st), 0x9000);
	pk2 = keygen(e, 2, GEN_EC);
	assert_int_equal(txe(e, "80720292", NULL, 0, NULL, NULL), 0x6985);
	assert_int_equal(txe(e, "80740393", rbuf, 100, NULL, NULL), 0x6985);
	assert_int_equal(import(e, share2, st), 0x9000);
	/* Made before the DKEK was complete: never exportable. */
	assert_int_equal(txe(e, "80720192", NULL, 0, NULL, NULL), 0x6985);
	assert_int_equal(txe(e, "80720292", NULL, 0, NULL, NULL), 0x6985);
	ec_sign_ok(e, 1, pk);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
	emu_free(e);
}

/* ---- files ---- */

static void
test_files(void **state)
{
	struct emu *e = dev_new();
	uint8_t cmd[300], out[600], data[400];
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	dev_init(e, 0);
	assert_int_equal(tx(e, "00D7C401 06 5402000053 00", NULL, NULL),
	    0x6982);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00A40000 02 C401 00", NULL, NULL), 0x6A82);
	assert_int_equal(tx(e, "00D7C401 06 5402000053 00", NULL, NULL),
	    0x9000);
	assert_int_equal(tx(e, "00A40000 02 C401 00", out, &n), 0x9000);
	assert_true(listed(e, 0xC401));
	/* Two chunks to the current EF. */
	memcpy(cmd, "\x00\xD7\x00\x00\xFC\x54\x02\x00\x00\x53\x81\xF5", 12);
	memcpy(cmd + 12, data, 245);
	assert_int_equal(txb(e, cmd, 12 + 245, NULL, NULL), 0x9000);
	memcpy(cmd, "\x00\xD7\x00\x00\xA2\x54\x02\x00\xF5\x53\x81\x9B", 12);
	memcpy(cmd + 12, data + 245, 155);
	assert_int_equal(txb(e, cmd, 12 + 155, NULL, NULL), 0x9000);
	/* Read back, whole and from an offset. */
	assert_int_equal(tx(e, "00B10000 000004 54020000 0000", out, &n),
	    0x9000);
	assert_int_equal(n, 400);
	assert_memory_equal(out, data, 400);
	assert_int_equal(tx(e, "00B1C401 04 54020100 10", out, &n), 0x9000);
	assert_int_equal(n, 16);
	assert_memory_equal(out, data + 256, 16);
	assert_int_equal(tx(e, "00B10000 04 54020190 00", out, &n), 0x9000);
	assert_int_equal(n, 0);
	assert_int_equal(tx(e, "00B10000 04 54020191 00", out, &n), 0x6B00);
	/* Key files are not readable; nor writable. */
	assert_int_equal(tx(e, "00B1CC00 04 54020000 00", out, &n), 0x6982);
	assert_int_equal(tx(e, "00B1CC01 04 54020000 00", out, &n), 0x6982);
	assert_int_equal(tx(e, "00D7CC01 06 5402000053 00", NULL, NULL),
	    0x6982);
	assert_int_equal(tx(e, "00D72F02 06 5402000053 00", NULL, NULL),
	    0x6982);
	/* DELETE FILE. */
	assert_int_equal(tx(e, "00E40200 02 C401", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00E40200 02 C401", NULL, NULL), 0x6A82);
	assert_int_equal(tx(e, "00A40000 02 C401 00", NULL, NULL), 0x6A82);
	assert_false(listed(e, 0xC401));
	assert_int_equal(tx(e, "00B10000 04 54020000 00", out, &n), 0x6986);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00E40200 02 C402", NULL, NULL), 0x6982);
	emu_free(e);
}

static void
test_delete_key(void **state)
{
	struct emu *e = dev_ready();
	EVP_PKEY *pk = keygen(e, 4, GEN_EC);

	(void)state;
	assert_true(listed(e, 0xCC04));
	assert_int_equal(tx(e, "00A40000 02 CC04 00", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00E40200 02 CC04", NULL, NULL), 0x9000);
	assert_false(listed(e, 0xCC04));
	assert_int_equal(tx(e, "00A40000 02 CC04 00", NULL, NULL), 0x6A82);
	assert_int_equal(tx(e, "80680470 02 0102", NULL, NULL), 0x6A88);
	EVP_PKEY_free(pk);
	emu_free(e);
}

static void
test_challenge(void **state)
{
	struct emu *e = dev_new();
	uint8_t a[300], b[300];
	size_t na = 0, nb = 0;

	(void)state;
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00840000 10", a, &na), 0x9000);
	assert_int_equal(tx(e, "00840000 10", b, &nb), 0x9000);
	assert_int_equal(na, 16);
	assert_int_equal(nb, 16);
	assert_memory_not_equal(a, b, 16);
	assert_int_equal(tx(e, "00840000 00", a, &na), 0x9000);
	assert_int_equal(na, 256);
	assert_int_equal(tx(e, "00840000", a, &na), 0x6700);
	emu_free(e);
}

/* ---- the state file ---- */

static void
test_persist(void **state)
{
	char dir[64], path[128];
	struct emu *e = NULL, *e2 = NULL;
	EVP_PKEY *pk;
	uint8_t st[10], st2[10];
	char serial[17];

	(void)state;
	testutil_tmpdir(dir);
	assert_int_equal(emu_open(dir, "dev-1", &e), 0);
	assert_string_equal(emu_name(e), "dev-1");
	snprintf(serial, sizeof(serial), "%s", emu_serial(e));
	assert_int_equal(emu_open(dir, "dev-1", &e2), CUSTOS_ERR_BUSY);
	assert_null(e2);
	assert_int_equal(emu_open(dir, "bad/name", &e2),
	    CUSTOS_ERR_INVALID_ARG);
	dev_init(e, 1);
	assert_int_equal(import(e, share1, st), 0x9000);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	pk = keygen(e, 1, GEN_EC);
	assert_int_equal(tx(e, "00200081 06" PIN2, NULL, NULL), 0x63C2);
	emu_free(e);

	assert_int_equal(emu_open(dir, "dev-1", &e), 0);
	assert_string_equal(emu_serial(e), serial);
	/* Power-on: nothing selected. */
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x6D00);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00200081", NULL, NULL), 0x63C2);
	assert_int_equal(tx(e, "80520000 00", st2, NULL), 0x9000);
	assert_memory_equal(st, st2, 10);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	ec_sign_ok(e, 1, pk);
	assert_true(listed(e, 0xCC01));
	emu_free(e);

	/* A damaged state file. */
	snprintf(path, sizeof(path), "%s/dev-1.json", dir);
	assert_int_equal(truncate(path, 100), 0);
	e = NULL;
	assert_int_equal(emu_open(dir, "dev-1", &e), CUSTOS_ERR_CORRUPT);
	assert_null(e);
	EVP_PKEY_free(pk);
	testutil_rmtree(dir);
}

/* Replaces the first "from" in file path by "to" (same length). */
static void
patch_file(const char *path, const char *from, const char *to)
{
	static char buf[1 << 20];
	FILE *fp = fopen(path, "r+");
	size_t n;
	char *p;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	assert_non_null(p = strstr(buf, from));
	memcpy(p, to, strlen(to));
	assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
	assert_int_equal(fwrite(buf, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void
test_corrupt(void **state)
{
	char dir[64], path[128];
	struct emu *e = NULL;

	(void)state;
	testutil_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/d.json", dir);
	assert_int_equal(emu_open(dir, "d", &e), 0);
	emu_free(e);
	/* Not JSON. */
	patch_file(path, "{", "[");
	assert_int_equal(emu_open(dir, "d", &e), CUSTOS_ERR_CORRUPT);
	patch_file(path, "[", "{");
	assert_int_equal(emu_open(dir, "d", &e), 0);
	emu_free(e);
	/* JSON, but a value out of range. */
	patch_file(path, "\"dkek_left\": 0", "\"dkek_left\": 5");
	assert_int_equal(emu_open(dir, "d", &e), CUSTOS_ERR_CORRUPT);
	patch_file(path, "\"dkek_left\": 5", "\"dkek_left\": 0");
	assert_int_equal(emu_open(dir, "d", &e), 0);
	emu_free(e);
	/* Another format. */
	patch_file(path, "sc-hsm/1", "sc-hsm/9");
	assert_int_equal(emu_open(dir, "d", &e), CUSTOS_ERR_CORRUPT);
	/* Empty. */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(emu_open(dir, "d", &e), CUSTOS_ERR_CORRUPT);
	assert_null(e);
	testutil_rmtree(dir);
}

/* ---- as a card ---- */

static void
test_card(void **state)
{
	const uint8_t aid[] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81,
	    0xC3, 0x1F, 0x02, 0x01 };
	struct apdu sel = { 0x00, 0xA4, 0x04, 0x00, aid, sizeof(aid), 256 };
	struct apdu ch = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 300 };
	char dir[64], path[128];
	struct card *c = NULL;
	uint8_t out[1024];
	size_t n = 0;
	uint16_t sw = 0;

	(void)state;
	testutil_tmpdir(dir);
	assert_int_equal(setenv("CUSTOS_EMU_DIR", dir, 1), 0);
	assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
	assert_int_equal(card_open("emu:cardtest", &c), 0);
	assert_true(card_is_emulated(c));
	assert_non_null(strstr(card_reader(c), "cardtest"));
	snprintf(path, sizeof(path), "%s/cardtest.json", dir);
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(card_transmit(c, &sel, out, sizeof(out), &n, &sw),
	    0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(out[0], 0x62);
	/* Extended Le through the card layer. */
	assert_int_equal(card_transmit(c, &ch, out, sizeof(out), &n, &sw), 0);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(n, 300);
	/* The device is held while open. */
	{
		struct card *c2 = NULL;

		assert_int_equal(emu_card_open("cardtest", &c2),
		    CUSTOS_ERR_BUSY);
		assert_null(c2);
	}
	card_close(c);
	card_close(NULL);

	/* The third APDU finds the card removed, and so does the fourth. */
	assert_int_equal(setenv("CUSTOS_EMU_FAULTS", "remove-at=3", 1), 0);
	assert_int_equal(emu_card_open("cardtest", &c), 0);
	assert_int_equal(card_transmit(c, &sel, out, sizeof(out), &n, &sw),
	    0);
	assert_int_equal(card_transmit(c, &sel, out, sizeof(out), &n, &sw),
	    0);
	assert_int_equal(card_transmit(c, &sel, out, sizeof(out), &n, &sw),
	    CUSTOS_ERR_CARD_REMOVED);
	assert_int_equal(card_transmit(c, &sel, out, sizeof(out), &n, &sw),
	    CUSTOS_ERR_CARD_REMOVED);
	card_close(c);
	assert_int_equal(setenv("CUSTOS_EMU_FAULTS", "remove-at=x", 1), 0);
	assert_int_equal(emu_card_open("cardtest", &c), CUSTOS_ERR_FORMAT);
	assert_int_equal(unsetenv("CUSTOS_EMU_FAULTS"), 0);
	assert_int_equal(unsetenv("CUSTOS_EMU_DIR"), 0);
	testutil_rmtree(dir);
}

static void
test_malformed(void **state)
{
	struct emu *e = dev_new();
	size_t rl = 0;

	(void)state;
	assert_int_equal(emu_process(e, (const uint8_t *)"\x00\xA4", 2, rbuf,
	    sizeof(rbuf), &rl), 0);
	assert_int_equal(rl, 2);
	assert_int_equal((rbuf[0] << 8) | rbuf[1], 0x6700);
	assert_int_equal(tx(e, "00A40400 05 E82B06", NULL, NULL), 0x6700);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "84200081", NULL, NULL), 0x6E00);
	assert_int_equal(tx(e, "00FF0000", NULL, NULL), 0x6D00);
	assert_int_equal(tx(e, "80500000 03 810106", NULL, NULL), 0x6A80);
	assert_int_equal(tx(e, "80500000 02 8105", NULL, NULL), 0x6A80);
	emu_free(e);
}

/* ---- the timing model (issue 18; docs/emulator.md) ---- */

static void
test_timing(void **state)
{
	struct emu *e = dev_ready();
	struct timespec t0, t1;
	struct apdu a;
	long long us;

	(void)state;
	EVP_PKEY_free(keygen(e, 1, GEN_EC));
	EVP_PKEY_free(keygen(e, 2, GEN_RSA));
	memset(&a, 0, sizeof(a));
	/* Every APDU: 5 ms and 86 us a byte on the wire, both ways. */
	assert_int_equal(emu_cost_us(e, NULL, 10, 2, 0x6700), 5000 + 86 * 12);
	/* ECDSA P-256 on a hash: 167 ms (Nitrokey: 360 a minute). */
	a.cla = 0x80; a.ins = 0x68; a.p1 = 1; a.p2 = 0x70; a.nc = 32;
	assert_int_equal(emu_cost_us(e, &a, 40, 74, 0x9000),
	    5000 + 86 * 114 + 167000);
	/* Hashed on the card: 190 us a byte more. */
	a.p2 = 0x73; a.nc = 1000;
	assert_int_equal(emu_cost_us(e, &a, 1009, 74, 0x9000),
	    5000 + 86 * 1083 + 167000 + 190 * 1000);
	/* RSA-2048: 600 ms (100 a minute). */
	a.p1 = 2; a.p2 = 0x40; a.nc = 32;
	assert_int_equal(emu_cost_us(e, &a, 40, 258, 0x9000),
	    5000 + 86 * 298 + 600000);
	/* A refused command costs the transport only. */
	assert_int_equal(emu_cost_us(e, &a, 40, 2, 0x6982), 5000 + 86 * 42);
	/* Key generation: RSA-2048 30 s, EC P-256 6 s. */
	a.cla = 0x00; a.ins = 0x46; a.p1 = 2;
	assert_int_equal(emu_cost_us(e, &a, 0, 0, 0x9000), 5000 + 30000000);
	a.p1 = 1;
	assert_int_equal(emu_cost_us(e, &a, 0, 0, 0x9000), 5000 + 6000000);
	/* UNWRAP: 200 ms and the key's bytes written (EC: 3 x 32). */
	a.cla = 0x80; a.ins = 0x74; a.p1 = 1;
	assert_int_equal(emu_cost_us(e, &a, 0, 0, 0x9000),
	    5000 + 200000 + 47 * 96);
	/* VERIFY with a PIN: 40 ms; its status query: the transport. */
	a.cla = 0x00; a.ins = 0x20; a.nc = 6;
	assert_int_equal(emu_cost_us(e, &a, 0, 0, 0x9000), 5000 + 40000);
	a.nc = 0;
	assert_int_equal(emu_cost_us(e, &a, 0, 0, 0x63C3), 5000);

	/* On, a command really takes at least what the model says. */
	emu_set_timing(e, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec -
	    t0.tv_nsec) / 1000;
	assert_true(us >= 5000 + 86 * 13 + 40000);
	emu_set_timing(e, 0);
	emu_free(e);
}

/* ---- key domains (issue 19; docs/emulator.md, "Key domains") ---- */

/* Sends share into key domain d; the status into st[10]. */
static uint16_t
kd_import(struct emu *e, unsigned d, const uint8_t *share, uint8_t st[10])
{
	uint8_t cmd[5 + 32];
	size_t n = 0;
	uint16_t sw;

	memcpy(cmd, "\x80\x52\x00\x00\x20", 5);
	cmd[3] = (uint8_t)d;
	memcpy(cmd + 5, share, 32);
	sw = txb(e, cmd, sizeof(cmd), rbuf + 32768, &n);
	if (sw == 0x9000) {
		assert_int_equal(n, 10);
		memcpy(st, rbuf + 32768, 10);
	}
	return sw;
}

static void
test_key_domains(void **state)
{
	static uint8_t blob[KEYBLOB_MAX], blob2[KEYBLOB_MAX];
	struct keyblob_info info;
	struct emu *e = NULL;
	uint8_t st[10], x[32], h[32];
	char dir[64];
	size_t n, bl, i;

	(void)state;
	testutil_tmpdir(dir);
	assert_int_equal(emu_open(dir, "kd", &e), 0);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	/* INITIALIZE with 3 key domain slots (tag 97), all empty */
	assert_int_equal(tx(e, "80500000 1F 80020001 8106" PIN "8208" SOPIN
	    "910103 9201 02 970103", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "80520000 00", NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "80520002 00", NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "80520003 00", NULL, NULL), 0x6A86);
	assert_int_equal(tx(e, "80520010 00", NULL, NULL), 0x6B00);
	assert_int_equal(kd_import(e, 1, share1, st), 0x6985);
	/* creating one needs the user PIN; a slot is created once */
	assert_int_equal(tx(e, "80520101 01 02", NULL, NULL), 0x6982);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "80520101 01 02", st, &n), 0x9000);
	assert_int_equal(n, 10);
	assert_int_equal(st[0], 2);
	assert_int_equal(st[1], 2);
	assert_int_equal(tx(e, "80520101 01 02", NULL, NULL), 0x6A86);
	assert_int_equal(tx(e, "80520100 01 01", NULL, NULL), 0x9000);
	/* domain 1: two shares, KCV of their XOR; domain 0: one */
	assert_int_equal(kd_import(e, 1, share1, st), 0x9000);
	assert_int_equal(st[1], 1);
	assert_memory_equal(st + 2, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(kd_import(e, 1, share2, st), 0x9000);
	assert_int_equal(st[1], 0);
	for (i = 0; i < 32; i++)
		x[i] = share1[i] ^ share2[i];
	SHA256(x, 32, h);
	assert_memory_equal(st + 2, h, 8);
	assert_int_equal(kd_import(e, 1, share1, st), 0x6985);
	assert_int_equal(kd_import(e, 0, share1, st), 0x9000);
	SHA256(share1, 32, h);
	assert_memory_equal(st + 2, h, 8);
	/* a key in domain 1 (tag 92) wraps under domain 1's KEK; one in
	   domain 0 under domain 0's; an empty domain makes none */
	EVP_PKEY_free(keygen(e, 1, GEN_EC "920101"));
	EVP_PKEY_free(keygen(e, 2, GEN_EC));
	assert_int_equal(txeh(e, "00460300", GEN_EC "920102", NULL, NULL),
	    0x6A88);
	bl = wrap(e, 1, blob);
	assert_int_equal(keyblob_parse(blob, bl, &info), 0);
	SHA256(x, 32, h);
	assert_memory_equal(info.kcv, h, 8);
	n = wrap(e, 2, blob2);
	assert_int_equal(keyblob_parse(blob2, n, &info), 0);
	SHA256(share1, 32, h);
	assert_memory_equal(info.kcv, h, 8);
	/* unwrap finds the domain by the blob's KCV: the key lands in
	   domain 1 and wraps again under it */
	assert_int_equal(txe(e, "80740593", blob, bl, NULL, NULL), 0x9000);
	n = wrap(e, 5, blob2);
	assert_int_equal(keyblob_parse(blob2, n, &info), 0);
	SHA256(x, 32, h);
	assert_memory_equal(info.kcv, h, 8);
	/* kept across a power cycle and a reload of the state file */
	emu_free(e);
	assert_int_equal(emu_open(dir, "kd", &e), 0);
	assert_int_equal(tx(e, SELECT, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, LOGIN, NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "80520001 00", st, NULL), 0x9000);
	assert_memory_equal(st + 2, info.kcv, 8);
	assert_int_equal(tx(e, "80520002 00", NULL, NULL), 0x6A88);
	n = wrap(e, 5, blob2);
	/* a domain that holds keys is not deleted; empty, it is */
	assert_int_equal(tx(e, "80520301", NULL, NULL), 0x6A89);
	assert_int_equal(tx(e, "00E40200 02 CC01", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "00E40200 02 CC05", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "80520301", NULL, NULL), 0x9000);
	assert_int_equal(tx(e, "80520001 00", NULL, NULL), 0x6A88);
	assert_int_equal(tx(e, "80520302", NULL, NULL), 0x6A86);
	/* clearing domain 0's KEK: its key no longer wraps */
	assert_int_equal(tx(e, "80520400", st, NULL), 0x9000);
	assert_int_equal(st[1], 1);
	assert_int_equal(txe(e, "80720292", NULL, 0, NULL, NULL), 0x6985);
	/* XKEK domains are not emulated */
	assert_int_equal(tx(e, "80520202 01 00", NULL, NULL), 0x6A81);
	emu_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_change_pin),
		cmocka_unit_test(test_reinit),
		cmocka_unit_test(test_dkek),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_ec),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_wrap_needs_dkek),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_delete_key),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_persist),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_card),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_key_domains),
	};

	if (secmem_init() != 0)
		return 1;
	secmem_random(share1, sizeof(share1));
	secmem_random(share2, sizeof(share2));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
