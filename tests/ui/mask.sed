# tests/ui/mask.sed - what differs between runs, masked before a screen is
# compared with its golden file: ceremony ids and other hex, fingerprints
# in groups of four, their words, times and base64 keys.
s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<time>/g
s/[A-Za-z0-9+\/]{40,}={0,2}/<b64>/g
s/[0-9a-f]{16}/<hex>/g
s/([0-9A-Fa-f]{4} ){3}[0-9A-Fa-f]{4}( [0-9A-Fa-f]{4})*/<groups>/g
s/words: .*/words: <words>/
s/\/tmp\/custos-ui-[A-Za-z0-9]+/<tmp>/g
s/^         .*/         <continued>/
s/line [0-9]+ of [0-9]+$/line <n> of <m>/
