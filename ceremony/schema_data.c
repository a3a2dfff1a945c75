/*
 * schema_data.c - the actions custos writes and their fields, as data
 * (schema.h). docs/formats/transcript.md section 4 prints this table;
 * a test keeps the two the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define END { NULL, 0, 0, NULL, NULL }

#define F_STEP { "step", SCH_STR, SCH_OPT, NULL, \
	"a planned ceremony: the id of the plan step" }
#define F_INTENT { "intent", SCH_INT, SCH_REQ, NULL, \
	"the number of the intent record this record completes" }
#define F_RECOVERED { "recovered", SCH_BOOL, SCH_OPT, NULL, \
	"true: found done on the device or disk after an interruption, " \
	"and recorded then" }
#define F_DEVICE \
	{ "serial", SCH_STR, SCH_REQ, NULL, "the device's serial number" }, \
	{ "reader", SCH_STR, SCH_REQ, NULL, "the reader it was in" }, \
	{ "emulated", SCH_BOOL, SCH_REQ, NULL, \
	    "true for custos's emulated SmartCard-HSM (a rehearsal)" }, \
	{ "hsm", SCH_STR, SCH_OPT, NULL, \
	    "a planned ceremony: the HSM's name in the plan" }, \
	{ "stands_in_for", SCH_STR, SCH_OPT, NULL, \
	    "a rehearsal of a plan: the serial the emulated device stands " \
	    "in for" }, \
	{ "domain", SCH_INT, SCH_OPT, NULL, \
	    "the key domain the step worked in (--domain); absent: none " \
	    "named, the device's DKEK" }
#define F_KEY \
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key reference, 1-255" }, \
	{ "label", SCH_STR, SCH_REQ, NULL, \
	    "the key's label (\"\" without a description)" }, \
	{ "id", SCH_STR, SCH_REQ, NULL, "the key's PKCS#15 ID, hex" }, \
	{ "kind", SCH_STR, SCH_REQ, NULL, \
	    "type and size: RSA-2048, EC prime256v1, ..." }, \
	{ "pubkey_sha256", SCH_SHA256, SCH_OPT, NULL, \
	    "SHA-256 of the public key (SubjectPublicKeyInfo), when the " \
	    "device holds it" }, \
	{ "pubkey", SCH_STR, SCH_OPT, NULL, \
	    "the public key, base64 DER, when the device holds it" }
#define F_FILE(what) \
	{ "file", SCH_STR, SCH_REQ, NULL, what \
	    ", relative to the ceremony directory" }, \
	{ "file_sha256", SCH_SHA256, SCH_REQ, NULL, "SHA-256 of that file" }
#define F_SPLIT \
	{ "scheme", SCH_STR, SCH_REQ, NULL, \
	    "slip39, sc-hsm (password shares of a .pbe) or file (one " \
	    "holder)" }, \
	{ "threshold", SCH_INT, SCH_REQ, NULL, "M: shares needed" }, \
	{ "count", SCH_INT, SCH_REQ, NULL, "N: shares made" }, \
	{ "custodians", SCH_STRS, SCH_REQ, NULL, \
	    "who holds them, in order" }, \
	{ "identifier", SCH_STR, SCH_REQ, NULL, \
	    "the SLIP-39 identifier, the sc-hsm-tool prime (hex), or \"\"" }, \
	{ "files", SCH_STRS, SCH_REQ, NULL, \
	    "the share files written (member files; the .pbe)" }, \
	{ "sheets", SCH_STRS, SCH_REQ, NULL, "the paper sheets written" }
/* Where a split or reshare put its parts, and who saw their words. */
#define F_SPLIT_OUT \
	{ "out_dir", SCH_STR, SCH_REQ, NULL, "where the files went" }, \
	{ "share", SCH_INT, SCH_OPT, NULL, "its number in the plan" }, \
	{ "words_viewed_by", SCH_STRS, SCH_OPT, NULL, \
	    "the custodians who asked to see the words of their part" }, \
	{ "words_checked_by", SCH_STRS, SCH_OPT, NULL, \
	    "those who typed their words back from paper, checked word by " \
	    "word (TUI)" }

static const struct schema_field key_item[] = { F_KEY, END };

static const struct schema_field test_item[] = {
	F_KEY,
	{ "verified", SCH_BOOL, SCH_REQ, NULL,
	    "the signature verified with the public key" },
	END,
};

