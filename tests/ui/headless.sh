# tests/ui/headless.sh - the real TUI (custos ceremony run / audit view)
# driven by key scripts on a null terminal at 80x24 (CUSTOS_TUI_SCRIPT),
# its screens dumped as text and compared with golden files after
# masking what differs between runs (mask.sed). UPDATE_GOLDEN=1 rewrites
# the golden files (review the diff before committing).
. "$(dirname "$0")/../cli/lib.inc"
ui=$(cd "$(dirname "$0")" && pwd)
cd "$T" || exit 1
mkdir dumps emu media
cp "$ui/plans/new-dkek.yaml" plan.yaml
export CUSTOS_EMU_DIR="$T/emu" CUSTOS_TUI_DUMP_DIR="$T/dumps"
FAST="--kdf-memory 256 --kdf-passes 1"
tui() { keys=$1; shift; CUSTOS_TUI_SCRIPT="$ui/keys/$keys.keys" "$CUSTOS" "$@" >"$OUT" 2>"$ERR" </dev/null; rc=$?; }
# golden NAME: the masked dump equals golden/NAME.txt.
golden() {
	sed -E -f "$ui/mask.sed" "dumps/$1.txt" > "dumps/$1.masked"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "dumps/$1.masked" "$ui/golden/$1.txt"; fi
	if cmp -s "dumps/$1.masked" "$ui/golden/$1.txt"; then echo "ok - screen $1"
	else echo "not ok - screen $1"; diff "$ui/golden/$1.txt" "dumps/$1.masked" | head -20 | sed 's/^/  /'; fi
}

tui new-part1 ceremony run --plan plan.yaml $FAST cer
expect_rc "first sitting ends when q is pressed" 0
for s in 01-start 02-help 03-plan 04-share1 05-handover 06-secret-typed 07-mismatch 08a-copy-offer 08b-copy-refused 08-share1-done; do golden $s; done
check "after sealing, the screen says where the share file is and offers a copy" 'tr "\n" " " < dumps/08a-copy-offer.txt | grep -q "in the ceremony directory: *shares/share-1-alice.share. To take a copy"'
check "a copy to a medium that is not there is refused on the same screen" 'tr "\n" " " < dumps/08b-copy-refused.txt | grep -q "no-such-medium: no such directory (is the medium mounted?); nothing was *copied" && [ ! -e no-such-medium ]'
check "the copy is on the medium, byte for byte" 'cmp -s media/share-1-alice.share cer/shares/share-1-alice.share'
check "and recorded: who took it, where to, its SHA-256, read back" 'grep "\"action\":\"share.copy\"" cer/transcript.jsonl | grep "\"actor\":\"alice\"" | grep -q "\"file_sha256\":\"$(sha256sum < media/share-1-alice.share | cut -c1-64)\".*\"read_back\":true.*\"to\":\"$T/media/share-1-alice.share\""'
check "the step's summary says a copy went with alice" 'tr "\n" " " < dumps/08-share1-done.txt | grep -q "a copy, read back, went with alice"'
sha=$(sha256sum plan.yaml | cut -c1-64 | sed -E 's/(....)/\1 /g; s/ $//')
check "the plan's SHA-256 is shown in groups of four" 'grep -qF "$sha" dumps/03-plan.txt'
check "alice's share file was written" '[ -f cer/shares/share-1-alice.share ]'

key=$("$CUSTOS" audit verify cer 2>/dev/null | sed -n '/^key:/{n;p;}' | tr -d ' ')
check "at open the ceremony key fingerprint is shown for the paper record, grouped and in words" 'grep -q "Ceremony key fingerprint (SHA-256):" dumps/00-ceremony-key.txt && [ -n "$key" ] && [ "$(grep -A1 "Ceremony key fingerprint" dumps/00-ceremony-key.txt | tail -1 | tr -d " ")" = "$key" ] && grep -qE "^ +words: [a-z]+ [a-z]+" dumps/00-ceremony-key.txt && grep -q "Is that so?" dumps/00-ceremony-key.txt'
check "F1 in a secret field shows help and types nothing into it" 'grep -q "custos - help" dumps/06a-help-in-secret.txt'
check "q asks once before quitting" 'grep -q "Quit? y: yes, quit" dumps/09-quit-ask.txt'
for s in 00-ceremony-key 06a-help-in-secret 09-quit-ask; do golden $s; done

tui resume-wrong ceremony run --plan plan.yaml $FAST cer
expect_rc "a resume with one wrong administrator passphrase goes on" 0
check "the error and the tries left stand over the next prompt" 'grep -q "wrong administrator passphrase, 2 tries left" dumps/40-admin-wrong.txt && grep -q "Administrator passphrase for ceremony" dumps/40-admin-wrong.txt'
check "every screen says REHEARSAL, the opening ones too" 'head -1 dumps/40-admin-wrong.txt | grep -q REHEARSAL && head -1 dumps/01-start.txt | grep -q REHEARSAL && head -1 dumps/02-help.txt | grep -q REHEARSAL'
golden 40-admin-wrong

