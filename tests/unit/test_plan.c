/*
 * test_plan.c - ceremony plans (ceremony/plan.c, plan_check.c): one valid
 * plan of each kind with every field checked, the SHA-256 of the bytes
 * pinned against sha256sum, the KCV's spellings, the plans shipped in
 * docs/examples, plan_load() and the odd inputs (NUL bytes, oversize,
 * NULL why). What is refused and why: test_plan_refuse.c.
 */
#include "testutil.h"

#include <glob.h>

#include "../../ceremony/plan.h"

/* sha256sum of new_dkek[] written to a file as it is (no NUL) */
#define NEW_DKEK_SHA256 \
	"c42f90dda71f7290fee530b499f39cdf0f0ce1e925a62fb384ea2b53a625e9fb"

static const char new_dkek[] =
    "# Root CA, 2026\n"
    "custos-plan: 1\n"
    "kind: new-dkek\n"
    "title: \"Root CA DKEK ceremony 2026 \xc3\xa4\"\n"
    "admin: dana\n"
    "rehearsal: false\n"
    "witnesses: [wendy, walter.w]\n"
    "custodians: [alice, bob, carol, dave]\n"
    "dkek:\n"
    "  shares:\n"
    "    - holder: alice\n"
    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
    "hsms:\n"
    "  - name: primary\n"
    "    serial: DENK0100123\n"
    "  - name: spare-2\n"
    "    serial: DENK0100124\n"
    "keys:\n"
    "  - label: root-ca\n"
    "    type: \"rsa:4096\"\n"
    "  - label: \"Zwischen-CA \xc3\xa4\"\n"
    "    type: ec:brainpoolP384r1\n"
    "backup: backups/main\n";

static const char key_backup[] =
    "custos-plan: 1\n"
    "kind: key-backup\n"
    "title: More keys\n"
    "admin: dana\n"
    "custodians: [alice]\n"
    "dkek: {shares: [{holder: alice}]}\n"
    "hsms: [{name: primary, serial: DENK0100123}]\n"
    "keys: [{label: tls, type: \"ec:secp256k1\"}]\n"
    "backup: backups/2026\n"
    "expected_kcv: 0123456789abcdef\n";

static const char restore[] =
    "custos-plan: 1\n"
    "kind: restore\n"
    "title: Disaster restore\n"
    "admin: dana\n"
    "rehearsal: true\n"
    "custodians: [alice, bob, carol]\n"
    "dkek:\n"
    "  shares:\n"
    "    - split:\n"
    "        threshold: 2\n"
    "        group: [alice, bob, carol]\n"
    "hsms:\n"
    "  - name: replacement\n"
    "    serial: DENK0100002\n"
    "share_dir: 2026-ceremony/shares\n"
    "backup: backups/main\n"
    "expected_kcv: \"0123 4567 89ab CDEF\"\n";

static const char reshare[] =
    "custos-plan: 1\n"
    "kind: reshare\n"
    "title: Alice leaves\n"
    "admin: dana\n"
    "witnesses: [wendy]\n"
    "custodians: [alice, bob, erin, frank]\n"
    "dkek:\n"
    "  shares:\n"
    "    - holder: bob\n"
    "    - split: {threshold: 2, group: [erin, frank]}\n"
    "share_dir: shares\n"
    "reshare:\n"
    "  share: 2\n"
    "  from: {holder: alice}\n";

static struct plan *
parse_ok(const char *s)
{
	struct plan *p = NULL;
	char why[256] = "unset";
	int r = plan_parse(s, strlen(s), &p, why, sizeof(why));

	if (r != 0)
		print_error("plan_parse: %d: %s\n", r, why);
	assert_int_equal(r, 0);
	assert_string_equal(why, "");
	assert_non_null(p);
	assert_int_equal(strlen(p->sha256), 64);
	return p;
}

