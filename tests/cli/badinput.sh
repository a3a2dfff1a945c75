#!/bin/sh
# tests/cli/badinput.sh - the bad-input catalogue (issue 14): every row of
# tests/cli/badinput.table is one bad input given to the real binary. Each
# must exit with the row's status and say, in one line on standard error,
# something matching the row's fragment; and nothing may change: the
# fixture tree (share files, sets, plans, ceremonies and their
# transcripts, the emulated devices' state) is hashed before and after.
#
# Table rows: NAME ~ EXIT ~ FRAGMENT (extended regex) ~ COMMAND (shell
# words after "custos", run in the fixture directory). Lines starting
# with # and blank lines are skipped. A NAME starting with "pin:" counts a
# wrong PIN on the device: its PIN counter may change and is then reset by
# a right PIN, so the device is compared by its keys and DKEK instead.
. "$(dirname "$0")/lib.inc"
table=$(cd "$(dirname "$0")" && pwd)/badinput.table
F=$T/fx
mkdir -p "$F" && cd "$F" || exit 1
export CUSTOS_EMU_DIR="$F/emu" CUSTOS_STATE_DIR="$F/state"
unset CUSTOS_EMU_FAULTS
FAST="--kdf-memory 256 --kdf-passes 1"
c() { "$CUSTOS" "$@" >/dev/null 2>"$T/setup.err" </dev/null ||
    { echo "not ok - fixture: custos $*"; sed 's/^/  | /' "$T/setup.err"; }; }

# ---- fixtures
printf 'long-passphrase-one-1\n' >p1
printf 'long-passphrase-two-2\n' >p2
cat p1 p2 >p12
cat p1 p1 >p11
cat p2 p2 >p22
printf 'wrong-passphrase-000\n' >wrong
: >empty
mkdir pdir
printf 'administrator passphrase 2026\n' >apw
printf 'not the administrator 2026\n' >badapw
printf '3537363231383830\n' >so
printf '0000000000000000\n' >badso
printf '3537\n' >shortso
printf '648219\n648219\n' >pin2
printf '648219\n' >pin
printf '000000\n' >badpin
printf '12\n12\n' >shortpin2
printf 'custos-pbe-pass-1\ncustos-pbe-pass-1\n' >pbepw2
printf 'custos-pbe-pass-1\n' >pbepw
cat p1 pbepw >p1pbe
printf 'bobby horse battery staple 1\ncarol horse battery staple 2\ndave horse battery staple 3\n' >memberpw
head -n 1 memberpw >bobpw
c share create --label alice --out a.share $FAST --passphrase-file p1
c share create --label bob --out b.share $FAST --passphrase-file p2
c share create --label carl --out c.share $FAST --passphrase-file p1
c share convert a.share --to pbe --out a.pbe --passphrase-file p1 --new-passphrase-file pbepw2
c share split b.share --threshold 2 --custodians bob,carol,dave --out-dir split --share-files $FAST --qr none --passphrase-file p2 --new-passphrase-file memberpw
c share split a.share --scheme sc-hsm --out legacy.pbe --threshold 2 --custodians x,y,z --out-dir legacy --qr none --passphrase-file p1
# one mnemonic per custodian sheet: the 33-word line
for s in split/share-*.txt; do
	awk '/^  Group / { for (i = 4; i <= NF; i += 2) w = w " " $i }
	    END { print substr(w, 2) }' "$s"
done >mnem3
head -n 2 mnem3 >mnem2
head -n 1 mnem3 >mnem1
c ceremony open cer --title "Bad input" --admin carol --admin-passphrase-file apw
c share verify a.share --passphrase-file p1 --ceremony cer --admin-passphrase-file apw
c share verify b.share --passphrase-file p2 --ceremony cer --admin-passphrase-file apw
c ceremony open closed --title "Closed" --admin carol --admin-passphrase-file apw
c ceremony close closed --admin-passphrase-file apw
c hsm init --card emu:dev --dkek-shares 2 --so-pin-file so --pin-file pin2
c hsm import-share a.share b.share --card emu:dev --passphrase-file p12
c hsm keygen --type ec:prime256v1 --label k1 --card emu:dev --pin-file pin
c hsm wrap --ref 1 --out k1.wrap --card emu:dev --pin-file pin
c backup create --out set --card emu:dev --pin-file pin
c hsm init --card emu:other --dkek-shares 1 --so-pin-file so --pin-file pin2
c hsm import-share b.share --card emu:other --passphrase-file p2
c hsm keygen --type ec:prime256v1 --label o1 --card emu:other --pin-file pin
c hsm wrap --ref 1 --out other.wrap --card emu:other --pin-file pin
c hsm status --card emu:fresh
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out soft.pem 2>/dev/null

# damaged copies
head -c 200 a.share >trunc.share
head -c 40 a.pbe >trunc.pbe
head -c 48 a.pbe >short.pbe
printf 'Salted__garbage-garbage-garbage-garbage-garbage-garbage-' >bad.pbe
head -c 64 /dev/urandom >random.bin
sed 's/^Version: 1$/Version: 2/' a.share >v2.share
sed 's/^Label: alice$/Label: alicf/' a.share >label.share
sed 's/m=262144/m=99999999/' a.share >bigkdf.share
awk '/^Data-1:/ { sub(/[0-9a-f] /, "0 ") } { print }' a.share >body.share
if cmp -s body.share a.share; then
	awk '/^Data-1:/ { sub(/[0-9a-f] /, "1 ") } { print }' a.share >body.share
