/*
 * emu.c - the emulated SmartCard-HSM: device lifecycle, SELECT and
 * command dispatch. PINs and DKEK shares are in emu_pin.c, elementary
 * files in emu_ef.c, keys in emu_keys.c, the state file in emu_state.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../../common/atomicio.h"
#include "../../common/secmem.h"
#include "../apdu.h"
#include "../tlv.h"
#include "emu_int.h"

/* The SmartCard-HSM application identifier. */
static const uint8_t sc_hsm_aid[] = {
	0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01
};

/* ATR of a SmartCard-HSM (USB token, as OpenSC's driver matches it). */
static const uint8_t emu_atr_bytes[] = {
	0x3B, 0xFE, 0x18, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x31,
	0x81, 0x54, 0x48, 0x53, 0x4D, 0x31, 0x73, 0x80, 0x21, 0x40, 0x81,
	0x07, 0xFA
};

#define EMU_VERSION_MAJOR 3
#define EMU_VERSION_MINOR 5

const uint8_t *
emu_atr(size_t *len)
{
	*len = sizeof(emu_atr_bytes);
	return emu_atr_bytes;
}

int
emu_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > EMU_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

int
emu_dir(char *buf, size_t cap)
{
	const char *d = getenv("CUSTOS_EMU_DIR"), *x, *h;
	int n;

	if (d != NULL && *d != '\0')
		n = snprintf(buf, cap, "%s", d);
	else if ((x = getenv("XDG_STATE_HOME")) != NULL && *x == '/')
		n = snprintf(buf, cap, "%s/custos/emulator", x);
	else if ((h = getenv("HOME")) != NULL && *h == '/')
		n = snprintf(buf, cap, "%s/.local/state/custos/emulator", h);
	else
		return CUSTOS_ERR_NOT_FOUND;
	if (n < 0 || (size_t)n >= cap)
		return CUSTOS_ERR_TOO_LARGE;
	return 0;
}

static struct emu *
emu_alloc(void)
{
	struct emu *e = secmem_alloc(sizeof(*e));

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->lockfd = -1;
	e->pka_sel = e->trust_sel = -1;
	return e;
}

int
emu_open(const char *dir, const char *name, struct emu **out)
{
	char d[PATH_MAX], lock[PATH_MAX + 8];
	struct emu *e = NULL;
	struct stat st;
	int r;

	*out = NULL;
	if (!emu_name_valid(name))
		return CUSTOS_ERR_INVALID_ARG;
	if (dir == NULL) {
		if ((r = emu_dir(d, sizeof(d))) != 0)
			return r;
	} else if (snprintf(d, sizeof(d), "%s", dir) >= (int)sizeof(d))
		return CUSTOS_ERR_TOO_LARGE;
	if ((r = atomicio_mkdirs(d)) != 0)
		return r;
	if ((e = emu_alloc()) == NULL)
		return CUSTOS_ERR_NOMEM;
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (snprintf(e->path, sizeof(e->path), "%s/%s.json", d, name) >=
	    (int)sizeof(e->path)) {
		r = CUSTOS_ERR_TOO_LARGE;
		goto out;
	}
	snprintf(lock, sizeof(lock), "%s/%s.lock", d, name);
	e->lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (e->lockfd < 0) {
		r = custos_err_from_errno(errno);
		goto out;
	}
	if (flock(e->lockfd, LOCK_EX | LOCK_NB) != 0) {
		r = errno == EWOULDBLOCK ? CUSTOS_ERR_BUSY :
		    custos_err_from_errno(errno);
		goto out;
	}
	if (lstat(e->path, &st) == 0)
		r = emu_state_load(e);
	else if (errno == ENOENT) {
		if ((r = emu_make_device(e)) == 0)
			r = emu_state_save(e);
	} else
		r = custos_err_from_errno(errno);
	if (r != 0)
		goto out;
	e->timing = emu_timing_env();
	*out = e;
	e = NULL;
 out:
	emu_free(e);
	return r;
}

