# tests/cli/ceremony.sh - ceremony directories and their transcript, as an
# administrator and an auditor use them: open, record steps, close,
# verify with custos and with minisign/sha256sum/jq; tampering; crash
# recovery; and no secret anywhere in the directory.
. "$(dirname "$0")/lib.inc"
cd "$T" || exit 1
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'administrator passphrase 2026\n' > apw
printf 'correct horse battery staple\n' > pw
ADMIN="--admin-passphrase-file apw"

run ceremony open c --title "DKEK ceremony" --admin carol --rehearsal $ADMIN
expect_rc "open a ceremony" 0
expect_out "open prints the key fingerprint as words" "words: ([a-z]+ ){7}[a-z]+$"
check "ceremony files are private" '[ "$(stat -c %a c)" = 700 ] && [ "$(stat -c %a c/ceremony.key)" = 600 ]'
run ceremony open c --title again --admin carol $ADMIN
expect_err "opening over an existing directory is refused" 5 "file exists"
printf 'weak\n' > weak
run ceremony open d --title T --admin carol --admin-passphrase-file weak
expect_err "weak administrator passphrase refused" 5 "passphrase refused"
check "nothing left by a refused open" '[ ! -e d ]'

# The known-answer .pbe of tests/unit/test_pbe.c: its share is 00 01 .. 1f.
printf '53616c7465645f5f010203040506070833590373f986a07c7da196339cafd6237d8cae842b97814024cda8df83e39f16c354145e8f73afd0d4ae7dcf01215fe4' | xxd -r -p > kat.pbe
printf 'custos-kat\ncorrect horse battery staple\n' > conv
run share convert kat.pbe --to v1 --label alice --out c/shares/alice.share $FAST --passphrase-file conv --ceremony c $ADMIN
expect_rc "convert recorded in the ceremony" 0
run share create --label bob --out c/shares/bob.share $FAST --passphrase-file pw --ceremony c $ADMIN
expect_rc "create recorded in the ceremony" 0
printf 'correct horse battery staple\ncorrect horse battery staple\n' > two
run dkek kcv c/shares/alice.share c/shares/bob.share --passphrase-file two --ceremony c $ADMIN --actor carol
expect_rc "kcv recorded in the ceremony" 0
kcv=$(sed -n 's/^DKEK key check value : \([0-9A-F]*\).*/\1/p' "$OUT")
printf 'wrong passphrase entirely\n' > wrong
run share verify c/shares/bob.share --passphrase-file wrong --ceremony c $ADMIN
expect_err "a failed step still fails" 3 "wrong passphrase"
run share verify c/shares/bob.share --passphrase-file pw --ceremony c --admin-passphrase-file wrong
expect_err "wrong administrator passphrase" 3 "wrong administrator passphrase"

# What must be refused before any step is done.
run share verify c/ceremony.key --passphrase-file apw
expect_err "the ceremony key is not a share" 4 "signing key, not a DKEK share"
run share create --label x --out "$(printf 'c/shares/z\377.share')" $FAST --passphrase-file pw --ceremony c $ADMIN
expect_err "a file name that cannot be recorded is refused" 2 "not valid UTF-8"
check "and nothing was written" '[ -z "$(ls c/shares | grep z)" ]'
run share create --label x --out x.share $FAST --passphrase-file pw --ceremony c $ADMIN --actor "$(printf 'a\nb')"
expect_err "an actor with a line break is refused" 2 "control character"
check "and nothing was written" '[ ! -e x.share ]'
run share verify c/shares/bob.share --passphrase-file pw --actor bob
expect_err "--actor needs --ceremony" 2 "needs --ceremony"
run dkek kcv c/shares/bob.share --passphrase-file pw $ADMIN
expect_err "dkek kcv: admin passphrase needs --ceremony" 2 "needs --ceremony"
check "the v1 header names the ceremony" 'grep -q "^Ceremony: $(jq -r "select(.seq==0).facts.ceremony_id" c/transcript.jsonl)$" c/shares/bob.share'

