/*
 * test_ceremony.c - ceremony directories through their API: create,
 * unlock, record, close, verify; and what must be refused.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sodium.h>

#include "../../common/buildinfo.h"
#include "../../ceremony/ceremony.h"
#include "../../ceremony/verify.h"

static char tmp[64], dir[128];
static struct buildinfo bi;	/* what record 0 names */
static const unsigned char pw[] = "administrator passphrase";

static int
setup(void **state)
{
	struct ceremony_params p = { .title = "Test ceremony", .admin = "carol",
	    .rehearsal = 1, .kdf_ops = 1, .kdf_mem_kib = 8192,
	    .machine = &bi };
	char id[17], fpr[65];

	(void)state;
	if (buildinfo_read(&bi) != CUSTOS_OK)
		return -1;
	testutil_tmpdir(tmp);
	snprintf(dir, sizeof(dir), "%s/c", tmp);
	return ceremony_create(dir, &p, pw, sizeof(pw) - 1, id, fpr) ==
	    CUSTOS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	testutil_rmtree(tmp);
	return 0;
}

static void
test_open_record_close(void **state)
{
	struct ceremony *c = NULL;
	struct ceremony_verdict v;
	json_t *f = json_pack("{s:s,s:i,s:[s]}", "kcv", "0424FBCFE4E73E8E",
	    "shares", 1, "share_fingerprints", "111D912E464CBD4D");
	char path[256];
	struct stat st;

	(void)state;
	assert_int_equal(ceremony_unlock(&c, dir, pw, sizeof(pw) - 1),
	    CUSTOS_OK);
	assert_true(ceremony_is_rehearsal(c));
	assert_int_equal(strlen(ceremony_id(c)), 16);
	assert_int_equal(ceremony_record(c, "alice", "dkek.kcv", f),
	    CUSTOS_OK);
	assert_int_equal(ceremony_record(c, "alice", "dkek.kcv", f),
	    CUSTOS_OK);
	/* open and close are not for ceremony_record. */
	assert_int_equal(ceremony_record(c, "x", "ceremony.close", NULL),
	    CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(ceremony_verify(dir, &v, NULL, NULL), CUSTOS_OK);
	assert_int_equal(v.t.records, 3);
	assert_false(v.closed);
	assert_true(v.rehearsal);
	assert_int_equal(ceremony_close(c, "carol"), CUSTOS_OK);
	assert_int_equal(ceremony_record(c, "alice", "late", NULL),
	    CUSTOS_ERR_CLOSED);
	/* A repeated close finishes nothing twice and still succeeds. */
	assert_int_equal(ceremony_close(c, "carol"), CUSTOS_OK);
	ceremony_free(c);
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_KEY);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_equal(ceremony_verify(dir, &v, NULL, NULL), CUSTOS_OK);
	assert_true(v.closed);
	assert_true(v.closing_sig_ok);
	assert_int_equal(v.t.records, 4);
	assert_int_equal(ceremony_unlock(&c, dir, pw, sizeof(pw) - 1),
	    CUSTOS_ERR_CLOSED);
	json_decref(f);
}

/* A signed record whose facts do not have their documented shape, or
 * whose action custos does not write, is a finding that names it. */
