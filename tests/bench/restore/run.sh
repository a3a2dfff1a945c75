#!/bin/sh
# tests/bench/restore/run.sh - restoring a backup of KEYS keys (default 40:
# half RSA-2048, half EC P-256) through pcscd + vpcd onto emulated
# SmartCard-HSMs, side by side in one run:
#   custos    one `custos backup restore SET` (one run, one PIN entry;
#             checks the KCV, restores, proves every key)
#   tool      one `sc-hsm-tool --unwrap-key FILE --key-reference N
#             --pin PIN --force` per key (KEYS runs, KEYS PIN entries)
# each on the plain emulator (answers in microseconds) and with its
# timing model of a real SmartCard-HSM (docs/emulator.md, "Timing
# model"); then, with the timing model, custos onto three devices at once
# (three readers, one thread per device) against custos onto one.
# Prints wall time, keys/s, s/key, APDUs per key and the ratios against
# the floors: plain, custos >= 3x faster; timed, custos no slower than
# the sc-hsm-tool loop; three devices at most 1.3x one. Afterwards every
# device must hold every key of the set, each proven (public key = the
# manifest's, a test signature verifies): a benchmark of a failing
# restore is worthless.
#
# APDUs are counted from pcscd's own log (pcscd --foreground --debug, as
# pcsc-env.inc starts it): it writes one "TRANSMIT for client" line per
# SCardTransmit, i.e. per command APDU sent to a card (with pcscd
# --apdu, exactly as many as its "APDU:" lines), counted from the log
# lines each phase added. Clients can only reach the cards that way.
#
# Usage: run.sh [KEYS]	(even, 2..100; default 40)
# Needs root, pcscd, vsmartcard-vpcd, opensc (sc-hsm-tool), jq; prints
# "skip - REASON" and exits 0 when it cannot run here. Takes
# /tmp/custos-pcsc.lock itself (unless an ancestor already holds it) for
# the pcscd part only. Exits 0 whether or not a floor is met; 1 when a
# restore or the check afterwards fails. CUSTOS names the binary (default:
# ./custos at the top of the tree); KEEP=1 keeps the scratch directory;
# TIMED=0 leaves out the timing-model phases (about 2 minutes of 40 keys);
# MIX=rsa or MIX=ec makes every key RSA-2048 or EC P-256 (default both,
# half and half).
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

TIMED=${TIMED:-1}
MIX=${MIX:-both}
case $MIX in both|rsa|ec) ;; *) echo "MIX is both, rsa or ec" >&2; exit 2 ;; esac
T=$(mktemp -d /tmp/custos-bench-restore-XXXXXX) || exit 1
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_TIMING
PCSC_LOG="$T/pcsc.log"
PCSC_READERS=3
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
TARGETS="p-custos p-tool"
[ "$TIMED" = 0 ] || TARGETS="$TARGETS t-custos t-tool m1 m2 m3"
echo "set-up: $KEYS keys on bench-src, backup set, target devices:" $TARGETS
t0=$(now_ns)
cu hsm init --card emu:bench-src --dkek-shares 1 --so-pin-file "$T/so" \
	--pin-file "$T/pin"
cu share create --label bench --out "$T/share.v1" --passphrase-file "$T/pw" \
	--card emu:bench-src
for dev in bench-src $TARGETS; do
	[ "$dev" = bench-src ] ||
		cu hsm init --card "emu:$dev" --dkek-shares 1 \
		--so-pin-file "$T/so" --pin-file "$T/pin"
	cu hsm import-share --card "emu:$dev" "$T/share.v1" \
		--passphrase-file "$T/pw" --pin-file "$T/pin"
	grep -q "KCV MATCHES\|DKEK complete" "$T/out" || fail "DKEK of $dev"
done
i=1
while [ "$i" -le "$KEYS" ]; do
	case $MIX in
	rsa) type=rsa:2048 ;;
	ec) type=ec:P-256 ;;
	*) if [ $((i % 2)) = 1 ]; then type=rsa:2048; else type=ec:P-256; fi ;;
	esac
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

# serve SLOT DEVICE [OPTIONS]: serves DEVICE in reader SLOT.
serve() {
	pcsc_card_serve "$@" 9>&- || fail "serving $2 in reader $1"
}
# alone DEVICE [OPTIONS]: DEVICE is the only card, in reader 0; L0 = the
# pcscd log's lines so far.
alone() {
	for s in 0 1 2; do pcsc_card_stop $s 9>&-; done
	serve 0 "$@"
	L0=$(log_lines)
}
R0=$(pcsc_reader 0)

# custos_one PREFIX: one custos run onto the card in reader 0; sets
# PREFIX_secs, PREFIX_apdu.
custos_one() {
	t0=$(now_ns)
	"$CUSTOS" backup restore "$T/set" --card "pcsc:$R0" --pin-file \
		"$T/pin" >"$T/$1.out" 2>&1
	crc=$?
	t1=$(now_ns)
	eval "$1_apdu=$(apdus_since "$L0")"
	eval "$1_secs=$(secs "$t0" "$t1")"
	if [ "$crc" != 0 ]; then
		cp "$T/$1.out" "$T/out"
		fail "custos backup restore (exit $crc)"
	fi
}

# tool_loop PREFIX: one sc-hsm-tool run per key onto the only card.
tool_loop() {
	bad=0
	t0=$(now_ns)
	while read -r ref file; do
		sc-hsm-tool --unwrap-key "$T/set/$file" --key-reference \
			"$ref" --pin "$PIN" --force >"$T/tool-$ref.out" 2>&1 ||
			{ bad=$((bad + 1)); cp "$T/tool-$ref.out" "$T/out"; }
	done <"$T/keys"
	t1=$(now_ns)
	eval "$1_apdu=$(apdus_since "$L0")"
	eval "$1_secs=$(secs "$t0" "$t1")"
	[ "$bad" = 0 ] || fail "sc-hsm-tool --unwrap-key failed for $bad keys"
}

