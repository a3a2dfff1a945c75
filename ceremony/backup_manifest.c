/* backup_manifest.c - the manifest of a backup set, strict JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../common/utctime.h"
#include "backup_manifest.h"

void
backup_key_file(char out[32], int ref)
{
	snprintf(out, 32, "key-%03d.wrap", ref);
}

/* Lower- or upper-case hex of exactly n digits. */
static int
is_hex(const char *s, size_t n, int upper)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= '0' && ch <= '9') || (!upper && ch >= 'a' &&
		    ch <= 'f') || (upper && ch >= 'A' && ch <= 'F')))
			return 0;
	}
	return 1;
}

/* Printable text of at most max bytes (UTF-8 passes; controls do not). */
static int
is_text(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static json_t *
key_json(const struct backup_key *k)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ref",
	    k->ref, "label", k->label, "id", k->id, "kind", k->kind,
	    "pubkey_sha256", k->pubkey_sha256, "pubkey", k->pubkey, "file",
	    k->file, "file_sha256", k->file_sha256);
}

int
backup_manifest_dump(const struct backup_manifest *m, char **out,
    size_t *len)
{
	json_t *root = NULL, *keys, *skipped, *o;
	char *s = NULL;
	size_t i;
	int r = CUSTOS_ERR_NOMEM;

	*out = NULL;
	*len = 0;
	if (m->nkeys > BACKUP_MAX_KEYS || m->nskipped > BACKUP_MAX_KEYS ||
	    !is_hex(m->kcv, 16, 1) || m->domain < -1 || m->domain > 255)
		return CUSTOS_ERR_INVALID_ARG;
	if ((root = json_pack("{s:s, s:s, s:{s:s, s:s, s:b}, s:s}", "format",
	    BACKUP_FORMAT, "created", m->created, "device", "serial",
	    m->serial, "reader", m->reader, "emulated", m->emulated, "kcv",
	    m->kcv)) == NULL)
		goto out;
	if (m->domain >= 0 && json_object_set_new(root, "domain",
	    json_integer(m->domain)) != 0)
		goto out;
	if ((keys = json_array()) == NULL || json_object_set_new(root, "keys",
	    keys) != 0 || (skipped = json_array()) == NULL ||
	    json_object_set_new(root, "not_exportable", skipped) != 0)
		goto out;
	for (i = 0; i < m->nkeys; i++)
		if ((o = key_json(&m->keys[i])) == NULL ||
		    json_array_append_new(keys, o) != 0)
			goto out;
	for (i = 0; i < m->nskipped; i++) {
		const struct backup_skipped *k = &m->skipped[i];

		if ((o = json_pack("{s:i, s:s, s:s, s:s}", "ref", k->ref,
		    "label", k->label, "kind", k->kind, "reason",
		    k->reason)) == NULL || json_array_append_new(skipped, o) != 0)
			goto out;
	}
	if ((s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII)) == NULL)
		goto out;
	*len = strlen(s) + 1;
	if ((*out = malloc(*len + 1)) == NULL) {
		*len = 0;
		goto out;
	}
	memcpy(*out, s, *len - 1);
	(*out)[*len - 1] = '\n';
	(*out)[*len] = '\0';
	r = 0;
 out:
	free(s);
	json_decref(root);
	return r;
}

/* Copies string member name of o into dst (cap bytes) if it is text. */
static int
get_str(json_t *o, const char *name, char *dst, size_t cap)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_string(v) || json_string_length(v) >= cap ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    !is_text(json_string_value(v), cap - 1))
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
get_ref(json_t *o, int *ref)
{
	json_t *v = json_object_get(o, "ref");

	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 255)
		return -1;
	*ref = (int)json_integer_value(v);
	return 0;
}

static int
parse_key(json_t *o, struct backup_key *k)
{
	char want[32];

	if (!json_is_object(o) || json_object_size(o) != 8 ||
	    get_ref(o, &k->ref) != 0 ||
	    get_str(o, "label", k->label, sizeof(k->label)) != 0 ||
	    get_str(o, "id", k->id, sizeof(k->id)) != 0 ||
	    get_str(o, "kind", k->kind, sizeof(k->kind)) != 0 ||
	    get_str(o, "pubkey_sha256", k->pubkey_sha256,
	    sizeof(k->pubkey_sha256)) != 0 ||
	    get_str(o, "pubkey", k->pubkey, sizeof(k->pubkey)) != 0 ||
	    get_str(o, "file", k->file, sizeof(k->file)) != 0 ||
	    get_str(o, "file_sha256", k->file_sha256,
	    sizeof(k->file_sha256)) != 0)
		return -1;
	backup_key_file(want, k->ref);
	if (strcmp(k->file, want) != 0 || !is_hex(k->pubkey_sha256, 64, 0) ||
	    !is_hex(k->file_sha256, 64, 0) || (k->id[0] != '\0' &&
	    (strlen(k->id) % 2 != 0 || !is_hex(k->id, strlen(k->id), 0))))
		return -1;
	return 0;
}

