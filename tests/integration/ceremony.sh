#!/bin/sh
# tests/integration/ceremony.sh - the ceremony TUI through real PC/SC: the
# emulated SmartCard-HSM served to pcscd by vpcd in a network namespace
# (loopback only), found by its serial among the readers as in a real
# ceremony (custos ceremony run --pcsc). A whole rehearsal new-DKEK
# ceremony is walked by a key script; then OpenSC is the peer: sc-hsm-tool
# reads the KCV the transcript recorded, pkcs11-tool lists and uses the
# key the ceremony generated. A real (not rehearsal) plan refuses the
# emulated device; a plan naming another serial finds no device.
# Needs root; prints "skip - ..." when it cannot run here. Run it under
# flock /tmp/custos-pcsc.lock (one pcscd per machine).
: "${CUSTOS:?CUSTOS must name the custos binary}"
T=$(mktemp -d /tmp/custos-int-XXXXXX)
export CUSTOS_EMU_DIR="$T/emu"
PCSC_LOG="$T/pcsc.log"
. "$(dirname "$0")/pcsc-env.inc"

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; sed 's/^/  | /' "$T/out" | tail -15; }
t() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else notok "$name"; fi; }
has() { if grep -Eq "$2" "$T/out"; then ok "$1"; else notok "$1 (want /$2/)"; fi; }
cleanup() { pcsc_env_stop; [ -n "${KEEP:-}" ] || rm -rf "$T"; }

if ! why=$(pcsc_env_check); then
	echo "skip - ceremony TUI through pcscd: $why"
	rm -rf "$T"
	exit 0
fi
trap cleanup EXIT INT TERM
pcsc_env_start || { echo "not ok - pcscd in a network namespace"; exit 1; }
ok "pcscd started in network namespace $PCSC_NS (pid $PCSC_PID)"
P11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
A=dana-Quartz-Lantern-Meadow-71 P=Plum-Crater-Velvet-Oboe-93
SO=3537363231383830 PIN=648219 FAST="--kdf-memory 256 --kdf-passes 1"
mkdir -p "$T/emu"
"$CUSTOS" hsm status --card emu:primary >/dev/null 2>&1	# makes the device
serial=$(jq -r .serial "$T/emu/primary.json" | cut -c1-11)
pcsc_card_insert primary || { echo "not ok - card inserted"; exit 1; }
cd "$T" || exit 1
# plan FILE KIND REHEARSAL SERIAL BACKUP
plan() {
	printf '%s\n' "custos-plan: 1" "kind: $2" "title: Through PC/SC" \
	    "admin: dana" "rehearsal: $3" "custodians: [alice, bob]" \
	    "dkek:" "  shares:" "    - holder: alice" "    - holder: bob" \
	    "hsms:" "  - {name: primary, serial: $4}" "keys:" \
	    "  - {label: tui-key, type: \"ec:P-256\"}" "backup: $5" > "$1"
}
# keys FILE LINE...: a key script; "type" lines are the secrets typed.
keys() { f=$1; shift; printf '%s\n' "$@" > "$f"; }
plan new.yaml new-dkek true "$serial" backups/main
keys new.keys "type $A" "key Enter" "type $A" "key Enter" "key y" \
    "key Enter" "key y" \
    "key Enter" "key Enter" "type alice-$P" "key Enter" "type alice-$P" "key Enter" "key Enter" \
    "key Enter" "key Enter" "type bob-$P" "key Enter" "type bob-$P" "key Enter" "key Enter" \
    "key Enter" "type ERASE" "key Enter" "type $SO" "key Enter" "type $SO" "key Enter" \
    "type $PIN" "key Enter" "type $PIN" "key Enter" \
    "key Enter" "key Enter" "type alice-$P" "key Enter" \
    "key Enter" "key Enter" "type bob-$P" "key Enter" \
    "key Enter" "type $PIN" "key Enter" "key y" \
    "key Enter" "key Enter" "key Enter" "key y" "key q" "dump closed" "key q"
mkdir dumps
export CUSTOS_TUI_DUMP_DIR="$T/dumps"
t "the TUI walks a whole new-DKEK ceremony through pcscd" env \
	CUSTOS_TUI_SCRIPT=new.keys "$CUSTOS" ceremony run --plan new.yaml --pcsc $FAST cer
cp dumps/closed.txt "$T/out" 2>/dev/null
has "to the close" "complete and closed"
t "its transcript verifies" "$CUSTOS" audit verify cer --require-closed
grep '"action":"hsm.init"' cer/transcript.jsonl > "$T/out"
has "the HSM was found through PC/SC by its serial" "\"reader\":\"Virtual PCD[^\"]*\".*\"serial\":\"$serial\""
has "and recorded as the emulator it is" "\"emulated\":true"
kcv=$(sed -n 's/.*"action":"dkek.kcv".*"kcv":"\([0-9A-F]\{16\}\)".*/\1/p' cer/transcript.jsonl)
t "sc-hsm-tool reads the device" sc-hsm-tool
has "and shows the KCV the ceremony recorded (${kcv:-none})" "key check value : ${kcv:-none}"
t "pkcs11-tool lists the key the ceremony generated" pkcs11-tool --module "$P11" --list-objects --login --pin "$PIN"
has "(labelled tui-key)" "label: +tui-key"
echo "custos through pcscd" > msg
t "and signs with it" pkcs11-tool --module "$P11" --login --pin "$PIN" --sign \
	--mechanism ECDSA-SHA256 --label tui-key -i msg -o sig
t "the backup set made through PC/SC verifies" "$CUSTOS" backup verify cer/backups/main

keys refuse.keys "type $A" "key Enter" "type $A" "key Enter" "key y" \
    "key Enter" "key y" "key Enter" "dump refused" "key q"
plan real.yaml key-backup false "$serial" backups/real
t "a real key-backup plan opens" env CUSTOS_TUI_SCRIPT=refuse.keys \
	"$CUSTOS" ceremony run --plan real.yaml $FAST real
tr '\n' ' ' < dumps/refused.txt > "$T/out"
has "and refuses the emulated device" "emulated device and this ceremony is *not a rehearsal"
plan other.yaml key-backup true DENK0100999 backups/other
t "a plan naming another serial opens" env CUSTOS_TUI_SCRIPT=refuse.keys \
	"$CUSTOS" ceremony run --plan other.yaml --pcsc $FAST other
tr '\n' ' ' < dumps/refused.txt > "$T/out"
has "and finds no device" "no reader holds the device with serial *DENK0100999"