static const struct schema_field set_key_item[] = {
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key reference" },
	{ "label", SCH_STR, SCH_REQ, NULL, "its label" },
	{ "kind", SCH_STR, SCH_REQ, NULL, "its type and size" },
	{ "pubkey_sha256", SCH_SHA256, SCH_REQ, NULL, "of its public key" },
	{ "file_sha256", SCH_SHA256, SCH_REQ, NULL, "of its wrap file" },
	END,
};

static const struct schema_field skipped_item[] = {
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key reference" },
	{ "label", SCH_STR, SCH_REQ, NULL, "its label" },
	{ "reason", SCH_STR, SCH_REQ, NULL, "why it is not in the set" },
	END,
};

static const struct schema_field problem_item[] = {
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key reference" },
	{ "why", SCH_STR, SCH_REQ, NULL, "what does not check" },
	END,
};

static const struct schema_field result_item[] = {
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key's reference in the set" },
	{ "dest_ref", SCH_INT, SCH_REQ, NULL, "the reference it went to" },
	{ "label", SCH_STR, SCH_REQ, NULL, "its label" },
	{ "pubkey_sha256", SCH_SHA256, SCH_REQ, NULL, "of its public key" },
	{ "proven", SCH_BOOL, SCH_REQ, NULL,
	    "it signs on the device under its original public key" },
	{ "already", SCH_BOOL, SCH_REQ, NULL, "it was there already" },
	{ "error", SCH_STR, SCH_REQ, NULL, "why it failed, or \"\"" },
	END,
};

static const struct schema_field f_library[] = {
	{ "name", SCH_STR, SCH_REQ, NULL, "libsodium, OpenSSL, ..." },
	{ "version", SCH_STR, SCH_REQ, NULL, "its version" },
	END,
};

static const struct schema_field f_open[] = {
	{ "admin", SCH_STR, SCH_REQ, NULL, "the administrator" },
	{ "ceremony_id", SCH_STR, SCH_REQ, NULL, "16 hex digits, random" },
	{ "minisign_key_id", SCH_STR, SCH_REQ, NULL,
	    "the key id of ceremony.pub, 16 hex digits in file order" },
	{ "public_key_sha256", SCH_SHA256, SCH_REQ, NULL,
	    "SHA-256 of the ceremony's 32-byte public key" },
	{ "title", SCH_STR, SCH_REQ, NULL, "the ceremony's title" },
	{ "witnesses", SCH_STRS, SCH_REQ, NULL,
	    "the witnesses present (may be empty)" },
	{ "schema", SCH_INT, SCH_OPT, NULL,
	    "the version of these record shapes the transcript follows (1); "
	    "absent from transcripts of custos 0.1.0, whose records audit "
	    "verify does not hold to these shapes" },
	{ "plan_sha256", SCH_SHA256, SCH_OPT, NULL,
	    "a planned ceremony: SHA-256 of the plan file" },
	{ "custos_version", SCH_STR, SCH_REQ, NULL,
	    "the custos that wrote the transcript: its version" },
	{ "custos_commit", SCH_STR, SCH_REQ, NULL,
	    "the source commit it was built from (40 hex digits; -dirty: "
	    "with uncommitted changes; unknown: not built from git)" },
	{ "custos_sha256", SCH_SHA256, SCH_REQ, NULL,
	    "SHA-256 of its executable, as `custos version` prints it" },
	{ "libraries", SCH_OBJS, SCH_REQ, f_library,
	    "the libraries it ran with, as each reports its version (pcsc-lite: "
	    "the version built against)" },
	{ "kernel", SCH_STR, SCH_REQ, NULL,
	    "the kernel: uname's system, release and machine" },
	{ "kernel_build", SCH_STR, SCH_REQ, NULL,
	    "uname's version of the kernel: its build" },
	{ "interfaces_up", SCH_STRS, SCH_REQ, NULL,
	    "the network interfaces up at open, loopback aside (empty: "
	    "offline)" },
	END,
};

static const struct schema_field f_none[] = { END };

static const struct schema_field f_repair[] = {
	{ "dropped_bytes", SCH_INT, SCH_REQ, NULL,
	    "bytes of a partial record cut off" },
	{ "dropped_sha256", SCH_SHA256, SCH_REQ, NULL, "their SHA-256" },
	END,
};

