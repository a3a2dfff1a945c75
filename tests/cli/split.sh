# tests/cli/split.sh - custos share split|combine|reshare|print, run as
# custodians would: SLIP-39 sheets and member share files, sc-hsm-tool
# password shares, every bad-input case of issue 5 as its own check, and
# --ceremony recording (audit verify; no share or mnemonic in the ceremony).
. "$(dirname "$0")/lib.inc"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T" || exit 1
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'correct horse battery staple\n' > pw
printf 'administrator passphrase 2026\n' > apw
ADMIN="--admin-passphrase-file apw"
# words SHEET: the mnemonic on a sheet, one line.
words() { sed -n 's/^  Group [ 0-9]*: *//p' "$1" | awk '{for(i=2;i<=NF;i+=2) printf "%s ", $i} END {print ""}'; }
fprof() { sed -n 's/^share fingerprint: \([0-9A-F ]*\).*/\1/p' "$OUT" | head -1; }

for c in split combine reshare print; do
	run share $c --help; expect_rc "share $c --help" 0
done

# --- usage errors, before anything is read or written
run share split --new --threshold 2 --custodians a,b,c
expect_err "split needs --out-dir" 2 "out-dir"
run share split --new --threshold 4 --custodians a,b,c --out-dir s
expect_err "threshold above the number of custodians" 2 "threshold must be 2 to 3"
run share split --new --threshold 1 --custodians a,b,c --out-dir s
expect_err "threshold 1 refused" 2 "threshold"
run share split --new --threshold 2 --custodian a --out-dir s
expect_err "one custodian refused" 2 "at least two custodians"
run share split --new --threshold 2 --custodians a,b,a --out-dir s
expect_err "a custodian named twice" 2 "named twice"
run share split --threshold 2 --custodians a,b --out-dir s
expect_err "no input share" 2 "one share FILE, or --new"
run share split --new --threshold 2 --custodians a,b --out-dir s --scheme shamir
expect_err "unknown scheme" 2 "scheme must be"
run share split --new --scheme sc-hsm --threshold 2 --custodians a,b --out-dir s
expect_err "sc-hsm split needs --out" 2 "needs --out FILE.pbe"
run share split --new --threshold 2 --custodians a,b --out-dir s --qr ascii
expect_err "unknown QR style" 2 "qr must be"
run share split --new --threshold 2 --custodians "$(printf 'a\tb'),c" --out-dir s
expect_err "control character in a custodian label" 2 "custodian 1: label"
check "nothing written by refused splits" '[ ! -e s ]'
run share combine --shares-file nothing
expect_err "combine needs --check or --out" 2 "give --check or --out"
run share combine --check --expect-fingerprint 12345 --shares-file x
expect_err "malformed expected fingerprint" 2 "16 hex digits"

# --- SLIP-39: split, sheets, every quorum rebuilds the same share
run share create --label src --out src.share $FAST --passphrase-file pw
sfpr=$(fprof)
run share split src.share --threshold 2 --custodians alice,bob,carol --out-dir s --passphrase-file pw --title "Test ceremony"
expect_rc "SLIP-39 split of a share file" 0
check "split prints the share's own fingerprint" '[ "$(fprof)" = "$sfpr" ]'
id1=$(sed -n 's/^identifier: //p' "$OUT")
check "three sheets and their PDFs, mode 0600" '[ "$(ls s | wc -l)" = 6 ] && [ "$(ls s/*.pdf | wc -l)" = 3 ] && [ "$(stat -c %a s/share-2-bob.txt)" = 600 ] && [ "$(stat -c %a s/share-2-bob.pdf)" = 600 ]'
words s/share-1-alice.txt > m1; words s/share-2-bob.txt > m2; words s/share-3-carol.txt > m3
check "each sheet holds 33 words" '[ "$(wc -w < m1)" = 33 ] && [ "$(wc -w < m3)" = 33 ]'
check "sheets are at most 80 columns" '[ "$(cat s/*.txt | while IFS= read -r l; do printf "%s\n" "$l" | wc -m; done | sort -n | tail -1)" -le 81 ]'
check "sheets carry custodian, index, threshold, identifier, fingerprint" 'grep -q "^Custodian: *bob$" s/share-2-bob.txt && grep -q "^Share: *2 of 3 (any 2" s/share-2-bob.txt && grep -q "^Identifier: *$id1 " s/share-2-bob.txt && grep -q "^Share fingerprint: *$sfpr" s/share-2-bob.txt && grep -q "^Ceremony: *Test ceremony" s/share-2-bob.txt'
check "sheets carry a QR code" 'grep -q "▀" s/share-1-alice.txt'
check "the mnemonics differ" '! cmp -s m1 m2'
for pair in "m1 m2" "m1 m3" "m2 m3" "m3 m1"; do
	cat $pair > q
	run share combine --check --shares-file q --expect-fingerprint "$sfpr"
	expect_out "quorum $pair rebuilds the share" "matches the recorded one"
