/*
 * op_cer.c - opening, unlocking and closing a ceremony for the engine
 * (op.h). A closed ceremony - or one whose close was cut short - is
 * refused before any passphrase is asked and before any device or file
 * is touched.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cairo.h>

#include "../cards/pcsc.h"
#include "../common/atomicio.h"
#include "../common/buildinfo.h"
#include "../common/secmem.h"
#include "ceremony.h"
#include "op_int.h"
#include "paper.h"
#include "sharefile_v1.h"
#include "summary.h"
#include "transcript.h"
#include "verify.h"

/* The action of the last whole record of dir's transcript ("" none). */
static void
last_action(const char *dir, char *out, size_t sz)
{
	struct transcript_record rec;
	char path[PATH_MAX];
	unsigned char *buf = NULL;
	const char *why, *p, *end;
	size_t len = 0;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_TRANSCRIPT) >=
	    (int)sizeof(path) || atomicio_read(path, CEREMONY_TRANSCRIPT_MAX,
	    0, &buf, &len) != CUSTOS_OK)
		return;
	/* the start of the last line that ends in '\n' */
	end = (char *)buf + len;
	while (end > (char *)buf && end[-1] != '\n')
		end--;
	if (end > (char *)buf) {
		for (p = end - 1; p > (char *)buf && p[-1] != '\n'; p--)
			;
		if (transcript_parse_record(p, (size_t)(end - 1 - p), &rec,
		    &why) == CUSTOS_OK) {
			snprintf(out, sz, "%s", rec.action);
			transcript_record_clear(&rec);
		}
	}
	atomicio_free_buf(buf, len, 0);
}

/* Refuses a closed ceremony before anything is asked. */
static int
check_not_closed(struct op_ctx *cx, const char *dir, int for_close)
{
	static struct ceremony_verdict v;
	char path[PATH_MAX], last[64];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_PUB) >=
	    (int)sizeof(path))
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "ceremony %s: the "
		    "path is too long", dir);
	if (stat(path, &sb) != 0)
		return op_fail(cx, custos_err_from_errno(errno), "ceremony %s: "
		    "%s", dir, errno == ENOENT ? "not a ceremony directory (no "
		    CEREMONY_PUB ")" : strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_KEY);
	if (lstat(path, &sb) != 0 && errno == ENOENT)
		return op_fail(cx, CUSTOS_ERR_CLOSED, "ceremony %s is closed: "
		    "nothing more can be done in it or recorded", dir);
	last_action(dir, last, sizeof(last));
	if (!for_close && strcmp(last, "ceremony.close") == 0)
		return op_fail(cx, CUSTOS_ERR_CLOSED, "ceremony %s is closed, "
		    "but its close was cut short: finish it with custos "
		    "ceremony close %s; nothing was done", dir, dir);
	/* A transcript whose chain or signatures do not verify is refused
	   before anyone types the passphrase (a partial last line is for
	   the unlock to repair; a rule not yet met - a key restored but not
	   yet proven - is for the rerun to meet; a cut close has its own
	   checks when close is rerun). */
	if (!for_close && ceremony_verify(dir, &v, NULL, NULL) ==
	    CUSTOS_ERR_CORRUPT && v.rule_record < 0)
		return op_fail(cx, CUSTOS_ERR_CORRUPT, "ceremony %s: its "
		    "transcript does not verify; nothing was done (see custos "
		    "audit verify)", dir);
	return CUSTOS_OK;
}

struct unlock_job {
	struct ceremony **cer;
	const char *dir;
	const char *pw;
	size_t pwlen;
	int for_close;
};

static int
unlock_job(void *p)
{
	struct unlock_job *j = p;

	if (j->for_close)
		return ceremony_unlock_for_close(j->cer, j->dir,
		    (const unsigned char *)j->pw, j->pwlen);
	return ceremony_unlock(j->cer, j->dir, (const unsigned char *)j->pw,
	    j->pwlen);
}

