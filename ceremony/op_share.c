/*
 * op_share.c - DKEK share files written by the engine: create, convert,
 * verify (op_share.h). A file is sealed under a new passphrase, opened
 * again with it, and must give its share back before the step is
 * recorded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "../cards/card.h"
#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "../shamir/wordlist.h"
#include "ceremony.h"
#include "kdfcost.h"
#include "op_int.h"
#include "op_share.h"
#include "op_share_int.h"
#include "sharefile.h"

static const char *const legacy_warning[] = {
	"a .pbe file has no integrity check: an altered file can decrypt to a",
	"wrong share without any error. Record its fingerprint and keep .pbe",
	"for sc-hsm-tool only; the custos v1 format detects any change.",
};

void
op_hex_words(char *out, size_t outsz, const char *hex)
{
	unsigned char b[32 + 2];
	size_t len = 0, nwords;

	memset(b, 0, sizeof(b));
	if (sodium_hex2bin(b, 32, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len == 0) {
		snprintf(out, outsz, "?");
		return;
	}
	nwords = (len * 8 + 9) / 10;	/* zero bits pad the last word */
	if (nwords > 8)
		nwords = 8;		/* the first 80 bits */
	if (wordlist_encode(out, outsz, b, sizeof(b), nwords) != 0)
		snprintf(out, outsz, "?");
}

void
op_share_kcv(const unsigned char *share, char out[17])
{
	unsigned char k[DKEK_KCV_LEN];

	dkek_kcv(k, share);
	dkek_kcv_hex(out, k);
}

void
op_fpr_hex(char out[17], const unsigned char *share)
{
	unsigned char f[DKEK_FPR_LEN];

	dkek_share_fingerprint(f, share);
	if (encode_hex(out, 17, f, sizeof(f), 1) != 0)
		out[0] = '\0';
}

int
op_file_args_check(struct op_ctx *cx, const struct op_file_args *f)
{
	const char *why;

	if (f->format == OP_FORMAT_PBE)
		return CUSTOS_OK;
	if (f->label == NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "--label NAME is "
		    "required for a custos v1 file (the custodian's name)");
	if ((why = v1_check_text(f->label, V1_LABEL_MAX)) != NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "label %s", why);
	if (f->ceremony != NULL &&
	    (why = v1_check_text(f->ceremony, V1_CEREMONY_MAX)) != NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "ceremony id %s", why);
	if (f->comment != NULL &&
	    (why = v1_check_text(f->comment, V1_COMMENT_MAX)) != NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "comment %s", why);
	if ((f->kdf_mem_kib != 0 && (f->kdf_mem_kib < V1_MEM_KIB_FLOOR ||
	    f->kdf_mem_kib > V1_MEM_KIB_MAX)) || f->kdf_ops > V1_OPS_MAX)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "--kdf-memory must be "
		    "%llu..%llu MiB and --kdf-passes 1..%llu",
		    V1_MEM_KIB_FLOOR / 1024, V1_MEM_KIB_MAX / 1024, V1_OPS_MAX);
	return CUSTOS_OK;
}

struct file_job {
	const char *path;
	const unsigned char *value;
	unsigned char *back;
	const char *pw;
	size_t pwlen;
	enum sharefile_format format;
	struct v1_header *h;
	struct sharefile_info *info;
};

static int
create_job(void *p)
{
	struct file_job *j = p;

	/* fitted to this machine: measured here, under the progress shown
	   for the slow work, the first time in a process */
	if (j->format == SHAREFILE_V1 && j->h->mem_kib == 0)
		kdfcost_default(&j->h->mem_kib, &j->h->opslimit);
	return sharefile_create(j->path, j->format, j->value,
	    (const unsigned char *)j->pw, j->pwlen, j->h, PBE_ITERATIONS);
}

static int
open_job(void *p)
{
	struct file_job *j = p;

	return sharefile_open(j->path, j->back, (const unsigned char *)j->pw,
	    j->pwlen, PBE_ITERATIONS, j->info);
}

