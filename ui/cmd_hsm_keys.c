/*
 * cmd_hsm_keys.c - custos hsm keys | keygen | delete | sign-test |
 * change-pin: the keys on a SmartCard-HSM and the user PIN.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cards/sc_hsm.h"
#include "../cards/sc_hsm_keys.h"
#include "../common/encode.h"
#include "../common/secmem.h"
#include "cli.h"
#include "hsm_util.h"

/* Parses a command's options: the shared ones, and -h. */
static int
common_only(struct hsm_ctx *h, int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(h, ch, optarg))
			continue;
		if (ch != 'h')
			return cli_bad_option(h->ctx, argv);
		printf("%s", usage);
		return -1;
	}
	if (optind != argc)
		return cli_usage_error(h->ctx, "unexpected argument");
	return EXIT_OK_;
}

/* Lists the keys into a new array (*keys, *n); prints one line on error. */
static int
list_keys(struct hsm_ctx *h, struct sc_hsm_key **keys, size_t *n)
{
	int r;

	*n = 0;
	if ((*keys = calloc(SC_HSM_MAX_REFS, sizeof(**keys))) == NULL)
		return cli_fail(h->ctx, CUSTOS_ERR_NOMEM);
	if ((r = sc_hsm_select(h->card, NULL, NULL)) != 0 ||
	    (r = sc_hsm_list_keys(h->card, *keys, SC_HSM_MAX_REFS, n)) != 0)
		return cli_fail(h->ctx, r);
	return EXIT_OK_;
}

static void
free_keys(struct sc_hsm_key *keys, size_t n)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < n; i++)
		sc_hsm_key_clear(&keys[i]);
	free(keys);
}

int
cmd_hsm_keys(int argc, char **argv)
{
	struct sc_hsm_key *keys = NULL;
	struct hsm_ctx h;
	json_t *facts, *arr;
	size_t n = 0, i;
	int ex;

	hsm_ctx_init(&h, "hsm keys");
	ex = common_only(&h, argc, argv, "usage: custos hsm keys\n"
	    HSM_COMMON_USAGE "\nLists the keys on the device: reference, "
	    "type and size, label, and the first\n8 bytes of the SHA-256 "
	    "of the public key (SubjectPublicKeyInfo). Sends no PIN.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_ ||
	    (ex = list_keys(&h, &keys, &n)) != EXIT_OK_)
		goto out;
	if (n == 0)
		printf("no keys\n");
	else
		printf("ref  type               label                    "
		    "public key SHA-256 (first 8 bytes)\n");
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *k = json_object();

		hsm_key_print(&keys[i]);
		hsm_key_facts(k, &keys[i]);
		json_array_append_new(arr, k);
	}
	facts = hsm_facts(&h);
	json_object_set_new(facts, "keys", arr);
	ex = hsm_record(&h, "hsm.keys", facts);
 out:
	free_keys(keys, n);
	hsm_ctx_close(&h);
	return ex;
}

/*
 * Records a keygen or delete that failed, with whether a key is now
 * under ref (the device may have done part of it): yes, no, or unknown
 * when the card cannot be asked.
 */
static void
record_failure(struct hsm_ctx *h, const char *action, int ref,
    const char *kind, int err)
{
	uint16_t fids[1024];
	size_t n = 0, i;
	const char *there = "unknown";
	json_t *facts = hsm_facts(h);

	if (sc_hsm_enumerate(h->card, fids, 1024, &n) == 0) {
		there = "no";
		for (i = 0; i < n; i++)
			if (fids[i] == (0xCC00 | ref))
				there = "yes";
	}
	json_object_set_new(facts, "ref", json_integer(ref));
	json_object_set_new(facts, "kind", json_string(kind));
	json_object_set_new(facts, "error", json_string(custos_strerror(err)));
	json_object_set_new(facts, "key_on_device", json_string(there));
	(void)hsm_record(h, action, facts);
}

