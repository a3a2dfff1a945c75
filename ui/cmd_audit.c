/*
 * cmd_audit.c - custos audit verify DIR: the auditor's check of a
 * ceremony directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ceremony/audit.h"
#include "../ceremony/ceremony.h"
#include "../ceremony/paper.h"
#include "../ceremony/schema.h"
#include "../ceremony/transcript.h"
#include "../ceremony/verify.h"
#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"
#include "tui_walk.h"

static int
audit_verify_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit verify";
	static const struct option opts[] = {
		{ "require-closed", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceremony_verdict v;
	char words[256];
	int c, require_closed = 0, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': require_closed = 1; break;
		case 'h':
			printf("usage: custos audit verify DIR "
			    "[--require-closed]\n\n"
			    "Checks the ceremony in DIR: the hash chain and "
			    "signature of every record,\nthe ceremony's rules, "
			    "and once closed the minisign signature of the "
			    "whole\ntranscript. Names the first bad record and "
			    "why. Exit status 0 only when\neverything holds "
			    "(and, with --require-closed, the ceremony was "
			    "closed).\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	r = ceremony_verify(argv[optind], &v, NULL, NULL);
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, argv[optind],
		    v.why);
		return r == CUSTOS_ERR_NOT_FOUND ? EXIT_BADINPUT : EXIT_FAIL;
	}
	printf("ceremony:   %s%s\n", v.id, v.rehearsal ? " (REHEARSAL)" : "");
	printf("key:        SHA-256 of ceremony.pub's key (compare with the "
	    "paper record):\n");
	cli_print_grouped("  ", v.pubkey_sha256);
	cli_hex_words(words, sizeof(words), v.pubkey_sha256);
	printf("  words: %s\n", words);
	printf("records:    %zu, hash chain and signatures verified\n",
	    v.t.records);
	printf("software:   %s\n", v.machine.software);
	printf("  executable SHA-256 (compare with `custos version`):\n");
	printf("    %s\n", v.machine.sha256);
	cli_print_wrapped("  libraries: ", "    ", v.machine.libraries,
	    ", ");
	printf("machine:    %s\n", v.machine.kernel);
	printf("network:    %s\n", v.machine.network);
	if (!v.shapes_checked && v.t.records > 0)
		printf("shapes:     not checked (no schema in record 0: a "
		    "transcript of custos 0.1.0)\n");
	printf("status:     %s\n", v.closed ? "closed; closing signature "
	    "verified" : "open (not yet closed)");
	printf("transcript sha256:\n");
	cli_print_grouped("  ", v.transcript_sha256);
	cli_hex_words(words, sizeof(words), v.transcript_sha256);
	printf("  words: %s\n", words);
	if (require_closed && !v.closed) {
		fprintf(stderr, "custos: %s: %s: the ceremony is not closed\n",
		    ctx, argv[optind]);
		return EXIT_FAIL;
	}
	printf("verdict:    OK\n");
	return EXIT_OK_;
}

/* Length of the first n whole lines of buf. */
static size_t
prefix_lines(const char *buf, size_t len, size_t n)
{
	const char *p = buf, *nl;

	while (n-- > 0 && (nl = memchr(p, '\n', (size_t)(buf + len - p))))
		p = nl + 1;
	return (size_t)(p - buf);
}

/* Verifies dir; *verdict gets a one-paragraph text, *good the verified part. */
static int
verify_for_render(const char *ctx, const char *dir, struct ceremony_verdict *v,
    char **buf, size_t *len, size_t *good, char *verdict, size_t vsz)
{
	int r = ceremony_verify(dir, v, buf, len);

	if (*buf == NULL) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, dir, v->why);
		return r == CUSTOS_ERR_NOT_FOUND ? EXIT_BADINPUT : EXIT_FAIL;
	}
	*good = prefix_lines(*buf, *len, v->t.records);
	if (r == CUSTOS_OK)
		snprintf(verdict, vsz, "VERIFIED: %zu records, hash chain and "
		    "every signature%s.", v->t.records, v->closed ? ", and the "
		    "closing signature" : "; the ceremony is still open");
	else
		snprintf(verdict, vsz, "NOT VERIFIED: %.300s. Only the first "
		    "%zu records are shown.", v->why, v->t.records);
	return r == CUSTOS_OK ? EXIT_OK_ : EXIT_FAIL;
}

