/* wordlist.c - bytes as SLIP-39 words, 10 bits per word. */
#include <stdio.h>
#include <string.h>

#include "wordlist.h"

int
wordlist_encode(char *out, size_t outsz, const unsigned char *in,
    size_t len, size_t nwords)
{
	size_t i, off = 0;

	if (nwords * 10 > len * 8 || outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < nwords; i++) {
		size_t bit = i * 10, k;
		unsigned v = 0;
		int n;

		for (k = 0; k < 10; k++, bit++)
			v = (v << 1) | ((in[bit / 8] >> (7 - bit % 8)) & 1U);
		n = snprintf(out + off, outsz - off, "%s%s", i ? " " : "",
		    wordlist_slip39[v]);
		if (n < 0 || (size_t)n >= outsz - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int
wordlist_index(const char *w)
{
	int lo = 0, hi = WORDLIST_SIZE - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(w, wordlist_slip39[mid]);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}
