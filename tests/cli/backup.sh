#!/bin/sh
# tests/cli/backup.sh - custos backup create | verify | restore |
# import-key | export-key on in-process emulated devices: every key type
# and size through a backup set and back, checks without a device (with
# and without the DKEK), each bad input of issue 6 (wrong DKEK, corrupted
# blob, missing wrap file, manifest edited by hand, interrupted restore
# resumed, another key under the same reference), migration in and out,
# and the audit rules on the transcript.
. "$(dirname "$0")/lib.inc"
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS

printf 'long-passphrase-one-1\n' >"$T/p1"
printf 'long-passphrase-two-2\n' >"$T/p2"
printf 'long-passphrase-one-1\nlong-passphrase-two-2\n' >"$T/p12"
printf '3537363231383830\n' >"$T/so"
printf '648219\n' >"$T/pin"
printf 'admin-passphrase-long-1\n' >"$T/admin"
run share create --label alice --out "$T/a.share" --kdf-memory 256 --passphrase-file "$T/p1"
run share create --label bob --out "$T/b.share" --kdf-memory 256 --passphrase-file "$T/p2"
run ceremony open "$T/cer" --title backup --admin admin --rehearsal --admin-passphrase-file "$T/admin"
cer="--ceremony $T/cer --admin-passphrase-file $T/admin --actor op"

# src, dst, dst2: DKEK = a xor b; other: DKEK = a alone.
for d in src dst dst2 other; do
	if [ $d = other ]; then
		run hsm init --card emu:$d --dkek-shares 1 --so-pin-file "$T/so" --pin-file "$T/pin"
		run hsm import-share --card emu:$d "$T/a.share" --passphrase-file "$T/p1" --pin-file "$T/pin"
	else
		run hsm init --card emu:$d --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin"
		if [ $d = src ]; then
			# A key made before the DKEK is complete: never exportable.
			run hsm import-share --card emu:$d "$T/a.share" --passphrase-file "$T/p1" --pin-file "$T/pin"
			run hsm keygen --card emu:$d --type ec:P-256 --label early --unexportable --pin-file "$T/pin"
			run hsm import-share --card emu:$d "$T/b.share" --passphrase-file "$T/p2" --pin-file "$T/pin"
		else
			run hsm import-share --card emu:$d "$T/a.share" "$T/b.share" --passphrase-file "$T/p12" --pin-file "$T/pin"
		fi
	fi
	expect_rc "device $d ready" 0
	[ $d = dst ] && kcv=$(sed -n 's/^DKEK complete. device KCV: \([0-9A-F]\{16\}\).*/\1/p' "$OUT")
done
check "the DKEK's KCV is known" '[ ${#kcv} -eq 16 ]' 

# Every key type and size the device makes.
n=1
for t in rsa:2048 rsa:3072 rsa:4096 ec:prime256v1 ec:secp384r1 \
    ec:secp521r1 ec:brainpoolP256r1 ec:brainpoolP320r1 \
    ec:brainpoolP384r1 ec:brainpoolP512r1 ec:secp256k1; do
	run hsm keygen --card emu:src --type $t --label "k-$t" --pin-file "$T/pin" $cer
	expect_rc "keygen $t" 0
	n=$((n + 1))
done

# create
run backup create --card emu:src --out "$T/set" --pin-file "$T/pin" $cer
expect_rc "backup create" 0
expect_out "it lists the key it cannot export, loudly" "key +1: NOT BACKED UP: .*before the DKEK was complete"
expect_out "and warns at the end" "WARNING: 1 key is NOT BACKED UP"
check "one wrap file per exportable key" '[ "$(ls "$T/set" | grep -c "^key-.*\.wrap$")" = 11 ]'
check "and a manifest" '[ -s "$T/set/manifest.json" ]'
check "the manifest lists the unexportable key" 'jq -e ".not_exportable[0].ref == 1" "$T/set/manifest.json" >/dev/null'
check "the manifest has the DKEK KCV" '[ "$(jq -r .kcv "$T/set/manifest.json")" = "'"$kcv"'" ]'
sha=$(sha256sum "$T/set/manifest.json" | cut -c1-64)
check "the manifest's SHA-256 is in the transcript" 'grep "backup.create" "$T/cer/transcript.jsonl" | grep -q "$sha"'
run backup create --card emu:src --out "$T/set" --pin-file "$T/pin"
expect_err "create never reuses a directory" 5 "exists"

