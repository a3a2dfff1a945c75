/*
 * machine.c - ceremony.open's software and machine facts as lines for
 * people (machine.h).
 */
#include <stdio.h>
#include <string.h>

#include "machine.h"

#define NOT_RECORDED "(not recorded: custos 0.1.0 did not record it)"

/* Appends s to out (size sz), with sep first unless out is empty. */
static void
append(char *out, size_t sz, const char *sep, const char *s)
{
	size_t n = strlen(out);

	if (n + 1 < sz)
		snprintf(out + n, sz - n, "%s%s", n ? sep : "", s);
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "?";
}

/* Anything but printable ASCII becomes '?': these reach terminals. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void
fill(const json_t *f, struct machine_lines *m)
{
	const json_t *libs, *ifs, *v;
	char one[160];
	size_t i;

	memset(m, 0, sizeof(*m));
	libs = json_object_get(f, "libraries");
	ifs = json_object_get(f, "interfaces_up");
	if (!json_is_string(json_object_get(f, "custos_version")) ||
	    !json_is_array(libs) || !json_is_array(ifs)) {
		snprintf(m->software, sizeof(m->software), NOT_RECORDED);
		snprintf(m->sha256, sizeof(m->sha256), "?");
		snprintf(m->libraries, sizeof(m->libraries), NOT_RECORDED);
		snprintf(m->kernel, sizeof(m->kernel), NOT_RECORDED);
		snprintf(m->network, sizeof(m->network), NOT_RECORDED);
		return;
	}
	m->recorded = 1;
	snprintf(m->software, sizeof(m->software), "custos %.40s, commit %.60s",
	    str(f, "custos_version"), str(f, "custos_commit"));
	snprintf(m->sha256, sizeof(m->sha256), "%s", str(f, "custos_sha256"));
	for (i = 0; i < json_array_size(libs); i++) {
		v = json_array_get(libs, i);
		snprintf(one, sizeof(one), "%.60s %.80s", str(v, "name"),
		    str(v, "version"));
		append(m->libraries, sizeof(m->libraries), ", ", one);
	}
	snprintf(m->kernel, sizeof(m->kernel), "%.120s (%.120s)", str(f,
	    "kernel"), str(f, "kernel_build"));
	if (json_array_size(ifs) == 0) {
		snprintf(m->network, sizeof(m->network), "offline: no network "
		    "interface up but loopback");
		return;
	}
	m->online = 1;
	snprintf(m->network, sizeof(m->network), "WARNING: network "
	    "interface%s up at open:", json_array_size(ifs) > 1 ? "s" : "");
	for (i = 0; i < json_array_size(ifs) &&
	    (v = json_array_get(ifs, i)) != NULL; i++)
		append(m->network, sizeof(m->network), i ? ", " : " ",
		    json_string_value(v) != NULL ? json_string_value(v) : "?");
}

void
machine_lines(const json_t *f, struct machine_lines *m)
{
	fill(f, m);
	printable(m->software);
	printable(m->sha256);
	printable(m->libraries);
	printable(m->kernel);
	printable(m->network);
}
