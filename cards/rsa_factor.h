/*
 * rsa_factor.h - the primes of an RSA modulus from its private exponent
 * (NIST SP 800-56B rev. 2, appendix C.2): SmartCard-HSM key blobs carry
 * keys above 2048 bits as (d, n, e) only, and custos rebuilds the CRT
 * form so that the key can be stored, exported and used at full speed.
 */
#ifndef CUSTOS_RSA_FACTOR_H
#define CUSTOS_RSA_FACTOR_H

#include <openssl/bn.h>

#include "../common/err.h"

/*
 * Finds p > q with p*q = n from (n, e, d), and the CRT values dp = d mod
 * (p-1), dq = d mod (q-1), qi = q^-1 mod p, into the given (secure)
 * BIGNUMs. Deterministic: the bases tried are 2, 3, 4, ... Returns 0 or
 * CUSTOS_ERR_CORRUPT (d does not belong to n and e), CUSTOS_ERR_NOMEM.
 */
int rsa_factor(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d, BIGNUM *p,
    BIGNUM *q, BIGNUM *dp, BIGNUM *dq, BIGNUM *qi, BN_CTX *ctx) CUSTOS_WUR;

#endif
