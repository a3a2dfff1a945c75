/*
 * test_walk.c - the ceremony state machine without a terminal: plans
 * turned into steps, a whole new-DKEK ceremony and a disaster-recovery
 * restore on emulated devices with a scripted io, bad input at each kind
 * of step, and the program killed at every record (a child process that
 * _exit()s) and resumed, including the windows where the device acted but
 * the transcript had not yet said so.
 */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../cards/card.h"
#include "../../cards/sc_hsm.h"
#include "../../cards/sc_hsm_keys.h"
#include "../../ceremony/backup.h"
#include "../../ceremony/backup_manifest.h"
#include "../../ceremony/dkek.h"
#include "../../ceremony/sharefile.h"
#include "../../ceremony/sharefile_member.h"
#include "../../ceremony/verify.h"
#include "../../ceremony/walk.h"
#include "../../common/secmem.h"
#include "../../shamir/slip39.h"

#define ADMIN_PW "dana-Quartz-Lantern-Meadow-71"
#define PIN "648219"
#define KDF_KIB (256ULL * 1024)

static char tmp[64];

struct sio {
	int records;		/* records seen by this process */
	int die_at;		/* _exit(0) at this record (0: never) */
	int reveals;
	int confirms, erase_confirms;
	int refuse_confirm;	/* answer no */
	const char *wrong_for;	/* give this custodian a wrong passphrase */
	const char *absent;	/* this custodian presses Esc */
	const char *quits;	/* at this custodian's hand-over: quit */
	int handovers;
	const char *copy_to;	/* each takes a copy of their file here */
	int copy_miss;		/* the first answer names no directory */
	int offers;		/* copy offers */
	char hint[512];		/* the last offer's hint */
	int in_copy;		/* a destination was just given */
	int die_in_copy;	/* _exit(0) at the copy's intent */
	int wrong_admin;
	char words[1024];	/* the words last shown (typed back) */
	const char *typo_for;	/* this custodian mistypes word 1 once */
	int typos;
	char last_label[64], last_hex[65];
	char kcv[17];
	char pka_why[256];	/* the last quorum hand-over's words */
	const char *pka_absent;	/* backs out of the quorum's hand-over */
	const char *die_step;	/* _exit(0) after the first record of
				   die_action by this step */
	const char *die_action;
};

static void
pw_for(const char *who, char *out, size_t sz)
{
	snprintf(out, sz, "%s-Plum-Crater-Velvet-Oboe-93", who);
}

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
s_handover(void *arg, const char *who, const char *why,
    enum op_handover kind)
{
	struct sio *s = arg;

	(void)why;
	s->handovers++;
	if (kind == OP_HANDOVER_MEMBER && s->pka_absent != NULL &&
	    strcmp(who, s->pka_absent) == 0)
		return CUSTOS_ERR_CANCELLED;
	if (strstr(why, "authenticated.") != NULL)
		snprintf(s->pka_why, sizeof(s->pka_why), "%s", why);
	return s->quits != NULL && strcmp(who, s->quits) == 0 ?
	    CUSTOS_ERR_QUIT : 0;
}

static int
s_secret(void *arg, enum op_secret kind, const char *who, const char *what,
    const char *hint, char **out, size_t *len)
{
	struct sio *s = arg;
	char pw[128];

	(void)what, (void)hint;
	switch (kind) {
	case OP_SECRET_SHARES:	/* the words, typed back from paper */
		if (s->typo_for != NULL && strcmp(who, s->typo_for) == 0 &&
		    s->typos++ == 0) {
			char typo[1100];

			snprintf(typo, sizeof(typo), "zzz %s", strchr(s->words,
			    ' ') + 1);
			*out = dup_secret(typo, len);
			return 0;
		}
		*out = dup_secret(s->words, len);
		return 0;
	case OP_SECRET_ADMIN_NEW:
	case OP_SECRET_ADMIN:
		*out = dup_secret(s->wrong_admin ? "x" ADMIN_PW : ADMIN_PW,
		    len);
		return 0;
	case OP_SECRET_SO_PIN:
	case OP_SECRET_SO_PIN_NEW:
		*out = dup_secret(WALK_SO_PIN_DEFAULT, len);
		return 0;
	case OP_SECRET_PIN:
	case OP_SECRET_PIN_NEW:
		*out = dup_secret(PIN, len);
		return 0;
	default:
		break;
	}
	if (s->absent != NULL && strcmp(who, s->absent) == 0)
		return CUSTOS_ERR_CANCELLED;
	pw_for(who, pw, sizeof(pw));
	if (s->wrong_for != NULL && strcmp(who, s->wrong_for) == 0)
		pw[0] = 'X';
	*out = dup_secret(pw, len);
	return 0;
}

static int
s_reveal(void *arg, const char *who, const char *title, const char *secret)
{
	struct sio *s = arg;

	(void)who, (void)title;
	/* a SLIP-39 mnemonic of a 32-byte share: 33 words */
	assert_true(strlen(secret) > 33 * 4);
	snprintf(s->words, sizeof(s->words), "%s", secret);
	s->reveals++;
	return 1;	/* shown */
}

static int
s_confirm(void *arg, const char *consequence, const char *word)
{
	struct sio *s = arg;

	assert_true(strlen(consequence) > 10);
	s->confirms++;
	if (strcmp(word, "ERASE") == 0)
		s->erase_confirms++;
	return s->refuse_confirm ? CUSTOS_ERR_CANCELLED : 0;
}

static void
s_show(void *arg, const char *label, const char *hex)
{
	struct sio *s = arg;

	snprintf(s->last_label, sizeof(s->last_label), "%s", label);
	snprintf(s->last_hex, sizeof(s->last_hex), "%s", hex);
	if (strcmp(label, "DKEK KCV") == 0)
		snprintf(s->kcv, sizeof(s->kcv), "%s", hex);
}

static void
s_progress(void *arg, const char *what, size_t done, size_t total)
{
	(void)arg, (void)what, (void)done, (void)total;
}

static void
s_note(void *arg, const char *text)
{
	(void)arg, (void)text;
}

static void
s_recorded(void *arg, const char *action, const char *step)
{
	struct sio *s = arg;

	if (++s->records == s->die_at)
		_exit(0);	/* the laptop dies right after this record */
	if (s->die_step != NULL && step != NULL &&
	    strcmp(step, s->die_step) == 0 && strcmp(action,
	    s->die_action) == 0)
		_exit(0);
	if (s->die_in_copy && s->in_copy && strcmp(action, "intent") == 0)
		_exit(0);	/* cut between the copy's intent and record */
	s->in_copy = 0;
}

static int
s_text(void *arg, const char *who, const char *question, const char *hint,
    char *out, size_t outsz)
{
	struct sio *s = arg;

	assert_non_null(strstr(question, who));
	/* shares/share-1-alice.share, or shares/domain-0/share-... */
	assert_non_null(strstr(question, "shares/"));
	assert_non_null(strstr(question, "/share-"));
	snprintf(s->hint, sizeof(s->hint), "%s", hint);
	out[0] = '\0';
	if (s->copy_to == NULL)
		return 0;	/* Enter: it stays here */
	if (s->copy_miss && s->offers == 1)	/* the refusal, said */
		assert_non_null(strstr(hint, "no such directory (is the medium "
		    "mounted?)"));
	if (s->offers++ == 0 && s->copy_miss)
		snprintf(out, outsz, "%s/no-such-medium", tmp);
	else
		snprintf(out, outsz, "%s", s->copy_to);
	s->in_copy = 1;
	return 0;
}

