#!/bin/sh
# tests/cli/hsm_keys.sh - custos hsm keys | keygen | delete | wrap | unwrap |
# sign-test | change-pin on in-process emulated devices: a restore rehearsed
# from one device to another, and every bad input refused in one line with
# the device left as it was.
. "$(dirname "$0")/lib.inc"
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS

printf 'long-passphrase-one-1\n' >"$T/p1"
printf 'long-passphrase-two-2\n' >"$T/p2"
printf '3537363231383830\n' >"$T/so"
printf '648219\n' >"$T/pin"
printf '000000\n' >"$T/badpin"
printf 'admin-passphrase-long-1\n' >"$T/admin"
run share create --label alice --out "$T/a.share" --kdf-memory 256 --passphrase-file "$T/p1"
run share create --label bob --out "$T/b.share" --kdf-memory 256 --passphrase-file "$T/p2"
# primary and replacement with share a, other with share b, none without DKEK.
for d in primary replacement other none; do
	case $d in other) s=b p=p2 ;; *) s=a p=p1 ;; esac
	if [ $d = none ]; then
		run hsm init --card emu:$d --no-dkek --so-pin-file "$T/so" --pin-file "$T/pin"
	else
		run hsm init --card emu:$d --dkek-shares 1 --so-pin-file "$T/so" --pin-file "$T/pin"
		run hsm import-share --card emu:$d "$T/$s.share" --passphrase-file "$T/$p" --pin-file "$T/pin"
	fi
	expect_rc "device $d ready" 0
	[ $d = primary ] && kcv=$(sed -n 's/^DKEK complete. device KCV: \([0-9A-F]\{16\}\).*/\1/p' "$OUT")
done
check "the primary's KCV is known" '[ ${#kcv} -eq 16 ]'

# keygen
run hsm keygen --card emu:primary --type rsa:1000 --label x --pin-file "$T/pin"
expect_err "keygen: a bad --type is a usage error" 2 "type is rsa:2048"
run hsm keygen --card emu:primary --type rsa:1024 --label x --pin-file "$T/pin"
expect_err "keygen: RSA-1024 is refused" 2 "type is rsa:2048"
run hsm keygen --card emu:primary --type rsa:2048 --pin-file "$T/pin"
expect_err "keygen: --label is required" 2 "label is 1 to 64"
run hsm keygen --card emu:primary --type rsa:2048 --label "$(printf 'a\tb')" --pin-file "$T/pin"
expect_err "keygen: a label with a control character is refused" 2 "label"
run hsm keygen --card emu:primary --type ec:P-256 --label sign --pin-file "$T/badpin"
expect_err "keygen: a wrong PIN says the tries left" 3 "wrong user PIN, 2 tries left"
run hsm keygen --card emu:primary --type rsa:2048 --label rsa-key --pin-file "$T/pin"
expect_rc "keygen RSA-2048" 0
expect_out "keygen shows reference and type" "^ +1 +RSA-2048 +rsa-key"
run hsm keygen --card emu:primary --type ec:P-256 --label ec-key --id 0203 --pin-file "$T/pin"
expect_rc "keygen EC P-256 with an ID" 0
run hsm keygen --card emu:primary --type ec:brainpoolP256r1 --label bp --ref 2 --pin-file "$T/pin"
expect_err "keygen: a taken --ref is refused" 5 "reference 2: is taken"
run hsm keygen --card emu:primary --type ec:nosuchcurve --label bp --pin-file "$T/pin"
expect_err "keygen: an unknown curve is refused in one line" 4 "does not take"
run hsm keygen --card emu:none --type ec:P-256 --label early --pin-file "$T/pin"
expect_err "keygen with no DKEK refused unless confirmed" 5 "never be backed up"
run hsm keys --card emu:none
expect_out "and nothing was generated" "^no keys"
run hsm keygen --card emu:none --type ec:P-256 --label early --unexportable --pin-file "$T/pin"
expect_rc "keygen --unexportable on a device with no DKEK" 0
run hsm keys --card emu:primary
expect_rc "keys" 0
expect_out "keys lists the RSA key" "^ +1 +RSA-2048 +rsa-key +[0-9a-f]{16}$"
expect_out "keys lists the EC key" "^ +2 +EC prime256v1 +ec-key"

