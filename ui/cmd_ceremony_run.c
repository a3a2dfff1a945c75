/*
 * cmd_ceremony_run.c - custos ceremony run --plan PLAN DIR: the
 * interactive ceremony (ui/tui_walk.c) under a reviewed plan; and the
 * plan check without a terminal, custos ceremony plan PLAN.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ceremony/plan.h"
#include "../ceremony/sharefile_v1.h"
#include "../ceremony/walk.h"
#include "cli.h"
#include "cmds.h"
#include "tui_walk.h"

static const char run_usage[] =
    "usage: custos ceremony run --plan PLAN DIR [--rehearse] [--pcsc] "
    "[--mono]\n"
    "         [--kdf-memory MiB] [--kdf-passes N]\n\n"
    "Walks the ceremony PLAN describes (docs/formats/plan.md), one step at "
    "a time,\nin the terminal. DIR is the ceremony directory: it is "
    "created on the first\nrun (the administrator chooses its passphrase) "
    "and resumed on every later\nrun at the first unfinished step, after "
    "checking the devices and files\nagainst the transcript. A closed "
    "ceremony opens in the audit view.\n\n"
    "  --rehearse   rehearse a real plan on emulated devices (emu:NAME)\n"
    "  --pcsc       in a rehearsal, find the HSMs by serial through PC/SC "
    "as a\n               real ceremony does (spare devices, or the "
    "emulator served\n               to pcscd)\n"
    "  --mono       no colour (also when NO_COLOR is set)\n"
    "  --kdf-memory, --kdf-passes   Argon2id cost of the share files and "
    "the\n               ceremony key (defaults: share files fitted to "
    "this machine,\n               1-2 s an unlock; the ceremony key 512 "
    "MiB, 2 passes)\n";

int
cmd_ceremony_run(int argc, char **argv)
{
	static const char ctx[] = "ceremony run";
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "rehearse", no_argument, NULL, 'r' },
		{ "pcsc", no_argument, NULL, 'c' },
		{ "mono", no_argument, NULL, 'm' },
		{ "kdf-memory", required_argument, NULL, 'M' },
		{ "kdf-passes", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct walk_opts o;
	unsigned long long mem = 0, ops = 0;
	char *end;
	int c, mono = 0;

	memset(&o, 0, sizeof(o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.plan_path = optarg; break;
		case 'r': o.rehearse = 1; break;
		case 'c': o.pcsc = 1; break;
		case 'm': mono = 1; break;
		case 'M':
			mem = strtoull(optarg, &end, 10);
			if (*end != '\0' || mem * 1024 < V1_MEM_KIB_FLOOR ||
			    mem > V1_MEM_KIB_MAX / 1024)
				return cli_usage_error(ctx, "--kdf-memory is "
				    "256..4096 MiB");
			break;
		case 'P':
			ops = strtoull(optarg, &end, 10);
			if (*end != '\0' || ops < 1 || ops > V1_OPS_MAX)
				return cli_usage_error(ctx, "--kdf-passes is "
				    "1..64");
			break;
		case 'h':
			fputs(run_usage, stdout);
			return EXIT_OK_;
		default:
			return cli_bad_option(ctx, argv);
		}
	}
	if (o.plan_path == NULL)
		return cli_usage_error(ctx, "--plan PLAN is required");
	if (argc - optind != 1)
		return cli_usage_error(ctx, "give exactly one DIR");
	o.dir = argv[optind];
	o.kdf_mem_kib = mem * 1024;
	o.kdf_ops = ops;
	return tui_walk_run(&o, mono);
}

int
cmd_ceremony_plan(int argc, char **argv)
{
	static const char ctx[] = "ceremony plan";
	struct walk_step *steps = NULL;
	struct plan *p = NULL;
	char why[256], g[100];
	size_t n = 0, i, k;
	int r, ex = EXIT_OK_;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: custos ceremony plan PLAN\n\nChecks a ceremony "
		    "plan against the schema (docs/formats/plan.md) and\n"
		    "prints its SHA-256 and the steps the ceremony will "
		    "take, for review\nbefore the day.\n");
		return EXIT_OK_;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(ctx, "give exactly one PLAN");
	if ((r = plan_load(argv[1], &p, why, sizeof(why))) != 0) {
		fprintf(stderr, "custos: %s: %s\n", ctx, why);	/* names it */
		return EXIT_BADINPUT;
	}
	if ((steps = calloc(WALK_MAX_STEPS, sizeof(*steps))) == NULL ||
	    (r = walk_build(p, steps, WALK_MAX_STEPS, &n)) != 0) {
		if (steps != NULL && r == CUSTOS_ERR_LIMIT) {
			fprintf(stderr, "custos: %s: %s: the plan has more than "
			    "%d steps; split it in two ceremonies\n", ctx,
			    argv[1], WALK_MAX_STEPS);
			ex = EXIT_BADINPUT;
		} else
			ex = cli_fail(ctx, steps == NULL ? CUSTOS_ERR_NOMEM : r);
		goto out;
	}
	printf("plan:    %s (%s%s)\n", p->title, plan_kind_name(p->kind),
	    p->rehearsal ? ", REHEARSAL" : "");
	for (i = k = 0; i < 64; i++) {
		if (i > 0 && i % 4 == 0)
			g[k++] = ' ';
		g[k++] = p->sha256[i];
	}
	g[k] = '\0';
	printf("sha256:  %s\n", g);
	if (p->domain >= 0)
		printf("domain:  the DKEK lives in key domain %d%s\n", p->domain,
		    p->key_domains > 0 ? " (the HSMs are initialized with key "
		    "domain slots first)" : " (the HSMs keep their other "
		    "domains and keys)");
	for (i = 0; i < p->ndomains; i++)
		printf("domain:  key domain %d: its own DKEK of %u share%s, %u "
		    "key%s%s\n", p->domains[i]->domain, p->domains[i]->nshares,
		    p->domains[i]->nshares == 1 ? "" : "s",
		    p->domains[i]->nkeys, p->domains[i]->nkeys == 1 ? "" : "s",
		    i > 0 ? "" : p->key_domains > 0 ? " (the HSMs are "
		    "initialized with key domain slots first)" : " (the HSMs "
		    "keep their other domains and keys)");
	if (p->npka > 0) {
		printf("pka:     %u of %u custodians authenticate with their own "
		    "device before any key is used:", p->pka_required, p->npka);
		for (i = 0; i < p->npka; i++)
			printf("%s %s (%s)", i ? "," : "", p->pka[i].name,
			    p->pka[i].serial);
		printf("\n");
	}
	printf("steps:\n");
	for (i = 0; i < n; i++)
		printf("  %2zu. %-44s %s\n", i + 1, steps[i].title,
		    steps[i].actor);
 out:
	free(steps);
	plan_free(p);
	return ex;
}