static struct op_io
io_for(struct sio *s)
{
	struct op_io io = {
		.arg = s, .handover = s_handover, .secret = s_secret,
		.reveal = s_reveal, .confirm = s_confirm, .show = s_show,
		.progress = s_progress, .note = s_note,
		.recorded = s_recorded, .text = s_text,
	};

	return io;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char new_plan[] =
    "custos-plan: 1\n"
    "kind: new-dkek\n"
    "title: Walk test ceremony\n"
    "admin: dana\n"
    "rehearsal: true\n"
    "witnesses: [wendy]\n"
    "custodians: [alice, bob, carol, dave]\n"
    "dkek:\n"
    "  shares:\n"
    "    - holder: alice\n"
    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
    "hsms:\n"
    "  - {name: primary, serial: DENK0100001}\n"
    "  - {name: secondary, serial: DENK0100002}\n"
    "keys:\n"
    "  - {label: signing, type: \"ec:P-256\"}\n"
    "  - {label: archive, type: \"rsa:2048\"}\n"
    "backup: backups/main\n";

static void
make_new_plan(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/new.yaml", tmp);
	write_file(path, new_plan);
}

/* A restore plan named file (under tmp) onto hsms (YAML list items). */
static void
make_restore_plan_to(const char *kcv, const char *file, const char *hsms)
{
	char path[128], text[1024];

	snprintf(text, sizeof(text),
	    "custos-plan: 1\n"
	    "kind: restore\n"
	    "title: Walk test restore\n"
	    "admin: dana\n"
	    "rehearsal: true\n"
	    "custodians: [alice, bob, carol, dave]\n"
	    "dkek:\n"
	    "  shares:\n"
	    "    - holder: alice\n"
	    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
	    "hsms:\n"
	    "%s"
	    "share_dir: new/shares\n"
	    "backup: new/backups/main\n"
	    "expected_kcv: \"%.4s %.4s %.4s %.4s\"\n", hsms, kcv, kcv + 4,
	    kcv + 8, kcv + 12);
	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	write_file(path, text);
}

/* The restore plan, for kcv (16 hex digits). */
static void
make_restore_plan(const char *kcv)
{
	make_restore_plan_to(kcv, "restore.yaml",
	    "  - {name: replacement, serial: DENK0100003}\n");
}

/* A restore onto two HSMs at once (issue 18). */
static void
make_restore_plan2(const char *kcv)
{
	make_restore_plan_to(kcv, "restore2.yaml",
	    "  - {name: spare1, serial: DENK0100004}\n"
	    "  - {name: spare2, serial: DENK0100005}\n");
}

static struct walk_opts
opts(const char *plan, const char *dir)
{
	static char p[128], d[128];
	struct walk_opts o;

	memset(&o, 0, sizeof(o));
	snprintf(p, sizeof(p), "%s/%s", tmp, plan);
	snprintf(d, sizeof(d), "%s/%s", tmp, dir);
	o.plan_path = p;
	o.dir = d;
	o.kdf_ops = 1;
	o.kdf_mem_kib = KDF_KIB;
	return o;
}

/* Runs every remaining step; returns the first error. */
static int
run_all(struct walk *w)
{
	char why[320];
	size_t n;
	int r;

	(void)walk_steps(w, &n);
	while (walk_current(w) < n)
		if ((r = walk_step_run(w, why, sizeof(why))) != 0) {
			print_message("step: %s\n", why);
			return r;
		}
	return 0;
}

static int
setup(void **state)
{
	char emu[96];

	(void)state;
	testutil_tmpdir(tmp);
	snprintf(emu, sizeof(emu), "%s/emu", tmp);
	assert_int_equal(mkdir(emu, 0700), 0);
	setenv("CUSTOS_EMU_DIR", emu, 1);
	make_new_plan();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	testutil_rmtree(tmp);
	return 0;
}

/* The steps of each kind, in order. */
static void
test_build(void **state)
{
	struct walk_step *st = calloc(WALK_MAX_STEPS, sizeof(*st));
	struct plan *p = NULL;
	char why[256], path[128];
	const char *want[] = { "plan", "share-1", "share-2", "hsm-init-1",
	    "hsm-import-1-1", "hsm-import-1-2", "hsm-kcv-1", "hsm-init-2",
	    "hsm-import-2-1", "hsm-import-2-2", "hsm-kcv-2", "keygen-1",
	    "keygen-2", "backup", "close" };
	size_t n = 0, i;

	(void)state;
	assert_non_null(st);
	snprintf(path, sizeof(path), "%s/new.yaml", tmp);
	assert_int_equal(plan_load(path, &p, why, sizeof(why)), 0);
	assert_int_equal(walk_build(p, st, WALK_MAX_STEPS, &n), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_string_equal(st[i].id, want[i]);
	assert_int_equal(st[1].op, WALK_SHARE_CREATE);
	assert_int_equal(st[2].op, WALK_SHARE_SPLIT);
	assert_string_equal(st[3].confirm_word, "ERASE");
	assert_non_null(strstr(st[3].consequence, "ERASES"));
	assert_non_null(strstr(st[2].actor, "2 of bob, carol, dave"));
	plan_free(p);
	/* a plan the walk cannot take: zero room */
	assert_int_equal(plan_load(path, &p, why, sizeof(why)), 0);
	assert_int_equal(walk_build(p, st, 3, &n), CUSTOS_ERR_LIMIT);
	plan_free(p);
	free(st);
}

/* Opens a v1 file with who's passphrase into v (32 bytes, guarded). */
static void
open_as(const char *path, const char *who, unsigned char *v,
    struct sharefile_info *info)
{
	struct sharefile_info own;
	char pw[128];

	if (info == NULL)
		info = &own;
	pw_for(who, pw, sizeof(pw));
	assert_int_equal(sharefile_open(path, v, (unsigned char *)pw,
	    strlen(pw), PBE_ITERATIONS, info), 0);
}

/* Share 2 of the test plan, rebuilt from bob's and carol's member files
   independently of the walk's own reader. */
static void
share2(const char *dir, unsigned char *out)
{
	struct slip39_share *sh = secmem_alloc(2 * sizeof(*sh));
	struct sharefile_info info;
	const char *who[2] = { "bob", "carol" };
	char path[256];
	size_t len = 0, i;

	assert_non_null(sh);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/share-2-member-%zu-%s.share",
		    dir, i + 1, who[i]);
		open_as(path, who[i], sh[i].value, &info);
		assert_int_equal(sharefile_member_parse(info.v1.comment,
		    &sh[i]), 0);
	}
	assert_int_equal(slip39_combine(sh, 2, (const unsigned char *)"", 0,
	    out, 32, &len, NULL), 0);
	assert_int_equal(len, 32);
	secmem_free(sh);
}

/* The KCV the DKEK of the share files in dir has. */
static void
kcv_from_files(const char *dir, char out[17])
{
	unsigned char *a = secmem_alloc(32), *b = secmem_alloc(32);
	unsigned char *d = secmem_alloc(32), k[8];
	const unsigned char *sh[2];
	char path[256];

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(d);
	snprintf(path, sizeof(path), "%s/share-1-alice.share", dir);
	open_as(path, "alice", a, NULL);
	share2(dir, b);
	sh[0] = a;
	sh[1] = b;
	assert_int_equal(dkek_combine(d, k, sh, 2, NULL, NULL), 0);
	dkek_kcv_hex(out, k);
	secmem_free(a);
	secmem_free(b);
	secmem_free(d);
}

static void
verify_dir(const char *dir, int closed)
{
	struct ceremony_verdict v;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmp, dir);
	assert_int_equal(ceremony_verify(path, &v, NULL, NULL), 0);
	assert_int_equal(v.closed, closed);
}

/* The keys of the emulated device name, proven by signing. */
static void
assert_keys_proven(const char *name, size_t want)
{
	struct sc_hsm_key *keys = calloc(SC_HSM_MAX_REFS, sizeof(*keys));
	struct card *c = NULL;
	char spec[64];
	size_t n = 0, i;
	int tries;

	assert_non_null(keys);
	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, PIN, strlen(PIN), &tries), 0);
	assert_int_equal(sc_hsm_list_keys(c, keys, SC_HSM_MAX_REFS, &n), 0);
	assert_int_equal(n, want);
	for (i = 0; i < n; i++) {
		assert_int_equal(sc_hsm_prove_key(c, &keys[i]), 0);
		sc_hsm_key_clear(&keys[i]);
	}
	card_close(c);
	free(keys);
}

static void
device_kcv(const char *name, char out[17])
{
	struct card *c = NULL;
	char spec[64];
	int total, left, tries;
	uint8_t k[8];

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, PIN, strlen(PIN), &tries), 0);
	assert_int_equal(sc_hsm_dkek_query(c, &total, &left, k), 0);
	assert_int_equal(left, 0);
	dkek_kcv_hex(out, k);
	card_close(c);
}

static struct walk *
open_walk(const char *plan, const char *dir, struct sio *s,
    struct op_io *io)
{
	struct walk_opts o = opts(plan, dir);
	struct walk *w = NULL;
	char why[320];
	int r;

