/*
 * op_dkek.c - the DKEK a set of shares makes, without a device: its KCV
 * (dkek kcv, recorded), and the DKEK itself rebuilt in memory for the
 * commands that open key blobs (backup verify --deep, import-key,
 * export-key) from share files, SLIP-39 mnemonics and sc-hsm-tool
 * password shares (op_share.h).
 */
#include <stdio.h>
#include <string.h>

#include "../common/secmem.h"
#include "op_int.h"
#include "op_share_int.h"

#define DKEK_MAX_SOURCES 64

int
op_dkek_kcv(struct op_ctx *cx, char *const *files, size_t n,
    struct op_dkek_result *res)
{
	struct op_share shares[DKEK_MAX_SOURCES];
	const unsigned char *list[DKEK_MAX_SOURCES];
	unsigned char *dkek = NULL, kcv[DKEK_KCV_LEN];
	char rel[4096];
	json_t *f = NULL, *jf = NULL, *jp = NULL;
	size_t i, opened = 0, da = 0, db = 0;
	int r;

	memset(res, 0, sizeof(*res));
	memset(shares, 0, sizeof(shares));
	if (n == 0 || n > DKEK_MAX_SOURCES)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "give 1 to %d share "
		    "files", DKEK_MAX_SOURCES);
	if ((dkek = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (jf = json_array()) == NULL || (jp = json_array()) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++, opened++) {
		if ((r = op_share_open_file(cx, files[i], &shares[i])) !=
		    CUSTOS_OK)
			goto out;
		list[i] = shares[i].value;
		snprintf(res->fpr[i], sizeof(res->fpr[i]), "%s", shares[i].fpr);
		op_relpath(cx, files[i], rel, sizeof(rel));
		json_array_append_new(jf, json_string(rel));
		json_array_append_new(jp, json_string(shares[i].fpr));
	}
	res->n = n;
	r = dkek_combine(dkek, kcv, list, n, &da, &db);
	if (r == CUSTOS_ERR_DUPLICATE_SHARE) {
		op_refused(cx, op_actor(cx, "operator"), json_pack("{s:s, s:s, "
		    "s:s}", "what", "share", "reason", "given twice",
		    "share_fingerprint", shares[da].fpr));
		r = op_fail(cx, CUSTOS_ERR_DUPLICATE_SHARE, "%s and %s hold the "
		    "same share; importing both would cancel it out", files[da],
		    files[db]);
		goto out;
	}
	if (r != CUSTOS_OK) {
		r = op_fail(cx, r, "%s", custos_strerror(r));
		goto out;
	}
	dkek_kcv_hex(res->kcv, kcv);
	f = json_pack("{s:O, s:O, s:i, s:s}", "files", jf, "share_fingerprints",
	    jp, "shares", (int)n, "kcv", res->kcv);
	r = op_record(cx, NULL, op_actor(cx, "operator"), "dkek.kcv", f, NULL);
 out:
	for (i = 0; i < opened; i++)
		op_share_clear(&shares[i]);
	json_decref(jf);
	json_decref(jp);
	secmem_free(dkek);
	return r;
}

int
op_dkek_rebuild(struct op_ctx *cx, const struct op_dkek_sources *s,
    unsigned char *dkek)
{
	const unsigned char *list[DKEK_MAX_SOURCES * 2 + 1];
	unsigned char *shares = NULL, kcv[DKEK_KCV_LEN];
	struct op_combine_args a;
	struct op_combined c;
	struct op_share one;
	size_t n = 0, i;
	int r = CUSTOS_OK;

	if (s->nfiles + s->nmnemonics > DKEK_MAX_SOURCES)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "too many shares");
	if ((shares = secmem_alloc((size_t)(DKEK_MAX_SOURCES * 2 + 1) *
	    DKEK_SHARE_LEN)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	for (i = 0; i < s->nfiles; i++, n++) {
		if ((r = op_share_open_file(cx, s->files[i], &one)) !=
		    CUSTOS_OK)
			goto out;
		memcpy(shares + n * DKEK_SHARE_LEN, one.value, DKEK_SHARE_LEN);
		op_share_clear(&one);
		list[n] = shares + n * DKEK_SHARE_LEN;
	}
	for (i = 0; i < s->nmnemonics + (s->pwshares != NULL); i++, n++) {
		memset(&a, 0, sizeof(a));
		a.from = OP_SHARES_TEXT_FILE;
		a.nfiles = 1;
		if (i < s->nmnemonics) {
			a.files = &s->mnemonics[i];
			a.legacy = 0;
		} else {
			a.files = (char *const *)&s->pwshares;
			a.legacy = 1;
			a.pbe = s->pbe;
		}
		if ((r = op_combine(cx, &a, &c)) != CUSTOS_OK)
			goto out;
		memcpy(shares + n * DKEK_SHARE_LEN, c.share, DKEK_SHARE_LEN);
		op_combined_free(&c);
		list[n] = shares + n * DKEK_SHARE_LEN;
	}
	if ((r = dkek_combine(dkek, kcv, list, n, NULL, NULL)) != 0)
		r = op_fail(cx, r, "%s", r == CUSTOS_ERR_DUPLICATE_SHARE ? "the "
		    "same DKEK share is given twice" : custos_strerror(r));
 out:
	secmem_free(shares);
	return r;
}
