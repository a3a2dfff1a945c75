/*
 * test_audit.c - the transcript rendered for auditors: timeline, HTML
 * report and sign-off sheet, with hostile labels in the data.
 */
#include "testutil.h"

#include <strings.h>

#include "../../ceremony/audit.h"
#include "../../common/encode.h"
#include "../../ceremony/transcript.h"

#define TIME "2026-11-23T12:00:00Z"
#define PK_SHA256 \
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define CLOSING \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define CLOSING_GROUPED "e3b0 c442 98fc 1c14 9afb f4c8 996f b924 " \
    "27ae 41e4 649b 934c a495 991b 7852 b855"
#define WORDS "acid bread cloud dune ember fjord glow harbor iris jade"
#define EVIL_ACTOR "<script>alert(1)</script>"
#define LONG_TITLE "Quarterly DKEK ceremony for the payment HSM cluster " \
    "<prod> & \"backup\" site, with custodians from three departments " \
    "and an external witness from the audit firm"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static char file[16384];	/* the ceremony's transcript */
static size_t file_len;

/* The values that must appear among the KCVs and fingerprints. */
static const char *const kcvs[] = { "66687AADF862BD77", "A1B2C3D4E5F60718",
    "0011223344556677", "FFEEDDCCBBAA9988", PK_SHA256, "5566778899AABBCC" };

/* Appends one signed record to buf; prev chains. */
static void
add(char *buf, size_t *off, char prev[65], unsigned long long seq,
    const char *actor, const char *action, json_t *facts, int rehearsal)
{
	char *line = NULL;
	size_t len = 0;

	assert_int_equal(transcript_make_line(&line, &len, seq, TIME, prev,
	    actor, action, facts, rehearsal, sk), CUSTOS_OK);
	assert_true(*off + len + 1 < sizeof(file));
	memcpy(buf + *off, line, len);
	buf[*off + len] = '\n';
	transcript_line_hash(prev, line, len);
	*off += len + 1;
	free(line);
	json_decref(facts);
}

static int
setup(void **state)
{
	char prev[65];

	(void)state;
	crypto_sign_keypair(pk, sk);
	memset(prev, '0', 64);
	prev[64] = '\0';
	add(file, &file_len, prev, 0, "alice", "ceremony.open",
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "ceremony_id",
	    "0123456789abcdef", "title", LONG_TITLE, "admin", "alice",
	    "public_key_sha256", PK_SHA256, "minisign_key_id",
	    "0102030405060708"), 1);
	add(file, &file_len, prev, 1, "bob", "share.create",
	    json_pack("{s:s, s:s, s:s, s:i}", "fingerprint", "A1B2C3D4E5F60718",
	    "label", "bob's share \x1b[2J\x1b]0;pwned\x07",
	    "note", "rtl \xe2\x80\xae override \xc2\x9b" "31m \\x1b", "n", 2),
	    1);
	add(file, &file_len, prev, 2, EVIL_ACTOR, "share.create",
	    json_pack("{s:s, s:{s:s, s:s}}", "share_fingerprint",
	    "0011223344556677", "card", "serial", "DENK0100001", "dkek_kcv",
	    "5566778899AABBCC"), 1);
	add(file, &file_len, prev, 3, "carol", "dkek.import",
	    json_pack("{s:s, s:[{s:s}], s:b}", "kcv", "66687AADF862BD77",
	    "shares", "fingerprint", "FFEEDDCCBBAA9988", "ok", 1), 1);
	add(file, &file_len, prev, 4, "custos", "transcript.repair",
	    json_pack("{s:i, s:s}", "dropped_bytes", 12, "dropped_sha256",
	    CLOSING), 1);
	add(file, &file_len, prev, 5, "alice", "ceremony.close", json_object(),
	    1);
	return 0;
}