static int
audit_show_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit show";
	struct ceremony_verdict v;
	char *buf = NULL, *out = NULL, verdict[512];
	size_t len = 0, good = 0, olen = 0;
	int ex, r;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos audit show DIR\n\nVerifies the ceremony "
		    "in DIR and prints its timeline: every record with\nits "
		    "time, actor, action and facts. If verification fails, the "
		    "records\nbefore the first bad one are shown under a "
		    "warning.\n");
		return EXIT_OK_;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(ctx, "give exactly one DIR");
	ex = verify_for_render(ctx, argv[1], &v, &buf, &len, &good, verdict,
	    sizeof(verdict));
	if (buf == NULL)
		return ex;
	printf("%s\n\n", verdict);
	if (good > 0) {
		r = audit_timeline(&out, &olen, buf, good);
		if (r != CUSTOS_OK) {
			ex = cli_fail(ctx, r);
		} else {
			fwrite(out, 1, olen, stdout);
		}
	}
	free(out);
	free(buf);
	return ex;
}

static int
audit_schema_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit schema";
	char *md = NULL;
	size_t len = 0;
	int r;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos audit schema\n\nPrints every transcript "
		    "action custos writes, with its fields and their\ntypes, "
		    "as Markdown: the list `audit verify` checks each record "
		    "against.\n");
		return EXIT_OK_;
	}
	if (argc != 1)
		return cli_usage_error(ctx, "takes no arguments");
	r = schema_markdown(&md, &len);
	if (r != CUSTOS_OK)
		return cli_fail(ctx, r);
	fwrite(md, 1, len, stdout);
	free(md);
	return EXIT_OK_;
}

/* The time of the last record of buf[0..len) (whole lines) into when:
   the sign-off PDF's date, so that a report made again is the same. */
static void
last_time(const char *buf, size_t len, char when[21])
{
	struct transcript_record rec;
	const char *p, *why;

	snprintf(when, 21, "1970-01-01T00:00:00Z");
	if (len == 0)
		return;
	for (p = buf + len - 1; p > buf && p[-1] != '\n'; p--)
		;
	if (transcript_parse_record(p, (size_t)(buf + len - 1 - p), &rec,
	    &why) == CUSTOS_OK) {
		snprintf(when, 21, "%s", rec.time);
		transcript_record_clear(&rec);
	}
}

/* The sign-off sheet as PDF into PREFIX.pdf. */
static int
write_pdf(const char *prefix, const char *txt, const char *buf, size_t len,
    enum paper_size paper, char *path, size_t pathsz)
{
	struct paper_doc d;
	unsigned char *pdf = NULL;
	size_t plen = 0;
	char when[21];
	int r;

	last_time(buf, len, when);
	memset(&d, 0, sizeof(d));
	d.size = paper;
	d.title = "Key ceremony sign-off sheet";
	d.created = when;
	d.head = txt;
	snprintf(path, pathsz, "%s.pdf", prefix);
	if ((r = paper_render(&pdf, &plen, &d)) == CUSTOS_OK)
		r = atomicio_create(path, pdf, plen);
	secmem_free(pdf);
	return r;
}

