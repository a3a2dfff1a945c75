# tests/cli/demo.sh - the README's first command ends in tools/demo, which
# starts the ceremony TUI in rehearsal mode. Driven here in a real
# terminal (tmux) as a person would: the whole new-DKEK rehearsal
# (alice's share, a 2-of-3 split, init, imports, KCV, two keys, backup,
# close), then the disaster restore onto a replacement device. Both
# transcripts must verify and no PIN or passphrase may reach the screen.
. "$(dirname "$0")/lib.inc"
if ! command -v tmux >/dev/null 2>&1; then
	echo "skip - demo: tmux is not installed"; exit 0
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/ui/tmux.inc"
cd "$T" || exit 1
demo="CUSTOS=$CUSTOS TMPDIR=$T XDG_STATE_HOME=$T/xdg sh $top/tools/demo $FAST"
# First sitting: up to the HSM's init, then q.
session "$demo"
wait_for "press Enter to start" && screen > banner.txt && key Enter &&
wait_for "New administrator passphrase" && type_ "$A" && wait_for "Again, to be sure" && type_ "$A" &&
wait_for "Ceremony key fingerprint" && key y &&
take 1 && wait_for "Is that so?" && key y &&
take 2 && handover alice && newpw alice && copy alice "" &&
take 3 && handover bob && newpw bob && wait_for "s: show my words" && key Enter &&
handover carol && newpw carol && wait_for "s: show my words" && key Enter &&
handover dave && newpw dave && wait_for "s: show my words" && key Enter &&
copy bob "" && copy carol "" && copy dave "" &&
take 4 && wait_for "Type ERASE" && type_ ERASE && wait_for "New SO PIN" && type_ "$SO" &&
wait_for "Again, to be sure" && type_ "$SO" &&
wait_for "New user PIN" && type_ "$PIN" && wait_for "Again, to be sure" && type_ "$PIN" &&
wait_for "Step 5:" && wait_for "Press Enter to take this step" && key q &&
wait_for "Quit? y: yes" && key y &&
wait_for "CUSTOS-EXIT=0"
history
screen > stopped.txt
dir=$(ls -d "$T"/custos-rehearsal-* | head -1)
check "the banner names the emulator directory (the command works as shown)" 'grep -qxF "  CUSTOS_EMU_DIR=$dir/emulator \\" banner.txt'
check "stopped early, it says how to resume" 'grep -q "^Stopped before the end. To resume, run tools/demo again" stopped.txt'
# The resume command exactly as printed, its continuation lines joined.
sed -n '/^this rehearsal), or by hand:$/,/^CUSTOS-EXIT/p' stopped.txt | sed '1d;$d' |
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' > resume.sh
check "the printed resume command sets CUSTOS_EMU_DIR" 'grep -qF "CUSTOS_EMU_DIR=$dir/emulator " resume.sh && [ "$(wc -l < resume.sh)" = 1 ]'
# Second sitting: by hand, as printed (nothing else in the environment):
# step 5 imports alice's share into the HSM that step 4 initialised.
session "env -u CUSTOS_EMU_DIR XDG_STATE_HOME=$T/xdg sh $T/resume.sh"
wait_for "Administrator passphrase" && type_ "$A" &&
take 5 && pin_if_asked "Hand the keyboard to alice." && oldpw alice &&
wait_for "Step 6:" && wait_for "Press Enter to take this step" && key q &&
wait_for "Quit? y: yes" && key y &&
wait_for "CUSTOS-EXIT=0"
history
check "resumed by hand as printed, on the same emulated HSM" 'grep "\"action\":\"hsm.import-share\"" "$dir/ceremony/transcript.jsonl" | grep -q "\"alice\""'
# Third sitting: tools/demo finds the rehearsal and resumes it; the
# restore is declined.
session "$demo"
wait_for "Resume it? [Y/n]" && screen > offer1.txt && key Enter &&
wait_for "press Enter to start" && key Enter &&
wait_for "Administrator passphrase" && type_ "$A" &&
take 6 && pin_if_asked "Hand the keyboard to bob." && oldpw bob && oldpw carol &&
take 7 && pin_if_asked "Is that so?" && key y &&
take 8 && pin_if_asked "Step 9:" && take 9 && pin_if_asked "Step 10:" &&
take 10 && pin_if_asked "Step 11:" &&
take 11 && wait_for "Is that so?" && key y && summary && wait_for "complete and closed" && key q &&
wait_for "Rehearse the restore now?" && screen > closed.txt && type_ n &&
wait_for "CUSTOS-EXIT=0"
history
check "tools/demo offers the unfinished rehearsal" 'grep -qxF "  $dir" offer1.txt && grep -q "new-DKEK ceremony is not closed" offer1.txt'
kcv=$(jq -r 'select(.action == "dkek.kcv") | .facts.kcv' "$dir/ceremony/transcript.jsonl" | tail -1 | sed 's/..../& /g; s/ $//')
check "the KCV is printed in groups of four ($kcv)" 'echo "$kcv" | grep -qE "^[0-9A-F]{4}( [0-9A-F]{4}){3}$" && grep -qF "its DKEK has KCV $kcv." closed.txt'
check "the audit view command: its path on a line of its own, whole" 'grep -qxF "    $dir/ceremony" closed.txt'
# Fourth sitting: the ceremony is closed, the restore is not: resuming
# offers the restore.
session "$demo"
wait_for "Resume it? [Y/n]" && screen > offer2.txt && key Enter &&
wait_for "Rehearse the restore now?" && type_ y &&
wait_for "New administrator passphrase" && type_ "$A" && wait_for "Again, to be sure" && type_ "$A" &&
wait_for "Ceremony key fingerprint" && key y &&
take 1 && wait_for "Is that so?" && key y &&
take 2 && wait_for "Type ERASE" && type_ ERASE && wait_for "New SO PIN" && type_ "$SO" &&
wait_for "Again, to be sure" && type_ "$SO" &&
wait_for "New user PIN" && type_ "$PIN" && wait_for "Again, to be sure" && type_ "$PIN" &&
take 3 && oldpw alice &&
take 4 && wait_for "Hand the keyboard to bob." && key Escape && oldpw carol && oldpw dave &&
take 5 && pin_if_asked "matches the paper record" && key y &&
take 6 && pin_if_asked "Step 7:" &&
take 7 && wait_for "Is that so?" && key y && summary && wait_for "complete and closed" && key q &&
wait_for "CUSTOS-EXIT=0"
history
check "a closed ceremony without its restore: the restore is offered" 'grep -q "the disaster restore is not done" offer2.txt'
check "one rehearsal directory so far" '[ "$(ls -d "$T"/custos-rehearsal-* | wc -l)" = 1 ]'
# Fifth: everything is closed, so a new rehearsal starts in a new directory.
session "$demo"
wait_for "press Enter to start" && screen > fresh.txt
tm kill-server 2>/dev/null
check "a finished rehearsal is not offered; a new one starts" '! grep -q "Resume it?" fresh.txt && [ "$(ls -d "$T"/custos-rehearsal-* | wc -l)" = 2 ]'
check "no line of the demo's text breaks at 80 columns" '! grep -qE "^.{80}$" banner.txt stopped.txt closed.txt offer1.txt offer2.txt'
check "the demo runs both ceremonies to the end" 'grep -q "CUSTOS-EXIT=0" history.txt && grep -q "^Done. Everything is in" history.txt'
check "it says REHEARSAL" 'grep -q "custos ceremony on emulated SmartCard-HSMs" history.txt'
run audit verify "$dir/ceremony" --require-closed
expect_out "the new-DKEK ceremony verifies" "^verdict: +OK"
run audit verify "$dir/restore" --require-closed
expect_out "the restore verifies" "^verdict: +OK"
check "both keys restored and proven (bob was away: carol and dave)" 'grep "\"action\":\"backup.restore\"" "$dir/restore/transcript.jsonl" | grep -q "\"restored\":2"'
check "no PIN or passphrase on screen or in scrollback" '! grep -Eq "$PIN|$P|Quartz-Lantern" history.txt'
# The factory-default SO PIN is public and printed by the demo's own
# instructions (once a run that shows them) and by the SO PIN prompt's
# rehearsal hint; the one typed is never echoed.
check "the typed SO PIN is not echoed" '[ "$(grep "$SO" history.txt | grep -vc "use $SO, the default SO PIN")" = "$(grep -c "^REHEARSAL - custos ceremony" history.txt)" ]'

