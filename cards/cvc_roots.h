/*
 * cvc_roots.h - the roots a SmartCard-HSM device certificate chain ends
 * in: CardContact's production and test roots (public certificates, as
 * OpenSC ships the first in etc/DESRCACC100001 and CardContact's
 * scripts both), and the emulator's root and device issuer, whose keys
 * are derived from fixed, published seeds: an emulated chain proves
 * nothing, and every emulated device shares them so that one emulated
 * device can check another's chain (docs/emulator.md, "Public key
 * authentication").
 */
#ifndef CUSTOS_CVC_ROOTS_H
#define CUSTOS_CVC_ROOTS_H

#include <openssl/evp.h>

#include "../common/err.h"

#define CVC_EMU_ROOT_CHR	"ZZCUSTOSEMUROOT"
#define CVC_EMU_DICA_CHR	"ZZCUSTOSEMUCA01"

/*
 * The public key of the root whose holder reference is chr, checked
 * against its own signature; *emulated says whether it is the
 * emulator's. Returns 0, CUSTOS_ERR_NOT_FOUND (no such root), or an
 * error.
 */
int cvc_root_key(const char *chr, EVP_PKEY **pub, int *emulated)
    CUSTOS_WUR;

/*
 * The emulator's root (which 0) or device issuer (which 1) key pair,
 * derived from its fixed seed. For the emulator only.
 */
int cvc_emu_ca_key(int which, EVP_PKEY **key) CUSTOS_WUR;

#endif
