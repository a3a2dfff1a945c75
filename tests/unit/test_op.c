/*
 * test_op.c - the ceremony engine's operations called directly, as both
 * front ends call them, on an emulated device with a scripted io: import
 * with reconcile (a share is never sent twice, whatever the moment of the
 * cut), the DKEK rebuilt in memory from its shares, and the quorum search
 * that names a wrong SLIP-39 share among more than the threshold.
 */
#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../cards/card.h"
#include "../../cards/sc_hsm.h"
#include "../../ceremony/dkek.h"
#include "../../ceremony/op.h"
#include "../../ceremony/op_dev.h"
#include "../../ceremony/op_hsm.h"
#include "../../ceremony/op_share.h"
#include "../../ceremony/sharefile.h"
#include "../../ceremony/sharefile_v1.h"
#include "../../common/encode.h"
#include "../../common/secmem.h"
#include "../../shamir/slip39.h"

#define SO_PIN "3537363231383830"
#define PIN "648219"

static char tmp[64];

struct tio {
	int records, die_at;	/* _exit() right after record die_at */
	char last[64];		/* the last action recorded */
	char warned[512];	/* the last warning */
};

#define SHARE_PW "long-passphrase-one-1"

static char *
dup_secret(const char *s, size_t *len)
{
	char *p = secmem_alloc(strlen(s) + 1);

	assert_non_null(p);
	memcpy(p, s, strlen(s) + 1);
	*len = strlen(s);
	return p;
}

static int
t_secret(void *arg, enum op_secret kind, const char *who, const char *what,
    const char *hint, char **out, size_t *len)
{
	(void)arg, (void)who, (void)what, (void)hint;
	if (kind == OP_SECRET_SO_PIN || kind == OP_SECRET_SO_PIN_NEW)
		*out = dup_secret(SO_PIN, len);
	else if (kind == OP_SECRET_PIN || kind == OP_SECRET_PIN_NEW)
		*out = dup_secret(PIN, len);
	else if (kind == OP_SECRET_OLD)
		*out = dup_secret(SHARE_PW, len);
	else
		return CUSTOS_ERR_CANCELLED;
	return 0;
}

static int
t_confirm(void *arg, const char *consequence, const char *word)
{
	(void)arg, (void)consequence, (void)word;
	return 0;
}

static void
t_text(void *arg, const char *text)
{
	(void)arg, (void)text;
}

static void
t_warn(void *arg, const char *text)
{
	struct tio *t = arg;

	snprintf(t->warned, sizeof(t->warned), "%s", text);
}

static int
t_handover(void *arg, const char *who, const char *why,
    enum op_handover kind)
{
	(void)arg, (void)who, (void)why, (void)kind;
	return 0;
}

static void
t_show(void *arg, const char *label, const char *hex)
{
	(void)arg, (void)label, (void)hex;
}

static void
t_progress(void *arg, const char *what, size_t done, size_t total)
{
	(void)arg, (void)what, (void)done, (void)total;
}

static void
t_recorded(void *arg, const char *action, const char *step)
{
	struct tio *t = arg;

	(void)step;
	snprintf(t->last, sizeof(t->last), "%s", action);
	if (++t->records == t->die_at)
		_exit(0);	/* the laptop dies right after this record */
}

static struct op_io
io_for(struct tio *t)
{
	struct op_io io = {
		.arg = t, .handover = t_handover, .secret = t_secret,
		.confirm = t_confirm, .show = t_show, .progress = t_progress,
		.note = t_text, .warn = t_warn, .recorded = t_recorded,
	};

	return io;
}

static int
setup(void **state)
{
	char d[128];

	(void)state;
	testutil_tmpdir(tmp);
	snprintf(d, sizeof(d), "%s/emu", tmp);
	setenv("CUSTOS_EMU_DIR", d, 1);
	snprintf(d, sizeof(d), "%s/state", tmp);
	setenv("CUSTOS_STATE_DIR", d, 1);
	unsetenv("CUSTOS_EMU_FAULTS");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unsetenv("CUSTOS_EMU_FAULTS");
	testutil_rmtree(tmp);
	return 0;
}