# sign-test
run hsm sign-test --card emu:primary --pin-file "$T/pin"
expect_rc "sign-test every key" 0
expect_out "both verify" "2 keys tested, 0 failed"
run hsm sign-test --card emu:primary --ref 9 --pin-file "$T/pin"
expect_err "sign-test of a missing key" 1 "no key with reference 9"

# wrap
touch "$T/exists.wrap"
run hsm wrap --card emu:primary --ref 1 --out "$T/exists.wrap" --pin-file "$T/badpin"
expect_err "wrap never overwrites (checked before the PIN)" 5 "exists"
run hsm status --card emu:primary
expect_out "no PIN try was used" "user PIN tries left +: 3"
run hsm wrap --card emu:none --ref 1 --out "$T/none.wrap" --pin-file "$T/pin"
expect_err "a key made without DKEK cannot be wrapped" 5 "cannot be exported"
check "and no file was written" '[ ! -e "$T/none.wrap" ]'
run hsm wrap --card emu:primary --ref 1 --out "$T/k1.wrap" --pin-file "$T/pin"
expect_rc "wrap key 1" 0
expect_out "wrap shows the KCV" "KCV in the blob : $kcv"
run hsm wrap --card emu:primary --ref 2 --out "$T/k2.wrap" --pin-file "$T/pin"
expect_rc "wrap key 2" 0

# unwrap: bad files and the wrong device change nothing.
run hsm unwrap --card emu:replacement "$T/missing.wrap" --pin-file "$T/pin"
expect_err "unwrap: a missing file" 4 "missing.wrap: no such file"
head -c 100 "$T/k1.wrap" >"$T/trunc.wrap"
run hsm unwrap --card emu:replacement "$T/trunc.wrap" --pin-file "$T/pin"
expect_err "unwrap: a truncated file" 4 "not a wrap file"
run hsm unwrap --card emu:other "$T/k1.wrap" --pin-file "$T/pin"
expect_err "unwrap: another DKEK is refused before anything is written" 5 "DKEK MISMATCH.*nothing written"
run hsm keys --card emu:other
expect_out "the other device still has no keys" "^no keys"
# Flip one byte of the blob's MAC: the device with the right DKEK refuses.
size=$(stat -c %s "$T/k2.wrap")
python3 - "$T/k2.wrap" "$T/bad.wrap" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
# 30 82 LL LL 04 82 LL LL <blob>: the blob's last byte is its MAC.
bl = (d[6] << 8) | d[7]
d[8 + bl - 1] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
run hsm unwrap --card emu:replacement "$T/bad.wrap" --pin-file "$T/pin"
expect_err "unwrap: an altered blob is refused by the device" 5 "does not match the DKEK, or was altered"
# Another implementation of the card answers an altered blob with SW 6400
# (execution error), not 6A80: the same clear message (issue 14).
CUSTOS_EMU_FAULTS=sw-on=74:6400 run hsm unwrap --card emu:replacement "$T/bad.wrap" --pin-file "$T/pin"
expect_err "unwrap: SW 6400 to a blob says the same" 5 "does not match the DKEK, or was altered"
run hsm keys --card emu:replacement
expect_out "and the replacement still has no keys" "^no keys"
# Removed in the middle: the rerun picks up from the card's real state.
CUSTOS_EMU_FAULTS=remove-at=9 run hsm unwrap --card emu:replacement "$T/k1.wrap" --pin-file "$T/pin"
expect_err "unwrap: card removed after the unwrap, one line saying what completed" 1 "key 1 is in, but .*card was removed"
run hsm unwrap --card emu:replacement "$T/k1.wrap" --pin-file "$T/pin"
expect_rc "unwrap rerun" 0
expect_out "the key is proven under its original public key" "VERIFIES under the original public key"
run hsm unwrap --card emu:replacement "$T/k2.wrap" --pin-file "$T/pin" --staged
expect_rc "unwrap --staged (EF 2F10)" 0
run hsm unwrap --card emu:replacement "$T/k2.wrap" --pin-file "$T/pin"
expect_rc "unwrap again: already there" 0
expect_out "it says so" "already holds this key"
run hsm unwrap --card emu:replacement "$T/k1.wrap" --ref 2 --pin-file "$T/pin"
expect_err "unwrap onto a reference holding another key" 5 "holds another key"
run hsm keys --card emu:replacement
expect_out "the replacement lists the RSA key" "^ +1 +RSA-2048 +rsa-key"
expect_out "and the EC key" "^ +2 +EC prime256v1 +ec-key"
fpr_p=$("$CUSTOS" hsm keys --card emu:primary | grep -E '^ +[12] ')
fpr_r=$("$CUSTOS" hsm keys --card emu:replacement | grep -E '^ +[12] ')
check "same references, labels and public keys as the primary" '[ "$fpr_p" = "$fpr_r" ]'

