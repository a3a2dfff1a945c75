/*
 * op_share.h - the engine's share operations (op_share*.c, op_split*.c,
 * op_combine*.c, op_dkek.c): opening and writing DKEK share files,
 * checking and converting them, M-of-N splits, combining a quorum,
 * re-sharing, and the DKEK a set of shares makes. Each records its step
 * (op.h); each that writes a file records its intent first, and every
 * file written is opened again and must give its share back before the
 * step is recorded.
 */
#ifndef CUSTOS_OP_SHARE_H
#define CUSTOS_OP_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "op.h"
#include "op_hsm.h"
#include "paper.h"

#define OP_SPLIT_MAX 16		/* custodians of one SLIP-39 split */

/* The formats of a share file. */
enum op_share_format { OP_FORMAT_V1 = 1, OP_FORMAT_PBE };

/* The public header of a share file (share inspect). */
struct op_share_header {
	enum op_share_format format;
	char label[65], ceremony[65], comment[257], created[32];
	char fpr[20];		/* v1: grouped "XXXX XXXX XXXX XXXX" */
	char salt[33];		/* .pbe: hex */
	unsigned long long mem_kib, opslimit;
	int weak_kdf;		/* below the writer's floor */
};

/* Reads the header of path (no passphrase). Returns 0 or an error. */
int op_share_inspect(struct op_ctx *cx, const char *path,
    struct op_share_header *h) CUSTOS_WUR;

/*
 * Opens the DKEK share file path into s (s->value allocated, guarded):
 * asks its passphrase, refuses a SLIP-39 member share file and a
 * ceremony's signing key, and records a wrong passphrase as refused.
 * s->names gets its holder (the v1 label). Returns 0 or an error.
 */
int op_share_open_file(struct op_ctx *cx, const char *path,
    struct op_share *s) CUSTOS_WUR;

/* How a new share file is made. */
struct op_file_args {
	enum op_share_format format;
	const char *label;	/* v1: the holder (required) */
	const char *ceremony;	/* v1 header (NULL: the open ceremony's) */
	const char *comment;	/* v1 header, or NULL */
	unsigned long long kdf_mem_kib, kdf_ops;	/* v1; 0: defaults */
};

/*
 * Checks a new file's header texts and KDF cost (before anything is
 * asked). Returns 0 or CUSTOS_ERR_INVALID_ARG (why names the field).
 */
int op_file_args_check(struct op_ctx *cx, const struct op_file_args *f)
    CUSTOS_WUR;

struct op_create_args {
	const char *out;		/* must not exist */
	struct op_file_args file;
	const char *card;		/* mix in this card's GET CHALLENGE;
					   NULL: a PC/SC card if present */
};

struct op_create_result {
	char fpr[17];			/* the new share's fingerprint */
	char reader[160];		/* whose GET CHALLENGE was mixed in */
};

/*
 * share create: a new random share (the card's GET CHALLENGE mixed in
 * when there is one), sealed under a new passphrase into out, opened
 * again, recorded (share.create; actor: the holder). Returns 0 or an
 * error.
 */
int op_share_create(struct op_ctx *cx, const struct op_create_args *a,
    struct op_create_result *res) CUSTOS_WUR;

/* share verify: opens path with its passphrase, records share.verify.
   *fpr gets the fingerprint, *format the file's. Returns 0 or an error. */
int op_share_verify(struct op_ctx *cx, const char *path, char fpr[17],
    enum op_share_format *format) CUSTOS_WUR;

/* share convert: the share of in (its passphrase) into out in another
   format under a new passphrase; records share.convert. */
int op_share_convert(struct op_ctx *cx, const char *in,
    const char *out, const struct op_file_args *f, char fpr[17]) CUSTOS_WUR;

/* What share copy did. */
struct op_copy_result {
	char to[4096];		/* where the copy is (absolute) */
	char sha256[65];	/* its SHA-256, read back from the medium */
	int existed;		/* the same bytes were there already */
};

/*
 * share copy: the share file file copied for who (NULL: its v1 label)
 * to dest - a directory (the file keeps its name) or a new file's path
 * - atomically and never over another file, then read back from the
 * medium and compared by SHA-256; records share.copy (the file, where
 * the copy went, its SHA-256; never the content). A copy that does not
 * read back is removed. A destination inside the ceremony directory, or
 * a ceremony's signing key, is refused. Returns 0 or an error.
 */