static void
test_new_dkek(void **state)
{
	struct plan *p = parse_ok(new_dkek);

	(void)state;
	assert_int_equal(p->kind, PLAN_NEW_DKEK);
	assert_string_equal(plan_kind_name(p->kind), "new-dkek");
	assert_int_equal(p->rehearsal, 0);
	assert_string_equal(p->title, "Root CA DKEK ceremony 2026 \xc3\xa4");
	assert_string_equal(p->admin, "dana");
	assert_int_equal(p->nwitnesses, 2);
	assert_string_equal(p->witnesses[0], "wendy");
	assert_string_equal(p->witnesses[1], "walter.w");
	assert_int_equal(p->ncustodians, 4);
	assert_string_equal(p->custodians[0], "alice");
	assert_string_equal(p->custodians[3], "dave");
	assert_int_equal(p->nshares, 2);
	assert_string_equal(p->shares[0].holder, "alice");
	assert_int_equal(p->shares[0].threshold, 0);
	assert_int_equal(p->shares[0].ngroup, 0);
	assert_null(p->shares[1].holder);
	assert_int_equal(p->shares[1].threshold, 2);
	assert_int_equal(p->shares[1].ngroup, 3);
	assert_string_equal(p->shares[1].group[0], "bob");
	assert_string_equal(p->shares[1].group[1], "carol");
	assert_string_equal(p->shares[1].group[2], "dave");
	assert_null(p->reshare_from.holder);
	assert_int_equal(p->reshare_from.ngroup, 0);
	assert_int_equal(p->reshare_index, 0);
	assert_int_equal(p->nhsms, 2);
	assert_string_equal(p->hsms[0].name, "primary");
	assert_string_equal(p->hsms[0].serial, "DENK0100123");
	assert_string_equal(p->hsms[1].name, "spare-2");
	assert_string_equal(p->hsms[1].serial, "DENK0100124");
	assert_int_equal(p->nkeys, 2);
	assert_string_equal(p->keys[0].label, "root-ca");
	assert_string_equal(p->keys[0].type, "rsa:4096");
	assert_string_equal(p->keys[1].label, "Zwischen-CA \xc3\xa4");
	assert_string_equal(p->keys[1].type, "ec:brainpoolP384r1");
	assert_string_equal(p->backup, "backups/main");
	assert_null(p->share_dir);
	assert_string_equal(p->expected_kcv, "");
	assert_string_equal(p->sha256, NEW_DKEK_SHA256);
	plan_free(p);
}

static void
test_key_backup(void **state)
{
	struct plan *p = parse_ok(key_backup);

	(void)state;
	assert_int_equal(p->kind, PLAN_KEY_BACKUP);
	assert_string_equal(plan_kind_name(p->kind), "key-backup");
	assert_int_equal(p->rehearsal, 0);
	assert_string_equal(p->title, "More keys");
	assert_string_equal(p->admin, "dana");
	assert_int_equal(p->nwitnesses, 0);
	assert_int_equal(p->ncustodians, 1);
	assert_int_equal(p->nshares, 1);
	assert_string_equal(p->shares[0].holder, "alice");
	assert_int_equal(p->nhsms, 1);
	assert_string_equal(p->hsms[0].name, "primary");
	assert_string_equal(p->hsms[0].serial, "DENK0100123");
	assert_int_equal(p->nkeys, 1);
	assert_string_equal(p->keys[0].label, "tls");
	assert_string_equal(p->keys[0].type, "ec:secp256k1");
	assert_string_equal(p->backup, "backups/2026");
	assert_null(p->share_dir);
	assert_string_equal(p->expected_kcv, "0123456789ABCDEF");
	plan_free(p);
}

static void
test_restore(void **state)
{
	struct plan *p = parse_ok(restore);

	(void)state;
	assert_int_equal(p->kind, PLAN_RESTORE);
	assert_string_equal(plan_kind_name(p->kind), "restore");
	assert_int_equal(p->rehearsal, 1);
	assert_string_equal(p->title, "Disaster restore");
	assert_int_equal(p->nwitnesses, 0);
	assert_int_equal(p->ncustodians, 3);
	assert_int_equal(p->nshares, 1);
	assert_null(p->shares[0].holder);
	assert_int_equal(p->shares[0].threshold, 2);
	assert_int_equal(p->shares[0].ngroup, 3);
	assert_string_equal(p->shares[0].group[2], "carol");
	assert_int_equal(p->nhsms, 1);
	assert_string_equal(p->hsms[0].name, "replacement");
	assert_string_equal(p->hsms[0].serial, "DENK0100002");
	assert_int_equal(p->nkeys, 0);
	assert_string_equal(p->share_dir, "2026-ceremony/shares");
	assert_string_equal(p->backup, "backups/main");
	assert_string_equal(p->expected_kcv, "0123456789ABCDEF");
	plan_free(p);
}

