/*
 * emu_int.h - the emulated SmartCard-HSM's internals, shared by emu.c
 * (commands, PINs, DKEK, files), emu_state.c (the state file) and
 * emu_keys.c (key pairs, signatures, wrap/unwrap, certificates). Not for
 * use outside the emulator.
 */
#ifndef CUSTOS_EMU_INT_H
#define CUSTOS_EMU_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "emu.h"

#define EMU_MAX_FILES	600
#define EMU_MAX_FILE	((size_t)4096)/* largest EF the emulated card stores */
#define EMU_MAX_KEYS	256
#define EMU_SO_TRIES	15

struct emu_file {
	uint16_t fid;
	size_t len;
	uint8_t *data;
};

struct emu_key {
	EVP_PKEY *pkey;
	int exportable;		/* made with a complete DKEK, or unwrapped */
	uint8_t algs[16];	/* allowed algorithms; none: all */
	size_t nalgs;
	uint8_t domain;		/* its key domain (0: the DKEK's) */
};

/* A key domain: a DKEK of its own, built from its own shares. Slot 0 is
   the device's DKEK (INITIALIZE tag 92) when no key domains were asked
   for (tag 97); docs/emulator.md, "Key domains". */
#define EMU_MAX_KD	16
struct emu_kd {
	int used;		/* created (a slot can be empty) */
	uint8_t total, left;	/* shares, and those still to import */
	uint8_t kek[32];
};

/* Public key authentication (docs/emulator.md, "Public key
   authentication"): a registered key, and a certificate the card checked
   in this session (PSO VERIFY CERTIFICATE). */
#define EMU_MAX_PKA	90
#define EMU_MAX_TRUST	8
struct emu_pka {
	char chr[17];
	EVP_PKEY *pub;		/* NULL: the slot is still empty */
};
struct emu_trust {
	char chr[17];
	EVP_PKEY *pub;
	int depth;		/* 0 a root the card knows, 1 a device
				   issuer, 2 a device */
};

struct emu {
	/* identity */
	char name[EMU_NAME_MAX + 1];
	char serial[17];	/* CHR of the device certificate */
	char path[PATH_MAX];	/* state file; "" for a volatile device */
	int lockfd;
	EVP_PKEY *devkey;	/* device authentication key */

	/* persistent state (secrets live here: the struct is guarded) */
	int initialized;
	uint16_t options;
	uint8_t pin[16];
	size_t pin_len;
	uint8_t pin_max, pin_tries;
	uint8_t so_pin[8];
	uint8_t so_tries;
	uint8_t nkd;		/* key domain slots (tag 97); 0: the DKEK alone */
	struct emu_kd kd[EMU_MAX_KD];
	struct emu_file files[EMU_MAX_FILES];
	size_t nfiles;
	struct emu_key keys[EMU_MAX_KEYS];	/* index = key reference */
	uint8_t pka_total, pka_required;	/* tag 93; 0: no PKA */
	struct emu_pka pka[EMU_MAX_PKA];

	/* session */
	int selected;		/* the applet is selected */
	int pin_ok;		/* user PIN verified since reset/select */
	int kcv_after_login;	/* show the DKEK's KCV only after VERIFY
				   (as some devices do; fault kcv-after-login) */
	uint16_t cur_ef;	/* for READ/UPDATE BINARY with P1P2 = 0 */
	uint8_t pka_ok[EMU_MAX_PKA];	/* authenticated since reset */
	int pka_sel;		/* MSE SET AT: the key to authenticate; -1 */
	uint8_t chal[256];	/* the last challenge, for EXTERNAL AUTH. */
	size_t chal_len;	/* 0: none pending */
	struct emu_trust trust[EMU_MAX_TRUST];	/* checked this session */
	size_t ntrust;
	int trust_sel;		/* MSE SET DST: trust[] index; -1 */
	int timing;		/* charge each command what a real device
				   takes (emu_timing.c) */
};

