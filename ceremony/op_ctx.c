/*
 * op_ctx.c - the engine's context: failing with one line, and asking
 * and telling people through the front end's io (op.h, op_int.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/pwpolicy.h"
#include "../common/secmem.h"
#include "ceremony.h"
#include "op_dev.h"
#include "op_int.h"

int
op_ctx_new(struct op_ctx **out, const struct op_io *io, char *why,
    size_t whysz)
{
	struct op_ctx *cx = calloc(1, sizeof(*cx));

	*out = NULL;
	if (cx == NULL)
		return CUSTOS_ERR_NOMEM;
	cx->io = io;
	op_set_why(cx, why, whysz);
	*out = cx;
	return CUSTOS_OK;
}

int
op_ctx_worker(const struct op_ctx *parent, const struct op_io *io,
    pthread_mutex_t *lock, struct op_ctx **out)
{
	struct op_ctx *cx = malloc(sizeof(*cx));

	*out = NULL;
	if (cx == NULL)
		return CUSTOS_ERR_NOMEM;
	*cx = *parent;
	memset(cx->devs, 0, sizeof(cx->devs));
	cx->io = io;
	cx->borrowed = 1;
	cx->lock = lock;
	op_set_why(cx, NULL, 0);
	*out = cx;
	return CUSTOS_OK;
}

void
op_lock(struct op_ctx *cx)
{
	if (cx->lock != NULL)
		(void)pthread_mutex_lock(cx->lock);
}

void
op_unlock(struct op_ctx *cx)
{
	if (cx->lock != NULL)
		(void)pthread_mutex_unlock(cx->lock);
}

void
op_ctx_free(struct op_ctx *cx)
{
	size_t i;

	if (cx == NULL)
		return;
	if (cx->borrowed) {
		free(cx);
		return;
	}
	for (i = 0; i < OP_MAX_DEVS; i++)
		op_dev_free(cx->devs[i]);
	ceremony_free(cx->cer);
	ledger_free(cx->led);
	free(cx);
}

void
op_set_why(struct op_ctx *cx, char *why, size_t whysz)
{
	if (why == NULL || whysz == 0) {
		why = cx->whybuf;
		whysz = sizeof(cx->whybuf);
	}
	cx->why = why;
	cx->whysz = whysz;
	cx->why[0] = '\0';
}

const char *
op_why(const struct op_ctx *cx)
{
	return cx->why;
}

void
op_set_actor(struct op_ctx *cx, const char *actor)
{
	cx->actor = actor;
}

void
op_set_step(struct op_ctx *cx, const char *step)
{
	cx->step = step;
}

int
op_in_ceremony(const struct op_ctx *cx)
{
	return cx->cer != NULL;
}

int
op_is_rehearsal(const struct op_ctx *cx)
{
	return cx->cer != NULL && ceremony_is_rehearsal(cx->cer);
}

const char *
op_ceremony_id(const struct op_ctx *cx)
{
	return cx->cer != NULL ? ceremony_id(cx->cer) : NULL;
}

const char *
op_ceremony_dir(const struct op_ctx *cx)
{
	return cx->cer != NULL ? cx->cdir : NULL;
}

const char *
op_admin(const struct op_ctx *cx)
{
	return cx->cer != NULL ? ceremony_admin(cx->cer) : NULL;
}

struct ceremony *
op_ceremony(struct op_ctx *cx)
{
	return cx->cer;
}

const char *
op_actor(const struct op_ctx *cx, const char *dflt)
{
	const char *admin = op_admin(cx);

	/* In a ceremony the administrator, who unlocked it, is at the
	   keyboard: an administrator step names them, not "operator". */
	if (cx->actor == NULL && strcmp(dflt, "operator") == 0 &&
	    admin != NULL && admin[0] != '\0')
		return admin;
	return cx->actor != NULL ? cx->actor : dflt;
}

void
op_set_why_text(struct op_ctx *cx, const char *text)
{
	snprintf(cx->why, cx->whysz, "%s", text);
}

int
op_fail(struct op_ctx *cx, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	vsnprintf(cx->why, cx->whysz, fmt, ap);
	va_end(ap);
	return r;
}

void
op_note(struct op_ctx *cx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (cx->io->note != NULL)
		cx->io->note(cx->io->arg, line);
}

void
op_warn(struct op_ctx *cx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (cx->io->warn != NULL)
		cx->io->warn(cx->io->arg, line);
	else if (cx->io->note != NULL)
		cx->io->note(cx->io->arg, line);
}

