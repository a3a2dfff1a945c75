#!/bin/sh
# tests/cli/pka.sh - public key authentication (issue 16) on in-process
# emulated devices, in a rehearsal ceremony: three custodians' personal
# devices (no DKEK, one EC key each) export their keys; the main HSM is
# initialized 2-of-3 and registers them after checking each chain; a key
# is used only after two custodians authenticated, each with their own
# device and PIN; then every refusal: an altered or truncated .pka, a
# chain from an unknown root, the same key twice, a fourth key, an
# operation before the quorum (with the count), a wrong personal PIN
# (tries left), the same device twice, a device whose key is not
# registered, a personal device removed mid-way. The transcript records
# each registration and attempt, and audit verify checks the quorum
# came first - and catches a record that says otherwise.
. "$(dirname "$0")/lib.inc"
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS

printf '3537363231383830\n' >"$T/so"
printf '648219\n' >"$T/pin"
printf '648219\n648219\n648219\n' >"$T/pins"
printf 'admin-passphrase-long-1\n' >"$T/admin"
printf 'long-passphrase-one-1\n' >"$T/p1"
run ceremony open "$T/cer" --title pka --admin admin --rehearsal --admin-passphrase-file "$T/admin"
expect_rc "ceremony open" 0
cer="--ceremony $T/cer --admin-passphrase-file $T/admin"

# Each custodian's personal device: no DKEK, an EC key, its .pka.
for p in alice bob carol dave; do
	run hsm init --card emu:$p --no-dkek --so-pin-file "$T/so" --pin-file "$T/pin" $cer --actor $p
	expect_rc "$p's personal device initialized without DKEK" 0
	run hsm keygen --card emu:$p --ref 1 --type ec:brainpoolP256r1 --label pka --unexportable --pin-file "$T/pin" $cer --actor $p
	expect_rc "$p's authentication key generated" 0
	run pka export --card emu:$p --key 1 --out "$T/$p.pka" --holder $p $cer
	expect_rc "$p's key exported" 0
	expect_out "the export shows the checked chain" "chain +: ZZCUSTOSEMUROOT -> device, checked"
done
run pka export --card emu:alice --key 1 --out "$T/alice.pka" --holder alice
expect_err "an export never writes over a file" 5 "alice.pka exists; custos never writes over a file"
run pka export --card emu:alice --key 7 --out "$T/none.pka" --holder alice
expect_err "no key 7: said, nothing written" 4 "has no key 7 with its request"
check "no file was left" '[ ! -e "$T/none.pka" ]'
run pka check "$T/bob.pka"
expect_rc "pka check" 0
expect_out "it names the device" "device +: ZZEMU[0-9A-F]{6} \(EMULATED"

# The main HSM: 2 of 3, no user PIN.
run hsm init --card emu:main --dkek-shares 1 --pka 3 --pka-required 2 --so-pin-file "$T/so" $cer --actor op
expect_rc "hsm init --pka 3 --pka-required 2" 0
expect_out "it says so" "2 of 3 keys, none registered yet"
run hsm init --card emu:x --dkek-shares 1 --pka 2 --pka-required 3 --so-pin-file "$T/so"
expect_err "M above N is refused" 2 "must not be more than --pka"

# Bad files first: nothing registered.
head -c 300 "$T/alice.pka" >"$T/trunc.pka"
run pka register "$T/trunc.pka" --holder alice --card emu:main $cer
expect_err "a truncated .pka" 4 "is not a .pka file, or it is truncated"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-5]^=1; open(sys.argv[2],'wb').write(b)" "$T/alice.pka" "$T/alt.pka"
run pka register "$T/alt.pka" --holder alice --card emu:main $cer
expect_err "an altered .pka" 4 "does not verify: the file was altered"
python3 - "$T/alice.pka" "$T/foreign.pka" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.find(b'ZZCUSTOSEMUROOT')
b[i:i+15] = b'ZZSOMEOTHERROOT'
open(sys.argv[2], 'wb').write(b)
PY
run pka register "$T/foreign.pka" --holder alice --card emu:main $cer
expect_err "a chain from an unknown root" 4 "ends in a root custos does not know"
run pka status --card emu:main
expect_out "nothing was registered by them" "0 of 3 registered"

run pka register "$T/alice.pka" --holder alice --card emu:main $cer
expect_rc "alice's key registered" 0
expect_out "whose device it is, shown" "registered for alice"
run pka register "$T/alice.pka" --holder alice --card emu:main $cer
expect_err "the same key twice" 5 "is registered on HSM ZZEMU[0-9A-F]* already, in slot 0"
run pka register "$T/bob.pka" --holder bob --card emu:main $cer
expect_rc "bob's key registered" 0
run pka register "$T/carol.pka" --holder carol --card emu:main $cer
expect_rc "carol's key registered" 0
run pka register "$T/dave.pka" --holder dave --card emu:main $cer
expect_err "more than N keys" 1 "has all 3 keys registered already"
run pka status --card emu:main $cer
expect_out "status: 3 of 3 registered, none authenticated" "0 of 3 authenticated; 2 required; 3 of 3 registered"