# The auditor guide's commands on the ceremony the TUI made (tests/cli/
# guide.sh runs them on the CLI's), and the same steps taken with the CLI
# give records of the same actions with the same fields.
guide_doc=$top/docs/auditor-guide.md
. "$top/tests/cli/guide.inc"
guide_run tui "$dir/ceremony" any
export CUSTOS_EMU_DIR="$T/twin-emu"
cli_twin "$T/twin" >"$T/twin.log" 2>&1
check "the CLI takes the TUI's steps" '[ "$(jq -r .action "$T/twin/transcript.jsonl" | tail -1)" = ceremony.close ]'
fields_of "$dir/ceremony/transcript.jsonl" | grep -v '^walk\.plan:' >"$T/fields-tui"
fields_of "$T/twin/transcript.jsonl" | grep -v '^share\.combine:\|^intent share\.combine:' >"$T/fields-cli"
same_file "CLI and TUI records of the same steps have the same fields" "$T/fields-tui" "$T/fields-cli"
cmp -s "$T/fields-tui" "$T/fields-cli" || diff "$T/fields-tui" "$T/fields-cli" | sed 's/^/  | /'
check "the actors are the people who acted (TUI)" '[ "$(jq -r "select(.action != \"intent\") | .actor" "$dir/ceremony/transcript.jsonl" | sort -u | tr "\n" "/")" = "alice/bob, carol/bob, carol, dave/dana/" ]'
check "the plan's witness is recorded at open (TUI)" '[ "$(head -n 1 "$dir/ceremony/transcript.jsonl" | jq -c .facts.witnesses)" = "[\"wendy\"]" ]'
