#!/bin/sh
# tests/cli/domains.sh - key domains (issue 19) on in-process emulated
# devices: a device initialized with key domain slots, two domains each
# with its own DKEK, keys generated in each and wrapped under its own,
# a share meant for one domain caught in another by the KCV, a domain
# number beyond the device's, a domain holding keys kept until they are
# gone, a backup set from one domain restored into a domain with the same
# KCV and refused in one without, a cut creation settled from the device,
# and every record naming its domain.
. "$(dirname "$0")/lib.inc"
export CUSTOS_EMU_DIR="$T/emu"
unset CUSTOS_EMU_FAULTS

printf 'long-passphrase-one-1\n' >"$T/p1"
printf 'long-passphrase-two-2\n' >"$T/p2"
printf '3537363231383830\n' >"$T/so"
printf '648219\n' >"$T/pin"
printf 'admin-passphrase-long-1\n' >"$T/admin"
run share create --label alice --out "$T/a.share" --kdf-memory 256 --passphrase-file "$T/p1"
run share create --label bob --out "$T/b.share" --kdf-memory 256 --passphrase-file "$T/p2"
run ceremony open "$T/cer" --title domains --admin admin --rehearsal --admin-passphrase-file "$T/admin"
cer="--ceremony $T/cer --admin-passphrase-file $T/admin --actor op"
ka=$("$CUSTOS" dkek kcv "$T/a.share" --passphrase-file "$T/p1" | sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\).*/\1/p')
kb=$("$CUSTOS" dkek kcv "$T/b.share" --passphrase-file "$T/p2" | sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\).*/\1/p')
check "the two shares' KCVs are known and differ" '[ ${#ka} -eq 16 ] && [ ${#kb} -eq 16 ] && [ "$ka" != "$kb" ]'

# A device with three key domain slots, all empty.
run hsm init --card emu:kd --key-domains 3 --so-pin-file "$T/so" --pin-file "$T/pin" $cer
expect_rc "hsm init --key-domains 3" 0
expect_out "it says so" "key domains 3 \(slots 0-2, all empty\)"
run hsm init --card emu:x --key-domains 3 --dkek-shares 1 --so-pin-file "$T/so" --pin-file "$T/pin"
expect_err "--key-domains with --dkek-shares is refused" 2 "replaces --dkek-shares"
run hsm domains --card emu:kd $cer
expect_rc "hsm domains" 0
expect_out "three slots, none in use" "^key domain slots: 3$"
expect_out "none in use" "none in use"

# Two domains, each with its own DKEK.
run hsm domain create 1 --shares 1 --card emu:kd --pin-file "$T/pin" $cer
expect_rc "hsm domain create 1" 0
run hsm domain create 1 --shares 2 --card emu:kd --pin-file "$T/pin"
expect_err "a domain is created once" 5 "key domain 1 of HSM ZZEMU[0-9A-F]* exists already"
run hsm domain create 3 --shares 1 --card emu:kd --pin-file "$T/pin"
expect_err "a domain beyond the device's slots" 4 "has no key domain 3: its slots are 0 to 2"
run hsm domain create 0 --shares 1 --card emu:kd --pin-file "$T/pin" $cer
expect_rc "hsm domain create 0" 0
run hsm import-share "$T/a.share" --domain 1 --card emu:kd --passphrase-file "$T/p1" --pin-file "$T/pin" $cer
expect_rc "alice's share into domain 1" 0
expect_out "domain 1 has alice's KCV" "KCV: $ka"
# alice's share again, now sent to domain 0 by mistake: domain 1 takes no
# more shares, and domain 0, where the plan expects bob's KCV, takes it
# and shows alice's: the mismatch is said at once.
run hsm import-share "$T/a.share" --domain 1 --card emu:kd --passphrase-file "$T/p1" --pin-file "$T/pin"
expect_rc "a share for a complete domain is refused" 5
run hsm import-share "$T/a.share" --domain 0 --card emu:kd --passphrase-file "$T/p1" --pin-file "$T/pin" --expect-kcv "$kb" $cer
expect_err "a share meant for another domain is caught by the KCV the plan expects" 1 "KCV MISMATCH: HSM ZZEMU[0-9A-F]* has KCV $ka, expected $kb"
run hsm domains --card emu:kd --pin-file "$T/pin"
expect_out "both domains now show alice's DKEK" "domain 0: 1 share, 0 to import, KCV $(echo "$ka" | sed 's/\(....\)/\1 /g; s/ $//')"
expect_out "domain 1 too" "domain 1: 1 share, 0 to import, KCV $(echo "$ka" | sed 's/\(....\)/\1 /g; s/ $//')"
run hsm domain delete 0 --card emu:kd --pin-file "$T/pin" --force $cer
expect_rc "a domain without keys is deleted (the wrong share with it)" 0
run hsm domain create 0 --shares 1 --card emu:kd --pin-file "$T/pin" $cer
run hsm import-share "$T/b.share" --domain 0 --card emu:kd --passphrase-file "$T/p2" --pin-file "$T/pin" --expect-kcv "$kb" $cer
expect_rc "and made again, with the share meant for it" 0
expect_out "its KCV is bob's" "KCV MATCHES"

