# tests/cli/share.sh - custos share create|inspect|verify|convert and
# custos dkek kcv, run as a user would, including every bad-input case.
. "$(dirname "$0")/lib.inc"
cd "$T" || exit 1
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'correct horse battery staple\n' > pw
printf 'wrong horse battery staple\n' > badpw
printf 'sixsix\n' > legacypw

run --help; expect_rc "top-level help" 0
run bogus; expect_err "unknown command" 2 "unknown command 'bogus'"
for c in "share create" "share inspect" "share verify" "share convert" "dkek kcv"; do
	run $c --help; expect_rc "$c --help" 0
done
run share create --out x --label a --bogus; expect_err "unknown option" 2 "unknown or incomplete option"

# create, inspect, verify (v1)
run share create --label alice --out alice.share $FAST --passphrase-file pw --comment "safe 3"
expect_rc "create v1" 0
fpr=$(sed -n 's/^share fingerprint: //p' "$OUT")
check "create prints a fingerprint" '[ -n "$fpr" ]'
check "v1 file is mode 0600" '[ "$(stat -c %a alice.share)" = 600 ]'
check "no temporary file left" '[ "$(ls | grep -c tmp-)" -eq 0 ]'
run share inspect alice.share; expect_out "inspect shows label" "^label: +alice$"
expect_out "inspect shows the same fingerprint" "fingerprint: $fpr"
run share verify alice.share --passphrase-file pw; expect_out "verify prints fingerprint" "share fingerprint: $fpr"
run share verify alice.share --passphrase-fd 3 3<pw; expect_rc "passphrase from a descriptor" 0

# wrong passphrase; no tty; existing output
run share verify alice.share --passphrase-file badpw
expect_err "wrong passphrase" 3 "alice.share: wrong passphrase"
run share verify alice.share; expect_err "no terminal and no passphrase source" 1 "no terminal"
cp alice.share before
run share create --label alice --out alice.share $FAST --passphrase-file pw
expect_err "existing output refused" 5 "file exists"
same_file "existing output untouched" alice.share before

# weak passphrases
printf 'short\n' > weak
run share create --label a --out weak.share $FAST --passphrase-file weak
expect_err "short passphrase refused" 5 "passphrase refused: too short"
printf 'aaaaaaaaaaaaaaaaaaaa\n' > weak2
run share create --label a --out weak.share $FAST --passphrase-file weak2
expect_err "predictable passphrase refused" 5 "too predictable"
check "nothing written for a refused passphrase" '[ ! -e weak.share ]'
run share create --label a --out w.share --kdf-memory 8 --passphrase-file pw
expect_err "KDF memory below the floor refused" 2 "kdf-memory"

# damaged v1 files
head -c 200 alice.share > trunc.share
run share verify trunc.share --passphrase-file pw; expect_err "truncated v1" 4 "truncated"
cp alice.share padded.share; echo >> padded.share
run share verify padded.share --passphrase-file pw; expect_err "padded v1" 4 "not in the expected format"
sed 's/^Data-2: \(.\)/Data-2: f/' alice.share > flip.share
cmp -s flip.share alice.share && sed -i 's/^Data-2: f/Data-2: 0/' flip.share
run share verify flip.share --passphrase-file pw; expect_err "altered v1 ciphertext" 3 "wrong passphrase, or the file was altered"
sed 's/^Label: alice/Label: mallory/' alice.share > relabel.share
run share verify relabel.share --passphrase-file pw; expect_err "altered v1 header" 3 "altered"
echo "hello" > notashare
run share inspect notashare; expect_err "not a share file" 4 "not in the expected format"
run share inspect missing.share; expect_err "missing input" 4 "no such file"
mkdir adir; run share inspect adir; expect_err "directory as input" 4 "not in the expected format"
cp alice.share noread.share; chmod 000 noread.share
if [ "$(id -u)" -ne 0 ]; then
	run share inspect noread.share; expect_err "unreadable input" 1 "permission denied"
elif command -v setpriv >/dev/null; then
	# root reads any file: drop to nobody for this one check.
	chmod 755 "$T"; cp "$CUSTOS" "$T/custos-copy"; chmod 755 "$T/custos-copy"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/custos-copy" share inspect noread.share >"$OUT" 2>"$ERR"; rc=$?
	expect_err "unreadable input" 1 "noread.share: permission denied"
	chmod 700 "$T"
else
	echo "skip - unreadable input: running as root without setpriv"
fi

# legacy .pbe: opt-in with a warning; sc-hsm-tool's 6-character minimum
run share create --format pbe --out legacy.pbe --passphrase-file legacypw
expect_rc "create .pbe" 0
check ".pbe creation warns about integrity" 'grep -q "no integrity check" "$ERR"'
check ".pbe is 64 bytes starting Salted__" '[ "$(stat -c %s legacy.pbe)" = 64 ] && [ "$(head -c 8 legacy.pbe)" = Salted__ ]'
lfpr=$(sed -n 's/^share fingerprint: //p' "$OUT")
printf 'five5\n' > five
run share create --format pbe --out five.pbe --passphrase-file five
expect_err ".pbe passphrase under 6 refused" 5 "at least 6"
run share inspect legacy.pbe; expect_out "inspect .pbe" "sc-hsm-tool .pbe"
head -c 63 legacy.pbe > legacy-trunc.pbe
run share verify legacy-trunc.pbe --passphrase-file legacypw; expect_err "truncated .pbe" 4 "truncated"
cat legacy.pbe legacy.pbe > legacy-pad.pbe
run share verify legacy-pad.pbe --passphrase-file legacypw; expect_err "padded .pbe" 4 "too large"
printf 'wrong1\n' > legacybad
run share verify legacy.pbe --passphrase-file legacybad; expect_err "wrong .pbe password" 3 "wrong passphrase"

# convert both ways keeps the share
printf 'sixsix\ncorrect horse battery staple\n' > two
run share convert legacy.pbe --to v1 --label bob --out bob.share $FAST --passphrase-file two
expect_rc "convert .pbe -> v1" 0
expect_out "convert keeps the fingerprint" "share fingerprint: $lfpr"
printf 'correct horse battery staple\nsixsix\n' > two2
run share convert bob.share --to pbe --out back.pbe --passphrase-file two2
expect_out "convert v1 -> .pbe keeps the fingerprint" "share fingerprint: $lfpr"
run share convert bob.share --to pbe --out back.pbe --passphrase-file two2
expect_err "convert refuses an existing output" 5 "file exists"

# dkek kcv
printf 'correct horse battery staple\nsixsix\n' > kcvpw
run dkek kcv alice.share legacy.pbe --passphrase-file kcvpw
expect_out "kcv of two shares" "^DKEK key check value : [0-9A-F]{16} "
kcv=$(sed -n 's/^DKEK key check value : \([0-9A-F]*\).*/\1/p' "$OUT")
printf 'correct horse battery staple\ncorrect horse battery staple\n' > kcvpw2
printf 'sixsix\nsixsix\n' > dup
run dkek kcv legacy.pbe back.pbe --passphrase-file dup
expect_err "duplicate share refused" 5 "hold the same share"
run dkek kcv alice.share alice.share --passphrase-file kcvpw2
expect_err "the same file twice refused" 5 "hold the same share"
check "KCV is 16 hex digits" '[ ${#kcv} -eq 16 ]'
