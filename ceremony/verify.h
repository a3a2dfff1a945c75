/*
 * verify.h - everything an auditor checks about a ceremony directory:
 * the transcript's chain and signatures, the ceremony's own rules, and
 * once closed, the minisign signature of the whole transcript.
 */
#ifndef CUSTOS_VERIFY_H
#define CUSTOS_VERIFY_H

#include <stddef.h>

#include "../common/err.h"
#include "machine.h"
#include "transcript.h"

struct ceremony_verdict {
	struct transcript_verdict t;	/* chain and signatures */
	int closed;			/* last record is ceremony.close */
	int closing_sig_ok;		/* transcript.jsonl.minisig verifies */
	int shapes_checked;		/* record 0 names a schema: every
					   record was held to its shape */
	int rehearsal;
	char id[17];
	char transcript_sha256[65];	/* of the whole file */
	char pubkey_sha256[65];
	struct machine_lines machine;	/* what record 0 names */
	long rule_record;		/* first record breaking a rule, or -1 */
	char why[4608];		/* the first problem, one line */
};

/*
 * Verifies the ceremony in dir; v says what held and the first problem.
 * With buf/len non-NULL, hands back the transcript bytes (malloc'ed) for
 * rendering. Returns 0 only when everything holds; otherwise
 * CUSTOS_ERR_CORRUPT, CUSTOS_ERR_TRUNCATED, CUSTOS_ERR_NOT_FOUND, ...
 */
int ceremony_verify(const char *dir, struct ceremony_verdict *v,
    char **buf, size_t *len) CUSTOS_WUR;

#endif
