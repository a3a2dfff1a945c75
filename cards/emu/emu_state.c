/*
 * emu_state.c - the emulated device's state file: JSON (jansson), one
 * object, written atomically with mode 0600. It holds the emulated card's
 * secrets (PINs, DKEK, private keys) in clear, as the card's own memory
 * would: an emulated device is for rehearsal only.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../../common/atomicio.h"
#include "../../common/encode.h"
#include "../../common/secmem.h"
#include "emu_int.h"

#define STATE_FORMAT "custos-emulated-sc-hsm/1"
#define STATE_MAX ((size_t)8 * 1024 * 1024)

void
emu_key_clear(struct emu_key *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

void
emu_state_clear(struct emu *e)
{
	size_t i;

	for (i = 0; i < EMU_MAX_KEYS; i++)
		emu_key_clear(&e->keys[i]);
	for (i = 0; i < e->nfiles; i++)
		free(e->files[i].data);
	e->nfiles = 0;
	EVP_PKEY_free(e->devkey);
	e->devkey = NULL;
	e->initialized = 0;
	e->options = 0;
	secmem_wipe(e->pin, sizeof(e->pin));
	secmem_wipe(e->so_pin, sizeof(e->so_pin));
	secmem_wipe(e->kd, sizeof(e->kd));
	e->nkd = 0;
	emu_pka_clear(e);
	e->pin_len = 0;
	e->pin_max = e->pin_tries = e->so_tries = 0;
}

/* Hex of b[0..n) as a new JSON string (NULL on failure). */
static json_t *
hexval(const uint8_t *b, size_t n)
{
	char *h = malloc(2 * n + 1);
	json_t *j;

	if (h == NULL)
		return NULL;
	if (encode_hex(h, 2 * n + 1, b, n, 1) != 0) {
		free(h);
		return NULL;
	}
	j = json_string(h);
	secmem_wipe(h, 2 * n + 1);
	free(h);
	return j;
}

static int
set(json_t *o, const char *k, json_t *v)
{
	return v != NULL && json_object_set_new(o, k, v) == 0 ? 0 :
	    CUSTOS_ERR_NOMEM;
}

static json_t *
pkey_hex(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	json_t *j;
	int n = i2d_PrivateKey(k, &der);

	if (n <= 0)
		return NULL;
	j = hexval(der, (size_t)n);
	secmem_wipe(der, (size_t)n);
	OPENSSL_free(der);
	return j;
}

static json_t *
pub_hex(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	json_t *j;
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		return NULL;
	j = hexval(der, (size_t)n);
	OPENSSL_free(der);
	return j;
}

/*
 * Public key authentication (tag 93): "pka" {"total", "required",
 * "keys": [{"chr", "pub" (SubjectPublicKeyInfo)} or null when the slot
 * is empty]}. A file without it is a device without PKA.
 */
static int
save_pka(const struct emu *e, json_t *o)
{
	json_t *p, *a, *k;
	unsigned i;

	if (e->pka_total == 0)
		return 0;
	if ((p = json_object()) == NULL || set(o, "pka", p) ||
	    set(p, "total", json_integer(e->pka_total)) ||
	    set(p, "required", json_integer(e->pka_required)) ||
	    (a = json_array()) == NULL || set(p, "keys", a))
		return CUSTOS_ERR_NOMEM;
	for (i = 0; i < e->pka_total; i++) {
		if (e->pka[i].pub == NULL) {
			if (json_array_append_new(a, json_null()) != 0)
				return CUSTOS_ERR_NOMEM;
			continue;
		}
		if ((k = json_object()) == NULL ||
		    json_array_append_new(a, k) != 0 ||
		    set(k, "chr", json_string(e->pka[i].chr)) ||
		    set(k, "pub", pub_hex(e->pka[i].pub)))
			return CUSTOS_ERR_NOMEM;
	}
	return 0;
}

/*
 * Key domains (tag 97): "key_domains" the number of slots, "domains" the
 * slots after the first ({"total", "left", "kek"}, or null when empty);
 * slot 0 stays in dkek_total/dkek_left/dkek, its use in "domain0". A
 * file without them is a device without key domains, as before.
 */
