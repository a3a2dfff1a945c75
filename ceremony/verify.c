/* verify.c - an auditor's checks of a ceremony directory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "ceremony.h"
#include "verify.h"
#include "schema.h"
#include "verify_keys.h"
#include "verify_pka.h"

/* Rules every ceremony obeys; the key rules are in verify_keys.c. */
static int
check_rules(const char *buf, size_t len, const unsigned char *pk,
    struct ceremony_verdict *v)
{
	const char *p = buf, *end = buf + len, *nl, *why;
	struct transcript_record rec;
	struct key_rules *kr = key_rules_new();
	struct pka_rules *pr = pka_rules_new();
	char swhy[256];
	long n = 0;

	if (kr == NULL || pr == NULL) {
		key_rules_free(kr);
		pka_rules_free(pr);
		return CUSTOS_ERR_NOMEM;
	}

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (transcript_parse_record(p, (size_t)(nl - p), &rec, &why)
		    != CUSTOS_OK) {
			key_rules_free(kr);
			pka_rules_free(pr);
			return CUSTOS_ERR_CORRUPT;	/* verified before */
		}
		if (v->closed) {
			snprintf(v->why, sizeof(v->why), "record %ld (%s) "
			    "comes after the ceremony was closed", n,
			    rec.action);
			goto broken;
		}
		if (n == 0) {
			json_t *f = json_object_get(rec.body, "facts");
			json_t *id = json_object_get(f, "ceremony_id");
			json_t *ph = json_object_get(f, "public_key_sha256");

			if (strcmp(rec.action, "ceremony.open") != 0 ||
			    !json_is_string(id) || json_string_length(id) != 16
			    || !json_is_string(ph)) {
				snprintf(v->why, sizeof(v->why), "record 0 is "
				    "not a well-formed ceremony.open");
				goto broken;
			}
			if (strcmp(json_string_value(ph), v->pubkey_sha256)
			    != 0) {
				snprintf(v->why, sizeof(v->why), "record 0 "
				    "names another public key than "
				    "ceremony.pub");
				goto broken;
			}
			memcpy(v->id, json_string_value(id), 17);
			machine_lines(f, &v->machine);
			v->rehearsal = rec.rehearsal;
			/* custos 0.1.0 wrote no schema and other shapes: its
			   transcripts still verify, shapes aside */
			v->shapes_checked = json_integer_value(json_object_get(f,
			    "schema")) >= 1;
		} else if (strcmp(rec.action, "ceremony.open") == 0) {
			snprintf(v->why, sizeof(v->why), "record %ld opens "
			    "the ceremony a second time", n);
			goto broken;
		} else if (rec.rehearsal != v->rehearsal) {
			snprintf(v->why, sizeof(v->why), "record %ld changes "
			    "the rehearsal flag", n);
			goto broken;
		}
		if (v->shapes_checked && schema_check(rec.action,
		    json_object_get(rec.body, "facts"), swhy, sizeof(swhy)) !=
		    CUSTOS_OK) {
			snprintf(v->why, sizeof(v->why), "record %ld (%s) does "
			    "not have its documented shape: %s", n, rec.action,
			    swhy);
			goto broken;
		}
		if (key_rules_record(kr, n, rec.action, json_object_get(rec.body,
		    "facts"), v->why, sizeof(v->why)) != CUSTOS_OK ||
		    pka_rules_record(pr, n, rec.action, json_object_get(rec.body,
		    "facts"), v->why, sizeof(v->why)) != CUSTOS_OK)
			goto broken;
		if (strcmp(rec.action, "ceremony.close") == 0)
			v->closed = 1;
		transcript_record_clear(&rec);
		p = nl + 1;
		n++;
	}
	(void)pk;
	pka_rules_free(pr);
	if (key_rules_finish(kr, &n, v->why, sizeof(v->why)) != CUSTOS_OK) {
		key_rules_free(kr);
		v->rule_record = n;
		return CUSTOS_ERR_CORRUPT;
	}
	key_rules_free(kr);
	return CUSTOS_OK;
 broken:
	transcript_record_clear(&rec);
	key_rules_free(kr);
	pka_rules_free(pr);
	v->rule_record = n;
	return CUSTOS_ERR_CORRUPT;
}

