# slip39-forge.py MNEMONIC-FILE WORDLIST: the mnemonic with one data word
# changed and a valid RS1024 checksum (SLIP-39 spec), so that only the
# digest can tell it is wrong. For tests/cli/split.sh.
import sys
words = open(sys.argv[1]).read().split()
wl = open(sys.argv[2]).read().split()
idx = [wl.index(w) for w in words]
GEN = [0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009, 0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120]
def polymod(v):
    chk = 1
    for x in v:
        b = chk >> 20
        chk = ((chk & 0xFFFFF) << 10) ^ x
        for i in range(10):
            if (b >> i) & 1: chk ^= GEN[i]
    return chk
ext = (idx[1] >> 4) & 1  # extendable flag: bit 4 of word 2? computed below
# id(15) ext(1) e(4) = first 20 bits = words 0,1; ext is bit 15 from start -> word1 bit (19-15)=4
cs = [ord(c) for c in ("shamir_extendable" if ext else "shamir")]
data = idx[:-3]
data[12] ^= 1
pm = polymod(cs + data + [0, 0, 0]) ^ 1
chk = [(pm >> (10 * (2 - i))) & 1023 for i in range(3)]
print(" ".join(wl[i] for i in data + chk))
