/*
 * test_plan_refuse.c - what the ceremony plan parser (ceremony/plan.c,
 * plan_check.c) refuses, one named test per table row: each plan must be
 * refused with CUSTOS_ERR_FORMAT, no plan, and a why that names the
 * field. Valid plans, hashes and examples: test_plan.c.
 */
#include "testutil.h"

#include "../../ceremony/plan.h"

#define HEAD(kind) "custos-plan: 1\nkind: " kind "\ntitle: t\nadmin: dana\n"
#define AB "custodians: [alice, bob]\n"
#define SHARES "dkek:\n  shares:\n    - holder: alice\n    - holder: bob\n"
#define HSM "hsms:\n  - name: primary\n    serial: DENK0100001\n"
#define HSM2 "  - name: spare\n    serial: DENK0100002\n"
#define KEY "keys:\n  - label: k1\n    type: ec:P-256\n"
#define KCV "expected_kcv: 0123456789ABCDEF\n"
#define NEW HEAD("new-dkek") AB SHARES HSM
#define BACKUP HEAD("key-backup") AB SHARES HSM KEY "backup: b\n"
#define RESTORE HEAD("restore") AB SHARES HSM "backup: b\nshare_dir: s\n"
#define BACKUP_AT(d) HEAD("key-backup") AB SHARES HSM KEY "backup: \"" d "\"\n"
#define RESHARE HEAD("reshare") AB SHARES "share_dir: s\n"
#define FROM "reshare: {share: 1, from: {holder: alice}}\n"
#define SPLIT(m, g) "custodians: [alice, bob, carol, dave]\n" \
	"dkek:\n  shares:\n    - holder: alice\n" \
	"    - split: {threshold: " m ", group: [" g "]}\n"
#define C16 "c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, " \
	"c15, c16"
#define L10 "aaaaaaaaaa"
/* Several key domains (issue 19): alice's DKEK in domain 0, bob's in 1. */
#define DA "  - domain: 0\n    dkek: {shares: [{holder: alice}]}\n"
#define DB(n) "  - domain: " n "\n    dkek: {shares: [{holder: bob}]}\n"
#define DOMS(extra) HEAD("new-dkek") AB HSM "key_domains: 2\ndomains:\n" \
	extra

struct row {
	const char *name, *yaml, *want;
};

