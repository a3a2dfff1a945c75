/*
 * plan_int.h - private to the plan parser: ceremony/plan_yaml.c (YAML to
 * libcyaml's structs), plan.c (those to struct plan) and plan_check.c
 * (the rules a whole plan must follow).
 */
#ifndef CUSTOS_PLAN_INT_H
#define CUSTOS_PLAN_INT_H

#include <stddef.h>

#include "plan.h"

/* The document as libcyaml loads it: every value optional, numbers and
   booleans as text, so that plan.c can say precisely what is wrong. */
struct y_split {
	char *threshold;
	char **group;
	unsigned group_count;
};

struct y_share {
	char *holder;
	struct y_split *split;
};

struct y_dkek {
	struct y_share *shares;
	unsigned shares_count;
};

struct y_hsm {
	char *name, *serial;
};

struct y_key {
	char *label, *type;
};

struct y_reshare {
	char *share;
	struct y_share *from;
};

struct y_pka_dev {
	char *holder, *serial;
};

struct y_pka {
	char *required, *replace;
	struct y_pka_dev *devices;
	unsigned devices_count;
};

/* One DKEK's fields: at the top of a plan (y_plan.top), or one entry of
   its domains. */
struct y_domain {
	char *domain;
	struct y_dkek *dkek;
	struct y_key *keys;
	unsigned keys_count;
	char *backup, *share_dir, *expected_kcv;
};

struct y_plan {
	char *version, *kind, *title, *admin, *rehearsal, *offline;
	char **witnesses;
	unsigned witnesses_count;
	char **custodians;
	unsigned custodians_count;
	struct y_domain top;	/* one DKEK's fields, at the top of a plan */
	struct y_hsm *hsms;
	unsigned hsms_count;
	char *paper, *key_domains;
	struct y_reshare *reshare;
	struct y_pka *pka;
	struct y_domain *domains;
	unsigned domains_count;
};

/*
 * Reads buf[0..len) (no NUL, at most PLAN_MAX_BYTES) with the strict
 * schema into *y: one YAML document whose root is a mapping, no anchor,
 * alias, tag or NUL in a value, no unknown or repeated key, every value of
 * the right shape. Returns 0, CUSTOS_ERR_FORMAT with why ("hsms[2]:
 * unknown key 'pin'") or CUSTOS_ERR_NOMEM. Free with plan_yaml_free().
 */
int plan_yaml_load(const char *buf, size_t len, struct y_plan **y,
    char *why, size_t whysz) CUSTOS_WUR;

/* Frees what plan_yaml_load() made; accepts NULL. */
void plan_yaml_free(struct y_plan *y);

/* Formats a one-line reason into why (whysz bytes; why may be NULL). */
void plan_why(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Checks a plan copied out of the YAML: every name, serial, label, key
 * type and path well formed; people unique, every holder and group member
 * a custodian and every custodian holding something; thresholds; what the
 * kind needs present and what it cannot use absent. Returns 0, or
 * CUSTOS_ERR_FORMAT with why naming the field ("dkek.shares[2].split...",
 * list entries counted from 1).
 */
int plan_check(const struct plan *p, char *why, size_t whysz) CUSTOS_WUR;

#endif