struct apdu;

/*
 * The timing model (emu_timing.c): what a real SmartCard-HSM takes, in
 * microseconds, for command a (NULL: one it could not parse) of cmdlen
 * bytes answered with rsplen bytes and status sw, after it was done (a
 * key it made or unwrapped is at a->p1).
 */
unsigned long emu_cost_us(const struct emu *e, const struct apdu *a,
    size_t cmdlen, size_t rsplen, uint16_t sw);

/* Key domains (emu_pin.c): whether domain d exists, and has its KEK
   complete. Without key domain slots, domain 0 is the DKEK. */
int emu_kd_exists(const struct emu *e, unsigned d);
int emu_kd_ready(const struct emu *e, unsigned d);
/* The KCV of domain d's KEK (the first 8 bytes of its SHA-256). */
int emu_kd_kcv(const struct emu *e, unsigned d, uint8_t kcv[8]);

struct emu_rsp;

/*
 * Public key authentication (emu_pka.c). emu_user_ok: key use is allowed
 * (user PIN verified, or with PKA the quorum authenticated).
 */
int emu_user_ok(const struct emu *e);
void emu_pka_reset(struct emu *e);	/* session state */
void emu_pka_clear(struct emu *e);	/* registered keys too */
void emu_pka_challenge(struct emu *e, const uint8_t *c, size_t n);
uint16_t emu_cmd_mse(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_pso_verify(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_manage_puk(struct emu *e, const struct apdu *a,
    struct emu_rsp *r);
uint16_t emu_cmd_ext_auth(struct emu *e, const struct apdu *a);

/* File access (emu.c). */
struct emu_file *emu_file_find(struct emu *e, uint16_t fid);
int emu_file_put(struct emu *e, uint16_t fid, const uint8_t *d, size_t n)
    CUSTOS_WUR;
void emu_file_delete(struct emu *e, uint16_t fid);
void emu_wipe_user_data(struct emu *e);

/* State file (emu_state.c). */
int emu_state_save(struct emu *e) CUSTOS_WUR;
int emu_state_load(struct emu *e) CUSTOS_WUR;
void emu_state_clear(struct emu *e);

/* A response under construction. */
struct emu_rsp {
	uint8_t *p;
	size_t len, cap;
};
int emu_rsp_add(struct emu_rsp *r, const void *d, size_t n);

/*
 * Keys and certificates (emu_keys.c). Each returns a status word (9000
 * on success) and appends any response data to r.
 */
int emu_make_device(struct emu *e) CUSTOS_WUR;	/* 0 or error */
uint16_t emu_keygen(struct emu *e, uint8_t ref, const uint8_t *d, size_t n,
    struct emu_rsp *r);
uint16_t emu_sign(struct emu *e, uint8_t ref, uint8_t alg,
    const uint8_t *d, size_t n, struct emu_rsp *r);
uint16_t emu_decipher(struct emu *e, uint8_t ref, uint8_t alg,
    const uint8_t *d, size_t n, struct emu_rsp *r);
uint16_t emu_wrap(struct emu *e, uint8_t ref, struct emu_rsp *r);
uint16_t emu_unwrap(struct emu *e, uint8_t ref, const uint8_t *d, size_t n);
void emu_key_clear(struct emu_key *k);

/* PINs and DKEK shares (emu_pin.c): each returns a status word. */
struct apdu;
uint16_t emu_cmd_verify(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_change(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_reset_retry(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_initialize(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_import_dkek(struct emu *e, const struct apdu *a,
    struct emu_rsp *r);

/* Elementary files (emu_ef.c): each returns a status word. */
uint16_t emu_cmd_read_binary(struct emu *e, const struct apdu *a,
    struct emu_rsp *r);
uint16_t emu_cmd_update_binary(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_delete(struct emu *e, const struct apdu *a);
uint16_t emu_cmd_enumerate(struct emu *e, struct emu_rsp *r);

#endif
