/*
 * op_split_legacy.c - sc-hsm-tool's password shares of a .pbe file
 * (share split --scheme sc-hsm), and a custodian's SLIP-39 sheet printed
 * again from their words (share print) (op_share.h).
 */
#include <stdio.h>
#include <string.h>

#include "../common/encode.h"
#include "../common/secmem.h"
#include "../common/utctime.h"
#include "../shamir/pwshare.h"
#include "../shamir/pwshare_text.h"
#include "../shamir/slip39.h"
#include "op_int.h"
#include "op_share_int.h"
#include "op_split_int.h"
#include "sharefile.h"
#include "sheet.h"

static const char legacy_note[] =
    "sc-hsm-tool password share of the .pbe file named above. Any\n"
    "threshold of these recombine with custos share combine --scheme "
    "sc-hsm, or\nwith sc-hsm-tool --import-dkek-share FILE "
    "--pwd-shares-total K (K shares).\nThe scheme has no integrity check; "
    "custos checks the result against the file.";

/* The sheets of the password shares sh[0..n), as text and PDF. */
static int
legacy_sheets(struct op_ctx *cx, const struct op_split_args *a,
    const struct pwshare *sh, const char *pbe, const char *fpr,
    const char *prime, char (*paths)[4096], char (*pdfs)[4096])
{
	struct sheet_info si;
	char block[PWSHARE_FORMAT_MAX], *sheet = NULL, ident[40], cline[160];
	char fhex[20], created[UTCTIME_LEN + 1];
	unsigned char *doc = NULL;
	size_t i, sheetlen = 0, doclen = 0;
	int r = CUSTOS_OK;

	snprintf(fhex, sizeof(fhex), "%.4s %.4s %.4s %.4s", fpr, fpr + 4,
	    fpr + 8, fpr + 12);
	utctime_now(created);
	snprintf(ident, sizeof(ident), "prime %s", prime);
	memset(&si, 0, sizeof(si));
	si.kind = "sc-hsm-tool password share";
	si.ceremony = op_ceremony_line(cx, cline, sizeof(cline), a->title);
	si.count = (unsigned)a->ncustodians;
	si.threshold = a->threshold;
	si.identifier = ident;
	si.fingerprint = fhex;
	si.created = created;
	si.note = legacy_note;
	si.file = pbe;
	for (i = 0; i < a->ncustodians && r == CUSTOS_OK; i++) {
		si.custodian = a->custodians[i];
		si.index = (unsigned)i + 1;
		if ((r = pwshare_format(block, sizeof(block), &sh[i],
		    (unsigned)i + 1, (unsigned)a->ncustodians)) != CUSTOS_OK ||
		    (r = sheet_pwshare(&sheet, &sheetlen, &si, block)) !=
		    CUSTOS_OK || (r = sheet_pwshare_pdf(&doc, &doclen, &si,
		    block, a->paper, created)) != CUSTOS_OK) {
			r = op_fail(cx, r, "%s", custos_strerror(r));
			secmem_free(sheet);
			sheet = NULL;
			break;
		}
		if ((r = op_write_sheet(cx, paths[i], sheet, sheetlen)) ==
		    CUSTOS_OK)
			r = op_write_sheet(cx, pdfs[i], (const char *)doc,
			    doclen);
		secmem_free(doc);
		secmem_free(sheet);
		doc = NULL;
		sheet = NULL;
	}
	secmem_wipe(block, sizeof(block));
	return r;
}

/* The text sheets, then the PDFs, as record facts. */
static json_t *
sheet_rels(struct op_ctx *cx, char (*paths)[4096], char (*pdfs)[4096],
    size_t n)
{
	json_t *a = json_array();
	char rel[4096];
	size_t i;

	for (i = 0; a != NULL && i < 2 * n; i++) {
		op_relpath(cx, i < n ? paths[i] : pdfs[i - n], rel, sizeof(rel));
		json_array_append_new(a, json_string(rel));
	}
	return a;
}