/* A share with value b, b+1, ... and its fingerprint. */
static void
share_of(struct op_share *s, unsigned char b)
{
	unsigned char f[DKEK_FPR_LEN];
	size_t i;

	memset(s, 0, sizeof(*s));
	assert_non_null(s->value = secmem_alloc(DKEK_SHARE_LEN));
	for (i = 0; i < DKEK_SHARE_LEN; i++)
		s->value[i] = (unsigned char)(b + i);
	dkek_share_fingerprint(f, s->value);
	assert_int_equal(encode_hex(s->fpr, sizeof(s->fpr), f, sizeof(f), 1),
	    0);
}

static void
kcv_of(struct op_share *a, struct op_share *b, char out[17])
{
	const unsigned char *l[2] = { a->value, b->value };
	unsigned char *dkek = secmem_alloc(DKEK_SHARE_LEN), k[8];

	assert_non_null(dkek);
	assert_int_equal(dkek_combine(dkek, k, l, 2, NULL, NULL), 0);
	dkek_kcv_hex(out, k);
	secmem_free(dkek);
}

/* The device name's DKEK shares in, and its KCV. */
static int
device_in(const char *name, char kcv[17])
{
	struct card *c = NULL;
	int total = 0, left = 0, tries;
	uint8_t k[8];
	char spec[64];

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, PIN, strlen(PIN), &tries), 0);
	assert_int_equal(sc_hsm_dkek_query(c, &total, &left, k), 0);
	if (kcv != NULL)
		dkek_kcv_hex(kcv, k);
	card_close(c);
	return total - left;
}

/* A context and the device emu:name, reconciled as every run does. */
static struct op_ctx *
ctx_dev(struct tio *t, struct op_io *io, const char *name, struct op_dev **d)
{
	struct op_ctx *cx = NULL;
	char spec[64];

	*io = io_for(t);
	assert_int_equal(op_ctx_new(&cx, io, NULL, 0), 0);
	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(op_dev_open(cx, spec, NULL, NULL, d), 0);
	return cx;
}

static void
init_dev(const char *name)
{
	struct op_init_args ia = { .dkek_shares = 2, .retries = 3 };
	struct tio t = { 0 };
	struct op_io io;
	struct op_dev *d;
	struct op_ctx *cx = ctx_dev(&t, &io, name, &d);
	int erased = 0;

	assert_int_equal(op_hsm_init(cx, d, &ia, &erased), 0);
	op_ctx_free(cx);
}

/* Imports shares in a child that dies at record die_at, or (faults) as
   the emulator says; returns the child's exit status. */