# verify
run backup verify "$T/set"
expect_rc "verify (no device, no DKEK)" 0
expect_out "all keys match" "VERIFIED: 11 of 11 keys match the manifest"
run backup verify "$T/set" --deep --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12"
expect_rc "verify --deep with both shares" 0
expect_out "every blob opens" "VERIFIED: 11 of 11 keys open with the DKEK"
run backup verify "$T/set" --deep --share "$T/a.share" --passphrase-file "$T/p1"
expect_err "verify --deep with a wrong DKEK" 5 "another DKEK than the set's"
run backup verify "$T/set" --transcript "$T/cer" $cer
expect_rc "verify --transcript" 0
expect_out "the manifest is the one recorded" "manifest: the one recorded at record"
expect_out "each key's public key was recorded at generation" "key +2: public key as recorded at its generation"
run backup verify "$T/nosuchset"
expect_err "verify of a missing set" 4 "no manifest.json"

# Broken copies of the set.
cp -r "$T/set" "$T/bad1"
python3 -c "
import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()); d[40]^=1; open(p,'wb').write(d)" "$T/bad1/key-003.wrap"
run backup verify "$T/bad1"
expect_rc "a corrupted wrap file fails verify" 1
expect_out "and is named" "key +3: FAILED: key-003.wrap: its SHA-256 is not the manifest's"
expect_out "the others still pass" "FAILED: 10 of 11 keys"
cp -r "$T/set" "$T/bad2"; rm "$T/bad2/key-004.wrap"
run backup verify "$T/bad2"
expect_out "a missing wrap file is named" "key +4: FAILED: key-004.wrap: no such file"
# Files the manifest does not list are named, each, and fail the set
# (issue 14: an extra key-003.wrap went unmentioned, exit 0).
cp -r "$T/set" "$T/extra"; cp "$T/set/key-002.wrap" "$T/extra/key-013.wrap"
printf 'x\n' >"$T/extra/notes.txt"
run backup verify "$T/extra"
expect_rc "a set with unlisted files fails verify" 1
expect_out "the extra wrap file is named" "UNLISTED: key-013.wrap is in the set's directory but not in its manifest"
expect_out "and any other file" "UNLISTED: notes.txt is in the set's directory"
expect_out "the listed keys still pass" "FAILED: 11 of 11 keys match"
check "and the error says how many are unlisted" 'grep -q "2 files in the set.s directory are not in its manifest" "$ERR"'
cp -r "$T/set" "$T/bad3"
sed -i 's/"label": "k-rsa:2048"/"label": "k-rsa:2049"/' "$T/bad3/manifest.json"
run backup verify "$T/bad3"
expect_out "a label edited in the manifest is caught" "key +2: FAILED: .*description is not the manifest's"
run backup verify "$T/bad3" --transcript "$T/cer"
check "and the edited manifest is not the recorded one" 'grep -q "not the one recorded" "$ERR"' 
cp -r "$T/set" "$T/bad4"
sed -i 's/"kcv": "[0-9A-F]*"/"kcv": "0123456789ABCDEF"/' "$T/bad4/manifest.json"
run backup verify "$T/bad4"
expect_out "an edited KCV fails every key" "FAILED: 0 of 11"
printf '{"format":"custos-backup/1"}\n' >"$T/bad4/manifest.json"
run backup verify "$T/bad4"
expect_err "a malformed manifest: one line" 4 "missing, of the wrong type"
# A blob altered and its hashes fixed up to match: only the DKEK sees it.
cp -r "$T/set" "$T/bad5"
python3 - "$T/bad5" <<'PY'
import hashlib, json, sys
d = sys.argv[1]; p = d + "/key-005.wrap"
b = bytearray(open(p, "rb").read())
bl = (b[6] << 8) | b[7]
b[8 + bl - 20] ^= 1                  # inside the ciphertext, not the header
open(p, "wb").write(b)
m = json.load(open(d + "/manifest.json"))
for k in m["keys"]:
    if k["file"] == "key-005.wrap":
        k["file_sha256"] = hashlib.sha256(b).hexdigest()
