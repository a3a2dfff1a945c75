/*
 * keyfacts.c - keys as transcript facts (keyfacts.h).
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "../cards/sc_hsm_keys.h"
#include "../common/encode.h"
#include "backup.h"
#include "backup_manifest.h"
#include "keyfacts.h"

void
keyfacts_add(json_t *facts, const struct sc_hsm_key *k)
{
	unsigned char *der = NULL;
	char fpr[65], id[2 * PRKD_ID_MAX + 1] = "", *b64 = NULL;
	int n;

	json_object_set_new(facts, "ref", json_integer(k->ref));
	json_object_set_new(facts, "label", json_string(k->has_prkd ?
	    k->prkd.label : ""));
	if (k->has_prkd && encode_hex(id, sizeof(id), k->prkd.id,
	    k->prkd.id_len, 0) != 0)
		id[0] = '\0';
	json_object_set_new(facts, "id", json_string(id));
	json_object_set_new(facts, "kind", json_string(k->kind));
	if (k->pub == NULL)
		return;
	if (encode_hex(fpr, sizeof(fpr), k->fpr, sizeof(k->fpr), 0) == 0)
		json_object_set_new(facts, "pubkey_sha256", json_string(fpr));
	if ((n = i2d_PUBKEY(k->pub, &der)) > 0 &&
	    (b64 = malloc(encode_base64_size((size_t)n))) != NULL &&
	    encode_base64(b64, encode_base64_size((size_t)n), der,
	    (size_t)n) == 0)
		json_object_set_new(facts, "pubkey", json_string(b64));
	free(b64);
	OPENSSL_free(der);
}

json_t *
keyfacts_manifest(const struct backup_manifest *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < m->nkeys; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s, s:s}",
		    "ref", m->keys[i].ref, "label", m->keys[i].label, "kind",
		    m->keys[i].kind, "pubkey_sha256", m->keys[i].pubkey_sha256,
		    "file_sha256", m->keys[i].file_sha256));
	return a;
}

json_t *
keyfacts_skipped(const struct backup_manifest *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < m->nskipped; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s}", "ref",
		    m->skipped[i].ref, "label", m->skipped[i].label, "reason",
		    m->skipped[i].reason));
	return a;
}

json_t *
keyfacts_restore(const struct backup_manifest *m,
    const struct backup_outcome *out)
{
	json_t *res = json_array();
	size_t i;

	for (i = 0; res != NULL && i < m->nkeys; i++)
		json_array_append_new(res, json_pack("{s:i, s:i, s:s, s:s, "
		    "s:b, s:b, s:s}", "ref", out[i].ref, "dest_ref",
		    out[i].dest_ref, "label", m->keys[i].label, "pubkey_sha256",
		    m->keys[i].pubkey_sha256, "proven", out[i].err == 0 &&
		    out[i].proven, "already", out[i].already, "error",
		    out[i].err == 0 ? "" : out[i].why));
	return res;
}