static int
save_domains(const struct emu *e, json_t *o)
{
	json_t *a, *d;
	size_t i;

	if (e->nkd == 0)
		return 0;
	if ((a = json_array()) == NULL || set(o, "domains", a) ||
	    set(o, "key_domains", json_integer(e->nkd)) ||
	    set(o, "domain0", json_boolean(e->kd[0].used)))
		return -1;
	for (i = 1; i < e->nkd; i++) {
		if (!e->kd[i].used) {
			if (json_array_append_new(a, json_null()) != 0)
				return -1;
			continue;
		}
		if ((d = json_object()) == NULL ||
		    json_array_append_new(a, d) != 0 ||
		    set(d, "total", json_integer(e->kd[i].total)) ||
		    set(d, "left", json_integer(e->kd[i].left)) ||
		    set(d, "kek", hexval(e->kd[i].kek, 32)))
			return -1;
	}
	return 0;
}

int
emu_state_save(struct emu *e)
{
	json_t *o = json_object(), *files = json_object(), *keys =
	    json_object(), *k;
	char *text = NULL, id[8];
	size_t i;
	int r = CUSTOS_ERR_NOMEM;

	if (o == NULL || files == NULL || keys == NULL)
		goto out;
	if (set(o, "format", json_string(STATE_FORMAT)) ||
	    set(o, "name", json_string(e->name)) ||
	    set(o, "serial", json_string(e->serial)) ||
	    set(o, "device_key", pkey_hex(e->devkey)) ||
	    set(o, "initialized", json_boolean(e->initialized)) ||
	    set(o, "options", json_integer(e->options)) ||
	    set(o, "pin", hexval(e->pin, e->pin_len)) ||
	    set(o, "pin_max", json_integer(e->pin_max)) ||
	    set(o, "pin_tries", json_integer(e->pin_tries)) ||
	    set(o, "so_pin", hexval(e->so_pin, 8)) ||
	    set(o, "so_tries", json_integer(e->so_tries)) ||
	    set(o, "dkek_total", json_integer(e->kd[0].total)) ||
	    set(o, "dkek_left", json_integer(e->kd[0].left)) ||
	    set(o, "dkek", hexval(e->kd[0].kek, 32)) ||
	    save_domains(e, o) || save_pka(e, o))
		goto out;
	for (i = 0; i < e->nfiles; i++) {
		snprintf(id, sizeof(id), "%04X", e->files[i].fid);
		if (set(files, id, hexval(e->files[i].data, e->files[i].len)))
			goto out;
	}
	for (i = 1; i < EMU_MAX_KEYS; i++) {
		if (e->keys[i].pkey == NULL)
			continue;
		snprintf(id, sizeof(id), "%zu", i);
		if ((k = json_object()) == NULL ||
		    json_object_set_new(keys, id, k) != 0 ||
		    set(k, "der", pkey_hex(e->keys[i].pkey)) ||
		    set(k, "exportable", json_boolean(e->keys[i].exportable)) ||
		    set(k, "algorithms", hexval(e->keys[i].algs,
		    e->keys[i].nalgs)) ||
		    (e->keys[i].domain != 0 && set(k, "domain",
		    json_integer(e->keys[i].domain))))
			goto out;
	}
	if (json_object_set(o, "files", files) != 0 ||
	    json_object_set(o, "keys", keys) != 0)
		goto out;
	if ((text = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL)
		goto out;
	r = atomicio_replace(e->path, text, strlen(text));
 out:
	if (text != NULL) {
		secmem_wipe(text, strlen(text));
		free(text);
	}
	json_decref(files);
	json_decref(keys);
	json_decref(o);
	return r;
}

/* Decodes hex member k of o into b (at most cap bytes). */
static int
gethex(json_t *o, const char *k, uint8_t *b, size_t cap, size_t *n)
{
	const char *s = json_string_value(json_object_get(o, k));
	size_t sl;

	if (s == NULL)
		return CUSTOS_ERR_CORRUPT;
	sl = strlen(s);
	if (sl % 2 != 0 || sl / 2 > cap)
		return CUSTOS_ERR_CORRUPT;
	*n = sl / 2;
	return decode_hex(b, *n, s, sl) == 0 ? 0 : CUSTOS_ERR_CORRUPT;
}

static int
getint(json_t *o, const char *k, long min, long max, long *v)
{
	json_t *j = json_object_get(o, k);

	if (!json_is_integer(j))
		return CUSTOS_ERR_CORRUPT;
	*v = (long)json_integer_value(j);
	return *v < min || *v > max ? CUSTOS_ERR_CORRUPT : 0;
}

static int
getpkey(json_t *o, const char *k, EVP_PKEY **pk)
{
	uint8_t *der = secmem_alloc(EMU_MAX_FILE * 2);
	const unsigned char *p = der;
	size_t n = 0;
	int r;

	*pk = NULL;
	if (der == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = gethex(o, k, der, EMU_MAX_FILE * 2, &n)) == 0 &&
	    (*pk = d2i_AutoPrivateKey(NULL, &p, (long)n)) == NULL)
		r = CUSTOS_ERR_CORRUPT;
	secmem_free(der);
	return r;
}