open(d + "/manifest.json", "w").write(json.dumps(m, indent=2, sort_keys=True) + "\n")
PY
run backup verify "$T/bad5"
expect_rc "a blob altered with its hashes fixed passes the shallow check" 0
run backup verify "$T/bad5" --deep --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12"
expect_rc "but not the deep one" 1
expect_out "which names the CMAC" "key +5: FAILED: key-005.wrap: the blob's CMAC does not hold"

# restore
run backup restore "$T/set" --card emu:other --pin-file "$T/pin"
expect_err "restore onto another DKEK is refused" 5 "DKEK MISMATCH.*nothing written"
run hsm keys --card emu:other
expect_out "and wrote nothing" "^no keys"
CUSTOS_EMU_FAULTS=remove-at=40 run backup restore "$T/set" --card emu:dst --pin-file "$T/pin" $cer
expect_err "an interrupted restore says how far it came" 1 "removed.*keys restored and proven; run again"
run audit verify "$T/cer"
expect_err "audit verify flags the unproven restore" 1 "without a successful proof"
run backup restore "$T/set" --card emu:dst --pin-file "$T/pin" $cer
expect_rc "the rerun completes" 0
expect_out "keeping what was there" "already on the device under 2, PROVEN"
expect_out "all proven" "RESTORED: 11 of 11 keys restored and proven"
run audit verify "$T/cer"
expect_rc "audit verify accepts once every key is proven" 0
src_keys=$("$CUSTOS" hsm keys --card emu:src | grep -E '^ +([2-9]|1[0-2]) ')
dst_keys=$("$CUSTOS" hsm keys --card emu:dst | grep -E '^ +([2-9]|1[0-2]) ')
check "same references, labels and public keys as the source" '[ "$src_keys" = "$dst_keys" ]'
run hsm sign-test --card emu:dst --pin-file "$T/pin"
expect_out "every restored key signs" "11 keys tested, 0 failed"
# Another key under a reference the set uses.
run hsm keygen --card emu:dst2 --type ec:P-256 --label squatter --ref 2 --pin-file "$T/pin"
run backup restore "$T/set" --card emu:dst2 --pin-file "$T/pin"
expect_rc "a reference holding another key fails that key" 1
expect_out "and says so" "key +2: FAILED: reference 2 holds another key"
expect_out "the rest are restored" "INCOMPLETE: 10 of 11"
run backup restore "$T/set" --card emu:dst2 --pin-file "$T/pin" --conflict next-free
expect_rc "--conflict next-free puts it elsewhere" 0
expect_out "under the lowest free reference" "key +2: restored under 1, PROVEN"
run hsm keys --card emu:dst2
expect_out "the squatter is untouched" "^ +2 +EC prime256v1 +squatter"
run backup restore "$T/bad1" --card emu:dst2 --pin-file "$T/pin"
expect_out "restore re-checks each file against the manifest" "key +3: FAILED: key-003.wrap: its SHA-256"

# Several devices at once (issue 18): a replacement and two spares, one
# of them under another DKEK, which fails alone; a wrong PIN on one; a
# cut on two at once, each resumed where it stopped.
for d in m1 m2 m3 m4; do
	run hsm init --card emu:$d --dkek-shares 2 --so-pin-file "$T/so" --pin-file "$T/pin"
	run hsm import-share --card emu:$d "$T/a.share" "$T/b.share" --passphrase-file "$T/p12" --pin-file "$T/pin"
	expect_rc "device $d ready" 0
