/*
 * walk_build.c - the steps of each kind of ceremony, from its plan: ids,
 * titles, who acts, what each step does in a sentence or two, and the
 * consequence a person confirms before an irreversible one.
 */
#include <stdio.h>
#include <string.h>

#include "walk_int.h"

struct builder {
	struct walk_step *s;
	size_t max, n;
	int err;
};

static struct walk_step *
add(struct builder *b, enum walk_op op, int share, int hsm, int key)
{
	struct walk_step *st;

	if (b->n == b->max) {
		b->err = CUSTOS_ERR_LIMIT;
		return NULL;
	}
	st = &b->s[b->n++];
	memset(st, 0, sizeof(*st));
	st->op = op;
	st->share = share;
	st->hsm = hsm;
	st->key = key;
	st->dom = -1;
	return st;
}

/* "alice" or "2 of bob, carol, dave". */
static void
protection(char *out, size_t sz, const struct plan_share *ps)
{
	size_t off;
	unsigned i;

	if (ps->holder != NULL) {
		snprintf(out, sz, "%s", ps->holder);
		return;
	}
	off = (size_t)snprintf(out, sz, "%u of ", ps->threshold);
	for (i = 0; i < ps->ngroup && off < sz; i++)
		off += (size_t)snprintf(out + off, sz - off, "%s%s",
		    i ? ", " : "", ps->group[i]);
}

static void
admin(char *out, size_t sz, const struct plan *p)
{
	snprintf(out, sz, "%s (administrator)", p->admin);
}

static void
plan_step(struct builder *b, const struct plan *p)
{
	struct walk_step *st = add(b, WALK_PLAN, -1, -1, -1);

	if (st == NULL)
		return;
	snprintf(st->id, sizeof(st->id), "plan");
	snprintf(st->title, sizeof(st->title), "Check the plan");
	admin(st->actor, sizeof(st->actor), p);
	snprintf(st->explain, sizeof(st->explain), "Everyone compares the "
	    "plan's SHA-256 below with the printed plan they reviewed. If a "
	    "single group differs, stop: this is not the plan you agreed.");
}

static void
share_steps(struct builder *b, const struct plan *p)
{
	struct walk_step *st;
	unsigned i;

	for (i = 0; i < p->nshares; i++) {
		const struct plan_share *ps = &p->shares[i];

		st = add(b, ps->holder ? WALK_SHARE_CREATE : WALK_SHARE_SPLIT,
		    (int)i, -1, -1);
		if (st == NULL)
			return;
		snprintf(st->id, sizeof(st->id), "share-%u", i + 1);
		protection(st->actor, sizeof(st->actor), ps);
		if (ps->holder != NULL) {
			snprintf(st->title, sizeof(st->title), "DKEK share %u "
			    "for %s", i + 1, ps->holder);
			snprintf(st->explain, sizeof(st->explain), "A new "
			    "random DKEK share is made and sealed under a "
			    "passphrase only %s knows, in a share file. "
			    "Without that passphrase the share is lost.",
			    ps->holder);
		} else {
			snprintf(st->title, sizeof(st->title), "DKEK share %u, "
			    "split %u of %u", i + 1, ps->threshold,
			    ps->ngroup);
			snprintf(st->explain, sizeof(st->explain), "A new "
			    "random DKEK share is split so that any %u of the "
			    "%u custodians rebuild it. Each seals their part "
			    "under their own passphrase and may write down its "
			    "words.", ps->threshold, ps->ngroup);
		}
	}
}

/* Each custodian's personal device, before the HSMs are initialized:
   a new one makes its key (new-dkek); in a restore the same devices
   export their keys again, for the replacement. */
static void
pka_prepare_steps(struct builder *b, const struct plan *p)
{
	struct walk_step *st;
	unsigned i;

	for (i = 0; i < p->npka; i++) {
		if ((st = add(b, WALK_PKA_PREPARE, (int)i, -1, -1)) == NULL)
			return;
		snprintf(st->id, sizeof(st->id), "pka-prepare-%u", i + 1);
		snprintf(st->title, sizeof(st->title), "%s's personal device",
		    p->pka[i].name);
		snprintf(st->actor, sizeof(st->actor), "%s", p->pka[i].name);
		if (p->kind == PLAN_RESTORE)
			snprintf(st->explain, sizeof(st->explain), "%s's "
			    "personal device (serial %s) exports its "
			    "authentication key again, to be registered on "
			    "the replacement HSM. No PIN is needed.",
			    p->pka[i].name, p->pka[i].serial);
		else
			snprintf(st->explain, sizeof(st->explain), "%s's "
			    "personal device (serial %s) is initialized without "
			    "a DKEK, under a PIN only %s knows, and makes the "
			    "key %s will authenticate with.", p->pka[i].name,
			    p->pka[i].serial, p->pka[i].name, p->pka[i].name);
	}
}

