#!/bin/sh
# tests/cli/guide.sh - every command of docs/auditor-guide.md, run against
# the guide's own example ceremony made with the CLI (tests/cli/demo.sh
# runs them against the ceremony the TUI makes). The example: alice and
# bob create their shares, bob mistypes his passphrase once, carol (the
# administrator) computes the KCV, and closes.
. "$(dirname "$0")/lib.inc"
for tool in jq minisign openssl sha256sum; do
	command -v $tool >/dev/null 2>&1 ||
	    { echo "skip - auditor guide: $tool is not installed"; exit 0; }
done
. "$(dirname "$0")/guide.inc"
cd "$T" || exit 1
export CUSTOS_EMU_DIR="$T/emu"
FAST="--kdf-memory 256 --kdf-passes 1"
printf 'administrator passphrase 2026\n' >apw
printf 'alice horse battery staple\n' >pa
printf 'bobby horse battery staple\n' >pb
printf 'wrong horse battery staple\n' >pw
cat pa pb >pab
C="--ceremony dkek-2026-11 --admin-passphrase-file apw"

run ceremony open dkek-2026-11 --title "DKEK for HSM-A and HSM-B" --admin carol --witness wendy --admin-passphrase-file apw
expect_rc "the example ceremony opens" 0
run share create --label alice --out dkek-2026-11/shares/alice.share $FAST --passphrase-file pa $C
run share create --label bob --out dkek-2026-11/shares/bob.share $FAST --passphrase-file pb $C
run share verify dkek-2026-11/shares/bob.share --passphrase-file pw $C --actor bob
expect_err "bob mistypes his passphrase" 3 "wrong passphrase"
run share verify dkek-2026-11/shares/bob.share --passphrase-file pb $C --actor bob
run dkek kcv dkek-2026-11/shares/alice.share dkek-2026-11/shares/bob.share --passphrase-file pab $C
expect_rc "carol computes the KCV" 0
cp -r dkek-2026-11 open.keep
run ceremony close dkek-2026-11 --admin-passphrase-file apw
expect_rc "and closes" 0
check "the example has the guide's 9 records" '[ "$(wc -l <dkek-2026-11/transcript.jsonl)" = 9 ]'

mkdir -p "$T/guide-cli"
(cd "$T/guide-cli" && guide_damage "$T/dkek-2026-11" "$T/open.keep")
guide_run cli "$T/dkek-2026-11" full
