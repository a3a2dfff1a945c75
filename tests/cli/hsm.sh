#!/bin/sh
# tests/cli/hsm.sh - custos hsm on the in-process emulated device.
. "$(dirname "$0")/lib.inc"
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS

run hsm status --card emu:primary
expect_rc "status of a fresh emulated device" 0
expect_out "says REHEARSAL" "^REHEARSAL: emulated"
expect_out "fresh device is not initialized" "initialized +: no"
check "device state file created 0600" \
	'[ "$(stat -c %a "$CUSTOS_EMU_DIR/primary.json")" = 600 ]'
run emulator list
expect_out "emulator list shows it" "^  primary$"

run hsm status --card bogus
expect_err "bad --card is a usage error" 2 "card is pcsc, pcsc:READER"
run hsm status --card emu:../x
expect_err "bad device name refused" 2 "card is pcsc, pcsc:READER"

printf '{"format":"custos-emulated-sc-hsm/1"' >"$CUSTOS_EMU_DIR/broken.json"
run hsm status --card emu:broken
expect_err "corrupted state file: one line, bad input" 4 "corrupted"
check "corrupted state file left as it was" \
	'[ "$(cat "$CUSTOS_EMU_DIR/broken.json")" = "{\"format\":\"custos-emulated-sc-hsm/1\"" ]'

CUSTOS_EMU_FAULTS=remove-at=2 run hsm status --card emu:primary
expect_err "card removed mid-operation: one line" 1 "card was removed"

if [ -S /run/pcscd/pcscd.comm ]; then
	echo "skip - pcscd not running (it is running here)"
else
	run hsm status --card pcsc
	expect_err "pcscd not running: clear error" 1 "is pcscd running"
	run hsm readers
	expect_err "readers without pcscd: clear error" 1 "is pcscd running"
fi

# init and import-share on the in-process emulated device.
printf 'long-passphrase-one-1\n' >"$T/p1"
printf 'long-passphrase-two-2\n' >"$T/p2"
cat "$T/p1" "$T/p2" >"$T/p12"
cat "$T/p1" "$T/p1" >"$T/p11"
printf '3537363231383830\n' >"$T/so"
printf '0000000000000000\n' >"$T/badso"
printf '648219\n648219\n' >"$T/pin2"
printf '648219\n' >"$T/pin"
run share create --label alice --out "$T/a.share" --kdf-memory 256 --passphrase-file "$T/p1"
run share create --label bob --out "$T/b.share" --kdf-memory 256 --passphrase-file "$T/p2"
run dkek kcv "$T/a.share" "$T/b.share" --passphrase-file "$T/p12"
kcv=$(sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\).*/\1/p' "$OUT")
check "predicted KCV" '[ -n "$kcv" ]'

run hsm init --card emu:dev --dkek-shares 2
expect_err "init without PIN sources and no tty fails in one line" 1 "terminal"
run hsm init --card emu:dev --so-pin-file "$T/so" --pin-file "$T/pin2"
expect_err "init needs --dkek-shares or --no-dkek" 2 "dkek-shares"
run hsm init --card emu:dev --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin2"
expect_rc "init a fresh device with 2 DKEK shares" 0
expect_out "init warns about keys made before the DKEK" "can never be exported"
run hsm init --card emu:dev --dkek-shares 2 --so-pin-file "$T/badso" --pin-file "$T/pin2"
expect_err "re-init with a wrong SO PIN says the tries left" 3 "wrong SO PIN, 14 tries left"
expect_out "init shows SO PIN tries before sending it" "SO PIN tries left: 15"

run hsm import-share "$T/a.share" "$T/a.share" --card emu:dev --passphrase-file "$T/p11"
expect_err "the same share twice is refused" 5 "same share; nothing imported"
run hsm status --card emu:dev
expect_out "nothing was imported" "DKEK shares +: 2, 2 outstanding"

printf 'wrong-passphrase-0\n' >"$T/pw"
run hsm import-share "$T/a.share" --card emu:dev --passphrase-file "$T/pw"
expect_err "wrong passphrase: one line, nothing imported" 3 "wrong passphrase"

