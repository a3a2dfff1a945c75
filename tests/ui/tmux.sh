# tests/ui/tmux.sh - end to end in a real terminal (tmux, 80x24): a whole
# new-DKEK ceremony under a plan, with the program killed (SIGKILL) half
# way and resumed, then a whole disaster-recovery restore onto a
# replacement device with the KCV read off the first ceremony's screen.
# Every key is typed as a person would. Afterwards: both transcripts
# verify, the replacement holds the key and it signs, and no passphrase,
# PIN or share word is left on the screen or in the scrollback.
. "$(dirname "$0")/../cli/lib.inc"
if ! command -v tmux >/dev/null 2>&1; then
	echo "skip - tmux: tmux is not installed"; exit 0
fi
ui=$(cd "$(dirname "$0")" && pwd)
cd "$T" || exit 1
mkdir emu usb
cp "$ui/plans/new-dkek.yaml" plan.yaml
export CUSTOS_EMU_DIR="$T/emu"
. "$ui/tmux.inc"
start() { session "$CUSTOS ceremony run --plan $1 $FAST $2"; }
start plan.yaml cer
wait_for "New administrator passphrase" && type_ "$A" && wait_for "Again, to be sure" && type_ "$A" &&
wait_for "Ceremony key fingerprint" && key y &&
take 1 && wait_for "Is that so?" && key y &&
take 2 && handover alice && newpw alice && copy alice "$T/usb" && wait_for "Step 3:"
history
check "first sitting: the plan checked, alice's share made" '[ -f cer/shares/share-1-alice.share ]'
# the laptop dies
ppid=$(tm list-panes -t c -F '#{pane_pid}')
cpid=$(pgrep -P "$ppid" custos)
kill -9 "$cpid"; sleep 0.3
check "custos was killed (SIGKILL, pid $cpid)" '[ -n "$cpid" ] && ! kill -0 "$cpid" 2>/dev/null'
start plan.yaml cer
wait_for "Administrator passphrase" && type_ "$A" &&
# one visit each: bob seals, sees his words, types them back from paper
wait_for "Step 3: DKEK share 2" && take 3 && handover bob && newpw bob &&
wait_for "s: show my words" && key s && wait_for "Words for bob"
screen | grep -oE "[0-9]+\. [a-z]+" > words.txt
words=$(sort -n words.txt | awk '{print $2}' | tr '\n' ' ')
key x && wait_for "They are hidden again" && key Enter &&
wait_for "typed back from your paper" && type_ "zzz ${words#* }" &&
wait_for "word 1 of 33 is not the word shown" && screen > typo.txt &&
type_ "$words" &&
handover carol && newpw carol && wait_for "s: show my words" && key Enter &&
copy bob "" && copy carol "$T/usb" &&
take 4 && wait_for "Type ERASE" && type_ ERASE && wait_for "New SO PIN" && type_ "$SO" &&
wait_for "Again, to be sure" && type_ "$SO" &&
wait_for "New user PIN" && type_ "$PIN" && wait_for "Again, to be sure" && type_ "$PIN" &&
take 5 && oldpw alice &&
take 6 && oldpw bob && oldpw carol &&
take 7 && pin_if_asked "Is that so?"
kcv=$(screen | sed -n 's/.*DKEK KCV: \([0-9A-F ]*\).*/\1/p' | head -1)
# A resize during the confirmation redraws it whole; while the terminal
# is too small nothing is answered.
tm resize-window -t c -x 120 -y 40 && sleep 0.5 && screen > big.txt
tm resize-window -t c -x 80 -y 24 && sleep 0.5 && screen > back.txt
tm resize-window -t c -x 70 -y 20 && sleep 0.5 && screen > small.txt
key y && sleep 0.3
tm resize-window -t c -x 80 -y 24 && sleep 0.5 && screen > again.txt
check "at 120x40 the KCV and its question stay on the screen" 'grep -qF "DKEK KCV: $kcv" big.txt && grep -q "Is that so?" big.txt && grep -q "y: yes" big.txt'
check "back at 80x24 they are redrawn whole" 'grep -qF "DKEK KCV: $kcv" back.txt && grep -q "Is that so?" back.txt && grep -q "y: yes" back.txt'
check "at 70x20 it asks for a larger terminal" 'tr "\n" " " < small.txt | grep -q "custos needs at least 80x24"'
check "and a y typed then was not taken: the question is still asked" 'grep -qF "DKEK KCV: $kcv" again.txt && grep -q "Is that so?" again.txt'
key y
take 8 && wait_for "Step 9:" && take 9 && wait_for "Step 10:" &&
take 10 && wait_for "Is that so?" && key y && summary && wait_for "complete and closed" && key q &&
wait_for "CUSTOS-EXIT=0"
history
check "resumed after the kill and ran to the close" 'grep -q "CUSTOS-EXIT=0" history.txt'
check "33 words were shown on request" '[ "$(wc -l < words.txt)" -eq 33 ]'
check "a mistyped word is named by its position" 'grep -q "word 1 of 33 is not the word shown" typo.txt'
check "bob typed his words back, checked; carol did not ask for hers" 'grep "\"action\":\"share.split\"" cer/transcript.jsonl | grep -q "\"words_checked_by\":\[\"bob\"\]"'
check "alice and carol took copies of their share files; bob's stayed" 'cmp -s usb/share-1-alice.share cer/shares/share-1-alice.share && cmp -s usb/share-2-member-2-carol.share cer/shares/share-2-member-2-carol.share && [ ! -e usb/share-2-member-1-bob.share ] && grep -q "taken by carol to" cer/summary.txt'
check "the KCV was shown in groups of four" 'echo "$kcv" | grep -qE "^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$"'
run audit verify cer --require-closed
expect_out "the new-DKEK transcript verifies, closed" "^verdict: +OK"

