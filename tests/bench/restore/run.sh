#!/bin/sh
# tests/bench/restore/run.sh - restoring a backup of KEYS keys (default 40:
# half RSA-2048, half EC P-256) through pcscd + vpcd onto the emulated
# SmartCard-HSM, two ways in the same run:
#   custos    one `custos backup restore SET` (one run, one PIN entry;
#             checks the KCV, restores, proves every key)
#   tool      one `sc-hsm-tool --unwrap-key FILE --key-reference N
#             --pin PIN --force` per key (KEYS runs, KEYS PIN entries)
# Prints the wall time of each, keys/s, APDUs per key and the ratio
# (target: custos at least 3x faster). Afterwards both devices must hold
# every key of the set, each proven (public key = manifest's, a test
# signature verifies): a benchmark of a failing restore is worthless.
#
# APDUs are counted from pcscd's own log (pcscd --foreground --debug, as
# pcsc-env.inc starts it): it writes one "TRANSMIT for client" line per
# SCardTransmit, i.e. per command APDU sent to the card (with pcscd
# --apdu, exactly as many as its "APDU:" lines), counted from the log
# lines each phase added. Clients can only reach the card that way.
#
# Usage: run.sh [KEYS]	(even, 2..100; default 40)
# Needs root, pcscd, vsmartcard-vpcd, opensc (sc-hsm-tool), jq; prints
# "skip - REASON" and exits 0 when it cannot run here. Takes
# /tmp/custos-pcsc.lock itself (unless an ancestor already holds it) for
# the pcscd part only. Exits 0 whether or not the target is met; 1 when a
# restore or the check afterwards fails. CUSTOS names the binary (default:
# ./custos at the top of the tree); KEEP=1 keeps the scratch directory.
ROOT=$(cd "$(dirname "$0")/../../.." && pwd) || exit 1
CUSTOS=${CUSTOS:-$ROOT/custos}
case $CUSTOS in /*) ;; *) CUSTOS=$(pwd)/$CUSTOS ;; esac
KEYS=${1:-40}
LOCK=/tmp/custos-pcsc.lock
LOCK_WAIT=${LOCK_WAIT:-1200}
SO=3537363231383830 PIN=648219

case $KEYS in ''|*[!0-9]*) echo "usage: run.sh [KEYS]" >&2; exit 2 ;; esac
if [ "$KEYS" -lt 2 ] || [ "$KEYS" -gt 100 ] || [ $((KEYS % 2)) != 0 ]; then
	echo "KEYS must be even, 2..100" >&2; exit 2
fi
[ -x "$CUSTOS" ] || { echo "no custos binary at $CUSTOS (make)" >&2; exit 1; }

T=$(mktemp -d /tmp/custos-bench-restore-XXXXXX) || exit 1
export CUSTOS_EMU_DIR="$T/emu"
PCSC_LOG="$T/pcsc.log"
. "$ROOT/tests/integration/pcsc-env.inc"

STARTED=
cleanup() {
	[ -z "$STARTED" ] || pcsc_env_stop
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
skip() { echo "skip - restore bench through pcscd: $1"; exit 0; }
fail() { echo "FAIL: $1"; [ -s "$T/out" ] && sed 's/^/  | /' "$T/out" |
	tail -15; exit 1; }
now_ns() { date +%s%N; }
# secs NS_START NS_END: seconds with 3 decimals.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
# apdus_since LINE: command APDUs pcscd transmitted after log line LINE.
apdus_since() {
	tail -n +"$(($1 + 1))" "$PCSC_LOG" | grep -c 'TRANSMIT for client'
}
log_lines() { wc -l <"$PCSC_LOG"; }

# Does a process above this one hold $LOCK (e.g. `flock $LOCK run.sh`)?
# Then taking it again would wait for ourselves.
lock_held_above() {
	ino=$(stat -c %i "$LOCK" 2>/dev/null) || return 1
	holders=$(awk -v ino="$ino" '$2 == "FLOCK" && $6 ~ (":" ino "$") {
		print $5 }' /proc/locks)
	[ -n "$holders" ] || return 1
	p=$$
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		for h in $holders; do [ "$h" = "$p" ] && return 0; done
		p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	done
	return 1
}

# --- can it run here? (another pcscd is waited for below, not skipped)
if ! why=$(pcsc_env_check); then
	case $why in
	"another pcscd is running"*) ;;
	*) skip "$why" ;;
	esac
fi
command -v jq >/dev/null 2>&1 || skip "needs jq"

# --- set-up, all in-process on the emulator (no pcscd, no lock yet)
printf '%s\n' "$SO" >"$T/so"
printf '%s\n' "$PIN" >"$T/pin"
printf 'custos-bench-restore-passphrase\n' >"$T/pw"
cu() { "$CUSTOS" "$@" >"$T/out" 2>&1 || fail "custos $*"; }
echo "set-up: $KEYS keys on bench-src, backup set, two target devices"
t0=$(now_ns)
cu hsm init --card emu:bench-src --dkek-shares 1 --so-pin-file "$T/so" \
	--pin-file "$T/pin"
cu share create --label bench --out "$T/share.v1" --passphrase-file "$T/pw" \
	--card emu:bench-src
for dev in bench-src bench-custos bench-tool; do
	[ "$dev" = bench-src ] ||
		cu hsm init --card "emu:$dev" --dkek-shares 1 \
		--so-pin-file "$T/so" --pin-file "$T/pin"
	cu hsm import-share --card "emu:$dev" "$T/share.v1" \
		--passphrase-file "$T/pw" --pin-file "$T/pin"
	grep -q "KCV MATCHES\|DKEK complete" "$T/out" || fail "DKEK of $dev"
done
i=1
while [ "$i" -le "$KEYS" ]; do
	if [ $((i % 2)) = 1 ]; then type=rsa:2048; else type=ec:P-256; fi
	cu hsm keygen --card emu:bench-src --type "$type" --label "k$i" \
		--pin-file "$T/pin"
	i=$((i + 1))
done
cu backup create --card emu:bench-src --out "$T/set" --pin-file "$T/pin"
jq -r '.keys[] | "\(.ref) \(.file)"' "$T/set/manifest.json" >"$T/keys" ||
	fail "reading the manifest"
[ "$(wc -l <"$T/keys")" = "$KEYS" ] || fail "the set holds $KEYS keys"
jq -r '.keys[] | "\(.ref) \(.label) \(.pubkey_sha256[0:16])"' \
	"$T/set/manifest.json" | sort >"$T/want"
echo "set-up: $(secs "$t0" "$(now_ns)") s"

# --- the pcscd part, under the lock
if lock_held_above; then
	echo "$LOCK: held by a parent process"
else
	exec 9>>"$LOCK" || fail "cannot open $LOCK"
	if ! flock -n 9; then
		echo "waiting for $LOCK (up to $LOCK_WAIT s)..."
		flock -w "$LOCK_WAIT" 9 ||
			skip "$LOCK still held by another run after $LOCK_WAIT s"
	fi
fi
why=$(pcsc_env_check) || skip "$why"
# pcscd and the card must not inherit the lock's descriptor.
STARTED=1
pcsc_env_start 9>&- || fail "pcscd in a network namespace"

# insert DEVICE: serves DEVICE (alone) through vpcd; L0 = pcscd log lines.
insert() {
	pcsc_card_remove 9>&-
	pcsc_card_insert "$1" 9>&- || fail "serving $1 through vpcd"
	L0=$(log_lines)
}

# 1. custos: one run, one PIN entry.
insert bench-custos
t0=$(now_ns)
"$CUSTOS" backup restore "$T/set" --card pcsc --pin-file "$T/pin" \
	>"$T/custos.out" 2>&1
crc=$?
t1=$(now_ns)
c_apdu=$(apdus_since "$L0")
c_secs=$(secs "$t0" "$t1")
if [ "$crc" != 0 ]; then
	cp "$T/custos.out" "$T/out"
	fail "custos backup restore (exit $crc)"
fi

# 2. sc-hsm-tool: one run (and PIN entry) per key.
insert bench-tool
bad=0
t0=$(now_ns)
while read -r ref file; do
	sc-hsm-tool --unwrap-key "$T/set/$file" --key-reference "$ref" \
		--pin "$PIN" --force >"$T/tool-$ref.out" 2>&1 ||
		{ bad=$((bad + 1)); cp "$T/tool-$ref.out" "$T/out"; }
done <"$T/keys"
t1=$(now_ns)
s_apdu=$(apdus_since "$L0")
s_secs=$(secs "$t0" "$t1")
[ "$bad" = 0 ] || fail "sc-hsm-tool --unwrap-key failed for $bad keys"

# 3. Both devices hold every key of the set, proven. On the sc-hsm-tool
# device a second custos restore writes nothing and proves every key.
check() {
	"$CUSTOS" hsm keys --card pcsc >"$T/out" 2>&1 || fail "hsm keys on $1"
	awk '$1 ~ /^[0-9]+$/ { print $1, $(NF - 1), $NF }' "$T/out" |
		sort >"$T/have"
	cmp -s "$T/want" "$T/have" ||
		fail "$1 does not hold the $KEYS keys of the set"
}
check bench-tool
"$CUSTOS" backup restore "$T/set" --card pcsc --pin-file "$T/pin" \
	>"$T/out" 2>&1 || fail "proving the sc-hsm-tool restore on bench-tool"
[ "$(grep -c 'already on the device under .*PROVEN' "$T/out")" = "$KEYS" ] ||
	fail "not every key sc-hsm-tool restored is proven as it was"
insert bench-custos
check bench-custos

# --- report
awk -v k="$KEYS" -v cs="$c_secs" -v ss="$s_secs" -v ca="$c_apdu" \
    -v sa="$s_apdu" -v n="$(nproc)" 'BEGIN {
	printf "machine: %d cores; pcscd --debug logging to a file\n", n
	printf "keys: %d (%d RSA-2048, %d EC P-256), all restored and " \
	    "proven on both devices\n", k, k / 2, k / 2
	f = "%-44s %7s %7s %6s %9s %8s\n"
	printf f, "", "wall s", "keys/s", "APDUs", "APDUs/key", "ms/APDU"
	f = "%-44s %7.2f %7.2f %6d %9.1f %8.1f\n"
	printf f, "custos backup restore (1 run, 1 PIN)", \
	    cs, k / cs, ca, ca / k, 1000 * cs / ca
	printf f, sprintf("sc-hsm-tool --unwrap-key (%d runs, %d PINs)", k, k), \
	    ss, k / ss, sa, sa / k, 1000 * ss / sa
	printf "ratio: %.1fx (custos vs one sc-hsm-tool run per key; target >= 3x)%s\n", \
	    ss / cs, (ss / cs >= 3) ? "" : "  TARGET MISSED"
}'
exit 0
