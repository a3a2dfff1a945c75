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
