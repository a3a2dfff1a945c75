/*
 * schema.h - every transcript action custos writes, with its fields and
 * their types: the one list that the engine checks each record against
 * before writing it, that `custos audit verify` checks each record
 * against when reading it, and that docs/formats/transcript.md prints
 * (a test compares the two).
 *
 * Pure data and checks: no I/O, safe to fuzz.
 */
#ifndef CUSTOS_SCHEMA_H
#define CUSTOS_SCHEMA_H

#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"

/* The version of the record shapes below; ceremony.open records it. */
#define SCHEMA_VERSION 1

enum schema_type {
	SCH_STR = 1,	/* a string */
	SCH_INT,	/* an integer */
	SCH_BOOL,	/* true or false */
	SCH_SHA256,	/* 64 lower-case hex digits */
	SCH_KCV,	/* 16 upper-case hex digits */
	SCH_KCV_NULL,	/* a KCV, or null when the device shows none */
	SCH_STRS,	/* an array of strings */
	SCH_KCVS,	/* an array of KCVs or share fingerprints (16 upper-case
			   hex digits each) */
	SCH_OBJS,	/* an array of objects, each with the item fields */
};

#define SCH_REQ 1	/* the field must be there */
#define SCH_OPT 0	/* the field may be there */

struct schema_field {
	const char *name;
	enum schema_type type;
	int required;
	const struct schema_field *items;	/* SCH_OBJS: their fields */
	const char *doc;			/* one line for the docs */
};

struct schema_action {
	const char *action;
	const char *doc;			/* when it is written */
	const struct schema_field *fields;	/* NULL-name terminated */
};

/* The action's schema, or NULL when custos writes no such action. */
const struct schema_action *schema_find(const char *action);

/* Every action, in the order of the docs; *n gets the count. */
const struct schema_action *schema_all(size_t *n);

/*
 * Checks facts (an object) against action's schema: no field missing, no
 * field extra, every field of its type, at every depth. Returns 0, or
 * CUSTOS_ERR_FORMAT with why (one line naming the field), or
 * CUSTOS_ERR_UNSUPPORTED for an unknown action.
 */
int schema_check(const char *action, const json_t *facts, char *why,
    size_t whysz) CUSTOS_WUR;

/* The type's name in the docs ("string", "KCV", ...). */
const char *schema_type_name(enum schema_type t);

/*
 * The schema as Markdown, the way docs/formats/transcript.md prints it
 * (a "### action" heading, its doc line and a table of fields, for each
 * action). *out is malloc'ed. Returns 0 or CUSTOS_ERR_NOMEM.
 */
int schema_markdown(char **out, size_t *outlen) CUSTOS_WUR;

#endif