# Disaster: primary is lost. The restore plan names the KCV on paper.
sed -e 's/^kind: new-dkek/kind: restore/' -e 's/^title: .*/title: Headless restore/' \
    -e '/^keys:/,/^  - {label/d' -e 's/^backup: .*/backup: cer\/backups\/main/' \
    -e 's/{name: primary, serial: DENK0100001}/{name: replacement, serial: DENK0100002}/' plan.yaml > restore.yaml
printf 'share_dir: cer/shares\nexpected_kcv: "%s"\n' "$kcv" >> restore.yaml
run ceremony plan restore.yaml
expect_rc "the restore plan checks" 0
start restore.yaml dr
wait_for "New administrator passphrase" && type_ "$A" && wait_for "Again, to be sure" && type_ "$A" &&
wait_for "Ceremony key fingerprint" && key y &&
take 1 && wait_for "Is that so?" && key y &&
take 2 && wait_for "Type ERASE" && type_ ERASE && wait_for "New SO PIN" && type_ "$SO" &&
wait_for "Again, to be sure" && type_ "$SO" &&
wait_for "New user PIN" && type_ "$PIN" && wait_for "Again, to be sure" && type_ "$PIN" &&
take 3 && oldpw alice &&
take 4 && oldpw bob && oldpw carol &&
take 5 && pin_if_asked "matches the paper record"
screen > kcv-screen.txt
key y
take 6 && pin_if_asked "Step 7:" && screen > restored.txt &&
take 7 && wait_for "Is that so?" && key y && summary && wait_for "complete and closed" && key q &&
wait_for "CUSTOS-EXIT=0"
history
tm kill-server 2>/dev/null
check "the restore ran to the close" 'grep -q "CUSTOS-EXIT=0" history.txt'
check "the replacement showed the same KCV" 'grep -qF "DKEK KCV: $kcv" kcv-screen.txt'
run audit verify dr --require-closed
expect_out "the restore transcript verifies, closed" "^verdict: +OK"
check "it records the key restored and proven" 'grep "\"action\":\"backup.restore\"" dr/transcript.jsonl | grep -q "\"proven\":true"'
printf '%s\n' "$PIN" > pin
run hsm sign-test --card emu:replacement --ref 1 --pin-file pin
expect_rc "the restored key signs on the replacement" 0
check "no passphrase or PIN in the screen or scrollback" '! grep -E "$P|Quartz-Lantern|$PIN|$SO" history.txt'
# (single words may also be fingerprint words, from the same list: the
# numbered entries of the words screen are what must be gone)
check "no share word left in the scrollback" '! grep -qFf words.txt history.txt'

# colour and monochrome: the same screen with and without --mono
session "$CUSTOS audit view dr"
wait_for "audit view of dr" && tm capture-pane -e -p -t c > colour.txt && key q
session "$CUSTOS audit view dr --mono"
wait_for "audit view of dr" && tm capture-pane -e -p -t c > mono.txt && key q
# the audit view follows the terminal: wider, it lays the text out again
# (a hash beside its label), with the same record on top; Ctrl-L repaints
session "$CUSTOS audit view dr"
wait_for "audit view of dr" && key n && wait_for "line 12 of" && key n && wait_for "walk.plan" && screen > at80.txt
tm resize-window -t c -x 120 -y 30
wait_for "plan_sha256: " && screen > at120.txt
tty=$(tm display-message -p -t c '#{pane_tty}')
printf '\033[5;5HGARBAGE-ON-THE-SCREEN' > "$tty"; sleep 0.3; screen > garbage.txt
key C-l; sleep 0.5; screen > redrawn.txt
tm resize-window -t c -x 80 -y 24
wait_for "plan_sha256:" && sleep 0.3 && screen > back80.txt
key n && wait_for "#2 " && key n && wait_for "#3 " && key End && wait_for "ceremony.close"
key p && wait_for "backup.restore" && screen > restore.txt
key q
check "at 80 columns a hash goes whole to the next line" 'grep -qE "^ +plan_sha256:$" at80.txt && grep -qE "^ {9}[0-9a-f]{64}$" at80.txt'
check "resized to 120: laid out again, hash beside its label, same record on top" 'grep -qE "^ +plan_sha256: [0-9a-f]{64}$" at120.txt && sed -n 2p at120.txt | grep -q "^ #1 " && [ "$(head -1 at120.txt | wc -c)" -gt 100 ]'
check "Ctrl-L repaints what something else wrote over the screen" 'grep -q GARBAGE-ON-THE-SCREEN garbage.txt && ! grep -q GARBAGE-ON-THE-SCREEN redrawn.txt && grep -q "plan_sha256: " redrawn.txt'
check "and back to 80: wrapped again, nothing past the edge" 'grep -qE "^ +plan_sha256:$" back80.txt && [ "$(awk "length > 80" back80.txt | wc -l)" -eq 0 ]'
check "a restore's results as labelled lines (results[0].proven: yes)" 'grep -qE "^ +results\[0\]\.proven: yes$" restore.txt && ! grep -q "[{}]" restore.txt'

tm kill-server 2>/dev/null
esc=$(printf '\033')
check "in colour, the verdict is green" 'grep -q "${esc}\[32m" colour.txt'
check "with --mono, no colour at all (bold and reverse only)" '! grep -qE "${esc}\[(3[0-7]|4[0-7])m" mono.txt && grep -q "${esc}\[7m\|${esc}\[1m" mono.txt'