static void
test_reshare(void **state)
{
	struct plan *p = parse_ok(reshare);

	(void)state;
	assert_int_equal(p->kind, PLAN_RESHARE);
	assert_string_equal(plan_kind_name(p->kind), "reshare");
	assert_int_equal(p->rehearsal, 0);
	assert_string_equal(p->title, "Alice leaves");
	assert_int_equal(p->nwitnesses, 1);
	assert_int_equal(p->ncustodians, 4);
	assert_int_equal(p->nshares, 2);
	assert_string_equal(p->shares[0].holder, "bob");
	assert_int_equal(p->shares[1].threshold, 2);
	assert_int_equal(p->shares[1].ngroup, 2);
	assert_string_equal(p->shares[1].group[0], "erin");
	assert_string_equal(p->shares[1].group[1], "frank");
	assert_int_equal(p->reshare_index, 1);
	assert_string_equal(p->reshare_from.holder, "alice");
	assert_int_equal(p->reshare_from.ngroup, 0);
	assert_int_equal(p->nhsms, 0);
	assert_int_equal(p->nkeys, 0);
	assert_null(p->backup);
	assert_string_equal(p->share_dir, "shares");
	assert_string_equal(p->expected_kcv, "");
	plan_free(p);
}

/* A reshare whose old protection was a split. */
static void
test_reshare_from_split(void **state)
{
	static const char s[] =
	    "custos-plan: 1\nkind: reshare\ntitle: t\nadmin: dana\n"
	    "custodians: [alice, bob, carol, dave]\n"
	    "dkek: {shares: [{holder: alice}]}\n"
	    "share_dir: shares\n"
	    "reshare:\n  share: 1\n"
	    "  from: {split: {threshold: 3, group: [bob, carol, dave]}}\n";
	struct plan *p = parse_ok(s);

	(void)state;
	assert_int_equal(p->reshare_index, 0);
	assert_null(p->reshare_from.holder);
	assert_int_equal(p->reshare_from.threshold, 3);
	assert_int_equal(p->reshare_from.ngroup, 3);
	assert_string_equal(p->reshare_from.group[2], "dave");
	plan_free(p);
}

/* The KCV's accepted spellings all come out as 16 upper-case digits. */
static void
test_kcv_spellings(void **state)
{
	static const char *const kcvs[] = {
		"0123456789abcdef", "0123456789ABCDEF", "\"0123 4567 89AB CDEF\"",
		"0123 4567 89ab cdef", "0123 456789Ab CDEF", "'0123456789aBcDeF'",
	};
	char s[1024];
	struct plan *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kcvs) / sizeof(kcvs[0]); i++) {
		snprintf(s, sizeof(s), "%.*sexpected_kcv: %s\n",
		    (int)(strstr(restore, "expected_kcv") - restore), restore,
		    kcvs[i]);
		p = parse_ok(s);
		assert_string_equal(p->expected_kcv, "0123456789ABCDEF");
		plan_free(p);
	}
}

/* paper: a4 (the default) or letter, for the closing summary's PDF. */
static void
test_paper(void **state)
{
	char s[2048], why[256];
	struct plan *p = NULL;

	(void)state;
	p = parse_ok(new_dkek);
	assert_int_equal(p->paper, PAPER_A4);
	plan_free(p);
	snprintf(s, sizeof(s), "%spaper: letter\n", new_dkek);
	p = parse_ok(s);
	assert_int_equal(p->paper, PAPER_LETTER);
	plan_free(p);
	p = NULL;
	snprintf(s, sizeof(s), "%spaper: legal\n", new_dkek);
	assert_int_equal(plan_parse(s, strlen(s), &p, why, sizeof(why)),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "paper: 'a4' or 'letter'"));
	assert_null(p);
}