# check DEVICE: served alone and plain, it holds every key of the set.
# check DEVICE prove: and a second custos restore finds each and proves it.
check() {
	alone "$1"
	"$CUSTOS" hsm keys --card "pcsc:$R0" >"$T/out" 2>&1 ||
		fail "hsm keys on $1"
	awk '$1 ~ /^[0-9]+$/ { print $1, $(NF - 1), $NF }' "$T/out" |
		sort >"$T/have"
	cmp -s "$T/want" "$T/have" ||
		fail "$1 does not hold the $KEYS keys of the set"
	[ "${2:-}" = prove ] || return 0
	"$CUSTOS" backup restore "$T/set" --card "pcsc:$R0" --pin-file \
		"$T/pin" >"$T/out" 2>&1 || fail "proving the restore on $1"
	[ "$(grep -c 'already on the device under .*PROVEN' "$T/out")" = \
	    "$KEYS" ] || fail "not every key on $1 is proven as it was"
}

# 1. The plain emulator.
echo "plain emulator: custos, then sc-hsm-tool"
alone p-custos
custos_one pc
alone p-tool
tool_loop pt
check p-tool prove
check p-custos

# 2. The timing model, one device each.
if [ "$TIMED" != 0 ]; then
	echo "timing model: custos, then sc-hsm-tool (a few minutes)"
	alone t-custos --timing sc-hsm
	custos_one tc
	alone t-tool --timing sc-hsm
	tool_loop tt
	check t-tool prove
	check t-custos

	# 3. The timing model, three devices at once.
	echo "timing model: custos onto three devices at once"
	for s in 0 1 2; do pcsc_card_stop $s 9>&-; done
	serve 0 m1 --timing sc-hsm
	serve 1 m2 --timing sc-hsm
	serve 2 m3 --timing sc-hsm
	L0=$(log_lines)
	printf '%s\n%s\n%s\n' "$PIN" "$PIN" "$PIN" >"$T/pin3"
	t0=$(now_ns)
	"$CUSTOS" backup restore "$T/set" --card "pcsc:$R0" \
		--card "pcsc:$(pcsc_reader 1)" --card "pcsc:$(pcsc_reader 2)" \
		--pin-file "$T/pin3" >"$T/three.out" 2>&1
	crc=$?
	t1=$(now_ns)
	m_apdu=$(apdus_since "$L0")
	m_secs=$(secs "$t0" "$t1")
	if [ "$crc" != 0 ]; then
		cp "$T/three.out" "$T/out"
		fail "custos backup restore onto three devices (exit $crc)"
	fi
	grep -q "^RESTORED: 3 of 3 HSMs restored completely" "$T/three.out" ||
		fail "three devices: not every one restored"
	for d in m1 m2 m3; do check $d; done
fi

# --- report
row() {	# LABEL SECS APDUS [KEYS]
	awk -v l="$1" -v s="$2" -v a="$3" -v k="${4:-$KEYS}" 'BEGIN {
		printf "%-46s %8.2f %7.2f %7.3f %6d %9.1f %8.1f\n", l, s,
		    k / s, s / k, a, a / k, 1000 * s / a }'
}
ratio() {	# NAME NUM DEN FLOOR-TEXT ge|le LIMIT
	awk -v n="$1" -v a="$2" -v b="$3" -v f="$4" -v op="$5" -v lim="$6" \
	    'BEGIN {
		r = a / b
		pass = 0
		if (op == "ge" && r >= lim) pass = 1
		if (op == "le" && r <= lim) pass = 1
		printf "%s: %.2fx (%s)%s\n", n, r, f, pass ? "" : "  FLOOR MISSED"
	}'
}
echo
echo "machine: $(nproc) cores; pcscd --debug logging to a file"
case $MIX in
rsa) mix="all RSA-2048" ;;
ec) mix="all EC P-256" ;;
*) mix="$((KEYS / 2)) RSA-2048, $((KEYS / 2)) EC P-256" ;;
esac
echo "keys: $KEYS ($mix), all restored and proven on every device"
printf '%-46s %8s %7s %7s %6s %9s %8s\n' "" "wall s" "keys/s" "s/key" \
	"APDUs" "APDUs/key" "ms/APDU"
row "plain: custos backup restore (1 run, 1 PIN)" "$pc_secs" "$pc_apdu"
row "plain: sc-hsm-tool --unwrap-key ($KEYS runs)" "$pt_secs" "$pt_apdu"
if [ "$TIMED" != 0 ]; then
	row "timed: custos backup restore (1 run, 1 PIN)" "$tc_secs" "$tc_apdu"
	row "timed: sc-hsm-tool --unwrap-key ($KEYS runs)" "$tt_secs" "$tt_apdu"
	row "timed: custos onto 3 devices at once" "$m_secs" "$m_apdu" \
		$((3 * KEYS))
fi
ratio "plain, sc-hsm-tool / custos" "$pt_secs" "$pc_secs" "floor >= 3x" ge 3
if [ "$TIMED" != 0 ]; then
	ratio "timed, sc-hsm-tool / custos" "$tt_secs" "$tc_secs" \
		"floor >= 1x: custos, every key proven, no slower" ge 1
	ratio "timed, 3 devices / 1 device" "$m_secs" "$tc_secs" \
		"floor <= 1.3x" le 1.3
fi
exit 0
