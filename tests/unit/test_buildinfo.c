/*
 * test_buildinfo.c - what a ceremony's first record names about the
 * program and the machine (common/buildinfo.h), and how it is put into
 * lines for people (ceremony/machine.h).
 */
#include "testutil.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "../../common/buildinfo.h"
#include "../../ceremony/machine.h"

/* The executable's hash, computed independently with OpenSSL. */
static void
test_exe_sha256(void **state)
{
	unsigned char buf[4096], md[32];
	char hex[65], want[65];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int mdlen = 0, i;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(c);
	assert_non_null(f = fopen("/proc/self/exe", "rb"));
	assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(EVP_DigestUpdate(c, buf, n), 1);
	fclose(f);
	assert_int_equal(EVP_DigestFinal_ex(c, md, &mdlen), 1);
	EVP_MD_CTX_free(c);
	for (i = 0; i < mdlen; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(buildinfo_exe_sha256(hex), CUSTOS_OK);
	assert_string_equal(hex, want);
}

/* Version and commit have their documented shapes. */
static void
test_version_commit(void **state)
{
	const char *v = buildinfo_version(), *c = buildinfo_commit();
	size_t i;

	(void)state;
	assert_true(strlen(v) >= 5 && strchr(v, '.') != NULL);
	if (strcmp(c, "unknown") == 0)
		return;
	assert_true(strlen(c) == 40 || (strlen(c) == 46 &&
	    strcmp(c + 40, "-dirty") == 0));
	for (i = 0; i < 40; i++)
		assert_non_null(strchr("0123456789abcdef", c[i]));
}

/*
 * The interfaces up agree with /proc/net/dev (this network namespace's
 * interfaces) and SIOCGIFFLAGS, loopback aside.
 */
static void
test_ifaces_match_kernel(void **state)
{
	char names[BUILDINFO_MAXIFS][BUILDINFO_IFNAME + 1], line[512], *colon,
	    *nm;
	struct ifreq ifr;
	size_t n = 0, want = 0, i;
	int fd;
	FILE *f;

	(void)state;
	assert_int_equal(buildinfo_ifaces_up(names, BUILDINFO_MAXIFS, &n),
	    CUSTOS_OK);
	assert_true((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	assert_non_null(f = fopen("/proc/net/dev", "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;	/* the two header lines */
		*colon = '\0';
		for (nm = line; *nm == ' '; nm++)
			;
		memset(&ifr, 0, sizeof(ifr));
		assert_true(strlen(nm) < sizeof(ifr.ifr_name));
		memcpy(ifr.ifr_name, nm, strlen(nm));
		assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
		if (!(ifr.ifr_flags & IFF_UP) || (ifr.ifr_flags & IFF_LOOPBACK))
			continue;
		want++;
		for (i = 0; i < n; i++)
			if (strcmp(names[i], nm) == 0)
				break;
		assert_true(i < n);	/* named */
	}
	fclose(f);
	close(fd);
	assert_int_equal(n, want);
	for (i = 1; i < n; i++)	/* sorted */
		assert_true(strcmp(names[i - 1], names[i]) < 0);
}

/* A registered library is named once, after those custos reads. */
static void
test_read_and_register(void **state)
{
	struct buildinfo bi;
	size_t i, seen = 0;

	(void)state;
	buildinfo_register("testlib", "1.2.3");
	buildinfo_register("testlib", "9.9.9");
	assert_int_equal(buildinfo_read(&bi), CUSTOS_OK);
	assert_string_equal(bi.version, buildinfo_version());
	assert_int_equal(strlen(bi.exe_sha256), 64);
	assert_true(strncmp(bi.kernel, "Linux ", 6) == 0);
	assert_string_equal(bi.lib[0].name, "libsodium");
	assert_string_equal(bi.lib[1].name, "OpenSSL");
	assert_true(strncmp(bi.lib[1].version, "3.", 2) == 0);
	for (i = 0; i < bi.nlibs; i++)
		if (strcmp(bi.lib[i].name, "testlib") == 0) {
			assert_string_equal(bi.lib[i].version, "1.2.3");
			seen++;
		}
	assert_int_equal(seen, 1);
}

static json_t *
facts(const char *js)
{
	json_error_t e;
	json_t *j = json_loads(js, 0, &e);

	assert_non_null(j);
	return j;
}

/* Recorded, offline, online, and a 0.1.0 record that names nothing. */
static void
test_machine_lines(void **state)
{
	struct machine_lines m;
	json_t *f;

	(void)state;
	f = facts("{\"custos_version\":\"0.2.0\",\"custos_commit\":\"ab\","
	    "\"custos_sha256\":\"00ff\",\"kernel\":\"Linux 6 x\","
	    "\"kernel_build\":\"#1\","
	    "\"libraries\":[{\"name\":\"libsodium\",\"version\":\"1.0.18\"},"
	    "{\"name\":\"OpenSSL\",\"version\":\"3.0.19\"}],"
	    "\"interfaces_up\":[]}");
	machine_lines(f, &m);
	assert_true(m.recorded);
	assert_false(m.online);
	assert_string_equal(m.software, "custos 0.2.0, commit ab");
	assert_string_equal(m.libraries, "libsodium 1.0.18, OpenSSL 3.0.19");
	assert_string_equal(m.kernel, "Linux 6 x (#1)");
	assert_string_equal(m.network, "offline: no network interface up but "
	    "loopback");
	json_object_set_new(f, "interfaces_up", json_pack("[s,s]", "eth0",
	    "wl\x1b[2Jan0"));
	machine_lines(f, &m);
	assert_true(m.online);
	/* a control character never reaches the terminal */
	assert_string_equal(m.network, "WARNING: network interfaces up at "
	    "open: eth0, wl?[2Jan0");
	json_decref(f);
	f = facts("{\"title\":\"old\"}");
	machine_lines(f, &m);
	assert_false(m.recorded);
	assert_non_null(strstr(m.software, "not recorded"));
	json_decref(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exe_sha256),
		cmocka_unit_test(test_version_commit),
		cmocka_unit_test(test_ifaces_match_kernel),
		cmocka_unit_test(test_read_and_register),
		cmocka_unit_test(test_machine_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