static int
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* No terminal control bytes: only printable text and newlines. */
static void
assert_no_controls(const char *s, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), len);
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') ||
		    s[i] == 0x7f)
			fail_msg("control byte 0x%02x at %zu",
			    (unsigned int)(unsigned char)s[i], i);
	assert_false(contains(s, "\xc2\x9b"));
	assert_false(contains(s, "\xe2\x80\xae"));
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void
test_timeline(void **state)
{
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(audit_timeline(&out, &len, file, file_len),
	    CUSTOS_OK);
	assert_no_controls(out, len);
	assert_true(contains(out, "#0  " TIME "  alice  ceremony.open  "
	    "REHEARSAL\n    admin: alice\n    ceremony_id: 0123456789abcdef\n"));
	assert_true(contains(out, "\n\n#1  " TIME "  bob  share.create"));
	assert_true(contains(out, "    fingerprint: A1B2C3D4E5F60718\n"));
	assert_true(contains(out, "    kcv: 66687AADF862BD77\n"));
	assert_true(contains(out, "    title: " LONG_TITLE "\n"));
	assert_true(contains(out, "    n: 2\n"));
	assert_true(contains(out, "    dropped_bytes: 12\n"));
	/* Nested values compact; controls and backslashes made visible. */
	assert_true(contains(out, "    card: {\"dkek_kcv\":\"5566778899AABBCC\","
	    "\"serial\":\"DENK0100001\"}\n"));
	assert_true(contains(out, "    shares: [{\"fingerprint\":"
	    "\"FFEEDDCCBBAA9988\"}]\n"));
	assert_true(contains(out, "label: bob's share \\x1b[2J\\x1b]0;pwned"
	    "\\x07\n"));
	assert_true(contains(out, "note: rtl \\u202e override \\u009b31m "
	    "\\\\x1b\n"));
	assert_true(contains(out, "  " EVIL_ACTOR "  share.create"));
	assert_true(contains(out, "#5  " TIME "  alice  ceremony.close  "
	    "REHEARSAL\n"));
	assert_int_equal(count(out, "REHEARSAL"), 6);
	free(out);
}

static void
test_timeline_flat(void **state)
{
	static char buf[4096];
	char prev[65], *out = NULL, deep[200];
	size_t len = 0, off = 0, i;
	json_t *facts, *d;

	(void)state;
	assert_int_equal(audit_timeline_flat(&out, &len, file, file_len),
	    CUSTOS_OK);
	assert_no_controls(out, len);
	assert_true(contains(out, "#0  " TIME "  alice  ceremony.open  "
	    "REHEARSAL\n    admin: alice\n"));
	/* nested objects and lists: one labelled line per value */
	assert_true(contains(out, "\n    card.serial: DENK0100001\n"));
	assert_true(contains(out, "\n    card.dkek_kcv: 5566778899AABBCC\n"));
	assert_true(contains(out, "\n    shares[0].fingerprint: "
	    "FFEEDDCCBBAA9988\n"));
	assert_true(contains(out, "\n    ok: yes\n"));
	assert_false(contains(out, "{"));
	assert_false(contains(out, "[{"));
	/* the close has no facts: no line for them */
	assert_true(contains(out, "ceremony.close  REHEARSAL\n") &&
	    out[len - 1] == '\n' && strstr(out, "ceremony.close  REHEARSAL"
	    "\n")[sizeof("ceremony.close  REHEARSAL\n") - 1] == '\0');
	free(out);

	/* a restore's results; hostile keys; depth beyond the limit */
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (d = json_pack("{s:i}", "end", 1), i = 0; i < 40; i++)
		d = json_pack("{s:o}", "d", d);
	facts = json_pack("{s:[{s:s, s:b, s:i}, {s:s, s:b, s:n}], "
	    "s:[s, s], s:[], s:{}, s:s, s:{s:s}, s:o}", "results", "label",
	    "signing", "proven", 1, "dest_ref", 1, "label", "tls", "proven", 0,
	    "error", "custodians", "carol", "dave", "none", "empty", "blank",
	    "", "k\x1b[2Jey", "sub\xe2\x80\xae", "v", "deep", d);
	add(buf, &off, prev, 0, "dana", "backup.restore", facts, 0);
	assert_int_equal(audit_timeline_flat(&out, &len, buf, off), CUSTOS_OK);
	assert_no_controls(out, len);
	assert_true(contains(out, "\n    results[0].label: signing\n"));
	assert_true(contains(out, "\n    results[0].proven: yes\n"));
	assert_true(contains(out, "\n    results[0].dest_ref: 1\n"));
	assert_true(contains(out, "\n    results[1].proven: no\n"));
	assert_true(contains(out, "\n    results[1].error: (none)\n"));
	assert_true(contains(out, "\n    custodians: carol, dave\n"));
	assert_true(contains(out, "\n    none: (none)\n"));
	assert_true(contains(out, "\n    empty: (none)\n"));
	assert_true(contains(out, "\n    blank: \"\"\n"));
	assert_true(contains(out, "\n    k\\x1b[2Jey.sub\\u202e: v\n"));
	/* 32 levels of path, then the rest as JSON on the same line */
	for (i = 0, deep[0] = '\0'; i < 31; i++)
		strcat(deep, ".d");
	assert_true(contains(out, deep));
	assert_true(contains(out, ": {\"d\":{\"d\":"));
	free(out);
}

