/*
 * op_restore_many.c - backup restore onto several devices at once (a
 * replacement and its spares): every device logged in first, one after
 * another (a person may have to type each PIN), then one thread per
 * device runs op_backup_restore() with a context of its own
 * (op_ctx_worker). What one device does - a wrong DKEK, a card pulled,
 * a key that fails - is its own: the others go on, and each has its own
 * records and outcome. A rerun completes each device where it stopped.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_backup.h"
#include "op_dev.h"
#include "op_int.h"

_Static_assert(OP_RESTORE_MAX <= OP_MAX_DEVS, "a context holds every device");

struct group {
	pthread_mutex_t mu;		/* recursive: records and io */
	struct op_ctx *parent;
	size_t n;			/* devices at work (logged in) */
	size_t ndev;			/* devices named */
	size_t *done;			/* each one's progress */
	size_t total;			/* keys per device */
};

struct worker {
	struct group *g;
	size_t idx;
	struct op_restore_one *one;
	struct op_ctx *cx;
	struct op_io io;		/* the parent's, one call at a time */
	const char *set;
	const struct backup_restore_opts *o;
	struct backup_manifest *m;
	char sha[65];
	char label[80];
};

static const struct op_io *
pio(const struct worker *w)
{
	return w->g->parent->io;
}

/* The parent's io, under the lock, the line naming the device. */
static void
w_line(struct worker *w, const char *text, int warn)
{
	const struct op_io *io = pio(w);
	char line[1200];

	snprintf(line, sizeof(line), "HSM %s: %s", w->label, text);
	(void)pthread_mutex_lock(&w->g->mu);
	if (warn && io->warn != NULL)
		io->warn(io->arg, line);
	else if (io->note != NULL)
		io->note(io->arg, line);
	(void)pthread_mutex_unlock(&w->g->mu);
}

static void
w_note(void *arg, const char *text)
{
	w_line(arg, text, 0);
}

static void
w_warn(void *arg, const char *text)
{
	w_line(arg, text, 1);
}

/* One bar for all: the keys done on every device against all of them. */
static void
w_progress(void *arg, const char *what, size_t done, size_t total)
{
	struct worker *w = arg;
	struct group *g = w->g;
	size_t i, sum = 0;
	char line[128];

	(void)what;
	(void)total;
	(void)pthread_mutex_lock(&g->mu);
	g->done[w->idx] = done;
	for (i = 0; i < g->ndev; i++)
		sum += g->done[i];
	snprintf(line, sizeof(line), "Restoring and proving keys on %zu "
	    "HSMs", g->n);
	if (pio(w)->progress != NULL)
		pio(w)->progress(pio(w)->arg, line, sum, g->total * g->n);
	(void)pthread_mutex_unlock(&g->mu);
}

static void
w_show(void *arg, const char *label, const char *hex)
{
	struct worker *w = arg;
	char l[200];

	snprintf(l, sizeof(l), "HSM %s: %s", w->label, label);
	(void)pthread_mutex_lock(&w->g->mu);
	if (pio(w)->show != NULL)
		pio(w)->show(pio(w)->arg, l, hex);
	(void)pthread_mutex_unlock(&w->g->mu);
}

static void
w_recorded(void *arg, const char *action, const char *step)
{
	struct worker *w = arg;

	(void)pthread_mutex_lock(&w->g->mu);
	if (pio(w)->recorded != NULL)
		pio(w)->recorded(pio(w)->arg, action, step);
	(void)pthread_mutex_unlock(&w->g->mu);
}

/* A restore asks nothing once its device is logged in: anything it
   would ask is refused (the PIN was verified before the threads). */
static int
w_secret(void *arg, enum op_secret kind, const char *who, const char *what,
    const char *hint, char **out, size_t *len)
{
	(void)arg; (void)kind; (void)who; (void)what; (void)hint;
	*out = NULL;
	*len = 0;
	return CUSTOS_ERR_CANCELLED;
}

static int
w_can_retry(void *arg, enum op_secret kind)
{
	(void)arg;
	(void)kind;
	return 0;
}

static int
w_confirm(void *arg, const char *consequence, const char *word)
{
	(void)arg;
	(void)consequence;
	(void)word;
	return CUSTOS_ERR_CANCELLED;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	struct op_restore_one *one = w->one;

	one->r = op_backup_restore(w->cx, one->dev, w->set, w->o, w->m,
	    w->sha, one->out, &one->done);
	if (one->r != CUSTOS_OK)
		snprintf(one->why, sizeof(one->why), "%s", op_why(w->cx));
	return NULL;
}

