#!/bin/sh
# tests/cli/offline.sh - the program and the machine a ceremony names in
# its first record: `custos version`, the executable's SHA-256 and commit,
# the libraries and kernel, and the network interfaces up. An interface up
# is a warning and a fact; with --offline-required (or a plan's
# `offline: required`) it is a refusal that writes nothing. Interfaces are
# made in a network namespace of the test's own (root: unshare -n, veth).
. "$(dirname "$0")/lib.inc"
top=$(cd "$(dirname "$0")/../.." && pwd)

run version
expect_rc "custos version exits 0" 0
want=$(sha256sum "$CUSTOS" | cut -c1-64)
expect_out "it names the version of the Makefile" "^custos $(sed -n 's/^VERSION *= *//p' "$top/Makefile")\$"
expect_out "it prints the SHA-256 of its own executable" "^sha256: +$want "
if commit=$(git -C "$top" rev-parse HEAD 2>/dev/null); then
	expect_out "it prints the commit it was built from" "^commit: +$commit(-dirty)?\$"
else
	echo "skip - not a git checkout: the commit is not compared"
fi
if [ -f "$top/debian/changelog" ]; then
	v=$(sed -n '1s/^custos (\([^)-]*\).*/\1/p' "$top/debian/changelog")
	expect_out "debian/changelog's version is the program's ($v)" "^custos $v\$"
fi

printf 'administrator passphrase 2026\n' >"$T/apw"
if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2>/dev/null; then
	echo "skip - offline checks need root and network namespaces (unshare -n)"
	exit 0
fi
# $1: shell commands run first in a new network namespace; then custos.
inns() { pre=$1; shift; unshare -n sh -c "$pre"' && exec "$0" "$@"' "$CUSTOS" "$@" \
    >"$OUT" 2>"$ERR" </dev/null; rc=$?; }
veth='ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up'

inns true ceremony open "$T/off" --title T --admin carol --rehearsal \
    --offline-required --admin-passphrase-file "$T/apw"
expect_rc "offline: --offline-required opens the ceremony" 0
rec0() { f=$1; shift; head -n 1 "$f/transcript.jsonl" | jq -c "$@"; }
check "record 0 names no interface up" '[ "$(rec0 "$T/off" .facts.interfaces_up)" = "[]" ]'
check "record 0 names this executable's SHA-256" '[ "$(rec0 "$T/off" -r .facts.custos_sha256)" = "$want" ]'
check "record 0 names the version" '[ "$(rec0 "$T/off" -r .facts.custos_version)" = "$(sed -n "s/^VERSION *= *//p" "$top/Makefile")" ]'
check "record 0 names libsodium, OpenSSL, pcsc-lite and ncurses" \
    '[ "$(rec0 "$T/off" "[.facts.libraries[].name] | map(select(. == \"libsodium\" or . == \"OpenSSL\" or . == \"pcsc-lite\" or . == \"ncurses\")) | length")" = 4 ]'
check "record 0 names the kernel release" '[ "$(rec0 "$T/off" -r .facts.kernel)" = "$(uname -s) $(uname -r) $(uname -m)" ]'
check "and its build" '[ "$(rec0 "$T/off" -r .facts.kernel_build)" = "$(uname -v)" ]'
run audit verify "$T/off"
expect_rc "audit verify of the offline ceremony" 0
expect_out "audit verify says it was offline" "^network: +offline: no network interface up"
expect_out "audit verify shows the executable's hash" "^    $want\$"
expect_out "audit verify shows the software" "^software: +custos [0-9.]+, commit "

inns "$veth" ceremony open "$T/on" --title T --admin carol --rehearsal \
    --offline-required --admin-passphrase-file "$T/apw"
expect_err "an interface up with --offline-required is refused" 5 \
    "requires an offline machine, but network interfaces are up: v0, v1"
check "nothing was written" '[ ! -e "$T/on" ]'

inns "$veth" ceremony open "$T/on" --title T --admin carol --rehearsal \
    --admin-passphrase-file "$T/apw"
expect_rc "without it, an interface up opens the ceremony" 0
check "with a warning on screen" 'grep -q "warning: network interfaces are up: v0, v1" "$ERR"'
check "and the fact in record 0" '[ "$(rec0 "$T/on" -c .facts.interfaces_up)" = "[\"v0\",\"v1\"]" ]'
run audit verify "$T/on"
expect_out "audit verify warns that it was online" "^network: +WARNING: network interfaces up at open: v0, v1"
run audit report "$T/on" --out "$T/rep"
expect_rc "audit report" 0
check "the sign-off sheet names the network" 'grep -q "^Network: *WARNING: network interfaces up at open: v0, v1" "$T/rep.txt"'
check "the HTML report names the executable's hash" 'grep -q "$want" "$T/rep.html"'
inns "ip link add v0 type veth peer name v1" ceremony open "$T/down" \
    --title T --admin carol --rehearsal --offline-required \
    --admin-passphrase-file "$T/apw"
expect_rc "interfaces that exist but are down count as offline" 0

# A plan that requires an offline machine: the walk refuses to start.
mkdir -p "$T/p"
cat >"$T/p/plan.yaml" <<'PLAN'
custos-plan: 1
kind: new-dkek
title: Offline plan
admin: dana
rehearsal: true
offline: required
custodians: [alice]
dkek:
  shares:
    - holder: alice
hsms:
  - {name: primary, serial: DENK0100001}
PLAN
: >"$T/nokeys"
export CUSTOS_EMU_DIR="$T/emu" CUSTOS_TUI_SCRIPT="$T/nokeys"
mkdir -p "$T/emu"
inns "$veth" ceremony run --plan "$T/p/plan.yaml" "$T/p/c"
expect_err "a plan with offline: required refuses while an interface is up" 1 \
    "requires an offline machine.*v0, v1"
check "and writes nothing" '[ ! -e "$T/p/c" ]'
sed -i 's/^offline: required/offline: sometimes/' "$T/p/plan.yaml"
run ceremony run --plan "$T/p/plan.yaml" "$T/p/c"
expect_err "offline: takes required or preferred" 4 "offline: 'sometimes' is not required or preferred"
