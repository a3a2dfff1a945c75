#!/bin/sh
# tests/pkg/bundle.sh (make bundle-test) - the offline bundle on a minimal
# Debian 12 with no network: debootstrap --variant=minbase makes the root
# (from the Debian archive: this step is online), tools/bundle makes the
# bundle, and then, in a network namespace with nothing but a loopback
# that is down, the root's install.sh checks the sums and installs, and
# custos runs `version` and a whole CLI rehearsal: a ceremony that must be
# offline, two shares, hsm init and import on an emulated device, keys, a
# backup, a restore onto a second device, close and audit verify.
# Needs root, debootstrap and unshare; takes a few minutes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }
if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null || ! unshare -n true 2>/dev/null; then
	echo "skip - the bundle test needs root, debootstrap and network namespaces"; exit 0
fi
T=$(mktemp -d /var/tmp/custos-bundle-XXXXXX) || exit 1
trap 'umount -R "$T/root/proc" 2>/dev/null; rm -rf "$T"' EXIT
start=$(date +%s)
mirror=${CUSTOS_BUNDLE_MIRROR:-http://deb.debian.org/debian}
if debootstrap --variant=minbase bookworm "$T/root" "$mirror" >"$T/debootstrap.log" 2>&1; then
	ok "a minimal Debian 12 root ($(chroot "$T/root" dpkg-query -W | wc -l) packages, $(( $(date +%s) - start )) s)"
else
	notok "debootstrap"; tail -5 "$T/debootstrap.log"; exit 1
fi
chroot "$T/root" sh -c 'command -v custos' >/dev/null 2>&1 && notok "the root has no custos before" ||
    ok "the root has no custos before"
t=$(date +%s)
if "$top/tools/bundle" "$T/root/bundle" >"$T/bundle.log" 2>&1; then
	ok "tools/bundle: $(sed -n 's/^bundle: [^:]*: //p' "$T/bundle.log") ($(( $(date +%s) - t )) s)"
else
	notok "tools/bundle"; tail -5 "$T/bundle.log"; exit 1
fi
# A file altered on the way in: install.sh installs nothing.
cp -a "$T/root/bundle" "$T/root/bad"
echo x >>"$T/root/bad/$(cd "$T/root/bad" && ls libyaml*.deb)"
cat >"$T/root/rehearsal.sh" <<'REH'
set -eu
echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
if sh /bad/install.sh >/tmp/bad.log 2>&1; then echo "BAD: altered bundle installed"; exit 1; fi
grep -q "a file differs from SHA256SUMS; nothing installed" /tmp/bad.log
! command -v custos >/dev/null
echo "altered bundle refused"
sh /bundle/install.sh >/tmp/install.log 2>&1 || { tail /tmp/install.log; exit 1; }
custos version
export CUSTOS_EMU_DIR=/tmp/emu
mkdir -p /tmp/emu /tmp/w
cd /tmp/w
printf 'administrator passphrase 2026\n' >a
printf 'alice horse battery staple\n' >pa
printf 'bob horse battery staple 22\n' >pb
printf '3537363231383830\n' >so
printf '648219\n648219\n' >pin2
printf '648219\n' >pin
f="--kdf-memory 256 --kdf-passes 1"
c="--ceremony cer --admin-passphrase-file a"
custos ceremony open cer --title "Offline rehearsal" --admin dana --rehearsal --offline-required --admin-passphrase-file a
custos share create --label alice --out cer/shares/alice.share $f --passphrase-file pa $c
custos share create --label bob --out cer/shares/bob.share $f --passphrase-file pb $c
custos hsm init --card emu:main --dkek-shares 2 --so-pin-file so --pin-file pin2 $c
custos hsm import-share cer/shares/alice.share --card emu:main --passphrase-file pa --pin-file pin $c
custos hsm import-share cer/shares/bob.share --card emu:main --passphrase-file pb --pin-file pin $c
custos hsm keygen --type ec:prime256v1 --label signing --card emu:main --pin-file pin $c
custos hsm keygen --type rsa:2048 --label archive --card emu:main --pin-file pin $c
custos backup create --out cer/backups/main --card emu:main --pin-file pin $c
custos backup verify cer/backups/main
custos hsm init --card emu:spare --dkek-shares 2 --so-pin-file so --pin-file pin2 $c
custos hsm import-share cer/shares/alice.share --card emu:spare --passphrase-file pa --pin-file pin $c
custos hsm import-share cer/shares/bob.share --card emu:spare --passphrase-file pb --pin-file pin $c
custos backup restore cer/backups/main --card emu:spare --pin-file pin $c
custos ceremony close cer --admin-passphrase-file a
custos audit verify cer --require-closed
echo REHEARSAL-DONE
REH
t=$(date +%s)
unshare --net --mount --pid --fork --mount-proc="$T/root/proc" \
    chroot "$T/root" sh /rehearsal.sh >"$T/out.log" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^REHEARSAL-DONE$' "$T/out.log" &&
    ok "install and rehearsal with no network ($(( $(date +%s) - t )) s)" ||
    { notok "install and rehearsal with no network (rc $rc)"; tail -20 "$T/out.log" | sed 's/^/  /'; }
grep -q '^interfaces: lo $' "$T/out.log" && ok "the namespace had no interface but loopback" ||
    notok "the namespace had no interface but loopback: $(grep '^interfaces' "$T/out.log")"
grep -q '^altered bundle refused$' "$T/out.log" && ok "an altered .deb: install.sh installs nothing" ||
    notok "an altered .deb: install.sh installs nothing"
grep -q '^custos [0-9]' "$T/out.log" && ok "custos version runs in the root: $(grep -A2 '^custos [0-9]' "$T/out.log" | tr '\n' ' ')" ||
    notok "custos version runs in the root"
grep -q '^network: *offline: no network interface up' "$T/out.log" && ok "audit verify: the ceremony was offline" ||
    notok "audit verify: the ceremony was offline"
grep -q '^verdict: *OK' "$T/out.log" && ok "audit verify: OK" || notok "audit verify: OK"
echo "# bundle test: $(( $(date +%s) - start )) s in all"
exit $fail
