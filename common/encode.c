/* encode.c - hex and base64 over libsodium's constant-time codecs. */
#include <string.h>

#include <sodium.h>

#include "encode.h"

int
encode_hex(char *out, size_t outsz, const void *in, size_t len, int upper)
{
	size_t i;

	if (out == NULL || outsz < 2 * len + 1)
		return CUSTOS_ERR_INVALID_ARG;
	sodium_bin2hex(out, outsz, in, len);
	if (upper) {
		for (i = 0; i < 2 * len; i++)
			if (out[i] >= 'a' && out[i] <= 'f')
				out[i] = (char)(out[i] - 'a' + 'A');
	}
	return CUSTOS_OK;
}

int
decode_hex(void *out, size_t outlen, const char *in, size_t inlen)
{
	size_t got = 0;
	const char *end = NULL;

	if (inlen != 2 * outlen)
		return CUSTOS_ERR_FORMAT;
	if (sodium_hex2bin(out, outlen, in, inlen, NULL, &got, &end) != 0 ||
	    got != outlen || end != in + inlen)
		return CUSTOS_ERR_FORMAT;
	return CUSTOS_OK;
}

size_t
encode_base64_size(size_t len)
{
	return sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
}

int
encode_base64(char *out, size_t outsz, const void *in, size_t len)
{
	if (out == NULL || outsz < encode_base64_size(len))
		return CUSTOS_ERR_INVALID_ARG;
	sodium_bin2base64(out, outsz, in, len, sodium_base64_VARIANT_ORIGINAL);
	return CUSTOS_OK;
}

int
decode_base64(void *out, size_t outmax, size_t *outlen, const char *in,
    size_t inlen)
{
	const char *end = NULL;
	size_t got = 0;

	if (sodium_base642bin(out, outmax, in, inlen, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != in + inlen)
		return CUSTOS_ERR_FORMAT;
	*outlen = got;
	return CUSTOS_OK;
}

void
encode_hex_grouped8(char out[20], const unsigned char in[8])
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < 8; i++) {
		if (i > 0 && i % 2 == 0)
			out[o++] = ' ';
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 0x0f];
	}
	out[o] = '\0';
}

void
encode_group_hex(char *out, size_t outsz, const char *hex)
{
	size_t i, o = 0;

	if (outsz == 0)
		return;
	for (i = 0; hex[i] != '\0' && o + 1 + (i > 0 && i % 4 == 0) < outsz;
	    i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}