static void
test_shape_findings(void **state)
{
	struct ceremony_params p = { .title = "shapes", .admin = "carol",
	    .kdf_ops = 1, .kdf_mem_kib = 8192,
	    .machine = &bi };
	struct ceremony *c = NULL;
	struct ceremony_verdict v;
	char id[17], fpr[65], d2[160];
	json_t *bad = json_pack("{s:s,s:i}", "kcv", "0424FBCFE4E73E8E",
	    "shares", 1);
	json_t *typed = json_pack("{s:s,s:s,s:[s]}", "kcv", "0424FBCFE4E73E8E",
	    "shares", "one", "share_fingerprints", "111D912E464CBD4D");

	(void)state;
	snprintf(d2, sizeof(d2), "%s/shape1", tmp);
	assert_int_equal(ceremony_create(d2, &p, pw, sizeof(pw) - 1, id, fpr),
	    CUSTOS_OK);
	assert_int_equal(ceremony_unlock(&c, d2, pw, sizeof(pw) - 1),
	    CUSTOS_OK);
	assert_int_equal(ceremony_record(c, "alice", "dkek.kcv", bad),
	    CUSTOS_OK);
	ceremony_free(c);
	assert_int_equal(ceremony_verify(d2, &v, NULL, NULL),
	    CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(v.why, "record 1 (dkek.kcv)"));
	assert_non_null(strstr(v.why, "share_fingerprints"));

	snprintf(d2, sizeof(d2), "%s/shape2", tmp);
	assert_int_equal(ceremony_create(d2, &p, pw, sizeof(pw) - 1, id, fpr),
	    CUSTOS_OK);
	assert_int_equal(ceremony_unlock(&c, d2, pw, sizeof(pw) - 1),
	    CUSTOS_OK);
	assert_int_equal(ceremony_record(c, "alice", "dkek.kcv", typed),
	    CUSTOS_OK);
	ceremony_free(c);
	assert_int_equal(ceremony_verify(d2, &v, NULL, NULL),
	    CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(v.why, "record 1 (dkek.kcv)"));
	assert_non_null(strstr(v.why, "shares"));

	snprintf(d2, sizeof(d2), "%s/shape3", tmp);
	assert_int_equal(ceremony_create(d2, &p, pw, sizeof(pw) - 1, id, fpr),
	    CUSTOS_OK);
	assert_int_equal(ceremony_unlock(&c, d2, pw, sizeof(pw) - 1),
	    CUSTOS_OK);
	assert_int_equal(ceremony_record(c, "alice", "ceremony.unknown", NULL),
	    CUSTOS_OK);
	ceremony_free(c);
	assert_int_equal(ceremony_verify(d2, &v, NULL, NULL),
	    CUSTOS_ERR_CORRUPT);
	assert_non_null(strstr(v.why, "record 1 (ceremony.unknown)"));
	json_decref(bad);
	json_decref(typed);
}

static void
test_refusals(void **state)
{
	struct ceremony_params p = { .title = "again", .admin = "carol",
	    .kdf_ops = 1, .kdf_mem_kib = 8192,
	    .machine = &bi };
	struct ceremony *c = NULL, *c2 = NULL;
	char id[17], fpr[65], path[256], byte;
	int up[2], down[2], status = -1;
	pid_t pid;

	(void)state;
	assert_int_equal(ceremony_create(dir, &p, pw, sizeof(pw) - 1, id, fpr),
	    CUSTOS_ERR_EXISTS);
	assert_int_equal(ceremony_unlock(&c, dir, (const unsigned char *)
	    "wrong", 5), CUSTOS_ERR_BAD_PASSPHRASE);
	assert_null(c);
	assert_int_equal(ceremony_unlock(&c, tmp, pw, sizeof(pw) - 1),
	    CUSTOS_ERR_NOT_FOUND);
	/* Another process holding the transcript: refused, not blocked. */
	assert_int_equal(ceremony_unlock(&c, dir, pw, sizeof(pw) - 1),
	    CUSTOS_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, CEREMONY_TRANSCRIPT);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	if ((pid = fork()) == 0) {
		/* The lock is per open file description: take it in a child,
		 * say so, and hold it until the parent is done. */
		int cfd = open(path, O_RDONLY);
		char b = 'L';

		close(up[0]);
		close(down[1]);

		if (cfd < 0 || flock(cfd, LOCK_EX) != 0 ||
		    write(up[1], &b, 1) != 1)
			_exit(1);
		while (read(down[0], &b, 1) > 0)
			;
		_exit(0);
	}
	assert_true(pid > 0);
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &byte, 1), 1);
	assert_int_equal(ceremony_record(c, "alice", "step", NULL),
	    CUSTOS_ERR_BUSY);
	close(down[1]);
	close(up[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	/* Released: the same step now goes through. */
	assert_int_equal(ceremony_record(c, "alice", "step", NULL), CUSTOS_OK);
	ceremony_free(c);
	ceremony_free(c2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_record_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shape_findings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