int
op_seal(struct op_ctx *cx, const unsigned char *value, const char *path,
    const struct op_file_args *f, const char *pw, size_t pwlen)
{
	struct sharefile_info info;
	struct v1_header h;
	struct file_job j;
	int r;

	memset(&h, 0, sizeof(h));
	memset(&j, 0, sizeof(j));
	if (f->format == OP_FORMAT_V1) {
		snprintf(h.label, sizeof(h.label), "%s", f->label);
		snprintf(h.ceremony, sizeof(h.ceremony), "%s", f->ceremony !=
		    NULL ? f->ceremony : cx->cer != NULL ? ceremony_id(cx->cer) :
		    "");
		if (f->comment != NULL)
			snprintf(h.comment, sizeof(h.comment), "%s", f->comment);
		/* both 0: fitted to this machine (create_job) */
		h.opslimit = f->kdf_ops ? f->kdf_ops : f->kdf_mem_kib ?
		    V1_OPS_DEFAULT : 0;
		h.mem_kib = f->kdf_mem_kib ? f->kdf_mem_kib : f->kdf_ops ?
		    V1_MEM_KIB_DEFAULT : 0;
	} else if (cx->io->progress != NULL) {
		cx->io->progress(cx->io->arg, "deriving the sc-hsm-tool key "
		    "(10,000,000 MD5 rounds, about 10 s)...", 0, 0);
	}
	j.path = path;
	j.value = value;
	j.pw = pw;
	j.pwlen = pwlen;
	j.format = f->format == OP_FORMAT_V1 ? SHAREFILE_V1 : SHAREFILE_PBE;
	j.h = &h;
	j.info = &info;
	if ((r = op_slow(cx, "Sealing the share file (Argon2id)", create_job,
	    &j)) != 0)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	if (f->format != OP_FORMAT_V1)
		return CUSTOS_OK;	/* no integrity to check in a .pbe */
	if ((j.back = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	r = op_slow(cx, "Opening the share file again (Argon2id)", open_job,
	    &j);
	if (r == 0 && secmem_equal(j.back, value, DKEK_SHARE_LEN) != 0)
		r = CUSTOS_ERR_CORRUPT;
	secmem_free(j.back);
	if (r != 0)
		return op_fail(cx, r, "%s: written, but it does not open to the "
		    "share: %s", path, custos_strerror(r));
	return CUSTOS_OK;
}

int
op_new_passphrase(struct op_ctx *cx, const struct op_file_args *f,
    const char *who, const char *what, const char *hint, char **pw,
    size_t *pwlen)
{
	size_t i;

	if (f->format == OP_FORMAT_PBE)
		for (i = 0; i < 3; i++)
			op_warn(cx, "%s", legacy_warning[i]);
	return op_secret(cx, f->format == OP_FORMAT_PBE ? OP_SECRET_NEW_LEGACY :
	    OP_SECRET_NEW, who, what, hint, pw, pwlen);
}

json_t *
op_file_facts(struct op_ctx *cx, const char *path,
    const struct op_file_args *f, const char *fpr)
{
	char rel[4096], sha[65];
	json_t *o;

	op_relpath(cx, path, rel, sizeof(rel));
	op_file_sha256(path, sha);
	o = json_pack("{s:s, s:s, s:s, s:s}", "file", rel, "file_sha256", sha,
	    "format", f->format == OP_FORMAT_V1 ? "custos v1" :
	    "sc-hsm-tool .pbe", "share_fingerprint", fpr);
	if (o != NULL && f->format == OP_FORMAT_V1)
		json_object_set_new(o, "label", json_string(f->label));
	return o;
}

int
op_file_intent(struct op_ctx *cx, const char *who, const char *op,
    const char *path, json_t *extra, unsigned long long *seq)
{
	char rel[4096];
	json_t *f = extra != NULL ? extra : json_object();

	op_relpath(cx, path, rel, sizeof(rel));
	if (f != NULL)
		json_object_set_new(f, "file", json_string(rel));
	return op_intent(cx, NULL, who, op, f, seq);
}

int
op_out_free(struct op_ctx *cx, const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == 0)
		return op_fail(cx, CUSTOS_ERR_EXISTS, "%s: %s", path,
		    custos_strerror(CUSTOS_ERR_EXISTS));
	return op_recordable(cx, "output file name", path);
}

/* 32 bytes of GET CHALLENGE from the card spec names (NULL: a PC/SC card
   if one is there, else none). */
static int
card_entropy(struct op_ctx *cx, const char *spec, uint8_t out[32],
    char *reader, size_t rsz)
{
	struct card *c = NULL;
	int r;

	reader[0] = '\0';
	if ((r = card_open(spec != NULL ? spec : "pcsc", &c)) != 0) {
		if (spec == NULL)
			return CUSTOS_OK;	/* the OS random bytes suffice */
		if (r == CUSTOS_ERR_INVALID_ARG)
			return op_fail(cx, r, "--card is pcsc, pcsc:READER or "
			    "emu:NAME (try --help)");
		return op_fail(cx, r, "card %s: %s", spec, custos_strerror(r));
	}
	r = sc_hsm_select(c, NULL, NULL);
	if (r == 0)
		r = sc_hsm_challenge(c, out, 32);
	if (r == 0)
		snprintf(reader, rsz, "%s", card_reader(c));
	card_close(c);
	if (r != 0) {
		secmem_wipe(out, 32);
		reader[0] = '\0';
		if (spec != NULL)
			return op_fail(cx, r, "GET CHALLENGE: %s",
			    custos_strerror(r));
	}
	return CUSTOS_OK;
}

int
op_share_create(struct op_ctx *cx, const struct op_create_args *a,
    struct op_create_result *res)
{
	const char *who = op_actor(cx, a->file.label != NULL ? a->file.label :
	    "operator");
	unsigned char *share = NULL;
	unsigned long long in = 0;
	uint8_t extra[32];
	char *pw = NULL;
	size_t pwlen = 0;
	json_t *f;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = op_out_free(cx, a->out)) != CUSTOS_OK ||
	    (r = op_file_args_check(cx, &a->file)) != CUSTOS_OK)
		return r;
	if ((share = secmem_alloc(DKEK_SHARE_LEN)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	if ((r = card_entropy(cx, a->card, extra, res->reader,
	    sizeof(res->reader))) != CUSTOS_OK)
		goto out;
	dkek_share_generate(share, res->reader[0] ? extra : NULL,
	    sizeof(extra));
	secmem_wipe(extra, sizeof(extra));
	if (res->reader[0] != '\0')
		op_note(cx, "mixed 32 bytes from the card's GET CHALLENGE (%s) "
		    "into the OS random bytes", res->reader);
	if ((r = op_new_passphrase(cx, &a->file, who, "New passphrase for the "
	    "share file", "", &pw, &pwlen)) != CUSTOS_OK ||
	    (r = op_file_intent(cx, who, "share.create", a->out,
	    a->file.label != NULL && a->file.format == OP_FORMAT_V1 ?
	    json_pack("{s:s}", "label", a->file.label) : NULL, &in)) !=
	    CUSTOS_OK)
		goto out;
	if ((r = op_seal(cx, share, a->out, &a->file, pw, pwlen)) !=
	    CUSTOS_OK) {
		op_intent_abort(cx, NULL, who, in, op_why(cx), NULL);
		goto out;
	}
	op_fpr_hex(res->fpr, share);
	if ((f = op_file_facts(cx, a->out, &a->file, res->fpr)) != NULL) {
		if (res->reader[0] != '\0')
			json_object_set_new(f, "card_challenge_mixed_from",
			    json_string(res->reader));
		json_object_set_new(f, "intent", json_integer((json_int_t)in));
	}
	r = op_record(cx, NULL, who, "share.create", f, NULL);
 out:
	secmem_free(pw);
	secmem_free(share);
	return r;
}

int
op_share_verify(struct op_ctx *cx, const char *path, char fpr[17],
    enum op_share_format *format)
{
	struct op_share s;
	struct op_file_args f;
	struct op_share_header h;
	json_t *o;
	int r;

	if ((r = op_share_inspect(cx, path, &h)) != CUSTOS_OK)
		return r;
	if ((r = op_share_open_file(cx, path, &s)) != CUSTOS_OK)
		return r;
	memset(&f, 0, sizeof(f));
	f.format = h.format;
	f.label = h.label;
	snprintf(fpr, 17, "%s", s.fpr);
	*format = h.format;
	o = op_file_facts(cx, path, &f, s.fpr);
	json_object_del(o, "label");
	r = op_record(cx, NULL, op_actor(cx, h.format == OP_FORMAT_V1 ?
	    h.label : "operator"), "share.verify", o, NULL);
	op_share_clear(&s);
	return r;
}

int
op_share_convert(struct op_ctx *cx, const char *in, const char *out,
    const struct op_file_args *fa, char fpr[17])
{
	const char *who;
	struct op_share s;
	unsigned long long seq = 0;
	char *pw = NULL, rel[4096];
	size_t pwlen = 0;
	json_t *f;
	int r;

	memset(&s, 0, sizeof(s));
	if ((r = op_out_free(cx, out)) != CUSTOS_OK ||
	    (r = op_file_args_check(cx, fa)) != CUSTOS_OK ||
	    (r = op_share_open_file(cx, in, &s)) != CUSTOS_OK)
		return r;
	who = op_actor(cx, fa->label != NULL ? fa->label : "operator");
	if ((r = op_new_passphrase(cx, fa, who, "New passphrase for the share "
	    "file", "", &pw, &pwlen)) != CUSTOS_OK ||
	    (r = op_file_intent(cx, who, "share.convert", out, NULL, &seq)) !=
	    CUSTOS_OK)
		goto out;
	if ((r = op_seal(cx, s.value, out, fa, pw, pwlen)) != CUSTOS_OK) {
		op_intent_abort(cx, NULL, who, seq, op_why(cx), NULL);
		goto out;
	}
	snprintf(fpr, 17, "%s", s.fpr);
	op_relpath(cx, in, rel, sizeof(rel));
	if ((f = op_file_facts(cx, out, fa, s.fpr)) != NULL) {
		json_object_set_new(f, "from_file", json_string(rel));
		json_object_set_new(f, "intent", json_integer((json_int_t)seq));
	}
	r = op_record(cx, NULL, who, "share.convert", f, NULL);
 out:
	secmem_free(pw);
	op_share_clear(&s);
	return r;
}
