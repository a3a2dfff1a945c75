/* test_atomicio.c - never-clobbering atomic creation and bounded reads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "testutil.h"

#include "../../common/atomicio.h"
#include "../../common/secmem.h"

struct fixture {
	char dir[64];
	int mounted;
};

static int
group_setup(void **state)
{
	(void)state;
	return secmem_init() == CUSTOS_OK ? 0 : -1;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	testutil_tmpdir(f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	/* Lazily if a failed test left a file open on it. */
	if (f->mounted && umount(f->dir) != 0 &&
	    umount2(f->dir, MNT_DETACH) != 0) {
		print_error("umount %s: %s\n", f->dir, strerror(errno));
		return -1;
	}
	testutil_rmtree(f->dir);
	free(f);
	return 0;
}

static void
join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

/*
 * Asserts that dir holds exactly the n entries in names (in any order):
 * in particular, no leftover temporary file.
 */
static void
assert_dir_holds(const char *dir, const char *const *names, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t count = 0, i;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		int known = 0;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(e->d_name, names[i]) == 0)
				known = 1;
		if (!known) {
			char name[256];

			snprintf(name, sizeof(name), "%s", e->d_name);
			closedir(d);
			fail_msg("unexpected entry \"%s\" in %s", name, dir);
		}
		count++;
	}
	closedir(d);
	assert_int_equal(count, n);
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Reads path with plain POSIX calls; returns its length. */
static size_t
slurp(const char *path, unsigned char *buf, size_t bufsz)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while ((n = read(fd, buf + len, bufsz - len)) > 0)
		len += (size_t)n;
	assert_true(n == 0);
	assert_int_equal(close(fd), 0);
	return len;
}

static void
test_create_exact_bytes_mode(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "share.bin" };
	unsigned char data[3000], back[4000];
	char path[PATH_MAX];
	struct stat st;
	mode_t old;
	size_t i;
	int r;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 31);	/* NULs included */
	join(path, f->dir, "share.bin");
	/* With umask 0 the mode must still be 0600: it is not the umask's. */
	old = umask(0);
	r = atomicio_create(path, data, sizeof(data));
	(void)umask(old);
	assert_int_equal(r, CUSTOS_OK);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(slurp(path, back, sizeof(back)), sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
	assert_dir_holds(f->dir, names, 1);
}

static void
test_create_empty(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "empty" };
	char path[PATH_MAX];
	struct stat st;

	join(path, f->dir, "empty");
	assert_int_equal(atomicio_create(path, "", 0), CUSTOS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_dir_holds(f->dir, names, 1);
}

/* A path without a slash: the directory to fsync is ".". */
static void
test_create_relative(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "rel" };
	char cwd[PATH_MAX];
	unsigned char back[16];
	int r;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	r = atomicio_create("rel", "hello", 5);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r, CUSTOS_OK);
	assert_dir_holds(f->dir, names, 1);
	join(cwd, f->dir, "rel");
	assert_int_equal(slurp(cwd, back, sizeof(back)), 5);
	assert_memory_equal(back, "hello", 5);
}

static void
test_create_invalid(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(atomicio_create(NULL, "x", 1), CUSTOS_ERR_INVALID_ARG);
	assert_int_equal(atomicio_create("", "x", 1), CUSTOS_ERR_INVALID_ARG);
	assert_dir_holds(f->dir, NULL, 0);
}

static void
test_create_refuses_existing_file(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "old" };
	const char orig[] = "original contents\n\0binary tail";
	unsigned char back[256];
	char path[PATH_MAX];
	struct stat before, after;

	join(path, f->dir, "old");
	write_file(path, orig, sizeof(orig));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(lstat(path, &before), 0);
	assert_int_equal(atomicio_create(path, "new", 3), CUSTOS_ERR_EXISTS);
	/* An empty write is refused just the same. */
	assert_int_equal(atomicio_create(path, "", 0), CUSTOS_ERR_EXISTS);
	assert_int_equal(lstat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_nlink, 1);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(slurp(path, back, sizeof(back)), sizeof(orig));
	assert_memory_equal(back, orig, sizeof(orig));
	assert_dir_holds(f->dir, names, 1);
}