fi
printf '%s\n' "$(sed 's/[a-z]*$/zzzzz/' mnem1)" >misspelt
sed -n 1p mnem3 >dup2; sed -n 1p mnem3 >>dup2
printf 'one two three\n' >fewwords
: >nomnem
{ sed -n 1p mnem3; printf 'academic acid acrobat academic acid acrobat academic acid acrobat academic acid acrobat academic acid acrobat academic acid acrobat academic acid\n'; } >short20
grep -hE '^(Prime|Share ID|Share value) ' legacy/pwshare-1-x.txt legacy/pwshare-2-y.txt >pwshares-all
mkdir -p setcopy && cp set/* setcopy/
cp -r set set-nomanifest && rm set-nomanifest/manifest.json
cp -r set set-edited && sed -i 's/"label": "k1"/"label": "k2"/' set-edited/manifest.json
cp -r set set-truncated && head -c 100 set/manifest.json >set-truncated/manifest.json
cp -r set set-missing && rm set-missing/key-001.wrap
cp -r set set-extra && cp set/key-001.wrap set-extra/key-009.wrap
# every bit of byte 60 flipped: a fixed byte written there changes nothing
# when the wrap file already holds it
cp -r set set-altered && b=$(od -An -tu1 -j60 -N1 set/key-001.wrap | tr -d ' ') &&
    printf "\\$(printf %o $((b ^ 255)))" |
    dd of=set-altered/key-001.wrap bs=1 seek=60 conv=notrunc 2>/dev/null
cmp -s set/key-001.wrap set-altered/key-001.wrap && echo "not ok - key-001.wrap was not altered"
head -c 50 k1.wrap >trunc.wrap
cp -r cer tampered && sed -i '1s/"title":"Bad input"/"title":"Bad inputs"/' tampered/transcript.jsonl
cp -r cer removed && sed -i 2d removed/transcript.jsonl 2>/dev/null
cp -r cer partial && printf '{"action":"x' >>partial/transcript.jsonl
cp -r cer pubswap && cp closed/ceremony.pub pubswap/ceremony.pub
mkdir notcer
printf 'hello\n' >notpem.pem
# plans
P='custos-plan: 1\nkind: key-backup\ntitle: t\nadmin: dana\ncustodians: [a]\ndkek:\n  shares:\n    - holder: a\nhsms:\n  - name: p\n    serial: DENK0100001\nkeys:\n  - label: k\n    type: ec:P-256\n'
printf "${P}backup: b\n" >good.yaml
printf "${P}backup: ../../../etc/x\n" >escape.yaml
printf "${P}backup: /etc/x\n" >absolute.yaml
printf 'custos-plan: 1\nkind: nothing\n' >kind.yaml
printf 'custos-plan: [1\n' >syntax.yaml
: >empty.yaml
printf 'custos-plan: 2\n' >version.yaml
printf "${P}backup: b\nunknown: 1\n" >unknown.yaml
sed 's/custodians: \[a\]/custodians: [a, a]/' good.yaml >dupname.yaml
sed 's/type: ec:P-256/type: rsa:1024/' good.yaml >rsa1024.yaml
sed 's/serial: DENK0100001/serial: "x y"/' good.yaml >serial.yaml
head -c 300000 /dev/zero | tr '\0' '#' >huge.yaml
printf 'exists\n' >taken.share
printf 'exists\n' >taken.pem
printf 'exists\n' >taken.html
mkdir -p outdir
# file-system faults (root only): a read-only and a full file system
fs=none
if [ "$(id -u)" = 0 ] && mkdir -p ro full &&
    mount -t tmpfs -o size=64k,mode=0755 tmpfs full 2>/dev/null &&
    mount -t tmpfs -o ro,size=64k tmpfs ro 2>/dev/null; then
	fs=yes
	dd if=/dev/zero of=full/filler bs=1k count=64 2>/dev/null
	trap 'umount "$F/ro" "$F/full" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
else
	echo "skip - bad input on a read-only and a full file system: needs root and tmpfs mounts"
fi

# ---- the catalogue
snap() {
	find "$F" -path "$F/full" -prune -o -path "$F/ro" -prune -o -type f \
	    ! -name '*.lock' ! -path "$F/emu/*" -print | sort |
	    xargs sha256sum 2>/dev/null
	for d in "$F"/emu/*.json; do
		n=$(basename "$d" .json)
		if [ "${pinrow:-}" = 1 ]; then
			"$CUSTOS" hsm keys --card "emu:$n" --pin-file "$F/pin" 2>&1 | sed "s/^/$n /"
			"$CUSTOS" hsm status --card "emu:$n" 2>&1 | grep -v 'tries left' | sed "s/^/$n /"
		else
			sha256sum "$d"
		fi
	done
}
rows=0
while IFS='~' read -r name want frag cmd; do
	case $name in ''|'#'*) continue ;; esac
	name=$(echo "$name" | sed 's/ *$//') want=$(echo "$want" | tr -d ' ')
	frag=$(echo "$frag" | sed 's/^ *//; s/ *$//')
	case $cmd in *' ro/'*|*' full/'*) [ "$fs" = yes ] || continue ;; esac
	pinrow=0
	case $name in pin:*) pinrow=1 ;; esac
	snap >"$T/before"
	eval "run $cmd"
	if [ "$pinrow" = 1 ]; then
		"$CUSTOS" hsm sign-test --card emu:dev --pin-file "$F/pin" >/dev/null 2>&1
	fi
	snap >"$T/after"
	rows=$((rows + 1))
	expect_err "$name" "$want" "$frag"
	if ! cmp -s "$T/before" "$T/after"; then
		echo "not ok - $name: nothing changed"
		diff "$T/before" "$T/after" | head -6 | sed 's/^/  | /'
	fi
done <"$table"
check "the catalogue holds at least 100 bad inputs ($rows)" '[ "$rows" -ge 100 ] || [ "$fs" = none -a "$rows" -ge 95 ]'