done
printf '648219\n648219\n648219\n' >"$T/pin3"
run backup restore "$T/set" --card emu:m1 --card emu:other --card emu:m2 --pin-file "$T/pin3" $cer
expect_rc "a device under another DKEK fails the run" 1
check "the two others are restored and proven, each on its own line" \
	'[ "$(grep -c "^HSM ZZEMU[0-9A-F]*: RESTORED: 11 of 11 keys restored and proven$" "$OUT")" = 2 ]'
expect_out "the third says why it failed" "^HSM ZZEMU[0-9A-F]*: FAILED: DKEK MISMATCH: the set was made under KCV $kcv"
expect_out "and the run says how many" "^INCOMPLETE: 2 of 3 HSMs restored completely"
expect_out "each key's line names its device" "^HSM ZZEMU[0-9A-F]*: \[11/11\] key +12: restored under 12, PROVEN"
restored=$(sed -n 's/^HSM \(ZZEMU[0-9A-F]*\): RESTORED: .*/\1/p' "$OUT")
for d in m1 m2; do
	got=$("$CUSTOS" hsm keys --card emu:$d | grep -E '^ +([2-9]|1[0-2]) ')
	check "$d: the source's references, labels and public keys" '[ "$src_keys" = "$got" ]'
done
run hsm keys --card emu:other
expect_out "the device under another DKEK got nothing" "^no keys"
for s in $restored; do
	check "HSM $s has its own complete restore record" \
		'jq -e -s --arg s "$s" "map(select(.action == \"backup.restore\" and .facts.serial == \$s and .facts.outcome == \"complete\")) | length == 1" "$T/cer/transcript.jsonl" >/dev/null'
done
check "two devices were restored" '[ "$(echo $restored | wc -w)" = 2 ]'
run backup restore "$T/set" --card emu:m1 --card emu:m1 --pin-file "$T/pin3"
expect_err "the same device twice is refused" 1 "card emu:m1: the device is in use \(by another program, or named twice\)"
printf '111111\n648219\n' >"$T/pinbad"
run backup restore "$T/set" --card emu:m3 --card emu:m2 --pin-file "$T/pinbad"
expect_rc "a wrong PIN on one device: exit 1, as for any device not done" 1
expect_out "a wrong PIN fails that device, saying the tries left" "^HSM ZZEMU[0-9A-F]*: FAILED: wrong user PIN, 2 tries left"
expect_out "the other is still done" "^HSM ZZEMU[0-9A-F]*: RESTORED: 11 of 11"
run hsm keys --card emu:m3
expect_out "and nothing was written to the first" "^no keys"
CUSTOS_EMU_FAULTS=remove-at=20 run backup restore "$T/set" --card emu:m3 --card emu:m4 --pin-file "$T/pin3" $cer
expect_rc "a card pulled on both devices" 1
check "both say how far they came" '[ "$(grep -c "^HSM ZZEMU[0-9A-F]*: FAILED: .*removed.*keys restored and proven; run again" "$OUT")" = 2 ]'
run backup restore "$T/set" --card emu:m3 --card emu:m4 --pin-file "$T/pin3" $cer
expect_rc "the rerun completes both" 0
expect_out "keeping what each had" "^HSM ZZEMU[0-9A-F]*: \[[0-9]+/11\] key +2: already on the device under 2, PROVEN"
expect_out "all of them" "^RESTORED: 2 of 2 HSMs restored completely"
run audit verify "$T/cer"
expect_rc "the ceremony verifies after the restores at once" 0

