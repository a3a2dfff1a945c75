/*
 * plan_yaml.c - the YAML side of a ceremony plan (docs/formats/plan.md):
 * a libyaml pass refuses what the schema cannot see (a second document,
 * anchors, aliases, tags, NUL characters, deep nesting), then libcyaml
 * loads the document against a strict schema: no unknown key, no
 * duplicate, every value of the right shape. libcyaml's log is kept, never
 * printed, and turned into a one-line why with the field's path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "plan_int.h"

#define PLAN_MAX_DEPTH 8	/* the schema nests eight deep */

#define OPT CYAML_FLAG_OPTIONAL
#define STR(key, type, member) \
	CYAML_FIELD_STRING_PTR(key, OPT, type, member, 0, CYAML_UNLIMITED)
#define SEQ(key, type, member, entry) \
	CYAML_FIELD_SEQUENCE(key, CYAML_FLAG_POINTER | OPT, type, member, \
	    entry, 0, CYAML_UNLIMITED)

static const cyaml_schema_value_t name_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t split_fields[] = {
	STR("threshold", struct y_split, threshold),
	SEQ("group", struct y_split, group, &name_schema),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t share_fields[] = {
	STR("holder", struct y_share, holder),
	CYAML_FIELD_MAPPING_PTR("split", OPT, struct y_share, split,
	    split_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t share_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_share, share_fields),
};

static const cyaml_schema_field_t dkek_fields[] = {
	SEQ("shares", struct y_dkek, shares, &share_schema),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t hsm_fields[] = {
	STR("name", struct y_hsm, name),
	STR("serial", struct y_hsm, serial),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t hsm_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_hsm, hsm_fields),
};

static const cyaml_schema_field_t key_fields[] = {
	STR("label", struct y_key, label),
	STR("type", struct y_key, type),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t key_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_key, key_fields),
};

static const cyaml_schema_field_t reshare_fields[] = {
	STR("share", struct y_reshare, share),
	CYAML_FIELD_MAPPING_PTR("from", OPT, struct y_reshare, from,
	    share_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t pka_dev_fields[] = {
	STR("holder", struct y_pka_dev, holder),
	STR("serial", struct y_pka_dev, serial),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t pka_dev_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_pka_dev,
	    pka_dev_fields),
};

static const cyaml_schema_field_t pka_fields[] = {
	STR("required", struct y_pka, required),
	STR("replace", struct y_pka, replace),
	SEQ("devices", struct y_pka, devices, &pka_dev_schema),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t domain_fields[] = {
	STR("domain", struct y_domain, domain),
	CYAML_FIELD_MAPPING_PTR("dkek", OPT, struct y_domain, dkek,
	    dkek_fields),
	SEQ("keys", struct y_domain, keys, &key_schema),
	STR("backup", struct y_domain, backup),
	STR("share_dir", struct y_domain, share_dir),
	STR("expected_kcv", struct y_domain, expected_kcv),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t domain_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_domain, domain_fields),
};

static const cyaml_schema_field_t plan_fields[] = {
	STR("custos-plan", struct y_plan, version),
	STR("kind", struct y_plan, kind),
	STR("title", struct y_plan, title),
	STR("admin", struct y_plan, admin),
	STR("rehearsal", struct y_plan, rehearsal),
	STR("offline", struct y_plan, offline),
	SEQ("witnesses", struct y_plan, witnesses, &name_schema),
	SEQ("custodians", struct y_plan, custodians, &name_schema),
	CYAML_FIELD_MAPPING_PTR("dkek", OPT, struct y_plan, top.dkek,
	    dkek_fields),
	SEQ("hsms", struct y_plan, hsms, &hsm_schema),
	SEQ("keys", struct y_plan, top.keys, &key_schema),
	STR("backup", struct y_plan, top.backup),
	STR("share_dir", struct y_plan, top.share_dir),
	STR("expected_kcv", struct y_plan, top.expected_kcv),
	STR("paper", struct y_plan, paper),
	STR("domain", struct y_plan, top.domain),
	STR("key_domains", struct y_plan, key_domains),
	CYAML_FIELD_MAPPING_PTR("reshare", OPT, struct y_plan, reshare,
	    reshare_fields),
	CYAML_FIELD_MAPPING_PTR("pka", OPT, struct y_plan, pka, pka_fields),
	SEQ("domains", struct y_plan, domains, &domain_schema),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t plan_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct y_plan, plan_fields),
};