int
emu_open_volatile(struct emu **out)
{
	struct emu *e;
	int r;

	*out = NULL;
	if ((e = emu_alloc()) == NULL)
		return CUSTOS_ERR_NOMEM;
	snprintf(e->name, sizeof(e->name), "volatile");
	if ((r = emu_make_device(e)) != 0) {
		emu_free(e);
		return r;
	}
	*out = e;
	return 0;
}

void
emu_free(struct emu *e)
{
	if (e == NULL)
		return;
	emu_state_clear(e);
	if (e->lockfd >= 0)
		close(e->lockfd);	/* releases the flock */
	secmem_free(e);
}

void
emu_reset(struct emu *e)
{
	e->selected = 0;
	e->pin_ok = 0;
	e->cur_ef = 0;
	emu_pka_reset(e);
}

void
emu_set_kcv_after_login(struct emu *e, int on)
{
	e->kcv_after_login = on;
}

const char *
emu_name(const struct emu *e)
{
	return e->name;
}

const char *
emu_serial(const struct emu *e)
{
	return e->serial;
}

/* ---- files ---- */

struct emu_file *
emu_file_find(struct emu *e, uint16_t fid)
{
	size_t i;

	for (i = 0; i < e->nfiles; i++)
		if (e->files[i].fid == fid)
			return &e->files[i];
	return NULL;
}

int
emu_file_put(struct emu *e, uint16_t fid, const uint8_t *d, size_t n)
{
	struct emu_file *f = emu_file_find(e, fid);
	uint8_t *p;

	if (n > EMU_MAX_FILE)
		return CUSTOS_ERR_TOO_LARGE;
	if (f == NULL) {
		if (e->nfiles == EMU_MAX_FILES)
			return CUSTOS_ERR_TOO_LARGE;
		f = &e->files[e->nfiles++];
		f->fid = fid;
		f->data = NULL;
		f->len = 0;
	}
	if ((p = malloc(n ? n : 1)) == NULL)
		return CUSTOS_ERR_NOMEM;
	if (n)
		memcpy(p, d, n);
	free(f->data);
	f->data = p;
	f->len = n;
	return 0;
}

void
emu_file_delete(struct emu *e, uint16_t fid)
{
	struct emu_file *f = emu_file_find(e, fid);

	if (f == NULL)
		return;
	free(f->data);
	*f = e->files[--e->nfiles];
}

/* Deletes every key and every file but the device certificate. */
void
emu_wipe_user_data(struct emu *e)
{
	size_t i;

	for (i = 0; i < EMU_MAX_KEYS; i++)
		emu_key_clear(&e->keys[i]);
	emu_pka_clear(e);
	for (i = 0; i < e->nfiles;) {
		if (e->files[i].fid == 0x2F02)
			i++;
		else
			emu_file_delete(e, e->files[i].fid);
	}
}

int
emu_rsp_add(struct emu_rsp *r, const void *d, size_t n)
{
	if (n > r->cap - r->len)
		return CUSTOS_ERR_TOO_LARGE;
	memcpy(r->p + r->len, d, n);
	r->len += n;
	return 0;
}

/* ---- commands ---- */