static const struct schema_field f_intent[] = {
	{ "op", SCH_STR, SCH_REQ, NULL,
	    "the action that will record the step when it is done" },
	{ "serial", SCH_STR, SCH_OPT, NULL, "the device it acts on" },
	{ "reader", SCH_STR, SCH_OPT, NULL, "its reader" },
	{ "emulated", SCH_BOOL, SCH_OPT, NULL, "an emulated device" },
	{ "hsm", SCH_STR, SCH_OPT, NULL, "the HSM's name in the plan" },
	{ "stands_in_for", SCH_STR, SCH_OPT, NULL,
	    "the planned serial an emulated device stands in for" },
	{ "domain", SCH_INT, SCH_OPT, NULL, "the key domain it acts in" },
	{ "share", SCH_INT, SCH_OPT, NULL,
	    "a planned ceremony: the DKEK share's number in the plan" },
	{ "share_fingerprint", SCH_KCV, SCH_OPT, NULL, "the share it moves" },
	{ "imported_before", SCH_INT, SCH_OPT, NULL,
	    "an import: shares the device held before it" },
	{ "dkek_shares", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the DKEK shares it sets up" },
	{ "key_domains", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the key domain slots it sets up" },
	{ "shares", SCH_INT, SCH_OPT, NULL,
	    "a key domain created: the shares that make its DKEK" },
	{ "pin_retries", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the PIN retry counter" },
	{ "keys_erased", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the keys the device holds" },
	{ "same_before", SCH_BOOL, SCH_OPT, NULL,
	    "an initialization: the device already looked as it leaves it" },
	{ "ref", SCH_INT, SCH_OPT, NULL, "the key reference it uses" },
	{ "label", SCH_STR, SCH_OPT, NULL, "the key or share label" },
	{ "id", SCH_STR, SCH_OPT, NULL, "the key's ID" },
	{ "kind", SCH_STR, SCH_OPT, NULL, "the key's type and size" },
	{ "type", SCH_STR, SCH_OPT, NULL, "the key type asked for" },
	{ "pubkey_sha256", SCH_SHA256, SCH_OPT, NULL,
	    "the public key of the key it moves" },
	{ "file", SCH_STR, SCH_OPT, NULL, "the file it writes" },
	{ "files", SCH_STRS, SCH_OPT, NULL, "the files it writes" },
	{ "set", SCH_STR, SCH_OPT, NULL, "the backup set it writes or reads" },
	{ "file_sha256", SCH_SHA256, SCH_OPT, NULL,
	    "a copy: SHA-256 of the file it copies" },
	{ "to", SCH_STR, SCH_OPT, NULL, "a copy: where it goes" },
	{ "pka_keys", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the keys public key authentication takes" },
	{ "pka_required", SCH_INT, SCH_OPT, NULL,
	    "an initialization: the keys that must authenticate" },
	{ "pka_replace", SCH_BOOL, SCH_OPT, NULL,
	    "an initialization: registered keys may be replaced" },
	{ "holder", SCH_STR, SCH_OPT, NULL,
	    "public key authentication: whose key it is" },
	{ "key_chr", SCH_STR, SCH_OPT, NULL,
	    "public key authentication: the key's holder reference" },
	{ "personal_serial", SCH_STR, SCH_OPT, NULL,
	    "public key authentication: the personal device's serial" },
	{ "root", SCH_STR, SCH_OPT, NULL,
	    "public key authentication: the root of the key's chain" },
	F_STEP,
	END,
};

static const struct schema_field f_void[] = {
	{ "intent", SCH_INT, SCH_REQ, NULL, "the intent not carried out" },
	{ "op", SCH_STR, SCH_REQ, NULL, "its action" },
	{ "reason", SCH_STR, SCH_REQ, NULL, "what happened" },
	{ "serial", SCH_STR, SCH_OPT, NULL, "the device" },
	{ "key_on_device", SCH_STR, SCH_OPT, NULL,
	    "a key step: whether a key is under its reference now (yes, no, "
	    "unknown)" },
	{ "ref", SCH_INT, SCH_OPT, NULL, "a key step: the reference" },
	{ "pubkey_sha256", SCH_SHA256, SCH_OPT, NULL,
	    "an unwrap: the key's public key" },
	{ "kcv", SCH_KCV, SCH_OPT, NULL, "an unwrap: the blob's DKEK KCV" },
	F_STEP,
	END,
};

static const struct schema_field f_abandon[] = {
	{ "file", SCH_STR, SCH_REQ, NULL,
	    "a file or set a cut step left, relative to the ceremony "
	    "directory" },
	{ "moved_to", SCH_STR, SCH_REQ, NULL, "where it was moved" },
	{ "left_by", SCH_INT, SCH_REQ, NULL,
	    "the intent of the step that wrote it (still open: taking the "
	    "step again finishes it)" },
	F_STEP,
	END,
};

static const struct schema_field f_refused[] = {
	{ "what", SCH_STR, SCH_REQ, NULL,
	    "passphrase, user PIN, SO PIN or share" },
	{ "reason", SCH_STR, SCH_REQ, NULL, "why it was refused" },
	{ "tries_left", SCH_INT, SCH_OPT, NULL,
	    "a PIN: the tries the device has left" },
	{ "file", SCH_STR, SCH_OPT, NULL, "the share file" },
	{ "serial", SCH_STR, SCH_OPT, NULL, "the device" },
	{ "share_fingerprint", SCH_KCV, SCH_OPT, NULL,
	    "a share: the one given" },
	{ "expected_fingerprint", SCH_KCV, SCH_OPT, NULL,
	    "a share: the one expected" },
	F_STEP,
	END,
};

static const struct schema_field f_plan[] = {
	{ "plan_sha256", SCH_SHA256, SCH_REQ, NULL,
	    "SHA-256 of the plan file's bytes" },
	{ "kind", SCH_STR, SCH_REQ, NULL, "new-dkek, key-backup, restore, "
	    "reshare" },
	{ "title", SCH_STR, SCH_REQ, NULL, "the plan's title" },
	{ "rehearsal", SCH_BOOL, SCH_REQ, NULL, "a rehearsal" },
	{ "steps", SCH_STRS, SCH_REQ, NULL, "the step ids, in order" },
	F_STEP,
	END,
};

static const struct schema_field f_share_create[] = {
	F_FILE("the share file written"),
	{ "format", SCH_STR, SCH_REQ, NULL,
	    "custos v1 or sc-hsm-tool .pbe" },
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL,
	    "the new share's fingerprint" },
	{ "label", SCH_STR, SCH_OPT, NULL, "a v1 file: its label" },
	{ "card_challenge_mixed_from", SCH_STR, SCH_OPT, NULL,
	    "the reader whose card's GET CHALLENGE was mixed in" },
	{ "share", SCH_INT, SCH_OPT, NULL, "its number in the plan" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_share_verify[] = {
	F_FILE("the share file opened"),
	{ "format", SCH_STR, SCH_REQ, NULL, "its format" },
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "its fingerprint" },
	F_STEP,
	END,
};

static const struct schema_field f_share_convert[] = {
	F_FILE("the new file"),
	{ "format", SCH_STR, SCH_REQ, NULL, "its format" },
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "the share's" },
	{ "label", SCH_STR, SCH_OPT, NULL, "a v1 file: its label" },
	{ "from_file", SCH_STR, SCH_REQ, NULL, "the file converted" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_share_split[] = {
	F_SPLIT,
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "the share split" },
	{ "from", SCH_STR, SCH_REQ, NULL,
	    "the share file split, or \"new random share\"" },
	F_SPLIT_OUT,
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_share_combine[] = {
	{ "scheme", SCH_STR, SCH_REQ, NULL, "slip39 or sc-hsm" },
	{ "threshold", SCH_INT, SCH_REQ, NULL, "M" },
	{ "shares_given", SCH_INT, SCH_REQ, NULL, "how many were given" },
	{ "identifier", SCH_STR, SCH_REQ, NULL,
	    "the SLIP-39 identifier or the prime" },
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "of the share rebuilt" },
	{ "fingerprint_matches", SCH_BOOL, SCH_OPT, NULL,
	    "it is the expected fingerprint" },
	{ "wrong_shares", SCH_STR, SCH_OPT, NULL,
	    "shares left out as wrong (\"2, 5\")" },
	{ "file", SCH_STR, SCH_OPT, NULL, "the share file written" },
	{ "file_sha256", SCH_SHA256, SCH_OPT, NULL, "its SHA-256" },
	{ "pbe", SCH_STR, SCH_OPT, NULL, "the .pbe the shares opened" },
	{ "intent", SCH_INT, SCH_OPT, NULL, "with a file: its intent" },
	F_STEP,
	END,
};

static const struct schema_field f_share_reshare[] = {
	F_SPLIT,
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "the share" },
	{ "old_scheme", SCH_STR, SCH_REQ, NULL, "the old protection's scheme" },
	{ "old_identifier", SCH_STR, SCH_REQ, NULL, "its identifier" },
	{ "old_threshold", SCH_INT, SCH_REQ, NULL, "its threshold" },
	{ "old_shares_given", SCH_INT, SCH_REQ, NULL,
	    "how many of its shares were given" },
	{ "old_set", SCH_STR, SCH_REQ, NULL, "retired" },
	F_SPLIT_OUT,
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_share_print[] = {
	{ "scheme", SCH_STR, SCH_REQ, NULL, "slip39" },
	{ "custodian", SCH_STR, SCH_REQ, NULL, "whose sheet" },
	{ "identifier", SCH_INT, SCH_REQ, NULL, "the SLIP-39 identifier" },
	{ "member_index", SCH_INT, SCH_REQ, NULL, "the member, 1-based" },
	{ "threshold", SCH_INT, SCH_REQ, NULL, "M" },
	{ "file", SCH_STR, SCH_REQ, NULL, "the sheet written" },
	{ "pdf", SCH_STR, SCH_OPT, NULL, "the same sheet as PDF" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_share_copy[] = {
	{ "file", SCH_STR, SCH_REQ, NULL,
	    "the share file copied, relative to the ceremony directory" },
	{ "file_sha256", SCH_SHA256, SCH_REQ, NULL, "SHA-256 of that file" },
	{ "to", SCH_STR, SCH_REQ, NULL,
	    "where the copy is: its absolute path (removable media)" },
	{ "custodian", SCH_STR, SCH_REQ, NULL, "who took it" },
	{ "bytes", SCH_INT, SCH_REQ, NULL, "its size" },
	{ "read_back", SCH_BOOL, SCH_REQ, NULL,
	    "the copy was read back from the medium and had the same SHA-256" },
	{ "already_there", SCH_BOOL, SCH_OPT, NULL,
	    "the same bytes were there already (a copy taken before)" },
	{ "intent", SCH_INT, SCH_OPT, NULL, "its intent (absent when "
	    "already there)" },
	F_RECOVERED, F_STEP,
	END,
};

static const struct schema_field f_kcv[] = {
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "the DKEK's KCV" },
	{ "shares", SCH_INT, SCH_REQ, NULL, "how many shares make it" },
	{ "share_fingerprints", SCH_KCVS, SCH_REQ, NULL,
	    "their fingerprints, in order of import (as far as recorded)" },
	{ "files", SCH_STRS, SCH_OPT, NULL,
	    "computed from files: the share files" },
	{ "expected_kcv", SCH_KCV, SCH_OPT, NULL, "the KCV it must have" },
	{ "serial", SCH_STR, SCH_OPT, NULL, "read from a device: its serial" },
	{ "reader", SCH_STR, SCH_OPT, NULL, "its reader" },
	{ "emulated", SCH_BOOL, SCH_OPT, NULL, "an emulated device" },
	{ "hsm", SCH_STR, SCH_OPT, NULL, "the HSM's name in the plan" },
	{ "stands_in_for", SCH_STR, SCH_OPT, NULL,
	    "the planned serial an emulated device stands in for" },
	{ "domain", SCH_INT, SCH_OPT, NULL, "read from a device: the key "
	    "domain" },
	F_STEP,
	END,
};

static const struct schema_field f_status[] = {
	F_DEVICE,
	{ "initialized", SCH_INT, SCH_REQ, NULL, "1 yes, 0 no, -1 unknown" },
	{ "pin_tries", SCH_INT, SCH_REQ, NULL, "user PIN tries left (-1)" },
	{ "so_tries", SCH_INT, SCH_REQ, NULL, "SO PIN tries left (-1)" },
	{ "dkek_shares", SCH_INT, SCH_REQ, NULL, "DKEK shares configured" },
	{ "dkek_outstanding", SCH_INT, SCH_REQ, NULL, "still to import" },
	{ "kcv", SCH_KCV_NULL, SCH_REQ, NULL, "the DKEK's KCV, or null" },
	F_STEP,
	END,
};

static const struct schema_field f_init[] = {
	F_DEVICE,
	{ "dkek_shares", SCH_INT, SCH_REQ, NULL,
	    "DKEK shares configured (0: no DKEK)" },
	{ "key_domains", SCH_INT, SCH_OPT, NULL,
	    "key domain slots set up, all empty, instead of a DKEK" },
	{ "pka_keys", SCH_INT, SCH_OPT, NULL,
	    "public key authentication: the custodians' keys to register "
	    "(N); no user PIN is set" },
	{ "pka_required", SCH_INT, SCH_OPT, NULL,
	    "public key authentication: the keys that must authenticate "
	    "(M)" },
	{ "pka_replace", SCH_BOOL, SCH_OPT, NULL,
	    "public key authentication: registered keys may be replaced" },
	{ "pin_retries", SCH_INT, SCH_REQ, NULL, "user PIN retry counter" },
	{ "keys_erased", SCH_INT, SCH_REQ, NULL, "keys the device held" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

#define F_PKA_KEY \
	{ "holder", SCH_STR, SCH_REQ, NULL, "the custodian whose key it is" }, \
	{ "key_chr", SCH_STR, SCH_REQ, NULL, \
	    "the key's holder reference (CHR), as the HSM names it" }, \
	{ "personal_serial", SCH_STR, SCH_REQ, NULL, \
	    "the serial of the custodian's personal device" }, \
	{ "pubkey_sha256", SCH_SHA256, SCH_REQ, NULL, \
	    "SHA-256 of the key (SubjectPublicKeyInfo)" }

static const struct schema_field f_pka_export[] = {
	F_DEVICE,
	F_PKA_KEY,
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key reference on the device" },
	{ "kind", SCH_STR, SCH_REQ, NULL, "EC and its curve" },
	F_FILE("the .pka written"),
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_pka_register[] = {
	F_DEVICE,
	F_PKA_KEY,
	{ "kind", SCH_STR, SCH_REQ, NULL, "EC and its curve" },
	{ "root", SCH_STR, SCH_REQ, NULL,
	    "the root its device certificate chain ends in" },
	{ "slot", SCH_INT, SCH_REQ, NULL, "where the HSM keeps it, 0 to N-1" },
	{ "replaced", SCH_BOOL, SCH_OPT, NULL,
	    "true: it took the place of the key in that slot" },
	{ "registered", SCH_INT, SCH_REQ, NULL, "keys registered now" },
	{ "total", SCH_INT, SCH_REQ, NULL, "N" },
	{ "required", SCH_INT, SCH_REQ, NULL, "M" },
	F_FILE("the .pka read"),
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field pka_item[] = {
	{ "slot", SCH_INT, SCH_REQ, NULL, "0 to N-1" },
	{ "key_chr", SCH_STR, SCH_REQ, NULL, "the key registered there" },
	{ "authenticated", SCH_BOOL, SCH_REQ, NULL,
	    "authenticated since the device's last reset" },
	END,
};

static const struct schema_field f_pka_status[] = {
	F_DEVICE,
	{ "total", SCH_INT, SCH_REQ, NULL, "N" },
	{ "required", SCH_INT, SCH_REQ, NULL, "M" },
	{ "registered", SCH_INT, SCH_REQ, NULL, "keys registered" },
	{ "authenticated", SCH_INT, SCH_REQ, NULL, "keys authenticated" },
	{ "keys", SCH_OBJS, SCH_REQ, pka_item, "each key registered" },
	F_STEP,
	END,
};

static const struct schema_field f_pka_auth[] = {
	F_DEVICE,
	{ "holder", SCH_STR, SCH_REQ, NULL, "the custodian who answered" },
	{ "key_chr", SCH_STR, SCH_REQ, NULL,
	    "the registered key that answered (\"\" when none matched)" },
	{ "personal_serial", SCH_STR, SCH_REQ, NULL,
	    "the serial of the personal device used" },
	{ "result", SCH_STR, SCH_REQ, NULL, "accepted or refused" },
	{ "reason", SCH_STR, SCH_OPT, NULL, "refused: why" },
	{ "authenticated", SCH_INT, SCH_REQ, NULL,
	    "keys authenticated on the HSM after this attempt" },
	{ "required", SCH_INT, SCH_REQ, NULL, "M" },
	F_STEP,
	END,
};

static const struct schema_field f_domain_create[] = {
	F_DEVICE,
	{ "shares", SCH_INT, SCH_REQ, NULL,
	    "the DKEK shares that make the new domain's DKEK" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_domain_delete[] = {
	F_DEVICE,
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field domain_item[] = {
	{ "domain", SCH_INT, SCH_REQ, NULL, "its number" },
	{ "shares", SCH_INT, SCH_REQ, NULL, "the shares that make its DKEK" },
	{ "left", SCH_INT, SCH_REQ, NULL, "shares still to import" },
	{ "kcv", SCH_KCV_NULL, SCH_REQ, NULL,
	    "its DKEK's KCV, null until complete (or until a PIN login)" },
	END,
};

static const struct schema_field f_domains[] = {
	F_DEVICE,
	{ "slots", SCH_INT, SCH_REQ, NULL,
	    "key domain slots the device has (1 without key domains: the "
	    "DKEK)" },
	{ "domains", SCH_OBJS, SCH_REQ, domain_item, "each slot in use" },
	F_STEP,
	END,
};

static const struct schema_field f_import[] = {
	F_DEVICE,
	{ "share_fingerprint", SCH_KCV, SCH_REQ, NULL, "the share imported" },
	{ "imported", SCH_INT, SCH_REQ, NULL, "shares the device now holds" },
	{ "outstanding", SCH_INT, SCH_REQ, NULL, "shares still to import" },
	{ "custodians", SCH_STRS, SCH_REQ, NULL,
	    "whose share it is: the holder, or the members who opened "
	    "theirs" },
	{ "file", SCH_STR, SCH_OPT, NULL, "the share file, when one was given" },
	{ "file_sha256", SCH_SHA256, SCH_OPT, NULL, "its SHA-256" },
	{ "kcv", SCH_KCV, SCH_OPT, NULL,
	    "the last share: the KCV the device reports" },
	{ "share", SCH_INT, SCH_OPT, NULL, "its number in the plan" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_keys[] = {
	F_DEVICE,
	{ "keys", SCH_OBJS, SCH_REQ, key_item, "every key on the device" },
	F_STEP,
	END,
};

static const struct schema_field f_keygen[] = {
	F_DEVICE, F_KEY,
	{ "type", SCH_STR, SCH_OPT, NULL, "the type the plan asked for" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_delete[] = {
	F_DEVICE, F_KEY, F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_sign_test[] = {
	F_DEVICE,
	{ "results", SCH_OBJS, SCH_REQ, test_item, "each key tested" },
	F_STEP,
	END,
};

static const struct schema_field f_change_pin[] = {
	F_DEVICE, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_wrap[] = {
	F_DEVICE, F_KEY,
	F_FILE("the wrap file written"),
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "the DKEK KCV the blob carries" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_unwrap[] = {
	F_DEVICE, F_KEY,
	F_FILE("the wrap file"),
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "the DKEK KCV the blob carries" },
	{ "resumed", SCH_BOOL, SCH_REQ, NULL,
	    "the key was there already and only completed" },
	{ "proof", SCH_BOOL, SCH_REQ, NULL,
	    "it signs under the file's public key" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_backup_create[] = {
	F_DEVICE,
	{ "set", SCH_STR, SCH_REQ, NULL,
	    "the backup set, relative to the ceremony directory" },
	{ "manifest_sha256", SCH_SHA256, SCH_REQ, NULL,
	    "SHA-256 of its manifest.json" },
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "its DKEK's KCV" },
	{ "keys", SCH_OBJS, SCH_REQ, set_key_item, "the keys in it" },
	{ "not_exportable", SCH_OBJS, SCH_REQ, skipped_item,
	    "the keys NOT in it" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_backup_verify[] = {
	{ "set", SCH_STR, SCH_REQ, NULL, "the backup set" },
	{ "manifest_sha256", SCH_SHA256, SCH_REQ, NULL, "of its manifest" },
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "its DKEK's KCV" },
	{ "deep", SCH_BOOL, SCH_REQ, NULL,
	    "every blob was opened with the DKEK rebuilt from its shares" },
	{ "keys", SCH_INT, SCH_REQ, NULL, "keys in the set" },
	{ "failed", SCH_INT, SCH_REQ, NULL, "keys that did not check" },
	{ "problems", SCH_OBJS, SCH_REQ, problem_item, "what did not check" },
	{ "domain", SCH_INT, SCH_OPT, NULL,
	    "a set of a key domain: that domain (its manifest's)" },
	F_STEP,
	END,
};

static const struct schema_field f_backup_restore[] = {
	F_DEVICE,
	{ "set", SCH_STR, SCH_REQ, NULL, "the backup set" },
	{ "manifest_sha256", SCH_SHA256, SCH_REQ, NULL, "of its manifest" },
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "its DKEK's KCV" },
	{ "results", SCH_OBJS, SCH_REQ, result_item, "each key" },
	{ "restored", SCH_INT, SCH_REQ, NULL, "keys restored and proven" },
	{ "outcome", SCH_STR, SCH_REQ, NULL, "complete or incomplete" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_import_key[] = {
	F_DEVICE, F_KEY,
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "the DKEK it was wrapped under" },
	{ "proof", SCH_BOOL, SCH_REQ, NULL, "it signs under its public key" },
	F_RECOVERED, F_INTENT, F_STEP,
	END,
};

static const struct schema_field f_export_key[] = {
	{ "set", SCH_STR, SCH_REQ, NULL, "the backup set" },
	{ "manifest_sha256", SCH_SHA256, SCH_REQ, NULL, "of its manifest" },
	{ "kcv", SCH_KCV, SCH_REQ, NULL, "its DKEK's KCV" },
	{ "ref", SCH_INT, SCH_REQ, NULL, "the key exported" },
	{ "label", SCH_STR, SCH_REQ, NULL, "its label" },
	{ "pubkey_sha256", SCH_SHA256, SCH_REQ, NULL, "its public key" },
	F_FILE("the encrypted PKCS#8 file written"),
	{ "format", SCH_STR, SCH_REQ, NULL, "PKCS#8 PEM, AES-256-CBC, PBKDF2" },
	{ "domain", SCH_INT, SCH_OPT, NULL,
	    "a set of a key domain: that domain (its manifest's)" },
	F_INTENT, F_STEP,
	END,
};

static const struct schema_action actions[] = {
	{ "ceremony.open", "record 0: the ceremony was opened (actor: the "
	    "administrator)", f_open },
	{ "ceremony.close", "the last record: the ceremony was closed", f_none },
	{ "transcript.repair", "custos cut off a partial record a crash left "
	    "(actor: custos)", f_repair },
	{ "intent", "a step that changes a device or writes a file is about "
	    "to act; the record that completes it names it in \"intent\"",
	    f_intent },
	{ "intent.void", "an intent was not carried out (or not to the "
	    "end), found on the next run or when the step failed", f_void },
	{ "file.abandon", "a file a cut step left was moved aside; words "
	    "written for it are void", f_abandon },
	{ "attempt.refused", "a wrong passphrase, a wrong PIN, a wrong or "
	    "repeated share (actor: who tried); never the secret",
	    f_refused },
	{ "walk.plan", "a planned ceremony: everyone checked the plan's "
	    "SHA-256", f_plan },
	{ "share.create", "a new DKEK share was written to a file (actor: "
	    "its holder)", f_share_create },
	{ "share.verify", "a share file's passphrase was checked (actor: its "
	    "holder)", f_share_verify },
	{ "share.convert", "a share was written to a file of another format",
	    f_share_convert },
	{ "share.split", "a share was split M-of-N (actor: the custodians "
	    "who sealed their part, or whoever ran it)", f_share_split },
	{ "share.combine", "a share was rebuilt from a quorum (actor: who "
	    "gave the shares)", f_share_combine },
	{ "share.reshare", "a share was protected anew for new custodians; "
	    "the old set is retired", f_share_reshare },
	{ "share.print", "a custodian's sheet was printed again from their "
	    "words", f_share_print },
	{ "share.copy", "a share file was copied for its custodian to where "
	    "they chose (removable media), and read back (actor: the "
	    "custodian)", f_share_copy },
	{ "dkek.kcv", "the KCV of a DKEK: computed from share files, or read "
	    "from a device and confirmed", f_kcv },
	{ "hsm.status", "a device's state was read", f_status },
	{ "hsm.init", "a device was initialized", f_init },
	{ "hsm.domain-create", "a key domain was created (its number in "
	    "domain)", f_domain_create },
	{ "hsm.domain-delete", "an empty key domain was deleted (its number "
	    "in domain)", f_domain_delete },
	{ "hsm.domains", "a device's key domains were listed", f_domains },
	{ "pka.export", "a custodian's key was exported from their personal "
	    "device for public key authentication (actor: the custodian)",
	    f_pka_export },
	{ "pka.register", "a custodian's key was registered on an HSM after "
	    "its device certificate chain was checked", f_pka_register },
	{ "pka.status", "an HSM's public key authentication was read",
	    f_pka_status },
	{ "pka.authenticate", "a custodian's personal device answered an "
	    "HSM's challenge (actor: the custodian), accepted or refused",
	    f_pka_auth },
	{ "hsm.import-share", "one DKEK share went into a device (actor: its "
	    "holder or holders)", f_import },
	{ "hsm.keys", "a device's keys were listed", f_keys },
	{ "hsm.keygen", "a key pair was generated on a device", f_keygen },
	{ "hsm.delete", "a key was deleted", f_delete },
	{ "hsm.sign-test", "keys were proven by a signature", f_sign_test },
	{ "hsm.change-pin", "the user PIN was changed", f_change_pin },
	{ "hsm.wrap", "a key was exported under the DKEK into a wrap file",
	    f_wrap },
	{ "hsm.unwrap", "a wrap file was imported and its key proven",
	    f_unwrap },
	{ "backup.create", "every exportable key was wrapped into a backup "
	    "set", f_backup_create },
	{ "backup.verify", "a backup set was checked without a device",
	    f_backup_verify },
	{ "backup.restore", "a backup set was restored onto a device, every "
	    "key proven", f_backup_restore },
	{ "backup.import-key", "a software key was migrated into a device",
	    f_import_key },
	{ "backup.export-key", "a key of a backup set was exported to an "
	    "encrypted file (break glass)", f_export_key },
};

const struct schema_action *
schema_all(size_t *n)
{
	*n = sizeof(actions) / sizeof(actions[0]);
	return actions;
}

const struct schema_action *
schema_find(const char *action)
{
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].action, action) == 0)
			return &actions[i];
	return NULL;
}
