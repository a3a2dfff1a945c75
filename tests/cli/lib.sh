# tests/cli/lib.sh - a tiny TAP-like harness for CLI tests of the real
# custos binary. Sourced by tests/cli/*.sh; prints "ok - NAME" or
# "not ok - NAME" per check, which tests/run-all counts.
: "${CUSTOS:?CUSTOS must name the custos binary}"
T=$(mktemp -d /tmp/custos-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
OUT=$T/.out ERR=$T/.err

# run CMD... : runs custos with the arguments; sets $rc, keeps stdout/stderr.
run() { "$CUSTOS" "$@" >"$OUT" 2>"$ERR" </dev/null; rc=$?; }
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; echo "  rc=$rc"; sed 's/^/  stdout: /' "$OUT"; sed 's/^/  stderr: /' "$ERR"; }
# expect_rc NAME CODE : the last run exited with CODE.
expect_rc() { if [ "$rc" -eq "$2" ]; then ok "$1"; else notok "$1 (want rc $2)"; fi; }
# expect_err NAME CODE REGEX : exit CODE and exactly one stderr line matching REGEX.
expect_err() {
	if [ "$rc" -eq "$2" ] && [ "$(grep -v '^custos: warning' "$ERR" | grep -vc '^custos: deriving')" -eq 1 ] && grep -Eq "$3" "$ERR"; then
		ok "$1"; else notok "$1 (want rc $2 and one line /$3/)"; fi
}
expect_out() { if grep -Eq "$2" "$OUT"; then ok "$1"; else notok "$1 (want stdout /$2/)"; fi; }
# same_file NAME A B : A and B are byte-identical.
same_file() { if cmp -s "$2" "$3"; then echo "ok - $1"; else echo "not ok - $1"; fi; }
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1: $2"; fi; }