static int
load_pka(struct emu *e, json_t *o)
{
	json_t *p = json_object_get(o, "pka"), *a, *k;
	const unsigned char *q;
	const char *chr;
	uint8_t der[600];
	size_t i, n;
	long x;

	if (p == NULL)
		return 0;
	a = json_object_get(p, "keys");
	if (getint(p, "total", 1, EMU_MAX_PKA, &x) || !json_is_array(a) ||
	    json_array_size(a) != (size_t)x)
		return CUSTOS_ERR_CORRUPT;
	e->pka_total = (uint8_t)x;
	if (getint(p, "required", 1, e->pka_total, &x))
		return CUSTOS_ERR_CORRUPT;
	e->pka_required = (uint8_t)x;
	json_array_foreach(a, i, k) {
		if (json_is_null(k))
			continue;
		chr = json_string_value(json_object_get(k, "chr"));
		if (chr == NULL || strlen(chr) < 1 || strlen(chr) > 16 ||
		    gethex(k, "pub", der, sizeof(der), &n) != 0)
			return CUSTOS_ERR_CORRUPT;
		q = der;
		if ((e->pka[i].pub = d2i_PUBKEY(NULL, &q, (long)n)) == NULL)
			return CUSTOS_ERR_CORRUPT;
		snprintf(e->pka[i].chr, sizeof(e->pka[i].chr), "%s", chr);
	}
	return 0;
}

static int
load_domains(struct emu *e, json_t *o)
{
	json_t *a = json_object_get(o, "domains"), *d;
	size_t i, n;
	long x;

	if (json_object_get(o, "key_domains") == NULL)
		return a == NULL ? 0 : -1;
	if (getint(o, "key_domains", 1, EMU_MAX_KD, &x) || !json_is_array(a) ||
	    json_array_size(a) != (size_t)x - 1)
		return -1;
	e->nkd = (uint8_t)x;
	e->kd[0].used = json_is_true(json_object_get(o, "domain0"));
	json_array_foreach(a, i, d) {
		struct emu_kd *k = &e->kd[i + 1];

		if (json_is_null(d))
			continue;
		if (!json_is_object(d) || getint(d, "total", 1, 255, &x))
			return -1;
		k->total = (uint8_t)x;
		if (getint(d, "left", 0, k->total, &x))
			return -1;
		k->left = (uint8_t)x;
		if (gethex(d, "kek", k->kek, 32, &n) || n != 32)
			return -1;
		k->used = 1;
	}
	return 0;
}