# Migration: a software key in, a backed-up key out.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$T/soft.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes256 -pass pass:key-file-pass-1 -out "$T/soft-rsa.pem" 2>/dev/null
printf 'key-file-pass-1\n' >"$T/kpw"
printf 'wrong-key-pass\n' >"$T/badkpw"
run backup import-key "$T/soft.pem" --label migrated --card emu:dst --pin-file "$T/pin" --share "$T/a.share" --passphrase-file "$T/p1"
expect_err "import-key with the wrong DKEK changes nothing" 5 "DKEK MISMATCH.*nothing written"
run backup import-key "$T/soft.pem" --label migrated --card emu:dst --pin-file "$T/pin" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" $cer
expect_rc "import-key of an EC P-384 PEM key" 0
expect_out "it is proven" "PROVEN"
run backup import-key "$T/soft-rsa.pem" --label migrated-rsa --card emu:dst --pin-file "$T/pin" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" --key-passphrase-file "$T/badkpw"
expect_err "import-key with a wrong key passphrase" 3 "wrong passphrase"
run backup import-key "$T/soft-rsa.pem" --label migrated-rsa --card emu:dst --pin-file "$T/pin" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" --key-passphrase-file "$T/kpw"
expect_rc "import-key of an encrypted RSA key" 0
openssl pkey -in "$T/soft.pem" -pubout -outform DER 2>/dev/null | sha256sum | cut -c1-16 >"$T/soft.fpr"
run hsm keys --card emu:dst
check "the imported key's public key is the file's" 'grep migrated "$OUT" | grep -q "$(cat "$T/soft.fpr")"'
printf 'export-pass-phrase-long-1\n' >"$T/epw"
run backup export-key "$T/set" --ref 5 --out "$T/k5.pem" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" --new-passphrase-file "$T/epw"
expect_err "export-key without a terminal needs --force" 5 "not exported"
check "and wrote nothing" '[ ! -e "$T/k5.pem" ]'
run backup export-key "$T/set" --ref 5 --out "$T/k5.pem" --share "$T/a.share" --passphrase-file "$T/p1" --new-passphrase-file "$T/epw" --force
expect_err "export-key with a wrong DKEK" 5 "another DKEK"
run backup export-key "$T/set" --ref 5 --out "$T/k5.pem" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" --new-passphrase-file "$T/epw" --force $cer
expect_rc "export-key --force" 0
check "the PEM is encrypted" 'grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$T/k5.pem"'
check "and 0600" '[ "$(stat -c %a "$T/k5.pem")" = 600 ]'
want=$(jq -r '.keys[] | select(.ref == 5) | .pubkey_sha256' "$T/set/manifest.json")
got=$(openssl pkey -in "$T/k5.pem" -passin pass:export-pass-phrase-long-1 -pubout -outform DER 2>/dev/null | sha256sum | cut -c1-64)
check "openssl opens it to the key the manifest names" '[ "$want" = "$got" ]'
run backup export-key "$T/set" --ref 5 --out "$T/k5.pem" --share "$T/a.share" --share "$T/b.share" --passphrase-file "$T/p12" --new-passphrase-file "$T/epw" --force
expect_err "export-key never overwrites" 5 "exists"

# The audit rules and the record.
run audit verify "$T/cer"
expect_rc "the ceremony verifies" 0
run audit show "$T/cer"
for a in backup.create backup.verify backup.restore backup.import-key backup.export-key; do
	expect_out "the transcript records $a" "$a"
done
check "no share, PIN or passphrase in the transcript" \
	'! grep -Eq "648219|long-passphrase|key-file-pass|export-pass" "$T/cer/transcript.jsonl"'
# A second DKEK in the same ceremony breaks the one-DKEK rule.
run hsm keygen --card emu:other --type ec:P-256 --label o --pin-file "$T/pin"
run backup create --card emu:other --out "$T/set-other" --pin-file "$T/pin" $cer
run audit verify "$T/cer"
expect_err "audit verify flags a backup under another DKEK" 1 "the ceremony's DKEK is $kcv"