/* After unlocking: paths, the records, what a cut left. */
static int
settle(struct op_ctx *cx, const char *dir)
{
	int r;

	snprintf(cx->cdir, sizeof(cx->cdir), "%s", dir);
	if (realpath(dir, cx->creal) == NULL)
		snprintf(cx->creal, sizeof(cx->creal), "%s", dir);
	if ((r = ledger_from_transcript(&cx->led, dir)) != CUSTOS_OK)
		return op_fail(cx, r, "ceremony %s: reading its transcript: %s",
		    dir, custos_strerror(r));
	return op_reconcile_files(cx);
}

static int
unlock(struct op_ctx *cx, const char *dir, int for_close)
{
	struct unlock_job job;
	char *pw = NULL, what[PATH_MAX + 64];
	size_t pwlen = 0;
	int r = CUSTOS_ERR_BAD_PASSPHRASE, tries, retry;

	if (cx->cer != NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "a ceremony is "
		    "already open");
	if ((r = check_not_closed(cx, dir, for_close)) != CUSTOS_OK)
		return r;
	retry = cx->io->can_retry != NULL &&
	    cx->io->can_retry(cx->io->arg, OP_SECRET_ADMIN);
	snprintf(what, sizeof(what), "Administrator passphrase for ceremony "
	    "%s", dir);
	for (tries = 0; tries < (retry ? 3 : 1); tries++) {
		if (tries > 0)
			op_warn(cx, "ceremony %s: wrong administrator "
			    "passphrase, %d tr%s left", dir, 3 - tries,
			    3 - tries == 1 ? "y" : "ies");
		if ((r = op_secret(cx, OP_SECRET_ADMIN, "administrator", what,
		    "It unlocks the ceremony's signing key.", &pw, &pwlen)) !=
		    CUSTOS_OK)
			return r;
		job.cer = &cx->cer;
		job.dir = dir;
		job.pw = pw;
		job.pwlen = pwlen;
		job.for_close = for_close;
		r = op_slow(cx, "Unlocking the ceremony (Argon2id)", unlock_job,
		    &job);
		secmem_free(pw);
		pw = NULL;
		if (r != CUSTOS_ERR_BAD_PASSPHRASE)
			break;
	}
	if (r != CUSTOS_OK)
		return op_fail(cx, r, "ceremony %s: %s", dir,
		    r == CUSTOS_ERR_BAD_PASSPHRASE ? "wrong administrator "
		    "passphrase" : r == CUSTOS_ERR_CORRUPT ? "its transcript "
		    "does not verify; nothing was done (see custos audit "
		    "verify)" : r == CUSTOS_ERR_CLOSED ? "it is closed; nothing "
		    "was done" : custos_strerror(r));
	return settle(cx, dir);
}

int
op_ceremony_unlock(struct op_ctx *cx, const char *dir)
{
	return unlock(cx, dir, 0);
}

int
op_ceremony_unlock_for_close(struct op_ctx *cx, const char *dir)
{
	return unlock(cx, dir, 1);
}

struct create_job {
	const char *dir;
	struct ceremony_params *cp;
	const char *pw;
	size_t pwlen;
	struct op_open_result *res;
};

static int
create_job(void *p)
{
	struct create_job *j = p;

	return ceremony_create(j->dir, j->cp, (const unsigned char *)j->pw,
	    j->pwlen, j->res->id, j->res->pubkey_sha256);
}

/* "eth0, wlan0" into out. */
static void
iface_list(const struct buildinfo *bi, char *out, size_t sz)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < bi->nifup && used < sz; i++)
		used += (size_t)snprintf(out + used, sz - used, "%s%s",
		    i ? ", " : "", bi->ifup[i]);
}

