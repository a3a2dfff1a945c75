/*
 * machine.h - the software and machine a ceremony was opened on, as
 * its first record (ceremony.open) names them, put into lines for
 * people: audit verify, the report and the sign-off sheet.
 *
 * No I/O: reads the record's facts only.
 */
#ifndef CUSTOS_MACHINE_H
#define CUSTOS_MACHINE_H

#include <jansson.h>

struct machine_lines {
	int recorded;		/* 0: a transcript of custos 0.1.0 */
	int online;		/* an interface other than loopback was up */
	char software[256];	/* "custos 0.2.0, commit 0123..." */
	char sha256[65];	/* of the executable */
	char libraries[512];	/* "libsodium 1.0.18, OpenSSL 3.0.19, ..." */
	char kernel[300];
	char network[400];	/* "offline: no interface up but loopback" */
};

/* Fills m from the facts of a ceremony.open record (NULL: none). */
void machine_lines(const json_t *open_facts, struct machine_lines *m);

#endif