# Crafted files: the blob of one key with the description or public key of
# another. tlv.py splits a wrap file into its three parts and joins them.
cat >"$T/tlv.py" <<'PY'
import sys
def parts(d):
    def tlv(d, i):
        n = d[i + 1]; h = 2
        if n & 0x80:
            k = n & 0x7f; n = int.from_bytes(d[i + 2:i + 2 + k], 'big'); h = 2 + k
        return d[i:i + h + n], i + h + n
    outer, _ = tlv(d, 0)
    h = 4 if outer[1] == 0x82 else (3 if outer[1] == 0x81 else 2)
    out, i = [], h
    while i < len(outer):
        t, i = tlv(outer, i); out.append(t)
    return out
def join(ps):
    body = b''.join(ps)
    return bytes([0x30, 0x82]) + len(body).to_bytes(2, 'big') + body
a = parts(open(sys.argv[2], 'rb').read())
b = parts(open(sys.argv[3], 'rb').read())
if sys.argv[1] == 'blob-of-a':      # a's blob and description, b's public key
    d = join([a[0], a[1], b[2]])
elif sys.argv[1] == 'junk-prkd':    # a's blob and public key, junk description
    d = join([a[0], bytes([0x04, 0x04]) + b'junk', a[2]])
else:                               # a's blob and public key, b's description
    d = join([a[0], b[1], a[2]])
open(sys.argv[4], 'wb').write(d)
PY
run hsm keygen --card emu:primary --type ec:P-256 --label ec-two --pin-file "$T/pin"
run hsm wrap --card emu:primary --ref 3 --out "$T/k3.wrap" --pin-file "$T/pin"
expect_rc "wrap a second EC key" 0
python3 "$T/tlv.py" blob-of-a "$T/k3.wrap" "$T/k2.wrap" "$T/evil.wrap"
run hsm unwrap --card emu:replacement "$T/evil.wrap" --ref 2 --pin-file "$T/pin"
expect_rc "a crafted file onto the key of its public key changes nothing" 0
expect_out "and writes nothing" "only missing files were written"
run hsm keys --card emu:replacement
expect_out "key 2 keeps its own label" "^ +2 +EC prime256v1 +ec-key"
run hsm unwrap --card emu:replacement "$T/evil.wrap" --ref 9 --pin-file "$T/pin"
expect_err "a blob whose key is not its public key is taken out again" 1 "does not sign under the public key given with it.*removed again"
run hsm keys --card emu:replacement
check "nothing is left under reference 9" '! grep -Eq "^ +9 " "$OUT"'
python3 "$T/tlv.py" junk-prkd "$T/k3.wrap" "$T/k3.wrap" "$T/junk.wrap"
run hsm unwrap --card emu:replacement "$T/junk.wrap" --ref 9 --pin-file "$T/pin"
expect_err "a description that does not parse is refused" 4 "description does not parse"
python3 "$T/tlv.py" other-prkd "$T/k3.wrap" "$T/k1.wrap" "$T/mixed.wrap"
run hsm unwrap --card emu:replacement "$T/mixed.wrap" --ref 9 --pin-file "$T/pin"
expect_err "an RSA description with an EC key is refused" 4 "another key type"

# delete
run hsm delete --card emu:replacement --ref 2 --pin-file "$T/pin"
expect_err "delete without a terminal needs --force" 5 "not deleted"
run hsm delete --card emu:replacement --ref 7 --force --pin-file "$T/pin"
expect_err "delete a missing key" 1 "no key with reference 7"
run hsm delete --card emu:replacement --ref 2 --force --pin-file "$T/pin"
expect_rc "delete --force" 0
expect_out "delete names the consequence" "gone"
run hsm keys --card emu:replacement
check "key 2 is gone" '! grep -q "ec-key" "$OUT"'

