/*
 * audit.h - renders a ceremony transcript for people: a plain-text
 * timeline, a printable HTML report and a plain-text sign-off sheet.
 *
 * Pure rendering: no I/O, no signature checks (the caller verifies the
 * transcript with transcript_verify() first). Every function takes the
 * whole transcript buffer, parses each line with transcript_parse_record()
 * and returns a malloc'ed NUL-terminated string in *out (length in
 * *outlen), which the caller frees; on error *out is NULL.
 *
 * The transcript's text is attacker-influenced (labels, names): control
 * bytes (< 0x20, 0x7f), UTF-8 C1 controls and bidirectional/line-separator
 * controls are shown as visible escapes (\x1b, \u009b, \u202e) and a
 * literal backslash as "\\", so nothing in the data can drive the
 * auditor's terminal or reorder what is printed. The HTML escapes
 * & < > " ' as well.
 */
#ifndef CUSTOS_AUDIT_H
#define CUSTOS_AUDIT_H

#include <stddef.h>

#include "../common/err.h"

/*
 * A readable timeline, one block per record:
 *   #seq  time  actor  action  [REHEARSAL]
 *       key: value            (one line per fact; nested values as
 *                              compact JSON)
 * Every line of transcript[0..len) must be a record (a final line without
 * its newline is parsed too). Returns 0, CUSTOS_ERR_FORMAT (a line is not
 * a record, or there are none), CUSTOS_ERR_INVALID_ARG (transcript NULL),
 * CUSTOS_ERR_TOO_LARGE (output over 1 GiB) or CUSTOS_ERR_NOMEM.
 */
int audit_timeline(char **out, size_t *outlen, const char *transcript,
    size_t len) CUSTOS_WUR;

/*
 * The same timeline with nested facts flattened for people, one line per
 * value, its path as the label:
 *   #seq  time  actor  action  [REHEARSAL]
 *       results[0].proven: yes
 *       custodians: carol, dave
 * (true/false as yes/no, null and empty lists/objects as "(none)", an
 * empty string as "", a list of plain values on one line; deeper than 32
 * levels as compact JSON). Returns as audit_timeline().
 */
int audit_timeline_flat(char **out, size_t *outlen, const char *transcript,
    size_t len) CUSTOS_WUR;

/*
 * A self-contained printable HTML5 page (inline CSS only: no script, no
 * links, no external resources): ceremony id, title, administrator and
 * key fingerprint from the first record (which must be "ceremony.open"),
 * participants in order of first appearance, every step, every KCV and
 * fingerprint found in the facts (keys kcv, *_kcv, *fingerprint*,
 * *_sha256, at any depth up to 32), verdict_text, the closing hash
 * grouped by four and fingerprint_words (NULL: omitted), and signature
 * lines for the administrator and each other actor (but "custos", the
 * program itself). closing_sha256_hex must be 1-128 hex digits and
 * verdict_text non-NULL (it may span lines). Returns 0,
 * CUSTOS_ERR_INVALID_ARG, CUSTOS_ERR_FORMAT (as audit_timeline(), or the
 * first record is not "ceremony.open"), CUSTOS_ERR_TOO_LARGE or
 * CUSTOS_ERR_NOMEM.
 */
int audit_report_html(char **out, size_t *outlen, const char *transcript,
    size_t len, const char *verdict_text, const char *closing_sha256_hex,
    const char *fingerprint_words) CUSTOS_WUR;

/*
 * The plain-text sign-off sheet, no line wider than 80 columns (counted in
 * code points; long values wrap): title, id, administrator, participants,
 * number of steps, KCVs and fingerprints, the closing hash grouped by four
 * and fingerprint_words (NULL: omitted), and blank signature lines for the
 * administrator and each participant. Same arguments and errors as
 * audit_report_html().
 */
int audit_signoff_text(char **out, size_t *outlen, const char *transcript,
    size_t len, const char *closing_sha256_hex,
    const char *fingerprint_words) CUSTOS_WUR;

#endif
