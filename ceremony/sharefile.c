/* sharefile.c - share files of both formats, as whole files. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../common/atomicio.h"
#include "../common/secmem.h"
#include "sharefile.h"

const char *
sharefile_format_name(enum sharefile_format f)
{
	switch (f) {
	case SHAREFILE_PBE: return "sc-hsm-tool .pbe";
	case SHAREFILE_V1: return "custos v1";
	case SHAREFILE_UNKNOWN: break;
	}
	return "unknown";
}

static enum sharefile_format
detect(const unsigned char *buf, size_t len)
{
	static const char v1[] = "-----BEGIN CUSTOS";

	if (len >= 8 && memcmp(buf, "Salted__", 8) == 0)
		return SHAREFILE_PBE;
	if (len > 0 && memcmp(buf, v1, len < sizeof(v1) - 1 ? len :
	    sizeof(v1) - 1) == 0)
		return SHAREFILE_V1;
	return SHAREFILE_UNKNOWN;
}

/* Reads and parses path; the caller frees *buf with atomicio_free_buf. */
static int
load(const char *path, struct sharefile_info *info, unsigned char **buf,
    size_t *len)
{
	int r;

	memset(info, 0, sizeof(*info));
	if ((r = atomicio_read(path, V1_FILE_MAX, 0, buf, len)) != CUSTOS_OK)
		return r;
	info->format = detect(*buf, *len);
	switch (info->format) {
	case SHAREFILE_PBE:
		if ((r = pbe_parse(*buf, *len)) == CUSTOS_OK)
			memcpy(info->pbe_salt, *buf + 8, PBE_SALT_LEN);
		return r;
	case SHAREFILE_V1:
		return v1_parse((const char *)*buf, *len, &info->v1, NULL);
	case SHAREFILE_UNKNOWN:
		break;
	}
	return CUSTOS_ERR_FORMAT;
}

int
sharefile_inspect(const char *path, struct sharefile_info *info)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int r = load(path, info, &buf, &len);

	atomicio_free_buf(buf, len, 0);
	return r;
}

int
sharefile_open(const char *path, unsigned char *share,
    const unsigned char *pwd, size_t pwdlen, unsigned long iterations,
    struct sharefile_info *info)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = load(path, info, &buf, &len)) != CUSTOS_OK)
		goto out;
	if (info->format == SHAREFILE_PBE)
		r = pbe_open(share, buf, len, pwd, pwdlen, iterations);
	else
		r = v1_open(share, (const char *)buf, len, pwd, pwdlen, NULL);
 out:
	atomicio_free_buf(buf, len, 0);
	return r;
}

int
sharefile_create(const char *path, enum sharefile_format format,
    const unsigned char *share, const unsigned char *pwd, size_t pwdlen,
    struct v1_header *h, unsigned long iterations)
{
	unsigned char pbe[PBE_FILE_LEN], salt[PBE_SALT_LEN];
	char *text = NULL;
	size_t len = 0;
	int r;

	if (format == SHAREFILE_PBE) {
		randombytes_buf(salt, sizeof(salt));
		if ((r = pbe_seal(pbe, share, salt, pwd, pwdlen, iterations))
		    != CUSTOS_OK)
			return r;
		return atomicio_create(path, pbe, sizeof(pbe));
	}
	if (format != SHAREFILE_V1 || h == NULL)
		return CUSTOS_ERR_INVALID_ARG;
	if ((r = v1_seal(&text, &len, h, share, pwd, pwdlen)) != CUSTOS_OK)
		return r;
	r = atomicio_create(path, text, len);
	sodium_memzero(text, len);
	free(text);
	return r;
}