# The card is pulled when the second share's IMPORT arrives (the DKEK
# status query is the first INS 52, share A the second).
CUSTOS_EMU_FAULTS=remove-on=52:3 run hsm import-share "$T/a.share" "$T/b.share" --card emu:dev --passphrase-file "$T/p12"
expect_err "card removed mid-import says what completed" 1 "removed.*1 of 2 imported"
run hsm status --card emu:dev
expect_out "the device kept the first share" "DKEK shares +: 2, 1 outstanding"
run hsm import-share "$T/a.share" --card emu:dev --passphrase-file "$T/p1"
expect_err "rerun with the share already in: refused, it asks for the next" 5 "a.share .*is already in HSM .*nothing was sent; give the next share"
run hsm status --card emu:dev
expect_out "nothing was sent again" "DKEK shares +: 2, 1 outstanding"
run hsm import-share "$T/a.share" "$T/b.share" --card emu:dev --passphrase-file "$T/p12" --expect-kcv "$kcv"
expect_rc "rerun with both picks up from the device's journal" 0
expect_out "share A is said to be in already" "a.share .*is already in HSM .*not sent again"
expect_out "only B was sent" "imported .*b.share: 2 of 2 shares in, 0 outstanding"
expect_out "KCV matches the prediction" "KCV MATCHES"
expect_out "device KCV shown" "device KCV: $kcv"

# Cut where it hurts: the process ends right after the device took share
# A and before anything could say so (exit-after: the card acted, then
# the process is gone, as with SIGKILL). The rerun must know A is in.
run hsm init --card emu:cut --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin2"
CUSTOS_EMU_FAULTS=exit-after=52:2 run hsm import-share "$T/a.share" "$T/b.share" --card emu:cut --passphrase-file "$T/p12"
check "the cut process died after the device took A" '[ "$rc" = 137 ]'
run hsm status --card emu:cut
expect_out "the next run reconciles the cut import first" "hsm.import-share on HSM .* was done before an interruption: recorded now"
expect_out "the device holds A" "DKEK shares +: 2, 1 outstanding"
run hsm import-share "$T/a.share" "$T/b.share" --card emu:cut --passphrase-file "$T/p12" --expect-kcv "$kcv"
expect_rc "the rerun after the cut imports only B" 0
expect_out "the rerun says A is in already" "a.share .*is already in HSM .*not sent again"
expect_out "the DKEK is right, not all zero" "KCV MATCHES"

run hsm init --card emu:dev2 --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin2"
run hsm import-share "$T/a.share" "$T/b.share" --card emu:dev2 --passphrase-file "$T/p12" --expect-kcv 0123456789ABCDEF
expect_err "a KCV mismatch is an error" 1 "KCV MISMATCH"
run hsm import-share "$T/a.share" --card emu:dev2 --passphrase-file "$T/p1" --expect-kcv xyz
expect_err "bad --expect-kcv is a usage error" 2 "16 hex digits"

# Devices that show the DKEK's KCV only after user PIN login (issue 14
# item 4; the emulator's kcv-after-login fault): status says so without a
# PIN source, and with one logs in and reads it.
CUSTOS_EMU_FAULTS=kcv-after-login=1 run hsm status --card emu:dev
expect_out "without a PIN the KCV is unknown, and status says how to read it" "DKEK KCV +: unknown .*give --pin-file"
CUSTOS_EMU_FAULTS=kcv-after-login=1 run hsm status --card emu:dev --pin-file "$T/pin"
expect_out "with a PIN source status logs in and shows it" "DKEK KCV +: $kcv"
run hsm init --card emu:late --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin2"
CUSTOS_EMU_FAULTS=kcv-after-login=1 run hsm import-share "$T/a.share" "$T/b.share" --card emu:late --passphrase-file "$T/p12"
expect_err "an import there without a PIN source says how to read the KCV" 1 "shows its KCV only after user PIN login.*give --pin-file"
expect_out "after the shares went in" "2 of 2 shares in, 0 outstanding"