/* What libcyaml said: its first error line and the backtrace after it
   (innermost first: "hsms", "[2]"). */
struct y_log {
	char msg[160];
	char seg[PLAN_MAX_DEPTH][40];
	unsigned nseg;
};

static const cyaml_config_t y_free_cfg = {
	.mem_fn = cyaml_mem,
	.log_level = CYAML_LOG_ERROR,
	.flags = CYAML_CFG_NO_ALIAS,
};

static void
y_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct y_log *l = ctx;
	char line[256], *s = line, *q;

	if (level < CYAML_LOG_ERROR)
		return;
	/* cyaml hands its own format: NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized,clang-diagnostic-format-nonliteral) */
	vsnprintf(line, sizeof(line), fmt, args);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(s, "Load: ", 6) == 0)
		s += 6;
	while (*s == ' ')
		s++;
	if (strncmp(s, "in mapping field '", 18) == 0 ||
	    strncmp(s, "in sequence entry '", 19) == 0) {
		int entry = s[3] == 's';

		s = strchr(s, '\'') + 1;
		if ((q = strchr(s, '\'')) == NULL || l->nseg == PLAN_MAX_DEPTH)
			return;
		*q = '\0';
		snprintf(l->seg[l->nseg++], sizeof(l->seg[0]),
		    entry ? "[%.30s]" : "%.30s", s);
	} else if (l->msg[0] == '\0' && strncmp(s, "Backtrace:", 10) != 0 &&
	    strncmp(s, "in ", 3) != 0)
		snprintf(l->msg, sizeof(l->msg), "%.150s", s);
}

/* libcyaml's names for what it wanted and what it found, for people. */
static const char *
y_shape(const char *s)
{
	if (strncmp(s, "MAPPING", 7) == 0)
		return "a mapping";
	if (strncmp(s, "SEQUENCE", 8) == 0)
		return "a list";
	return "a single value";
}

/* Turns what libcyaml logged into why: "hsms[2]: unknown key 'pin'". */
static void
y_why(const struct y_log *l, cyaml_err_t e, char *why, size_t whysz)
{
	char path[160] = "", msg[160];
	const char *m = l->msg, *got;
	size_t n;
	unsigned i;

	for (i = l->nseg; i-- > 0;) {
		n = strlen(path);
		if (l->seg[i][0] == '[' && strcmp(l->seg[i], "[0]") != 0)
			snprintf(path + n, sizeof(path) - n, "%s", l->seg[i]);
		else if (l->seg[i][0] != '[')
			snprintf(path + n, sizeof(path) - n, "%s%s",
			    n > 0 ? "." : "", l->seg[i]);
	}
	if (strncmp(m, "Unexpected key: ", 16) == 0)
		snprintf(msg, sizeof(msg), "unknown key '%.40s'", m + 16);
	else if (strncmp(m, "Mapping field already seen: ", 28) == 0)
		snprintf(msg, sizeof(msg), "key '%.40s' appears twice",
		    m + 28);
	else if (strncmp(m, "Expecting ", 10) == 0 &&
	    (got = strstr(m, "got event: ")) != NULL)
		snprintf(msg, sizeof(msg), "%s is needed here, not %s",
		    y_shape(m + 10), y_shape(got + 11));
	else
		snprintf(msg, sizeof(msg), "%s", m[0] != '\0' ? m :
		    cyaml_strerror(e));
	if (path[0] != '\0')
		plan_why(why, whysz, "%s: %s", path, msg);
	else
		plan_why(why, whysz, "%s", msg);
}

