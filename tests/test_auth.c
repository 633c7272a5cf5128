/* Tests for server/lib/auth.c: roles and names, password hashing, the signing key file, and JWT
 * issue and verification, including every kind of token that must be refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"
#include "auth.h"

#define NOW ((time_t)1800000000)
#define JTI "0123456789abcdef0123456789abcdef"

static unsigned char key[AUTH_KEY_LEN];
static unsigned char other_key[AUTH_KEY_LEN];
static char dir[64];

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other_key, sizeof(other_key));
	snprintf(dir, sizeof(dir), "/tmp/netsot-test-auth-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

/* ---- roles, names, passwords ---- */

static void
test_role_names(void **state)
{
	(void)state;
	assert_string_equal(auth_role_name(ROLE_NONE), "none");
	assert_string_equal(auth_role_name(ROLE_VIEWER), "viewer");
	assert_string_equal(auth_role_name(ROLE_EDITOR), "editor");
	assert_string_equal(auth_role_name(ROLE_ADMIN), "admin");
	assert_string_equal(auth_role_name((enum role)(ROLE_ADMIN + 1)), "none");
	assert_string_equal(auth_role_name((enum role)-1), "none");
}

static void
test_role_parse(void **state)
{
	static const char *const bad[] = {
		"none", "", "Admin", "ADMIN", "admin ", " admin", "admi", "adminx", "root",
	};
	enum role r = ROLE_NONE;
	size_t i;

	(void)state;
	assert_int_equal(auth_role_parse("viewer", &r), 0);
	assert_int_equal(r, ROLE_VIEWER);
	assert_int_equal(auth_role_parse("editor", &r), 0);
	assert_int_equal(r, ROLE_EDITOR);
	assert_int_equal(auth_role_parse("admin", &r), 0);
	assert_int_equal(r, ROLE_ADMIN);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ROLE_EDITOR;
		if (auth_role_parse(bad[i], &r) != -1)
			fail_msg("role '%s' parsed", bad[i]);
		assert_int_equal(r, ROLE_EDITOR);   /* untouched */
	}
	assert_int_equal(auth_role_parse(NULL, &r), -1);
	/* The order of roles is what permission checks compare. */
	assert_true(ROLE_NONE < ROLE_VIEWER && ROLE_VIEWER < ROLE_EDITOR &&
	    ROLE_EDITOR < ROLE_ADMIN);
}

static void
test_name_valid(void **state)
{
	static const char *const good[] = { "a", "alice", "A.b_c-9", "0", "...", "-" };
	static const char *const bad[] = {
		"", "a b", "a/b", "a:b", "token:ci", "al\xc3\xa9", "a\n", "a@b", "a\\b", "%",
	};
	char name[AUTH_NAME_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!auth_name_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (auth_name_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	memset(name, 'n', sizeof(name));
	name[AUTH_NAME_MAX] = '\0';
	assert_true(auth_name_valid(name));           /* 64 characters */
	name[AUTH_NAME_MAX] = 'n';
	name[AUTH_NAME_MAX + 1] = '\0';
	assert_false(auth_name_valid(name));          /* 65 */
}

static void
test_password_hash_and_check(void **state)
{
	char h1[AUTH_HASH_LEN], h2[AUTH_HASH_LEN];

	(void)state;
	assert_int_equal(auth_hash_password("correct horse battery", h1), 0);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_true(memchr(h1, '\0', sizeof(h1)) != NULL);
	assert_int_equal(auth_check_password(h1, "correct horse battery"), 0);
	assert_int_equal(auth_check_password(h1, "correct horse batter"), -1);
	assert_int_equal(auth_check_password(h1, "correct horse battery "), -1);
	assert_int_equal(auth_check_password(h1, "Correct horse battery"), -1);
	assert_int_equal(auth_check_password(h1, ""), -1);
	/* Salted: the same password never hashes the same twice. */
	assert_int_equal(auth_hash_password("correct horse battery", h2), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(auth_check_password(h2, "correct horse battery"), 0);
	/* Something that is not a hash matches nothing. */
	assert_int_equal(auth_check_password("", ""), -1);
	assert_int_equal(auth_check_password("plaintext", "plaintext"), -1);
}

static void
test_password_null_hash(void **state)
{
	(void)state;
	assert_int_equal(auth_check_password(NULL, "anything"), -1);
	assert_int_equal(auth_check_password(NULL, ""), -1);
	/* Not even the password the stand-in hash was made from. */
	assert_int_equal(auth_check_password(NULL, "netsot-no-such-user"), -1);
}

/* ---- the key file ---- */

static void
write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_key_created_and_reloaded(void **state)
{
	unsigned char k1[AUTH_KEY_LEN], k2[AUTH_KEY_LEN], k3[AUTH_KEY_LEN], raw[64];
	char path[128], path2[128], err[256] = "";
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/created.jwtkey", dir);
	assert_int_equal(auth_key_load(path, k1, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, AUTH_KEY_LEN);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, raw, sizeof(raw)), AUTH_KEY_LEN);
	close(fd);
	assert_memory_equal(raw, k1, AUTH_KEY_LEN);
	/* The second start reads the same key. */
	assert_int_equal(auth_key_load(path, k2, err, sizeof(err)), 0);
	assert_memory_equal(k1, k2, AUTH_KEY_LEN);
	/* Another file gets another key. */
	snprintf(path2, sizeof(path2), "%s/created2.jwtkey", dir);
	assert_int_equal(auth_key_load(path2, k3, err, sizeof(err)), 0);
	assert_memory_not_equal(k1, k3, AUTH_KEY_LEN);
}

static void
test_key_refuses_open_permissions(void **state)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0601, 0610 };
	unsigned char k[AUTH_KEY_LEN], want[AUTH_KEY_LEN];
	char path[128], err[256];
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/perm.jwtkey", dir);
	randombytes_buf(want, sizeof(want));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, want, sizeof(want), bad[i]);
		err[0] = '\0';
		if (auth_key_load(path, k, err, sizeof(err)) != -1)
			fail_msg("mode %o accepted", (unsigned)bad[i]);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "chmod 600"));
	}
	/* Owner-only modes are fine, read-only included. */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(auth_key_load(path, k, err, sizeof(err)), 0);
	assert_memory_equal(k, want, sizeof(want));
	assert_int_equal(chmod(path, 0600), 0);
}

