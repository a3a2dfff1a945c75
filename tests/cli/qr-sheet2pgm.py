# qr-sheet2pgm.py SHEET OUT.pgm: the QR code drawn with Unicode half-blocks
# on a custos share sheet, as a PGM image (6 pixels per module) that a QR
# decoder (zbarimg) can read. For tests/cli/split.sh.
import sys
# QR half-block text on a sheet -> PGM image (dark modules black), scale 6.
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
start = next(i for i, l in enumerate(lines) if l.startswith('QR code of the mnemonic')) + 1
rows = []
for l in lines[start:]:
    if l.strip() == '' and rows and all(c == ' ' for c in l) and len(rows) > 10 and l == '':
        break
    if not l or l.startswith('Any threshold') or l.startswith('-'):
        break
    top = []; bot = []
    for c in l:
        top.append(1 if c in '\u2580\u2588' else 0)
        bot.append(1 if c in '\u2584\u2588' else 0)
    rows.append(top); rows.append(bot)
w = max(len(r) for r in rows); s = 6
out = open(sys.argv[2], 'w')
out.write('P2\n%d %d\n255\n' % (w * s, len(rows) * s))
for r in rows:
    r = r + [0] * (w - len(r))
    line = ' '.join('0' if v else '255' for v in r for _ in range(s))
    for _ in range(s):
        out.write(line + '\n')