# change-pin: the current PIN, then the new one.
printf '000000\n123456\n' >"$T/cp-bad"
printf '648219\n123456\n' >"$T/cp-ok"
printf '123456\n' >"$T/newpin"
run hsm change-pin --card emu:other --pin-file "$T/cp-bad"
expect_err "change-pin with a wrong current PIN says the tries left" 3 "wrong user PIN, 2 tries left"
run hsm change-pin --card emu:other --pin-file "$T/cp-ok"
expect_rc "change-pin" 0
run hsm sign-test --card emu:other --pin-file "$T/pin"
expect_err "the old PIN no longer works" 3 "wrong user PIN"
run hsm sign-test --card emu:other --pin-file "$T/newpin"
expect_rc "the new one does" 0

# A card that is not a SmartCard-HSM.
CUSTOS_EMU_FAULTS=no-applet=1 run hsm keys --card emu:primary
expect_err "a card without the applet: one line" 1 "not a SmartCard-HSM"

# Shares mix the card's GET CHALLENGE when a card is named.
run share create --label carol --out "$T/c.share" --kdf-memory 256 --passphrase-file "$T/p1" --card emu:primary
expect_rc "share create --card mixes the card's challenge" 0
expect_out "and says so" "GET CHALLENGE \(custos emulated SmartCard-HSM \(primary\)\)"
run share create --label carol --out "$T/d.share" --kdf-memory 256 --passphrase-file "$T/p1" --card emu:../x
expect_err "share create with a bad --card" 2 "card is pcsc"
check "and no file was written" '[ ! -e "$T/d.share" ]'

# Ceremonies: a real one refuses the emulated device; a rehearsal records.
run ceremony open "$T/real" --title real --admin admin --admin-passphrase-file "$T/admin"
run hsm keys --card emu:primary --ceremony "$T/real" --admin-passphrase-file "$T/admin"
expect_err "a ceremony that is no rehearsal refuses the emulated device" 5 "not a rehearsal"
run ceremony open "$T/reh" --title rehearsal --admin admin --rehearsal --admin-passphrase-file "$T/admin"
cer="--ceremony $T/reh --admin-passphrase-file $T/admin --actor op"
run hsm keys $cer
expect_rc "a rehearsal ceremony uses emu:primary by default" 0
expect_out "and says REHEARSAL" "^REHEARSAL"
run hsm sign-test --card emu:primary --pin-file "$T/pin" $cer
run hsm wrap --card emu:primary --ref 2 --out "$T/reh.wrap" --pin-file "$T/pin" $cer
run hsm unwrap --card emu:other "$T/reh.wrap" --pin-file "$T/newpin" $cer
expect_err "a refused unwrap is refused in a ceremony too" 5 "DKEK MISMATCH"
run hsm keygen --card emu:primary --type ec:nosuchcurve --label x --pin-file "$T/pin" $cer
expect_err "a failed keygen in a ceremony" 4 "does not take"
check "is recorded with what is on the device" \
	'grep "\"intent.void\"" "$T/reh/transcript.jsonl" | grep "\"op\":\"hsm.keygen\"" | grep -q "\"key_on_device\":\"no\""'
run audit verify "$T/reh"
expect_rc "the rehearsal transcript verifies" 0
run audit show "$T/reh"
for a in hsm.keys hsm.sign-test hsm.wrap; do
	expect_out "the transcript records $a" "$a"
done
check "the wrap record carries the KCV and the public key" \
	'grep "hsm.wrap" "$T/reh/transcript.jsonl" | grep -q "\"kcv\":\"$kcv\".*pubkey"'
check "no PIN in the transcript" '! grep -q 648219 "$T/reh/transcript.jsonl"'
# A key that is taken out again is recorded as not on the device (last:
# this unproven restore rightly fails the audit's restore rule).
run hsm unwrap --card emu:replacement "$T/evil.wrap" --ref 9 --pin-file "$T/pin" $cer
expect_err "a crafted file in a ceremony is refused" 1 "removed again"
check "and recorded with the key not on the device" \
	'grep "\"intent.void\"" "$T/reh/transcript.jsonl" | grep "\"op\":\"hsm.unwrap\"" | tail -1 | grep -q "\"key_on_device\":\"no\""'
