/* sharefile_pbe.c - sc-hsm-tool .pbe DKEK share files. */
#include <string.h>

#include <openssl/evp.h>

#include "../common/secmem.h"
#include "sharefile_pbe.h"

static const unsigned char pbe_magic[8] = "Salted__";

/*
 * EVP_BytesToKey, written out so that one fetched MD5 and one context serve
 * all 30 million rounds: D_i = MD5^n(D_{i-1} | pwd | salt), keyiv = D_1..D_3.
 * Cross-checked against EVP_BytesToKey itself in tests/unit/test_pbe.c.
 */
int
pbe_kdf(unsigned char keyiv[48], const unsigned char salt[PBE_SALT_LEN],
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations)
{
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char d[16];
	unsigned int dlen;
	unsigned long n;
	size_t block;
	int r = CUSTOS_ERR_CRYPTO;

	if (iterations == 0)
		return CUSTOS_ERR_INVALID_ARG;
	if ((md = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	for (block = 0; block < 3; block++) {
		if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
		    (block > 0 && !EVP_DigestUpdate(ctx, d, sizeof(d))) ||
		    !EVP_DigestUpdate(ctx, pwd, pwdlen) ||
		    !EVP_DigestUpdate(ctx, salt, PBE_SALT_LEN) ||
		    !EVP_DigestFinal_ex(ctx, d, &dlen))
			goto out;
		for (n = 1; n < iterations; n++) {
			if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
			    !EVP_DigestUpdate(ctx, d, sizeof(d)) ||
			    !EVP_DigestFinal_ex(ctx, d, &dlen))
				goto out;
		}
		memcpy(keyiv + 16 * block, d, 16);
	}
	r = CUSTOS_OK;
 out:
	secmem_wipe(d, sizeof(d));
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	if (r != CUSTOS_OK)
		secmem_wipe(keyiv, 48);
	return r;
}

int
pbe_seal(unsigned char out[PBE_FILE_LEN], const unsigned char *share,
    const unsigned char salt[PBE_SALT_LEN], const unsigned char *pwd,
    size_t pwdlen, unsigned long iterations)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *keyiv = NULL;
	int n1 = 0, n2 = 0, r;

	if ((keyiv = secmem_alloc(48)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = pbe_kdf(keyiv, salt, pwd, pwdlen, iterations)) != CUSTOS_OK)
		goto out;
	r = CUSTOS_ERR_CRYPTO;
	memcpy(out, pbe_magic, sizeof(pbe_magic));
	memcpy(out + 8, salt, PBE_SALT_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, keyiv,
	    keyiv + 32) ||
	    !EVP_EncryptUpdate(ctx, out + 16, &n1, share, 32) ||
	    !EVP_EncryptFinal_ex(ctx, out + 16 + n1, &n2) || n1 + n2 != 48)
		goto out;
	r = CUSTOS_OK;
 out:
	EVP_CIPHER_CTX_free(ctx);
	secmem_free(keyiv);
	return r;
}

int
pbe_parse(const unsigned char *in, size_t len)
{
	if (len < sizeof(pbe_magic) ||
	    memcmp(in, pbe_magic, sizeof(pbe_magic)) != 0)
		return CUSTOS_ERR_FORMAT;
	if (len < PBE_FILE_LEN)
		return CUSTOS_ERR_TRUNCATED;
	if (len > PBE_FILE_LEN)
		return CUSTOS_ERR_TOO_LARGE;
	return CUSTOS_OK;
}

int
pbe_open(unsigned char *share, const unsigned char *in, size_t len,
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *keyiv = NULL, *plain = NULL;
	int n1 = 0, n2 = 0, r;

	if ((r = pbe_parse(in, len)) != CUSTOS_OK)
		return r;
	keyiv = secmem_alloc(48);
	plain = secmem_alloc(64);
	if (keyiv == NULL || plain == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	if ((r = pbe_kdf(keyiv, in + 8, pwd, pwdlen, iterations)) !=
	    CUSTOS_OK)
		goto out;
	r = CUSTOS_ERR_CRYPTO;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, keyiv,
	    keyiv + 32) ||
	    !EVP_DecryptUpdate(ctx, plain, &n1, in + 16, 48))
		goto out;
	if (!EVP_DecryptFinal_ex(ctx, plain + n1, &n2) || n1 + n2 != 32) {
		r = CUSTOS_ERR_BAD_PASSPHRASE;
		goto out;
	}
	memcpy(share, plain, 32);
	r = CUSTOS_OK;
 out:
	EVP_CIPHER_CTX_free(ctx);
	secmem_free(keyiv);
	secmem_free(plain);
	return r;
}