int op_share_copy(struct op_ctx *cx, const char *who, const char *file,
    const char *dest, struct op_copy_result *res) CUSTOS_WUR;

/* Where the shares of a combine come from. */
enum op_shares_from {
	OP_SHARES_MEMBER_FILES = 1,	/* SLIP-39 member share files */
	OP_SHARES_INPUT,	/* lines asked through io (OP_SECRET_SHARES):
				   at a terminal one share per prompt, else
				   every line until the input ends */
	OP_SHARES_TEXT_FILE,	/* a file of mnemonics or share text */
};

struct op_combine_args {
	enum op_shares_from from;
	char *const *files;	/* member files, or the one text file */
	size_t nfiles;
	int legacy;		/* sc-hsm-tool shares (-1: tell by the text) */
	const char *pbe;	/* sc-hsm-tool: the .pbe they open */
	unsigned threshold;	/* sc-hsm-tool: T (0: as many as given) */
};

/* What combining gave. */
struct op_combined {
	unsigned char *share;	/* DKEK_SHARE_LEN, guarded (op_combined_free) */
	int legacy;
	unsigned threshold, given;
	uint16_t identifier;	/* SLIP-39 */
	char ident[64];		/* identifier, or the prime as hex */
	char wrong[128];	/* shares found wrong and left out ("2, 5") */
	char fpr[17];
	char who[256];		/* who gave them (member files' holders) */
};

void op_combined_free(struct op_combined *c);

/*
 * Rebuilds a DKEK share from a quorum: every share checked as it comes
 * (a bad word is named), then all together (a wrong one among more than
 * the threshold is found and left out when the rest agree), then the
 * result (SLIP-39 digest; the .pbe's padding). Records nothing. Returns
 * 0 or an error (op_why()).
 */
int op_combine(struct op_ctx *cx, const struct op_combine_args *a,
    struct op_combined *res) CUSTOS_WUR;

/*
 * share combine: op_combine(), then the fingerprint checked against
 * expect_fpr (NULL: none), then (out not NULL) the share sealed into out
 * under a new passphrase; records share.combine (a refusal of the shares
 * as attempt.refused). Returns 0 or an error.
 */
int op_share_combine(struct op_ctx *cx, const struct op_combine_args *a,
    const char *expect_fpr, const char *out, const struct op_file_args *f,
    struct op_combined *res) CUSTOS_WUR;

/* A split's sheets and files. */
struct op_split_args {
	const unsigned char *share;	/* the share; NULL: a new random one */
	const char *from;		/* the file it came from, or NULL */
	unsigned threshold;
	const char *const *custodians;
	size_t ncustodians;
	const char *out_dir;		/* made 0700 if missing */
	int sheets;			/* write a SLIP-39 sheet each */
	int member_files;		/* write a member share file each */
	int qr;				/* sheets: with a QR code */
	enum paper_size paper;		/* sheets: the PDF's paper (0: A4) */
	const char *title;		/* sheets: the ceremony line */
	unsigned long long kdf_mem_kib, kdf_ops;	/* member files */
	long avoid_id;			/* an identifier not to take (-1) */
	int handover;			/* each custodian takes the keyboard
					   for their passphrase (the walk) */
	int reveal;			/* offer each custodian their words */
	int plan_share;			/* its number in the plan, or 0 */
	const char *file_prefix;	/* member files: "share" (CLI) or
					   "share-N-member" (walk) */
};

struct op_split_result {
	uint16_t identifier;
	char fpr[17];
};

/*
 * share split (SLIP-39): splits, checks that a quorum of the new shares
 * gives the share back, writes the sheets and member files (every
 * passphrase asked before any file is written), opens every member file
 * again, and offers the words; records share.split. Returns 0 or an
 * error.
 */
int op_share_split(struct op_ctx *cx, const struct op_split_args *a,
    struct op_split_result *res) CUSTOS_WUR;

/*
 * share split --scheme sc-hsm: the share into pbe under a random 8-byte
 * password, split T-of-N as sc-hsm-tool's password shares, one sheet
 * each into a->out_dir; records share.split.
 */
int op_share_split_legacy(struct op_ctx *cx, const struct op_split_args *a,
    const char *pbe, char prime[17], char fpr[17]) CUSTOS_WUR;

/*
 * share reshare: the share rebuilt from the old set (combine args), its
 * fingerprint checked against expect_fpr (NULL: none), split again for
 * the new custodians (a) with a new identifier; records share.reshare.
 */