static const struct row rows[] = {
	/* The document itself. */
	{ "empty", "", "empty" },
	{ "comment only", "# nothing\n", "empty" },
	{ "list", "- a\n- b\n", "not a single mapping" },
	{ "scalar", "hello\n", "not a single mapping" },
	{ "syntax", "custos-plan: [1\n", "not YAML" },
	{ "two documents", NEW "---\n" NEW, "second YAML document" },
	{ "alias", "custos-plan: &v 1\n" "kind: *v\n", "aliases" },
	{ "tag", "custos-plan: !!str 1\n", "tags" },
	{ "escaped NUL", NEW "backup: \"a\\0b\"\n", "NUL" },
	{ "deep", "x: [[[[[[[[[1]]]]]]]]]\n", "nested too deeply" },
	/* Strict schema: unknown keys, duplicates, shapes. */
	{ "pin at top", NEW "pin: 1234\n", "unknown key 'pin'" },
	{ "pin in hsms", HEAD("new-dkek") AB SHARES
	    "hsms:\n  - name: p\n    serial: D1\n    pin: 1234\n",
	    "hsms[1]: unknown key 'pin'" },
	{ "passphrase in split", HEAD("new-dkek")
	    "custodians: [alice, bob, carol, dave]\n"
	    "dkek:\n  shares:\n    - holder: alice\n    - split: {threshold: 2, "
	    "passphrase: x, group: [bob, carol, dave]}\n" HSM,
	    "dkek.shares[2].split: unknown key 'passphrase'" },
	{ "key in second share", HEAD("new-dkek") AB
	    "dkek:\n  shares:\n    - holder: alice\n"
	    "    - {holder: bob, passphrase: x}\n" HSM,
	    "dkek.shares[2]: unknown key 'passphrase'" },
	{ "duplicate key", NEW "title: again\n", "key 'title' appears twice" },
	{ "custodians scalar", HEAD("new-dkek") "custodians: alice\n" SHARES
	    HSM, "custodians: a list is needed here" },
	{ "title list", "custos-plan: 1\ntitle: [t]\n", "title: a single "
	    "value is needed here" },
	{ "hsms scalar", HEAD("new-dkek") AB SHARES "hsms: primary\n",
	    "hsms: a list is needed" },
	/* The header. */
	{ "no version", "kind: new-dkek\n", "custos-plan: missing" },
	{ "version 2", "custos-plan: 2\n", "custos-plan: version '2'" },
	{ "version 0x1", "custos-plan: 0x1\n", "custos-plan" },
	{ "no kind", "custos-plan: 1\n", "kind: missing" },
	{ "bad kind", "custos-plan: 1\nkind: backup\n", "kind: 'backup'" },
	{ "no title", "custos-plan: 1\nkind: restore\n", "title: missing" },
	{ "long title", "custos-plan: 1\nkind: restore\nadmin: d\ntitle: "
	    L10 L10 L10 L10 L10 L10 L10 L10 "x\n" AB SHARES, "title" },
	{ "control in title", "custos-plan: 1\nkind: restore\nadmin: d\n"
	    "title: \"a\\x01b\"\n" AB SHARES, "title" },
	{ "bidi in title", "custos-plan: 1\nkind: restore\nadmin: d\n"
	    "title: \"a\\u202Eb\"\n" AB SHARES, "title" },
	{ "no admin", "custos-plan: 1\nkind: restore\ntitle: t\n", "admin: "
	    "missing" },
	{ "bad admin", "custos-plan: 1\nkind: restore\ntitle: t\n"
	    "admin: -dana\n" AB SHARES, "admin: '-dana'" },
	{ "rehearsal banana", NEW "rehearsal: banana\n", "rehearsal" },
	{ "rehearsal 1", NEW "rehearsal: 1\n", "rehearsal" },
	{ "rehearsal yes", NEW "rehearsal: yes\n", "rehearsal" },
	/* People. */
	{ "no custodians", HEAD("new-dkek") SHARES HSM, "custodians: at least one" },
	{ "empty custodians", HEAD("new-dkek") "custodians: []\n" SHARES HSM,
	    "custodians: at least one" },
	{ "17 custodians", HEAD("new-dkek") "custodians: [" C16 ", c17]\n"
	    SHARES HSM, "custodians: 17 entries" },
	{ "custodian twice", HEAD("new-dkek") "custodians: [alice, bob, alice]"
	    "\n" SHARES HSM, "custodians: 'alice' appears twice" },
	{ "custodian name", HEAD("new-dkek") "custodians: [alice, \"b ob\"]\n"
	    SHARES HSM, "custodians[2]" },
	{ "witness twice", NEW "witnesses: [wendy, wendy]\n", "witnesses: "
	    "'wendy' appears twice" },
	{ "witness admin", NEW "witnesses: [wendy, dana]\n", "witnesses: "
	    "'dana' is the admin" },
	{ "holds no share", HEAD("new-dkek") "custodians: [alice, bob, carol]"
	    "\n" SHARES HSM, "custodians: 'carol' holds no share" },
	/* Shares. */
	{ "no dkek", HEAD("new-dkek") AB HSM, "dkek: missing" },
	{ "no shares", HEAD("new-dkek") AB "dkek: {}\n" HSM, "dkek.shares" },
	{ "empty shares", HEAD("new-dkek") AB "dkek: {shares: []}\n" HSM,
	    "dkek.shares" },
	{ "9 shares", HEAD("new-dkek") AB "dkek: {shares: [{holder: alice}, "
	    "{holder: alice}, {holder: alice}, {holder: alice}, {holder: alice},"
	    " {holder: alice}, {holder: alice}, {holder: alice}, {holder: bob}"
	    "]}\n" HSM, "dkek.shares: 9 entries" },
	{ "holder and split", HEAD("new-dkek") AB "dkek: {shares: [{holder: "
	    "alice, split: {threshold: 1, group: [bob]}}]}\n" HSM,
	    "dkek.shares[1]: needs exactly one of holder and split" },
	{ "neither", HEAD("new-dkek") AB "dkek: {shares: [{holder: alice}, "
	    "{}]}\n" HSM, "dkek.shares[2]: needs exactly one" },
	{ "holder not custodian", HEAD("new-dkek") AB "dkek: {shares: "
	    "[{holder: alice}, {holder: eve}]}\n" HSM,
	    "dkek.shares[2].holder: 'eve' is not a custodian" },
	{ "member not custodian", HEAD("new-dkek")
	    SPLIT("2", "bob, carol, eve") HSM,
	    "dkek.shares[2].split.group: 'eve' is not a custodian" },
	{ "member twice", HEAD("new-dkek") SPLIT("2", "bob, carol, bob") HSM,
	    "dkek.shares[2].split.group: 'bob' appears twice" },
	{ "member name", HEAD("new-dkek") SPLIT("2", "bob, _carol") HSM,
	    "dkek.shares[2].split.group[2]" },
	{ "threshold 0", HEAD("new-dkek") SPLIT("0", "bob, carol, dave") HSM,
	    "dkek.shares[2].split.threshold: 0 of 3" },
	{ "threshold > N", HEAD("new-dkek") SPLIT("4", "bob, carol, dave") HSM,
	    "dkek.shares[2].split.threshold: 4 of 3" },
	{ "1 of 3", HEAD("new-dkek") SPLIT("1", "bob, carol, dave") HSM,
	    "dkek.shares[2].split.threshold: 1 of 3" },
	{ "threshold text", HEAD("new-dkek") SPLIT("two", "bob, carol, dave")
	    HSM, "dkek.shares[2].split.threshold: 'two' is not a number" },
	{ "empty group", HEAD("new-dkek") AB "dkek: {shares: [{holder: alice}"
	    ", {holder: bob}, {split: {threshold: 1, group: []}}]}\n" HSM,
	    "dkek.shares[3].split.group: at least one" },
	{ "no threshold", HEAD("new-dkek") AB "dkek: {shares: [{holder: alice}"
	    ", {split: {group: [bob]}}]}\n" HSM,
	    "dkek.shares[2].split.threshold: missing" },
	{ "group of 17", HEAD("new-dkek") SPLIT("2", C16 ", c17") HSM,
	    "dkek.shares[2].split.group: 17 entries" },
	/* HSMs and keys. */
	{ "hsm name", HEAD("new-dkek") AB SHARES
	    "hsms: [{name: Primary, serial: D1}]\n", "hsms[1].name" },
	{ "hsm serial case", HEAD("new-dkek") AB SHARES
	    "hsms: [{name: p, serial: denk01}]\n", "hsms[1].serial" },
	{ "hsm serial long", HEAD("new-dkek") AB SHARES
	    "hsms: [{name: p, serial: DENK0100000000001}]\n", "hsms[1].serial" },
	{ "hsm no serial", HEAD("new-dkek") AB SHARES "hsms: [{name: p}]\n",
	    "hsms[1].serial: missing" },
	{ "hsm name twice", NEW "  - name: primary\n    serial: DENK0100002\n",
	    "hsms[2].name: the same as hsms[1]'s" },
	{ "hsm serial twice", NEW "  - name: spare\n    serial: DENK0100001\n",
	    "hsms[2].serial: the same as hsms[1]'s" },
	{ "5 hsms", NEW HSM2 "  - {name: c, serial: C}\n  - {name: d, serial: "
	    "D}\n  - {name: e, serial: E}\n", "hsms: 5 entries" },
	{ "rsa:1024", NEW "keys: [{label: k, type: \"rsa:1024\"}]\nbackup: b\n",
	    "keys[1].type: 'rsa:1024'" },
	{ "ec:P-192", NEW "keys: [{label: k, type: \"ec:P-192\"}]\nbackup: b\n",
	    "keys[1].type" },
	{ "label twice", NEW "keys: [{label: k, type: \"ec:P-256\"}, {label: k,"
	    " type: \"ec:P-384\"}]\nbackup: b\n", "keys[2].label" },
	{ "label long", NEW "keys: [{label: " L10 L10 L10 L10 L10 L10 "aaaaa, "
	    "type: \"ec:P-256\"}]\nbackup: b\n", "keys[1].label" },
	{ "key no type", NEW "keys: [{label: k}]\nbackup: b\n",
	    "keys[1].type: missing" },
	{ "backup control", NEW "backup: \"a\\tb\"\n", "backup" },
	/* The KCV. */
	{ "kcv 15", RESTORE "expected_kcv: 0123456789ABCDE\n", "expected_kcv" },
	{ "kcv 17", RESTORE "expected_kcv: 0123456789ABCDEF0\n",
	    "expected_kcv" },
	{ "kcv G", RESTORE "expected_kcv: G123456789ABCDEF\n", "expected_kcv" },
	{ "kcv two spaces", RESTORE "expected_kcv: \"0123  4567 89AB CDEF\"\n",
	    "expected_kcv" },
	{ "kcv odd group", RESTORE "expected_kcv: 012 34567 89AB CDEF\n",
	    "expected_kcv" },
	{ "kcv trailing", RESTORE "expected_kcv: \"0123 4567 89AB CDEF \"\n",
	    "expected_kcv" },
	/* What each kind needs and cannot use. */
	{ "new: no hsm", HEAD("new-dkek") AB SHARES, "hsms: a new-dkek plan "
	    "needs it" },
	{ "new: keys, no backup", NEW KEY, "backup: keys made" },
	{ "new: kcv", NEW KCV, "expected_kcv: a new-dkek plan has no use" },
	{ "new: reshare", NEW FROM, "reshare: a new-dkek plan has no use" },
	{ "new: share_dir", NEW "share_dir: s\n", "share_dir: a new-dkek" },
	{ "backup: no keys", HEAD("key-backup") AB SHARES HSM "backup: b\n",
	    "keys: a key-backup plan needs it" },
	{ "backup: no backup", HEAD("key-backup") AB SHARES HSM KEY,
	    "backup: a key-backup plan needs it" },
	{ "backup: share_dir", BACKUP "share_dir: s\n", "share_dir: a "
	    "key-backup plan has no use" },
	{ "backup: two hsms", HEAD("key-backup") AB SHARES HSM HSM2 KEY
	    "backup: b\n", "hsms: a key-backup plan names exactly one HSM" },
	{ "backup: no hsm", HEAD("key-backup") AB SHARES KEY "backup: b\n",
	    "hsms: a key-backup plan names exactly one HSM" },
	{ "restore: no kcv", RESTORE, "expected_kcv: a restore plan needs it" },
	{ "restore: no backup", HEAD("restore") AB SHARES HSM KCV
	    "share_dir: s\n", "backup: a restore plan needs it" },
	{ "restore: no share_dir", HEAD("restore") AB SHARES HSM KCV
	    "backup: b\n", "share_dir: a restore plan needs it" },
	{ "restore: keys", RESTORE KCV KEY, "keys: a restore plan has no use" },
	{ "restore: no hsm", HEAD("restore") AB SHARES KCV "backup: b\n"
	    "share_dir: s\n", "hsms: a restore plan needs it" },
	{ "restore: reshare", RESTORE KCV FROM, "reshare: a restore plan" },
	{ "reshare: none", RESHARE, "reshare: a reshare plan needs it" },
	{ "reshare: no share_dir", HEAD("reshare") AB SHARES FROM,
	    "share_dir: a reshare plan needs it" },
	{ "reshare: share 3", RESHARE "reshare: {share: 3, from: {holder: "
	    "alice}}\n", "reshare.share: 3, but dkek.shares has 2" },
	{ "reshare: share 0", RESHARE "reshare: {share: 0, from: {holder: "
	    "alice}}\n", "reshare.share" },
	{ "reshare: share -1", RESHARE "reshare: {share: -1, from: {holder: "
	    "alice}}\n", "reshare.share: '-1' is not a number" },
	{ "reshare: no from", RESHARE "reshare: {share: 1}\n",
	    "reshare.from: missing" },
	{ "reshare: from eve", RESHARE "reshare: {share: 1, from: {holder: "
	    "eve}}\n", "reshare.from.holder: 'eve' is not a custodian" },
	{ "reshare: from 1 of 2", RESHARE "reshare: {share: 1, from: {split: "
	    "{threshold: 1, group: [alice, bob]}}}\n",
	    "reshare.from.split.threshold" },
	{ "reshare: hsms", RESHARE FROM HSM, "hsms: a reshare plan has no use" },
	{ "reshare: keys", RESHARE FROM KEY, "keys: a reshare plan has no use" },
	{ "reshare: backup", RESHARE FROM "backup: b\n", "backup: a reshare" },
	{ "reshare: kcv", RESHARE FROM KCV, "expected_kcv: a reshare" },
	/* Issue 14: every path stays inside the plan's own tree. */
	{ "backup ..", BACKUP_AT("../../../etc/x"), "backup: '../../../etc/x' leaves" },
	{ "backup .. inside", BACKUP_AT("b/../../x"), "backup: 'b/../../x' leaves" },
	{ "backup ..", BACKUP_AT(".."), "backup: '..' leaves" },
	{ "backup absolute", BACKUP_AT("/etc/x"), "backup: '/etc/x' is absolute" },
	{ "backup home", BACKUP_AT("~/x"), "backup: '~/x' is absolute" },
	{ "share_dir ..", HEAD("restore") AB SHARES HSM "backup: b\nshare_dir: ../s\n", "share_dir: '../s' leaves" },
	{ "share_dir absolute", HEAD("restore") AB SHARES HSM "backup: b\nshare_dir: /s\n", "share_dir: '/s' is absolute" },
	/* Public key authentication (issue 16). */
	{ "pka without devices", NEW "pka: {required: 1}\n",
	    "pka.devices: name the custodians' personal devices" },
	{ "pka required above devices", NEW "pka: {required: 2, devices: "
	    "[{holder: alice, serial: DENK0100201}]}\n",
	    "pka.required: 2, but it is 1 to the 1 devices named" },
	{ "pka required zero", NEW "pka: {required: 0, devices: "
	    "[{holder: alice, serial: DENK0100201}]}\n", "pka.required: 0" },
	{ "pka holder not a custodian", NEW "pka: {required: 1, devices: "
	    "[{holder: eve, serial: DENK0100201}]}\n",
	    "pka.devices[1].holder: 'eve' is not one of the custodians" },
	{ "pka same holder twice", NEW "pka: {required: 1, devices: "
	    "[{holder: alice, serial: DENK0100201}, {holder: alice, serial: "
	    "DENK0100202}]}\n", "each custodian has their own device" },
	{ "pka device is the HSM", NEW "pka: {required: 1, devices: "
	    "[{holder: alice, serial: DENK0100001}]}\n",
	    "it is HSM primary's" },
	{ "pka bad serial", NEW "pka: {required: 1, devices: "
	    "[{holder: alice, serial: denk}]}\n", "pka.devices[1].serial" },
	{ "pka replace not boolean", NEW "pka: {required: 1, replace: yes, "
	    "devices: [{holder: alice, serial: DENK0100201}]}\n",
	    "pka.replace: 'yes' is not true or false" },
	{ "pka in a reshare", RESHARE FROM "pka: {required: 1, devices: "
	    "[{holder: alice, serial: DENK0100201}]}\n",
	    "pka: a reshare plan uses no HSM" },
	{ "pka device without serial", NEW "pka: {required: 1, devices: "
	    "[{holder: alice}]}\n", "pka.devices[1].serial" },
	/* Several key domains in one plan (issue 19). */
	{ "domains and dkek", HEAD("new-dkek") AB SHARES HSM "domains:\n" DA
	    DB("1"), "dkek: a plan with domains names it in each domain" },
	{ "domains and keys", DOMS(DA DB("1")) KEY, "keys: a plan with "
	    "domains names it in each domain" },
	{ "domains empty", HEAD("new-dkek") AB HSM "domains: []\n",
	    "dkek: missing" },
	{ "domains five", DOMS(DA DB("1") DB("2") DB("3") DB("4")),
	    "domains: 5 entries, at most 4" },
	{ "domain number missing", DOMS(DA "  - dkek: {shares: [{holder: "
	    "bob}]}\n"), "domains[2].domain: missing" },
	{ "domain without dkek", DOMS(DA "  - domain: 1\n"),
	    "domains[2].dkek: missing" },
	{ "domain twice", DOMS(DA DB("0")), "domains[2].domain: 0 again" },
	{ "domain beyond slots", DOMS(DA DB("2")), "domains[2].domain: 2, but "
	    "key_domains sets up slots 0 to 1" },
	{ "domain beyond 15", DOMS(DA DB("16")), "domains[2].domain: 16, but "
	    "a key domain is 0 to 15" },
	{ "domain unknown key", DOMS(DA DB("1") "    pin: 1234\n"),
	    "unknown key 'pin'" },
	{ "domain holder not custodian", DOMS(DA "  - domain: 1\n    dkek: "
	    "{shares: [{holder: eve}]}\n"), "domains[2].dkek.shares[1].holder: "
	    "'eve' is not a custodian" },
	{ "domain nobody for bob", DOMS(DA "  - domain: 1\n    dkek: {shares: "
	    "[{holder: alice}]}\n"), "custodians: 'bob' holds no share" },
	{ "domain keys without backup", DOMS(DA DB("1") "    keys: [{label: "
	    "k, type: ec:P-256}]\n"),
	    "domains[2].backup: keys made in a new-dkek plan must be backed up" },
	{ "domains same backup", DOMS(DA "    backup: b\n" DB("1")
	    "    backup: b\n"), "domains[2].backup: domains[1]'s again" },
	{ "domains same label", DOMS(DA "    backup: a\n    keys: [{label: "
	    "k, type: ec:P-256}]\n" DB("1") "    backup: b\n    keys: [{label: "
	    "k, type: ec:P-256}]\n"), "domains[2].keys[1].label: the label of "
	    "domains[1].keys[1]" },
	{ "domains same backup written otherwise", DOMS(DA "    backup: "
	    "sets/b\n" DB("1") "    backup: ./sets//b/\n"),
	    "domains[2].backup: domains[1]'s again (or inside it)" },
	{ "domains backup inside another", DOMS(DA "    backup: sets\n" DB("1")
	    "    backup: sets/b\n"), "domains[2].backup: domains[1]'s again" },
	{ "domains same share_dir", HEAD("restore") AB HSM "domains:\n" DA
	    "    backup: a\n    share_dir: s\n    expected_kcv: "
	    "0123456789ABCDEF\n" DB("1") "    backup: b\n    share_dir: s\n"
	    "    expected_kcv: 0123456789ABCDEF\n",
	    "domains[2].share_dir: domains[1]'s again" },
	{ "domain restore without kcv", HEAD("restore") AB HSM "domains:\n" DA
	    "    backup: a\n    share_dir: s\n" DB("1") "    backup: b\n"
	    "    share_dir: t\n    expected_kcv: 0123456789ABCDEF\n",
	    "domains[1].expected_kcv: a restore plan needs it" },
	{ "domains in a reshare", RESHARE FROM "domains:\n" DA,
	    "a plan with domains" },
	{ "domain bad backup path", DOMS(DA "    backup: /etc/x\n" DB("1")),
	    "domains[1].backup: '/etc/x' is absolute" },
};

static void
test_row(void **state)
{
	const struct row *w = *state;
	const char *want = w->want;
	struct plan *p = NULL;
	char why[256];
	int r;

	strcpy(why, "unset");
	r = plan_parse(w->yaml, strlen(w->yaml), &p, why, sizeof(why));
	if (r != CUSTOS_ERR_FORMAT || strstr(why, want) == NULL)
		print_error("%s: r=%d why=\"%s\", want \"%s\"\n", w->name, r,
		    why, want);
	assert_int_equal(r, CUSTOS_ERR_FORMAT);
	assert_null(p);
	assert_non_null(strstr(why, want));
	assert_null(strchr(why, '\n'));
}

int
main(void)
{
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	struct CMUnitTest tests[N];
	size_t i;

	for (i = 0; i < N; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = test_row;
		tests[i].setup_func = NULL;
		tests[i].teardown_func = NULL;
		tests[i].initial_state = (void *)(uintptr_t)&rows[i];
	}
	return _cmocka_run_group_tests("plan_refuse", tests, N, NULL, NULL);
}