/* The hash is of the bytes as given: a comment changes it. */
static void
test_sha256_of_bytes(void **state)
{
	char s[2048];
	struct plan *p, *q;

	(void)state;
	p = parse_ok(new_dkek);
	snprintf(s, sizeof(s), "%s# reviewed\n", new_dkek);
	q = parse_ok(s);
	assert_string_not_equal(p->sha256, q->sha256);
	assert_string_equal(p->sha256, NEW_DKEK_SHA256);
	plan_free(p);
	plan_free(q);
}

/* Every example plan shipped in docs/examples parses. */
static void
test_examples(void **state)
{
	struct plan *p;
	glob_t g;
	char why[256];
	size_t i;
	int r;

	(void)state;
	assert_int_equal(glob("docs/examples/*.yaml", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 2);
	for (i = 0; i < g.gl_pathc; i++) {
		p = NULL;
		r = plan_load(g.gl_pathv[i], &p, why, sizeof(why));
		if (r != 0)
			print_error("%s\n", why);
		assert_int_equal(r, 0);
		assert_true(p->rehearsal);
		plan_free(p);
	}
	globfree(&g);
}

static void
test_load(void **state)
{
	char dir[64], path[128], why[256];
	struct plan *p = (struct plan *)1;
	FILE *f;

	(void)state;
	testutil_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	assert_int_equal(plan_load(path, &p, why, sizeof(why)),
	    CUSTOS_ERR_NOT_FOUND);
	assert_null(p);
	assert_non_null(strstr(why, "missing.yaml"));
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("custos-plan: 1\npin: 1234\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(plan_load(path, &p, why, sizeof(why)),
	    CUSTOS_ERR_FORMAT);
	assert_null(p);
	assert_non_null(strstr(why, "bad.yaml: unknown key 'pin'"));
	snprintf(path, sizeof(path), "%s/good.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(reshare, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(plan_load(path, &p, why, sizeof(why)), 0);
	assert_int_equal(p->kind, PLAN_RESHARE);
	plan_free(p);
	testutil_rmtree(dir);
}

/* NUL bytes, oversize and a NULL why; plan_free(NULL); kind names. */
static void
test_odd_inputs(void **state)
{
	char why[256], *big;
	struct plan *p = NULL;
	size_t n = strlen(reshare);

	(void)state;
	/* The length is what counts: a NUL inside it is refused. */
	assert_non_null(big = calloc(1, PLAN_MAX_BYTES + 2));
	memcpy(big, reshare, n);
	assert_int_equal(plan_parse(big, n + 1, &p, why, sizeof(why)),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "NUL"));
	assert_null(p);
	/* Padded with comments to the limit it parses; one byte more not. */
	memset(big + n, '#', PLAN_MAX_BYTES - n);
	big[n] = '\n';
	assert_int_equal(plan_parse(big, PLAN_MAX_BYTES, &p, why, sizeof(why)),
	    0);
	plan_free(p);
	big[PLAN_MAX_BYTES] = '#';
	assert_int_equal(plan_parse(big, PLAN_MAX_BYTES + 1, &p, why,
	    sizeof(why)), CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "larger than"));
	assert_null(p);
	free(big);
	assert_int_equal(plan_parse("kind: x\n", 8, &p, NULL, 0),
	    CUSTOS_ERR_FORMAT);
	assert_int_equal(plan_parse(reshare, n, &p, NULL, 0), 0);
	plan_free(p);
	plan_free(NULL);
	assert_string_equal(plan_kind_name((enum plan_kind)0), "?");
	assert_string_equal(plan_kind_name((enum plan_kind)9), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_dkek),
		cmocka_unit_test(test_key_backup),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_reshare),
		cmocka_unit_test(test_reshare_from_split),
		cmocka_unit_test(test_kcv_spellings),
		cmocka_unit_test(test_sha256_of_bytes),
		cmocka_unit_test(test_paper),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_odd_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