int
backup_manifest_parse(const char *buf, size_t len,
    struct backup_manifest *m, const char **why)
{
	json_t *root = NULL, *dev, *dom, *keys, *skipped, *v, *o;
	json_error_t err;
	const char *dummy;
	uint8_t seen[256];
	size_t i;
	int r = CUSTOS_ERR_FORMAT;

	if (why == NULL)
		why = &dummy;
	*why = "not a backup manifest";
	memset(m, 0, sizeof(*m));
	memset(seen, 0, sizeof(seen));
	if (len > BACKUP_MANIFEST_MAX) {
		*why = "manifest too large";
		return CUSTOS_ERR_TOO_LARGE;
	}
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL || !json_is_object(root))
		goto out;
	v = json_object_get(root, "format");
	if (!json_is_string(v))
		goto out;
	if (strcmp(json_string_value(v), BACKUP_FORMAT) != 0) {
		*why = "another manifest format";
		r = CUSTOS_ERR_UNSUPPORTED;
		goto out;
	}
	dev = json_object_get(root, "device");
	keys = json_object_get(root, "keys");
	skipped = json_object_get(root, "not_exportable");
	*why = "a member is missing, of the wrong type, or unknown";
	m->domain = -1;
	if ((dom = json_object_get(root, "domain")) != NULL) {
		if (!json_is_integer(dom) || json_integer_value(dom) < 0 ||
		    json_integer_value(dom) > 255)
			goto out;
		m->domain = (int)json_integer_value(dom);
	}
	if (json_object_size(root) != (dom != NULL ? 7U : 6U) ||
	    !json_is_object(dev) ||
	    json_object_size(dev) != 3 || !json_is_array(keys) ||
	    !json_is_array(skipped) ||
	    get_str(root, "created", m->created, sizeof(m->created)) != 0 ||
	    !utctime_valid(m->created) ||
	    get_str(root, "kcv", m->kcv, sizeof(m->kcv)) != 0 ||
	    !is_hex(m->kcv, 16, 1) ||
	    get_str(dev, "serial", m->serial, sizeof(m->serial)) != 0 ||
	    get_str(dev, "reader", m->reader, sizeof(m->reader)) != 0 ||
	    !json_is_boolean(json_object_get(dev, "emulated")))
		goto out;
	m->emulated = json_is_true(json_object_get(dev, "emulated"));
	if (json_array_size(keys) > BACKUP_MAX_KEYS ||
	    json_array_size(skipped) > BACKUP_MAX_KEYS) {
		*why = "too many keys";
		goto out;
	}
	json_array_foreach(keys, i, o) {
		if (parse_key(o, &m->keys[i]) != 0) {
			*why = "a key entry is malformed";
			goto out;
		}
		if (seen[m->keys[i].ref]++) {
			*why = "a key reference appears twice";
			goto out;
		}
		m->nkeys++;
	}
	json_array_foreach(skipped, i, o) {
		struct backup_skipped *k = &m->skipped[i];

		if (!json_is_object(o) || json_object_size(o) != 4 ||
		    get_ref(o, &k->ref) != 0 ||
		    get_str(o, "label", k->label, sizeof(k->label)) != 0 ||
		    get_str(o, "kind", k->kind, sizeof(k->kind)) != 0 ||
		    get_str(o, "reason", k->reason, sizeof(k->reason)) != 0) {
			*why = "a not_exportable entry is malformed";
			goto out;
		}
		if (seen[k->ref]++) {
			*why = "a key reference appears twice";
			goto out;
		}
		m->nskipped++;
	}
	*why = NULL;
	r = 0;
 out:
	json_decref(root);
	if (r != 0) {
		m->nkeys = 0;
		m->nskipped = 0;
	}
	return r;
}
