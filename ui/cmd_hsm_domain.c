/*
 * cmd_hsm_domain.c - custos hsm domains | domain create | domain delete:
 * key domains, several DKEKs on one device (docs/user-guide.md 5.8).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cards/sc_hsm.h"
#include "cli.h"
#include "hsm_util.h"

int
cmd_hsm_domains(int argc, char **argv)
{
	struct op_domain dom[SC_HSM_KD_MAX];
	struct hsm_ctx h;
	size_t n = 0, i;
	int ex, r, slots = 0;

	hsm_ctx_init(&h, "hsm domains");
	ex = hsm_common_only(&h, argc, argv, "usage: custos hsm domains\n"
	    HSM_COMMON_USAGE "\nLists the device's key domains in use: each "
	    "one's number, its DKEK's shares\n(and those still to import) and "
	    "its KCV once complete. A device initialized\nwithout key domains "
	    "has one: its DKEK, domain 0. Sends no PIN, unless a PIN\n"
	    "source is given: then a device that shows a KCV only after "
	    "login is logged\nin to, and the KCVs read.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if (h.domain != -1)
		return cli_usage_error(h.ctx, "--domain does not apply: the "
		    "command lists every key domain");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_domains(h.cx, h.dev, h.pin_fd != NULL ||
	    h.pin_file != NULL || h.npka > 0, dom, SC_HSM_KD_MAX, &n, &slots)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("key domain slots: %d%s\n", slots, slots <= 1 ? " (no key "
	    "domains: the DKEK is domain 0)" : "");
	for (i = 0; i < n; i++) {
		printf("  domain %d: %d share%s, %d to import, KCV ",
		    dom[i].domain, dom[i].shares, dom[i].shares == 1 ? "" : "s",
		    dom[i].left);
		if (dom[i].kcv[0] != '\0')
			cli_print_grouped("", dom[i].kcv);
		else
			printf("%s\n", dom[i].left > 0 || dom[i].shares == 0 ?
			    "none yet" : "shown after a PIN login");
	}
	if (n == 0)
		printf("  none in use\n");
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
domain_create(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "shares", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct op_domain out;
	struct hsm_ctx h;
	char *end;
	long shares = 0;
	int ch, ex, r, dom;

	hsm_ctx_init(&h, "hsm domain create");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			shares = strtol(optarg, &end, 10);
			if (*end != '\0' || shares < 1 || shares > 255)
				return cli_usage_error(h.ctx, "--shares is 1 "
				    "to 255");
			break;
		case 'h':
			printf("usage: custos hsm domain create N --shares S\n"
			    HSM_COMMON_USAGE "\n"
			    "Creates key domain N (a slot the device was "
			    "initialized with: custos hsm\ninit --key-domains) "
			    "for a DKEK of S shares, after the user PIN. The\n"
			    "shares go in with custos hsm import-share "
			    "--domain N. Keys generated with\n--domain N are "
			    "wrapped under that DKEK only.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc || (dom = hsm_parse_domain(argv[optind])) < 0 ||
	    dom >= SC_HSM_KD_MAX)
		return cli_usage_error(h.ctx, "give the key domain's number, 0 "
		    "to 15");
	if (h.domain != -1)
		return cli_usage_error(h.ctx, "the key domain is the number "
		    "given, not --domain");
	if (shares == 0)
		return cli_usage_error(h.ctx, "give --shares S");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_domain_create(h.cx, h.dev, dom, (int)shares, &out)) !=
	    CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("key domain %d created: %d share%s to import\n", dom,
	    out.shares, out.shares == 1 ? "" : "s");
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

static int
domain_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hsm_ctx h;
	int ch, ex, r, dom;

	hsm_ctx_init(&h, "hsm domain delete");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'f': h.io.force = 1; break;
		case 'h':
			printf("usage: custos hsm domain delete N [--force]\n"
			    HSM_COMMON_USAGE "\n"
			    "Deletes key domain N and its DKEK from the device, "
			    "after the user PIN and\nDELETE typed (without a "
			    "terminal: --force). The device refuses while keys "
			    "of\nthe domain are on it: delete those first.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind + 1 != argc || (dom = hsm_parse_domain(argv[optind])) < 0 ||
	    dom >= SC_HSM_KD_MAX)
		return cli_usage_error(h.ctx, "give the key domain's number, 0 "
		    "to 15");
	if (h.domain != -1)
		return cli_usage_error(h.ctx, "the key domain is the number "
		    "given, not --domain");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = op_hsm_domain_delete(h.cx, h.dev, dom)) != CUSTOS_OK) {
		ex = hsm_fail(&h, r);
		goto out;
	}
	printf("key domain %d deleted\n", dom);
	ex = EXIT_OK_;
 out:
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_domain(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "create", domain_create, "create a key domain: its number, "
		    "its shares" },
		{ "delete", domain_delete, "delete an empty key domain" },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch("hsm domain", cmds, argc - 1, argv + 1);
}
