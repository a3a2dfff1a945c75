# tests/cli/tty.sh - the interactive path in a real terminal (tmux): the
# passphrase is read without echo, a mismatched confirmation is asked
# again, and the passphrase never appears on the screen or in scrollback.
. "$(dirname "$0")/lib.inc"
if ! command -v tmux >/dev/null 2>&1; then
	echo "skip - tty: tmux is not installed"; exit 0
fi
cd "$T" || exit 1
sock="$T/tmux.sock"
tm() { tmux -S "$sock" "$@"; }
# wait_for TEXT: bounded poll of the pane for TEXT (no fixed sleeps).
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		tm capture-pane -p -S -1000 -t t | grep -q "$1" && return 0
		i=$((i + 1)); sleep 0.05
	done
	return 1
}
tm new-session -d -s t -x 100 -y 30 "$CUSTOS share create --label tty --out tty.share --kdf-memory 256 --kdf-passes 1; echo EXIT=\$?; sleep 30"
wait_for "New passphrase for the share file:" && ok "prompts on the terminal" || notok "prompts on the terminal"
tm send-keys -t t "tangerine submarine violin 42" Enter
wait_for "(again):" && ok "asks to confirm" || notok "asks to confirm"
tm send-keys -t t "tangerine submarine violin 43" Enter
wait_for "entries differ; please type it again" && ok "mismatch is asked again" || notok "mismatch is asked again"
wait_for "New passphrase for the share file:"
tm send-keys -t t "tangerine submarine violin 42" Enter
wait_for "(again):"
tm send-keys -t t "tangerine submarine violin 42" Enter
wait_for "EXIT=" || true
tm capture-pane -p -S -1000 -t t > screen.txt
check "created after a retry" 'grep -q "EXIT=0" screen.txt && [ -f tty.share ]'
check "passphrase never echoed or in scrollback" '! grep -q "tangerine" screen.txt'
tm kill-server 2>/dev/null
printf 'tangerine submarine violin 42\n' > pw
run share verify tty.share --passphrase-file pw; expect_rc "the terminal passphrase opens the file" 0