int
op_share_split_legacy(struct op_ctx *cx, const struct op_split_args *a,
    const char *pbe, char prime[17], char fpr[17])
{
	const char *who = op_actor(cx, "operator");
	struct op_file_args f;
	struct pwshare *sh = NULL;
	unsigned char *pwd = NULL, *back = NULL, *share = NULL;
	char (*paths)[4096] = NULL, (*pdfs)[4096] = NULL, rel[4096];
	unsigned long long in = 0;
	json_t *facts, *cust, *files;
	size_t i, n = a->ncustodians;
	int r;

	memset(&f, 0, sizeof(f));
	f.format = OP_FORMAT_PBE;
	if ((r = op_out_free(cx, pbe)) != CUSTOS_OK ||
	    (r = op_out_dir(cx, a->out_dir, a->custodians, n, "pwshare", 1, 0))
	    != CUSTOS_OK)
		return r;
	if ((sh = secmem_alloc(sizeof(*sh) * n)) == NULL ||
	    (pwd = secmem_alloc(PWSHARE_PWD_LEN)) == NULL ||
	    (back = secmem_alloc(PWSHARE_PWD_LEN)) == NULL ||
	    (share = secmem_alloc(DKEK_SHARE_LEN)) == NULL ||
	    (paths = calloc(n, sizeof(*paths))) == NULL ||
	    (pdfs = calloc(n, sizeof(*pdfs))) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (a->share != NULL)
		memcpy(share, a->share, DKEK_SHARE_LEN);
	else
		dkek_share_generate(share, NULL, 0);
	if ((r = pwshare_split(pwd, sh, a->threshold, (unsigned)n)) !=
	    CUSTOS_OK) {
		r = op_fail(cx, r, "%s", custos_strerror(r));
		goto out;
	}
	/* A quorum (the last M) must give the password back. */
	if (pwshare_combine(sh + n - a->threshold, a->threshold, back) !=
	    CUSTOS_OK || secmem_equal(back, pwd, PWSHARE_PWD_LEN) != 0) {
		r = op_fail(cx, CUSTOS_ERR_INTERNAL, "the new password shares "
		    "do not rebuild the password; nothing was written");
		goto out;
	}
	op_fpr_hex(fpr, share);
	if (encode_hex(prime, 17, sh[0].prime, PWSHARE_NUM_LEN, 0) !=
	    CUSTOS_OK) {
		r = op_fail(cx, CUSTOS_ERR_INTERNAL, "prime");
		goto out;
	}
	for (i = 0; i < n; i++) {
		op_split_name(paths[i], sizeof(paths[i]), a->out_dir, "pwshare",
		    i, a->custodians[i], "txt");
		op_split_name(pdfs[i], sizeof(pdfs[i]), a->out_dir, "pwshare",
		    i, a->custodians[i], "pdf");
	}
	files = sheet_rels(cx, paths, pdfs, n);
	op_relpath(cx, pbe, rel, sizeof(rel));
	json_array_append_new(files, json_string(rel));
	if ((r = op_intent(cx, NULL, who, "share.split", json_pack("{s:o}",
	    "files", files), &in)) != CUSTOS_OK)
		goto out;
	if ((r = op_seal(cx, share, pbe, &f, (const char *)pwd,
	    PWSHARE_PWD_LEN)) != CUSTOS_OK) {
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	op_note(cx, "wrote %s (sc-hsm-tool .pbe, random 8-byte password)",
	    pbe);
	if ((r = legacy_sheets(cx, a, sh, pbe, fpr, prime, paths, pdfs)) !=
	    CUSTOS_OK) {
		op_abandon_written(cx, paths, n, in);
		op_abandon_written(cx, pdfs, n, in);
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	if ((cust = json_array()) != NULL)
		for (i = 0; i < n; i++)
			json_array_append_new(cust,
			    json_string(a->custodians[i]));
	facts = json_pack("{s:s, s:i, s:i, s:o, s:s, s:o, s:o, s:s, s:s, s:s, "
	    "s:I}", "scheme", "sc-hsm", "threshold", (int)a->threshold, "count",
	    (int)n, "custodians", cust, "identifier", prime, "files",
	    json_pack("[s]", rel), "sheets", sheet_rels(cx, paths, pdfs, n),
	    "share_fingerprint", fpr, "from", "new random share", "out_dir",
	    "", "intent", (json_int_t)in);
	if (facts != NULL && a->from != NULL) {
		op_relpath(cx, a->from, rel, sizeof(rel));
		json_object_set_new(facts, "from", json_string(rel));
	}
	op_relpath(cx, a->out_dir, rel, sizeof(rel));
	if (facts != NULL)
		json_object_set_new(facts, "out_dir", json_string(rel));
	r = op_record(cx, NULL, who, "share.split", facts, NULL);
 out:
	free(paths);
	free(pdfs);
	secmem_free(share);
	secmem_free(back);
	secmem_free(pwd);
	secmem_free(sh);
	return r;
}

/* Reads one mnemonic through io and decodes it; names a bad word. */
static int
read_one(struct op_ctx *cx, struct slip39_share *s, char **mn)
{
	char bad[SLIP39_BAD_WORD_MAX];
	size_t len = 0, pos = 0;
	int r, tty = cx->io->can_retry != NULL &&
	    cx->io->can_retry(cx->io->arg, OP_SECRET_SHARES);

	do {
		secmem_free(*mn);
		*mn = NULL;
		r = cx->io->secret(cx->io->arg, OP_SECRET_SHARES, "",
		    "Mnemonic (33 words)", "", mn, &len);
	} while (r == CUSTOS_OK && !tty && ((*mn)[0] == '\0' ||
	    (*mn)[0] == '#'));
	if (r != CUSTOS_OK)
		return op_fail(cx, r == CUSTOS_ERR_TRUNCATED ?
		    CUSTOS_ERR_FORMAT : r, "%s", r == CUSTOS_ERR_TRUNCATED ?
		    "no mnemonic in the input" : custos_strerror(r));
	if ((r = slip39_mnemonic_decode(*mn, s, bad, sizeof(bad), &pos)) !=
	    CUSTOS_OK) {
		if (pos > 0)
			return op_fail(cx, CUSTOS_ERR_FORMAT, "word %zu '%s': %s",
			    pos, bad, r == CUSTOS_ERR_CORRUPT ? "the checksum "
			    "fails; this word is probably wrong" : "not a "
			    "SLIP-39 word");
		return op_fail(cx, CUSTOS_ERR_FORMAT, "not a valid SLIP-39 "
		    "mnemonic: %s", custos_strerror(r));
	}
	return CUSTOS_OK;
}

/* out's PDF: .txt replaced by .pdf, or .pdf added. */
static int
pdf_name(char *pdf, size_t sz, const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && strcmp(out + n - 4, ".txt") == 0)
		n -= 4;
	return snprintf(pdf, sz, "%.*s.pdf", (int)n, out) < (int)sz ?
	    CUSTOS_OK : CUSTOS_ERR_TOO_LARGE;
}

int
op_share_print(struct op_ctx *cx, const char *custodian, const char *out,
    const char *fpr, const char *title, int qr, enum paper_size paper)
{
	const char *who = op_actor(cx, custodian);
	struct slip39_share *s = NULL;
	struct sheet_info si;
	unsigned long long in = 0;
	char *mn = NULL, *sheet = NULL, ident[32], cline[160], rel[4096];
	char pdf[4096], when[UTCTIME_LEN + 1];
	unsigned char *doc = NULL;
	size_t sheetlen = 0, doclen = 0;
	json_t *f;
	int r;

	if (pdf_name(pdf, sizeof(pdf), out) != CUSTOS_OK)
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: the path is too "
		    "long", out);
	if ((r = op_out_free(cx, out)) != CUSTOS_OK ||
	    (r = op_out_free(cx, pdf)) != CUSTOS_OK ||
	    (r = op_recordable(cx, "custodian label", custodian)) != CUSTOS_OK)
		return r;
	if ((s = secmem_alloc(sizeof(*s))) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	if ((r = read_one(cx, s, &mn)) != CUSTOS_OK)
		goto out;
	/* Re-encode: the sheet shows the canonical full words. */
	secmem_free(mn);
	if ((mn = secmem_alloc(SLIP39_MNEMONIC_MAX + 1)) == NULL ||
	    (r = slip39_mnemonic_encode(s, mn, SLIP39_MNEMONIC_MAX + 1)) !=
	    CUSTOS_OK) {
		r = op_fail(cx, mn == NULL ? CUSTOS_ERR_NOMEM : r, "%s",
		    custos_strerror(mn == NULL ? CUSTOS_ERR_NOMEM : r));
		goto out;
	}
	snprintf(ident, sizeof(ident), "%u (SLIP-39, 15 bits)",
	    s->identifier);
	memset(&si, 0, sizeof(si));
	si.kind = "SLIP-39 mnemonic share";
	si.ceremony = op_ceremony_line(cx, cline, sizeof(cline), title);
	si.custodian = custodian;
	si.index = s->member_index + 1U;
	si.threshold = s->member_threshold;
	si.identifier = ident;
	si.fingerprint = fpr;
	si.note = "Reprinted from the mnemonic (custos share print); the "
	    "number of shares in the\nsplit is not part of a mnemonic.";
	utctime_now(when);
	if ((r = sheet_mnemonic(&sheet, &sheetlen, &si, mn, qr)) !=
	    CUSTOS_OK || (r = sheet_mnemonic_pdf(&doc, &doclen, &si, mn, qr,
	    paper, when)) != CUSTOS_OK) {
		r = op_fail(cx, r, "%s", custos_strerror(r));
		goto out;
	}
	op_relpath(cx, pdf, rel, sizeof(rel));
	if ((r = op_file_intent(cx, who, "share.print", out, json_pack(
	    "{s:[s]}", "files", rel), &in)) != CUSTOS_OK)
		goto out;
	if ((r = op_write_sheet(cx, out, sheet, sheetlen)) != CUSTOS_OK ||
	    (r = op_write_sheet(cx, pdf, (const char *)doc, doclen)) !=
	    CUSTOS_OK) {
		op_abandon_keep(cx, out, in);
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	op_relpath(cx, pdf, rel, sizeof(rel));
	f = json_pack("{s:s}", "pdf", rel);
	op_relpath(cx, out, rel, sizeof(rel));
	json_object_update_new(f, json_pack("{s:s, s:s, s:i, s:i, s:i, s:s, "
	    "s:I}", "scheme", "slip39",
	    "custodian", custodian, "identifier", (int)s->identifier,
	    "member_index", s->member_index + 1, "threshold",
	    (int)s->member_threshold, "file", rel, "intent", (json_int_t)in));
	r = op_record(cx, NULL, who, "share.print", f, NULL);
 out:
	secmem_free(doc);
	secmem_free(sheet);
	secmem_free(mn);
	secmem_free(s);
	return r;
}
