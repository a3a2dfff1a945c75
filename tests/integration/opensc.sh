#!/bin/sh
# tests/integration/opensc.sh - OpenSC 0.23's own tools and custos on the
# same emulated SmartCard-HSM, through real pcscd + vpcd in a network
# namespace. Needs root; prints "skip - ..." (counted as skipped, never as
# passed) when it cannot run here.
: "${CUSTOS:?CUSTOS must name the custos binary}"
T=$(mktemp -d /tmp/custos-int-XXXXXX)
export CUSTOS_EMU_DIR="$T/emu"
PCSC_LOG="$T/pcsc.log"
. "$(dirname "$0")/pcsc-env.inc"
P11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
[ -e "$P11" ] || P11=$(find /usr/lib -name opensc-pkcs11.so 2>/dev/null | head -1)

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; sed 's/^/  | /' "$T/out" | tail -15; }
# t NAME CMD... : runs CMD (output to $T/out); ok when it exits 0.
t() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else notok "$name"; fi; }
# has NAME REGEX : the last output matches.
has() { if grep -Eq "$2" "$T/out"; then ok "$1"; else notok "$1 (want /$2/)"; fi; }

cleanup() { pcsc_env_stop; [ -n "${KEEP:-}" ] || rm -rf "$T"; }

if ! why=$(pcsc_env_check); then
	echo "skip - integration through pcscd: $why"
	rm -rf "$T"
	exit 0
fi
trap cleanup EXIT INT TERM
pcsc_env_start || { echo "not ok - pcscd in a network namespace"; exit 1; }
ok "pcscd started in network namespace $PCSC_NS (pid $PCSC_PID)"
pcsc_card_insert primary || { echo "not ok - emulated card on vpcd"; exit 1; }
ok "emulated card inserted (pid $CARD_PID)"

SO=3537363231383830 PIN=648219
p11() { pkcs11-tool --module "$P11" "$@"; }

t "sc-hsm-tool sees a fresh device" sc-hsm-tool
has "fresh device is not initialized" "never been initialized"
t "sc-hsm-tool --initialize with 2 DKEK shares" \
	sc-hsm-tool --initialize --so-pin $SO --pin $PIN --dkek-shares 2 \
	--label custos-it
t "status after initialize" sc-hsm-tool
has "two shares outstanding" "2 share\(s\) still missing"

# Direction 1: a share file custos wrote, imported by sc-hsm-tool.
printf 'custos-it-pass-1\n' >"$T/pw1"
t "custos writes a .pbe share" "$CUSTOS" share create --format pbe \
	--out "$T/a.pbe" --passphrase-file "$T/pw1"
# Direction 2: a share sc-hsm-tool made (salt and share from the card).
t "sc-hsm-tool --create-dkek-share" sc-hsm-tool --create-dkek-share \
	"$T/b.pbe" --password custos-it-pass-2
printf 'custos-it-pass-1\ncustos-it-pass-2\n' >"$T/pw12"
t "custos predicts the KCV of both shares" "$CUSTOS" dkek kcv "$T/a.pbe" \
	"$T/b.pbe" --passphrase-file "$T/pw12"
kcv=$(sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\).*/\1/p' "$T/out")
t "sc-hsm-tool imports the custos share" sc-hsm-tool --import-dkek-share \
	"$T/a.pbe" --password custos-it-pass-1
has "one share outstanding" "1 share\(s\) still missing"
t "sc-hsm-tool imports its own share" sc-hsm-tool --import-dkek-share \
	"$T/b.pbe" --password custos-it-pass-2
if [ -n "$kcv" ] && grep -q "key check value : $kcv" "$T/out"; then
	ok "card KCV equals the KCV custos predicted ($kcv)"
else
	notok "card KCV equals the KCV custos predicted (${kcv:-none})"
fi
t "custos hsm status through pcscd" "$CUSTOS" hsm status --card pcsc
has "custos reads the same KCV" "DKEK KCV +: $kcv"
has "custos reads the PIN tries" "user PIN tries left +: 3"
has "custos reads the SO PIN tries" "SO PIN tries left +: 15"