tui admin-short ceremony run --plan plan.yaml $FAST cer4
expect_rc "a too-short new administrator passphrase, then Esc" 1
check "it is refused at once, where it was typed (not asked again first)" 'grep -q "passphrase refused" dumps/42-admin-short.txt && grep -q "New administrator passphrase" dumps/42-admin-short.txt && ! grep -q "Again, to be sure" dumps/42-admin-short.txt'
check "and no ceremony was made" '[ ! -e cer4/transcript.jsonl ]'
golden 42-admin-short

tui new-part1 ceremony run --plan plan.yaml cer-default
expect_rc "with the default Argon2id cost" 0
run share inspect cer-default/shares/share-1-alice.share
expect_out "fitted to this machine: 256, 512 or 1024 MiB, passes for 1-2 s" "^kdf: +argon2id, (256|512|1024) MiB, [0-9]+ passes"

tui new-part2 ceremony run --plan plan.yaml $FAST cer
expect_rc "second sitting ends when q is chosen at a member's hand-over" 0
check "q at bob's hand-over quits: he is not taken for absent, carol is not asked, share 2 is not imported" '[ "$(grep -c "\"action\":\"hsm.import-share\"" cer/transcript.jsonl)" = 1 ] && ! grep -q "Hand the keyboard to carol" dumps/15a-member-handover.txt'
check "bob took no copy (Esc), carol took hers" '[ ! -e media/share-2-member-1-bob.share ] && cmp -s media/share-2-member-2-carol.share cer/shares/share-2-member-2-carol.share'
tui new-part3 ceremony run --plan plan.yaml $FAST cer
expect_rc "third sitting runs to the close" 0
for s in 10-resumed 11a-words-handover 11-reveal 13-hidden 13c-copy-split 13d-split-done 14-erase 15-wrong-passphrase 16-kcv 17-backup-done 18-close 18a-summary 18b-summary-end 19-closed; do golden $s; done
check "the closing summary opens on the screen after the close, and says REHEARSAL" 'grep -q "KEY CEREMONY CLOSING SUMMARY" dumps/18a-summary.txt && head -1 dumps/18a-summary.txt | grep -q REHEARSAL && grep -q "Signature: ____" dumps/18b-summary-end.txt'
check "the summary names who took which share file, and which stayed on the laptop" 'tr -s " \n" "  " < cer/summary.txt | grep -q "taken by alice to $T/media/share-1-alice.share (record #[0-9]*; read back, same SHA-256)" && grep -A3 "share-2-member-1-bob.share" cer/summary.txt | grep -q "no copy recorded: on the ceremony laptop only" && grep -A4 "share-2-member-2-carol.share" cer/summary.txt | grep -q "taken by carol"'
# (the words themselves are checked in a real terminal by tmux.sh: a
# screen that shows a secret is never dumped to disk)
check "the words screen is never dumped" 'grep -q "a secret is on the screen: not dumped" dumps/12-words.txt && ! grep -qE "[0-9]+\. [a-z]+" dumps/12-words.txt'
check "no passphrase or PIN ever reaches a screen" '! grep -lE "Plum-Crater|Quartz-Lantern|648219|3537363231383830" dumps/*.txt | grep -v "^dumps/1[45]" | grep -q . && ! grep -E "Plum-Crater|Quartz-Lantern|648219" dumps/14-erase.txt dumps/15-wrong-passphrase.txt | grep -q .'
check "a wrong passphrase is said clearly, and that nothing changed" 'tr "\n" " " < dumps/15-wrong-passphrase.txt | grep -q "wrong passphrase (or the file was altered); *nothing *was changed"'
check "the KCV is shown in groups of four and as words" 'grep -qE "DKEK KCV: [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}" dumps/16-kcv.txt && grep -qE "^ +words: [a-z]+ [a-z]+" dumps/16-kcv.txt'
check "words typed back wrong: the first differing word is named by position" 'grep -q "3 words typed, 33 shown (word 1 is the first that differs)" dumps/13a-words-wrong.txt && grep -q "your 33 words, typed back from your paper" dumps/13a-words-wrong.txt'
check "backing out of it voids the split, and nothing was written" 'tr "\n" " " < dumps/13b-words-void.txt | grep -q "nothing was written; any words written down *for this split are void" && [ "$(grep -c "\"action\":\"share.split\"" cer/transcript.jsonl)" = 1 ]'
check "one visit per custodian: bob seals, then sees his words, before carol takes over" 'grep -q "bob: Your words" dumps/11-reveal.txt && grep -q "Hand the keyboard to carol" dumps/11a-words-handover.txt'
check "a hand-over in a group says Esc means the custodian is absent" 'grep -q "Esc: bob is absent (ask the next)" dumps/15a-member-handover.txt'
check "at 120x40 the KCV and its question stay on the screen" 'grep -q "DKEK KCV: " dumps/16b-kcv-big.txt && grep -q "Is that so?" dumps/16b-kcv-big.txt && [ "$(sed -n 24,40p dumps/16b-kcv-big.txt | grep -c .)" -gt 0 ]'
check "under 80x24 it asks for a larger terminal" 'tr "\n" " " < dumps/16c-kcv-small.txt | grep -q "needs at least 80x24"'
check "a y typed then is not taken: back at 80x24 the question stands" 'grep -q "DKEK KCV: " dumps/16d-kcv-back.txt && grep -q "Is that so?" dumps/16d-kcv-back.txt'
check "values stand under the step they came from" 'grep -q "Step 9 done: Back up the keys" dumps/17-backup-done.txt && grep -q "key wrapped into the backup set" dumps/17-backup-done.txt'
check "the backup set is inside the ceremony directory" '[ -f cer/backups/main/manifest.json ] && [ ! -e backups ]'
for s in 13a-words-wrong 13b-words-void 15a-member-handover 16b-kcv-big 16d-kcv-back; do golden $s; done
golden 20-audit
check "the audit view of a rehearsal says REHEARSAL in its title too" 'head -1 dumps/20-audit.txt | grep -q "REHEARSAL  line"'
check "the audit view opens on a verified timeline" 'grep -q "VERIFIED: $(wc -l < cer/transcript.jsonl) records; chain and signatures hold, and the closing" dumps/20-audit.txt'
check "n moves to the next record" 'grep -q "^ #1 " dumps/21-audit-next.txt'
run audit verify cer
expect_out "the ceremony the TUI ran verifies" "^verdict: +OK"