	*io = io_for(s);
	r = walk_open(&w, &o, io, why, sizeof(why));
	if (r != 0)
		print_message("walk_open: %s\n", why);
	assert_int_equal(r, 0);
	return w;
}

/* Takes steps until the current one is id. */
static void
run_until(struct walk *w, const char *id)
{
	const struct walk_step *st;
	char why[320];
	size_t n;

	st = walk_steps(w, &n);
	while (walk_current(w) < n && strcmp(st[walk_current(w)].id, id) != 0)
		assert_int_equal(walk_step_run(w, why, sizeof(why)), 0);
	assert_true(walk_current(w) < n);
}

static void
check_restore(const char *kcv_expected)
{
	char kcv[17];

	verify_dir("restore", 1);
	device_kcv("replacement", kcv);
	assert_string_equal(kcv, kcv_expected);
	assert_keys_proven("replacement", 2);
}

static void
check_new(char kcv_out[17])
{
	char dir[128], kcv[17], kcv2[17], sha[65];
	struct backup_manifest *m = calloc(1, sizeof(*m));
	const char *why;

	assert_non_null(m);
	verify_dir("new", 1);
	snprintf(dir, sizeof(dir), "%s/new/shares", tmp);
	kcv_from_files(dir, kcv_out);
	device_kcv("primary", kcv);
	device_kcv("secondary", kcv2);
	assert_string_equal(kcv, kcv_out);
	assert_string_equal(kcv2, kcv_out);
	assert_keys_proven("primary", 2);
	/* the set is inside the ceremony's directory */
	snprintf(dir, sizeof(dir), "%s/new/backups/main", tmp);
	assert_int_equal(backup_load(dir, m, sha, &why), 0);
	assert_int_equal(m->nkeys, 2);
	assert_string_equal(m->kcv, kcv_out);
	free(m);
}

static int count_records(const char *dir, const char *needle);

/* A whole new-DKEK ceremony, then a disaster-recovery restore. */
/* Whether files a and b (under tmp) hold the same bytes. */
static int
same_file(const char *a, const char *b)
{
	char pa[256], pb[256], ba[4096], bb[4096];
	FILE *fa, *fb;
	size_t na, nb;

	snprintf(pa, sizeof(pa), "%s/%s", tmp, a);
	snprintf(pb, sizeof(pb), "%s/%s", tmp, b);
	if ((fa = fopen(pa, "rb")) == NULL)
		return 0;
	if ((fb = fopen(pb, "rb")) == NULL) {
		fclose(fa);
		return 0;
	}
	na = fread(ba, 1, sizeof(ba), fa);
	nb = fread(bb, 1, sizeof(bb), fb);
	fclose(fa);
	fclose(fb);
	return na > 0 && na == nb && memcmp(ba, bb, na) == 0;
}

