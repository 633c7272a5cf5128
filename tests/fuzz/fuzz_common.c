#include "fuzz_common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "jsonload.h"
#include "plan.h"
#include "res.h"
#include "token.h"

static struct db *fuzz_the_db;
static const struct actor fuzz_admin = { .name = "fuzz", .role = ROLE_ADMIN,
	.request_id = "fuzz" };

/* Password hashing (argon2, ~80 ms and 64 MiB a call) would be most of every run that sets a
 * valid password: the fuzzers link with --wrap=crypto_pwhash_str, so the server's calls land
 * here and get a fixed well-formed hash. Nothing else of libsodium is changed. */
int __wrap_crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *const passwd,
    unsigned long long passwdlen, unsigned long long opslimit, size_t memlimit);

int
__wrap_crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *const passwd,
    unsigned long long passwdlen, unsigned long long opslimit, size_t memlimit)
{
	(void)passwd;
	(void)passwdlen;
	(void)opslimit;
	(void)memlimit;
	snprintf(out, crypto_pwhash_STRBYTES, "%s", "$argon2id$v=19$m=65536,t=2,p=1$"
	    "c29tZXNhbHRzb21lc2FsdA$8G7a7qXQ7Vf2O1cJgq2cM2mUe8TjYh1nQq7o9wP0aQk");
	return 0;
}

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz setup: %s: %s\n", what, detail);
	abort();
}

static void
fuzz_setup(void)
{
	static const char *const seed = NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json";
	const struct plan_import_opts opts = { .replace = false, .dry_run = false };
	unsigned char key[AUTH_KEY_LEN];
	struct api_err err;
	json_error_t jerr;
	json_t *doc, *report = NULL, *user, *results = NULL;
	struct sbuf out;
	long long id;
	char msg[256];

	if (sodium_init() < 0)
		fuzz_die("libsodium", "cannot start");
	randombytes_buf(key, sizeof(key));
	token_use_key(key);
	if (db_open(":memory:", &fuzz_the_db, msg, sizeof(msg)) == -1 ||
	    db_migrate(fuzz_the_db, msg, sizeof(msg)) == -1)
		fuzz_die("database", msg);
	if ((doc = json_load_file(seed, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fuzz_die(seed, jerr.text);
	api_err_init(&err);
	if (plan_import(NULL, fuzz_the_db, doc, &opts, &report, &err) == -1)
		fuzz_die("importing the seed plan", err.detail);
	json_decref(doc);
	json_decref(report);
	/* The admin the writes are made by (tokens need a live creator), and a second user so a
	 * patch of users never meets the last admin. */
	sbuf_init(&out, 0);
	user = json_pack("{s:s, s:s, s:s}", "username", "fuzz", "role", "admin", "password",
	    "fuzz-password");
	if (resource_create(NULL, fuzz_the_db, &res_users, user, &out, &id, &results, &err) == -1)
		fuzz_die("adding a user", err.detail);
	json_decref(user);
	sbuf_free(&out);
	sbuf_init(&out, 0);
	user = json_pack("{s:s, s:s, s:s}", "username", "other", "role", "admin", "password",
	    "other-password");
	if (resource_create(NULL, fuzz_the_db, &res_users, user, &out, &id, &results, &err) == -1)
		fuzz_die("adding a user", err.detail);
	json_decref(user);
	sbuf_free(&out);
	api_err_free(&err);
}

struct db *
fuzz_db(void)
{
	if (fuzz_the_db == NULL)
		fuzz_setup();
	return fuzz_the_db;
}

const struct actor *
fuzz_actor(void)
{
	return &fuzz_admin;
}

void
fuzz_no_5xx(const char *what, const struct api_err *err)
{
	static int verbose = -1;
	char *errors;

	if (verbose == -1)
		verbose = getenv("NETSOT_FUZZ_VERBOSE") != NULL;
	if (err->status < 500 && !verbose)
		return;
	errors = err->errors != NULL ? json_dumps(err->errors, JSON_COMPACT) : NULL;
	fprintf(stderr, "%s: %d %s %s\n", what, err->status, err->detail,
	    errors != NULL ? errors : "");
	free(errors);
	if (err->status >= 500)
		abort();
}

json_t *
fuzz_parse(const uint8_t *data, size_t size)
{
	const size_t flags = JSON_REJECT_DUPLICATES, dump = JSON_COMPACT | JSON_ENCODE_ANY;
	json_error_t e1, e2;
	json_t *got = jsonload((const char *)data, size, flags, &e1);
	json_t *want = json_loadb((const char *)data, size, flags, &e2);
	char *a, *b;

	if ((got == NULL) != (want == NULL)) {
		fprintf(stderr, "jsonload %s where json_loadb %s\n", got ? "parsed" : e1.text,
		    want ? "parsed" : e2.text);
		abort();
	}
	if (got == NULL) {
		if (strcmp(e1.text, e2.text) != 0 || e1.line != e2.line ||
		    e1.column != e2.column || e1.position != e2.position) {
			fprintf(stderr, "jsonload: %s (%d:%d) json_loadb: %s (%d:%d)\n", e1.text,
			    e1.line, e1.column, e2.text, e2.line, e2.column);
			abort();
		}
		return NULL;
	}
	a = json_dumps(got, dump);
	b = json_dumps(want, dump);
	if (a == NULL || b == NULL || strcmp(a, b) != 0 || !json_equal(got, want)) {
		fprintf(stderr, "jsonload %s\njson_loadb %s\n", a ? a : "?", b ? b : "?");
		abort();
	}
	free(a);
	free(b);
	json_decref(want);
	return got;
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
