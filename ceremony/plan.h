/*
 * plan.h - a ceremony plan: the YAML file people review before the day
 * (docs/formats/plan.md). It names the ceremony, its people, the DKEK
 * design, the HSMs, the keys and, for a restore, the expected KCV. It
 * never holds a credential: the schema is strict and has no field for one.
 */
#ifndef CUSTOS_PLAN_H
#define CUSTOS_PLAN_H

#include <stddef.h>

#include "../common/err.h"
#include "paper.h"

#define PLAN_MAX_BYTES (64U * 1024)
#define PLAN_MAX_PEOPLE 16	/* custodians; witnesses */
#define PLAN_MAX_SHARES 8
#define PLAN_MAX_GROUP 16	/* members of one M-of-N split */
#define PLAN_MAX_HSMS 4
#define PLAN_MAX_KEYS 64
#define PLAN_NAME_MAX 32	/* bytes of a person's or an HSM's name */
#define PLAN_MAX_PKA 7		/* custodians' personal devices */
#define PLAN_MAX_DOMAINS 4	/* key domains one plan names */

enum plan_kind {
	PLAN_NEW_DKEK = 1,	/* "new-dkek": shares, HSM init, keys, backup */
	PLAN_KEY_BACKUP,	/* "key-backup": keys on an initialized HSM */
	PLAN_RESTORE,		/* "restore": rebuild the DKEK, restore keys */
	PLAN_RESHARE,		/* "reshare": re-protect shares (turnover) */
};

/* One DKEK share: held whole by one custodian, or split M-of-N. */
struct plan_share {
	const char *holder;	/* NULL when split */
	unsigned threshold;	/* split: M (0 when held whole) */
	const char *group[PLAN_MAX_GROUP];	/* split: the N custodians */
	unsigned ngroup;
};

struct plan_hsm {
	const char *name;	/* short name; emu:NAME in a rehearsal */
	const char *serial;	/* the device serial, e.g. DENK0100123 */
};

struct plan_key {
	const char *label;
	const char *type;	/* "rsa:2048", "ec:P-256", as hsm keygen */
};

struct plan {
	enum plan_kind kind;
	int rehearsal;			/* rehearsal: true */
	int offline_required;		/* offline: required */
	const char *title, *admin;
	const char *witnesses[PLAN_MAX_PEOPLE];
	unsigned nwitnesses;
	const char *custodians[PLAN_MAX_PEOPLE];
	unsigned ncustodians;
	struct plan_share shares[PLAN_MAX_SHARES];	/* the DKEK design */
	unsigned nshares;
	/* reshare: the share's protection before the turnover (its index
	   in shares[] is reshare_index; the new design is shares[i]) */
	struct plan_share reshare_from;
	unsigned reshare_index;
	struct plan_hsm hsms[PLAN_MAX_HSMS];
	unsigned nhsms;
	struct plan_key keys[PLAN_MAX_KEYS];
	unsigned nkeys;
	const char *share_dir;	/* where existing share files are; NULL */
	const char *backup;	/* backup set directory; NULL */
	char expected_kcv[17];	/* 16 upper-case hex digits, "" if none */
	int domain;		/* the key domain of the ceremony's DKEK on
				   its HSMs; -1: none named (the DKEK) */
	int key_domains;	/* initialize the HSMs with that many key
				   domain slots; 0: no initialization with
				   slots (with domain: the HSM keeps its
				   other domains and their keys) */
	/* public key authentication (docs/formats/plan.md, "pka"): the
	   custodians' personal devices (name: the holder; serial), and how
	   many must authenticate; npka 0: none */
	struct plan_hsm pka[PLAN_MAX_PKA];
	unsigned npka;
	unsigned pka_required;
	int pka_replace;
	/* domains: (docs/formats/plan.md, "Several key domains"): one plan
	   naming several key domains of its HSMs, each with its own DKEK.
	   Each entry is a view: this plan with that domain's domain,
	   shares, keys, backup, share_dir and expected_kcv, and no domains
	   of its own; the plan itself then has no shares and no keys.
	   ndomains 0: the plan is one DKEK. */
	const struct plan *domains[PLAN_MAX_DOMAINS];
	unsigned ndomains;
	enum paper_size paper;	/* the closing summary's paper (A4) */
	char sha256[65];	/* of the plan file's bytes, hex */
};

/* "new-dkek", ... for a kind; "?" otherwise. */
const char *plan_kind_name(enum plan_kind k);

/*
 * Parses a plan from bytes (no I/O: safe to fuzz) with a strict schema:
 * unknown keys, wrong types, duplicates and out-of-range values are
 * refused. Then checks it as a whole: names unique and printable, every
 * holder and group member a custodian, thresholds 1 <= M <= N (M == 1 only
 * with N == 1), HSM serials and key types well formed, what the kind needs
 * present (restore: expected_kcv, backup, share_dir) and nothing it cannot
 * use. Fills p->sha256. Returns 0, or CUSTOS_ERR_FORMAT with why (one
 * line, NUL-terminated) saying what and where. Free with plan_free().
 */
int plan_parse(const char *buf, size_t len, struct plan **p, char *why,
    size_t whysz) CUSTOS_WUR;

/* Reads path (at most PLAN_MAX_BYTES) and plan_parse()s it. */
int plan_load(const char *path, struct plan **p, char *why, size_t whysz)
    CUSTOS_WUR;

/* Frees a plan; accepts NULL. */
void plan_free(struct plan *p);

#endif