/* Refuses (unless allowed) a key that could never be exported. */
static int
check_exportable(struct hsm_ctx *h, int allow)
{
	uint8_t kcv[8];
	int total = 0, left = 0, r;

	r = sc_hsm_dkek_query(h->card, &total, &left, kcv);
	if (r == 0 && total > 0 && left == 0)
		return EXIT_OK_;
	if (r == 0 && total > 0)
		printf("WARNING: %d of %d DKEK shares are still outstanding: "
		    "a key generated now\ncan NEVER be exported or backed "
		    "up.\n", left, total);
	else
		printf("WARNING: the device has no DKEK: a key generated now "
		    "can NEVER be exported\nor backed up.\n");
	if (allow || hsm_confirm("UNEXPORTABLE"))
		return EXIT_OK_;
	fprintf(stderr, "custos: %s: refusing to generate a key that can "
	    "never be backed up (type UNEXPORTABLE, or --unexportable)\n",
	    h->ctx);
	return EXIT_REFUSED;
}

int
cmd_hsm_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "type", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "id", required_argument, NULL, 'i' },
		{ "ref", required_argument, NULL, 'r' },
		{ "unexportable", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *type = NULL, *label = NULL, *idhex = NULL, *curve = NULL;
	uint8_t id[PRKD_ID_MAX];
	struct sc_hsm_key k;
	struct hsm_ctx h;
	json_t *facts;
	unsigned bits = 0;
	size_t idlen = 0;
	int ch, ex, r, ref = -1, allow = 0;

	memset(&k, 0, sizeof(k));
	hsm_ctx_init(&h, "hsm keygen");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 't': type = optarg; break;
		case 'l': label = optarg; break;
		case 'i': idhex = optarg; break;
		case 'U': allow = 1; break;
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos hsm keygen --type rsa:BITS | "
			    "ec:CURVE --label LABEL [--id HEX]\n"
			    "         [--ref N] [--unexportable]\n"
			    HSM_COMMON_USAGE "\n"
			    "Generates a key pair on the device: RSA of 2048, "
			    "3072 or 4096 bits, or EC on\nprime256v1 (P-256), "
			    "secp384r1 (P-384), secp521r1 (P-521), "
			    "brainpoolP256r1,\nbrainpoolP320r1, "
			    "brainpoolP384r1, brainpoolP512r1 or secp256k1. "
			    "The key gets the\nlowest free reference (or "
			    "--ref), a PKCS#15 description with LABEL and ID\n"
			    "(default: SHA-1 of the modulus or point, as "
			    "OpenSC), and its public key is\nkept on the "
			    "device and recorded. A key generated before the "
			    "DKEK is complete\ncan never be exported: that "
			    "needs UNEXPORTABLE typed, or --unexportable.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if (type == NULL || sc_hsm_parse_type(type, &curve, &bits) != 0)
		return cli_usage_error(h.ctx, "--type is rsa:2048, rsa:3072, "
		    "rsa:4096 or ec:CURVE");
	if (label == NULL || label[0] == '\0' || strlen(label) >
	    PRKD_LABEL_MAX)
		return cli_usage_error(h.ctx, "--label is 1 to 64 characters");
	if ((ex = cli_check_recordable(h.ctx, "label", label)) != EXIT_OK_)
		return ex;
	if (idhex != NULL && (ex = hsm_parse_id(h.ctx, idhex, id, &idlen)) !=
	    EXIT_OK_)
		return ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = check_exportable(&h, allow)) != EXIT_OK_ ||
	    (ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	if (ref < 0 && (r = sc_hsm_free_ref(h.card, &ref)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	printf("generating %s under reference %d%s...\n", type, ref,
	    bits >= 3072 ? " (a real device may take a minute or more)" : "");
	fflush(stdout);
	r = sc_hsm_keygen(h.card, ref, curve, bits, label,
	    idhex != NULL ? id : NULL, idlen, &k);
	if (r != 0) {
		fprintf(stderr, "custos: %s: reference %d: %s\n", h.ctx, ref,
		    r == CUSTOS_ERR_UNSUPPORTED ? "the device does not take "
		    "this key type or size" : r == CUSTOS_ERR_EXISTS ?
		    "is taken (choose another --ref)" : custos_strerror(r));
		ex = cli_exit_code(r);
		record_failure(&h, "hsm.keygen.failed", ref, type, r);
		goto out;
	}
	printf("generated:\n");
	hsm_key_print(&k);
	facts = hsm_facts(&h);
	hsm_key_facts(facts, &k);
	ex = hsm_record(&h, "hsm.keygen", facts);
 out:
	sc_hsm_key_clear(&k);
	hsm_ctx_close(&h);
	return ex;
}

/* The key at ref among keys[0..n), or NULL. */
static const struct sc_hsm_key *
find_key(const struct sc_hsm_key *keys, size_t n, int ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].ref == ref)
			return &keys[i];
	return NULL;
}