# Keys in each domain, wrapped under their own DKEK.
run hsm keygen --domain 1 --card emu:kd --type ec:P-256 --label in-one --pin-file "$T/pin" $cer
expect_rc "a key in domain 1" 0
run hsm keygen --domain 0 --card emu:kd --type rsa:2048 --label in-zero --pin-file "$T/pin" $cer
expect_rc "a key in domain 0" 0
run hsm keygen --domain 2 --card emu:kd --type ec:P-256 --label nowhere --pin-file "$T/pin"
expect_err "no key in an empty domain" 4 "no key domain 2 \(its slot is empty"
run hsm import-share "$T/a.share" --domain 2 --card emu:kd --passphrase-file "$T/p1" --pin-file "$T/pin"
expect_err "no share into an empty domain" 4 "has no key domain 2 \(its slot is empty: custos hsm domain create\)"
run hsm wrap --ref 1 --domain 1 --card emu:kd --out "$T/one.wrap" --pin-file "$T/pin"
expect_rc "hsm wrap of the domain-1 key" 0
expect_out "the blob carries domain 1's KCV" "$ka"
run backup create --domain 1 --card emu:kd --out "$T/set1" --ref 1 --pin-file "$T/pin" $cer
expect_rc "backup create --domain 1" 0
check "the set records its domain" '[ "$(jq .domain "$T/set1/manifest.json")" = 1 ]'
check "and that domain's KCV" '[ "$(jq -r .kcv "$T/set1/manifest.json")" = "$ka" ]'
run backup verify "$T/set1" $cer
expect_rc "backup verify of the domain-1 set" 0
check "its record names the set's domain, for the audit" 'jq -e -s "map(select(.action == \"backup.verify\" and .facts.domain == 1)) | length == 1" "$T/cer/transcript.jsonl" >/dev/null'
run backup create --domain 0 --card emu:kd --out "$T/set0" --pin-file "$T/pin" $cer
expect_rc "backup create --domain 0 of a device with keys in two domains" 0
expect_out "the other domain's key is left to its own set" "1 key of other key domains is left to its own set: this set holds key domain 0's"
check "only domain 0's key is in the set" '[ "$(jq -c "[.keys[].ref]" "$T/set0/manifest.json")" = "[2]" ] && [ "$(jq -r .kcv "$T/set0/manifest.json")" = "$kb" ]'
check "and it is not said to be unexportable" '[ "$(jq -c .not_exportable "$T/set0/manifest.json")" = "[]" ]'
# Asked for by reference, a key of another domain is said, not dropped.
run backup create --domain 0 --card emu:kd --out "$T/set0b" --ref 1 --ref 2 --pin-file "$T/pin"
check "a --ref of another domain's key is reported as left out" '[ "$(jq -c "[.keys[].ref]" "$T/set0b/manifest.json")" = "[2]" ] && jq -e ".not_exportable[] | select(.ref == 1) | .reason | test(\"another key domain\")" "$T/set0b/manifest.json" >/dev/null'
run hsm domain delete 1 --card emu:kd --pin-file "$T/pin" --force
expect_err "a domain that holds keys is not deleted" 5 "still holds keys"
run hsm domains --card emu:kd --pin-file "$T/pin"
expect_out "and is still there" "domain 1: 1 share"