done
run share combine --check --shares-fd 3 3<q; expect_rc "shares from a descriptor" 0
cat m1 m2 m3 > all3
run share combine --check --shares-file all3; expect_out "all three shares agree" "rebuilt from 3 shares"
cp s/share-1-alice.txt before
run share split src.share --threshold 2 --custodians alice,bob,carol --out-dir s --passphrase-file pw
expect_err "existing sheet refused" 5 "share-1-alice.txt: file exists"
same_file "existing sheet untouched" s/share-1-alice.txt before
if command -v zbarimg >/dev/null && command -v python3 >/dev/null; then
	# An independent decoder reads the QR code back to the same words.
	python3 "$TOP/tests/cli/qr-sheet2pgm.py" s/share-2-bob.txt qr.pgm
	zbarimg -q --raw qr.pgm 2>/dev/null | tr 'A-Z' 'a-z' > qrwords
	check "zbarimg reads the sheet's QR code as its words" '[ "$(cat qrwords)" = "$(sed "s/ *$//" m2)" ]'
	zbarimg -q --raw qr.pgm 2>/dev/null > qrupper; cat qrupper m3 > q
	run share combine --check --shares-file q --expect-fingerprint "$sfpr"
	expect_out "the scanned (upper-case) mnemonic combines" "matches the recorded one"
else
	echo "skip - QR code check: zbarimg (zbar-tools) or python3 is not installed"
fi
run share split --new --threshold 2 --custodians x,y --out-dir noqr --qr none
check "--qr none leaves the QR code out" '[ "$?" ] && ! grep -q "▀" noqr/share-1-x.txt && [ "$(wc -w < noqr/share-1-x.txt)" -gt 33 ]'

# --- combine: every bad input
awk '{ $3 = "zzzz"; print }' m1 > badword; cat badword m2 > q
run share combine --check --shares-file q
expect_err "unknown word named" 4 "share 1, word 3 'zzzz': not a SLIP-39 word"
awk '{ $7 = ($7 == "acid" ? "acne" : "acid"); print }' m2 > badck; cat m1 badck > q
run share combine --check --shares-file q
expect_err "checksum failure names the word" 4 "share 2, word 7 '[a-z]+': the checksum fails"
awk '{ NF = 32; print }' m1 > short; cat short m2 > q
run share combine --check --shares-file q
expect_err "wrong number of words" 4 "share 1 is not a valid SLIP-39 mnemonic"
cat m1 m1 > q; run share combine --check --shares-file q
expect_err "the same share twice" 5 "same share was given twice"
run share combine --check --shares-file m1
expect_err "too few shares" 4 "too few shares"
run share split --new --threshold 2 --custodians x,y,z --out-dir other
words other/share-1-x.txt > o1; cat m1 o1 > q
run share combine --check --shares-file q
expect_err "shares of different splits" 4 "different splits"
printf 'dream\000agency\n' > nul; run share combine --check --shares-file nul
expect_err "a NUL byte in the input" 4 "not text"
: > empty; run share combine --check --shares-file empty
expect_err "no shares at all" 4 "no share in the input"
run share combine --check --shares-file all3 --expect-fingerprint "0000 0000 0000 0000"
expect_err "fingerprint differs from the recorded one" 4 "not the recorded one"
if command -v python3 >/dev/null; then
	# Share 2 with one data word changed and a valid checksum: only the
	# digest can tell; with three shares the other two agree.
	python3 "$TOP/tests/cli/slip39-forge.py" m2 "$TOP/shamir/slip39-wordlist.txt" > forged
	cat m1 forged > q; run share combine --check --shares-file q
	expect_err "a wrong share with a valid checksum fails the digest" 4 "digest"
	cat m1 forged m3 > q; run share combine --check --shares-file q --expect-fingerprint "$sfpr"
	if [ "$rc" -eq 0 ] && grep -q "share 2 is wrong and was left out" "$ERR"; then ok "the wrong share among three is named"; else notok "the wrong share among three is named"; fi