static void
test_full(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	char kcv[17], kcv2[17], media[128];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.typo_for = "carol";
	snprintf(media, sizeof(media), "%s/media", tmp);
	assert_int_equal(mkdir(media, 0700), 0);
	s.copy_to = media;
	s.copy_miss = 1;
	w = open_walk("new.yaml", "new", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	/* each file was offered to its custodian; alice's first answer
	   named no directory, was refused (said in the next offer's hint)
	   and asked again; every copy is the file, byte for byte */
	assert_int_equal(s.offers, 5);		/* alice twice, bob, carol, dave */
	assert_int_equal(count_records("new", "\"action\":\"share.copy\""),
	    4);
	assert_int_equal(count_records("new", "\"read_back\":true"), 4);
	assert_true(same_file("new/shares/share-1-alice.share",
	    "media/share-1-alice.share"));
	assert_true(same_file("new/shares/share-2-member-3-dave.share",
	    "media/share-2-member-3-dave.share"));
	assert_int_equal(access(media, F_OK), 0);
	assert_int_equal(count_records("new", "no-such-medium"), 0);
	assert_int_equal(s.reveals, 3);		/* bob, carol, dave */
	/* each typed their words back; carol's first try was refused and
	   she typed them again */
	assert_int_equal(s.typos, 2);
	assert_int_equal(count_records("new", "\"words_checked_by\":"
	    "[\"bob\",\"carol\",\"dave\"]"), 1);
	/* no passphrase, PIN or SO PIN in the transcript */
	assert_int_equal(count_records("new", "Plum-Crater"), 0);
	assert_int_equal(count_records("new", "Quartz-Lantern"), 0);
	assert_int_equal(count_records("new", PIN), 0);
	assert_int_equal(count_records("new", WALK_SO_PIN_DEFAULT), 0);
	assert_int_equal(s.erase_confirms, 2);	/* two HSMs */
	check_new(kcv);
	assert_string_equal(s.kcv, kcv);	/* what people read aloud */
	/* a closed ceremony does not open again */
	{
		struct walk_opts o = opts("new.yaml", "new");
		char why[320];

		assert_int_equal(walk_open(&w, &o, &io, why, sizeof(why)),
		    CUSTOS_ERR_CLOSED);
	}
	make_restore_plan(kcv);
	memset(&s, 0, sizeof(s));
	w = open_walk("restore.yaml", "restore", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	assert_int_equal(s.reveals, 0);
	check_restore(kcv);
	/* the same set onto two HSMs at once: both restored and proven,
	   each with its own complete record */
	make_restore_plan2(kcv);
	memset(&s, 0, sizeof(s));
	w = open_walk("restore2.yaml", "restore2", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("restore2", 1);
	device_kcv("spare1", kcv2);
	assert_string_equal(kcv2, kcv);
	assert_keys_proven("spare1", 2);
	assert_keys_proven("spare2", 2);
	assert_int_equal(count_records("restore2", "\"outcome\":"
	    "\"complete\""), 2);
	assert_true(count_records("restore2", "\"hsm\":\"spare1\"") > 0);
	assert_true(count_records("restore2", "\"hsm\":\"spare2\"") > 0);
}

static char last_line[65536], first_line[65536];

/* The last record of dir's transcript holds both needles (and is kept
   in last_line; the first, ceremony.open, in first_line). */
static int
last_is(const char *dir, const char *a, const char *b)
{
	char path[128], line[65536];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/transcript.jsonl", tmp, dir);
	assert_non_null(f = fopen(path, "r"));
	first_line[0] = last_line[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (first_line[0] == '\0')
			memcpy(first_line, line, sizeof(line));
		memcpy(last_line, line, sizeof(line));
	}
	fclose(f);
	return strstr(last_line, a) != NULL && strstr(last_line, b) != NULL;
}

/* The integer fact name of the last record. */
static int
last_int(const char *name)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"%s\":", name);
	assert_non_null(p = strstr(last_line, needle));
	return atoi(p + strlen(needle));
}

/* The ceremony id, from the first record. */
static void
ceremony_id_of(char out[17])
{
	const char *p = strstr(first_line, "\"ceremony_id\":\"");

	assert_non_null(p);
	memcpy(out, p + 15, 16);
	out[16] = '\0';
}

/* How many records of dir's transcript hold needle. */
static int
count_records(const char *dir, const char *needle)
{
	char path[128], line[65536];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s/transcript.jsonl", tmp, dir);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static struct card *
emu(const char *name)
{
	struct card *c = NULL;
	char spec[64];
	int tries;

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	if (sc_hsm_verify_pin(c, PIN, strlen(PIN), &tries) != 0)
		tries = -1;	/* not initialized yet */
	return c;
}

/*
 * After a child died right after the intent of step, makes the device
 * do what the step would have done before the transcript said so.
 */
static void
device_acts(const char *dir, const char *step)
{
	unsigned char *v = secmem_alloc(32);
	uint8_t so[8] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38, 0x38, 0x30 };
	struct sc_hsm_key k;
	struct card *c = NULL;
	char path[256];
	int total, left, so_tries;
	uint8_t kcv[8];

	assert_non_null(v);
	memset(&k, 0, sizeof(k));
	snprintf(path, sizeof(path), "%s/new/shares", tmp);
	c = emu(strcmp(dir, "new") == 0 ? "primary" : "replacement");
	if (strcmp(step, "hsm-init-1") == 0) {
		assert_int_equal(sc_hsm_initialize(c, so, PIN, strlen(PIN), 3,
		    2, &so_tries), 0);
	} else if (strcmp(step, "hsm-import-1-1") == 0) {
		strcat(path, "/share-1-alice.share");
		open_as(path, "alice", v, NULL);
		assert_int_equal(sc_hsm_import_share(c, v, &total, &left, kcv),
		    0);
		assert_int_equal(left, 1);
	} else if (strcmp(step, "hsm-import-1-2") == 0) {
		share2(path, v);
		assert_int_equal(sc_hsm_import_share(c, v, &total, &left, kcv),
		    0);
		assert_int_equal(left, 0);
	} else if (strcmp(step, "keygen-1") == 0) {
		/* the whole key, where the step's intent said */
		assert_int_equal(sc_hsm_keygen(c, last_int("ref"),
		    "prime256v1", 0, "signing", NULL, 0, &k), 0);
		sc_hsm_key_clear(&k);
	} else if (strcmp(step, "keygen-2") == 0) {
		/* half of it: the key and its public key, no description */
		int ref = last_int("ref");

		assert_int_equal(sc_hsm_keygen(c, ref, NULL, 2048, "archive",
		    NULL, 0, &k), 0);
		sc_hsm_key_clear(&k);
		assert_int_equal(sc_hsm_delete_ef(c, (uint16_t)(0xC400 | ref)),
		    0);
	} else if (strcmp(step, "share-2") == 0) {
		/* bob's member file, written before the cut */
		struct v1_header h;
		char id[17], pw[128];

		memset(&h, 0, sizeof(h));
		ceremony_id_of(id);
		snprintf(h.label, sizeof(h.label), "bob");
		snprintf(h.ceremony, sizeof(h.ceremony), "%s", id);
		h.opslimit = 1;
		h.mem_kib = KDF_KIB;
		strcat(path, "/share-2-member-1-bob.share");
		pw_for("bob", pw, sizeof(pw));
		secmem_random(v, 32);
		assert_int_equal(sharefile_create(path, SHAREFILE_V1, v,
		    (unsigned char *)pw, strlen(pw), &h, PBE_ITERATIONS), 0);
	} else if (strcmp(step, "backup") == 0) {
		/* a set cut before its manifest */
		snprintf(path, sizeof(path), "%s/new/backups", tmp);
		assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
		strcat(path, "/main");
		assert_int_equal(mkdir(path, 0700), 0);
		strcat(path, "/key-001.wrap");
		write_file(path, "cut\n");
	}
	card_close(c);
	secmem_free(v);
}

/*
 * Kills the program right after every record of the ceremony in dir (one
 * child process per record) and resumes it each time; at the begin of
 * the steps device_acts() knows, the device acts first. Returns how many
 * times it was killed.
 */
static int
kill_everywhere(const char *plan, const char *dir)
{
	static const char *const acts[] = { "hsm-init-1", "hsm-import-1-2",
	    "keygen-1", "hsm-import-1-1", "keygen-2", "share-2", "backup" };
	char needle[64];
	int kills = 0, status, code = 0, i;
	pid_t pid;

	while (kills < 200) {
		if ((pid = fork()) == 0) {
			struct sio s;
			struct op_io io;
			struct walk_opts o = opts(plan, dir);
			struct walk *w = NULL;
			char why[320];
			int r;

			memset(&s, 0, sizeof(s));
			s.die_at = 1;
			io = io_for(&s);
			r = walk_open(&w, &o, &io, why, sizeof(why));
			if (r == CUSTOS_ERR_CLOSED)
				_exit(42);
			if (r == 0)
				r = run_all(w);
			fprintf(stderr, "child: %d %s\n", r, why);
			_exit(43);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if ((code = WEXITSTATUS(status)) != 0)
			break;
		kills++;
		if (getenv("WALK_DEBUG") != NULL) {
			(void)last_is(dir, "", "");
			fprintf(stderr, "kill %d: %.160s\n", kills, last_line);
		}
		for (i = 0; i < 7; i++) {
			snprintf(needle, sizeof(needle), "\"step\":\"%s\"",
			    acts[i]);
			if (last_is(dir, "\"action\":\"intent\"", needle))
				device_acts(dir, acts[i]);
		}
	}
	assert_int_equal(code, 42);
	return kills;
}

/* Runs the new-DKEK plan in dir in a child cut between the intent and
   the record of alice's copy to media (under tmp). */
static void
cut_in_copy(const char *dir, const char *media)
{
	char to[128];
	int status;
	pid_t pid;

	snprintf(to, sizeof(to), "%s/%s", tmp, media);
	assert_int_equal(mkdir(to, 0700), 0);
	if ((pid = fork()) == 0) {
		struct sio s;
		struct op_io io;
		struct walk *w;

		memset(&s, 0, sizeof(s));
		s.copy_to = to;
		s.die_in_copy = 1;
		w = open_walk("new.yaml", dir, &s, &io);
		(void)run_all(w);
		_exit(43);	/* not cut: the test is wrong */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_copy_cut(void **state)
{
	char from[128], to[128];
	struct sio s;
	struct op_io io;
	struct walk *w;

	(void)state;
	/* cut before the copy was made: the next run voids its intent and
	   says so; nothing is at the destination */
	cut_in_copy("cuta", "media-a");
	memset(&s, 0, sizeof(s));
	w = open_walk("new.yaml", "cuta", &s, &io);
	walk_free(w);
	assert_int_equal(count_records("cuta", "\"action\":\"intent.void\""),
	    1);
	assert_true(last_is("cuta", "\"op\":\"share.copy\"",
	    "take the copy again"));
	assert_int_equal(count_records("cuta", "\"action\":\"share.copy\""),
	    0);
	/* cut after the copy was made, before its record: the next run
	   finds it whole where it was going and records it (recovered) */
	cut_in_copy("cutb", "media-b");
	snprintf(from, sizeof(from), "%s/cutb/shares/share-1-alice.share", tmp);
	snprintf(to, sizeof(to), "%s/media-b/share-1-alice.share", tmp);
	assert_int_equal(link(from, to), 0);
	memset(&s, 0, sizeof(s));
	w = open_walk("new.yaml", "cutb", &s, &io);
	walk_free(w);
	assert_true(last_is("cutb", "\"action\":\"share.copy\"",
	    "\"recovered\":true"));
	assert_int_equal(count_records("cutb", "\"action\":\"intent.void\""),
	    0);
}

static void
test_kill_everywhere(void **state)
{
	char kcv[17];
	int kills;

	(void)state;
	kills = kill_everywhere("new.yaml", "new");
	print_message("new-dkek: killed and resumed %d times\n", kills);
	/* at least an intent and an end record for each step that acts,
	   one record for the plan, the two KCV checks and the close:
	   1 + 2 * 11 + 2 + 1 */
	assert_true(kills >= 26);
	/* the device had initialized, imported both shares and made the
	   first key before the transcript said so: each taken up, none
	   done twice (a share imported twice would cancel out of the KCV) */
	assert_int_equal(count_records("new", "\"recovered\":true"), 4);
	/* bob's early member file and the cut backup set were moved aside,
	   the half-made second key deleted and made again: 2 keys */
	assert_int_equal(count_records("new", "\"action\":\"file.abandon\""),
	    2);
	check_new(kcv);
	make_restore_plan(kcv);
	kills = kill_everywhere("restore.yaml", "restore");
	print_message("restore: killed and resumed %d times\n", kills);
	/* plan, close, and the KCV check (it changes nothing: one record);
	   an intent and an end for init, two imports and the restore */
	assert_true(kills >= 1 + 1 + 1 + 2 * 4);
	assert_int_equal(count_records("restore", "\"recovered\":true"), 3);
	check_restore(kcv);
	/* Two HSMs restored at once, cut after every record either one's
	   thread wrote: each resumes, neither is done twice. */
	make_restore_plan2(kcv);
	kills = kill_everywhere("restore2.yaml", "restore2");
	print_message("restore onto two HSMs: killed and resumed %d times\n",
	    kills);
	/* plan, close; per HSM two KCV-free imports, init, KCV, and an
	   intent and an end for the restore */
	assert_true(kills >= 1 + 1 + 2 * (1 + 2 * 3 + 2));
	verify_dir("restore2", 1);
	assert_keys_proven("spare1", 2);
	assert_keys_proven("spare2", 2);
	assert_int_equal(count_records("restore2", "\"outcome\":"
	    "\"complete\""), 2);
	assert_int_equal(count_records("restore2", "\"action\":"
	    "\"backup.restore\""), 2);
}

static int
devices_imported(const char *name)
{
	struct card *c = emu(name);
	int total = 0, left = 0;
	uint8_t k[8];

	assert_int_equal(sc_hsm_dkek_query(c, &total, &left, k), 0);
	card_close(c);
	return total - left;
}

/* Bad input at each kind of step: refused with one line, nothing done. */
static void
test_bad_input(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	struct walk_opts o;
	char why[320], path[128];
	FILE *f;
	int r;

	(void)state;
	memset(&s, 0, sizeof(s));
	w = open_walk("new.yaml", "new", &s, &io);
	/* a file in the way is never overwritten */
	run_until(w, "share-1");
	snprintf(path, sizeof(path), "%s/new/shares", tmp);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/new/shares/share-1-alice.share", tmp);
	write_file(path, "precious\n");
	for (r = 0; r < 2; r++) {	/* refused, and refused again */
		assert_int_equal(walk_step_run(w, why, sizeof(why)),
		    CUSTOS_ERR_EXISTS);
		assert_non_null(strstr(why, "never overwritten"));
	}
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(why, sizeof(why), f));
	fclose(f);
	assert_string_equal(why, "precious\n");
	assert_int_equal(count_records("new", "\"action\":\"intent\""), 0);
	assert_int_equal(count_records("new", "abandon"), 0);
	assert_int_equal(unlink(path), 0);
	run_until(w, "hsm-init-1");
	/* someone else initialized the HSM for 2 shares: declining ERASE
	   does nothing, and the retry asks again (the card is not taken for
	   this ceremony's) */
	{
		uint8_t so[8] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38, 0x38,
		    0x30 };
		struct card *c = emu("primary");
		int so_tries;

		assert_int_equal(sc_hsm_initialize(c, so, "999999", 6, 3, 2,
		    &so_tries), 0);
		card_close(c);
	}
	s.refuse_confirm = 1;
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_REFUSED);
	s.refuse_confirm = 0;
	assert_int_equal(walk_step_run(w, why, sizeof(why)), 0);
	assert_int_equal(s.erase_confirms, 2);
	assert_int_equal(count_records("new", "recovered"), 0);
	/* a share file swapped for another share: refused before sending */
	run_until(w, "hsm-import-1-1");
	{
		char aside[160], pw[128];
		unsigned char *v = secmem_alloc(32);
		struct v1_header h;

		snprintf(path, sizeof(path), "%s/new/shares/share-1-alice.share",
		    tmp);
		snprintf(aside, sizeof(aside), "%s.real", path);
		assert_int_equal(rename(path, aside), 0);
		memset(&h, 0, sizeof(h));
		snprintf(h.label, sizeof(h.label), "alice");
		h.opslimit = 1;
		h.mem_kib = KDF_KIB;
		pw_for("alice", pw, sizeof(pw));
		secmem_random(v, 32);
		assert_int_equal(sharefile_create(path, SHAREFILE_V1, v,
		    (unsigned char *)pw, strlen(pw), &h, PBE_ITERATIONS), 0);
		assert_int_equal(walk_step_run(w, why, sizeof(why)),
		    CUSTOS_ERR_FINGERPRINT);
		assert_non_null(strstr(why, "nothing was sent"));
		assert_int_equal(devices_imported("primary"), 0);
		assert_int_equal(rename(aside, path), 0);
		secmem_free(v);
	}
	/* a wrong passphrase imports nothing */
	s.wrong_for = "alice";
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_BAD_PASSPHRASE);
	assert_non_null(strstr(why, "wrong passphrase"));
	assert_int_equal(devices_imported("primary"), 0);
	s.wrong_for = NULL;
	assert_int_equal(walk_step_run(w, why, sizeof(why)), 0);
	assert_int_equal(devices_imported("primary"), 1);
	/* quit at bob's hand-over quits: no one else is asked, nothing
	   goes into the device (it is not "bob is absent") */
	s.quits = "bob";
	s.handovers = 0;
	assert_int_equal(walk_step_run(w, why, sizeof(why)), CUSTOS_ERR_QUIT);
	assert_int_equal(s.handovers, 1);
	assert_int_equal(devices_imported("primary"), 1);
	s.quits = NULL;
	/* bob is away: carol and dave make the quorum */
	s.absent = "bob";
	assert_int_equal(walk_step_run(w, why, sizeof(why)), 0);
	assert_int_equal(devices_imported("primary"), 2);
	walk_free(w);
	/* resumed under a changed plan: refused */
	snprintf(path, sizeof(path), "%s/new.yaml", tmp);
	write_file(path, "# edited\n");
	assert_non_null(f = fopen(path, "a"));
	fputs(new_plan, f);
	fclose(f);
	o = opts("new.yaml", "new");
	memset(&s, 0, sizeof(s));
	io = io_for(&s);
	r = walk_open(&w, &o, &io, why, sizeof(why));
	assert_int_equal(r, CUSTOS_ERR_FORMAT);
	assert_non_null(strstr(why, "started under plan"));
	make_new_plan();
	w = open_walk("new.yaml", "new", &s, &io);
	/* the device re-initialized behind custos's back: stop */
	run_until(w, "hsm-import-2-2");
	{
		struct card *c = emu("secondary");
		uint8_t so[8] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38, 0x38,
		    0x30 };
		int so_tries;

		assert_int_equal(sc_hsm_initialize(c, so, PIN, strlen(PIN), 3,
		    2, &so_tries), 0);
		card_close(c);
	}
	assert_int_equal(walk_step_run(w, why, sizeof(why)), CUSTOS_ERR_CARD);
	assert_non_null(strstr(why, "transcript says 1"));
	walk_free(w);
	/* a wrong administrator passphrase opens nothing */
	memset(&s, 0, sizeof(s));
	s.wrong_admin = 1;
	o = opts("new.yaml", "new");
	io = io_for(&s);
	assert_int_equal(walk_open(&w, &o, &io, why, sizeof(why)),
	    CUSTOS_ERR_BAD_PASSPHRASE);
	assert_non_null(strstr(why, "wrong administrator passphrase"));
}

