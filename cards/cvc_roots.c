/*
 * cvc_roots.c - roots of SmartCard-HSM device certificate chains
 * (cvc_roots.h).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "../common/encode.h"
#include "cvc.h"
#include "cvc_roots.h"

/* CardContact's production root, DESRCACC100001 (brainpoolP256r1): the
   self-signed CV certificate OpenSC ships as etc/DESRCACC100001. */
static const char desrca[] =
    "7f218201b47f4e82016c5f290100420e44455352434143433130303030317f4982"
    "011d060a04007f000702020202038120a9fb57dba1eea9bc3e660a909d838d726e"
    "3bf623d52620282013481d1f6e537782207d5a0975fc2c3057eef67530417affe7"
    "fb8055c126dc5c6ce94a4b44f330b5d9832026dc5c6ce94a4b44f330b5d9bbd77c"
    "bf958416295cf7e1ce6bccdc18ff8c07b68441048bd2aeb9cb7e57cb2c4b482ffc"
    "81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a1461"
    "1dc9c27745132ded8e545c1d54c72f0469978520a9fb57dba1eea9bc3e660a909d"
    "838d718c397aa3b561a6f7901e0e82974856a78641046d025a8026cdba245f10df"
    "1b72e9880fff746dab40a43a3d5c6bebf27707c30f6dea72430ee3287b0665c1ea"
    "a6eaa4fa26c46303001983f82bd1aa31e03da0628701015f200e44455352434143"
    "433130303030317f4c10060b2b0601040181c31f0301015301c05f250601020101"
    "00095f24060302010100085f37409dbb382b1711d2baacb0c623d40c6267d0b52b"
    "a455c01f56333dc9554810b9b2878daf9ec3ada19c7b065d780d6c9c3c2ecedfd7"
    "8deb18af40778adf89e861ca";

/* Seeds of the emulator's keys (SHA-256 of each is the private scalar
   on prime256v1). Published on purpose: an emulated chain is for
   rehearsal only. */
static const char *const emu_seed[2] = {
	"custos emulated SmartCard-HSM root ZZCUSTOSEMUROOT v1",
	"custos emulated SmartCard-HSM device issuer ZZCUSTOSEMUCA01 v1",
};

int
cvc_emu_ca_key(int which, EVP_PKEY **key)
{
	EC_GROUP *g = NULL;
	EC_POINT *q = NULL;
	BIGNUM *d = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t h[32], pub[65];
	int r = CUSTOS_ERR_CRYPTO;

	*key = NULL;
	if (which < 0 || which > 1)
		return CUSTOS_ERR_INVALID_ARG;
	if (EVP_Digest(emu_seed[which], strlen(emu_seed[which]), h, NULL,
	    EVP_sha256(), NULL) != 1 ||
	    (g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (d = BN_bin2bn(h, sizeof(h), NULL)) == NULL ||
	    BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0 ||
	    (q = EC_POINT_new(g)) == NULL ||
	    EC_POINT_mul(g, q, d, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub,
	    sizeof(pub), NULL) != sizeof(pub) ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub)) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, key, EVP_PKEY_KEYPAIR, params) != 1)
		goto out;
	r = 0;
 out:
	OPENSSL_cleanse(h, sizeof(h));
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(q);
	BN_clear_free(d);
	EC_GROUP_free(g);
	return r;
}

int
cvc_root_key(const char *chr, EVP_PKEY **pub, int *emulated)
{
	uint8_t cert[(sizeof(desrca) - 1) / 2];
	size_t n = sizeof(cert);
	EVP_PKEY *self = NULL;
	struct cvc c;
	int r;

	*pub = NULL;
	*emulated = 0;
	if (strcmp(chr, CVC_EMU_ROOT_CHR) == 0) {
		*emulated = 1;
		return cvc_emu_ca_key(0, pub);
	}
	if (strcmp(chr, "DESRCACC100001") != 0)
		return CUSTOS_ERR_NOT_FOUND;
	if (decode_hex(cert, n, desrca, sizeof(desrca) - 1) != 0 ||
	    (r = cvc_parse(cert, n, &c)) != 0)
		return CUSTOS_ERR_CRYPTO;
	/* Self-signed: the key in it checks its own signature. */
	if ((r = cvc_pubkey(c.pub, c.pub_len, NULL, &self)) != 0)
		return r;
	if (strcmp(c.chr, chr) != 0 || cvc_verify(self, c.body, c.body_len,
	    c.sig, c.sig_len) != 0) {
		EVP_PKEY_free(self);
		return CUSTOS_ERR_CRYPTO;
	}
	*pub = self;
	return 0;
}