static void
test_html(void **state)
{
	char *out = NULL, *kcv_section;
	size_t len = 0, i;

	(void)state;
	assert_int_equal(audit_report_html(&out, &len, file, file_len,
	    "Verified: 6 records <all signed> & chained", CLOSING, WORDS),
	    CUSTOS_OK);
	assert_no_controls(out, len);
	assert_true(strncmp(out, "<!DOCTYPE html>\n", 16) == 0);
	assert_true(contains(out, "</html>\n"));
	assert_false(contains_nocase(out, "<script"));
	assert_false(contains_nocase(out, "http"));
	assert_false(contains_nocase(out, "src="));
	assert_false(contains_nocase(out, "href"));
	assert_false(contains_nocase(out, "<link"));
	assert_false(contains_nocase(out, "url("));
	assert_true(contains(out, "<style>"));
	assert_true(contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_true(contains(out, "&lt;prod&gt; &amp; &quot;backup&quot;"));
	assert_true(contains(out, "bob&#39;s share \\x1b[2J"));
	assert_true(contains(out, "0123456789abcdef"));
	assert_true(contains(out, "REHEARSAL"));
	assert_true(contains(out, "Verified: 6 records &lt;all signed&gt; "
	    "&amp; chained"));
	assert_true(contains(out, CLOSING_GROUPED));
	assert_true(contains(out, WORDS));
	/* Participants in order of first appearance. */
	assert_true(strstr(out, "<li>alice</li>") < strstr(out, "<li>bob</li>"));
	assert_true(strstr(out, "<li>bob</li>") <
	    strstr(out, "<li>&lt;script&gt;"));
	assert_true(contains(out, "<li>carol</li>\n<li>custos</li>"));
	/* Every KCV and fingerprint in its own section, nested ones too. */
	kcv_section = strstr(out, "<h2>Key check values and fingerprints");
	assert_non_null(kcv_section);
	for (i = 0; i < sizeof(kcvs) / sizeof(kcvs[0]); i++)
		if (!contains(kcv_section, kcvs[i]))
			fail_msg("KCV %s missing", kcvs[i]);
	assert_true(contains(kcv_section, "<td>shares[0].fingerprint</td>"));
	assert_true(contains(kcv_section, "<td>card.dkek_kcv</td>"));
	assert_false(contains(kcv_section, "DENK0100001"));
	/* Signature lines: the administrator, then each person. */
	assert_true(contains(out, "<tr><td>alice</td><td>Administrator</td>"));
	assert_true(contains(out, "<tr><td>bob</td><td>Participant</td>"));
	assert_true(contains(out, "<tr><td>&lt;script&gt;alert(1)&lt;/script"
	    "&gt;</td><td>Participant</td>"));
	assert_true(contains(out, "<tr><td>carol</td><td>Participant</td>"));
	assert_false(contains(out, "<tr><td>custos</td><td>Participant"));
	assert_int_equal(count(out, "</td><td>Participant</td>"), 3);
	free(out);
}

/* Columns as code points (UTF-8 continuation bytes take none). */
static void
assert_fits_80(const char *s)
{
	size_t col = 0, line = 1;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			col = 0;
			line++;
		} else if (((unsigned char)*s & 0xc0) != 0x80 && ++col > 80) {
			fail_msg("line %zu is wider than 80 columns", line);
		}
	}
}

