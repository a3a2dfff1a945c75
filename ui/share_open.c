/*
 * share_open.c - opening a DKEK share file for the commands that need the
 * share (cmd_open_share), and refusing a SLIP-39 member share file where
 * a DKEK share is wanted (cmd_refuse_member). Declared in cmds.h.
 */
#include <stdio.h>
#include <string.h>

#include "../ceremony/sharefile.h"
#include "../ceremony/sharefile_pbe.h"
#include "../common/secmem.h"
#include "cli.h"
#include "cmds.h"

/* A SLIP-39 member share file is no DKEK share (see cmds.h). */
int
cmd_refuse_member(const char *ctx, const char *path,
    const struct sharefile_info *info)
{
	if (info->format != SHAREFILE_V1 || strncmp(info->v1.comment,
	    "SLIP-39 member share", 20) != 0)
		return EXIT_OK_;
	fprintf(stderr, "custos: %s: %s: this is a custodian's SLIP-39 "
	    "member share, not a DKEK share (custos share combine rebuilds "
	    "the DKEK share from a quorum)\n", ctx, path);
	return EXIT_BADINPUT;
}

/*
 * Opens a share file with a passphrase from src; on success share holds
 * the share. Prints a one-line error and returns its exit code otherwise.
 */
int
cmd_open_share(const char *ctx, const char *path, struct prompt_src *src,
    unsigned char *share, struct sharefile_info *info)
{
	char *pw = NULL, what[512];
	size_t pwlen = 0;
	int r;

	if ((r = sharefile_inspect(path, info)) != CUSTOS_OK)
		goto fail;
	if (info->format == SHAREFILE_V1 &&
	    strcmp(info->v1.label, "ceremony-signing-key") == 0) {
		fprintf(stderr, "custos: %s: %s: this is a ceremony's signing "
		    "key, not a DKEK share\n", ctx, path);
		return EXIT_BADINPUT;
	}
	snprintf(what, sizeof(what), "Passphrase for %s%s%s", path,
	    info->format == SHAREFILE_V1 ? " of " : "",
	    info->format == SHAREFILE_V1 ? info->v1.label : "");
	if ((r = prompt_secret(src, what, 0, &pw, &pwlen)) != CUSTOS_OK) {
		if (r == CUSTOS_ERR_TRUNCATED) {
			fprintf(stderr, "custos: %s: %s: the passphrase input "
			    "has no line left for it\n", ctx, path);
			return EXIT_USAGE;
		}
		goto fail;
	}
	if (info->format == SHAREFILE_PBE)
		fprintf(stderr, "custos: deriving the sc-hsm-tool key "
		    "(about 10 s)...\n");
	r = sharefile_open(path, share, (unsigned char *)pw, pwlen,
	    PBE_ITERATIONS, info);
	secmem_free(pw);
	if (r == CUSTOS_OK)
		return EXIT_OK_;
 fail:
	fprintf(stderr, "custos: %s: %s: %s\n", ctx, path, custos_strerror(r));
	return cli_exit_code(r);
}