# The set restored onto a second device: into a domain with its KCV, and
# refused in one without.
run hsm init --card emu:kd2 --key-domains 2 --so-pin-file "$T/so" --pin-file "$T/pin"
run hsm domain create 0 --shares 1 --card emu:kd2 --pin-file "$T/pin"
run hsm import-share "$T/b.share" --domain 0 --card emu:kd2 --passphrase-file "$T/p2" --pin-file "$T/pin"
run hsm domain create 1 --shares 1 --card emu:kd2 --pin-file "$T/pin"
run hsm import-share "$T/a.share" --domain 1 --card emu:kd2 --passphrase-file "$T/p1" --pin-file "$T/pin"
run backup restore "$T/set1" --domain 0 --card emu:kd2 --pin-file "$T/pin" $cer
expect_err "a set from domain 1 is refused in a domain with another DKEK" 5 "DKEK MISMATCH.*nothing written"
run hsm keys --card emu:kd2
expect_out "nothing was written" "^no keys"
run backup restore "$T/set1" --domain 1 --card emu:kd2 --pin-file "$T/pin" $cer
expect_rc "and restored into the domain with its KCV" 0
expect_out "proven" "RESTORED: 1 of 1 keys restored and proven"
run hsm wrap --ref 1 --domain 1 --card emu:kd2 --out "$T/two.wrap" --pin-file "$T/pin"
expect_out "the restored key is in domain 1: it wraps under its KCV" "$ka"

# A creation cut after the device acted: settled from the device.
# (the first INS 52 asks the slot's status, the second creates)
CUSTOS_EMU_FAULTS=exit-after=52:2 run hsm domain create 2 --shares 2 --card emu:kd --pin-file "$T/pin" $cer
check "the process died after the device created the domain" '[ "$rc" = 137 ]'
run hsm domains --card emu:kd --pin-file "$T/pin" $cer
expect_rc "the next run opens the device" 0
expect_out "the cut creation is recorded, found done" "hsm.domain-create on HSM .* was done before an interruption: recorded now"
expect_out "and the domain is there" "domain 2: 2 shares, 2 to import"

# The record: every step names its domain, and each domain's DKEK is
# checked on its own: two DKEKs, one per domain, are fine, but domain 0
# held alice's DKEK before bob's, and audit verify says so.
run audit verify "$T/cer"
expect_err "audit verify names the wrong share that went into domain 0" 1 "is under DKEK KCV $kb, but the ceremony's DKEK of key domain 0 is $ka"
check "hsm.init records the slots" 'jq -e -s "map(select(.action == \"hsm.init\" and .facts.key_domains == 3)) | length == 1" "$T/cer/transcript.jsonl" >/dev/null'
check "each import names its domain" 'jq -e -s "[.[] | select(.action == \"hsm.import-share\") | .facts.domain] == [1, 0, 0]" "$T/cer/transcript.jsonl" >/dev/null'
check "each keygen names its domain" 'jq -e -s "[.[] | select(.action == \"hsm.keygen\") | .facts.domain] == [1, 0]" "$T/cer/transcript.jsonl" >/dev/null'
check "creations and the deletion are recorded with their domain" 'jq -e -s "[.[] | select(.action == \"hsm.domain-create\" or .action == \"hsm.domain-delete\") | [.action, .facts.domain]] == [[\"hsm.domain-create\",1],[\"hsm.domain-create\",0],[\"hsm.domain-delete\",0],[\"hsm.domain-create\",0],[\"hsm.domain-create\",2]]" "$T/cer/transcript.jsonl" >/dev/null'
check "the restore names its domain" 'jq -e -s "map(select(.action == \"backup.restore\" and .facts.domain == 1 and .facts.outcome == \"complete\")) | length == 1" "$T/cer/transcript.jsonl" >/dev/null'
check "no PIN or passphrase in the transcript" '! grep -Eq "648219|long-passphrase" "$T/cer/transcript.jsonl"'

