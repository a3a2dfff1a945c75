/*
 * emu.h - the emulated SmartCard-HSM: a real implementation of the
 * card's protocol subset custos and OpenSC use, with real crypto
 * (OpenSSL). One device is one state file, NAME.json, in the emulator
 * directory; every command that changes the device rewrites it
 * atomically before the card answers, as a card's EEPROM would be.
 *
 * emu_process() takes one command APDU and produces one response APDU;
 * it does no I/O besides the state file, so a fuzzer can drive it.
 */
#ifndef CUSTOS_EMU_H
#define CUSTOS_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/err.h"

#define EMU_NAME_MAX 32
/* How an emulated device's serial (its certificate holder) starts:
   country "ZZ" (user-assigned, no real issuer), then "EMU". */
#define EMU_SERIAL_PREFIX "ZZEMU"

struct emu;

/*
 * The emulator directory: $CUSTOS_EMU_DIR, else $XDG_STATE_HOME/custos/
 * emulator, else $HOME/.local/state/custos/emulator. Returns 0 or
 * CUSTOS_ERR_NOT_FOUND (no HOME) / CUSTOS_ERR_TOO_LARGE.
 */
int emu_dir(char *buf, size_t cap) CUSTOS_WUR;

/* Checks a device name: 1-32 of [A-Za-z0-9_-]. */
int emu_name_valid(const char *name);

/*
 * Opens device name in dir (NULL: emu_dir()), creating a factory-fresh
 * device (its own device key and certificate chain, marked as emulated)
 * when it does not exist, and takes an exclusive lock on it until
 * emu_free(). dir NULL and path "" is not allowed. Returns 0,
 * CUSTOS_ERR_BUSY (another process holds the device: e.g. `custos
 * emulator serve`), CUSTOS_ERR_CORRUPT (state file damaged), I/O errors.
 */
int emu_open(const char *dir, const char *name, struct emu **out)
    CUSTOS_WUR;

/*
 * Opens a device that lives only in memory (never saved): for unit tests
 * and fuzzing.
 */
int emu_open_volatile(struct emu **out) CUSTOS_WUR;

/* Frees e (wiping its secrets) and releases the lock; accepts NULL. */
void emu_free(struct emu *e);

/* Power cycle: forgets the verified PIN and the selected application. */
void emu_reset(struct emu *e);

/* The card's answer to reset. */
const uint8_t *emu_atr(size_t *len);

/*
 * Processes one command APDU cmd[0..n) and writes the response APDU (data
 * and status word) to rsp[0..cap), cap >= 65538. A command the card
 * rejects is still a success here: its status word says why. Returns 0,
 * or an error when the state could not be saved (the card then answers
 * 6581 memory failure and the device is unchanged).
 */
int emu_process(struct emu *e, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *rlen) CUSTOS_WUR;

/* The device's name and serial number (the CHR of its certificate). */
const char *emu_name(const struct emu *e);
const char *emu_serial(const struct emu *e);

/* The DKEK's KCV shows as zeros until the user PIN is verified, as on
   devices that report it only after login (fault kcv-after-login=1). */
void emu_set_kcv_after_login(struct emu *e, int on);

/*
 * The timing model: with it on, every command takes at least what a real
 * SmartCard-HSM takes for it (docs/emulator.md, "Timing model"); off by
 * default. emu_open() turns it on when CUSTOS_EMU_TIMING is "sc-hsm"
 * (emu_timing_env()); any other value leaves it off.
 */
void emu_set_timing(struct emu *e, int on);
int emu_timing_env(void);

#endif