static int
cut_import(const char *name, struct op_share *s, size_t n, int die_at,
    const char *faults)
{
	pid_t pid = fork();
	int st = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct tio t = { .die_at = die_at };
		struct op_import_result res;
		struct op_io io;
		struct op_dev *d;
		struct op_ctx *cx;

		if (faults != NULL)
			setenv("CUSTOS_EMU_FAULTS", faults, 1);
		cx = ctx_dev(&t, &io, name, &d);
		if (op_hsm_import(cx, d, s, n, NULL, &res) != 0)
			_exit(98);
		_exit(99);	/* not cut: the test is wrong */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
test_import_reconcile(void **state)
{
	struct op_share s[2];
	struct op_import_result res;
	struct tio t = { 0 };
	struct op_io io;
	struct op_dev *d;
	struct op_ctx *cx;
	char want[17], kcv[17];

	(void)state;
	share_of(&s[0], 0x10);
	share_of(&s[1], 0x70);
	kcv_of(&s[0], &s[1], want);

	/* cut right after the intent: the device has not acted */
	init_dev("a");
	assert_int_equal(cut_import("a", s, 2, 1, NULL), 0);
	assert_int_equal(device_in("a", NULL), 0);
	/* cut after the device took the first share, before its record */
	init_dev("b");
	assert_int_not_equal(cut_import("b", s, 2, 0, "exit-after=52:2"), 99);
	assert_int_equal(device_in("b", NULL), 1);

	/* the next run takes each cut up, and sends only what is not in */
	cx = ctx_dev(&t, &io, "a", &d);
	assert_int_equal(op_hsm_import(cx, d, s, 2, NULL, &res), 0);
	assert_int_equal(res.skipped, 0);
	assert_int_equal(res.imported, 2);
	op_dev_release(d);	/* the device is one process's at a time */
	assert_int_equal(device_in("a", kcv), 2);
	assert_string_equal(kcv, want);
	op_ctx_free(cx);

	cx = ctx_dev(&t, &io, "b", &d);
	assert_int_equal(op_hsm_import(cx, d, s, 2, NULL, &res), 0);
	assert_int_equal(res.skipped, 1);
	assert_int_equal(res.imported, 1);
	op_dev_release(d);
	assert_int_equal(device_in("b", kcv), 2);
	assert_string_equal(kcv, want);	/* not the all-zero DKEK */
	/* a share the record shows in is refused, and nothing is sent or
	   journaled (refusals go to a ceremony's transcript only) */
	t.records = 0;
	assert_int_equal(op_hsm_import(cx, d, s, 1, NULL, &res),
	    CUSTOS_ERR_DUPLICATE_SHARE);
	assert_non_null(strstr(op_why(cx), "already in"));
	assert_int_equal(t.records, 0);
	op_ctx_free(cx);
	op_share_clear(&s[0]);
	op_share_clear(&s[1]);
}

/* A v1 share file at tmp/name labelled label; its path into path. */
static void
share_file(const char *name, const char *label, char *path, size_t sz)
{
	unsigned char v[32];
	struct v1_header h;

	memset(&h, 0, sizeof(h));
	memset(v, 0x5a, sizeof(v));
	snprintf(h.label, sizeof(h.label), "%s", label);
	h.opslimit = 1;
	h.mem_kib = 8;
	snprintf(path, sz, "%s/%s", tmp, name);
	assert_int_equal(sharefile_create(path, SHAREFILE_V1, v,
	    (const unsigned char *)SHARE_PW, strlen(SHARE_PW), &h,
	    PBE_ITERATIONS), 0);
}

static int
same_bytes(const char *a, const char *b)
{
	char ba[4096], bb[4096];
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	size_t na = 0, nb = 0;

	if (fa != NULL)
		na = fread(ba, 1, sizeof(ba), fa), fclose(fa);
	if (fb != NULL)
		nb = fread(bb, 1, sizeof(bb), fb), fclose(fb);
	return na > 0 && na == nb && memcmp(ba, bb, na) == 0;
}

static void
test_share_copy(void **state)
{
	struct op_copy_result res;
	struct tio t = { 0 };
	struct op_io io = io_for(&t);
	struct op_ctx *cx = NULL;
	char file[256], media[256], to[512], key[256], other[256];
	struct stat sb;

	(void)state;
	assert_int_equal(op_ctx_new(&cx, &io, NULL, 0), 0);
	share_file("alice.share", "alice", file, sizeof(file));
	snprintf(media, sizeof(media), "%s/media", tmp);
	assert_int_equal(mkdir(media, 0700), 0);
	/* into a directory: the same name, the same bytes, read back */
	assert_int_equal(op_share_copy(cx, NULL, file, media, &res), 0);
	snprintf(to, sizeof(to), "%s/alice.share", media);
	assert_string_equal(res.to, to);
	assert_int_equal(strlen(res.sha256), 64);
	assert_int_equal(res.existed, 0);
	assert_true(same_bytes(file, to));
	/* again: the same bytes are there; nothing is written */
	assert_int_equal(op_share_copy(cx, "alice", file, media, &res), 0);
	assert_int_equal(res.existed, 1);
	/* another file under that name is never overwritten */
	share_file("bob.share", "bob", other, sizeof(other));
	snprintf(to, sizeof(to), "%s/bob-copy.share", media);
	assert_int_equal(op_share_copy(cx, NULL, other, to, &res), 0);
	assert_true(same_bytes(other, to));
	assert_int_equal(op_share_copy(cx, NULL, file, to, &res),
	    CUSTOS_ERR_EXISTS);
	assert_non_null(strstr(op_why(cx), "never overwritten"));
	assert_true(same_bytes(other, to));
	/* a medium that is not there: refused, nothing made */
	snprintf(to, sizeof(to), "%s/not-mounted", tmp);
	assert_int_equal(op_share_copy(cx, NULL, file, to, &res),
	    CUSTOS_ERR_NOT_FOUND);
	assert_non_null(strstr(op_why(cx), "is the medium mounted?"));
	assert_int_equal(stat(to, &sb), -1);
	snprintf(to, sizeof(to), "%s/not-mounted/x.share", tmp);
	assert_int_equal(op_share_copy(cx, NULL, file, to, &res),
	    CUSTOS_ERR_NOT_FOUND);
	/* a ceremony's signing key, or a file that is no share: refused */
	share_file("key.share", "ceremony-signing-key", key, sizeof(key));
	assert_int_equal(op_share_copy(cx, NULL, key, media, &res),
	    CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(op_why(cx), "signing key"));
	snprintf(to, sizeof(to), "%s/media/key.share", tmp);
	assert_int_equal(stat(to, &sb), -1);
	snprintf(other, sizeof(other), "%s/notes.txt", tmp);
	{
		FILE *f = fopen(other, "w");

		assert_non_null(f);
		fputs("not a share\n", f);
		fclose(f);
	}
	assert_int_not_equal(op_share_copy(cx, NULL, other, media, &res), 0);
	assert_non_null(strstr(op_why(cx), "not a share file"));
	op_ctx_free(cx);
}

/* SLIP-39 mnemonics of share, threshold of count, into lines. */
static void
mnemonics(const unsigned char *share, unsigned threshold, unsigned count,
    char lines[][SLIP39_MNEMONIC_MAX + 1])
{
	struct slip39_group g = { .threshold = (uint8_t)threshold,
	    .count = (uint8_t)count };
	struct slip39_share sh[16];
	size_t n = 0, i;
	uint16_t id;

	assert_int_equal(slip39_split(share, DKEK_SHARE_LEN, NULL, 0, 1, 0, 1,
	    &g, 1, sh, 16, &n, &id), 0);
	assert_int_equal(n, count);
	for (i = 0; i < n; i++)
		assert_int_equal(slip39_mnemonic_encode(&sh[i], lines[i],
		    SLIP39_MNEMONIC_MAX + 1), 0);
}

static void
write_lines(const char *path, char lines[][SLIP39_MNEMONIC_MAX + 1],
    const unsigned *which, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[which[i]]);
	assert_int_equal(fclose(f), 0);
}