/* The machine's facts; refuses when an offline machine is required. */
static int
machine_facts(struct op_ctx *cx, int offline_required, struct buildinfo *bi)
{
	char ifs[BUILDINFO_MAXIFS * (BUILDINFO_IFNAME + 2) + 1];
	int r;

	buildinfo_register("pcsc-lite", pcsc_lite_version());
	buildinfo_register("cairo", cairo_version_string());
	if ((r = buildinfo_read(bi)) != CUSTOS_OK || bi->exe_sha256[0] ==
	    '\0')
		return op_fail(cx, r != CUSTOS_OK ? r : CUSTOS_ERR_IO, "cannot "
		    "read what the ceremony record must name (the executable "
		    "/proc/self/exe, or the network interfaces): %s",
		    custos_strerror(r));
	if (bi->nifup == 0)
		return CUSTOS_OK;
	iface_list(bi, ifs, sizeof(ifs));
	if (offline_required)
		return op_fail(cx, CUSTOS_ERR_REFUSED, "this ceremony requires "
		    "an offline machine, but network interface%s up: %s; take "
		    "%s down (ip link set DEV down) or unplug %s first",
		    bi->nifup > 1 ? "s are" : " is", ifs, bi->nifup > 1 ?
		    "them" : "it", bi->nifup > 1 ? "them" : "it");
	op_warn(cx, "network interface%s up: %s; the ceremony record will "
	    "say so", bi->nifup > 1 ? "s are" : " is", ifs);
	return CUSTOS_OK;
}

int
op_require_offline(struct op_ctx *cx)
{
	struct buildinfo bi;

	return machine_facts(cx, 1, &bi);
}

int
op_ceremony_open(struct op_ctx *cx, const char *dir,
    const struct op_open_args *a, struct op_open_result *res)
{
	struct ceremony_params cp;
	struct buildinfo bi;
	struct create_job cj;
	struct unlock_job uj;
	const char *why;
	char *pw = NULL;
	size_t pwlen = 0, i;
	int r;

	memset(&cp, 0, sizeof(cp));
	if ((r = machine_facts(cx, a->offline_required, &bi)) != CUSTOS_OK)
		return r;
	if ((why = v1_check_text(a->title, 200)) != NULL ||
	    (why = v1_check_text(a->admin, V1_LABEL_MAX)) != NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "title or admin name "
		    "%s", why);
	for (i = 0; i < a->nwitnesses; i++)
		if ((why = v1_check_text(a->witnesses[i], V1_LABEL_MAX)) !=
		    NULL)
			return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "witness %s",
			    why);
	if ((r = op_secret(cx, OP_SECRET_ADMIN_NEW, a->admin, "New "
	    "administrator passphrase for the ceremony", "It protects the "
	    "ceremony's signing key until the ceremony is closed.", &pw,
	    &pwlen)) != CUSTOS_OK)
		return r;
	cp.title = a->title;
	cp.admin = a->admin;
	cp.rehearsal = a->rehearsal;
	cp.witnesses = a->witnesses;
	cp.nwitnesses = a->nwitnesses;
	cp.plan_sha256 = a->plan_sha256;
	cp.machine = &bi;
	cp.kdf_ops = a->kdf_ops ? a->kdf_ops : V1_OPS_DEFAULT;
	cp.kdf_mem_kib = a->kdf_mem_kib ? a->kdf_mem_kib : V1_MEM_KIB_DEFAULT;
	cj.dir = dir;
	cj.cp = &cp;
	cj.pw = pw;
	cj.pwlen = pwlen;
	cj.res = res;
	if ((r = op_slow(cx, "Creating the ceremony's signing key", create_job,
	    &cj)) != CUSTOS_OK) {
		r = op_fail(cx, r, "%s: %s", dir, custos_strerror(r));
		goto out;
	}
	uj.cer = &cx->cer;
	uj.dir = dir;
	uj.pw = pw;
	uj.pwlen = pwlen;
	uj.for_close = 0;
	if ((r = op_slow(cx, "Unlocking the ceremony (Argon2id)", unlock_job,
	    &uj)) != CUSTOS_OK) {
		r = op_fail(cx, r, "%s: %s", dir, custos_strerror(r));
		goto out;
	}
	r = settle(cx, dir);
 out:
	secmem_free(pw);
	return r;
}

/*
 * Creates dir/name holding buf, or finds it there already with the same
 * bytes (a close cut short and taken up again writes the same summary);
 * a different file is never touched.
 */