static void
test_signoff(void **state)
{
	char *out = NULL;
	size_t len = 0, i;

	(void)state;
	assert_int_equal(audit_signoff_text(&out, &len, file, file_len,
	    CLOSING, WORDS), CUSTOS_OK);
	assert_no_controls(out, len);
	assert_fits_80(out);
	assert_true(contains(out, "\n" CLOSING_GROUPED "\n"));
	assert_true(contains(out, "  " WORDS "\n"));
	assert_true(contains(out, "Ceremony id:    0123456789abcdef\n"));
	assert_true(contains(out, "Administrator:  alice\n"));
	assert_true(contains(out, "Title:          Quarterly DKEK"));
	assert_true(contains(out, "6 records"));
	assert_true(contains(out, "REHEARSAL"));
	assert_true(contains(out, "  3. " EVIL_ACTOR "\n"));
	for (i = 0; i < sizeof(kcvs) / sizeof(kcvs[0]); i++)
		if (!contains(out, kcvs[i]))
			fail_msg("KCV %s missing", kcvs[i]);
	assert_true(contains(out, "      shares[0].fingerprint: "
	    "FFEEDDCCBBAA9988\n"));
	/* Blank signature lines: alice, bob, the script actor and carol. */
	assert_int_equal(count(out, "Signature: ____"), 4);
	assert_true(contains(out, "Participant:    carol\n  Signature: "));
	assert_false(contains(out, "Participant:    custos"));
	free(out);
}

/* Long unbroken values wrap at 80 columns and nothing is lost. */
static void
test_signoff_wraps(void **state)
{
	char buf[sizeof(file)], prev[65], *out = NULL, name[301];
	size_t off = 0, len = 0;

	(void)state;
	memset(prev, '0', 64);
	prev[64] = '\0';
	memset(name, 'x', 300);
	name[300] = '\0';
	memcpy(name, "M\xc3\xbcller", 7);	/* UTF-8 counts per character */
	add(buf, &off, prev, 0, name, "ceremony.open", json_pack("{s:s}",
	    "admin", name), 0);
	assert_int_equal(audit_signoff_text(&out, &len, buf, off, CLOSING
	    CLOSING, NULL), CUSTOS_OK);
	assert_fits_80(out);
	assert_true(contains(out, "(not recorded)"));
	assert_false(contains(out, "REHEARSAL"));
	assert_false(contains(out, "Fingerprint words"));
	free(out);
}

