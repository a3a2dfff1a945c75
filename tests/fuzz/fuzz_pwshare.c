/*
 * fuzz_pwshare.c - libFuzzer target for the sc-hsm-tool password-share
 * text parser: pwshare_parse() on random text, then, for what it accepts,
 * the checks, a format/parse round trip (what custos prints it reads back
 * identically) and, for a few shares, interpolation and the subset search.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../common/secmem.h"
#include "../../shamir/pwshare.h"
#include "../../shamir/pwshare_text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXS 8

static void
check(int cond)
{
	if (!cond)
		__builtin_trap();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	check(secmem_init() == CUSTOS_OK);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pwshare s[MAXS], again[1];
	struct pwshare_cand c[4];
	unsigned char pwd[PWSHARE_PWD_LEN];
	char text[PWSHARE_FORMAT_MAX];
	size_t n = 0, line = 0, i, nc, which;
	const char *why;
	int r;

	r = pwshare_parse((const char *)data, size, s, MAXS, &n, &line);
	check(r == CUSTOS_OK || r == CUSTOS_ERR_FORMAT ||
	    r == CUSTOS_ERR_TRUNCATED || r == CUSTOS_ERR_TOO_LARGE ||
	    r == CUSTOS_ERR_LIMIT);
	if (r != CUSTOS_OK) {
		check(n == 0);
		return 0;
	}
	check(n >= 1 && n <= MAXS);
	for (i = 0; i < n; i++) {
		check(s[i].id >= 1 && s[i].id <= PWSHARE_MAX);
		check(pwshare_format(text, sizeof(text), &s[i], 1, 1) ==
		    CUSTOS_OK);
		check(pwshare_parse(text, strlen(text), again, 1, &nc, NULL) ==
		    CUSTOS_OK && nc == 1);
		check(memcmp(&again[0], &s[i], sizeof(s[i])) == 0);
	}
	r = pwshare_check(s, n, 2, 0, &which, &why);
	if (r == CUSTOS_OK) {
		r = pwshare_interpolate(s, n, pwd);
		check(r == CUSTOS_OK || r == CUSTOS_ERR_FORMAT);
	} else {
		check(why != NULL && which <= n);
	}
	r = pwshare_combine(s, n, pwd);
	check(r == CUSTOS_OK || r == CUSTOS_ERR_FORMAT ||
	    r == CUSTOS_ERR_LIMIT || r == CUSTOS_ERR_CORRUPT ||
	    r == CUSTOS_ERR_DUPLICATE_SHARE);
	if (r == CUSTOS_OK)
		check((pwd[0] & 0x80) == 0);
	if (n >= 3 && n <= 6) {
		r = pwshare_candidates(s, n, 2, c, 4, &nc);
		check(r != CUSTOS_OK || nc <= 4);
		for (i = 1; r == CUSTOS_OK && i < nc; i++)
			check(c[i].nsupport <= c[i - 1].nsupport);
	}
	secmem_wipe(s, sizeof(s));
	secmem_wipe(pwd, sizeof(pwd));
	return 0;
}