/* The custodians' keys registered on HSM h, after its initialization. */
static void
pka_register_steps(struct builder *b, const struct plan *p, unsigned h)
{
	struct walk_step *st;
	unsigned i;

	for (i = 0; i < p->npka; i++) {
		if ((st = add(b, WALK_PKA_REGISTER, (int)i, (int)h, -1)) ==
		    NULL)
			return;
		snprintf(st->id, sizeof(st->id), "pka-register-%u-%u", h + 1,
		    i + 1);
		snprintf(st->title, sizeof(st->title), "Register %s's key on "
		    "%s", p->pka[i].name, p->hsms[h].name);
		admin(st->actor, sizeof(st->actor), p);
		snprintf(st->explain, sizeof(st->explain), "The key of %s's "
		    "device (serial %s) is checked, its certificate chain up "
		    "to the maker's root, and registered on HSM %s.",
		    p->pka[i].name, p->pka[i].serial, p->hsms[h].name);
	}
}

/* HSM h's initialization and the custodians' keys registered on it. */
static void
hsm_init_step(struct builder *b, const struct plan *p, unsigned h)
{
	struct walk_step *st;
	char what[64], who[80];

	if ((st = add(b, WALK_HSM_INIT, -1, (int)h, -1)) != NULL) {
		snprintf(st->id, sizeof(st->id), "hsm-init-%u", h + 1);
		snprintf(st->title, sizeof(st->title), "Initialize HSM %s",
		    p->hsms[h].name);
		admin(st->actor, sizeof(st->actor), p);
		/* what it is set up for, then who unlocks it */
		if (p->key_domains > 0)
			snprintf(what, sizeof(what), "with %d empty key domain "
			    "slots", p->key_domains);
		else
			snprintf(what, sizeof(what), "for a DKEK of %u share%s",
			    p->nshares, p->nshares == 1 ? "" : "s");
		if (p->npka > 0)
			snprintf(who, sizeof(who), "; %u of %u custodians' keys "
			    "stand for its user PIN", p->pka_required, p->npka);
		else
			snprintf(who, sizeof(who), ", with a new user PIN");
		snprintf(st->explain, sizeof(st->explain), "The HSM %s (serial "
		    "%s) is initialized %s%s. The SO PIN proves you may do "
		    "this.", p->hsms[h].name, p->hsms[h].serial, what, who);
		snprintf(st->consequence, sizeof(st->consequence), "This "
		    "ERASES every key on HSM %s (serial %s) and starts a new "
		    "DKEK. It cannot be undone.", p->hsms[h].name,
		    p->hsms[h].serial);
		snprintf(st->confirm_word, sizeof(st->confirm_word), "ERASE");
		pka_register_steps(b, p, h);
	}
}

/* Whether a ceremony initializes its HSMs: not in a key domain without
   key_domains (the HSM keeps its other domains and their keys). */
static int
initializes(const struct plan *p)
{
	return p->ndomains > 0 ? p->key_domains > 0 :
	    p->domain < 0 || p->key_domains > 0;
}

/* The DKEK on HSM h: its key domain created, the shares imported (init:
   a new DKEK), its KCV checked. */