static void
test_dkek_rebuild(void **state)
{
	char la[3][SLIP39_MNEMONIC_MAX + 1], lb[3][SLIP39_MNEMONIC_MAX + 1];
	char pa[128], pb[128], want[17], got[17];
	char *files[2] = { pa, pb }, *same[2] = { pa, pa };
	struct op_dkek_sources src = { .mnemonics = files, .nmnemonics = 2 };
	struct op_share a, b;
	struct tio t = { 0 };
	struct op_io io = io_for(&t);
	struct op_ctx *cx = NULL;
	unsigned char *dkek = secmem_alloc(DKEK_SHARE_LEN), k[8];
	const unsigned q1[] = { 0, 2 }, q2[] = { 1, 2 };

	(void)state;
	assert_non_null(dkek);
	share_of(&a, 0x01);
	share_of(&b, 0x55);
	kcv_of(&a, &b, want);
	mnemonics(a.value, 2, 3, la);
	mnemonics(b.value, 2, 3, lb);
	snprintf(pa, sizeof(pa), "%s/a.txt", tmp);
	snprintf(pb, sizeof(pb), "%s/b.txt", tmp);
	write_lines(pa, la, q1, 2);	/* any 2 of 3 rebuild each share */
	write_lines(pb, lb, q2, 2);
	assert_int_equal(op_ctx_new(&cx, &io, NULL, 0), 0);
	assert_int_equal(op_dkek_rebuild(cx, &src, dkek), 0);
	dkek_kcv(k, dkek);
	dkek_kcv_hex(got, k);
	assert_string_equal(got, want);
	/* the same share twice would cancel out: refused */
	src.mnemonics = same;
	assert_int_equal(op_dkek_rebuild(cx, &src, dkek),
	    CUSTOS_ERR_DUPLICATE_SHARE);
	/* one mnemonic short of the threshold: refused, says so */
	write_lines(pb, lb, q2, 1);
	src.mnemonics = files;
	assert_int_not_equal(op_dkek_rebuild(cx, &src, dkek), 0);
	assert_true(strlen(op_why(cx)) > 0);
	op_ctx_free(cx);
	secmem_free(dkek);
	op_share_clear(&a);
	op_share_clear(&b);
}

