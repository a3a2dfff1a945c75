/*
 * encode.h - hex and base64 encodings (constant-time, from libsodium).
 */
#ifndef CUSTOS_ENCODE_H
#define CUSTOS_ENCODE_H

#include <stddef.h>

#include "err.h"

/*
 * Writes 2*len hex digits and a NUL to out (outsz >= 2*len+1).
 * upper selects A-F instead of a-f. Returns 0 or CUSTOS_ERR_INVALID_ARG.
 */
int encode_hex(char *out, size_t outsz, const void *in, size_t len,
    int upper) CUSTOS_WUR;

/*
 * Decodes exactly outlen bytes from the NUL-free hex string in[0..inlen).
 * Accepts both cases, nothing else. Returns 0, or CUSTOS_ERR_FORMAT when
 * in is not exactly 2*outlen hex digits.
 */
int decode_hex(void *out, size_t outlen, const char *in, size_t inlen)
    CUSTOS_WUR;

/* Size of the buffer encode_base64 needs for len bytes, NUL included. */
size_t encode_base64_size(size_t len);

/* Standard base64 with padding, NUL-terminated. Returns 0 or an error. */
int encode_base64(char *out, size_t outsz, const void *in, size_t len)
    CUSTOS_WUR;

/*
 * Decodes standard padded base64 in[0..inlen) into out (at most outmax
 * bytes); *outlen gets the length. Returns 0 or CUSTOS_ERR_FORMAT.
 */
int decode_base64(void *out, size_t outmax, size_t *outlen, const char *in,
    size_t inlen) CUSTOS_WUR;

/*
 * Formats 8 bytes as 16 upper-case hex digits in groups of four separated
 * by spaces ("6668 7AAD F862 BD77"),
 * for reading aloud. out must hold 20 bytes.
 */
void encode_hex_grouped8(char out[20], const unsigned char in[8]);

/*
 * Copies hex into out with a space after every 4 characters but the last
 * ("0123 4567 89ab"); truncates to fit and always NUL-terminates when
 * outsz > 0. 64 hex digits need outsz >= 80.
 */
void encode_group_hex(char *out, size_t outsz, const char *hex);

#endif