run audit verify c; expect_out "open ceremony verifies" "^verdict: +OK"
expect_out "verify shows the key fingerprint words" "^  words: ([a-z]+ ){7}[a-z]+$"
expect_out "open ceremony says so" "status: +open"
run audit verify c --require-closed; expect_rc "--require-closed fails while open" 1
check "the transcript holds each step, its intent first" '[ "$(jq -r .action c/transcript.jsonl | tr "\n" " ")" = "ceremony.open intent share.convert intent share.create dkek.kcv attempt.refused " ]'
check "each file step completes its intent" '[ "$(jq -r "select(.action==\"share.create\") | .facts.intent" c/transcript.jsonl)" = 3 ]'
check "files are named relative to the ceremony directory" '[ "$(jq -r "select(.action==\"share.create\") | .facts.file" c/transcript.jsonl)" = shares/bob.share ]'
check "the share is recorded under its holder" '[ "$(jq -r "select(.action==\"share.create\") | .actor" c/transcript.jsonl)" = bob ]'
check "jq reads every record; the KCV is recorded" '[ "$(jq -r "select(.action==\"dkek.kcv\") | .facts.kcv" c/transcript.jsonl)" = "$kcv" ]'
check "the wrong passphrase is recorded as refused, by whose file it was" 'jq -se "map(select(.action==\"attempt.refused\"))[0] | .actor==\"bob\" and .facts.what==\"passphrase\" and .facts.file==\"shares/bob.share\"" c/transcript.jsonl >/dev/null'
check "every record says REHEARSAL" '[ "$(jq -r .rehearsal c/transcript.jsonl | sort -u)" = true ]'

# Crash mid-write: a partial record is reported, then cut off and recorded.
cp c/transcript.jsonl good.jsonl
printf '{"action":"share.cre' >> c/transcript.jsonl
run audit verify c; expect_err "partial record reported" 1 "7 records verify; the file ends in a partial record"
run share verify c/shares/bob.share --passphrase-file pw --ceremony c $ADMIN
expect_rc "appending after a crash works" 0
check "the cut is recorded" 'jq -se "map(select(.action==\"transcript.repair\"))[0].facts.dropped_bytes==20" c/transcript.jsonl >/dev/null'
run audit verify c; expect_out "repaired transcript verifies" "^verdict: +OK"

# Tampering is caught and located, and nothing is appended to a bad file.
cp c/transcript.jsonl before
sed -i '5s/"label":"bob"/"label":"eve"/' c/transcript.jsonl
run audit verify c; expect_err "edited record located" 1 "record 4 \(line 5\): the signature does not verify"
run share verify c/shares/bob.share --passphrase-file pw --ceremony c $ADMIN
expect_err "a tampered transcript stops the step before it is done" 4 "does not verify; nothing was done"
cp before c/transcript.jsonl
sed -i '4d' c/transcript.jsonl
run audit verify c; expect_err "deleted record located" 1 "record 3 \(line 4\): seq is 4"
cp before c/transcript.jsonl

# A custodian takes their share file away: copied, read back, recorded.
mkdir usb
run share copy c/shares/bob.share usb --ceremony c $ADMIN
expect_out "share copy copies and reads back" "^copied to $(pwd -P)/usb/bob.share$"
check "the copy is the file, byte for byte" 'cmp -s c/shares/bob.share usb/bob.share'
check "recorded: who took which file where, its SHA-256, read back" 'jq -se "map(select(.action==\"share.copy\"))[0] | .actor==\"bob\" and .facts.file==\"shares/bob.share\" and .facts.to==\"$(pwd -P)/usb/bob.share\" and .facts.file_sha256==\"$(sha256sum < usb/bob.share | cut -c1-64)\" and .facts.read_back" c/transcript.jsonl >/dev/null'
run share copy c/shares/alice.share usb/bob.share --ceremony c $ADMIN
expect_err "a copy over another file is refused" 5 "never overwritten"
check "and the file there is untouched" 'cmp -s c/shares/bob.share usb/bob.share'
run share copy c/shares/bob.share c --ceremony c $ADMIN
expect_err "a copy into the ceremony directory is refused" 2 "inside the ceremony directory"
run share copy c/ceremony.key usb --ceremony c $ADMIN
expect_err "the ceremony's signing key never leaves" 4 "signing key"
run share copy c/shares/bob.share no-such-usb --ceremony c $ADMIN
expect_err "a medium that is not there is said" 4 "is the medium mounted"
check "no copy was recorded but the one" '[ "$(jq -r "select(.action==\"share.copy\") | .facts.to" c/transcript.jsonl | wc -l)" = 1 ]'