static void
test_quorum_search(void **state)
{
	char l[4][SLIP39_MNEMONIC_MAX + 1], p[128];
	char *files[1] = { p };
	struct op_combine_args ca = { .from = OP_SHARES_TEXT_FILE,
	    .files = files, .nfiles = 1, .legacy = 0 };
	struct op_combined res;
	struct slip39_share bad;
	struct op_share s;
	struct tio t = { 0 };
	struct op_io io = io_for(&t);
	struct op_ctx *cx = NULL;
	size_t pos = 0;
	const unsigned all[] = { 0, 1, 2, 3 }, two[] = { 0, 3 };

	(void)state;
	share_of(&s, 0x33);
	mnemonics(s.value, 2, 3, l);
	/* member 2 altered, with a valid checksum: a forged or misread
	   share that only the digest can catch */
	assert_int_equal(slip39_mnemonic_decode(l[1], &bad, NULL, 0, &pos),
	    0);
	bad.value[5] ^= 0x40;
	assert_int_equal(slip39_mnemonic_encode(&bad, l[1], sizeof(l[1])), 0);
	memcpy(l[3], l[1], sizeof(l[3]));
	snprintf(p, sizeof(p), "%s/q.txt", tmp);
	assert_int_equal(op_ctx_new(&cx, &io, NULL, 0), 0);

	/* three given, one wrong: it is named and left out, the rest
	   agree and give the share */
	write_lines(p, l, all, 3);
	memset(&res, 0, sizeof(res));
	assert_int_equal(op_combine(cx, &ca, &res), 0);
	assert_string_equal(res.fpr, s.fpr);
	assert_string_equal(res.wrong, "2");
	assert_memory_equal(res.share, s.value, DKEK_SHARE_LEN);
	op_combined_free(&res);
	/* only the threshold given, one of them wrong: nothing to search,
	   refused */
	write_lines(p, l, two, 2);
	memset(&res, 0, sizeof(res));
	assert_int_not_equal(op_combine(cx, &ca, &res), 0);
	assert_true(strlen(op_why(cx)) > 0);
	op_combined_free(&res);
	op_ctx_free(cx);
	op_share_clear(&s);
}

/* The sc-hsm-tool lines of sheet dir/pwshare-I-NAME.txt appended to f. */
static void
append_pwshare(FILE *f, const char *dir, int i, const char *name)
{
	char path[256], line[256];
	FILE *s;

	snprintf(path, sizeof(path), "%s/pwshare-%d-%s.txt", dir, i, name);
	assert_non_null(s = fopen(path, "r"));
	while (fgets(line, sizeof(line), s) != NULL)
		if (strncmp(line, "Prime", 5) == 0 ||
		    strncmp(line, "Share ID", 8) == 0 ||
		    strncmp(line, "Share value", 11) == 0)
			fputs(line, f);
	fclose(s);
}

/*
 * Legacy combine: a share split as sc-hsm-tool splits the password of its
 * .pbe, rebuilt from two of three sheets; with all three given and one of
 * them altered, the altered one is found and left out.
 */