void
op_show(struct op_ctx *cx, const char *label, const char *hex)
{
	if (cx->io->show != NULL)
		cx->io->show(cx->io->arg, label, hex);
}

int
op_slow(struct op_ctx *cx, const char *what, int (*fn)(void *ctx),
    void *ctx)
{
	if (cx->io->slow != NULL)
		return cx->io->slow(cx->io->arg, what, fn, ctx);
	return fn(ctx);
}

/* What the policy of kind says about s (NULL: it passes). */
static const char *
policy(enum op_secret kind, const char *s, size_t len)
{
	switch (kind) {
	case OP_SECRET_NEW:
	case OP_SECRET_ADMIN_NEW:
	case OP_SECRET_EXPORT_NEW:
		return pwpolicy_check(s, len, 0);
	case OP_SECRET_NEW_LEGACY:
		return pwpolicy_check(s, len, 1);
	case OP_SECRET_PIN:
	case OP_SECRET_PIN_NEW:
		return len < 6 || len > 16 ? "a PIN has 6 to 16 characters" :
		    NULL;
	case OP_SECRET_SO_PIN:
	case OP_SECRET_SO_PIN_NEW:
		return len != 16 || strspn(s, "0123456789abcdefABCDEF") != 16 ?
		    "the SO PIN is 16 hexadecimal digits" : NULL;
	default:
		return NULL;
	}
}

static int
is_new_passphrase(enum op_secret kind)
{
	return kind == OP_SECRET_NEW || kind == OP_SECRET_NEW_LEGACY ||
	    kind == OP_SECRET_ADMIN_NEW || kind == OP_SECRET_EXPORT_NEW;
}

int
op_secret(struct op_ctx *cx, enum op_secret kind, const char *who,
    const char *what, const char *hint, char **out, size_t *len)
{
	const char *bad;
	int tries, r = CUSTOS_ERR_CANCELLED, retry;

	*out = NULL;
	*len = 0;
	retry = cx->io->can_retry != NULL &&
	    cx->io->can_retry(cx->io->arg, kind);
	for (tries = 0; tries < 3; tries++) {
		r = cx->io->secret(cx->io->arg, kind, who, what, hint != NULL ?
		    hint : "", out, len);
		if (r == CUSTOS_ERR_PASSPHRASE_MISMATCH && retry) {
			op_warn(cx, "The two entries differ; please type it again.");
			continue;
		}
		if (r == CUSTOS_ERR_TRUNCATED)
			return op_fail(cx, r, "%s: no line left for it", what);
		if (r != CUSTOS_OK)
			return op_fail(cx, r, "%s: %s", what,
			    custos_strerror(r));
		if ((bad = policy(kind, *out, *len)) == NULL)
			return CUSTOS_OK;
		secmem_free(*out);
		*out = NULL;
		*len = 0;
		r = is_new_passphrase(kind) ? CUSTOS_ERR_WEAK_PASSPHRASE :
		    CUSTOS_ERR_FORMAT;
		if (!retry)
			return op_fail(cx, r, "%s%s", is_new_passphrase(kind) ?
			    "passphrase refused: " : "", bad);
		op_warn(cx, "%s%s", is_new_passphrase(kind) ?
		    "passphrase refused: " : "", bad);
	}
	return op_fail(cx, CUSTOS_ERR_CANCELLED, "%s: %s", what,
	    r == CUSTOS_ERR_PASSPHRASE_MISMATCH ? "the entries differed three "
	    "times" : "refused three times");
}

int
op_confirm(struct op_ctx *cx, const char *consequence, const char *word,
    const char *refusal)
{
	int r = cx->io->confirm != NULL ? cx->io->confirm(cx->io->arg,
	    consequence, word != NULL ? word : "") : CUSTOS_ERR_CANCELLED;

	if (r == CUSTOS_OK)
		return CUSTOS_OK;
	return op_fail(cx, CUSTOS_ERR_REFUSED, "%s", refusal);
}

int
op_recordable(struct op_ctx *cx, const char *what, const char *s)
{
	const unsigned char *p;
	json_t *j;

	if (s == NULL)
		return CUSTOS_OK;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "the %s "
			    "contains a control character; it cannot be "
			    "recorded", what);
	if ((j = json_string(s)) == NULL)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "the %s is not valid "
		    "UTF-8; it cannot be recorded", what);
	json_decref(j);
	return CUSTOS_OK;
}