/* True when a node event carries an anchor or a tag. */
static int
y_decorated(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.anchor != NULL ||
		    ev->data.scalar.tag != NULL;
	case YAML_SEQUENCE_START_EVENT:
		return ev->data.sequence_start.anchor != NULL ||
		    ev->data.sequence_start.tag != NULL;
	case YAML_MAPPING_START_EVENT:
		return ev->data.mapping_start.anchor != NULL ||
		    ev->data.mapping_start.tag != NULL;
	default:
		return 0;
	}
}

/*
 * The libyaml pass: one document whose root is a mapping, no more than
 * PLAN_MAX_DEPTH deep, with no anchor, alias, tag or NUL in a value.
 * libcyaml would read only the first document and would stop a string at
 * an escaped NUL ("\0"), so a reviewer could read what custos ignores.
 */
static int
y_prepass(const char *buf, size_t len, char *why, size_t whysz)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	unsigned docs = 0, depth = 0, line;
	int r = CUSTOS_ERR_FORMAT, done = 0, bad = 0;

	if (!yaml_parser_initialize(&ps))
		return CUSTOS_ERR_NOMEM;
	yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
	while (!done && !bad) {
		if (!yaml_parser_parse(&ps, &ev)) {
			plan_why(why, whysz, "line %zu: not YAML: %.80s",
			    ps.problem_mark.line + 1, ps.problem != NULL ?
			    ps.problem : "syntax error");
			r = ps.error == YAML_MEMORY_ERROR ? CUSTOS_ERR_NOMEM :
			    CUSTOS_ERR_FORMAT;
			goto out;
		}
		line = (unsigned)ev.start_mark.line + 1;
		bad = 1;
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
			plan_why(why, whysz, "line %u: a second YAML document; "
			    "a plan is one", line);
		else if (ev.type == YAML_ALIAS_EVENT || y_decorated(&ev))
			plan_why(why, whysz, "line %u: anchors, aliases and "
			    "tags are not used in a plan", line);
		else if (depth == 0 && (ev.type == YAML_SCALAR_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT))
			plan_why(why, whysz, "not a single mapping (key: value "
			    "lines)");
		else if (ev.type == YAML_SCALAR_EVENT &&
		    memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
			plan_why(why, whysz, "line %u: a NUL character in a "
			    "value", line);
		else if ((ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT) &&
		    ++depth > PLAN_MAX_DEPTH)
			plan_why(why, whysz, "line %u: nested too deeply", line);
		else
			bad = 0;
		if (ev.type == YAML_MAPPING_END_EVENT ||
		    ev.type == YAML_SEQUENCE_END_EVENT)
			depth--;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	if (bad)
		goto out;
	if (docs == 0) {
		plan_why(why, whysz, "empty: no YAML document");
		goto out;
	}
	r = 0;
 out:
	yaml_parser_delete(&ps);
	return r;
}
int
plan_yaml_load(const char *buf, size_t len, struct y_plan **y, char *why,
    size_t whysz)
{
	struct y_log log;
	cyaml_config_t cfg = y_free_cfg;
	cyaml_err_t e;
	int r;

	*y = NULL;
	memset(&log, 0, sizeof(log));
	if ((r = y_prepass(buf, len, why, whysz)) != 0)
		goto out;
	cfg.log_fn = y_log_fn;
	cfg.log_ctx = &log;
	e = cyaml_load_data((const uint8_t *)buf, len, &cfg, &plan_schema,
	    (cyaml_data_t **)y, NULL);
	if (e != CYAML_OK || *y == NULL) {
		plan_yaml_free(*y);
		*y = NULL;
		y_why(&log, e, why, whysz);
		r = e == CYAML_ERR_OOM ? CUSTOS_ERR_NOMEM : CUSTOS_ERR_FORMAT;
		goto out;
	}
	r = 0;
 out:
	return r;
}

void
plan_yaml_free(struct y_plan *y)
{
	if (y != NULL)
		(void)cyaml_free(&y_free_cfg, &plan_schema, y, 0);
}