int
ceremony_verify(const char *dir, struct ceremony_verdict *v, char **bufp,
    size_t *lenp)
{
	unsigned char pk[32], keyid[MINISIGN_KEYID_LEN], h[32];
	unsigned char *buf = NULL, *sig = NULL;
	char path[PATH_MAX];
	size_t len = 0, slen = 0;
	struct stat st;
	int r;

	memset(v, 0, sizeof(*v));
	v->rule_record = -1;
	if (bufp != NULL) {
		*bufp = NULL;
		*lenp = 0;
	}
	if ((r = ceremony_load_pub(dir, pk, keyid)) != CUSTOS_OK) {
		snprintf(v->why, sizeof(v->why), "%s/%s: %s", dir,
		    CEREMONY_PUB, custos_strerror(r));
		return r;
	}
	crypto_hash_sha256(h, pk, sizeof(pk));
	sodium_bin2hex(v->pubkey_sha256, sizeof(v->pubkey_sha256), h, 32);
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_TRANSCRIPT);
	if ((r = atomicio_read(path, CEREMONY_TRANSCRIPT_MAX, 0, &buf, &len))
	    != CUSTOS_OK) {
		snprintf(v->why, sizeof(v->why), "%s: %s", path,
		    custos_strerror(r));
		return r;
	}
	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(v->transcript_sha256, sizeof(v->transcript_sha256), h,
	    32);
	r = transcript_verify((char *)buf, len, pk, &v->t);
	if (r != CUSTOS_OK) {
		if (v->t.truncated)
			snprintf(v->why, sizeof(v->why), "%zu records verify; "
			    "%s", v->t.records, v->t.why);
		else
			snprintf(v->why, sizeof(v->why), "record %ld (line "
			    "%zu): %s", v->t.bad_record, v->t.bad_line,
			    v->t.why);
		goto out;
	}
	if ((r = check_rules((char *)buf, len, pk, v)) != CUSTOS_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_SIG);
	r = atomicio_read(path, 4096, 0, &sig, &slen);
	if (r == CUSTOS_OK) {
		r = minisign_verify((char *)sig, slen, buf, len, keyid, pk);
		if (r != CUSTOS_OK) {
			snprintf(v->why, sizeof(v->why), "the closing "
			    "signature %s does not verify over the "
			    "transcript", CEREMONY_SIG);
			r = CUSTOS_ERR_CORRUPT;
			goto out;
		}
		v->closing_sig_ok = 1;
		if (!v->closed) {
			snprintf(v->why, sizeof(v->why), "a closing signature "
			    "exists but the transcript has no ceremony.close");
			r = CUSTOS_ERR_CORRUPT;
			goto out;
		}
	} else if (r != CUSTOS_ERR_NOT_FOUND) {
		snprintf(v->why, sizeof(v->why), "%s: %s", path,
		    custos_strerror(r));
		goto out;
	} else if (v->closed) {
		snprintf(v->why, sizeof(v->why), "the ceremony was closed but "
		    "its closing signature %s is missing (finish it with "
		    "custos ceremony close)", CEREMONY_SIG);
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_KEY);
	if (v->closed && lstat(path, &st) == 0) {
		snprintf(v->why, sizeof(v->why), "the ceremony is closed but "
		    "its signing key %s still exists", CEREMONY_KEY);
		r = CUSTOS_ERR_CORRUPT;
		goto out;
	}
	r = CUSTOS_OK;
 out:
	atomicio_free_buf(sig, slen, 0);
	if (bufp != NULL && buf != NULL) {
		*bufp = (char *)buf;
		*lenp = len;
		buf = NULL;
	}
	atomicio_free_buf(buf, len, 0);
	return r;
}
