/*
 * test_sharefile_member.c - the comment of a SLIP-39 member share file:
 * the exact text custos share split --share-files has always written (a
 * known answer), a round trip of every field at its limits, and each
 * kind of comment that is refused.
 */
#include "testutil.h"

#include "../../ceremony/sharefile_member.h"
#include "../../ceremony/sharefile_v1.h"

static void
test_known_answer(void **state)
{
	struct slip39_share s, back;
	char c[V1_COMMENT_MAX + 1];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.identifier = 21219;
	s.extendable = 1;
	s.iter_exp = 0;
	s.group_index = 0;
	s.group_threshold = 1;
	s.group_count = 1;
	s.member_index = 2;
	s.member_threshold = 2;
	sharefile_member_comment(c, sizeof(c), &s);
	assert_string_equal(c, "SLIP-39 member share, not a DKEK share "
	    "(custos share combine): id=21219 ext=1 e=0 group=0/1/1 "
	    "member=2/2");
	memset(&back, 0xAA, sizeof(back));
	assert_int_equal(sharefile_member_parse(c, &back), 0);
	assert_int_equal(back.identifier, 21219);
	assert_int_equal(back.extendable, 1);
	assert_int_equal(back.iter_exp, 0);
	assert_int_equal(back.group_threshold, 1);
	assert_int_equal(back.member_index, 2);
	assert_int_equal(back.member_threshold, 2);
	assert_int_equal(back.value_len, 32);
	assert_int_equal(back.value[0], 0xAA);	/* the value is not touched */
}

static void
test_limits_round_trip(void **state)
{
	struct slip39_share s, back;
	char c[V1_COMMENT_MAX + 1];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.identifier = 32767;
	s.extendable = 0;
	s.iter_exp = 15;
	s.group_index = 15;
	s.group_threshold = 16;
	s.group_count = 16;
	s.member_index = 15;
	s.member_threshold = 16;
	sharefile_member_comment(c, sizeof(c), &s);
	assert_true(strlen(c) <= V1_COMMENT_MAX);
	assert_int_equal(sharefile_member_parse(c, &back), 0);
	assert_int_equal(back.identifier, 32767);
	assert_int_equal(back.iter_exp, 15);
	assert_int_equal(back.group_index, 15);
	assert_int_equal(back.group_count, 16);
	assert_int_equal(back.member_index, 15);
	assert_int_equal(back.member_threshold, 16);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"DKEK share 1 of 2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/1/1",
		"SLIP-39 member share: id=32768 ext=1 e=0 group=0/1/1 member=0/2",
		"SLIP-39 member share: id=1 ext=2 e=0 group=0/1/1 member=0/2",
		"SLIP-39 member share: id=1 ext=1 e=16 group=0/1/1 member=0/2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=16/1/1 member=0/2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/0/1 member=0/2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/1/17 member=0/2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/1/1 member=16/2",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/1/1 member=0/0",
		"SLIP-39 member share: id=1 ext=1 e=0 group=0/1/1 member=0/17",
		"slip-39 member share: id=1 ext=1 e=0 group=0/1/1 member=0/2",
	};
	struct slip39_share s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sharefile_member_parse(bad[i], &s),
		    CUSTOS_ERR_FORMAT);
	/* the shortest good one, for contrast */
	assert_int_equal(sharefile_member_parse("SLIP-39 member share: id=1 "
	    "ext=1 e=0 group=0/1/1 member=0/2", &s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_limits_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
