# tests/cli/paper.sh - the print-ready PDFs (issue 17, part 5): share
# sheets of a SLIP-39 and an sc-hsm-tool split, a reprinted sheet, the
# audit sign-off sheet and the closing summary of a ceremony, on A4 and US
# Letter. Every PDF is rendered (pdftoppm) and every QR code read back
# (zbarimg) to exactly the words of the text sheet; pdftotext finds the
# words in numbered groups on the share sheets, and NO secret (no run of
# mnemonic words, no passphrase, no share bytes) on the sign-off sheet or
# the summary.
. "$(dirname "$0")/lib.inc"
cd "$T" || exit 1

missing=""
for t in pdftoppm zbarimg pdftotext pdfinfo; do
	command -v $t >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "SKIP: paper.sh cannot check the PDFs:$missing not installed (apt-get install poppler-utils zbar-tools)"
	echo "skip - paper: the PDFs are NOT checked:$missing missing"
	exit 0
fi

export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'correct horse battery staple\n' > pw
printf 'administrator passphrase 2026\n' > apw
printf '3537363231383830\n' > so
printf '648219\n' > pin
ADMIN="--admin-passphrase-file apw"
# words SHEET: the mnemonic of a text sheet, one line.
words() { sed -n 's/^  Group [ 0-9]*: *//p' "$1" | awk '{for(i=2;i<=NF;i+=2) printf "%s ", $i} END {print ""}' | sed 's/ $//'; }
# qr PDF: every QR code of the PDF's pages, one a line (as zbarimg reads).
qr() {
	rm -f page-*.pgm
	pdftoppm -r 150 -gray "$1" page >/dev/null 2>&1
	for p in page-*.pgm; do zbarimg -q --raw "$p" 2>/dev/null; done
}
# size PDF: "A4" or "letter" as pdfinfo says.
size() { pdfinfo "$1" 2>/dev/null | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p' | head -1; }
# groups PDF TXT: the PDF's text holds the text sheet's numbered groups.
groups() {
	pdftotext -layout "$1" - | tr -s ' ' > got
	sed -n 's/^  Group/Group/p' "$2" | tr -s ' ' > want
	[ -s want ] && while IFS= read -r l; do grep -qF -- "$l" got || return 1; done < want
}

run ceremony open c --title "Paper ceremony" --admin carol --witness wendy --rehearsal $ADMIN
expect_rc "open a ceremony" 0
run share create --label alice --out c/shares/alice.share $FAST --passphrase-file pw --ceremony c $ADMIN
expect_rc "alice's share file" 0

# --- SLIP-39 sheets, A4 (the default)
run share split c/shares/alice.share --threshold 2 --custodians bob,dave,erin --out-dir c/split --passphrase-file pw --title "Paper ceremony" --ceremony c $ADMIN
expect_rc "SLIP-39 split with sheets" 0
check "a PDF beside every text sheet, mode 0600" '[ "$(ls c/split/*.pdf | wc -l)" = 3 ] && [ "$(stat -c %a c/split/share-1-bob.pdf)" = 600 ]'
n=0
for i in 1-bob 2-dave 3-erin; do
	words c/split/share-$i.txt > w-$i
	qr c/split/share-$i.pdf > q-$i
	check "sheet $i: A4" '[ "$(size c/split/share-$i.pdf)" = "595.276 841.89" ]'
	check "sheet $i: one QR code, read back to exactly the words of the text sheet" '[ "$(wc -l < q-$i)" = 1 ] && [ "$(wc -w < w-$i)" -ge 20 ] && [ "$(tr A-Z a-z < q-$i)" = "$(cat w-$i)" ]'
	check "sheet $i: the words in numbered groups, as on the text sheet" 'groups c/split/share-$i.pdf c/split/share-$i.txt'
	check "sheet $i: custodian and fingerprint on the PDF" 'pdftotext -layout c/split/share-$i.pdf - > t-$i && grep -q "^Custodian: *${i#*-}$" t-$i && grep -q "^Share fingerprint: *$(sed -n "s/^Share fingerprint: *//p" c/split/share-$i.txt)$" t-$i'
	n=$((n + 1))
done
check "the text sheets keep their half-block QR codes" 'grep -q "▀" c/split/share-1-bob.txt'
check "the record names the PDFs" '[ "$(jq -r "select(.action==\"share.split\") | .facts.sheets[]" c/transcript.jsonl | grep -c "\.pdf$")" = 3 ]'

# --- US Letter, and a sheet with no QR code
run share split --new --threshold 2 --custodians frank,gina --out-dir letter --paper letter
expect_rc "split --paper letter" 0
check "letter sheet: 612 x 792 points" '[ "$(size letter/share-1-frank.pdf)" = "612 792" ]'
words letter/share-2-gina.txt > w-gina; qr letter/share-2-gina.pdf > q-gina
check "letter sheet: the QR code reads back to the words" '[ "$(tr A-Z a-z < q-gina)" = "$(cat w-gina)" ]'
run share split --new --threshold 2 --custodians x,y --out-dir noqr --qr none
check "--qr none: no QR code on the PDF either" '[ "$rc" = 0 ] && [ -z "$(qr noqr/share-1-x.pdf)" ] && groups noqr/share-1-x.pdf noqr/share-1-x.txt'
run share split --new --threshold 2 --custodians a,b --out-dir bad --paper legal
expect_err "--paper legal refused" 2 "paper must be 'a4' or 'letter'"

# --- a reprinted sheet, and sc-hsm-tool password shares
cp w-2-dave m-dave
run share print --custodian dave --out c/dave-again.txt --shares-file m-dave --paper letter --ceremony c $ADMIN
expect_rc "share print" 0
check "reprint: PDF beside it, on letter, QR = words" '[ "$(size c/dave-again.pdf)" = "612 792" ] && [ "$(qr c/dave-again.pdf | tr A-Z a-z)" = "$(cat w-2-dave)" ]'
run share split --new --scheme sc-hsm --out c/legacy.pbe --threshold 2 --custodians hal,ida --out-dir c/legacy --ceremony c $ADMIN
expect_rc "sc-hsm-tool password shares" 0
check "password share PDFs hold the share as sc-hsm-tool prints it" 'v=$(sed -n "s/^Share value : //p" c/legacy/pwshare-1-hal.txt) && [ -n "$v" ] && pdftotext -layout c/legacy/pwshare-1-hal.pdf - | grep -qF "$v"'

# --- keys, so the summary lists one
run hsm init --card emu:primary --dkek-shares 1 --so-pin-file so --pin-file pin --ceremony c $ADMIN
run hsm import-share --card emu:primary c/shares/alice.share --passphrase-file pw --pin-file pin --ceremony c $ADMIN
run hsm keygen --card emu:primary --type ec:P-256 --label signer --pin-file pin --ceremony c $ADMIN
expect_rc "a key generated in the ceremony" 0
fpr=$(jq -r 'select(.action=="hsm.keygen") | .facts.pubkey_sha256' c/transcript.jsonl)
kcv=$(jq -r 'select(.action=="hsm.import-share") | .facts.kcv // empty' c/transcript.jsonl | tail -1)

# --- the sign-off sheet, A4 and letter
run audit report c --out rep
expect_rc "audit report" 0
check "sign-off sheet as PDF, A4" '[ -f rep.pdf ] && [ "$(size rep.pdf)" = "595.276 841.89" ]'
check "its text is the sign-off sheet's" 'pdftotext rep.pdf - | grep -q "KEY CEREMONY SIGN-OFF SHEET" && pdftotext rep.pdf - | grep -q "^Administrator: *carol"'
run audit report c --out rep-letter --paper letter
check "sign-off sheet on letter" '[ "$rc" = 0 ] && [ "$(size rep-letter.pdf)" = "612 792" ]'
run audit report c --out rep-again
check "the same ceremony gives the same sign-off PDF" 'cmp -s rep.pdf rep-again.pdf'

# --- close: the summary
run ceremony close c --paper letter $ADMIN
expect_rc "close with --paper letter" 0
check "summary.txt and summary.pdf in the ceremony directory" '[ -f c/summary.txt ] && [ -f c/summary.pdf ] && [ "$(size c/summary.pdf)" = "612 792" ]'
check "summary: the closing hash is the closed transcript's" 'h=$(sha256sum c/transcript.jsonl | cut -c1-64) && [ "$(sed -n "/^Closing transcript/{n;p;n;p}" c/summary.txt | tr -d " \n")" = "$h" ]'
check "summary: the ceremony key hash" 'h=$(jq -r "select(.seq==0).facts.public_key_sha256" c/transcript.jsonl) && [ "$(sed -n "/^Ceremony public key/{n;p;n;p}" c/summary.txt | tr -d " \n")" = "$h" ]'
check "summary: the KCV in groups" '[ -n "$kcv" ] && grep -q "^  $(echo $kcv | sed "s/..../& /g;s/ $//")  (record" c/summary.txt'
check "summary: the share file with holder and SHA-256" 'grep -A2 "^  shares/alice.share$" c/summary.txt | grep -q "holder: alice" && grep -A2 "^  shares/alice.share$" c/summary.txt | grep -q "SHA-256: $(sha256sum c/shares/alice.share | cut -c1-4) "'
check "summary: the key with its fingerprint" 'grep -A1 "key .* signer" c/summary.txt | grep -q "public key SHA-256: $(echo $fpr | cut -c1-4) $(echo $fpr | cut -c5-8)"'
check "summary: a signature line for admin, custodians and witness" 'for p in "Administrator: carol" "Witness: wendy" "Custodian: alice" "Custodian: bob" "Custodian: dave" "Custodian: erin" "Custodian: hal"; do grep -q "^$p$" c/summary.txt || exit 1; done'
check "summary PDF holds the summary's text" 'pdftotext -layout c/summary.pdf - | tr -s " " > st && grep -q "KEY CEREMONY CLOSING SUMMARY" st && grep -q "Witness: wendy" st'
check "the closed ceremony verifies" '"$CUSTOS" audit verify c --require-closed >/dev/null 2>&1'

# --- no secret on the sign-off sheet or the summary
# secret_in FILE: says which secret FILE holds (status 0), if any: two
# words of a mnemonic one after the other (spaces or a word number between),
# a passphrase or PIN, the bytes of a password share.
secret_in() {
	hit=1
	for i in 1-bob 2-dave 3-erin; do
		set -- $(cat w-$i)
		while [ $# -ge 2 ]; do
			grep -qiE "(^|[^a-z])$1[[:space:]0-9]+$2([^a-z]|$)" "$f" && { echo "  $f: words '$1 $2' of sheet $i"; hit=0; break; }
			shift
		done
	done
	for s in "correct horse battery staple" "administrator passphrase 2026" 648219 3537363231383830 "$v"; do
		grep -qF -- "$s" "$f" && { echo "  $f: a passphrase, PIN or password share"; hit=0; }
	done
	return $hit
}
v=$(sed -n "s/^Share value : //p" c/legacy/pwshare-1-hal.txt)
for p in rep:rep-pdf rep-letter:rep-letter-pdf c/summary:sum-pdf c/split/share-2-dave:sheet-pdf c/legacy/pwshare-1-hal:pw-pdf; do pdftotext -layout "${p%:*}.pdf" "${p#*:}.txt"; done
check "the search finds the words on a share sheet (PDF text) and the share bytes on a password share" 'f=sheet-pdf.txt; secret_in >/dev/null && f=pw-pdf.txt && secret_in >/dev/null'
found=0
for f in rep.txt rep-pdf.txt rep-letter-pdf.txt c/summary.txt sum-pdf.txt; do
	secret_in && found=1
done
check "no mnemonic words, passphrase, PIN or share bytes on sign-off sheet or summary" '[ $found -eq 0 ]'
echo "# $n SLIP-39 sheets read back by QR"

# --- a cut close: taken up again, the summary is the same; a different
# summary file is never clobbered
run ceremony open d --title "Cut close" --admin carol $ADMIN
run share create --label zoe --out d/z.share $FAST --passphrase-file pw --ceremony d $ADMIN
printf 'not the summary\n' > d/summary.txt
run ceremony close d $ADMIN
expect_err "a different summary.txt stops the close" 5 "summary.txt exists and is not this ceremony's closing summary"
check "it is untouched, and the key is kept" '[ "$(cat d/summary.txt)" = "not the summary" ] && [ -e d/ceremony.key ] && [ ! -e d/transcript.jsonl.minisig ]'
rm d/summary.txt
run ceremony close d $ADMIN
expect_rc "the cut close is taken up" 0
check "and writes the summary of the closed transcript" 'h=$(sha256sum d/transcript.jsonl | cut -c1-64) && [ "$(sed -n "/^Closing transcript/{n;p;n;p}" d/summary.txt | tr -d " \n")" = "$h" ] && [ -f d/summary.pdf ]'
check "one close record" '[ "$(jq -r .action d/transcript.jsonl | grep -c ceremony.close)" = 1 ]'

# --- a close cut after the summary was written (here: a bogus signature
# file stops it): taken up again in another process, the summary made
# again is the same bytes, so it is kept and the close finishes
run ceremony open e --title "Cut after the summary" --admin carol $ADMIN
echo "untrusted comment: bogus" > e/transcript.jsonl.minisig
run ceremony close e --paper letter $ADMIN
check "the close is cut after the summary" '[ "$rc" != 0 ] && [ -f e/summary.pdf ] && [ -e e/ceremony.key ]'
cp e/summary.pdf first.pdf; cp e/summary.txt first.txt
rm e/transcript.jsonl.minisig
run ceremony close e --paper letter $ADMIN
expect_rc "taken up again, with the same --paper" 0
check "the summary is the same bytes, made again by another process" 'cmp -s first.pdf e/summary.pdf && cmp -s first.txt e/summary.txt'
