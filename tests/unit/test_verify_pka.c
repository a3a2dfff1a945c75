/*
 * test_verify_pka.c - the audit rule of public key authentication
 * (ceremony/verify_pka.c): an operation on a device with PKA must come
 * after its quorum; counts grow one key at a time, no key twice; a
 * reset (a new run) starts again at 1; devices without PKA are left
 * alone.
 */
#include "testutil.h"

#include <jansson.h>

#include "../../ceremony/verify_pka.h"

static int
feed(struct pka_rules *r, long n, const char *action, const char *json,
    char *why, size_t whysz)
{
	json_error_t e;
	json_t *f = json_loads(json, 0, &e);
	int rc;

	assert_non_null(f);
	rc = pka_rules_record(r, n, action, f, why, whysz);
	json_decref(f);
	return rc;
}

#define AUTH(chr, cnt, res) "{\"serial\":\"M1\",\"key_chr\":\"" chr "\"," \
	"\"result\":\"" res "\",\"authenticated\":" #cnt ",\"required\":2}"

static void
test_quorum_rule(void **state)
{
	struct pka_rules *r = pka_rules_new();
	char why[256];

	(void)state;
	assert_non_null(r);
	assert_int_equal(feed(r, 1, "hsm.init", "{\"serial\":\"M1\","
	    "\"pka_keys\":3,\"pka_required\":2}", why, sizeof(why)), 0);
	/* A device without PKA: no rule. */
	assert_int_equal(feed(r, 2, "hsm.keygen", "{\"serial\":\"OTHER\"}",
	    why, sizeof(why)), 0);
	/* Before the quorum: refused, with the count. */
	assert_int_equal(feed(r, 3, "pka.authenticate", AUTH("A", 1,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 4, "pka.authenticate", AUTH("B", 1,
	    "refused"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 5, "hsm.keygen", "{\"serial\":\"M1\"}", why,
	    sizeof(why)), CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(why, "1 of 2"));
	/* The same key twice in a run. */
	assert_int_equal(feed(r, 6, "pka.authenticate", AUTH("A", 2,
	    "accepted"), why, sizeof(why)), CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(why, "twice"));
	pka_rules_free(r);

	r = pka_rules_new();
	assert_int_equal(feed(r, 1, "pka.status", "{\"serial\":\"M1\","
	    "\"required\":2}", why, sizeof(why)), 0);
	assert_int_equal(feed(r, 2, "pka.authenticate", AUTH("A", 1,
	    "accepted"), why, sizeof(why)), 0);
	/* A count that jumps. */
	assert_int_equal(feed(r, 3, "pka.authenticate", AUTH("B", 3,
	    "accepted"), why, sizeof(why)), CUSTOS_ERR_CORRUPT);
	pka_rules_free(r);

	r = pka_rules_new();
	assert_int_equal(feed(r, 1, "pka.status", "{\"serial\":\"M1\","
	    "\"required\":2}", why, sizeof(why)), 0);
	assert_int_equal(feed(r, 2, "pka.authenticate", AUTH("A", 1,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 3, "pka.authenticate", AUTH("B", 2,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 4, "backup.create", "{\"serial\":\"M1\"}",
	    why, sizeof(why)), 0);
	/* A new run: A again, from 1. */
	assert_int_equal(feed(r, 5, "pka.authenticate", AUTH("A", 1,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 6, "pka.authenticate", AUTH("C", 2,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 7, "hsm.wrap", "{\"serial\":\"M1\"}", why,
	    sizeof(why)), 0);
	/* A new run, one key: replacing a registered key needs the quorum. */
	assert_int_equal(feed(r, 8, "pka.authenticate", AUTH("A", 1,
	    "accepted"), why, sizeof(why)), 0);
	assert_int_equal(feed(r, 9, "pka.register", "{\"serial\":\"M1\","
	    "\"required\":2,\"replaced\":true}", why, sizeof(why)),
	    CUSTOS_ERR_CORRUPT);
	assert_int_equal(feed(r, 10, "pka.register", "{\"serial\":\"M1\","
	    "\"required\":2}", why, sizeof(why)), 0);
	/* Initialized again without PKA: no rule any more. */
	assert_int_equal(feed(r, 8, "hsm.init", "{\"serial\":\"M1\"}", why,
	    sizeof(why)), 0);
	assert_int_equal(feed(r, 9, "hsm.keygen", "{\"serial\":\"M1\"}", why,
	    sizeof(why)), 0);
	pka_rules_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quorum_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
