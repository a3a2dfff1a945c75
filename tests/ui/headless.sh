# tests/ui/headless.sh - the real TUI (custos ceremony run / audit view)
# driven by key scripts on a null terminal at 80x24 (CUSTOS_TUI_SCRIPT),
# its screens dumped as text and compared with golden files after
# masking what differs between runs (mask.sed). UPDATE_GOLDEN=1 rewrites
# the golden files (review the diff before committing).
. "$(dirname "$0")/../cli/lib.inc"
ui=$(cd "$(dirname "$0")" && pwd)
cd "$T" || exit 1
mkdir dumps emu
cp "$ui/plans/new-dkek.yaml" plan.yaml
export CUSTOS_EMU_DIR="$T/emu" CUSTOS_TUI_DUMP_DIR="$T/dumps"
FAST="--kdf-memory 256 --kdf-passes 1"
tui() { keys=$1; shift; CUSTOS_TUI_SCRIPT="$ui/keys/$keys.keys" "$CUSTOS" "$@" >"$OUT" 2>"$ERR" </dev/null; rc=$?; }
# golden NAME: the masked dump equals golden/NAME.txt.
golden() {
	sed -E -f "$ui/mask.sed" "dumps/$1.txt" > "dumps/$1.masked"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "dumps/$1.masked" "$ui/golden/$1.txt"; fi
	if cmp -s "dumps/$1.masked" "$ui/golden/$1.txt"; then echo "ok - screen $1"
	else echo "not ok - screen $1"; diff "$ui/golden/$1.txt" "dumps/$1.masked" | head -20 | sed 's/^/  /'; fi
}

tui new-part1 ceremony run --plan plan.yaml $FAST cer
expect_rc "first sitting ends when q is pressed" 0
for s in 01-start 02-help 03-plan 04-share1 05-handover 06-secret-typed 07-mismatch 08-share1-done; do golden $s; done
sha=$(sha256sum plan.yaml | cut -c1-64 | sed -E 's/(....)/\1 /g; s/ $//')
check "the plan's SHA-256 is shown in groups of four" 'grep -qF "$sha" dumps/03-plan.txt'
check "alice's share file was written" '[ -f cer/shares/share-1-alice.share ]'

tui new-part1 ceremony run --plan plan.yaml cer-default
expect_rc "with the default Argon2id cost" 0
run share inspect cer-default/shares/share-1-alice.share
expect_out "(512 MiB, 2 passes)" "^kdf: +argon2id, 512 MiB, 2 passes"

tui new-part2 ceremony run --plan plan.yaml $FAST cer
expect_rc "second sitting runs to the close" 0
for s in 10-resumed 11a-words-handover 11-reveal 13-hidden 14-erase 15-wrong-passphrase 16-kcv 17-backup-done 18-close 19-closed; do golden $s; done
# (the words themselves are checked in a real terminal by tmux.sh: a
# screen that shows a secret is never dumped to disk)
check "the words screen is never dumped" 'grep -q "a secret is on the screen: not dumped" dumps/12-words.txt && ! grep -qE "[0-9]+\. [a-z]+" dumps/12-words.txt'
check "no passphrase or PIN ever reaches a screen" '! grep -lE "Plum-Crater|Quartz-Lantern|648219|3537363231383830" dumps/*.txt | grep -v "^dumps/1[45]" | grep -q . && ! grep -E "Plum-Crater|Quartz-Lantern|648219" dumps/14-erase.txt dumps/15-wrong-passphrase.txt | grep -q .'
check "a wrong passphrase is said clearly, and that nothing changed" 'tr "\n" " " < dumps/15-wrong-passphrase.txt | grep -q "wrong passphrase (or the file was altered); *nothing *was changed"'
check "the KCV is shown in groups of four and as words" 'grep -qE "DKEK KCV: [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}" dumps/16-kcv.txt && grep -qE "^ +words: [a-z]+ [a-z]+" dumps/16-kcv.txt'
golden 20-audit
check "the audit view opens on a verified timeline" 'grep -q "VERIFIED: 19 records; chain and signatures hold, and the closing" dumps/20-audit.txt'
check "n moves to the next record" 'grep -q "^ #1 " dumps/21-audit-next.txt'
run audit verify cer
expect_out "the ceremony the TUI ran verifies" "^verdict: +OK"

tui audit audit view cer
expect_rc "audit view of a closed ceremony" 0
golden 30-audit-view
check "End shows the close" 'grep -q "ceremony.close" dumps/31-audit-end.txt'
# facts as labelled lines, not JSON; a hash too long for the rest of its
# line moves whole to the next, never cut
check "nested facts are labelled lines (keys[0].label: signing)" 'grep -q "^     keys\[0\]\.label: signing$" dumps/31-audit-end.txt && ! grep -q "[{}]" dumps/30-audit-view.txt dumps/31-audit-end.txt'
check "a hash is kept whole on a line of its own" 'grep -A1 "^     keys\[0\]\.pubkey_sha256:$" dumps/31-audit-end.txt | grep -qE "^         [0-9a-f]{64}$"'
check "lists of values on one line" 'grep -qE "^     steps: plan, share-1, share-2, hsm-init-1, " dumps/21-audit-next.txt'
tui audit ceremony run --plan plan.yaml $FAST cer
expect_rc "a closed ceremony opens in the audit view" 0
check "(the same view)" 'grep -q "VERIFIED: 19 records" dumps/30-audit-view.txt'

tui admin-wrong ceremony run --plan plan.yaml $FAST cer2
expect_err "no ceremony without an administrator passphrase" 1 "refused three times|administrator"
check "and nothing was created" '[ ! -e cer2 ]'
mkdir cer3 && cp -r cer/. cer3/ 2>/dev/null
CUSTOS_TUI_SIZE=79x24 tui audit ceremony run --plan plan.yaml $FAST cer
expect_err "a terminal under 80x24 is refused" 1 "at least 80x24"
CUSTOS_TUI_SIZE=120x40 tui audit audit view cer
expect_rc "and a larger one used" 0
check "(all 120 columns)" '[ "$(head -1 dumps/30-audit-view.txt | wc -c)" -gt 100 ]'
check "(the text wraps at 118: a hash beside its label)" 'grep -qE "^     custos_sha256: [0-9a-f]{64}$" dumps/30-audit-view.txt'
run ceremony run --plan plan.yaml cer
expect_err "without a terminal it says so" 2 "needs a terminal"
run ceremony plan plan.yaml
expect_out "ceremony plan lists the steps for review" "^ +10\. Close the ceremony"
expect_out "with the plan's SHA-256" "^sha256: +$sha"
