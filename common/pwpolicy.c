/* pwpolicy.c - a conservative passphrase strength estimate. */
#include <math.h>
#include <string.h>

#include "pwpolicy.h"

static const char *const keyboard_rows[] = {
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"qwertzuiop", "azertyuiop", "yxcvbnm",
};

/* 1 when a, b are neighbours on a keyboard row (either direction). */
static int
keyboard_adjacent(char a, char b)
{
	size_t i;

	if (a >= 'A' && a <= 'Z')
		a = (char)(a - 'A' + 'a');
	if (b >= 'A' && b <= 'Z')
		b = (char)(b - 'A' + 'a');
	for (i = 0; i < sizeof(keyboard_rows) / sizeof(keyboard_rows[0]);
	    i++) {
		const char *p = strchr(keyboard_rows[i], a);

		if (p == NULL || a == '\0')
			continue;
		if (p[1] == b || (p > keyboard_rows[i] && p[-1] == b))
			return 1;
	}
	return 0;
}

double
pwpolicy_estimate_bits(const char *pw, size_t len)
{
	int lower = 0, upper = 0, digit = 0, other = 0, high = 0;
	double alphabet = 0, bits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else if (c >= 0x80)
			high = 1;
		else
			other = 1;
	}
	alphabet = 26.0 * lower + 26.0 * upper + 10.0 * digit + 33.0 * other +
	    64.0 * high;
	if (alphabet < 2)
		return 0;
	for (i = 0; i < len; i++) {
		int d = i > 0 ? (unsigned char)pw[i] - (unsigned char)pw[i - 1]
		    : 100;

		if (i > 0 && (d == 0 || d == 1 || d == -1 ||
		    keyboard_adjacent(pw[i], pw[i - 1])))
			bits += 1.0;	/* repeat, run or keyboard walk */
		else
			bits += log2(alphabet);
	}
	return bits;
}

const char *
pwpolicy_check(const char *pw, size_t len, int legacy)
{
	size_t i;

	if (len == 0)
		return "the passphrase is empty";
	for (i = 0; i < len; i++)
		if (pw[i] == '\0' || pw[i] == '\n' || pw[i] == '\r')
			return "the passphrase contains a NUL or line break";
	if (legacy) {
		if (len < PWPOLICY_LEGACY_MIN_LEN)
			return "sc-hsm-tool requires at least 6 characters";
		return NULL;
	}
	if (len < PWPOLICY_MIN_LEN)
		return "too short: use at least 12 characters, or better "
		    "five or more random words";
	if (pwpolicy_estimate_bits(pw, len) < PWPOLICY_MIN_BITS)
		return "too predictable (repeats, runs or keyboard walks): "
		    "use five or more random words, or a longer passphrase";
	return NULL;
}