static int
put_same(struct op_ctx *cx, const char *name, const void *buf, size_t len)
{
	char path[PATH_MAX + 32];
	unsigned char *old = NULL;
	size_t olen = 0;
	int r, same;

	if (snprintf(path, sizeof(path), "%s/%s", cx->cdir, name) >=
	    (int)sizeof(path))
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: the path is too "
		    "long", cx->cdir);
	atomicio_clean_temps(path);
	if ((r = atomicio_create(path, buf, len)) == CUSTOS_OK) {
		op_note(cx, "wrote %s", path);
		return CUSTOS_OK;
	}
	if (r != CUSTOS_ERR_EXISTS)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	r = atomicio_read(path, PAPER_MAX, 0, &old, &olen);
	same = r == CUSTOS_OK && olen == len && memcmp(old, buf, len) == 0;
	atomicio_free_buf(old, olen, 0);
	if (!same)
		return op_fail(cx, CUSTOS_ERR_EXISTS, "%s exists and is not "
		    "this ceremony's closing summary (a close taken up again "
		    "needs the same --paper); it is never touched: move it "
		    "aside and close again", path);
	return CUSTOS_OK;
}

/* summary.txt and summary.pdf from the transcript as closed. */
static int
write_summary(struct op_ctx *cx, enum paper_size paper)
{
	unsigned char h[crypto_hash_sha256_BYTES], *buf = NULL, *pdf = NULL;
	char path[PATH_MAX + 32], hex[65], when[21], *txt = NULL;
	struct paper_doc d;
	size_t len = 0, tlen = 0, plen = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", cx->cdir,
	    CEREMONY_TRANSCRIPT) >= (int)sizeof(path))
		return op_fail(cx, CUSTOS_ERR_TOO_LARGE, "%s: the path is too "
		    "long", cx->cdir);
	if ((r = atomicio_read(path, CEREMONY_TRANSCRIPT_MAX, 0, &buf, &len))
	    != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if ((r = summary_text(&txt, &tlen, when, (const char *)buf, len,
	    hex)) != CUSTOS_OK) {
		r = op_fail(cx, r, "the closing summary: %s",
		    custos_strerror(r));
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.size = paper;
	d.title = "Key ceremony closing summary";
	d.created = when;
	d.head = txt;
	if ((r = paper_render(&pdf, &plen, &d)) != CUSTOS_OK) {
		r = op_fail(cx, r, "the closing summary as PDF: %s",
		    custos_strerror(r));
		goto out;
	}
	if ((r = put_same(cx, SUMMARY_TXT, txt, tlen)) == CUSTOS_OK)
		r = put_same(cx, SUMMARY_PDF, pdf, plen);
 out:
	secmem_free(pdf);
	free(txt);
	atomicio_free_buf(buf, len, 0);
	return r;
}

int
op_ceremony_close(struct op_ctx *cx, enum paper_size paper)
{
	json_t *open, *in;
	size_t i;
	int r;

	if (cx->cer == NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "no ceremony is open");
	/* a step begun and never taken again ends here, in the record */
	if ((open = ledger_open_intents(cx->led)) == NULL)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	json_array_foreach(open, i, in) {
		if ((r = op_intent_void(cx, NULL, op_actor(cx,
		    ceremony_admin(cx->cer)), (unsigned long long)
		    json_integer_value(json_object_get(in, "seq")), "never "
		    "finished before the ceremony was closed", NULL)) !=
		    CUSTOS_OK) {
			json_decref(open);
			return r;
		}
	}
	json_decref(open);
	/* The summary is written from the closed transcript before the
	   close is final; a close cut short writes it when taken up. */
	if ((r = ceremony_close_record(cx->cer, op_actor(cx,
	    ceremony_admin(cx->cer)))) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", cx->cdir, custos_strerror(r));
	if ((r = write_summary(cx, paper)) != CUSTOS_OK)
		return r;
	if ((r = ceremony_close_finish(cx->cer)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", cx->cdir, custos_strerror(r));
	if (cx->io->recorded != NULL)
		cx->io->recorded(cx->io->arg, "ceremony.close", cx->step);
	return CUSTOS_OK;
}