static int
worker_new(struct group *g, size_t idx, struct op_restore_one *one,
    const char *set, const struct backup_restore_opts *o, struct worker *w)
{
	memset(w, 0, sizeof(*w));
	w->g = g;
	w->idx = idx;
	w->one = one;
	w->set = set;
	w->o = o;
	snprintf(w->label, sizeof(w->label), "%s", op_dev_label(one->dev));
	w->io.arg = w;
	w->io.note = w_note;
	w->io.warn = w_warn;
	w->io.progress = w_progress;
	w->io.show = w_show;
	w->io.recorded = w_recorded;
	w->io.secret = w_secret;
	w->io.can_retry = w_can_retry;
	w->io.confirm = w_confirm;
	if ((w->m = calloc(1, sizeof(*w->m))) == NULL)
		return CUSTOS_ERR_NOMEM;
	return op_ctx_worker(g->parent, &w->io, &g->mu, &w->cx);
}

static void
worker_free(struct worker *w)
{
	op_ctx_free(w->cx);
	free(w->m);
}

static int
lock_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t a;
	int r;

	if (pthread_mutexattr_init(&a) != 0)
		return CUSTOS_ERR_NOMEM;
	r = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0 &&
	    pthread_mutex_init(mu, &a) == 0 ? CUSTOS_OK : CUSTOS_ERR_NOMEM;
	(void)pthread_mutexattr_destroy(&a);
	return r;
}

/* Logs in to each device in turn; a device that fails keeps its reason. */
static size_t
login_all(struct op_ctx *cx, struct op_restore_one *devs, size_t n)
{
	const char *who = op_actor(cx, "operator");
	size_t i, ok = 0;

	for (i = 0; i < n; i++) {
		devs[i].r = CUSTOS_OK;
		devs[i].done = 0;
		devs[i].why[0] = '\0';
		op_note(cx, "HSM %s (%s): logging in", op_dev_label(devs[i].dev),
		    op_dev_reader(devs[i].dev));
		if ((devs[i].r = op_dev_login(cx, devs[i].dev, who)) !=
		    CUSTOS_OK)
			snprintf(devs[i].why, sizeof(devs[i].why), "%s",
			    op_why(cx));
		else
			ok++;
	}
	return ok;
}

int
op_backup_restore_many(struct op_ctx *cx, const char *set,
    const struct backup_restore_opts *o, struct backup_manifest *m,
    char sha[65], struct op_restore_one *devs, size_t n)
{
	struct group g;
	struct worker *w = NULL;
	pthread_t *th = NULL;
	unsigned char *started = NULL;
	size_t i, bad = 0;
	int r;

	if (n == 0 || n > OP_RESTORE_MAX)
		return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "restore onto 1 to "
		    "%d devices at once", OP_RESTORE_MAX);
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (devs[i].dev == devs[j].dev || strcmp(op_dev_serial(
			    devs[i].dev), op_dev_serial(devs[j].dev)) == 0)
				return op_fail(cx, CUSTOS_ERR_INVALID_ARG, "HSM "
				    "%s is named twice", op_dev_serial(
				    devs[i].dev));
	}
	/* The set is read and checked before any device is touched; a
	   failure here is every device's too. */
	if ((r = op_backup_load(cx, set, m, sha)) != CUSTOS_OK) {
		for (i = 0; i < n; i++) {
			devs[i].r = r;
			devs[i].done = 0;
			snprintf(devs[i].why, sizeof(devs[i].why), "%s",
			    op_why(cx));
		}
		return r;
	}
	memset(&g, 0, sizeof(g));
	if (lock_init(&g.mu) != CUSTOS_OK)
		return op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
	g.parent = cx;
	g.n = 0;
	g.ndev = n;
	g.total = m->nkeys;
	if ((g.done = calloc(n, sizeof(*g.done))) == NULL ||
	    (w = calloc(n, sizeof(*w))) == NULL ||
	    (th = calloc(n, sizeof(*th))) == NULL ||
	    (started = calloc(n, 1)) == NULL) {
		r = op_fail(cx, CUSTOS_ERR_NOMEM, "out of memory");
		goto out;
	}
	g.n = login_all(cx, devs, n);	/* the bar counts those at work */
	for (i = 0; i < n; i++) {
		if (devs[i].r != CUSTOS_OK)
			continue;
		if ((r = worker_new(&g, i, &devs[i], set, o, &w[i])) !=
		    CUSTOS_OK) {
			devs[i].r = r;
			snprintf(devs[i].why, sizeof(devs[i].why), "out of "
			    "memory");
			continue;
		}
		if (pthread_create(&th[i], NULL, run, &w[i]) == 0)
			started[i] = 1;
		else
			run(&w[i]);	/* no thread: this one in turn */
	}
	for (i = 0; i < n; i++)
		if (started[i])
			(void)pthread_join(th[i], NULL);
	for (i = 0; i < n; i++) {
		worker_free(&w[i]);
		bad += devs[i].r != CUSTOS_OK;
	}
	r = bad == 0 ? CUSTOS_OK : op_fail(cx, CUSTOS_ERR_CORRUPT, "%zu of "
	    "%zu HSMs were not restored completely", bad, n);
 out:
	free(started);
	free(th);
	free(w);
	free(g.done);
	(void)pthread_mutex_destroy(&g.mu);
	return r;
}