else
	echo "skip - forged SLIP-39 share: python3 is not installed"
fi

# --- combine to a share file
printf 'a new passphrase for it\n' > npw
run share combine --out rebuilt.share --label src $FAST --shares-file all3 --new-passphrase-file npw
expect_rc "combine writes a v1 share file" 0
run share verify rebuilt.share --passphrase-file npw
check "the rebuilt file holds the same share" '[ "$(fprof)" = "$sfpr" ]'
run share combine --out rebuilt.share --label src $FAST --shares-file all3 --new-passphrase-file npw
expect_err "combine never overwrites" 5 "file exists"
run share combine --out r2.share $FAST --shares-file all3 --new-passphrase-file npw
expect_err "a v1 output needs --label" 2 "label"

# --- member share files (--share-files)
printf 'alice horse battery staple one\nbobby horse battery staple two\ncarol horse battery staple three\n' > cpw
run share split src.share --threshold 2 --custodians alice,bob,carol --out-dir sf --share-files $FAST --passphrase-file pw --new-passphrase-file cpw
expect_rc "split with member share files" 0
run share inspect sf/share-2-bob.share
expect_out "a member file says it is no DKEK share" "SLIP-39 member share, not a DKEK share"
printf 'bobby horse battery staple two\n' > cpwbob
run dkek kcv sf/share-2-bob.share --passphrase-file cpwbob
expect_err "dkek kcv refuses a member file" 4 "member share, not a DKEK share"
run hsm import-share sf/share-2-bob.share --card emu:split-dev --passphrase-file cpwbob
expect_err "hsm import-share refuses a member file before anything is sent" 4 "member share, not a DKEK share"
printf 'alice horse battery staple one\ncarol horse battery staple three\n' > cpw2
run share combine --check sf/share-1-alice.share sf/share-3-carol.share --passphrase-file cpw2 --expect-fingerprint "$sfpr"
expect_out "member files rebuild the share" "matches the recorded one"
printf 'alice horse battery staple one\ncorrect horse battery staple\n' > cpw3
run share combine --check sf/share-1-alice.share src.share --passphrase-file cpw3
expect_err "a DKEK share file is not a member file" 4 "not a SLIP-39 member share file"
printf 'alice horse battery staple one\nwrong wrong wrong wrong\n' > cpw4
run share combine --check sf/share-1-alice.share sf/share-3-carol.share --passphrase-file cpw4
expect_err "wrong custodian passphrase" 3 "wrong passphrase"

printf 'alice horse battery staple one\nshort\ncarol horse battery staple three\n' > cpwweak
run share split src.share --threshold 2 --custodians alice,bob,carol --out-dir sfw --share-files $FAST --passphrase-file pw --new-passphrase-file cpwweak
expect_err "a weak custodian passphrase is refused" 5 "passphrase refused"
check "nothing written when a custodian passphrase is refused" '[ -z "$(ls sfw)" ]'

# --- reshare: new identifier, same share, checked before the old set retires
cat m1 m3 > q
run share reshare --shares-file q --threshold 3 --custodians dave,erin,frank,grace --out-dir re --expect-fingerprint "$sfpr"
expect_out "reshare retires the old set after checking the new" "old set \\(identifier $id1, threshold 2\\) retired"
id2=$(sed -n 's/^identifier: //p' "$OUT")
check "reshare makes a new identifier" '[ -n "$id2" ] && [ "$id2" != "$id1" ]'
check "reshare keeps the share" '[ "$(fprof)" = "$sfpr" ]'
words re/share-1-dave.txt > r1; words re/share-2-erin.txt > r2; words re/share-4-grace.txt > r4
cat r1 r2 r4 > q; run share combine --check --shares-file q --expect-fingerprint "$sfpr"
expect_out "three of the new set rebuild the same share" "matches the recorded one"
cat r1 r2 > q; run share combine --check --shares-file q
expect_err "two of the new 3-of-4 set are too few" 4 "too few"
cat r1 m1 > q; run share combine --check --shares-file q
expect_err "old and new shares do not mix" 4 "different splits"
cat m1 m3 > q
run share reshare --shares-file q --threshold 2 --custodians u,v --out-dir re2 --expect-fingerprint "0000000000000000"
expect_err "reshare refuses a share that is not the recorded one" 4 "not the one recorded"
check "nothing written by a refused reshare" '[ -z "$(ls re2 2>/dev/null)" ]'