t "pkcs11-tool sees the token" p11 -L
has "token serial marks the emulator" "serial num +: ZZEMU"
t "pkcs11-tool --keypairgen RSA 2048" p11 --login --pin $PIN --keypairgen \
	--key-type rsa:2048 --label it-rsa --id 01
t "pkcs11-tool --keypairgen EC P-256" p11 --login --pin $PIN --keypairgen \
	--key-type EC:prime256v1 --label it-ec --id 02
t "pkcs11-tool --list-objects" p11 --list-objects
has "both public keys listed" "label: +it-ec"
t "pkcs11-tool --test --login" p11 --test --login --pin $PIN
has "--test ends with no errors" "^No errors"

# ECDSA through PKCS#11, verified by OpenSSL with the exported public key.
printf 'custos integration test message\n' >"$T/msg"
t "export EC public key" p11 --read-object --type pubkey --id 02 \
	-o "$T/ec.der"
t "ECDSA-SHA256 sign via PKCS#11" p11 --login --pin $PIN --sign --id 02 \
	-m ECDSA-SHA256 --signature-format openssl -i "$T/msg" -o "$T/ec.sig"
t "openssl verifies the ECDSA signature" openssl dgst -sha256 -verify \
	"$T/ec.der" -keyform DER -signature "$T/ec.sig" "$T/msg"

# Wrap on the primary device, unwrap on a replacement with the same DKEK.
t "sc-hsm-tool --wrap-key" sc-hsm-tool --wrap-key "$T/ec.wrap" \
	--key-reference 2 --pin $PIN
pcsc_card_remove
pcsc_card_insert replacement || { echo "not ok - replacement card"; exit 1; }
t "replacement: initialize with 2 DKEK shares" sc-hsm-tool --initialize \
	--so-pin $SO --pin $PIN --dkek-shares 2
# Card removed at the import APDU (4th: coolkey, muscle, applet, import):
# the tool fails, the device is unchanged, a rerun picks up from there.
pcsc_card_remove
pcsc_card_insert replacement remove-at=4 || { echo "not ok - faulty card"; exit 1; }
if sc-hsm-tool --import-dkek-share "$T/a.pbe" --password custos-it-pass-1 \
    >"$T/out" 2>&1 && grep -q "DKEK share imported" "$T/out"; then
	notok "import fails when the card is removed"
else
	ok "import fails when the card is removed"
fi
pcsc_card_remove
pcsc_card_insert replacement || { echo "not ok - replacement card"; exit 1; }
t "status after the removal" sc-hsm-tool
has "nothing was imported" "2 share\(s\) still missing"
t "replacement: import custos share" sc-hsm-tool --import-dkek-share \
	"$T/a.pbe" --password custos-it-pass-1
t "replacement: import sc-hsm-tool share" sc-hsm-tool \
	--import-dkek-share "$T/b.pbe" --password custos-it-pass-2
has "replacement has the same KCV" "key check value : $kcv"
t "sc-hsm-tool --unwrap-key on the replacement" sc-hsm-tool --unwrap-key \
	"$T/ec.wrap" --key-reference 2 --pin $PIN
t "unwrapped key signs via PKCS#11" p11 --login --pin $PIN --sign --id 02 \
	-m ECDSA-SHA256 --signature-format openssl -i "$T/msg" -o "$T/ec2.sig"
t "openssl verifies it with the ORIGINAL public key" openssl dgst -sha256 \
	-verify "$T/ec.der" -keyform DER -signature "$T/ec2.sig" "$T/msg"

# A wrong PIN says how many tries are left; the counter really counts.
t "pin status" sc-hsm-tool
has "3 tries before" "User PIN tries left +: 3"
p11 --login --pin 000000 --list-objects >"$T/out" 2>&1
has "wrong PIN refused" "CKR_PIN_INCORRECT"
t "pin status after a wrong PIN" sc-hsm-tool
has "2 tries left" "User PIN tries left +: 2"
exit 0