static int
audit_report_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit report";
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "paper", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceremony_verdict v;
	enum paper_size paper = PAPER_A4;
	const char *prefix = NULL;
	char *buf = NULL, *html = NULL, *txt = NULL, verdict[512];
	char words[256], def[4200], path[4300], now[21];
	size_t len = 0, good = 0, hlen = 0, tlen = 0;
	int c, ex, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': prefix = optarg; break;
		case 'p':
			if (paper_parse(optarg, &paper) != CUSTOS_OK)
				return cli_usage_error(ctx, "--paper must be "
				    "'a4' or 'letter'");
			break;
		case 'h':
			printf("usage: custos audit report DIR [--out PREFIX] "
			    "[--paper a4|letter]\n\n"
			    "Verifies the ceremony in DIR and writes a "
			    "self-contained printable HTML\nreport (PREFIX.html) "
			    "and the sign-off sheet as plain text (PREFIX.txt)\n"
			    "and print-ready PDF (PREFIX.pdf, A4 unless --paper "
			    "letter); by default\nPREFIX is DIR/reports/audit-TIME."
			    " Existing files are never replaced.\nExit status 1 "
			    "when the ceremony does not verify (the report says "
			    "so).\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	ex = verify_for_render(ctx, argv[optind], &v, &buf, &len, &good,
	    verdict, sizeof(verdict));
	if (buf == NULL)
		return ex;
	if (prefix == NULL) {
		time_t t = time(NULL);
		struct tm tm;

		/* No ':' in the name: reports travel on FAT media. */
		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(def, sizeof(def), "%s/reports/audit-%s", argv[optind],
		    now);
		prefix = def;
	}
	cli_hex_words(words, sizeof(words), v.transcript_sha256);
	r = audit_report_html(&html, &hlen, buf, good, verdict,
	    v.transcript_sha256, words);
	if (r == CUSTOS_OK)
		r = audit_signoff_text(&txt, &tlen, buf, good,
		    v.transcript_sha256, words);
	if (r != CUSTOS_OK) {
		ex = cli_fail(ctx, r);
		goto out;
	}
	snprintf(path, sizeof(path), "%s.html", prefix);
	if ((r = atomicio_create(path, html, hlen)) == CUSTOS_OK) {
		printf("wrote %s\n", path);
		snprintf(path, sizeof(path), "%s.txt", prefix);
		if ((r = atomicio_create(path, txt, tlen)) == CUSTOS_OK) {
			printf("wrote %s\n", path);
			if ((r = write_pdf(prefix, txt, buf, good, paper, path,
			    sizeof(path))) == CUSTOS_OK)
				printf("wrote %s\n", path);
		}
	}
	if (r != CUSTOS_OK) {
		fprintf(stderr, "custos: %s: %s: %s\n", ctx, path,
		    custos_strerror(r));
		ex = cli_exit_code(r);
		goto out;
	}
	printf("%s\n", verdict);
 out:
	free(html);
	free(txt);
	free(buf);
	return ex;
}

static int
audit_view_cmd(int argc, char **argv)
{
	static const char ctx[] = "audit view";
	int mono = argc == 3 && strcmp(argv[2], "--mono") == 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos audit view DIR [--mono]\n\nVerifies the "
		    "ceremony in DIR and browses its timeline in the\n"
		    "terminal, record by record, under the verdict.\n");
		return EXIT_OK_;
	}
	if ((argc != 2 && !mono) || argv[1][0] == '-')
		return cli_usage_error(ctx, "give exactly one DIR");
	return tui_audit_view(argv[1], 1, mono);
}

static const struct cli_cmd audit_cmds[] = {
	{ "verify", audit_verify_cmd, "check a ceremony's transcript and "
	    "signatures" },
	{ "show", audit_show_cmd, "the ceremony as a readable timeline" },
	{ "view", audit_view_cmd, "browse the verified timeline in the "
	    "terminal" },
	{ "report", audit_report_cmd, "printable HTML report and sign-off "
	    "sheet" },
	{ "schema", audit_schema_cmd, "every action and its fields, as "
	    "Markdown" },
	{ NULL, NULL, NULL },
};

int
cmd_audit(int argc, char **argv)
{
	return cli_dispatch("audit", audit_cmds, argc - 1, argv + 1);
}