/* A dangling symlink must not be followed to create its target. */
static void
test_create_refuses_dangling_symlink(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "link" };
	char path[PATH_MAX], target[PATH_MAX], got[PATH_MAX];
	struct stat st;
	ssize_t n;

	join(path, f->dir, "link");
	join(target, f->dir, "target-does-not-exist");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(atomicio_create(path, "secret", 6), CUSTOS_ERR_EXISTS);
	n = readlink(path, got, sizeof(got) - 1);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, target);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_not_equal(lstat(target, &st), 0);
	assert_int_equal(errno, ENOENT);
	assert_dir_holds(f->dir, names, 1);
}

/* A symlink to an existing file: neither the link nor the file changes. */
static void
test_create_refuses_symlink_to_file(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "link", "file" };
	char path[PATH_MAX], target[PATH_MAX];
	unsigned char back[64];
	struct stat st;

	join(path, f->dir, "link");
	join(target, f->dir, "file");
	write_file(target, "keep me", 7);
	assert_int_equal(symlink("file", path), 0);
	assert_int_equal(atomicio_create(path, "overwrite", 9),
	    CUSTOS_ERR_EXISTS);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(slurp(target, back, sizeof(back)), 7);
	assert_memory_equal(back, "keep me", 7);
	assert_dir_holds(f->dir, names, 2);
}

static void
test_create_refuses_directory(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "sub" };
	char path[PATH_MAX];

	join(path, f->dir, "sub");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(atomicio_create(path, "x", 1), CUSTOS_ERR_EXISTS);
	assert_dir_holds(f->dir, names, 1);
	assert_dir_holds(path, NULL, 0);
}

static void
test_create_missing_dir(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];

	join(path, f->dir, "no-such-dir/out.bin");
	assert_int_equal(atomicio_create(path, "x", 1), CUSTOS_ERR_NOT_FOUND);
	assert_dir_holds(f->dir, NULL, 0);
}

/*
 * A failure after the temporary file holds data: RLIMIT_FSIZE makes
 * write(2) fail with EFBIG half-way. The temporary must be removed.
 */
static void
test_create_write_failure_cleans_up(void **state)
{
	struct fixture *f = *state;
	static unsigned char data[16384];
	char path[PATH_MAX];
	struct rlimit old, small;
	void (*oldsig)(int);
	int r;

	join(path, f->dir, "big.bin");
	memset(data, 0x77, sizeof(data));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 4096;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_true(oldsig != SIG_ERR);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = atomicio_create(path, data, sizeof(data));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	(void)signal(SIGXFSZ, oldsig);
	assert_int_equal(r, CUSTOS_ERR_TOO_LARGE);
	assert_dir_holds(f->dir, NULL, 0);
}

static void
fill_until_full(int fd)
{
	static unsigned char chunk[4096];
	ssize_t n;

	memset(chunk, 0xee, sizeof(chunk));
	while ((n = write(fd, chunk, sizeof(chunk))) > 0)
		;
	assert_true(n < 0);
	assert_int_equal(errno, ENOSPC);
	while ((n = write(fd, chunk, 1)) > 0)
		;
	assert_true(n < 0);
	assert_int_equal(errno, ENOSPC);
}