static uint16_t
cmd_select(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	const struct emu_file *f;
	struct tlv_buf b;
	size_t m, k;
	uint16_t fid;
	uint8_t v[5];

	if (a->p1 == 0x04) {
		if (a->nc != sizeof(sc_hsm_aid) ||
		    memcmp(a->data, sc_hsm_aid, sizeof(sc_hsm_aid)) != 0)
			return SW_FILE_NOT_FOUND;
		emu_reset(e);
		e->selected = 1;
		if (a->p2 == 0x0C)
			return SW_OK;
		tlv_init(&b);
		m = tlv_begin(&b, 0x62);
		tlv_put_u8(&b, 0x82, 0x38);
		v[0] = (uint8_t)(e->options >> 8);
		v[1] = (uint8_t)e->options;
		v[2] = 0xFF;
		v[3] = EMU_VERSION_MAJOR;
		v[4] = EMU_VERSION_MINOR;
		tlv_put(&b, 0x85, v, 5);
		tlv_end(&b, m);
		k = tlv_error(&b) == 0 && emu_rsp_add(r, b.p, b.len) == 0;
		tlv_free(&b);
		return k ? SW_OK : SW_UNKNOWN;
	}
	/* By file identifier only (P1 00 or 02); paths are not kept. */
	if (!e->selected || (a->p1 != 0x00 && a->p1 != 0x02) || a->nc != 2)
		return SW_FILE_NOT_FOUND;
	fid = (uint16_t)((a->data[0] << 8) | a->data[1]);
	f = emu_file_find(e, fid);
	if (f == NULL && !((fid >> 8) == 0xCC &&
	    (e->keys[fid & 0xff].pkey != NULL || fid == 0xCC00)))
		return SW_FILE_NOT_FOUND;
	e->cur_ef = fid;
	if (a->p2 == 0x0C)
		return SW_OK;
	/* FCP: size, "transparent EF", identifier. */
	tlv_init(&b);
	m = tlv_begin(&b, 0x62);
	v[0] = (uint8_t)((f ? f->len : 0) >> 8);
	v[1] = (uint8_t)(f ? f->len : 0);
	tlv_put(&b, 0x80, v, 2);
	tlv_put_u8(&b, 0x82, 0x01);
	v[0] = (uint8_t)(fid >> 8);
	v[1] = (uint8_t)fid;
	tlv_put(&b, 0x83, v, 2);
	tlv_end(&b, m);
	k = tlv_error(&b) == 0 && emu_rsp_add(r, b.p, b.len) == 0;
	tlv_free(&b);
	return k ? SW_OK : SW_UNKNOWN;
}

static uint16_t
cmd_challenge(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	uint8_t buf[1024];

	if (a->ne == 0 || a->ne > sizeof(buf))
		return SW_WRONG_LENGTH;
	secmem_random(buf, a->ne);
	if (e->selected)	/* for EXTERNAL AUTHENTICATE */
		emu_pka_challenge(e, buf, a->ne);
	return emu_rsp_add(r, buf, a->ne) == 0 ? SW_OK : SW_UNKNOWN;
}

/* Parses "54 02 off" (+ "53 L data") of READ/UPDATE BINARY (odd INS). */
/* Does this command change what is saved in the state file? */
static int
mutates(const struct apdu *a)
{
	switch (a->ins) {
	case 0x20: case 0x24: case 0x2C: case 0x50: case 0x52: case 0x46:
	case 0xD7: case 0xE4: case 0x74: case 0x54:
		return 1;
	}
	return 0;
}

