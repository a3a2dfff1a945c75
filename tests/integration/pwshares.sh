#!/bin/sh
# tests/integration/pwshares.sh - sc-hsm-tool's M-of-N password shares in
# both directions, with the REAL sc-hsm-tool driving the emulated
# SmartCard-HSM through pcscd + vpcd in a network namespace:
#  1. sc-hsm-tool --create-dkek-share F --pwd-shares-threshold 2
#     --pwd-shares-total 3: its printed shares recombined by custos share
#     combine, and the share custos rebuilds has the KCV the card reports
#     after sc-hsm-tool --import-dkek-share with those shares on stdin;
#  2. custos share split --scheme sc-hsm: its .pbe and password shares
#     imported by sc-hsm-tool, with the KCV custos predicts.
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
	echo "skip - sc-hsm-tool password shares through pcscd: $why"
	rm -rf "$T"
	exit 0
fi
trap cleanup EXIT INT TERM
pcsc_env_start || { echo "not ok - pcscd in a network namespace"; exit 1; }
ok "pcscd started in network namespace $PCSC_NS (pid $PCSC_PID)"
SO=3537363231383830 PIN=648219
export TERM=dumb	# sc-hsm-tool runs system("clear") between shares

# feed_shares FILE ID...: what sc-hsm-tool --import-dkek-share asks on
# stdin: the prime once, then per share <enter>, its ID and its value.
feed_shares() {
	f=$1; shift
	sed -n 's/^Prime *: *//p' "$f" | head -1
	for id in "$@"; do
		echo
		echo "$id"
		awk -v id="$id" '/^Share ID *:/ { split($0, a, ": *"); cur = a[2] }
		    /^Share value *:/ && cur == id { sub(/^Share value *: */, ""); print; exit }' "$f"
	done
}

# One fresh device with a single DKEK share: the card's KCV after the
# import is then the KCV of that share alone.
fresh_card() {
	pcsc_card_remove
	pcsc_card_insert "$1" || return 1
	sc-hsm-tool --initialize --so-pin $SO --pin $PIN --dkek-shares 1 \
	    --label "$1" >"$T/out" 2>&1
}

# --- 1. sc-hsm-tool's shares, recombined by custos
fresh_card st || { echo "not ok - emulated card on vpcd"; exit 1; }
ok "device st initialized for one DKEK share"
done1=""
for try in 1 2 3; do
	rm -f "$T/st.pbe"
	printf '\n\n\n\n\n\n\n\n' | sc-hsm-tool --create-dkek-share "$T/st.pbe" \
	    --pwd-shares-threshold 2 --pwd-shares-total 3 >"$T/st.txt" 2>&1
	grep -q "^Share value" "$T/st.txt" || { cp "$T/st.txt" "$T/out"; notok "sc-hsm-tool prints password shares"; break; }
	[ "$try" = 1 ] && ok "sc-hsm-tool --create-dkek-share --pwd-shares-threshold 2 --pwd-shares-total 3"
	cp "$T/st.txt" "$T/out"
	[ "$try" = 1 ] && has "it prints the shares in the documented layout" "^Prime       : [0-9a-f]{2}(:[0-9a-f]{2}){7}$"
	t "custos recombines sc-hsm-tool's shares 1 and 3" "$CUSTOS" share combine --check \
	    --scheme sc-hsm --shares-fd 3 --pbe "$T/st.pbe" 3<<EOF