int
cmd_hsm_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_hsm_key *keys = NULL;
	const struct sc_hsm_key *k;
	struct hsm_ctx h;
	json_t *facts;
	size_t n = 0;
	int ch, ex, r, ref = -1, force = 0;

	hsm_ctx_init(&h, "hsm delete");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'f': force = 1; break;
		case 'h':
			printf("usage: custos hsm delete --ref N [--force]\n"
			    HSM_COMMON_USAGE "\n"
			    "Deletes key N with its description and public "
			    "key. Unless it was backed up\n(custos hsm wrap), "
			    "the key is gone for good: the operator types "
			    "DELETE, or,\nwithout a terminal, gives "
			    "--force.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc || ref < 0)
		return cli_usage_error(h.ctx, "give --ref N");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_ ||
	    (ex = list_keys(&h, &keys, &n)) != EXIT_OK_)
		goto out;
	if ((k = find_key(keys, n, ref)) == NULL) {
		fprintf(stderr, "custos: %s: no key with reference %d\n",
		    h.ctx, ref);
		ex = cli_exit_code(CUSTOS_ERR_NO_KEY);
		goto out;
	}
	printf("Deleting key %d (%s, \"%s\") destroys it; unless it was "
	    "backed up it is gone\nfor good.\n", ref, k->kind, k->has_prkd ?
	    k->prkd.label : "");
	if (!force && !hsm_confirm("DELETE")) {
		fprintf(stderr, "custos: %s: not deleted (type DELETE, or "
		    "--force)\n", h.ctx);
		ex = EXIT_REFUSED;
		goto out;
	}
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_delete_key(h.card, ref)) != 0) {
		ex = cli_fail(h.ctx, r);
		record_failure(&h, "hsm.delete.failed", ref, k->kind, r);
		goto out;
	}
	printf("deleted key %d\n", ref);
	facts = hsm_facts(&h);
	hsm_key_facts(facts, k);
	ex = hsm_record(&h, "hsm.delete", facts);
 out:
	free_keys(keys, n);
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_sign_test(int argc, char **argv)
{
	static const struct option opts[] = {
		HSM_COMMON_OPTIONS,
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_hsm_key *keys = NULL;
	struct hsm_ctx h;
	json_t *facts, *arr = NULL;
	size_t n = 0, i, tested = 0, bad = 0;
	int ch, ex, r, ref = -1;

	hsm_ctx_init(&h, "hsm sign-test");
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hsm_ctx_option(&h, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			if ((ref = hsm_parse_ref(optarg)) < 0)
				return cli_usage_error(h.ctx, "--ref is 1 to "
				    "255");
			break;
		case 'h':
			printf("usage: custos hsm sign-test [--ref N]\n"
			    HSM_COMMON_USAGE "\n"
			    "Proves that key N (default: every key) works: "
			    "the device signs 32 random\nbytes (SHA-256; "
			    "PKCS#1 v1.5 or ECDSA) and custos verifies the "
			    "signature with\nthe public key stored beside the "
			    "key. Exits 1 when any signature fails.\n");
			return EXIT_OK_;
		default:
			return cli_bad_option(h.ctx, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error(h.ctx, "unexpected argument");
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_ ||
	    (ex = list_keys(&h, &keys, &n)) != EXIT_OK_)
		goto out;
	if (ref > 0 && find_key(keys, n, ref) == NULL) {
		fprintf(stderr, "custos: %s: no key with reference %d\n",
		    h.ctx, ref);
		ex = cli_exit_code(CUSTOS_ERR_NO_KEY);
		goto out;
	}
	if ((ex = hsm_login(&h)) != EXIT_OK_)
		goto out;
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *one;

		if (ref > 0 && keys[i].ref != ref)
			continue;
		r = sc_hsm_prove_key(h.card, &keys[i]);
		if (r == CUSTOS_ERR_CARD_REMOVED || r == CUSTOS_ERR_NOT_LOGGED_IN
		    || r == CUSTOS_ERR_IO) {
			ex = cli_fail(h.ctx, r);
			goto out;
		}
		tested++;
		printf("key %3d %-18s %-24s %s\n", keys[i].ref, keys[i].kind,
		    keys[i].has_prkd ? keys[i].prkd.label : "",
		    r == 0 ? "signature VERIFIES with its public key" :
		    custos_strerror(r));
		if (r != 0)
			bad++;
		one = json_object();
		hsm_key_facts(one, &keys[i]);
		json_object_del(one, "pubkey");
		json_object_set_new(one, "verified", json_boolean(r == 0));
		json_array_append_new(arr, one);
	}
	printf("%zu key%s tested, %zu failed\n", tested, tested == 1 ? "" : "s",
	    bad);
	facts = hsm_facts(&h);
	json_object_set(facts, "results", arr);
	ex = hsm_record(&h, "hsm.sign-test", facts);
	if (ex == EXIT_OK_ && bad > 0)
		ex = EXIT_FAIL;
 out:
	json_decref(arr);
	free_keys(keys, n);
	hsm_ctx_close(&h);
	return ex;
}

int
cmd_hsm_change_pin(int argc, char **argv)
{
	struct hsm_ctx h;
	char *old = NULL, *pin = NULL;
	size_t oldlen = 0, len = 0;
	json_t *facts;
	int ex, r, tries = -1;

	hsm_ctx_init(&h, "hsm change-pin");
	ex = common_only(&h, argc, argv, "usage: custos hsm change-pin\n"
	    HSM_COMMON_USAGE "\nChanges the user PIN: the current PIN, then "
	    "the new one twice (a PIN file\ngives each once: two lines). A wrong "
	    "current PIN says how many tries are left.\n");
	if (ex != EXIT_OK_)
		return ex < 0 ? EXIT_OK_ : ex;
	if ((ex = hsm_ctx_open(&h, NULL, NULL, 0)) != EXIT_OK_)
		goto out;
	if ((r = sc_hsm_select(h.card, NULL, NULL)) != 0) {
		ex = cli_fail(h.ctx, r);
		goto out;
	}
	if ((ex = hsm_read_pin(h.ctx, &h.pin_src, "current user PIN", 0, &old,
	    &oldlen)) != EXIT_OK_ || (ex = hsm_read_pin(h.ctx, &h.pin_src,
	    "new user PIN", 1, &pin, &len)) != EXIT_OK_)
		goto out;
	r = sc_hsm_change_pin(h.card, old, oldlen, pin, len, &tries);
	facts = hsm_facts(&h);
	json_object_set_new(facts, "outcome", json_string(r == 0 ? "ok" :
	    custos_strerror(r)));
	if (r != 0) {
		hsm_pin_error(h.ctx, "user PIN", r, tries);
		ex = cli_exit_code(r);
		(void)hsm_record(&h, "hsm.change-pin", facts);
		goto out;
	}
	printf("user PIN changed\n");
	ex = hsm_record(&h, "hsm.change-pin", facts);
 out:
	if (old != NULL)
		secmem_free(old);
	if (pin != NULL)
		secmem_free(pin);
	hsm_ctx_close(&h);
	return ex;
}
