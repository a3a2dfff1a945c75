#!/bin/sh
# tests/cli/cuts.sh - the engine's promises when a CLI step is cut short
# (issue 13): a share is never imported twice inside a ceremony, a
# half-closed ceremony refuses every step before it touches anything and
# a rerun close finishes it, and the all-zero DKEK is named as such.
. "$(dirname "$0")/lib.inc"
cd "$T" || exit 1
export CUSTOS_EMU_DIR="$T/emu" CUSTOS_STATE_DIR="$T/state"
unset CUSTOS_EMU_FAULTS
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'administrator passphrase 2026\n' >apw
ADMIN="--admin-passphrase-file apw"
printf 'long-passphrase-one-1\n' >p1
printf 'long-passphrase-two-2\n' >p2
cat p1 p2 >p12
cat p1 p1 >p11
printf '3537363231383830\n' >so
printf '648219\n648219\n' >pin2

imported() { # device name -> "total left" of its DKEK
	"$CUSTOS" hsm status --card "emu:$1" 2>/dev/null |
	    sed -n 's/^DKEK shares *: \([0-9]*\), \([0-9]*\) outstanding.*/\1 \2/p'
}

run ceremony open c --title "Cut ceremony" --admin carol --rehearsal $ADMIN
expect_rc "open a ceremony" 0
run share create --label alice --out c/a.share $FAST --passphrase-file p1 --ceremony c $ADMIN
run share create --label bob --out c/b.share $FAST --passphrase-file p2 --ceremony c $ADMIN
run dkek kcv c/a.share c/b.share --passphrase-file p12
kcv=$(sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\).*/\1/p' "$OUT")
check "predicted KCV" '[ -n "$kcv" ]'
run hsm init --card emu:cer --dkek-shares 2 --so-pin-file so --pin-file pin2 --ceremony c $ADMIN
expect_rc "init recorded in the ceremony" 0

# The issue's scenario: import A B in a ceremony, killed right after the
# device took A (exit-after: the card acted, then the process is gone, as
# with SIGKILL), before the transcript could say so.
CUSTOS_EMU_FAULTS=exit-after=52:2 run hsm import-share c/a.share c/b.share --card emu:cer --passphrase-file p12 --ceremony c $ADMIN
check "the cut process died after the device took A" '[ "$rc" = 137 ]'
check "the device holds A" '[ "$(imported cer)" = "2 1" ]'
check "the transcript holds A's intent and no record of it" \
    '[ "$(jq -r .action c/transcript.jsonl | tail -1)" = intent ] &&
     [ "$(jq -r "select(.action==\"hsm.import-share\")" c/transcript.jsonl | wc -c)" = 0 ]'
run hsm import-share c/a.share c/b.share --card emu:cer --passphrase-file p12 --ceremony c $ADMIN --expect-kcv "$kcv"
expect_rc "the rerun imports only B" 0
expect_out "it says A is in already" "a.share .*is already in HSM .*not sent again"
expect_out "the DKEK is right, not all zero" "KCV MATCHES"
check "A's import is recorded once, as recovered" \
    '[ "$(jq -c "select(.action==\"hsm.import-share\") | .facts.recovered // false" c/transcript.jsonl | tr "\n" " ")" = "true false " ]'
run audit verify c
expect_rc "the transcript verifies after the cut" 0
run hsm import-share c/a.share --card emu:cer --passphrase-file p1 --ceremony c $ADMIN
expect_err "a third run sends nothing" 5 "already in HSM .*nothing was sent"

# Half-closed: the close record is written, then the cut, before the
# signature (the state is made by hand: the key and write_atomic's
# temporary file put back, the signature taken away).
cp c/ceremony.key key.keep
run ceremony close c $ADMIN
expect_rc "close" 0
rm -f c/transcript.jsonl.minisig
cp key.keep c/ceremony.key
printf 'partial' >c/transcript.jsonl.minisig.tmp-0123456789abcdef
cp c/transcript.jsonl tr.before
run hsm init --card emu:other --dkek-shares 1 --so-pin-file so --pin-file pin2 --ceremony c $ADMIN
expect_err "a half-closed ceremony refuses a device step" 1 "clos"
check "before touching the device" '! [ -e emu/other.json ] || [ "$(imported other)" = "" ]'
run share create --label dave --out c/d.share $FAST --passphrase-file p1 --ceremony c $ADMIN
expect_err "and a file step" 1 "clos"
check "before writing the file" '[ ! -e c/d.share ]'
same_file "the transcript is unchanged" tr.before c/transcript.jsonl
run ceremony close c $ADMIN
expect_rc "rerunning close finishes the close" 0
check "the signature is there" '[ -s c/transcript.jsonl.minisig ]'
check "no temporary file is left" '[ -z "$(ls -a c | grep "tmp")" ]'
check "the signing key is gone" '[ ! -e c/ceremony.key ]'
if command -v minisign >/dev/null 2>&1; then
	check "minisign verifies the finished close" \
	    'minisign -Vm c/transcript.jsonl -p c/ceremony.pub >/dev/null 2>&1'
else
	echo "skip - minisign not installed"
fi
run audit verify c --require-closed
expect_rc "the ceremony verifies as closed" 0

# The all-zero DKEK: a share given twice outside custos's record (the
# device's journal - beside the emulator's state - is lost between runs)
# cancels out; custos names it and the remedy.
run hsm init --card emu:zero --dkek-shares 2 --so-pin-file so --pin-file pin2
run hsm import-share c/a.share --card emu:zero --passphrase-file p1
rm -rf emu/journal
run hsm import-share c/a.share --card emu:zero --passphrase-file p1
expect_err "the share that completes it names the all-zero DKEK, with the remedy" 5 "all-zero DKEK \(KCV 66687AADF862BD77\).*initialize it again"
check "after warning that custos has no record of the share in" 'grep -q "1 share that went in outside custos.s record" "$ERR"'
run hsm status --card emu:zero
expect_out "status names the all-zero DKEK" "all-zero DKEK \(KCV 66687AADF862BD77\)"

# A wrong SO PIN stops before INITIALIZE (VERIFY 88 first): the tries
# left are said and the device keeps its DKEK. The card would be pulled
# if INITIALIZE (INS 50) were ever sent.
printf '0000000000000000\n' >badso
CUSTOS_EMU_FAULTS=remove-on=50:1 run hsm init --card emu:cer --dkek-shares 2 --so-pin-file badso --pin-file pin2
expect_err "re-initializing with a wrong SO PIN is refused, tries left said" 3 "wrong SO PIN, [0-9]+ tries left"
run hsm status --card emu:cer
expect_out "and the device was not erased: its DKEK is still there" "DKEK shares +: 2, 0 outstanding"
