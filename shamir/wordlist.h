/*
 * wordlist.h - the SLIP-39 word list (1024 words, unique 4-letter
 * prefixes; shamir/slip39-wordlist.txt, SHA-256 bcc45553...eec3) and
 * reading bytes aloud as words, 10 bits per word.
 */
#ifndef CUSTOS_WORDLIST_H
#define CUSTOS_WORDLIST_H

#include <stddef.h>

#define WORDLIST_SIZE 1024

extern const char *const wordlist_slip39[WORDLIST_SIZE];

/*
 * Writes the first nwords*10 bits of in[0..len) (big-endian bit order) as
 * space-separated words into out. Returns 0, or -1 when len is too short
 * or out too small.
 */
int wordlist_encode(char *out, size_t outsz, const unsigned char *in,
    size_t len, size_t nwords);

/* Index of word w (exact, lower case) in the list, or -1. */
int wordlist_index(const char *w);

#endif