$(grep -E '^(Prime|Share ID|Share value)' "$T/st.txt" | sed -n '1,3p;7,9p')
EOF
	ckcv=$(sed -n 's/^KCV if it is the only share: //p' "$T/out")
	t "custos recombines all three, more than the threshold" "$CUSTOS" share combine --check \
	    --shares-file "$T/st.txt" --pbe "$T/st.pbe" --threshold 2
	has "the same share from any quorum" "KCV if it is the only share: $ckcv"
	feed_shares "$T/st.txt" 1 3 | sc-hsm-tool --import-dkek-share "$T/st.pbe" \
	    --pwd-shares-total 2 >"$T/out" 2>&1
	if grep -q "Error decrypting DKEK share" "$T/out"; then
		# sc-hsm-tool's bug 2 (1 in 128): a leading zero password
		# byte. custos opened the file above; try a new one.
		echo "skip - sc-hsm-tool cannot open its own file (bug 2; custos could); new file"
		continue
	fi
	if [ -n "$ckcv" ] && grep -q "key check value : $ckcv" "$T/out"; then
		ok "card KCV after sc-hsm-tool's import equals custos' ($ckcv)"
	else
		notok "card KCV after sc-hsm-tool's import equals custos' (${ckcv:-none})"
	fi
	done1=1
	break
done
[ -n "$done1" ] || echo "not ok - direction 1 never completed"

# --- 2. custos' .pbe and password shares, imported by sc-hsm-tool
done2=""
for try in 1 2 3; do
	fresh_card "cu$try" || { notok "device cu$try"; break; }
	rm -rf "$T/cs" "$T/cu.pbe"
	t "custos share split --scheme sc-hsm (2 of 3)" "$CUSTOS" share split --new \
	    --scheme sc-hsm --threshold 2 --custodians a,b,c --out "$T/cu.pbe" \
	    --out-dir "$T/cs"
	cat "$T/cs"/pwshare-*.txt > "$T/cu.txt"
	t "custos predicts the share's KCV" "$CUSTOS" share combine --check \
	    --shares-file "$T/cu.txt" --pbe "$T/cu.pbe"
	ukcv=$(sed -n 's/^KCV if it is the only share: //p' "$T/out")
	feed_shares "$T/cu.txt" 2 3 | sc-hsm-tool --import-dkek-share "$T/cu.pbe" \
	    --pwd-shares-total 2 >"$T/out" 2>&1
	if grep -q "Error decrypting DKEK share" "$T/out"; then
		echo "skip - sc-hsm-tool bug 2 on this random password (1 in 128); new split"
		continue
	fi
	has "sc-hsm-tool imports custos' .pbe with custos' password shares" "DKEK share imported"
	if [ -n "$ukcv" ] && grep -q "key check value : $ukcv" "$T/out"; then
		ok "card KCV equals the KCV custos predicted ($ukcv)"
	else
		notok "card KCV equals the KCV custos predicted (${ukcv:-none})"
	fi
	done2=1
	break
done
[ -n "$done2" ] || echo "not ok - direction 2 never completed"

# --- 3. sc-hsm-tool's bug 1: IDs 10 and up. custos reads them as the
# decimal they are printed in; sc-hsm-tool reads hex and gets a wrong
# password (its file then fails to decrypt, or rarely a garbage share).
fresh_card bug1 || notok "device bug1"
rm -rf "$T/c11" "$T/c11.pbe"
t "custos share split --scheme sc-hsm for eleven custodians" "$CUSTOS" share split \
    --new --scheme sc-hsm --threshold 2 --custodians c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11 \
    --out "$T/c11.pbe" --out-dir "$T/c11"
has "custos warns about IDs from 10" "reads share IDs of 10 and up as hex"
cat "$T/c11/pwshare-10-c10.txt" "$T/c11/pwshare-11-c11.txt" > "$T/c11.txt"
t "custos recombines shares 10 and 11" "$CUSTOS" share combine --check \
    --shares-file "$T/c11.txt" --pbe "$T/c11.pbe"
bkcv=$(sed -n 's/^KCV if it is the only share: //p' "$T/out")
feed_shares "$T/c11.txt" 10 11 | sc-hsm-tool --import-dkek-share "$T/c11.pbe" \
    --pwd-shares-total 2 >"$T/out" 2>&1
if grep -q "Error decrypting DKEK share" "$T/out" ||
    { grep -q "key check value" "$T/out" && ! grep -q "key check value : $bkcv" "$T/out"; }; then
	ok "sc-hsm-tool cannot use shares 10 and 11 (its bug 1); custos can"
else
	notok "sc-hsm-tool cannot use shares 10 and 11 (its bug 1); custos can"
fi
