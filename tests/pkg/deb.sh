#!/bin/sh
# tests/pkg/deb.sh - the Debian package, and a reproducible build: this commit, cloned into two
# directories of different names and depths and built at different times
# (another second, TZ and umask), gives a bit-identical custos binary and
# bit-identical .deb files. On a difference, diffoscope (Debian's
# diffoscope-minimal) says where, when it is installed.
# Needs git, and dpkg-buildpackage with the build dependencies for the
# .deb part (skipped loudly without them).
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/custos-repro-XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }
if ! git -C "$top" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	echo "skip - not a git checkout: nothing to clone twice"; exit 0
fi
a="$T/a/custos" b="$T/second/build/tree/src"
git clone -q "$top" "$a" && git clone -q "$top" "$b" || { notok "clone"; exit 1; }
# uncommitted changes of the tree under test are carried into both
git -C "$top" diff HEAD >"$T/wip.patch"
if [ -s "$T/wip.patch" ]; then
	(cd "$a" && git apply "$T/wip.patch") && (cd "$b" && git apply "$T/wip.patch") ||
	    { notok "apply the uncommitted changes"; exit 1; }
fi
(cd "$a" && umask 022 && TZ=UTC make -j2 custos >"$T/a.log" 2>&1) || { notok "build in $a"; tail "$T/a.log"; exit 1; }
sleep 2
(cd "$b" && umask 077 && TZ=Pacific/Kiritimati make -j2 custos >"$T/b.log" 2>&1) || { notok "build in $b"; tail "$T/b.log"; exit 1; }
ha=$(sha256sum <"$a/custos" | cut -c1-64) hb=$(sha256sum <"$b/custos" | cut -c1-64)
if [ "$ha" = "$hb" ]; then ok "the binary is bit-identical ($ha)"
else
	notok "the binary differs ($ha, $hb)"
	command -v diffoscope >/dev/null && diffoscope --text - "$a/custos" "$b/custos" | head -40
fi
"$a/custos" version | grep -q "^sha256: *$ha " && ok "custos version prints that hash" ||
    notok "custos version prints that hash"
if ! command -v dpkg-buildpackage >/dev/null || ! (cd "$a" && dpkg-checkbuilddeps >/dev/null 2>&1); then
	echo "skip - dpkg-buildpackage or the build dependencies are missing: the .deb is not compared"
	exit $fail
fi
for d in "$a" "$b"; do
	(cd "$d" && umask 022 && DEB_BUILD_OPTIONS=nocheck make deb >"$d.deb.log" 2>&1) ||
	    { notok "make deb in $d"; tail "$d.deb.log"; exit 1; }
	sleep 2
done
for f in $(cd "$a/dist" && ls *.deb); do
	if cmp -s "$a/dist/$f" "$b/dist/$f"; then
		ok "$f is bit-identical ($(sha256sum <"$a/dist/$f" | cut -c1-16)...)"
	else
		notok "$f differs"
		command -v diffoscope >/dev/null && diffoscope --text - "$a/dist/$f" "$b/dist/$f" | head -60
	fi
done
mkdir "$T/x"
dpkg-deb -x "$a/dist/custos_"*"_$(dpkg --print-architecture).deb" "$T/x"
hp=$(sha256sum <"$T/x/usr/bin/custos" | cut -c1-64)
"$T/x/usr/bin/custos" version | grep -q "^sha256: *$hp " &&
    ok "the packaged custos prints its own hash ($hp)" || notok "the packaged custos prints its own hash"
# Built from a clean commit, the package's custos names that commit, not
# <commit>-dirty: the Debian build must not change a tracked file.
if [ ! -s "$T/wip.patch" ]; then
	c=$(git -C "$top" rev-parse HEAD)
	"$T/x/usr/bin/custos" version | grep -q "$c\$" &&
	    ok "the packaged custos names commit $c, not -dirty" ||
	    notok "the packaged custos names commit $c, not -dirty ($("$T/x/usr/bin/custos" version | grep -i commit))"
fi
deb="$a/dist/custos_"*"_$(dpkg --print-architecture).deb"
# What the package holds, and what it needs.
for p in usr/bin/custos usr/share/man/man1/custos.1.gz usr/share/doc/custos/user-guide.md.gz \
    usr/share/doc/custos/auditor-guide.md.gz usr/share/doc/custos/formats/transcript.md.gz \
    usr/share/doc/custos/examples/rehearsal-new-dkek.yaml usr/share/doc/custos/copyright; do
	[ -e "$T/x/$p" ] && ok "the package installs /$p" || notok "the package installs /$p"
done
deps=$(dpkg-deb -f $deb Depends)
for lib in $(readelf -d "$T/x/usr/bin/custos" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
	path=$(ldd "$T/x/usr/bin/custos" | awk -v l="$lib" '$1 == l { print $3 }')
	# ldd may name the library under /lib or /usr/lib (merged /usr); dpkg
	# knows it under the one its package shipped.
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null ||
	    dpkg -S "/usr$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null)
	pkg=${pkg%%:*}
	case ", $deps" in
	*", $pkg "*|*", $pkg,"*|*", $pkg") ok "Depends names $pkg, which holds $lib" ;;
	*) notok "Depends names the package of $lib ($pkg): $deps" ;;
	esac
done
if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 $deb "$a/dist/custos-dbgsym_"*.deb >"$T/lintian.log" 2>&1
	if grep -Eq '^[EW]: ' "$T/lintian.log"; then notok "lintian: no error or warning"; grep -E '^[EW]: ' "$T/lintian.log" | head
	else ok "lintian: no error or warning ($(grep -c '^[IP]: ' "$T/lintian.log") info or pedantic tags)"; fi
else
	echo "skip - lintian is not installed: the package is not linted"
fi
exit $fail