static void
test_legacy_combine(void **state)
{
	const char *who[3] = { "x", "y", "z" };
	struct op_split_args sa;
	struct op_combine_args ca;
	struct op_combined res;
	struct op_share s;
	struct tio t = { 0 };
	struct op_io io = io_for(&t);
	struct op_ctx *cx = NULL;
	char dir[128], pbe[160], txt[160], prime[17], fpr[17];
	char *files[1] = { txt };
	FILE *f;

	(void)state;
	share_of(&s, 0x21);
	snprintf(dir, sizeof(dir), "%s/legacy", tmp);
	snprintf(pbe, sizeof(pbe), "%s/l.pbe", tmp);
	snprintf(txt, sizeof(txt), "%s/pw.txt", tmp);
	memset(&sa, 0, sizeof(sa));
	sa.share = s.value;
	sa.threshold = 2;
	sa.custodians = who;
	sa.ncustodians = 3;
	sa.out_dir = dir;
	sa.sheets = 1;
	sa.avoid_id = -1;
	assert_int_equal(op_ctx_new(&cx, &io, NULL, 0), 0);
	assert_int_equal(op_share_split_legacy(cx, &sa, pbe, prime, fpr), 0);
	assert_string_equal(fpr, s.fpr);

	memset(&ca, 0, sizeof(ca));
	ca.from = OP_SHARES_TEXT_FILE;
	ca.files = files;
	ca.nfiles = 1;
	ca.legacy = 1;
	ca.pbe = pbe;
	ca.threshold = 2;
	assert_non_null(f = fopen(txt, "w"));
	append_pwshare(f, dir, 1, "x");
	append_pwshare(f, dir, 3, "z");
	assert_int_equal(fclose(f), 0);
	memset(&res, 0, sizeof(res));
	assert_int_equal(op_combine(cx, &ca, &res), 0);
	assert_memory_equal(res.share, s.value, DKEK_SHARE_LEN);
	assert_string_equal(res.fpr, s.fpr);
	op_combined_free(&res);

	/* three given, y's value altered in its last digit: left out */
	assert_non_null(f = fopen(txt, "w"));
	append_pwshare(f, dir, 1, "x");
	append_pwshare(f, dir, 3, "z");
	assert_int_equal(fclose(f), 0);
	{
		char path[256], line[256], *c;
		FILE *in, *out = fopen(txt, "a");

		snprintf(path, sizeof(path), "%s/pwshare-2-y.txt", dir);
		assert_non_null(in = fopen(path, "r"));
		assert_non_null(out);
		while (fgets(line, sizeof(line), in) != NULL) {
			if (strncmp(line, "Share value", 11) == 0 &&
			    (c = strrchr(line, '\n')) != NULL && c > line)
				c[-1] = c[-1] == '0' ? '1' : '0';
			if (strncmp(line, "Prime", 5) == 0 ||
			    strncmp(line, "Share ID", 8) == 0 ||
			    strncmp(line, "Share value", 11) == 0)
				fputs(line, out);
		}
		fclose(in);
		assert_int_equal(fclose(out), 0);
	}
	memset(&res, 0, sizeof(res));
	assert_int_equal(op_combine(cx, &ca, &res), 0);
	assert_memory_equal(res.share, s.value, DKEK_SHARE_LEN);
	assert_string_equal(res.wrong, "3");	/* the third given */
	op_combined_free(&res);
	op_ctx_free(cx);
	op_share_clear(&s);
}

/*
 * Issue 14: a share file whose Argon2id cost is below what custos writes
 * (another writer's 8 KiB) still opens, and the reader is warned; the
 * writer's own floor is not lowered by it.
 */
static void
test_weak_kdf_warned(void **state)
{
	struct v1_header h;
	struct op_share s;
	struct tio t = { 0 };
	struct op_io io = io_for(&t);
	struct op_ctx *cx = NULL;
	unsigned char share[DKEK_SHARE_LEN];
	char path[128], *txt = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(h.label, sizeof(h.label), "alice");
	h.opslimit = 1;
	h.mem_kib = 8;
	memset(share, 0x42, sizeof(share));
	assert_int_equal(v1_seal(&txt, &len, &h, share,
	    (const unsigned char *)SHARE_PW, strlen(SHARE_PW)), 0);
	snprintf(path, sizeof(path), "%s/weak.share", tmp);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(txt, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(txt);
	assert_int_equal(op_ctx_new(&cx, &io, NULL, 0), 0);
	assert_int_equal(op_share_open_file(cx, path, &s), 0);
	assert_memory_equal(s.value, share, sizeof(share));
	assert_non_null(strstr(t.warned, "weak"));
	assert_non_null(strstr(t.warned, "8 KiB"));
	op_share_clear(&s);
	/* one written at the floor opens without a word */
	h.mem_kib = V1_MEM_KIB_FLOOR;
	t.warned[0] = '\0';
	assert_int_equal(v1_seal(&txt, &len, &h, share,
	    (const unsigned char *)SHARE_PW, strlen(SHARE_PW)), 0);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(txt, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(txt);
	assert_int_equal(op_share_open_file(cx, path, &s), 0);
	assert_string_equal(t.warned, "");
	op_share_clear(&s);
	op_ctx_free(cx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_reconcile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_share_copy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dkek_rebuild, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quorum_search, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_weak_kdf_warned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_legacy_combine, setup,
		    teardown),
	};

	assert_int_equal(secmem_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
