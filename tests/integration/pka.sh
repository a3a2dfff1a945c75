#!/bin/sh
# tests/integration/pka.sh - public key authentication (issue 16) with
# OpenSC's sc-hsm-tool as the peer, through real pcscd and vpcd, four
# emulated devices as four readers: the main HSM and three custodians'
# personal devices. sc-hsm-tool initializes the main HSM for 2-of-3 PKA,
# registers a .pka custos wrote and shows the status; custos checks and
# registers a .pka sc-hsm-tool wrote (from a key pkcs11-tool made);
# then custos runs the quorum through pcscd - each personal device in its
# own reader signs the main HSM's challenge - and generates a key, which
# the HSM refuses before the quorum. Needs root; prints "skip - ..."
# when it cannot run here.
: "${CUSTOS:?CUSTOS must name the custos binary}"
T=$(mktemp -d /tmp/custos-int-XXXXXX)
export CUSTOS_EMU_DIR="$T/emu"
PCSC_LOG="$T/pcsc.log"
PCSC_READERS=4
. "$(dirname "$0")/pcsc-env.inc"
P11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
[ -e "$P11" ] || P11=$(find /usr/lib -name opensc-pkcs11.so 2>/dev/null | head -1)

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; sed 's/^/  | /' "$T/out" | tail -15; }
t() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else notok "$name"; fi; }
tfail() { name=$1; shift; if "$@" >"$T/out" 2>&1; then notok "$name (it succeeded)"; else ok "$name"; fi; }
has() { if grep -Eq "$2" "$T/out"; then ok "$1"; else notok "$1 (want /$2/)"; fi; }

cleanup() { pcsc_env_stop; [ -n "${KEEP:-}" ] || rm -rf "$T"; }

if ! why=$(pcsc_env_check); then
	echo "skip - integration through pcscd: $why"
	rm -rf "$T"
	exit 0
fi
trap cleanup EXIT INT TERM
pcsc_env_start || { echo "not ok - pcscd in a network namespace"; exit 1; }
ok "pcscd started with $PCSC_READERS readers (pid $PCSC_PID)"
for s in 0 1 2 3; do
	name=$(echo main alice bob carol | cut -d' ' -f$((s + 1)))
	pcsc_card_serve $s $name || { echo "not ok - $name in reader $s"; exit 1; }
done
ok "four emulated devices in four readers"
RM=$(pcsc_reader 0) RA=$(pcsc_reader 1) RB=$(pcsc_reader 2) RC=$(pcsc_reader 3)
SO=3537363231383830 PIN=648219
printf '%s\n' $PIN >"$T/pin"
printf '%s\n' $SO >"$T/so"
printf '%s\n%s\n%s\n' $PIN $PIN $PIN >"$T/pins"

# sc-hsm-tool initializes the main HSM: 3 keys, 2 required.
t "sc-hsm-tool --initialize --public-key-auth 3 --required-pub-keys 2" \
	sc-hsm-tool -r "$RM" --initialize --so-pin $SO --pin $PIN \
	--dkek-shares 1 --public-key-auth 3 --required-pub-keys 2
t "sc-hsm-tool --public-key-auth-status" sc-hsm-tool -r "$RM" \
	--public-key-auth-status
has "3 keys, 3 missing, 2 required, 0 authenticated" \
	"Number of public keys: +3"
has "3 missing" "Missing public keys: +3"
has "2 required" "Required pubkeys for auth: 2"

# alice: a personal device made by custos; its .pka goes to sc-hsm-tool.
t "custos: alice's device without DKEK" "$CUSTOS" hsm init --card "pcsc:$RA" \
	--no-dkek --so-pin-file "$T/so" --pin-file "$T/pin"
t "custos: alice's EC key" "$CUSTOS" hsm keygen --card "pcsc:$RA" --ref 1 \
	--type ec:brainpoolP256r1 --label pka --unexportable --pin-file "$T/pin"
t "custos pka export (alice)" "$CUSTOS" pka export --card "pcsc:$RA" --key 1 \
	--out "$T/alice.pka" --holder alice
t "sc-hsm-tool exports the same key" sc-hsm-tool -r "$RA" \
	--export-for-pub-key-auth "$T/alice-sc.pka" --key-reference 1