int op_share_reshare(struct op_ctx *cx, const struct op_combine_args *old,
    const char *expect_fpr, const struct op_split_args *a,
    struct op_combined *was, struct op_split_result *res) CUSTOS_WUR;

/*
 * share print: a custodian's SLIP-39 sheet made again from their
 * mnemonic (asked through io, checked word by word) into the new file
 * out, and as PDF on paper into out with .pdf for its .txt (or .pdf
 * added); records share.print. fpr (grouped, or NULL) is printed on it.
 */
int op_share_print(struct op_ctx *cx, const char *custodian,
    const char *out, const char *fpr, const char *title, int qr,
    enum paper_size paper) CUSTOS_WUR;

/* Where the shares of a DKEK rebuilt in memory come from. */
struct op_dkek_sources {
	char *const *files;		/* DKEK share files */
	size_t nfiles;
	char *const *mnemonics;		/* files of SLIP-39 mnemonics, one
					   DKEK share each */
	size_t nmnemonics;
	const char *pwshares, *pbe;	/* sc-hsm-tool shares and their .pbe */
};

/*
 * The DKEK rebuilt in memory from its shares into dkek (32 bytes,
 * guarded): each source gives one DKEK share; a share given twice is
 * refused. Records nothing. Returns 0 or an error.
 */
int op_dkek_rebuild(struct op_ctx *cx, const struct op_dkek_sources *s,
    unsigned char *dkek) CUSTOS_WUR;

/* What dkek kcv gives. */
struct op_dkek_result {
	char kcv[17];
	char fpr[64][17];
	size_t n;
};

/*
 * dkek kcv: opens each share file (their passphrases in order), refuses
 * a share given twice and the all-zero DKEK, and records dkek.kcv with
 * the files and their fingerprints. Returns 0 or an error.
 */
int op_dkek_kcv(struct op_ctx *cx, char *const *files, size_t n,
    struct op_dkek_result *res) CUSTOS_WUR;

/* The KCV a share gives as the only share of a DKEK (out: 17). */
void op_share_kcv(const unsigned char *share, char out[17]);

/* The first 80 bits of hex (at least 20 digits) as 8 SLIP-39 words; "?"
   when it cannot be. */
void op_hex_words(char *out, size_t outsz, const char *hex);

/* A planned share's protection: one holder, or a group and threshold. */
struct op_protection {
	const char *holder;		/* NULL when split */
	unsigned threshold;
	const char *const *group;
	unsigned ngroup;
};

/* The holder file (member NULL... m < 0) or member file m (0-based) of
   plan share i (1-based) in dir, as a planned ceremony names them. */
void op_plan_file(char *out, size_t sz, const char *dir, int share,
    const struct op_protection *p, unsigned m);

/*
 * Opens plan share i (1-based) from dir under protection p: the holder
 * takes the keyboard and types their passphrase, or the group's members
 * in turn until a quorum opened theirs (one who backs out is absent: the
 * next is asked). s gets the share and who opened it. Returns 0 or an
 * error (a wrong passphrase is recorded as refused).
 */
int op_plan_share_open(struct op_ctx *cx, const char *dir,
    const struct op_protection *p, int share, struct op_share *s)
    CUSTOS_WUR;

struct op_seal_args {
	const char *dir;		/* where the files go (made 0700) */
	const struct op_protection *to;
	int share;			/* its number in the plan */
	unsigned nshares;		/* the plan's DKEK shares */
	const unsigned char *value;	/* NULL: a new random share */
	const struct op_combined *old;	/* a reshare: the old set */
	const char *old_scheme;		/* a reshare from one holder: "file" */
	unsigned long long kdf_mem_kib, kdf_ops;
	char *taken;			/* out (or NULL): who took a copy of
					   their file away ("alice, bob") */
	size_t takensz;
};

/*
 * Seals plan share a->share for a->to into a->dir: one file for a holder
 * (share.create) or a SLIP-39 split with member files and the words
 * offered (share.split); with a->old, recorded as share.reshare. Then
 * each file is offered to its custodian to take away (share.copy). fpr
 * gets its fingerprint. Returns 0 or an error.
 */
int op_plan_share_seal(struct op_ctx *cx, const struct op_seal_args *a,
    char fpr[17]) CUSTOS_WUR;

#endif
