/*
 * op_share_open.c - reading share files: the public header, and a DKEK
 * share opened with its holder's passphrase (op_share.h).
 */
#include <stdio.h>
#include <string.h>

#include "../common/encode.h"
#include "../common/secmem.h"
#include "op_int.h"
#include "op_share.h"
#include "sharefile.h"

int
op_share_inspect(struct op_ctx *cx, const char *path,
    struct op_share_header *h)
{
	struct sharefile_info info;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = sharefile_inspect(path, &info)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	if (info.format == SHAREFILE_PBE) {
		h->format = OP_FORMAT_PBE;
		if (encode_hex(h->salt, sizeof(h->salt), info.pbe_salt,
		    PBE_SALT_LEN, 0) != CUSTOS_OK)
			return op_fail(cx, CUSTOS_ERR_INTERNAL, "%s: salt", path);
		return CUSTOS_OK;
	}
	h->format = OP_FORMAT_V1;
	snprintf(h->label, sizeof(h->label), "%s", info.v1.label);
	snprintf(h->ceremony, sizeof(h->ceremony), "%s", info.v1.ceremony);
	snprintf(h->comment, sizeof(h->comment), "%s", info.v1.comment);
	snprintf(h->created, sizeof(h->created), "%s", info.v1.created);
	encode_hex_grouped8(h->fpr, info.v1.fpr);
	h->mem_kib = info.v1.mem_kib;
	h->opslimit = info.v1.opslimit;
	h->weak_kdf = info.v1.mem_kib < V1_MEM_KIB_FLOOR;
	return CUSTOS_OK;
}

/* A SLIP-39 member share file, or a ceremony's key, is no DKEK share. */
static int
refuse_kind(struct op_ctx *cx, const char *path,
    const struct sharefile_info *info)
{
	if (info->format != SHAREFILE_V1)
		return CUSTOS_OK;
	if (strcmp(info->v1.label, "ceremony-signing-key") == 0)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: this is a ceremony's "
		    "signing key, not a DKEK share", path);
	if (strncmp(info->v1.comment, "SLIP-39 member share", 20) == 0)
		return op_fail(cx, CUSTOS_ERR_FORMAT, "%s: this is a "
		    "custodian's SLIP-39 member share, not a DKEK share (custos "
		    "share combine rebuilds the DKEK share from a quorum)",
		    path);
	return CUSTOS_OK;
}

int
op_share_open_file(struct op_ctx *cx, const char *path, struct op_share *s)
{
	struct sharefile_info info;
	unsigned char fpr[DKEK_FPR_LEN];
	char *pw = NULL, what[4200], rel[4096];
	const char *who;
	size_t pwlen = 0;
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = sharefile_inspect(path, &info)) != CUSTOS_OK)
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	if ((r = refuse_kind(cx, path, &info)) != CUSTOS_OK)
		return r;
	who = info.format == SHAREFILE_V1 ? info.v1.label :
	    op_actor(cx, "operator");
	snprintf(what, sizeof(what), "Passphrase for %s%s%s", path,
	    info.format == SHAREFILE_V1 ? " of " : "",
	    info.format == SHAREFILE_V1 ? info.v1.label : "");
	if ((r = op_secret(cx, OP_SECRET_OLD, who, what, "", &pw, &pwlen)) !=
	    CUSTOS_OK) {
		if (r == CUSTOS_ERR_TRUNCATED)
			return op_fail(cx, r, "%s: the passphrase input has no "
			    "line left for it", path);
		return r;
	}
	if ((s->value = secmem_alloc(DKEK_SHARE_LEN)) == NULL) {
		secmem_free(pw);
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of guarded memory");
	}
	if (info.format == SHAREFILE_PBE && cx->io->progress != NULL)
		cx->io->progress(cx->io->arg, "deriving the sc-hsm-tool key "
		    "(about 10 s)...", 0, 0);
	r = sharefile_open(path, s->value, (unsigned char *)pw, pwlen,
	    PBE_ITERATIONS, &info);
	secmem_free(pw);
	if (r != CUSTOS_OK) {
		op_share_clear(s);
		if (r == CUSTOS_ERR_BAD_PASSPHRASE) {
			op_relpath(cx, path, rel, sizeof(rel));
			op_refused(cx, who, json_pack("{s:s, s:s, s:s}", "what",
			    "passphrase", "reason", custos_strerror(r), "file",
			    rel));
		}
		return op_fail(cx, r, "%s: %s", path, custos_strerror(r));
	}
	dkek_share_fingerprint(fpr, s->value);
	if (encode_hex(s->fpr, sizeof(s->fpr), fpr, sizeof(fpr), 1) != 0) {
		op_share_clear(s);
		return op_fail(cx, CUSTOS_ERR_INTERNAL, "fingerprint");
	}
	if (info.format == SHAREFILE_V1 && info.v1.mem_kib < V1_MEM_KIB_FLOOR)
		op_warn(cx, "%s: its key derivation is weak (Argon2id with %llu "
		    "KiB, below the %llu MiB custos writes): a guessed "
		    "passphrase is cheap to try; protect the share again (custos "
		    "share convert)", path, info.v1.mem_kib, V1_MEM_KIB_FLOOR /
		    1024);
	snprintf(s->file, sizeof(s->file), "%s", path);
	snprintf(s->names[0], sizeof(s->names[0]), "%s", who);
	s->ncustodians = 1;
	return CUSTOS_OK;
}