tui audit audit view cer
expect_rc "audit view of a closed ceremony" 0
golden 30-audit-view
check "End shows the close" 'grep -q "ceremony.close" dumps/31-audit-end.txt'
# facts as labelled lines, not JSON; a hash too long for the rest of its
# line moves whole to the next, never cut
check "nested facts are labelled lines (keys[0].label: signing)" 'grep -q "^     keys\[0\]\.label: signing$" dumps/31-audit-end.txt && ! grep -q "[{}]" dumps/30-audit-view.txt dumps/31-audit-end.txt'
check "a hash is kept whole on a line of its own" 'grep -A1 "^     keys\[0\]\.pubkey_sha256:$" dumps/31-audit-end.txt | grep -qE "^         [0-9a-f]{64}$"'
check "lists of values on one line" 'grep -qE "^     steps: plan, share-1, share-2, hsm-init-1, " dumps/21-audit-next.txt'
tui audit ceremony run --plan plan.yaml $FAST cer
expect_rc "a closed ceremony opens in the audit view" 0
check "(the same view)" 'grep -q "VERIFIED: $(wc -l < cer/transcript.jsonl) records" dumps/30-audit-view.txt'

# Re-initializing the now initialized primary: a wrong SO PIN.
kcv=$(sed -n 's/.*"action":"dkek.kcv".*"kcv":"\([0-9A-F]\{16\}\)".*/\1/p' cer/transcript.jsonl | tail -1)
sed -e 's/^kind: new-dkek/kind: restore/' -e '/^keys:/,/^  - {label/d' \
    -e 's/^backup: .*/backup: cer\/backups\/main/' plan.yaml > again.yaml
printf 'share_dir: cer/shares\nexpected_kcv: "%s"\n' "$kcv" >> again.yaml
tui so-wrong ceremony run --plan again.yaml $FAST again
expect_rc "a wrong SO PIN, then Esc and q" 0
check "an initialized device asks its SO PIN once, with the tries left" 'grep -q "SO PIN (16 hex digits)" dumps/43-so-pin.txt && grep -q "15 tries left" dumps/43-so-pin.txt && ! grep -q "New SO PIN" dumps/43-so-pin.txt'
check "a wrong SO PIN is said with the tries left, and asked again" 'grep -q "wrong SO PIN, 14 tries left; nothing was changed" dumps/44-so-wrong.txt && grep -q "SO PIN (16 hex digits)" dumps/44-so-wrong.txt && grep -q "14 tries left" dumps/44-so-wrong.txt'
check "the refusal is recorded" 'grep "\"action\":\"attempt.refused\"" again/transcript.jsonl | grep -q "\"tries_left\":14"'
run hsm status --card emu:primary
expect_out "and nothing was erased: the DKEK is the same" "$(echo "$kcv" | cut -c1-4)"
golden 44-so-wrong