# An interrupted close with a bogus signature file keeps the key.
echo "untrusted comment: bogus" > c/transcript.jsonl.minisig
run ceremony close c $ADMIN; expect_err "a bogus signature file stops the close" 4 "corrupted"
check "and the key is kept" '[ -e c/ceremony.key ]'
rm c/transcript.jsonl.minisig

# Close: nothing after; the transcript verifies with standard tools.
run ceremony close c $ADMIN; expect_rc "close" 0
check "close is recorded by the administrator" '[ "$(tail -n 1 c/transcript.jsonl | jq -r .actor)" = carol ]'
check "the signing key is gone" '[ ! -e c/ceremony.key ]'
check "the closing summary says who took which share file, and which stayed" 'tr -s " \n" "  " < c/summary.txt | grep -q "shares/bob.share holder: bob SHA-256: .* taken by bob to $(pwd -P)/usb/bob.share" && grep -A4 "shares/alice.share" c/summary.txt | grep -q "no copy recorded: on the ceremony laptop only"'
run audit verify c --require-closed; expect_out "closed ceremony verifies" "closing signature verified"
if command -v minisign >/dev/null; then
	if minisign -Vm c/transcript.jsonl -p c/ceremony.pub >/dev/null 2>&1; then ok "minisign verifies the closed transcript"; else echo "not ok - minisign verifies the closed transcript"; fi
else
	echo "skip - minisign is not installed"
fi
check "the trusted comment carries the file's SHA-256" 'grep -q "sha256 $(sha256sum c/transcript.jsonl | cut -c1-64)" c/transcript.jsonl.minisig'
run share verify c/shares/bob.share --passphrase-file pw --ceremony c $ADMIN
expect_err "nothing can be appended after close" 1 "closed"
printf '\n' >> c/transcript.jsonl
run audit verify c; expect_rc "a byte added after close is caught" 1
head -c -1 c/transcript.jsonl > t && cat t > c/transcript.jsonl

# What auditors read: the timeline, the HTML report and the sign-off sheet.
run audit show c; expect_out "show starts with the verdict" "^VERIFIED: 12 records"
expect_out "show lists the KCV step" "dkek.kcv"
check "show carries no escape character" '! grep -q "$(printf "\033")" "$OUT"'
run audit report c --out rep; expect_rc "report written" 0
check "report is self-contained (no script, no links)" '! grep -qiE "<script|https?:|src=|href=" rep.html'
check "report lists the KCV" 'grep -q "$kcv" rep.html'
check "sign-off sheet fits 80 columns" '[ "$(awk "{ if (length(\$0) > 80) n++ } END { print n+0 }" rep.txt)" -eq 0 ]'
check "sign-off sheet has the closing hash" 'grep -q "$(sha256sum c/transcript.jsonl | cut -c1-4)" rep.txt'
run audit report c --out rep; expect_err "report never overwrites" 5 "file exists"
cp -r c bad; sed -i '3s/"alice"/"mallory"/' bad/transcript.jsonl
run audit show bad; expect_rc "show of a tampered ceremony fails" 1
expect_out "and says where" "^NOT VERIFIED: record 2"

# No secret anywhere in the ceremony directory: the share (raw, hex,
# base64) and every passphrase.
share_hex=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
found=0
for s in "$share_hex" "$(echo $share_hex | tr a-f A-F)" \
    "$(printf "$share_hex" | xxd -r -p | base64 -w0)" \
    "administrator passphrase 2026" "correct horse battery staple" "custos-kat"; do
	grep -rqF -- "$s" c && { echo "  found secret: $s"; found=1; }
done
printf "$share_hex" | xxd -r -p > rawshare
for f in $(find c -type f); do
	python3 -c 'import sys; sys.exit(0 if open(sys.argv[2],"rb").read() in open(sys.argv[1],"rb").read() else 1)' "$f" rawshare &&
		{ echo "  raw share in $f"; found=1; }
done
check "no secret in the ceremony directory" '[ $found -eq 0 ]'