static void
hsm_dkek_steps(struct builder *b, const struct plan *p, unsigned h, int init)
{
	struct walk_step *st;
	unsigned i;

	if (init && p->domain >= 0 &&
	    (st = add(b, WALK_DOMAIN_CREATE, -1, (int)h, -1)) != NULL) {
		snprintf(st->id, sizeof(st->id), "hsm-domain-%u", h + 1);
		snprintf(st->title, sizeof(st->title), "Create key domain %d "
		    "on %s", p->domain, p->hsms[h].name);
		admin(st->actor, sizeof(st->actor), p);
		snprintf(st->explain, sizeof(st->explain), "Key domain %d of "
		    "HSM %s is created for a DKEK of %u share%s; its other "
		    "domains and their keys are left as they are.", p->domain,
		    p->hsms[h].name, p->nshares, p->nshares == 1 ? "" : "s");
	}
	for (i = 0; init && i < p->nshares; i++) {
		if ((st = add(b, WALK_HSM_IMPORT, (int)i, (int)h, -1)) == NULL)
			return;
		snprintf(st->id, sizeof(st->id), "hsm-import-%u-%u", h + 1,
		    i + 1);
		snprintf(st->title, sizeof(st->title), "Import share %u into "
		    "%s", i + 1, p->hsms[h].name);
		protection(st->actor, sizeof(st->actor), &p->shares[i]);
		snprintf(st->explain, sizeof(st->explain), "The share is "
		    "opened with its passphrase%s and sent to the HSM, which "
		    "adds it to its DKEK. Each share goes in exactly once.",
		    p->shares[i].holder ? "" : "s of a quorum");
	}
	if ((st = add(b, WALK_HSM_KCV, -1, (int)h, -1)) == NULL)
		return;
	snprintf(st->id, sizeof(st->id), "hsm-kcv-%u", h + 1);
	snprintf(st->title, sizeof(st->title), "Check the DKEK of %s",
	    p->hsms[h].name);
	admin(st->actor, sizeof(st->actor), p);
	snprintf(st->explain, sizeof(st->explain), "The HSM shows the "
	    "check value (KCV) of its DKEK. %s",
	    p->expected_kcv[0] ? "It must equal the KCV on the paper record "
	    "of the original ceremony." : h > 0 ? "It must equal the first "
	    "HSM's." : "Everyone writes it down: a restore must show it.");
}

static void
key_steps(struct builder *b, const struct plan *p)
{
	struct walk_step *st;
	unsigned k;

	for (k = 0; k < p->nkeys; k++) {
		if ((st = add(b, WALK_KEYGEN, -1, 0, (int)k)) == NULL)
			return;
		snprintf(st->id, sizeof(st->id), "keygen-%u", k + 1);
		snprintf(st->title, sizeof(st->title), "Generate key %s",
		    p->keys[k].label);
		admin(st->actor, sizeof(st->actor), p);
		snprintf(st->explain, sizeof(st->explain), "HSM %s generates "
		    "the %s key \"%s\" inside the device; its public key is "
		    "recorded.", p->hsms[0].name, p->keys[k].type,
		    p->keys[k].label);
	}
	if (p->nkeys == 0 || (st = add(b, WALK_BACKUP, -1, 0, -1)) == NULL)
		return;
	snprintf(st->id, sizeof(st->id), "backup");
	snprintf(st->title, sizeof(st->title), "Back up the keys");
	admin(st->actor, sizeof(st->actor), p);
	snprintf(st->explain, sizeof(st->explain), "Every key of %s is "
	    "wrapped under the DKEK into the backup set %s, which is then "
	    "checked. Only the DKEK's shares can open it.", p->hsms[0].name,
	    p->backup);
}

static void
restore_step(struct builder *b, const struct plan *p)
{
	struct walk_step *st;

	if ((st = add(b, WALK_RESTORE, -1, 0, -1)) == NULL)
		return;
	snprintf(st->id, sizeof(st->id), "restore");
	snprintf(st->title, sizeof(st->title), "Restore the keys");
	admin(st->actor, sizeof(st->actor), p);
	if (p->nhsms > 1)
		snprintf(st->explain, sizeof(st->explain), "Every key of the "
		    "backup set %s is unwrapped into each of the %u HSMs at "
		    "once and proven on each: its public key read back and a "
		    "signature checked. One HSM's failure stops none of the "
		    "others.", p->backup, p->nhsms);
	else
		snprintf(st->explain, sizeof(st->explain), "Every key of the "
		    "backup set %s is unwrapped into %s and proven: its public "
		    "key read back and a signature checked.", p->backup,
		    p->hsms[0].name);
}

/*
 * The steps of one DKEK (v: the plan, or one of its domains; p: the
 * plan). A plan of one DKEK initializes its HSMs here; a plan naming
 * several domains has done so before the first (walk_build).
 */