int
emu_state_load(struct emu *e)
{
	uint8_t *buf = NULL, *tmp = NULL;
	size_t len = 0, n;
	json_t *o = NULL, *v;
	json_error_t jerr;
	const char *key, *s;
	long x;
	int r;

	emu_state_clear(e);
	if ((r = atomicio_read(e->path, STATE_MAX, 1, &buf, &len)) != 0)
		return r;
	r = CUSTOS_ERR_CORRUPT;
	if ((o = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL || !json_is_object(o))
		goto out;
	s = json_string_value(json_object_get(o, "format"));
	if (s == NULL || strcmp(s, STATE_FORMAT) != 0)
		goto out;
	s = json_string_value(json_object_get(o, "serial"));
	if (s == NULL || strlen(s) >= sizeof(e->serial))
		goto out;
	snprintf(e->serial, sizeof(e->serial), "%s", s);
	if ((r = getpkey(o, "device_key", &e->devkey)) != 0)
		goto out;
	r = CUSTOS_ERR_CORRUPT;
	e->initialized = json_is_true(json_object_get(o, "initialized"));
	if (getint(o, "options", 0, 0xffff, &x)) goto out;
	e->options = (uint16_t)x;
	if (gethex(o, "pin", e->pin, sizeof(e->pin), &e->pin_len)) goto out;
	if (getint(o, "pin_max", 0, 15, &x)) goto out;
	e->pin_max = (uint8_t)x;
	if (getint(o, "pin_tries", 0, 15, &x)) goto out;
	e->pin_tries = (uint8_t)x;
	if (gethex(o, "so_pin", e->so_pin, 8, &n) || n != 8) goto out;
	if (getint(o, "so_tries", 0, EMU_SO_TRIES, &x)) goto out;
	e->so_tries = (uint8_t)x;
	if (getint(o, "dkek_total", 0, 255, &x)) goto out;
	e->kd[0].total = (uint8_t)x;
	if (getint(o, "dkek_left", 0, e->kd[0].total, &x)) goto out;
	e->kd[0].left = (uint8_t)x;
	if (gethex(o, "dkek", e->kd[0].kek, 32, &n) || n != 32) goto out;
	if (load_domains(e, o) != 0) goto out;
	if (load_pka(e, o) != 0) goto out;
	if (e->initialized && ((e->pin_len < 6 && !(e->pin_len == 0 &&
	    e->pka_total > 0)) || e->pin_max < 1 ||
	    e->pin_max > 10 || e->pin_tries > e->pin_max))
		goto out;
	if (!json_is_object(json_object_get(o, "files")) ||
	    !json_is_object(json_object_get(o, "keys")))
		goto out;
	if ((tmp = malloc(EMU_MAX_FILE)) == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	json_object_foreach(json_object_get(o, "files"), key, v) {
		unsigned long fid;
		char *end;

		fid = strtoul(key, &end, 16);
		if (strlen(key) != 4 || *end != '\0' || fid == 0)
			goto out;
		if (gethex(json_object_get(o, "files"), key, tmp,
		    EMU_MAX_FILE, &n) != 0 ||
		    emu_file_put(e, (uint16_t)fid, tmp, n) != 0)
			goto out;
	}
	json_object_foreach(json_object_get(o, "keys"), key, v) {
		char *end;
		unsigned long ref = strtoul(key, &end, 10);
		struct emu_key *k;

		if (*end != '\0' || ref == 0 || ref >= EMU_MAX_KEYS ||
		    !json_is_object(v))
			goto out;
		k = &e->keys[ref];
		if (getpkey(v, "der", &k->pkey) != 0)
			goto out;
		k->exportable = json_is_true(json_object_get(v,
		    "exportable"));
		if (gethex(v, "algorithms", k->algs, sizeof(k->algs),
		    &k->nalgs) != 0)
			goto out;
		if (json_object_get(v, "domain") != NULL) {
			if (getint(v, "domain", 0, EMU_MAX_KD - 1, &x) ||
			    (x > 0 && x >= e->nkd))
				goto out;
			k->domain = (uint8_t)x;
		}
	}
	if (emu_file_find(e, 0x2F02) == NULL)
		goto out;	/* no device certificate: not a device */
	r = 0;
 out:
	free(tmp);
	json_decref(o);
	atomicio_free_buf(buf, len, 1);
	if (r != 0)
		emu_state_clear(e);
	return r;
}