/* A restore whose shares give another DKEK stops at the KCV. */
static void
test_restore_wrong_kcv(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	char why[320], kcv[17];

	(void)state;
	memset(&s, 0, sizeof(s));
	w = open_walk("new.yaml", "new", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	check_new(kcv);
	make_restore_plan("0123456789ABCDEF");
	memset(&s, 0, sizeof(s));
	w = open_walk("restore.yaml", "restore", &s, &io);
	run_until(w, "hsm-kcv-1");
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_DKEK_MISMATCH);
	assert_non_null(strstr(why, "MISMATCH"));
	assert_non_null(strstr(why, kcv));
	/* still the KCV step: the restore is not reached */
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_DKEK_MISMATCH);
	walk_free(w);
}

/* After a new DKEK: a key-backup ceremony adds a key and a second set;
   a reshare ceremony re-protects alice's share for a 2-of-3 group. */
static void
test_key_backup_and_reshare(void **state)
{
	struct backup_manifest *m = calloc(1, sizeof(*m));
	struct slip39_share *sh = secmem_alloc(2 * sizeof(*sh));
	unsigned char *a = secmem_alloc(32), *b = secmem_alloc(32);
	struct sharefile_info info;
	struct sio s;
	struct op_io io;
	struct walk *w;
	char kcv[17], text[1024], path[256], sha[65];
	const char *why, *who[2] = { "bob", "dave" };
	size_t len = 0, i;

	(void)state;
	assert_non_null(m);
	assert_non_null(sh);
	memset(&s, 0, sizeof(s));
	w = open_walk("new.yaml", "new", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	check_new(kcv);
	snprintf(text, sizeof(text),
	    "custos-plan: 1\nkind: key-backup\ntitle: More keys\n"
	    "admin: dana\nrehearsal: true\n"
	    "custodians: [alice, bob, carol, dave]\n"
	    "dkek:\n  shares:\n    - holder: alice\n"
	    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
	    "hsms:\n  - {name: primary, serial: DENK0100001}\n"
	    "keys:\n  - {label: extra, type: \"ec:P-384\"}\n"
	    "backup: backups/second\nexpected_kcv: \"%s\"\n", kcv);
	snprintf(path, sizeof(path), "%s/more.yaml", tmp);
	write_file(path, text);
	memset(&s, 0, sizeof(s));
	w = open_walk("more.yaml", "more", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("more", 1);
	assert_keys_proven("primary", 3);
	snprintf(path, sizeof(path), "%s/more/backups/second", tmp);
	assert_int_equal(backup_load(path, m, sha, &why), 0);
	assert_int_equal(m->nkeys, 3);
	assert_string_equal(m->kcv, kcv);

	snprintf(text, sizeof(text),
	    "custos-plan: 1\nkind: reshare\ntitle: Alice retires\n"
	    "admin: dana\nrehearsal: true\n"
	    "custodians: [alice, bob, carol, dave]\n"
	    "dkek:\n  shares:\n"
	    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
	    "    - split: {threshold: 2, group: [bob, carol, dave]}\n"
	    "reshare: {share: 1, from: {holder: alice}}\n"
	    "share_dir: new/shares\n");
	snprintf(path, sizeof(path), "%s/reshare.yaml", tmp);
	write_file(path, text);
	memset(&s, 0, sizeof(s));
	w = open_walk("reshare.yaml", "reshare", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("reshare", 1);
	assert_int_equal(s.reveals, 3);
	/* bob's and dave's new parts give alice's share back */
	snprintf(path, sizeof(path), "%s/new/shares/share-1-alice.share", tmp);
	open_as(path, "alice", a, NULL);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/reshare/shares/share-1-member-"
		    "%zu-%s.share", tmp, i == 0 ? (size_t)1 : (size_t)3,
		    who[i]);
		open_as(path, who[i], sh[i].value, &info);
		assert_int_equal(sharefile_member_parse(info.v1.comment,
		    &sh[i]), 0);
	}
	assert_int_equal(slip39_combine(sh, 2, (const unsigned char *)"", 0,
	    b, 32, &len, NULL), 0);
	assert_memory_equal(a, b, 32);
	/* the old file is left for the custodians to destroy */
	snprintf(path, sizeof(path), "%s/new/shares/share-1-alice.share", tmp);
	assert_int_equal(access(path, F_OK), 0);
	secmem_free(a);
	secmem_free(b);
	secmem_free(sh);
	free(m);
}

static int
each_setup(void **state)
{
	return setup(state);
}

/* The KCV of key domain dom of device name (PIN verified). */
static void
domain_kcv(const char *name, int dom, char out[17])
{
	struct card *c = NULL;
	char spec[64];
	int total, left, tries;
	uint8_t k[8];

	snprintf(spec, sizeof(spec), "emu:%s", name);
	assert_int_equal(card_open(spec, &c), 0);
	assert_int_equal(sc_hsm_select(c, NULL, NULL), 0);
	assert_int_equal(sc_hsm_verify_pin(c, PIN, strlen(PIN), &tries), 0);
	assert_int_equal(sc_hsm_kd_query(c, dom, &total, &left, k), 0);
	assert_int_equal(left, 0);
	dkek_kcv_hex(out, k);
	card_close(c);
}

/* Copies docs/examples/name (the tests run at the top of the tree)
   into tmp as file. */
static void
copy_example(const char *name, const char *file)
{
	char path[160], text[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "docs/examples/%s", name);
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	write_file(path, text);
}

/* A plan whose DKEK lives in key domain dom (issue 19). */
static void
make_domain_plan(const char *file, const char *kind, int dom, int slots,
    const char *holder, const char *extra)
{
	char path[128], text[1024], kd[40] = "";

	if (slots > 0)
		snprintf(kd, sizeof(kd), "key_domains: %d\n", slots);
	snprintf(text, sizeof(text),
	    "custos-plan: 1\n"
	    "kind: %s\n"
	    "title: Walk test, key domain %d\n"
	    "admin: dana\n"
	    "rehearsal: true\n"
	    "custodians: [%s]\n"
	    "dkek:\n"
	    "  shares:\n"
	    "    - holder: %s\n"
	    "hsms:\n"
	    "  - {name: shared, serial: DENK0100009}\n"
	    "domain: %d\n"
	    "%s%s", kind, dom, holder, holder, dom, kd, extra);
	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	write_file(path, text);
}

/*
 * Public key authentication in a plan (issue 16): the example 2-of-3
 * plan as shipped. Three personal devices make and export their keys,
 * the CA HSM is initialized for 2 of 3 and registers them, and the key
 * and its backup each wait for two custodians, each with their own
 * device: bob is absent, so alice and carol authenticate. The record
 * holds every registration and attempt, and audit verify checks the
 * quorum came first.
 */
static void
test_pka_plan(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;

	(void)state;
	copy_example("rehearsal-pka-2-of-3.yaml", "pka.yaml");
	memset(&s, 0, sizeof(s));
	s.pka_absent = "bob";
	w = open_walk("pka.yaml", "pka", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("pka", 1);
	assert_int_equal(count_records("pka", "\"action\":\"pka.export\""),
	    3);
	assert_int_equal(count_records("pka", "\"action\":"
	    "\"pka.register\""), 3);
	/* keygen and backup: each after alice (1 of 2) and carol (2 of 2) */
	assert_int_equal(count_records("pka", "\"result\":\"accepted\""),
	    4);
	assert_int_equal(count_records("pka", "\"actor\":\"bob\",\"facts\""
	    ":{\"authenticated\""), 0);
	assert_non_null(strstr(s.pka_why, "needs 2 of 3 keys, 1 "
	    "authenticated."));
	assert_int_equal(count_records("pka", "\"pka_required\":2"), 2);

	/* The CA HSM is lost: a replacement registers the same personal
	   devices again (they export their keys again), and the quorum -
	   now alice and bob - restores the key. */
	{
		char path[160], text[2048];

		snprintf(text, sizeof(text),
		    "custos-plan: 1\n"
		    "kind: restore\n"
		    "title: Walk test, restore with PKA\n"
		    "admin: dana\n"
		    "rehearsal: true\n"
		    "custodians: [alice, bob, carol]\n"
		    "dkek:\n"
		    "  shares:\n"
		    "    - holder: alice\n"
		    "    - holder: bob\n"
		    "hsms:\n"
		    "  - {name: ca2, serial: DENK0100310}\n"
		    "pka:\n"
		    "  required: 2\n"
		    "  devices:\n"
		    "    - {holder: alice, serial: DENK0100301}\n"
		    "    - {holder: bob, serial: DENK0100302}\n"
		    "    - {holder: carol, serial: DENK0100303}\n"
		    "share_dir: pka/shares\n"
		    "backup: pka/backups/ca\n"
		    "expected_kcv: \"%.4s %.4s %.4s %.4s\"\n", s.kcv, s.kcv + 4,
		    s.kcv + 8, s.kcv + 12);
		snprintf(path, sizeof(path), "%s/restore.yaml", tmp);
		write_file(path, text);
		memset(&s, 0, sizeof(s));
		w = open_walk("restore.yaml", "restore", &s, &io);
		assert_int_equal(run_all(w), 0);
		walk_free(w);
		verify_dir("restore", 1);
		assert_int_equal(count_records("restore", "\"action\":"
		    "\"pka.register\""), 3);
		assert_int_equal(count_records("restore", "\"action\":"
		    "\"hsm.keygen\""), 0);	/* the same keys, not new */
		assert_int_equal(count_records("restore", "\"result\":"
		    "\"accepted\""), 2);
	}
}

/*
 * Key domains in plans: team A's ceremony sets up a device with two key
 * domain slots and its DKEK in domain 1, with a key; team B's ceremony
 * adds domain 0 to the same device without erasing anything, with a key
 * of its own; each domain has its own DKEK; team A's set is restored into
 * domain 1 of a replacement set up the same way.
 */
static void
test_key_domains(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	char k1[17], k0[17], kr[17], path[160];

	(void)state;
	/* the two example plans of docs/examples, as shipped */
	copy_example("rehearsal-domain-team-a.yaml", "team-a.yaml");
	copy_example("rehearsal-domain-team-b.yaml", "team-b.yaml");
	memset(&s, 0, sizeof(s));
	w = open_walk("team-a.yaml", "team-a", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("team-a", 1);
	assert_int_equal(s.erase_confirms, 1);
	domain_kcv("shared", 1, k1);
	assert_int_equal(count_records("team-a", "\"action\":"
	    "\"hsm.domain-create\""), 1);
	/* team B: no initialization, so nothing to erase */
	memset(&s, 0, sizeof(s));
	w = open_walk("team-b.yaml", "team-b", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("team-b", 1);
	assert_int_equal(s.erase_confirms, 0);
	assert_int_equal(count_records("team-b", "\"action\":"
	    "\"hsm.init\""), 0);
	domain_kcv("shared", 0, k0);
	domain_kcv("shared", 1, kr);
	assert_string_equal(kr, k1);		/* team A's is untouched */
	assert_string_not_equal(k0, k1);
	assert_keys_proven("shared", 2);	/* both teams' keys */
	/* team A's set, restored into domain 1 of a replacement */
	make_domain_plan("restore-a.yaml", "restore", 1, 2, "alice",
	    "share_dir: team-a/shares\nbackup: team-a/backups/team-a\n");
	snprintf(path, sizeof(path), "%s/restore-a.yaml", tmp);
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fprintf(f, "expected_kcv: \"%.4s %.4s %.4s %.4s\"\n", k1,
		    k1 + 4, k1 + 8, k1 + 12);
		fclose(f);
	}
	/* the same plan names a replacement: another serial */
	{
		char text[2048];
		FILE *f = fopen(path, "r");
		size_t n;
		char *at;

		assert_non_null(f);
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		assert_non_null(at = strstr(text, "name: shared, serial: "
		    "DENK0100009"));
		memcpy(at, "name: spare1, serial: DENK0100008", 33);
		write_file(path, text);
	}
	memset(&s, 0, sizeof(s));
	w = open_walk("restore-a.yaml", "restore-a", &s, &io);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("restore-a", 1);
	domain_kcv("spare1", 1, kr);
	assert_string_equal(kr, k1);
	assert_keys_proven("spare1", 1);
	assert_true(count_records("restore-a", "\"domain\":1") > 0);
}

/* A restore plan naming both domains of rehearsal-two-domains.yaml,
   onto spare1, each domain with its expected KCV (k0, k1); domain 1's
   share is holder1's in dir1. */
static void
make_two_domain_restore(const char *file, const char *k0, const char *k1,
    const char *holder1, const char *dir1)
{
	char path[128], text[2048];

	snprintf(text, sizeof(text),
	    "custos-plan: 1\n"
	    "kind: restore\n"
	    "title: Walk test, two key domains restored\n"
	    "admin: dana\n"
	    "rehearsal: true\n"
	    "custodians: [alice, bob, carol, erin%s]\n"
	    "hsms:\n"
	    "  - {name: spare1, serial: DENK0100008}\n"
	    "key_domains: 2\n"
	    "domains:\n"
	    "  - domain: 0\n"
	    "    dkek:\n"
	    "      shares:\n"
	    "        - holder: alice\n"
	    "        - split: {threshold: 2, group: [bob, carol, erin]}\n"
	    "    share_dir: two/shares/domain-0\n"
	    "    backup: two/backups/team-a\n"
	    "    expected_kcv: \"%s\"\n"
	    "  - domain: 1\n"
	    "    dkek:\n"
	    "      shares:\n"
	    "        - holder: %s\n"
	    "    share_dir: %s\n"
	    "    backup: two/backups/team-b\n"
	    "    expected_kcv: \"%s\"\n", strcmp(holder1, "dave") == 0 ?
	    ", dave" : "", k0, holder1, dir1, k1);
	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	write_file(path, text);
}

/* The kcv fact of dir's dkek.kcv record of step id ("" if none). */
static const char *
walk_fact_in(const char *dir, const char *id)
{
	static char kcv[17];
	char path[128], line[65536], want[64], *at;
	FILE *f;

	kcv[0] = '\0';
	snprintf(want, sizeof(want), "\"step\":\"%s\"", id);
	snprintf(path, sizeof(path), "%s/%s/transcript.jsonl", tmp, dir);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL &&
		    strstr(line, "\"action\":\"dkek.kcv\"") != NULL &&
		    (at = strstr(line, "\"kcv\":\"")) != NULL)
			snprintf(kcv, sizeof(kcv), "%.16s", at + 7);
	fclose(f);
	return kcv;
}

/* Whether tmp/dir/rel exists. */
static int
exists_in(const char *dir, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/%s", tmp, dir, rel);
	return access(path, F_OK) == 0;
}

/*
 * Several key domains in one plan (issue 19): the example plan as
 * shipped sets the device up once, then builds each team's DKEK in its
 * own domain from its own shares (one of them split 2 of 3), with a key
 * and a backup set each. A key-backup plan adds a key and a set in each
 * domain. A restore whose expected KCVs are the other domain's stops at
 * the first domain's KCV; one that imports domain 0's share into domain 1
 * stops at domain 1's. Then one restore plan rebuilds both domains on a
 * replacement and restores each set into its own domain.
 */
static void
test_two_domains(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	const struct walk_step *st;
	char k0[17], k1[17], r0[17], r1[17], why[320];
	size_t n, i, j;

	(void)state;
	copy_example("rehearsal-two-domains.yaml", "two.yaml");
	memset(&s, 0, sizeof(s));
	w = open_walk("two.yaml", "two", &s, &io);
	st = walk_steps(w, &n);
	assert_int_equal(n, 17);
	assert_string_equal(st[1].id, "hsm-init-1");
	assert_int_equal(st[1].dom, -1);
	assert_string_equal(st[2].id, "d0-share-1");
	assert_int_equal(st[2].dom, 0);
	assert_string_equal(st[10].id, "d1-share-1");
	assert_int_equal(st[10].dom, 1);
	assert_string_equal(st[15].id, "d1-backup");
	for (i = 0; i < n; i++)		/* every id once */
		for (j = 0; j < i; j++)
			assert_string_not_equal(st[i].id, st[j].id);
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("two", 1);
	assert_int_equal(s.erase_confirms, 1);	/* one initialization */
	domain_kcv("shared", 0, k0);
	domain_kcv("shared", 1, k1);
	assert_string_not_equal(k0, k1);
	assert_keys_proven("shared", 2);
	/* each domain's share files and set apart */
	assert_true(exists_in("two", "shares/domain-0/share-1-alice.share"));
	assert_true(exists_in("two", "shares/domain-1/share-1-dave.share"));
	assert_false(exists_in("two", "shares/share-1-alice.share"));
	assert_true(exists_in("two", "backups/team-a"));
	assert_true(exists_in("two", "backups/team-b"));
	/* the records name the domain: each domain's shares, its KCV */
	assert_int_equal(count_records("two", "\"action\":"
	    "\"hsm.domain-create\""), 2);
	assert_int_equal(count_records("two", "\"action\":\"hsm.init\""),
	    1);
	assert_true(count_records("two", "\"step\":\"d1-hsm-import-1-1\"")
	    > 0);
	assert_true(count_records("two", k0) > 0);
	assert_true(count_records("two", k1) > 0);

	/* a key-backup plan with both domains: a key in each, each set
	   under its own domain's DKEK, the KCV checked against the plan's */
	{
		char path[128], text[1536];

		snprintf(text, sizeof(text),
		    "custos-plan: 1\n"
		    "kind: key-backup\n"
		    "title: Walk test, a key in each domain\n"
		    "admin: dana\n"
		    "rehearsal: true\n"
		    "custodians: [alice, dave]\n"
		    "hsms:\n"
		    "  - {name: shared, serial: DENK0100009}\n"
		    "domains:\n"
		    "  - domain: 0\n"
		    "    dkek: {shares: [{holder: alice}]}\n"
		    "    expected_kcv: \"%s\"\n"
		    "    keys: [{label: team-a-2, type: \"ec:P-256\"}]\n"
		    "    backup: sets/a2\n"
		    "  - domain: 1\n"
		    "    dkek: {shares: [{holder: dave}]}\n"
		    "    keys: [{label: team-b-2, type: \"ec:P-256\"}]\n"
		    "    backup: sets/b2\n", k0);
		snprintf(path, sizeof(path), "%s/more.yaml", tmp);
		write_file(path, text);
		memset(&s, 0, sizeof(s));
		w = open_walk("more.yaml", "more", &s, &io);
		st = walk_steps(w, &n);
		assert_int_equal(n, 8);	/* plan, 3 per domain, close */
		assert_string_equal(st[1].id, "d0-hsm-kcv-1");
		assert_string_equal(st[4].id, "d1-hsm-kcv-1");
		assert_int_equal(run_all(w), 0);
		walk_free(w);
		verify_dir("more", 1);
		assert_int_equal(s.erase_confirms, 0);
		assert_keys_proven("shared", 4);
		assert_true(exists_in("more", "sets/a2/manifest.json"));
		assert_true(exists_in("more", "sets/b2/manifest.json"));
		/* domain 1's KCV, read by its step, is the one it had */
		assert_string_equal(walk_fact_in("more", "d1-hsm-kcv-1"), k1);
	}

	/* the expected KCVs swapped: the first domain's check stops it */
	make_two_domain_restore("wrong.yaml", k1, k0, "dave",
	    "two/shares/domain-1");
	memset(&s, 0, sizeof(s));
	w = open_walk("wrong.yaml", "wrong", &s, &io);
	run_until(w, "d0-hsm-kcv-1");
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_DKEK_MISMATCH);
	assert_non_null(strstr(why, k0));
	walk_free(w);
	assert_int_equal(count_records("wrong", "\"step\":\"d1-"), 0);

	/* a share meant for domain 0 (alice's) imported into domain 1: the
	   KCV the plan expects for domain 1 catches it, and domain 1's set
	   is not restored */
	{
		char from[160], to[160];

		snprintf(to, sizeof(to), "%s/mixed-shares", tmp);
		assert_int_equal(mkdir(to, 0700), 0);
		snprintf(from, sizeof(from), "%s/two/shares/domain-0/"
		    "share-1-alice.share", tmp);
		snprintf(to, sizeof(to), "%s/mixed-shares/share-1-alice.share",
		    tmp);
		assert_int_equal(link(from, to), 0);
	}
	make_two_domain_restore("mixed.yaml", k0, k1, "alice",
	    "mixed-shares");
	memset(&s, 0, sizeof(s));
	w = open_walk("mixed.yaml", "mixed", &s, &io);
	run_until(w, "d1-hsm-kcv-1");
	assert_int_equal(walk_step_run(w, why, sizeof(why)),
	    CUSTOS_ERR_DKEK_MISMATCH);
	assert_non_null(strstr(why, "MISMATCH"));
	walk_free(w);
	assert_int_equal(count_records("mixed", "\"step\":\"d1-restore\""),
	    0);

	/* both domains rebuilt on two replacements at once; the laptop
	   dies after the first HSM's record of domain 1's restore: on the
	   next run that step is not done until the other HSM has its own */
	make_two_domain_restore("restore.yaml", k0, k1, "dave",
	    "two/shares/domain-1");
	{
		char path[128], text[2048], *at;
		FILE *f;
		size_t len;
		int status;
		pid_t pid;

		snprintf(path, sizeof(path), "%s/restore.yaml", tmp);
		assert_non_null(f = fopen(path, "r"));
		len = fread(text, 1, sizeof(text) - 64, f);
		fclose(f);
		text[len] = '\0';
		assert_non_null(at = strstr(text, "key_domains:"));
		memmove(at + 40, at, strlen(at) + 1);
		memcpy(at, "  - {name: spare2, serial: DENK0100007}\n", 40);
		write_file(path, text);
		if ((pid = fork()) == 0) {
			memset(&s, 0, sizeof(s));
			s.die_step = "d1-restore";
			s.die_action = "backup.restore";
			w = open_walk("restore.yaml", "restore", &s, &io);
			(void)run_all(w);
			_exit(43);	/* not cut: the test is wrong */
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		/* one HSM's record of domain 1's restore, not the other's */
		assert_int_equal(count_records("restore", "\"action\":"
		    "\"backup.restore\""), 3);
	}
	memset(&s, 0, sizeof(s));
	w = open_walk("restore.yaml", "restore", &s, &io);
	st = walk_steps(w, &n);
	assert_string_equal(st[walk_current(w)].id, "d1-restore");
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("restore", 1);
	domain_kcv("spare2", 0, r0);
	domain_kcv("spare2", 1, r1);
	assert_string_equal(r0, k0);
	assert_string_equal(r1, k1);
	assert_keys_proven("spare2", 2);
	domain_kcv("spare1", 0, r0);
	domain_kcv("spare1", 1, r1);
	assert_string_equal(r0, k0);
	assert_string_equal(r1, k1);
	assert_keys_proven("spare1", 2);
	/* one complete record a domain and HSM (none restored twice) */
	assert_int_equal(count_records("restore", "\"action\":"
	    "\"backup.restore\""), 4);
}

/*
 * Public key authentication and several key domains in one plan: the
 * personal devices are prepared and the HSM set up once with slots and
 * the quorum; each domain's creation, keys and backup then wait for two
 * custodians (carol is absent), and audit verify checks that the quorum
 * came before each.
 */
static void
test_pka_domains(void **state)
{
	struct sio s;
	struct op_io io;
	struct walk *w;
	const struct walk_step *st;
	char path[128];
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/pka-dom.yaml", tmp);
	write_file(path,
	    "custos-plan: 1\n"
	    "kind: new-dkek\n"
	    "title: Walk test, PKA and two key domains\n"
	    "admin: dana\n"
	    "rehearsal: true\n"
	    "custodians: [alice, bob, carol]\n"
	    "hsms:\n"
	    "  - {name: ca, serial: DENK0100300}\n"
	    "pka:\n"
	    "  required: 2\n"
	    "  devices:\n"
	    "    - {holder: alice, serial: DENK0100301}\n"
	    "    - {holder: bob, serial: DENK0100302}\n"
	    "    - {holder: carol, serial: DENK0100303}\n"
	    "key_domains: 2\n"
	    "domains:\n"
	    "  - domain: 0\n"
	    "    dkek: {shares: [{holder: alice}]}\n"
	    "    keys: [{label: a-key, type: \"ec:P-256\"}]\n"
	    "    backup: backups/a\n"
	    "  - domain: 1\n"
	    "    dkek: {shares: [{holder: bob}]}\n"
	    "    keys: [{label: b-key, type: \"ec:P-256\"}]\n"
	    "    backup: backups/b\n");
	memset(&s, 0, sizeof(s));
	s.pka_absent = "carol";
	w = open_walk("pka-dom.yaml", "pka-dom", &s, &io);
	st = walk_steps(w, &n);
	/* plan, 3 devices, init, 3 registrations, 6 a domain, close */
	assert_int_equal(n, 1 + 3 + 1 + 3 + 12 + 1);
	assert_string_equal(st[4].id, "hsm-init-1");
	assert_string_equal(st[8].id, "d0-share-1");
	assert_int_equal(run_all(w), 0);
	walk_free(w);
	verify_dir("pka-dom", 1);
	assert_int_equal(count_records("pka-dom", "\"action\":"
	    "\"pka.register\""), 3);
	assert_int_equal(count_records("pka-dom", "\"action\":"
	    "\"hsm.domain-create\""), 2);
	assert_int_equal(count_records("pka-dom", "\"action\":"
	    "\"backup.create\""), 2);
	assert_true(count_records("pka-dom", "\"result\":\"accepted\"") >=
	    4);
	assert_int_equal(count_records("pka-dom", "\"actor\":\"carol\","
	    "\"facts\":{\"authenticated\""), 0);
	assert_true(exists_in("pka-dom", "backups/a/manifest.json"));
	assert_true(exists_in("pka-dom", "backups/b/manifest.json"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restore_wrong_kcv,
		    each_setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_backup_and_reshare,
		    each_setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_domains, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_domains, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pka_plan, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pka_domains, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_cut, each_setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kill_everywhere,
		    each_setup, teardown),
	};

	assert_int_equal(secmem_init(), 0);
	/* one test by name while working on it: TEST_WALK_ONLY=test_pka_plan */
	if (getenv("TEST_WALK_ONLY") != NULL)
		cmocka_set_test_filter(getenv("TEST_WALK_ONLY"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