tui admin-wrong ceremony run --plan plan.yaml $FAST cer2
expect_err "no ceremony without an administrator passphrase" 1 "refused three times|administrator"
check "and nothing was created" '[ ! -e cer2 ]'
mkdir cer3 && cp -r cer/. cer3/ 2>/dev/null
CUSTOS_TUI_SIZE=79x24 tui audit ceremony run --plan plan.yaml $FAST cer
expect_err "a terminal under 80x24 is refused" 1 "at least 80x24"
CUSTOS_TUI_SIZE=120x40 tui audit audit view cer
expect_rc "and a larger one used" 0
check "(all 120 columns)" '[ "$(head -1 dumps/30-audit-view.txt | wc -c)" -gt 100 ]'
check "(the text wraps at 118: a hash beside its label)" 'grep -qE "^     custos_sha256: [0-9a-f]{64}$" dumps/30-audit-view.txt'
run ceremony run --plan plan.yaml cer
expect_err "without a terminal it says so" 2 "needs a terminal"
run ceremony plan plan.yaml
expect_out "ceremony plan lists the steps for review" "^ +10\. Close the ceremony"
expect_out "with the plan's SHA-256" "^sha256: +$sha"

# Public key authentication (issue 16): a 2-of-3 ceremony in the TUI,
# each custodian with their own (emulated) personal device; bob is absent
# at the backup, and carol is asked next.
cp "$ui/plans/pka.yaml" pka.yaml
tui pka ceremony run --plan pka.yaml $FAST pka
expect_rc "a ceremony with public key authentication runs to its close" 0
for s in 50-pka-quorum-0 51-pka-pin 52-pka-quorum-1 54-pka-bob-asked 55-pka-carol-asked; do golden $s; done
check "the screen counts the quorum: 1 of 2 after alice" 'grep -q "alice authenticated with device ZZEMU[0-9A-F]*: 1 of 2" dumps/52-pka-quorum-1.txt'
run audit verify pka
expect_rc "its audit verifies: every key use after the quorum" 0
check "three keys registered, holder by holder" '[ "$(grep -c "\"action\":\"pka.register\"" pka/transcript.jsonl)" -eq 3 ]'
check "the backup was authenticated by alice and carol" '[ "$(grep "\"action\":\"pka.authenticate\"" pka/transcript.jsonl | grep -c "\"actor\":\"carol\"")" -eq 1 ]'
check "each personal device's .pka is in the ceremony" '[ "$(ls pka/pka/*.pka | wc -l)" -eq 3 ]'

# Several key domains in one plan (issue 19): the device set up once,
# then each domain's DKEK from its own custodian; d shows the domains as
# the device has them, between steps.
cp "$ui/plans/domains.yaml" domains.yaml
tui domains ceremony run --plan domains.yaml $FAST dom
expect_rc "a ceremony with two key domains runs to its close" 0
for s in 60-domains-fresh 61-domains-slots 62-domains-one; do golden $s; done
check "d on a factory-fresh device: no slots, no DKEK" 'grep -q "no key domain slots; its DKEK is domain 0" dumps/60-domains-fresh.txt && grep -qE "^ +0 +0 +0 +- \(no DKEK\)" dumps/60-domains-fresh.txt'
check "after the initialization: two empty slots" 'grep -q "2 key domain slots, 0 in use" dumps/61-domains-slots.txt && grep -q "2 empty slots" dumps/61-domains-slots.txt'
kcv0=$(grep '"step":"d0-hsm-kcv-1"' dom/transcript.jsonl | grep '"action":"dkek.kcv"' | sed -E 's/.*"kcv":"([0-9A-F]{16})".*/\1/' | sed -E 's/(....)/\1 /g; s/ $//')
check "once domain 0 is complete: its KCV as its step recorded it, slot 1 empty" '[ -n "$kcv0" ] && grep -qE "^ +0 +1 +0 +$kcv0" dumps/62-domains-one.txt && grep -q "1 empty slot" dumps/62-domains-one.txt'
check "each view is recorded (hsm.domains), by the administrator" '[ "$(grep "\"action\":\"hsm.domains\"" dom/transcript.jsonl | grep -c "\"actor\":\"dana\"")" -eq 3 ]'
check "after the close d reads nothing and records nothing" '! grep -q "key domains of the HSMs" dumps/63-after-close.txt'
check "each domain's share file apart" '[ -f dom/shares/domain-0/share-1-alice.share ] && [ -f dom/shares/domain-1/share-1-bob.share ]'
check "the closing summary names each KCV's key domain" 'grep -qE "^ +[0-9A-F ]{19}  key domain 0  \(records" dom/summary.txt && grep -qE "^ +[0-9A-F ]{19}  key domain 1  \(records" dom/summary.txt'
run audit verify dom
expect_rc "its audit verifies: one DKEK per domain" 0