static void
dkek_steps(struct builder *b, const struct plan *p, const struct plan *v)
{
	unsigned h;
	int init = p->ndomains == 0 && initializes(v);

	if (v->kind == PLAN_KEY_BACKUP) {
		hsm_dkek_steps(b, v, 0, 0);
		key_steps(b, v);
		return;
	}
	/* new-dkek: new shares first; restore: the existing ones */
	if (v->kind == PLAN_NEW_DKEK)
		share_steps(b, v);
	if (init)
		pka_prepare_steps(b, v);
	for (h = 0; h < v->nhsms; h++) {
		if (init)
			hsm_init_step(b, v, h);
		hsm_dkek_steps(b, v, h, 1);
	}
	if (v->kind == PLAN_NEW_DKEK)
		key_steps(b, v);
	else
		restore_step(b, v);
}

void
walk_domain_id(char *out, size_t sz, int dom, const char *base)
{
	if (dom >= 0)
		snprintf(out, sz, "d%d-%s", dom, base);
	else
		snprintf(out, sz, "%s", base);
}

/* Steps [from, b->n) are domain d's (v): its index, and its number in
   the id ("d1-share-1") and the title, so that no two are alike. */
static void
in_domain(struct builder *b, size_t from, unsigned d, const struct plan *v)
{
	char id[sizeof(b->s[0].id)], title[sizeof(b->s[0].title)];
	size_t i;

	for (i = from; i < b->n; i++) {
		struct walk_step *st = &b->s[i];

		st->dom = (int)d;
		walk_domain_id(id, sizeof(id), v->domain, st->id);
		snprintf(title, sizeof(title), "Domain %d: %s", v->domain,
		    st->title);
		memcpy(st->id, id, sizeof(id));
		memcpy(st->title, title, sizeof(title));
	}
}

int
walk_build(const struct plan *p, struct walk_step *steps, size_t max,
    size_t *n)
{
	struct builder b = { steps, max, 0, 0 };
	struct walk_step *st;
	unsigned d, h;

	*n = 0;
	plan_step(&b, p);
	switch (p->kind) {
	case PLAN_NEW_DKEK:
	case PLAN_KEY_BACKUP:
	case PLAN_RESTORE:
		if (p->ndomains == 0) {
			dkek_steps(&b, p, p);
			break;
		}
		if (p->kind != PLAN_KEY_BACKUP && initializes(p)) {
			pka_prepare_steps(&b, p);
			for (h = 0; h < p->nhsms; h++)
				hsm_init_step(&b, p, h);
		}
		for (d = 0; d < p->ndomains; d++) {
			size_t from = b.n;

			dkek_steps(&b, p, p->domains[d]);
			in_domain(&b, from, d, p->domains[d]);
		}
		break;
	case PLAN_RESHARE:
		if ((st = add(&b, WALK_RESHARE, (int)p->reshare_index, -1,
		    -1)) == NULL)
			break;
		snprintf(st->id, sizeof(st->id), "reshare-%u",
		    p->reshare_index + 1);
		snprintf(st->title, sizeof(st->title), "Re-share DKEK share %u",
		    p->reshare_index + 1);
		protection(st->actor, sizeof(st->actor), &p->reshare_from);
		snprintf(st->explain, sizeof(st->explain), "The old "
		    "custodians open share %u; it is sealed again for the new "
		    "ones, and a quorum of the new files must give the same "
		    "share back. The old files are left for you to destroy.",
		    p->reshare_index + 1);
		break;
	default:
		return CUSTOS_ERR_INVALID_ARG;
	}
	if ((st = add(&b, WALK_CLOSE, -1, -1, -1)) != NULL) {
		snprintf(st->id, sizeof(st->id), "close");
		snprintf(st->title, sizeof(st->title), "Close the ceremony");
		admin(st->actor, sizeof(st->actor), p);
		snprintf(st->explain, sizeof(st->explain), "The transcript is "
		    "signed and the ceremony's signing key destroyed. Nothing "
		    "can be added afterwards; auditors verify it with "
		    "minisign.");
		snprintf(st->consequence, sizeof(st->consequence), "This "
		    "CLOSES the ceremony for good: no step can be added.");
	}
	if (b.err != 0)
		return b.err;
	*n = b.n;
	return 0;
}