# The DKEK goes in (no key is used); a key is generated after the quorum.
run share create --label s --out "$T/a.share" --kdf-memory 256 --passphrase-file "$T/p1"
run hsm import-share "$T/a.share" --card emu:main --passphrase-file "$T/p1" $cer --actor op
expect_rc "the DKEK share imported" 0
run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 $cer --actor op
expect_err "an operation before the quorum gives the count" 1 "needs 2 of its 3 keys authenticated; 0 are"
printf '648219\n000000\n' >"$T/badpin"
run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 --pka-auth emu:alice,alice --pka-auth emu:bob,bob --pin-file "$T/badpin" $cer --actor op
expect_err "a wrong personal PIN gives the tries left" 3 "personal device ZZEMU[0-9A-F]* of bob: wrong user PIN, 2 tries left; 1 of 2 authenticated"
run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 --pka-auth emu:alice,alice --pka-auth emu:alice,alice --pin-file "$T/pins" $cer --actor op
expect_err "the same device twice" 5 "has answered already: each custodian authenticates with their own device; 1 of 2"
run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 --pka-auth emu:dave,dave --pka-auth emu:bob,bob --pin-file "$T/pins" $cer --actor op
expect_err "a device whose key is not registered is passed over, and the count said" 1 "needs 2 of its 3 keys authenticated; 1 is"
expect_out "which device, said" "dave's device ZZEMU[0-9A-F]* holds no key registered on HSM ZZEMU[0-9A-F]*: the next custodian is asked"
# The first SIGN (INS 68) of the run is the personal device's answer.
CUSTOS_EMU_FAULTS=remove-on=68:1 run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 --pka-auth emu:carol,carol --pka-auth emu:bob,bob --pin-file "$T/pins" $cer --actor op
expect_err "a personal device removed while it signs" 1 "personal device ZZEMU[0-9A-F]* of carol: it was removed before it answered \(put it back and take the step again\); 0 of 2 authenticated"
run hsm keys --card emu:main
expect_out "no key was made by any of them" "^ *\(none\)|no keys"
run hsm keygen --card emu:main --ref 1 --type ec:prime256v1 --label k1 --pka-auth emu:carol,carol --pka-auth emu:bob,bob --pin-file "$T/pins" $cer --actor op
expect_rc "the key is generated after carol and bob authenticated" 0
expect_out "2 of 2 said" "bob authenticated with device ZZEMU[0-9A-F]*: 2 of 2"
run pka authenticate --card emu:main --pka-auth emu:alice,alice --pka-auth emu:carol,carol --pin-file "$T/pins" $cer
expect_rc "pka authenticate (a rehearsal of the quorum)" 0
expect_out "status after it" "2 of 3 authenticated; 2 required"
mkdir "$T/out"
run backup create --card emu:main --out "$T/out/set" --pka-auth emu:alice,alice --pka-auth emu:bob,bob --pin-file "$T/pins" $cer --actor op
expect_rc "a backup after the quorum" 0

# The record: registrations, attempts (refusals too), and the audit.
run audit verify "$T/cer"
expect_rc "audit verify: every key use came after the quorum" 0
jq -c 'select(.action=="pka.register") | .facts.holder' "$T/cer/transcript.jsonl" >"$T/holders"
check "three registrations, each naming its holder" '[ "$(tr -d "\n" <"$T/holders")" = "\"alice\"\"bob\"\"carol\"" ]'
check "the refused attempts are recorded" '[ "$(jq -c "select(.action==\"pka.authenticate\" and .facts.result==\"refused\")" "$T/cer/transcript.jsonl" | wc -l)" -ge 2 ]'
check "the wrong personal PIN is recorded" '[ "$(jq -c "select(.action==\"attempt.refused\" and .facts.reason==\"wrong PIN\")" "$T/cer/transcript.jsonl" | wc -l)" -eq 1 ]'
check "each accepted attempt names who and which key" '[ "$(jq -c "select(.action==\"pka.authenticate\" and .facts.result==\"accepted\") | [.actor, .facts.key_chr != \"\"]" "$T/cer/transcript.jsonl" | sort -u | wc -l)" -ge 3 ]'
check "no PIN in the transcript" '! grep -q 648219 "$T/cer/transcript.jsonl"'

# A restore onto two HSMs at once, each with its own registered keys:
# the same --pka-auth list serves both. erin's device holds two keys of
# the same holder reference, and the second is the one registered: the
# first is refused, the second taken.
run hsm init --card emu:erin --no-dkek --so-pin-file "$T/so" --pin-file "$T/pin"
run hsm keygen --card emu:erin --ref 1 --type ec:prime256v1 --label first --unexportable --pin-file "$T/pin"
run hsm keygen --card emu:erin --ref 2 --type ec:prime256v1 --label pka --unexportable --pin-file "$T/pin"
run pka export --card emu:erin --key 2 --out "$T/erin.pka" --holder erin
expect_rc "erin's second key exported" 0
for r in r1 r2; do
	run hsm init --card emu:$r --dkek-shares 1 --pka 2 --pka-required 1 --so-pin-file "$T/so"
	run hsm import-share "$T/a.share" --card emu:$r --passphrase-file "$T/p1"
done
run pka register "$T/alice.pka" --holder alice --card emu:r1
expect_rc "alice's key on r1" 0
run pka register "$T/erin.pka" --holder erin --card emu:r2
expect_rc "erin's key on r2" 0
printf '648219\n648219\n648219\n648219\n' >"$T/pins4"
run backup restore "$T/out/set" --card emu:r1 --card emu:r2 --pka-auth emu:alice,alice --pka-auth emu:erin,erin --pin-file "$T/pins4"
expect_rc "a restore onto two HSMs with public key authentication" 0
expect_out "r2: alice is passed over" "alice's device ZZEMU[0-9A-F]* holds no key registered on HSM ZZEMU[0-9A-F]*"
expect_out "erin authenticates with her second key" "erin authenticated with device ZZEMU[0-9A-F]*: 1 of 1"
