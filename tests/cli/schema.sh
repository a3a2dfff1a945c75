#!/bin/sh
# tests/cli/schema.sh - the list of actions in docs/formats/transcript.md
# (section 4.9) is exactly what `custos audit schema` prints: the table
# custos checks every record against when writing and verifying it.
. "$(dirname "$0")/lib.inc"
doc=$(dirname "$0")/../../docs/formats/transcript.md

run audit schema
expect_rc "audit schema exits 0" 0
n=$(grep -c '^#### ' "$OUT")
check "audit schema lists the actions ($n)" '[ "$n" -ge 30 ]'
sed -n '/^<!-- schema:begin/,/^<!-- schema:end/p' "$doc" | sed '1d;$d' |
    sed '1{/^$/d}' | sed '${/^$/d}' >"$T/doc.md"
same_file "transcript.md section 4.9 is the schema custos checks" "$OUT" "$T/doc.md"
if ! cmp -s "$OUT" "$T/doc.md"; then diff "$T/doc.md" "$OUT" | head -20; fi
for a in ceremony.open share.create share.split share.combine hsm.import-share \
    dkek.kcv intent intent.void attempt.refused file.abandon backup.restore; do
	check "schema names $a" "grep -qx '#### $a' '$OUT'"
done
run audit schema extra
expect_err "audit schema takes no arguments" 2 'takes no arguments'

# A transcript of custos 0.1.0 (the worked example of transcript.md 8,
# written before record shapes were versioned) still verifies: chain,
# signatures, rules and closing signature; its shapes are not held to 4.9,
# and audit verify says so.
mkdir -p "$T/old/dkek-2026-11"
awk -v d="$T/old/dkek-2026-11" '
	/^`dkek-2026-11\/ceremony.pub`:/ { f = "ceremony.pub" }
	/^`dkek-2026-11\/transcript.jsonl` \(/ { f = "transcript.jsonl" }
	/^`dkek-2026-11\/transcript.jsonl.minisig`:/ { f = "transcript.jsonl.minisig" }
	/^```/ { if (f != "" && !inb) { inb = 1; next } if (inb) { inb = 0; f = "" } next }
	inb && f != "" { print > (d "/" f) }' "$doc"
run audit verify "$T/old/dkek-2026-11" --require-closed
expect_rc "a transcript of custos 0.1.0 still verifies" 0
expect_out "its records are not held to today's shapes, and it says so" "^shapes: +not checked"
printf 'administrator passphrase 2026\n' >"$T/apw"
run ceremony open "$T/new" --title T --admin carol --admin-passphrase-file "$T/apw"
check "a new ceremony records the schema it follows" '[ "$(head -n 1 "$T/new/transcript.jsonl" | jq .facts.schema)" = 1 ]'
run audit verify "$T/new"
check "and its records are held to it" '! grep -q "^shapes:" "$OUT"'