static void
test_key_refuses_wrong_size(void **state)
{
	static const size_t sizes[] = { 0, 1, AUTH_KEY_LEN - 1, AUTH_KEY_LEN + 1, 4096 };
	unsigned char k[AUTH_KEY_LEN], data[4096];
	char path[128], err[256];
	struct stat st;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/size.jwtkey", dir);
	randombytes_buf(data, sizeof(data));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		write_file(path, data, sizes[i], 0600);
		err[0] = '\0';
		if (auth_key_load(path, k, err, sizeof(err)) != -1)
			fail_msg("a key file of %zu bytes was accepted", sizes[i]);
		assert_non_null(strstr(err, "must hold exactly 32 bytes"));
		/* Refused, not replaced. */
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, (off_t)sizes[i]);
	}
}

static void
test_key_refuses_symlink(void **state)
{
	unsigned char k[AUTH_KEY_LEN], data[AUTH_KEY_LEN];
	char target[128], link[128], err[256] = "";

	(void)state;
	snprintf(target, sizeof(target), "%s/target.jwtkey", dir);
	snprintf(link, sizeof(link), "%s/link.jwtkey", dir);
	randombytes_buf(data, sizeof(data));
	write_file(target, data, sizeof(data), 0600);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(auth_key_load(link, k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open key file"));
}

static void
test_key_in_missing_directory(void **state)
{
	unsigned char k[AUTH_KEY_LEN];
	char path[128], err[256] = "";

	(void)state;
	snprintf(path, sizeof(path), "%s/missing/dir.jwtkey", dir);
	assert_int_equal(auth_key_load(path, k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create key file"));
	assert_non_null(strstr(err, path));
}

/* ---- tokens ---- */

static struct claims
claims_for(const char *sub, enum role role, enum token_kind kind)
{
	struct claims c;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", sub);
	c.role = role;
	c.kind = kind;
	c.iat = NOW;
	c.exp = NOW + 900;
	c.gen = kind == TOKEN_SESSION ? 1 : 0;
	auth_new_jti(c.jti);
	return c;
}

/* Verifies and expects a refusal that leaves nothing behind in the claims. */
static void
assert_refused_with(const unsigned char *k, const char *token, time_t now)
{
	struct claims out;

	memset(&out, 0x55, sizeof(out));
	if (auth_token_verify(k, token, now, &out) != -1)
		fail_msg("token accepted: %.200s", token);
	assert_int_equal(out.sub[0], '\0');
	assert_int_equal(out.jti[0], '\0');
	assert_int_equal(out.role, ROLE_NONE);
	assert_int_equal(out.kind, TOKEN_SESSION);
	assert_true(out.exp == 0 && out.iat == 0 && out.gen == 0);
}

static void
assert_refused(const char *token)
{
	assert_refused_with(key, token, NOW);
}

static void
assert_accepted(const char *token)
{
	struct claims out;

	if (auth_token_verify(key, token, NOW, &out) != 0)
		fail_msg("token refused: %.200s", token);
}

/* The claims a good session token carries; tests change one thing at a time. */
static json_t *
base_claims(void)
{
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:s, s:i}", "sub", "alice", "role", "editor",
	    "iat", (json_int_t)NOW, "exp", (json_int_t)NOW + 900, "jti", JTI, "gen", 3);

	assert_non_null(c);
	return c;
}

/* Signs claims (consumed) with libjwt directly, bypassing auth_token_issue(). */
static char *
sign(jwt_alg_t alg, const unsigned char *k, json_t *claims)
{
	char *grants = json_dumps(claims, JSON_COMPACT), *token;
	jwt_t *j = NULL;

	json_decref(claims);
	assert_non_null(grants);
	assert_int_equal(jwt_new(&j), 0);
	assert_int_equal(jwt_add_grants_json(j, grants), 0);
	assert_int_equal(jwt_set_alg(j, alg, k, k != NULL ? AUTH_KEY_LEN : 0), 0);
	token = jwt_encode_str(j);
	assert_non_null(token);
	jwt_free(j);
	free(grants);
	return token;
}

static void
test_new_jti(void **state)
{
	char a[AUTH_JTI_LEN], b[AUTH_JTI_LEN];
	size_t i;

	(void)state;
	auth_new_jti(a);
	auth_new_jti(b);
	assert_int_equal(strlen(a), AUTH_JTI_LEN - 1);
	for (i = 0; a[i] != '\0'; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);
}

static void
test_round_trip_session(void **state)
{
	struct claims c = claims_for("alice", ROLE_EDITOR, TOKEN_SESSION), out;
	char *token = NULL;

	(void)state;
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_non_null(token);
	assert_int_equal(auth_token_verify(key, token, NOW, &out), 0);
	assert_string_equal(out.sub, "alice");
	assert_int_equal(out.role, ROLE_EDITOR);
	assert_int_equal(out.kind, TOKEN_SESSION);
	assert_true(out.iat == NOW);
	assert_true(out.exp == NOW + 900);
	assert_string_equal(out.jti, c.jti);
	assert_true(out.gen == 1);
	/* Good until the last second before exp. */
	assert_int_equal(auth_token_verify(key, token, NOW + 899, &out), 0);
	assert_refused_with(key, token, NOW + 900);
	assert_refused_with(key, token, NOW + 100000);
	free(token);
}

static void
test_round_trip_api(void **state)
{
	struct claims c = claims_for("token:ci-deploy", ROLE_ADMIN, TOKEN_API), out;
	char *token = NULL;

	(void)state;
	c.exp = NOW + 90LL * 86400;
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_int_equal(auth_token_verify(key, token, NOW + 89LL * 86400, &out), 0);
	assert_string_equal(out.sub, "token:ci-deploy");
	assert_int_equal(out.role, ROLE_ADMIN);
	assert_int_equal(out.kind, TOKEN_API);
	assert_true(out.exp == NOW + 90LL * 86400);
	assert_string_equal(out.jti, c.jti);
	free(token);
}

static void
test_issued_role_none_is_refused(void **state)
{
	struct claims c = claims_for("alice", ROLE_NONE, TOKEN_SESSION);
	char *token = NULL;

	(void)state;
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_refused(token);
	free(token);
}

static void
test_direct_signing_baseline(void **state)
{
	char *token;
	json_t *c;

	(void)state;
	/* The helpers make tokens the verifier accepts; each refusal test changes one thing. */
	token = sign(JWT_ALG_HS256, key, base_claims());
	assert_accepted(token);
	free(token);
	c = base_claims();
	json_object_set_new(c, "kind", json_string("api"));
	token = sign(JWT_ALG_HS256, key, c);
	assert_accepted(token);
	free(token);
}

static void
test_refuses_alg_none(void **state)
{
	char *token;

	(void)state;
	token = sign(JWT_ALG_NONE, NULL, base_claims());
	assert_true(token[strlen(token) - 1] == '.');
	assert_refused(token);
	free(token);
}

static void
test_refuses_other_hmac_algs(void **state)
{
	static const jwt_alg_t algs[] = { JWT_ALG_HS384, JWT_ALG_HS512 };
	jwt_t *j = NULL;
	char *token;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		token = sign(algs[i], key, base_claims());
		/* libjwt itself takes it with the same key; only the pin refuses it. */
		assert_int_equal(jwt_decode(&j, token, key, AUTH_KEY_LEN), 0);
		assert_int_equal(jwt_get_alg(j), algs[i]);
		jwt_free(j);
		assert_refused(token);
		free(token);
	}
}

static void
test_refuses_wrong_key(void **state)
{
	unsigned char zero[AUTH_KEY_LEN] = { 0 };
	struct claims c = claims_for("alice", ROLE_ADMIN, TOKEN_SESSION);
	char *token;

	(void)state;
	token = sign(JWT_ALG_HS256, other_key, base_claims());
	assert_refused(token);
	free(token);
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_refused_with(other_key, token, NOW);
	assert_refused_with(zero, token, NOW);
	assert_refused_with(NULL, token, NOW);
	free(token);
}

/* Replaces one character in the middle of segment seg (0, 1 or 2) of a JWT. */
static void
tamper(char *token, int seg)
{
	char *start = token, *end;
	size_t mid;

	while (seg-- > 0) {
		start = strchr(start, '.');
		assert_non_null(start);
		start++;
	}
	end = start + strcspn(start, ".");
	assert_true(end - start > 4);
	mid = (size_t)(end - start) / 2;
	start[mid] = start[mid] == 'A' ? 'B' : 'A';
}

static void
test_refuses_tampering(void **state)
{
	struct claims c = claims_for("alice", ROLE_VIEWER, TOKEN_SESSION);
	char *token;
	int seg;

	(void)state;
	for (seg = 0; seg < 3; seg++) {
		assert_int_equal(auth_token_issue(key, &c, &token), 0);
		assert_accepted(token);
		tamper(token, seg);
		assert_refused(token);
		free(token);
	}
}

static void
test_refuses_spliced_payload(void **state)
{
	struct claims viewer = claims_for("alice", ROLE_VIEWER, TOKEN_SESSION);
	struct claims admin = claims_for("alice", ROLE_ADMIN, TOKEN_SESSION);
	char *good, *forged, *spliced;
	const char *p1, *p2;
	size_t n;

	(void)state;
	/* The header and signature of a real token around an admin payload signed elsewhere. */
	assert_int_equal(auth_token_issue(key, &viewer, &good), 0);
	assert_int_equal(auth_token_issue(other_key, &admin, &forged), 0);
	p1 = strchr(forged, '.') + 1;
	p2 = strchr(p1, '.');
	n = strlen(good) + strlen(forged);
	spliced = malloc(n);
	assert_non_null(spliced);
	snprintf(spliced, n, "%.*s%.*s%s", (int)(strchr(good, '.') - good + 1), good,
	    (int)(p2 - p1), p1, strrchr(good, '.'));
	assert_refused(spliced);
	free(spliced);
	free(good);
	free(forged);
}

static void
test_refuses_unsigned(void **state)
{
	struct claims c = claims_for("alice", ROLE_ADMIN, TOKEN_SESSION);
	char *token, *dot;

	(void)state;
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	/* "header.payload." with the HS256 header kept and the signature dropped. */
	dot = strrchr(token, '.');
	dot[1] = '\0';
	assert_refused(token);
	/* And with no signature part at all. */
	dot[0] = '\0';
	assert_refused(token);
	free(token);
}

static void
test_refuses_bad_claims(void **state)
{
	static const struct {
		const char *what;
		const char *claim;
		const char *json;     /* new value, or NULL to remove the claim */
	} cases[] = {
		{ "expired", "exp", "1799999999" },
		{ "exp now", "exp", "1800000000" },
		{ "exp zero", "exp", "0" },
		{ "exp negative", "exp", "-5" },
		{ "missing exp", "exp", NULL },
		{ "exp as a string", "exp", "\"1800000900\"" },
		{ "exp as a real", "exp", "1800000900.0" },
		{ "exp null", "exp", "null" },
		{ "missing iat", "iat", NULL },
		{ "iat as a string", "iat", "\"1800000000\"" },
		{ "missing sub", "sub", NULL },
		{ "empty sub", "sub", "\"\"" },
		{ "sub a number", "sub", "5" },
		{ "sub too long", "sub",
		  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" },
		{ "missing jti", "jti", NULL },
		{ "empty jti", "jti", "\"\"" },
		{ "jti too long", "jti", "\"0123456789abcdef0123456789abcdef0\"" },
		{ "jti an array", "jti", "[\"" JTI "\"]" },
		{ "missing role", "role", NULL },
		{ "unknown role", "role", "\"root\"" },
		{ "role none", "role", "\"none\"" },
		{ "role in capitals", "role", "\"ADMIN\"" },
		{ "role a number", "role", "3" },
		{ "kind session", "kind", "\"session\"" },
		{ "kind API", "kind", "\"API\"" },
		{ "kind empty", "kind", "\"\"" },
		{ "kind apis", "kind", "\"apis\"" },
		{ "kind refresh", "kind", "\"refresh\"" },
		{ "kind a number", "kind", "1" },
		{ "kind true", "kind", "true" },
		{ "kind null", "kind", "null" },
		{ "kind an object", "kind", "{}" },
		{ "kind an array", "kind", "[\"api\"]" },
		/* A session token names its user's session generation (revocation). */
		{ "missing gen", "gen", NULL },
		{ "gen zero", "gen", "0" },
		{ "gen negative", "gen", "-1" },
		{ "gen a string", "gen", "\"3\"" },
		{ "gen a real", "gen", "3.0" },
		/* exp and iat bounded (issue 13, item 6): no date past year 9999 gets through. */
		{ "exp in year 10000", "exp", "253402300800" },
		{ "exp past year 9999 by far", "exp", "9000000000000000000" },
		{ "exp beyond the longest lifetime", "exp", "2115360001" },
		{ "iat after exp", "iat", "1800000901" },
		{ "iat in the future", "iat", "1800000301" },
		{ "iat zero", "iat", "0" },
	};
	json_error_t jerr;
	struct claims out;
	char *token;
	json_t *c, *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = base_claims();
		if (cases[i].json == NULL) {
			assert_int_equal(json_object_del(c, cases[i].claim), 0);
		} else {
			v = json_loads(cases[i].json, JSON_DECODE_ANY, &jerr);
			if (v == NULL)
				fail_msg("%s: bad JSON", cases[i].what);
			json_object_set_new(c, cases[i].claim, v);
		}
		token = sign(JWT_ALG_HS256, key, c);
		if (auth_token_verify(key, token, NOW, &out) != -1)
			fail_msg("%s: accepted", cases[i].what);
		assert_refused(token);
		free(token);
	}
}

static void
test_claim_limits_accepted(void **state)
{
	struct claims out;
	char *token;
	json_t *c;

	(void)state;
	/* The longest sub and jti that fit, and an exp one second ahead. */
	c = base_claims();
	json_object_set_new(c, "sub", json_string(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	json_object_set_new(c, "exp", json_integer((json_int_t)NOW + 1));
	json_object_set_new(c, "role", json_string("viewer"));
	token = sign(JWT_ALG_HS256, key, c);
	assert_int_equal(auth_token_verify(key, token, NOW, &out), 0);
	assert_int_equal(strlen(out.sub), AUTH_NAME_MAX);
	assert_int_equal(strlen(out.jti), AUTH_JTI_LEN - 1);
	assert_int_equal(out.role, ROLE_VIEWER);
	free(token);
}

static void
test_lifetime_bounds(void **state)
{
	struct claims c = claims_for("token:ci", ROLE_VIEWER, TOKEN_API), out;
	char *token = NULL;

	(void)state;
	/* The longest lifetime is issued and accepted, to its last second. */
	c.exp = NOW + AUTH_TTL_MAX;
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_int_equal(auth_token_verify(key, token, NOW, &out), 0);
	assert_int_equal(auth_token_verify(key, token, NOW + AUTH_TTL_MAX - 1, &out), 0);
	free(token);
	/* One second more, a year-10000 exp, or none at all is never issued. */
	c.exp = NOW + AUTH_TTL_MAX + 1;
	assert_int_equal(auth_token_issue(key, &c, &token), -1);
	assert_null(token);
	c.exp = 253402300800LL;
	assert_int_equal(auth_token_issue(key, &c, &token), -1);
	c.exp = NOW;
	assert_int_equal(auth_token_issue(key, &c, &token), -1);
	c.exp = NOW - 5;
	assert_int_equal(auth_token_issue(key, &c, &token), -1);
	/* Nor a session token without a generation. */
	c = claims_for("alice", ROLE_VIEWER, TOKEN_SESSION);
	c.gen = 0;
	assert_int_equal(auth_token_issue(key, &c, &token), -1);
	assert_null(token);
	/* A gen claim is not required of an API token. */
	c = claims_for("token:ci", ROLE_VIEWER, TOKEN_API);
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_int_equal(auth_token_verify(key, token, NOW, &out), 0);
	assert_true(out.gen == 0);
	free(token);
}

static void
test_refuses_garbage(void **state)
{
	static const char *const bad[] = {
		"", "garbage", ".", "..", "...", "a.b", "a.b.c", "a.b.c.d",
		"eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.", "eyJhbGciOiJIUzI1NiJ9..",
		"eyJhbGciOiJIUzI1NiJ9.e30.", "e30.e30.e30", "bnVsbA.bnVsbA.bnVsbA",
		"\xff\xfe.\x01\x02.\x03", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "%00.%00.%00",
	};
	struct claims c = claims_for("alice", ROLE_EDITOR, TOKEN_SESSION);
	char *token, buf[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	assert_refused_with(key, NULL, NOW);
	/* A good token with anything around it is not the token. */
	assert_int_equal(auth_token_issue(key, &c, &token), 0);
	assert_accepted(token);
	snprintf(buf, sizeof(buf), "%s.", token);
	assert_refused(buf);
	snprintf(buf, sizeof(buf), "%sx", token);
	assert_refused(buf);
	snprintf(buf, sizeof(buf), "Bearer %s", token);
	assert_refused(buf);
	snprintf(buf, sizeof(buf), "%s.%s", token, token);
	assert_refused(buf);
	free(token);
}

/* A validly signed token with a padding claim of n bytes. */
static char *
padded_token(size_t n)
{
	json_t *c = base_claims();
	char *pad = malloc(n + 1);

	assert_non_null(pad);
	memset(pad, 'p', n);
	pad[n] = '\0';
	json_object_set_new(c, "pad", json_string(pad));
	free(pad);
	return sign(JWT_ALG_HS256, key, c);
}

static void
test_refuses_overlong(void **state)
{
	char *token;
	size_t n;

	(void)state;
	/* Largest padding that still fits in 4096 characters: accepted. */
	for (n = 2000;; n++) {
		token = padded_token(n + 1);
		if (strlen(token) > 4096) {
			free(token);
			break;
		}
		free(token);
	}
	token = padded_token(n);
	assert_true(strlen(token) <= 4096);
	assert_true(strlen(token) > 4090);
	assert_accepted(token);
	free(token);
	/* One more byte of claims and it is refused, signature or not. */
	token = padded_token(n + 1);
	assert_true(strlen(token) > 4096);
	assert_refused(token);
	free(token);
	token = padded_token(100000);
	assert_refused(token);
	free(token);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_parse),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_password_hash_and_check),
		cmocka_unit_test(test_password_null_hash),
		cmocka_unit_test(test_key_created_and_reloaded),
		cmocka_unit_test(test_key_refuses_open_permissions),
		cmocka_unit_test(test_key_refuses_wrong_size),
		cmocka_unit_test(test_key_refuses_symlink),
		cmocka_unit_test(test_key_in_missing_directory),
		cmocka_unit_test(test_new_jti),
		cmocka_unit_test(test_round_trip_session),
		cmocka_unit_test(test_round_trip_api),
		cmocka_unit_test(test_issued_role_none_is_refused),
		cmocka_unit_test(test_direct_signing_baseline),
		cmocka_unit_test(test_refuses_alg_none),
		cmocka_unit_test(test_refuses_other_hmac_algs),
		cmocka_unit_test(test_refuses_wrong_key),
		cmocka_unit_test(test_refuses_tampering),
		cmocka_unit_test(test_refuses_spliced_payload),
		cmocka_unit_test(test_refuses_unsigned),
		cmocka_unit_test(test_refuses_bad_claims),
		cmocka_unit_test(test_claim_limits_accepted),
		cmocka_unit_test(test_lifetime_bounds),
		cmocka_unit_test(test_refuses_garbage),
		cmocka_unit_test(test_refuses_overlong),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