# --- print: the same words again
run share print --custodian carol --out carol-again.txt --shares-file m3 --fingerprint "$sfpr"
expect_rc "print regenerates a sheet" 0
words carol-again.txt > m3again
same_file "the reprinted sheet has the same words" m3 m3again
check "the reprint shows index and threshold" 'grep -q "^Share: *member 3 (any 2" carol-again.txt'
run share print --custodian carol --out bad-again.txt --shares-file badword
expect_err "print checks the words" 4 "word 3 'zzzz'"
run share print --custodian carol --out carol-again.txt --shares-file m3
expect_err "print never overwrites" 5 "file exists"

# --- sc-hsm-tool password shares
run share split src.share --scheme sc-hsm --threshold 2 --custodians a,b,c --out legacy.pbe --out-dir ls --passphrase-file pw
expect_rc "sc-hsm split" 0
prime=$(sed -n 's/^prime: //p' "$OUT")
check "a 64-byte .pbe" '[ "$(stat -c %s legacy.pbe)" = 64 ] && [ "$(head -c 8 legacy.pbe)" = Salted__ ]'
check "sheets in sc-hsm-tool's layout" 'grep -q "^Prime       : [0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{7\}$" ls/pwshare-1-a.txt && grep -q "^Share ID    : 2$" ls/pwshare-2-b.txt && grep -Eq "^Share value : [0-9a-f]{2}(:[0-9a-f]{2})*$" ls/pwshare-3-c.txt && grep -q "^Share 3 of 3$" ls/pwshare-3-c.txt'
cat ls/pwshare-1-a.txt ls/pwshare-3-c.txt > lq
run share combine --check --shares-file lq --pbe legacy.pbe --expect-fingerprint "$sfpr"
expect_out "two password shares open the .pbe: same share" "matches the recorded one"
run share combine --check --shares-file lq
expect_err "sc-hsm shares need the .pbe" 2 "need --pbe"
sed 's/^Share ID    : 3$/Share ID    : 0/' lq > l0
run share combine --check --shares-file l0 --pbe legacy.pbe
expect_err "share ID 0 refused" 4 "ID 0"
sed 's/^Share ID    : 3$/Share ID    : 1/' lq > ldup
run share combine --check --shares-file ldup --pbe legacy.pbe
expect_err "duplicate share ID refused" 5 "same share ID"
run share combine --check --shares-file lq --pbe legacy.pbe --threshold 3
expect_err "too few password shares" 4 "too few shares: 2 given, 3 needed"
sed "s/^Share value : .*/Share value : $(echo "$prime" | sed 's/../&:/g;s/:$//')/" ls/pwshare-1-a.txt > lbig; cat lbig ls/pwshare-2-b.txt > lq2
run share combine --check --shares-file lq2 --pbe legacy.pbe
expect_err "a value not below the prime refused" 4 "not below the prime"
sed 's/^Prime       : .*/Prime       : 00:00:00:00:00:00:00:17/' lq > lsmall
run share combine --check --shares-file lsmall --pbe legacy.pbe
expect_err "a prime that is no 64-bit safe prime refused" 4 "safe prime"
sed '/^Share value/d' ls/pwshare-1-a.txt > lnoval
run share combine --check --shares-file lnoval --pbe legacy.pbe
expect_err "an ID without a value" 4 "without its value"
# A wrong value: with exactly the threshold it cannot open the file...
sed 's/^\(Share value : ..\):\(.\)./\1:\20/' ls/pwshare-3-c.txt > lwrong3
cmp -s lwrong3 ls/pwshare-3-c.txt && sed -i 's/^\(Share value : ..\):\(.\)./\1:\21/' lwrong3
cat ls/pwshare-1-a.txt lwrong3 > lq3
run share combine --check --shares-file lq3 --pbe legacy.pbe
if [ "$rc" -eq 3 ] || [ "$rc" -eq 4 ]; then ok "a wrong password share is refused"; else notok "a wrong password share is refused"; fi
cat ls/pwshare-1-a.txt ls/pwshare-2-b.txt lwrong3 > lq4
run share combine --check --shares-file lq4 --pbe legacy.pbe --threshold 2 --expect-fingerprint "$sfpr"
if [ "$rc" -eq 0 ] && grep -q "share 3 is wrong and was left out" "$ERR"; then ok "the wrong password share among three is named"; else notok "the wrong password share among three is named"; fi