static uint16_t
dispatch(struct emu *e, const struct apdu *a, struct emu_rsp *r)
{
	if (e->devkey == NULL)
		return SW_MEMORY_FAILURE;	/* state lost: a dead device */
	if (a->ins == 0xA4 && (a->cla & 0x80) == 0)
		return cmd_select(e, a, r);
	if (!e->selected)
		return a->ins == 0x84 && a->cla == 0x00 ? cmd_challenge(e, a, r) :
		    SW_INS_NOT_SUPP;
	if (a->cla == 0x00) {
		switch (a->ins) {
		case 0x20: return emu_cmd_verify(e, a);
		case 0x24: return emu_cmd_change(e, a);
		case 0x2C: return emu_cmd_reset_retry(e, a);
		case 0x22: return emu_cmd_mse(e, a);
		case 0x2A: return emu_cmd_pso_verify(e, a);
		case 0x46:
			if (!emu_user_ok(e))
				return SW_SECURITY;
			return emu_keygen(e, a->p1, a->data, a->nc, r);
		case 0x82: return emu_cmd_ext_auth(e, a);
		case 0x84: return cmd_challenge(e, a, r);
		case 0xB0: case 0xB1: return emu_cmd_read_binary(e, a, r);
		case 0xD6: case 0xD7: return emu_cmd_update_binary(e, a);
		case 0xE4: return emu_cmd_delete(e, a);
		}
		return SW_INS_NOT_SUPP;
	}
	if (a->cla != 0x80)
		return SW_CLA_NOT_SUPP;
	switch (a->ins) {
	case 0x50: return emu_cmd_initialize(e, a);
	case 0x52: return emu_cmd_import_dkek(e, a, r);
	case 0x54: return emu_cmd_manage_puk(e, a, r);
	case 0x58:
		if (a->p1 != 0 || a->p2 != 0)
			return SW_WRONG_P1P2;
		return emu_cmd_enumerate(e, r);
	case 0x62:
		if (!emu_user_ok(e))
			return SW_SECURITY;
		return emu_decipher(e, a->p1, a->p2, a->data, a->nc, r);
	case 0x68:
		if (!emu_user_ok(e))
			return SW_SECURITY;
		return emu_sign(e, a->p1, a->p2, a->data, a->nc, r);
	case 0x72:
		if (!emu_user_ok(e))
			return SW_SECURITY;
		if (a->p2 != 0x92)
			return SW_WRONG_P1P2;
		return emu_wrap(e, a->p1, r);
	case 0x74: {
		const struct emu_file *f;

		if (!emu_user_ok(e))
			return SW_SECURITY;
		if (a->p2 != 0x93)
			return SW_WRONG_P1P2;
		if (a->nc > 0)
			return emu_unwrap(e, a->p1, a->data, a->nc);
		/* OpenSC >= 0.24: the blob was staged in EF 2F10. */
		if ((f = emu_file_find(e, 0x2F10)) == NULL)
			return SW_WRONG_DATA;
		{
			uint16_t sw = emu_unwrap(e, a->p1, f->data, f->len);

			emu_file_delete(e, 0x2F10);
			return sw;
		}
	}
	}
	return SW_INS_NOT_SUPP;
}

/* Sleeps until cost microseconds have passed since t0. */
static void
charge(const struct timespec *t0, unsigned long cost)
{
	struct timespec now, until;
	long long ns = (long long)cost * 1000LL;

	until.tv_sec = t0->tv_sec + (time_t)(ns / 1000000000LL);
	until.tv_nsec = t0->tv_nsec + (long)(ns % 1000000000LL);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
	    now.tv_nsec >= until.tv_nsec))
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL)
	    != 0)
		;
}

int
emu_process(struct emu *e, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *rlen)
{
	struct emu_rsp r = { rsp, 0, cap - 2 };
	struct timespec t0;
	struct apdu a;
	uint16_t sw;
	int ext, parsed, err = 0;

	*rlen = 0;
	if (cap < 2)
		return CUSTOS_ERR_INVALID_ARG;
	if (e->timing)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((parsed = apdu_decode(cmd, n, &a, &ext) == 0) == 0)
		sw = SW_WRONG_LENGTH;
	else
		sw = dispatch(e, &a, &r);
	if ((sw & 0xff00) != 0x9000 && (sw & 0xff00) != 0x6100 &&
	    sw != 0x6282)
		r.len = 0;
	if (e->path[0] != '\0' && apdu_decode(cmd, n, &a, &ext) == 0 &&
	    mutates(&a)) {
		if ((err = emu_state_save(e)) != 0) {
			/* The write failed: the device keeps its old state. */
			emu_state_clear(e);
			if (emu_state_load(e) != 0)
				emu_state_clear(e);
			emu_reset(e);
			r.len = 0;
			sw = SW_MEMORY_FAILURE;
		}
	}
	rsp[r.len] = (uint8_t)(sw >> 8);
	rsp[r.len + 1] = (uint8_t)sw;
	*rlen = r.len + 2;
	if (e->timing)
		charge(&t0, emu_cost_us(e, parsed ? &a : NULL, n, *rlen, sw));
	return err;
}