/* Disk full, on a 64 KiB tmpfs: needs root. */
static void
test_create_no_space(void **state)
{
	struct fixture *f = *state;
	const char *const names[] = { "filler" };
	static unsigned char data[65536];
	char path[PATH_MAX], filler[PATH_MAX];
	struct statvfs before, after;
	struct stat st;
	off_t full;
	int fd;

	if (geteuid() != 0) {
		print_message("SKIP: not root, cannot mount a small tmpfs to "
		    "fill up\n");
		skip();
	}
	if (mount("tmpfs", f->dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "size=64k,mode=0700") != 0) {
		print_message("SKIP: mount -t tmpfs -o size=64k failed: %s\n",
		    strerror(errno));
		skip();
	}
	f->mounted = 1;

	join(filler, f->dir, "filler");
	join(path, f->dir, "share.bin");
	memset(data, 0x42, sizeof(data));

	/* 1. Completely full: the very first write fails. */
	fd = open(filler, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	fill_until_full(fd);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(statvfs(f->dir, &before), 0);
	assert_int_equal(atomicio_create(path, data, 100), CUSTOS_ERR_NO_SPACE);
	assert_int_equal(lstat(path, &st), -1);
	assert_dir_holds(f->dir, names, 1);

	/*
	 * 2. Room for part of the data: the temporary file gets 16 KiB and
	 * then fails; it must be removed and its blocks given back.
	 */
	assert_int_equal(fstat(fd, &st), 0);
	full = st.st_size;
	assert_true(full > 16384);
	assert_int_equal(ftruncate(fd, full - 16384), 0);
	assert_int_equal(statvfs(f->dir, &before), 0);
	assert_true(before.f_bfree > 0);
	assert_int_equal(atomicio_create(path, data, sizeof(data)),
	    CUSTOS_ERR_NO_SPACE);
	assert_int_equal(lstat(path, &st), -1);
	assert_dir_holds(f->dir, names, 1);
	assert_int_equal(statvfs(f->dir, &after), 0);
	assert_int_equal(after.f_bfree, before.f_bfree);

	/* 3. And a small one still fits: the failures leaked nothing. */
	assert_int_equal(atomicio_create(path, data, 4096), CUSTOS_OK);
	{
		const char *const both[] = { "filler", "share.bin" };

		assert_dir_holds(f->dir, both, 2);
	}
	assert_int_equal(close(fd), 0);
}

static void
test_read_missing(void **state)
{
	struct fixture *f = *state;
	unsigned char *buf = (unsigned char *)"sentinel";
	size_t len = 77;
	char path[PATH_MAX];

	join(path, f->dir, "nope");
	assert_int_equal(atomicio_read(path, 100, 0, &buf, &len),
	    CUSTOS_ERR_NOT_FOUND);
	assert_null(buf);
	assert_int_equal(len, 0);
	/* Through a regular file (ENOTDIR) too. */
	join(path, f->dir, "file");
	write_file(path, "x", 1);
	join(path, f->dir, "file/below");
	assert_int_equal(atomicio_read(path, 100, 0, &buf, &len),
	    CUSTOS_ERR_NOT_FOUND);
	assert_null(buf);
}

static void
test_read_directory(void **state)
{
	struct fixture *f = *state;
	unsigned char *buf = NULL;
	size_t len = 0;

	assert_int_equal(atomicio_read(f->dir, 100, 0, &buf, &len),
	    CUSTOS_ERR_FORMAT);
	assert_null(buf);
	assert_int_equal(len, 0);
}

/*
 * A FIFO is not a regular file and must be refused at once; opening it
 * without O_NONBLOCK would wait for a writer for ever. Run in a child
 * with an alarm so that a hang shows up as a failure.
 */
static void
test_read_fifo(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	pid_t pid;
	int status;

	join(path, f->dir, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char *buf = NULL;
		size_t len = 0;
		int r;

		alarm(3);
		r = atomicio_read(path, 100, 0, &buf, &len);
		_exit(r == CUSTOS_ERR_FORMAT && buf == NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		fail_msg("atomicio_read blocked on a FIFO (open without "
		    "O_NONBLOCK)");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_read_too_large(void **state)
{
	struct fixture *f = *state;
	unsigned char data[101];
	unsigned char *buf = NULL;
	size_t len = 0;
	char path[PATH_MAX];

	memset(data, 'a', sizeof(data));
	join(path, f->dir, "big");
	write_file(path, data, sizeof(data));
	assert_int_equal(atomicio_read(path, 100, 0, &buf, &len),
	    CUSTOS_ERR_TOO_LARGE);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(atomicio_read(path, 100, 1, &buf, &len),
	    CUSTOS_ERR_TOO_LARGE);
	assert_null(buf);
	assert_int_equal(atomicio_read(path, 0, 0, &buf, &len),
	    CUSTOS_ERR_TOO_LARGE);
	assert_null(buf);
}

static void
read_exact(const char *dir, int secret)
{
	unsigned char data[100];
	unsigned char *buf = NULL;
	size_t len = 0, i;
	char path[PATH_MAX];

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(0xff - i);
	data[10] = 0;	/* binary-safe */
	join(path, dir, secret ? "exact-secret" : "exact");
	write_file(path, data, sizeof(data));
	assert_int_equal(atomicio_read(path, sizeof(data), secret, &buf, &len),
	    CUSTOS_OK);
	assert_non_null(buf);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(buf[len], '\0');
	atomicio_free_buf(buf, len, secret);
	/* A roomier limit reads the same. */
	assert_int_equal(atomicio_read(path, 4096, secret, &buf, &len),
	    CUSTOS_OK);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(buf[len], '\0');
	atomicio_free_buf(buf, len, secret);
}

static void
test_read_exact_size(void **state)
{
	struct fixture *f = *state;

	read_exact(f->dir, 0);
}

static void
test_read_secret(void **state)
{
	struct fixture *f = *state;

	read_exact(f->dir, 1);
}

static void
test_read_empty(void **state)
{
	struct fixture *f = *state;
	unsigned char *buf = NULL;
	size_t len = 99;
	char path[PATH_MAX];
	int secret;

	join(path, f->dir, "empty");
	write_file(path, "", 0);
	for (secret = 0; secret <= 1; secret++) {
		assert_int_equal(atomicio_read(path, 0, secret, &buf, &len),
		    CUSTOS_OK);
		assert_non_null(buf);
		assert_int_equal(len, 0);
		assert_int_equal(buf[0], '\0');
		atomicio_free_buf(buf, len, secret);
	}
}

static void
test_free_buf_null(void **state)
{
	(void)state;
	atomicio_free_buf(NULL, 0, 0);
	atomicio_free_buf(NULL, 10, 1);
}

static void
test_create_then_read(void **state)
{
	struct fixture *f = *state;
	unsigned char data[512];
	unsigned char *buf = NULL;
	size_t len = 0;
	char path[PATH_MAX];

	secmem_random(data, sizeof(data));
	join(path, f->dir, "rt");
	assert_int_equal(atomicio_create(path, data, sizeof(data)), CUSTOS_OK);
	assert_int_equal(atomicio_read(path, sizeof(data), 1, &buf, &len),
	    CUSTOS_OK);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	atomicio_free_buf(buf, len, 1);
}

/* mkdir -p: every level made 0700, again is no error, and a file in the
   way is an error. */
static void
test_mkdirs(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], file[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/c", f->dir);
	assert_int_equal(atomicio_mkdirs(path), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/a/b", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/a/b/c", f->dir);
	assert_int_equal(atomicio_mkdirs(path), 0);
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	assert_int_equal(atomicio_create(file, "x", 1), 0);
	snprintf(path, sizeof(path), "%s/plain/d", f->dir);
	assert_int_not_equal(atomicio_mkdirs(path), 0);
	assert_int_not_equal(stat(path, &sb), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_exact_bytes_mode),
		T(test_create_empty),
		T(test_create_relative),
		T(test_create_invalid),
		T(test_create_refuses_existing_file),
		T(test_create_refuses_dangling_symlink),
		T(test_create_refuses_symlink_to_file),
		T(test_create_refuses_directory),
		T(test_create_missing_dir),
		T(test_create_write_failure_cleans_up),
		T(test_create_no_space),
		T(test_read_missing),
		T(test_read_directory),
		T(test_read_fifo),
		T(test_read_too_large),
		T(test_read_exact_size),
		T(test_read_secret),
		T(test_read_empty),
		T(test_free_buf_null),
		T(test_create_then_read),
		T(test_mkdirs),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