# Eleven custodians: a warning, and IDs 10 and up read as the decimal they are.
run share split --new --scheme sc-hsm --threshold 2 --custodians c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11 --out l11.pbe --out-dir l11
expect_rc "sc-hsm split for eleven custodians" 0
f11=$(fprof)
check "it warns that sc-hsm-tool misreads IDs from 10" 'grep -q "reads share IDs of 10 and up as hex" "$ERR"'
cat l11/pwshare-10-c10.txt l11/pwshare-11-c11.txt > lq10
run share combine --check --shares-file lq10 --pbe l11.pbe --expect-fingerprint "$f11"
expect_out "shares 10 and 11 recombine (IDs are decimal)" "matches the recorded one"
cat ls/pwshare-1-a.txt l11/pwshare-2-c2.txt > lmix
run share combine --check --shares-file lmix --pbe legacy.pbe
expect_err "password shares of different splits refused" 4 "different splits"

# --- --ceremony: every step recorded, no share anywhere in the directory
run ceremony open cer --title "Split ceremony" --admin carol --rehearsal $ADMIN
expect_rc "open a ceremony" 0
run share split src.share --threshold 2 --custodians alice,bob,carol --out-dir cs --passphrase-file pw --ceremony cer $ADMIN --actor carol
expect_rc "split recorded" 0
words cs/share-1-alice.txt > c1; words cs/share-2-bob.txt > c2; words cs/share-3-carol.txt > c3; cat c1 c2 > cq
run share combine --check --shares-file cq --expect-fingerprint "$sfpr" --ceremony cer $ADMIN
expect_rc "combine recorded" 0
run share reshare --shares-file cq --threshold 2 --custodians dave,erin --out-dir cre --ceremony cer $ADMIN
expect_rc "reshare recorded" 0
run share split src.share --scheme sc-hsm --threshold 2 --custodians a,b,c --out cer-legacy.pbe --out-dir cls --passphrase-file pw --ceremony cer $ADMIN
expect_rc "sc-hsm split recorded" 0
cat cls/pwshare-1-a.txt cls/pwshare-2-b.txt > clq
run share combine --check --shares-file clq --pbe cer-legacy.pbe --ceremony cer $ADMIN
expect_rc "sc-hsm combine recorded" 0
run share combine --check --shares-file cq --expect-fingerprint "0000000000000000" --ceremony cer $ADMIN
expect_err "a failed combine" 4 "not the recorded one"
run audit verify cer; expect_rc "the ceremony verifies" 0
check "split, combine and reshare are in the transcript" 'grep -q "\"share.split\"" cer/transcript.jsonl && grep -q "\"share.combine\"" cer/transcript.jsonl && grep -q "\"share.reshare\"" cer/transcript.jsonl'
check "the transcript names the custodians and the scheme" 'grep -q "\"custodians\": *\[\"alice\", *\"bob\", *\"carol\"\]" cer/transcript.jsonl && grep -q "\"scheme\": *\"sc-hsm\"" cer/transcript.jsonl'
check "the failed combine is recorded as a refused share" 'tail -n 1 cer/transcript.jsonl | grep "\"attempt.refused\"" | grep -q "\"expected_fingerprint\":\"0000000000000000\""'
leak=0
# any five consecutive words of any mnemonic, old or new set
for f in cs/*.txt cre/*.txt; do
	set -- $(words "$f")
	while [ $# -ge 5 ]; do
		if grep -rqiF "$1 $2 $3 $4 $5" cer; then leak=1; fi
		shift
	done
done
for f in cls/*.txt; do
	v=$(sed -n 's/^Share value : //p' "$f")
	grep -rqiF "$v" cer && leak=1
	grep -rqiF "$(echo "$v" | tr -d :)" cer && leak=1
done
check "no mnemonic words or password share in the ceremony directory" '[ "$leak" = 0 ]'

# --- the terminal: words typed without echo, a bad word named and asked again
if command -v tmux >/dev/null 2>&1; then
	sock="$T/tmux.sock"
	tm() { tmux -S "$sock" "$@"; }
	wait_for() {
		i=0
		while [ $i -lt 200 ]; do
			tm capture-pane -p -S -1000 -t t | grep -q "$1" && return 0
			i=$((i + 1)); sleep 0.05
		done
		return 1
	}
	# wait_count TEXT N: TEXT is on the screen N times (each prompt
	# flushes what was typed before it).
	wait_count() {
		i=0
		while [ $i -lt 200 ]; do
			[ "$(tm capture-pane -p -S -1000 -t t | grep -c "$1")" -ge "$2" ] && return 0
			i=$((i + 1)); sleep 0.05
		done
		return 1
	}
	tm new-session -d -s t -x 100 -y 30 "$CUSTOS share combine --check; echo EXIT=\$?; sleep 30"
	wait_for "Share 1 (words, not shown):" && ok "tty: asks for the first share" || notok "tty: asks for the first share"
	tm send-keys -t t "$(cat badword)" Enter
	wait_for "word 3 'zzzz'" && ok "tty: the bad word is named" || notok "tty: the bad word is named"
	wait_count "Share 1 (words, not shown):" 2
	tm send-keys -t t "$(cat m1)" Enter
	wait_for "Share 2 of 2 (words, not shown):" && ok "tty: the threshold comes from the first share" || notok "tty: the threshold comes from the first share"
	tm send-keys -t t "$(cat m3)" Enter
	wait_for "EXIT=" || true
	tm capture-pane -p -S -1000 -t t > screen.txt
	check "tty: rebuilt" 'grep -q "EXIT=0" screen.txt && grep -q "share fingerprint: $sfpr" screen.txt'
	set -- $(cat m1)
	check "tty: no word echoed or in scrollback" '! grep -q "$4 $5 $6" screen.txt'
	tm kill-server 2>/dev/null
	# sc-hsm-tool shares typed: the prime once, then ID and value; ID 0
	# refused as typed and asked again. (A server of its own.)
	sock="$T/tmux2.sock"
	tm new-session -d -s t -x 100 -y 30 "$CUSTOS share combine --check --scheme sc-hsm --pbe legacy.pbe; echo EXIT=\$?; sleep 30"
	wait_for "Prime (from any share sheet):" && ok "tty: asks for the prime" || notok "tty: asks for the prime"
	tm send-keys -t t "$(sed -n 's/^Prime *: //p' ls/pwshare-1-a.txt)" Enter
	wait_for "Share 1 ID"
	tm send-keys -t t "0" Enter
	wait_for "ID 0 or above 255" && ok "tty: share ID 0 refused as typed" || notok "tty: share ID 0 refused as typed"
	wait_count "Share 1 ID" 2
	tm send-keys -t t "1" Enter
	wait_count "Share 1 value" 1
	tm send-keys -t t "$(sed -n 's/^Share value : //p' ls/pwshare-1-a.txt)" Enter
	wait_count "Share 2 ID" 1
	tm send-keys -t t "3" Enter
	wait_count "Share 2 value" 1
	tm send-keys -t t "$(sed -n 's/^Share value : //p' ls/pwshare-3-c.txt)" Enter
	wait_count "Share 3 ID" 1
	tm send-keys -t t "" Enter
	i=0; while [ $i -lt 600 ] && ! tm capture-pane -p -t t | grep -q "EXIT="; do i=$((i + 1)); sleep 0.05; done
	tm capture-pane -p -S -1000 -t t > screen2.txt
	check "tty: typed password shares rebuild the share" 'grep -q "EXIT=0" screen2.txt && grep -q "share fingerprint: $sfpr" screen2.txt'
	v=$(sed -n 's/^Share value : //p' ls/pwshare-1-a.txt)
	check "tty: no share value on the screen" '! grep -qF "$v" screen2.txt'
	tm kill-server 2>/dev/null
else
	echo "skip - tty: tmux is not installed"
fi