static void
test_malformed(void **state)
{
	static const char bad[] = "{\"action\":1}\n";
	char *out = (char *)"sentinel", buf[sizeof(file)], prev[65];
	size_t len = 1, off;

	(void)state;
	assert_int_equal(audit_timeline(&out, &len, "not json\n", 9),
	    CUSTOS_ERR_FORMAT);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(audit_timeline(&out, &len, "", 0), CUSTOS_ERR_FORMAT);
	assert_int_equal(audit_timeline(&out, &len, "\n", 1),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(audit_timeline(&out, &len, NULL, 0),
	    CUSTOS_ERR_INVALID_ARG);
	/* A good record, then a broken one. */
	memcpy(buf, file, file_len);
	memcpy(buf + file_len, bad, sizeof(bad));
	off = file_len + sizeof(bad) - 1;
	assert_int_equal(audit_timeline(&out, &len, buf, off),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(audit_report_html(&out, &len, buf, off, "ok",
	    CLOSING, WORDS), CUSTOS_ERR_FORMAT);
	assert_int_equal(audit_signoff_text(&out, &len, buf, off, CLOSING,
	    WORDS), CUSTOS_ERR_FORMAT);
	/* A final record without its newline still counts. */
	assert_int_equal(audit_timeline(&out, &len, file, file_len - 1),
	    CUSTOS_OK);
	assert_true(contains(out, "ceremony.close"));
	free(out);
	/* Bad arguments. */
	assert_int_equal(audit_report_html(&out, &len, file, file_len, NULL,
	    CLOSING, WORDS), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(audit_report_html(&out, &len, file, file_len, "ok",
	    "not hex", WORDS), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(audit_signoff_text(&out, &len, file, file_len, "",
	    WORDS), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(audit_signoff_text(&out, &len, file, file_len,
	    CLOSING CLOSING "0", WORDS), CUSTOS_ERR_INVALID_ARG);
	assert_null(out);
	/* A transcript that does not open with ceremony.open. */
	off = 0;
	memset(prev, '0', 64);
	prev[64] = '\0';
	add(buf, &off, prev, 0, "alice", "share.create", json_object(), 0);
	assert_int_equal(audit_signoff_text(&out, &len, buf, off, CLOSING,
	    WORDS), CUSTOS_ERR_FORMAT);
	assert_int_equal(audit_timeline(&out, &len, buf, off), CUSTOS_OK);
	assert_false(contains(out, "REHEARSAL"));
	free(out);
}

/* Every byte flipped, every length cut: an error or clean output. */
static void
test_damage_never_crashes(void **state)
{
	char *buf = malloc(file_len), *out;
	size_t i, len;
	int r[3], k;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < file_len; i++) {
		memcpy(buf, file, file_len);
		buf[i] = (char)(buf[i] ^ (i % 2 ? 0x1b : 0x80));
		r[0] = audit_timeline(&out, &len, buf, file_len);
		if (r[0] == CUSTOS_OK) {
			assert_no_controls(out, len);
			free(out);
		}
		r[1] = audit_report_html(&out, &len, buf, file_len, "v", CLOSING,
		    WORDS);
		if (r[1] == CUSTOS_OK) {
			assert_false(contains_nocase(out, "<script"));
			free(out);
		}
		r[2] = audit_signoff_text(&out, &len, buf, i, CLOSING, WORDS);
		if (r[2] == CUSTOS_OK)
			free(out);
		for (k = 0; k < 3; k++)
			assert_true(r[k] == CUSTOS_OK ||
			    r[k] == CUSTOS_ERR_FORMAT);
	}
	free(buf);
}

static void
test_group_hex(void **state)
{
	char out[80];

	(void)state;
	encode_group_hex(out, sizeof(out), "0123456789abcdef");
	assert_string_equal(out, "0123 4567 89ab cdef");
	encode_group_hex(out, sizeof(out), CLOSING);
	assert_string_equal(out, CLOSING_GROUPED);
	assert_int_equal(strlen(out), 79);
	encode_group_hex(out, sizeof(out), "012345");
	assert_string_equal(out, "0123 45");
	encode_group_hex(out, sizeof(out), "");
	assert_string_equal(out, "");
	encode_group_hex(out, 7, "01234567");
	assert_string_equal(out, "0123 4");
	encode_group_hex(out, 6, "01234567");	/* no dangling space */
	assert_string_equal(out, "0123");
	encode_group_hex(out, 1, "01234567");
	assert_string_equal(out, "");
	out[0] = 'x';
	encode_group_hex(out, 0, "0123");
	assert_int_equal(out[0], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_timeline_flat),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_signoff),
		cmocka_unit_test(test_signoff_wraps),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_damage_never_crashes),
		cmocka_unit_test(test_group_hex),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