if cmp -s "$T/alice.pka" "$T/alice-sc.pka"; then
	ok "custos's .pka is byte for byte sc-hsm-tool's"
else
	notok "custos's .pka is byte for byte sc-hsm-tool's"
fi
t "sc-hsm-tool --register-public-key takes custos's .pka" sc-hsm-tool \
	-r "$RM" --register-public-key "$T/alice.pka"
has "one registered" "Missing public keys: +2"

# bob: a personal device made by OpenSC; its .pka goes to custos.
t "sc-hsm-tool: bob's device" sc-hsm-tool -r "$RB" --initialize --so-pin $SO \
	--pin $PIN
t "pkcs11-tool: bob's EC key" pkcs11-tool --module "$P11" --slot-index 2 \
	--login --pin $PIN --keypairgen --key-type EC:brainpoolP256r1 --id 01 \
	--label bob-pka
t "sc-hsm-tool --export-for-pub-key-auth (bob)" sc-hsm-tool -r "$RB" \
	--export-for-pub-key-auth "$T/bob.pka" --key-reference 1
t "custos pka check takes sc-hsm-tool's .pka" "$CUSTOS" pka check "$T/bob.pka"
has "it names bob's device" "device +: ZZEMU"
t "custos pka register takes it" "$CUSTOS" pka register "$T/bob.pka" \
	--holder bob --card "pcsc:$RM"
has "two registered" "2 of 3 registered"
tfail "the same .pka again is refused" "$CUSTOS" pka register "$T/bob.pka" \
	--holder bob --card "pcsc:$RM"
has "said so" "registered on HSM ZZEMU[0-9A-F]* already"

# carol: custos all the way.
t "custos: carol's device" "$CUSTOS" hsm init --card "pcsc:$RC" --no-dkek \
	--so-pin-file "$T/so" --pin-file "$T/pin"
t "custos: carol's key" "$CUSTOS" hsm keygen --card "pcsc:$RC" --ref 1 \
	--type ec:prime256v1 --label pka --unexportable --pin-file "$T/pin"
t "custos pka export (carol)" "$CUSTOS" pka export --card "pcsc:$RC" --key 1 \
	--out "$T/carol.pka" --holder carol
t "custos pka register (carol)" "$CUSTOS" pka register "$T/carol.pka" \
	--holder carol --card "pcsc:$RM"
t "sc-hsm-tool sees all three" sc-hsm-tool -r "$RM" --public-key-auth-status
has "none missing" "Missing public keys: +0"
has "none authenticated yet" "Authenticated public keys: 0"

# The quorum through pcscd, then a key; not before.
printf 'it-share-passphrase-1\n' >"$T/pw"
t "custos share create" "$CUSTOS" share create --label it --out "$T/a.share" \
	--kdf-memory 256 --passphrase-file "$T/pw"
t "custos import-share (no key used: no quorum needed)" "$CUSTOS" hsm \
	import-share "$T/a.share" --card "pcsc:$RM" --passphrase-file "$T/pw"
tfail "a key before the quorum is refused" "$CUSTOS" hsm keygen \
	--card "pcsc:$RM" --ref 1 --type ec:prime256v1 --label k
has "with the count" "needs 2 of its 3 keys authenticated; 0 are"
t "custos hsm keygen after bob and carol authenticate" "$CUSTOS" hsm keygen \
	--card "pcsc:$RM" --ref 1 --type ec:prime256v1 --label k \
	--pka-auth "pcsc:$RB,bob" --pka-auth "pcsc:$RC,carol" --pin-file "$T/pins"
has "bob's OpenSC-made key answered" "bob authenticated with device ZZEMU[0-9A-F]*: 1 of 2"
has "carol's too" "carol authenticated with device ZZEMU[0-9A-F]*: 2 of 2"
has "the key was generated" "generated:"
t "sc-hsm-tool status afterwards" sc-hsm-tool -r "$RM" --public-key-auth-status
has "the state ended with custos's connection" "Authenticated public keys: 0"
t "custos sign-test with alice and bob" "$CUSTOS" hsm sign-test --card \
	"pcsc:$RM" --pka-auth "pcsc:$RA,alice" --pka-auth "pcsc:$RB,bob" \
	--pin-file "$T/pins"