# Where --domain or a number means nothing, it is refused before any
# device is opened; a device without slots says so.
run hsm init --card emu:never --key-domains 2 --domain 1 --so-pin-file "$T/so" --pin-file "$T/pin"
expect_err "hsm init takes no --domain" 2 "domain does not apply"
run hsm domains --card emu:never --domain 1
expect_err "hsm domains takes no --domain" 2 "domain does not apply"
run hsm domain create 16 --shares 1 --card emu:never --pin-file "$T/pin"
expect_err "a domain number beyond 15 is refused at once" 2 "0 to 15"
check "no device was opened for them" '[ ! -e "$T/emu/never.json" ]'
run hsm init --card emu:legacy --dkek-shares 1 --so-pin-file "$T/so" --pin-file "$T/pin"
run hsm domain create 0 --shares 1 --card emu:legacy --pin-file "$T/pin"
expect_err "a device without slots: its DKEK is domain 0" 4 "has one key domain, 0, and it is in use \(a device initialized without key domain slots keeps its DKEK there"
# A device that shows a KCV only after login: hsm domains logs in when
# given a PIN source.
CUSTOS_EMU_FAULTS=kcv-after-login=1 run hsm domains --card emu:kd
expect_out "without a PIN the KCV is not shown" "domain 0: 1 share, 0 to import, KCV shown after a PIN login"
CUSTOS_EMU_FAULTS=kcv-after-login=1 run hsm domains --card emu:kd --pin-file "$T/pin"
expect_out "with one, it is read" "domain 0: 1 share, 0 to import, KCV [0-9A-F]{4} "
# One plan naming two key domains (docs/examples/rehearsal-two-domains.yaml):
# its review lists each domain and its steps, the domain in each.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
run ceremony plan "$SRC/docs/examples/rehearsal-two-domains.yaml"
expect_out "the review names each domain's DKEK" "^domain: +key domain 1: its own DKEK of 1 share, 1 key$"
expect_out "the device is set up once, before the domains" "^ +2\. Initialize HSM shared "
expect_out "each domain's steps say which" "^ +13\. Domain 1: Import share 1 into shared +dave$"
printf 'custos-plan: 1\nkind: new-dkek\ntitle: t\nadmin: dana\ncustodians: [alice]\nhsms: [{name: s, serial: D1}]\nkey_domains: 2\ndomains:\n  - {domain: 1, dkek: {shares: [{holder: alice}]}}\n  - {domain: 1, dkek: {shares: [{holder: alice}]}}\n' > "$T/twice.yaml"
run ceremony plan "$T/twice.yaml"
expect_err "a domain named twice is refused, with where" 4 "domains\[2\]\.domain: 1 again \(domains\[1\]\)"
printf 'custos-plan: 1\nkind: new-dkek\ntitle: t\nadmin: dana\ncustodians: [alice]\nhsms: [{name: s, serial: D1}]\nkey_domains: 2\ndomains:\n  - {domain: 0, dkek: {shares: [{holder: alice}]}, backup: sets/a, keys: [{label: a, type: "ec:P-256"}]}\n  - {domain: 1, dkek: {shares: [{holder: alice}]}, backup: sets/ab, keys: [{label: b, type: "ec:P-256"}]}\n' > "$T/apart.yaml"
run ceremony plan "$T/apart.yaml"
expect_rc "sets/a and sets/ab are two sets apart" 0
sed 's|sets/ab|./sets/a/|' "$T/apart.yaml" > "$T/same.yaml"
run ceremony plan "$T/same.yaml"
expect_err "sets/a and ./sets/a/ are one" 4 "domains\[2\]\.backup: domains\[1\]'s again \(or inside it\)"
