# tests/ui/mask.sed - what differs between runs, masked before a screen is
# compared with its golden file: ceremony ids and other hex, fingerprints
# in groups of four, their words, times and base64 keys.
s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<time>/g
s/[A-Za-z0-9+\/]{40,}={0,2}/<b64>/g
s/ZZEMU[0-9A-F]{6}/ZZEMU<serial>/g
s/[0-9a-f]{16}/<hex>/g
s/([0-9A-Fa-f]{4} ){3}[0-9A-Fa-f]{4}( [0-9A-Fa-f]{4})*/<groups>/g
s/words: .*/words: <words>/
s/\/tmp\/custos-ui-[A-Za-z0-9]+/<tmp>/g
s/^         .*/         <continued>/
s/line [0-9]+ of [0-9]+$/line <n> of <m>/
# The machine and build the ceremony was opened on (record 0), and the
# warning about network interfaces that are up: they differ between
# machines. tests/cli/offline.sh checks them, in a network namespace.
s/ network interfaces? (is|are) up: .*; the ceremony record will say so//
s/(custos_commit|custos_version|kernel|kernel_build|libraries(\[[0-9]+\]\.[a-z]+)?|interfaces_up): .*/\1: <machine>/
# a KCV written whole (16 upper-case hex digits), as the summary's sets
s/[0-9A-F]{16}/<HEX>/g
