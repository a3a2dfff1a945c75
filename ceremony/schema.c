/*
 * schema.c - checks a record's facts against its action's fields, and
 * prints the table as Markdown (schema.h). The table is schema_data.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

const char *
schema_type_name(enum schema_type t)
{
	switch (t) {
	case SCH_STR: return "string";
	case SCH_INT: return "integer";
	case SCH_BOOL: return "boolean";
	case SCH_SHA256: return "SHA-256";
	case SCH_KCV: return "KCV";
	case SCH_KCV_NULL: return "KCV or null";
	case SCH_STRS: return "array of strings";
	case SCH_KCVS: return "array of KCVs";
	case SCH_OBJS: return "array of objects";
	}
	return "?";
}

static int
hexlen(const char *s, size_t n, const char *digits)
{
	return strlen(s) == n && strspn(s, digits) == n;
}

static int
is_kcv(const json_t *v)
{
	return json_is_string(v) && hexlen(json_string_value(v), 16,
	    "0123456789ABCDEF");
}

/* Whether v is of type t (items: the fields of SCH_OBJS elements). */
static int
check_fields(const struct schema_field *f, const json_t *o, const char *at,
    char *why, size_t whysz);

static int
check_type(const struct schema_field *f, const json_t *v, const char *at,
    char *why, size_t whysz)
{
	char where[128];
	const json_t *e;
	size_t i;

	switch (f->type) {
	case SCH_STR: return json_is_string(v);
	case SCH_INT: return json_is_integer(v);
	case SCH_BOOL: return json_is_boolean(v);
	case SCH_SHA256:
		return json_is_string(v) && hexlen(json_string_value(v), 64,
		    "0123456789abcdef");
	case SCH_KCV: return is_kcv(v);
	case SCH_KCV_NULL: return json_is_null(v) || is_kcv(v);
	case SCH_STRS:
	case SCH_KCVS:
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e)
			if (f->type == SCH_STRS ? !json_is_string(e) :
			    !is_kcv(e))
				return 0;
		return 1;
	case SCH_OBJS:
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e) {
			snprintf(where, sizeof(where), "%s%s[%zu].", at,
			    f->name, i);
			if (!json_is_object(e)) {
				snprintf(why, whysz, "%s%s[%zu] is not an "
				    "object", at, f->name, i);
				return -1;
			}
			if (check_fields(f->items, e, where, why, whysz) != 0)
				return -1;
		}
		return 1;
	}
	return 0;
}

static int
check_fields(const struct schema_field *fields, const json_t *o,
    const char *at, char *why, size_t whysz)
{
	const struct schema_field *f;
	const char *key;
	json_t *v;
	int t;

	for (f = fields; f->name != NULL; f++) {
		v = json_object_get(o, f->name);
		if (v == NULL) {
			if (f->required) {
				snprintf(why, whysz, "field %s%s is missing",
				    at, f->name);
				return -1;
			}
			continue;
		}
		if ((t = check_type(f, v, at, why, whysz)) < 0)
			return -1;
		if (t == 0) {
			snprintf(why, whysz, "field %s%s is not a %s", at,
			    f->name, schema_type_name(f->type));
			return -1;
		}
	}
	json_object_foreach((json_t *)o, key, v) {
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL) {
			snprintf(why, whysz, "field %s%.64s is not one of this "
			    "action's", at, key);
			return -1;
		}
	}
	return 0;
}

int
schema_check(const char *action, const json_t *facts, char *why,
    size_t whysz)
{
	const struct schema_action *a = schema_find(action);

	if (a == NULL) {
		snprintf(why, whysz, "action %.64s is not one custos writes",
		    action);
		return CUSTOS_ERR_UNSUPPORTED;
	}
	if (!json_is_object(facts)) {
		snprintf(why, whysz, "facts is not an object");
		return CUSTOS_ERR_FORMAT;
	}
	return check_fields(a->fields, facts, "", why, whysz) == 0 ?
	    CUSTOS_OK : CUSTOS_ERR_FORMAT;
}

/* A growing string for schema_markdown(). */
struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

static void
sb_add(struct sbuf *b, const char *a, const char *c, const char *d)
{
	const char *parts[3] = { a, c, d };
	size_t i, n;
	char *np;

	for (i = 0; i < 3 && b->err == 0; i++) {
		if (parts[i] == NULL)
			continue;
		n = strlen(parts[i]);
		if (b->len + n + 1 > b->cap) {
			size_t cap = (b->len + n + 1) * 2;

			if ((np = realloc(b->p, cap)) == NULL) {
				b->err = CUSTOS_ERR_NOMEM;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
		memcpy(b->p + b->len, parts[i], n + 1);
		b->len += n;
	}
}

static void
md_fields(struct sbuf *b, const struct schema_field *fields,
    const char *prefix)
{
	const struct schema_field *f;
	char name[128];

	for (f = fields; f->name != NULL; f++) {
		snprintf(name, sizeof(name), "`%s%s`", prefix, f->name);
		sb_add(b, "| ", name, " | ");
		sb_add(b, schema_type_name(f->type), " | ",
		    f->required ? "yes" : "no");
		sb_add(b, " | ", f->doc, " |\n");
		if (f->type == SCH_OBJS) {
			snprintf(name, sizeof(name), "%s%s[].", prefix,
			    f->name);
			md_fields(b, f->items, name);
		}
	}
}

int
schema_markdown(char **out, size_t *outlen)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	const struct schema_action *actions;
	size_t i, n;

	actions = schema_all(&n);
	for (i = 0; i < n; i++) {
		sb_add(&b, i > 0 ? "\n" : "", "#### ", actions[i].action);
		sb_add(&b, "\n\n", actions[i].doc, ".\n\n");
		if (actions[i].fields[0].name == NULL) {
			sb_add(&b, "No fields: `facts` is `{}`.\n", NULL, NULL);
			continue;
		}
		sb_add(&b, "| field | type | required | what |\n", "|---|---|"
		    "---|---|\n", NULL);
		md_fields(&b, actions[i].fields, "");
	}
	if (b.err != 0 || b.p == NULL) {
		free(b.p);
		return CUSTOS_ERR_NOMEM;
	}
	*out = b.p;
	*outlen = b.len;
	return CUSTOS_OK;
}
