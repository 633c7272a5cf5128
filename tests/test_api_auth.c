/* Authentication and authorisation against the real server: login, every refused token kind,
 * roles, login limits, API tokens and user administration. */
#include "harness.h"

#include <fcntl.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "auth.h"
#include "sbuf.h"

#define PW "correct horse"

static struct srv S;
static char *admin, *editor, *viewer;
static unsigned char key[32];
static long long admin_gen;    /* the session generation of admin's login tokens */

static int
setup(void **state)
{
	static const char *const flags[] = { "--login-max-failures", "3",
		"--login-max-failures-per-address", "12", NULL };
	int fd;

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "admin", "admin", PW);
	srv_add_user(&S, "ed", "editor", PW);
	srv_add_user(&S, "vi", "viewer", PW);
	srv_start(&S, flags);
	admin = login(&S, "admin", PW);
	editor = login(&S, "ed", PW);
	viewer = login(&S, "vi", PW);
	fd = open(S.key, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, key, sizeof(key)), 32);
	close(fd);
	{
		struct claims c;

		assert_int_equal(auth_token_verify(key, admin, time(NULL), &c), 0);
		admin_gen = c.gen;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(admin);
	free(editor);
	free(viewer);
	srv_stop(&S);
	srv_cleanup(&S);
	return 0;
}

static long
status_of(const char *method, const char *path, const char *token, const char *body)
{
	struct resp r;
	long st;

	assert_int_equal(req_json(&S, method, path, token, body, &r), 0);
	st = r.status;
	if (st >= 400)
		assert_problem(&r, st);
	resp_free(&r);
	return st;
}

static void
test_key_file(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat(S.key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
}

static void
test_login_token_claims(void **state)
{
	struct claims c;
	struct resp r;

	(void)state;
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"admin\",\"password\":\"" PW "\"}", &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
	assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 900);
	assert_int_equal(auth_token_verify(key, json_string_value(json_object_get(r.json,
	    "access_token")), time(NULL), &c), 0);
	assert_string_equal(c.sub, "admin");
	assert_int_equal(c.role, ROLE_ADMIN);
	assert_int_equal(c.exp - c.iat, 900);
	assert_int_equal(strlen(c.jti), 32);
	resp_free(&r);
}

static void
test_login_failures_look_alike(void **state)
{
	struct resp a, b;

	(void)state;
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"vi\",\"password\":\"wrong password\"}", &a), 0);
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"ghost\",\"password\":\"wrong password\"}", &b), 0);
	assert_problem(&a, 401);
	assert_problem(&b, 401);
	/* Same status, same words: nothing tells whether the user exists. */
	assert_string_equal(json_string_value(json_object_get(a.json, "detail")),
	    json_string_value(json_object_get(b.json, "detail")));
	resp_free(&a);
	resp_free(&b);
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL, "{\"username\":\"vi\"}"),
	    422);
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"vi\",\"password\":5}"), 400);
}

static char *
forge(jwt_alg_t alg, const unsigned char *k, size_t klen, long long exp, const char *sub,
    const char *role)
{
	jwt_t *j;
	char *s;

	assert_int_equal(jwt_new(&j), 0);
	if (sub != NULL)
		jwt_add_grant(j, "sub", sub);
	if (role != NULL)
		jwt_add_grant(j, "role", role);
	jwt_add_grant(j, "jti", "0123456789abcdef0123456789abcdef");
	jwt_add_grant_int(j, "iat", time(NULL) - 10);
	/* The session generation admin's tokens carry (never changed in these tests). */
	jwt_add_grant_int(j, "gen", admin_gen);
	if (exp != 0)
		jwt_add_grant_int(j, "exp", exp);
	assert_int_equal(jwt_set_alg(j, alg, k, (int)klen), 0);
	s = jwt_encode_str(j);
	jwt_free(j);
	assert_non_null(s);
	return s;
}

static void
test_refused_tokens_401(void **state)
{
	unsigned char other[32];
	long long later = time(NULL) + 600;
	char *t[10], *p;
	size_t i, n = 0;

	(void)state;
	memset(other, 7, sizeof(other));
	/* A correctly signed token is accepted, so each refusal below is for its own reason. */
	t[0] = forge(JWT_ALG_HS256, key, 32, later, "admin", "admin");
	assert_int_equal(status_of("GET", "/api/v1/auth/me", t[0], NULL), 200);
	free(t[0]);
	t[n++] = forge(JWT_ALG_NONE, NULL, 0, later, "admin", "admin");
	t[n++] = forge(JWT_ALG_HS384, key, 32, later, "admin", "admin");
	t[n++] = forge(JWT_ALG_HS512, key, 32, later, "admin", "admin");
	t[n++] = forge(JWT_ALG_HS256, key, 32, time(NULL) - 1, "admin", "admin"); /* expired */
	t[n++] = forge(JWT_ALG_HS256, key, 32, 0, "admin", "admin");              /* no exp */
	t[n++] = forge(JWT_ALG_HS256, other, 32, later, "admin", "admin");        /* wrong key */
	t[n++] = forge(JWT_ALG_HS256, key, 32, later, "nobody", "admin");         /* no such user */
	/* Tampered: a payload byte changed under the old signature. */
	t[n] = forge(JWT_ALG_HS256, key, 32, later, "admin", "admin");
	p = strchr(t[n], '.') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	n++;
	/* Unsigned: an HS256 header with the signature cut off. */
	t[n] = forge(JWT_ALG_HS256, key, 32, later, "admin", "admin");
	strrchr(t[n], '.')[1] = '\0';
	n++;
	t[n++] = strdup("not-a-jwt");
	for (i = 0; i < n; i++) {
		assert_int_equal(status_of("GET", "/api/v1/auth/me", t[i], NULL), 401);
		free(t[i]);
	}
	/* No header, or another scheme. */
	assert_int_equal(status_of("GET", "/api/v1/auth/me", NULL, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/tokens", NULL, NULL), 401);
}

static void
test_401_has_www_authenticate(void **state)
{
	struct resp r;
	char buf[128];

	(void)state;
	assert_int_equal(req(&S, "GET", "/api/v1/auth/me", NULL, NULL, NULL, &r), 0);
	assert_problem(&r, 401);
	assert_non_null(resp_header(&r, "WWW-Authenticate", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "Bearer"));
	resp_free(&r);
}

static void
test_roles_403(void **state)
{
	(void)state;
	assert_int_equal(status_of("GET", "/api/v1/auth/me", viewer, NULL), 200);
	assert_int_equal(status_of("GET", "/api/v1/users", viewer, NULL), 403);
	assert_int_equal(status_of("GET", "/api/v1/users", editor, NULL), 403);
	assert_int_equal(status_of("GET", "/api/v1/users", admin, NULL), 200);
	assert_int_equal(status_of("POST", "/api/v1/tokens", editor,
	    "{\"name\":\"x\",\"role\":\"viewer\"}"), 403);
	assert_int_equal(status_of("DELETE", "/api/v1/tokens/1", viewer, NULL), 403);
}

static void
test_login_limit_per_user_429(void **state)
{
	static const char bad[] = "{\"username\":\"target\",\"password\":\"wrong password\"}";
	struct resp r;
	char buf[32];
	int i;

	(void)state;
	srv_add_user(&S, "target", "viewer", PW);
	for (i = 0; i < 3; i++)
		assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL, bad), 401);
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, bad, &r), 0);
	assert_problem(&r, 429);
	assert_non_null(resp_header(&r, "Retry-After", buf, sizeof(buf)));
	assert_true(atoi(buf) > 0 && atoi(buf) <= 300);
	resp_free(&r);
	/* Even the right password waits; other users are not affected. */
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"target\",\"password\":\"" PW "\"}"), 429);
	/* A user who does not exist is limited the same way. */
	for (i = 0; i < 3; i++)
		assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
		    "{\"username\":\"ghost2\",\"password\":\"wrong password\"}"), 401);
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"ghost2\",\"password\":\"wrong password\"}"), 429);
}

static void
test_login_limit_per_address_429(void **state)
{
	char body[128];
	int i;

	(void)state;
	/* Earlier tests spent 8 of this address's 12 failures (2 look-alikes, 3 for target, 3 for
	 * ghost2; a 429 costs nothing). Spread the rest over new names so that no single user
	 * reaches its own limit. Runs last: after it, this address cannot log in. */
	for (i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "{\"username\":\"spray%d\",\"password\":\"nope\"}", i);
		assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL, body), 401);
	}
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"fresh\",\"password\":\"nope\"}"), 429);
	/* Tokens already issued keep working. */
	assert_int_equal(status_of("GET", "/api/v1/auth/me", viewer, NULL), 200);
}

static void
test_api_tokens(void **state)
{
	char loc[64], path[64], *tok;
	long long id;
	struct resp r;
	size_t i;

	(void)state;
	assert_int_equal(req_json(&S, "POST", "/api/v1/tokens", admin,
	    "{\"name\":\"ci-render\",\"role\":\"viewer\",\"expires_in_days\":30}", &r), 0);
	assert_int_equal(r.status, 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", id);
	assert_string_equal(resp_header(&r, "Location", loc, sizeof(loc)), path);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "viewer");
	assert_non_null(json_string_value(json_object_get(r.json, "expires_at")));
	tok = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_free(&r);

	assert_int_equal(req(&S, "GET", "/api/v1/auth/me", tok, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "token_kind")), "api");
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "viewer");
	/* The whole text: four keys in this order, the time in RFC 3339 UTC. */
	assert_int_equal(strlen(r.body), strlen("{\"username\":\"token:ci-render\",\"role\":\"viewer\","
	    "\"token_kind\":\"api\",\"expires_at\":\"2026-12-02T00:00:00Z\"}"));
	assert_non_null(strstr(r.body, "{\"username\":\"token:ci-render\",\"role\":\"viewer\","
	    "\"token_kind\":\"api\",\"expires_at\":\""));
	assert_int_equal(json_object_size(r.json), 4);
	assert_int_equal(strlen(json_string_value(json_object_get(r.json, "expires_at"))), 20);
	resp_free(&r);
	assert_int_equal(status_of("GET", "/api/v1/users", tok, NULL), 403);

	/* The list never shows the secret. */
	assert_int_equal(req(&S, "GET", "/api/v1/tokens", admin, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_integer_value(json_object_get(r.json, "count")) >= 1);
	for (i = 0; i < json_array_size(json_object_get(r.json, "results")); i++)
		assert_null(json_object_get(json_array_get(json_object_get(r.json, "results"), i),
		    "token"));
	assert_null(strstr(r.body, tok));
	resp_free(&r);

	/* Revocation takes effect at once. */
	assert_int_equal(status_of("DELETE", path, admin, NULL), 204);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 401);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 404);
	free(tok);

	assert_int_equal(status_of("POST", "/api/v1/tokens", admin,
	    "{\"name\":\"x\",\"role\":\"root\"}"), 422);
	assert_int_equal(status_of("POST", "/api/v1/tokens", admin,
	    "{\"name\":\"x\",\"role\":\"viewer\",\"expires_in_days\":0}"), 422);
	assert_int_equal(status_of("POST", "/api/v1/tokens", admin,
	    "{\"name\":\"x y\",\"role\":\"viewer\"}"), 422);
	assert_int_equal(status_of("POST", "/api/v1/tokens", admin,
	    "{\"name\":\"x\",\"role\":\"viewer\",\"secret\":1}"), 400);
	assert_int_equal(status_of("POST", "/api/v1/tokens", admin, "{\"role\":\"viewer\"}"), 422);
}

static void
test_user_admin(void **state)
{
	char loc[64], path[64], *tok;
	struct resp r;
	long long id;

	(void)state;
	assert_int_equal(req_json(&S, "POST", "/api/v1/users", admin,
	    "{\"username\":\"newbie\",\"password\":\"" PW "\",\"role\":\"editor\"}", &r), 0);
	assert_int_equal(r.status, 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	assert_string_equal(resp_header(&r, "Location", loc, sizeof(loc)), path);
	assert_null(json_object_get(r.json, "password_hash"));
	assert_null(strstr(r.body, "argon2"));
	resp_free(&r);

	assert_int_equal(status_of("POST", "/api/v1/users", admin,
	    "{\"username\":\"newbie\",\"password\":\"" PW "\",\"role\":\"editor\"}"), 409);
	assert_int_equal(status_of("POST", "/api/v1/users", admin,
	    "{\"username\":\"shorty\",\"password\":\"short\",\"role\":\"editor\"}"), 422);
	assert_int_equal(status_of("POST", "/api/v1/users", admin,
	    "{\"username\":\"bad name\",\"password\":\"" PW "\",\"role\":\"editor\"}"), 422);
	assert_int_equal(status_of("POST", "/api/v1/users", admin,
	    "{\"username\":\"x\",\"password\":\"" PW "\",\"role\":\"god\"}"), 422);

	tok = login(&S, "newbie", PW);
	/* A role change applies to tokens already issued. */
	assert_int_equal(status_of("PATCH", path, admin, "{\"role\":\"viewer\"}"), 200);
	assert_int_equal(req(&S, "GET", "/api/v1/auth/me", tok, NULL, NULL, &r), 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "viewer");
	resp_free(&r);
	/* A new password replaces the old one. */
	assert_int_equal(status_of("PATCH", path, admin, "{\"password\":\"battery staple\"}"), 200);
	assert_int_equal(status_of("POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"newbie\",\"password\":\"battery staple\"}"), 200);
	/* Disabling locks the user out at once, tokens included. */
	assert_int_equal(status_of("PATCH", path, admin, "{\"disabled\":true}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 401);
	free(tok);
	assert_int_equal(status_of("PATCH", path, admin, "{\"disabled\":\"yes\"}"), 400);
	assert_int_equal(status_of("PATCH", "/api/v1/users/9999", admin, "{\"role\":\"viewer\"}"),
	    404);
	/* The last enabled admin cannot be demoted or disabled, and nothing changes. */
	assert_int_equal(status_of("PATCH", "/api/v1/users/1", admin,
	    "{\"role\":\"viewer\",\"disabled\":true}"), 409);
	assert_int_equal(req(&S, "GET", "/api/v1/users", admin, NULL, NULL, &r), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(r.json, "results"), 0), "role")), "admin");
	resp_free(&r);
	assert_int_equal(status_of("GET", "/healthz", NULL, NULL), 200);
}

/* ---- revocation (issue 13, item 4) ---- */

/* Creates a user through the API (so the change is audited) and returns its id. */
static long long
mkuser(const char *name, const char *role)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"role\":\"%s\"}", name, role);
	return api_create(&S, admin, "/api/v1/users", "%s", body);
}

/* An API token made by the user holding session token as; the secret is malloc'd. */
static char *
mktoken(const char *as, const char *name, const char *role, long long *id)
{
	char body[128], *tok;
	struct resp r;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"role\":\"%s\"}", name, role);
	assert_int_equal(req_json(&S, "POST", "/api/v1/tokens", as, body, &r), 0);
	assert_int_equal(r.status, 201);
	tok = strdup(json_string_value(json_object_get(r.json, "token")));
	if (id != NULL)
		*id = json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	return tok;
}

/* A token works now, twice on the same connection, so this thread has it in its cache. */
static void
assert_cached_ok(const char *tok)
{
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 200);
	assert_int_equal(status_of("GET", "/api/v1/vlans", tok, NULL), 200);
}

static long
patch_user(long long id, const char *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	return status_of("PATCH", path, admin, body);
}

static long
post_user(long long id, const char *what, const char *token)
{
	char path[80];

	snprintf(path, sizeof(path), "/api/v1/users/%lld/%s", id, what);
	return status_of("POST", path, token, NULL);
}

static void
test_token_creator_disabled(void **state)
{
	long long id = mkuser("maker1", "admin");
	char *sess = login(&S, "maker1", PW), *tok = mktoken(sess, "ci-one", "viewer", NULL);

	(void)state;
	assert_cached_ok(tok);
	assert_int_equal(patch_user(id, "{\"disabled\":true}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/vlans", tok, NULL), 401);
	/* The disable ended the creator's own session too, and enabling does not revive it. */
	assert_int_equal(status_of("GET", "/api/v1/auth/me", sess, NULL), 401);
	assert_int_equal(patch_user(id, "{\"disabled\":false}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", sess, NULL), 401);
	free(sess);
	free(tok);
}

static void
test_token_creator_demoted(void **state)
{
	long long id = mkuser("maker2", "admin");
	char *sess = login(&S, "maker2", PW);
	char *tadm = mktoken(sess, "ci-adm", "admin", NULL);
	char *ted = mktoken(sess, "ci-ed", "editor", NULL);
	char *tvi = mktoken(sess, "ci-vi", "viewer", NULL);

	(void)state;
	assert_cached_ok(tadm);
	assert_cached_ok(ted);
	assert_cached_ok(tvi);
	/* Below admin: the admin token stops, the others go on. */
	assert_int_equal(patch_user(id, "{\"role\":\"editor\"}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tadm, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/users", tadm, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", ted, NULL), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tvi, NULL), 200);
	/* Below editor: the editor token stops too. */
	assert_int_equal(patch_user(id, "{\"role\":\"viewer\"}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", ted, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tvi, NULL), 200);
	/* The demoted user's own session reads at the new role. */
	assert_int_equal(status_of("GET", "/api/v1/users", sess, NULL), 403);
	free(sess);
	free(tadm);
	free(ted);
	free(tvi);
}

static void
test_token_creator_deleted(void **state)
{
	long long id = mkuser("maker3", "admin"), tid;
	char *sess = login(&S, "maker3", PW), *tok = mktoken(sess, "ci-three", "editor", &tid);
	char path[64];
	struct resp r;

	(void)state;
	assert_cached_ok(tok);
	assert_cached_ok(sess);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 204);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", sess, NULL), 401);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 404);
	/* The user's tokens went with the user. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", tid);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 404);
	assert_int_equal(req(&S, "GET", "/api/v1/tokens", admin, NULL, NULL, &r), 0);
	assert_null(strstr(r.body, "ci-three"));
	resp_free(&r);
	/* A user of the same name later is someone else: the old tokens stay dead. */
	mkuser("maker3", "admin");
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", sess, NULL), 401);
	free(sess);
	free(tok);
}

static void
test_token_needs_a_user(void **state)
{
	char *sess = login(&S, "admin", PW), *tok = mktoken(sess, "ci-minter", "admin", NULL);

	(void)state;
	/* A token made by a token would have no creator to answer for it. */
	assert_int_equal(status_of("POST", "/api/v1/tokens", tok,
	    "{\"name\":\"child\",\"role\":\"viewer\"}"), 403);
	/* Lifetimes are bounded on issue. */
	assert_int_equal(status_of("POST", "/api/v1/tokens", sess,
	    "{\"name\":\"x\",\"role\":\"viewer\",\"expires_in_days\":3651}"), 422);
	free(sess);
	free(tok);
}

static void
test_password_change_ends_sessions(void **state)
{
	long long id = mkuser("pwuser", "editor");
	char *a = login(&S, "pwuser", PW), *b = login(&S, "pwuser", PW), *c;

	(void)state;
	assert_cached_ok(a);
	assert_cached_ok(b);
	assert_int_equal(patch_user(id, "{\"password\":\"battery staple\"}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/vlans", b, NULL), 401);
	/* A session made after the change works. */
	c = login(&S, "pwuser", "battery staple");
	assert_int_equal(status_of("GET", "/api/v1/auth/me", c, NULL), 200);
	/* A role change alone does not end sessions; it applies to them. */
	assert_int_equal(patch_user(id, "{\"role\":\"viewer\"}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", c, NULL), 200);
	assert_int_equal(status_of("POST", "/api/v1/vlans", c, "{\"vid\":7,\"name\":\"x\"}"), 403);
	free(a);
	free(b);
	free(c);
}

static void
test_disable_ends_sessions(void **state)
{
	long long id = mkuser("disuser", "viewer");
	char *a = login(&S, "disuser", PW), *b;

	(void)state;
	assert_cached_ok(a);
	assert_int_equal(patch_user(id, "{\"disabled\":true}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 401);
	assert_int_equal(patch_user(id, "{\"disabled\":false}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 401);
	b = login(&S, "disuser", PW);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", b, NULL), 200);
	/* Enabling an enabled user ends nothing. */
	assert_int_equal(patch_user(id, "{\"disabled\":false}"), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", b, NULL), 200);
	free(a);
	free(b);
}

static void
test_logout_everywhere(void **state)
{
	long long id = mkuser("outuser", "admin");
	char *a = login(&S, "outuser", PW), *b = login(&S, "outuser", PW), *c;
	char *tok = mktoken(a, "ci-out", "viewer", NULL);
	struct resp r;

	(void)state;
	assert_cached_ok(a);
	assert_cached_ok(b);
	assert_cached_ok(tok);
	/* Only an admin may; nothing changed by the refusals. */
	assert_int_equal(post_user(id, "logout", editor), 403);
	assert_int_equal(post_user(id, "logout", viewer), 403);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 200);
	assert_int_equal(req_json(&S, "POST", "/api/v1/users/1/logout", admin, "{\"all\":1}", &r),
	    0);
	assert_problem(&r, 400);
	resp_free(&r);
	assert_int_equal(req(&S, "POST", "/api/v1/users/9999/logout", admin, NULL, NULL, &r), 0);
	assert_problem(&r, 404);
	resp_free(&r);

	assert_int_equal(post_user(id, "logout", admin), 200);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 401);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", b, NULL), 401);
	/* API tokens are not sessions: they are revoked by deleting them. */
	assert_int_equal(status_of("GET", "/api/v1/auth/me", tok, NULL), 200);
	c = login(&S, "outuser", PW);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", c, NULL), 200);
	free(a);
	free(b);
	free(c);
	free(tok);
}

static void
test_user_delete_rules(void **state)
{
	struct resp r;
	long long id = mkuser("deluser", "viewer");
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	assert_int_equal(status_of("DELETE", path, editor, NULL), 403);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 204);
	assert_int_equal(status_of("DELETE", "/api/v1/users/9999", admin, NULL), 404);
	/* The last enabled admin cannot be deleted: make every other admin a viewer first. */
	assert_int_equal(req(&S, "GET", "/api/v1/users", admin, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	{
		json_t *u;
		size_t i;

		json_array_foreach(json_object_get(r.json, "results"), i, u) {
			long long uid = json_integer_value(json_object_get(u, "id"));

			if (uid != 1 && strcmp(json_string_value(json_object_get(u, "role")),
			    "admin") == 0)
				assert_int_equal(patch_user(uid, "{\"role\":\"viewer\"}"), 200);
		}
	}
	resp_free(&r);
	assert_int_equal(status_of("DELETE", "/api/v1/users/1", admin, NULL), 409);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", admin, NULL), 200);
}

/* One secret must not appear in any audit row. */
static void
assert_not_in(const char *text, const char *secret)
{
	if (strstr(text, secret) != NULL)
		fail_msg("the audit log holds a secret: %.60s", secret);
}

static void
test_audit_without_secrets(void **state)
{
	static const char *const wanted[][2] = {
		{ "user", "create" }, { "user", "update" }, { "user", "delete" },
		{ "token", "create" }, { "token", "delete" }, { "settings", "update" },
	};
	char *sess = login(&S, "admin", PW), *tok, path[64], q[96];
	struct claims c;
	long long tid, uid;
	struct resp r;
	size_t i;

	(void)state;
	uid = mkuser("audited", "editor");
	assert_int_equal(patch_user(uid, "{\"password\":\"a secret phrase\",\"role\":\"viewer\"}"),
	    200);
	tok = mktoken(sess, "ci-audit", "viewer", &tid);
	assert_int_equal(auth_token_verify(key, tok, time(NULL), &c), 0);
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", tid);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 204);
	assert_int_equal(status_of("PATCH", "/api/v1/settings", editor,
	    "{\"log_denied\":false}"), 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", uid);
	assert_int_equal(status_of("DELETE", path, admin, NULL), 204);

	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		snprintf(q, sizeof(q), "/api/v1/changes?object_type=%s&action=%s&limit=1000",
		    wanted[i][0], wanted[i][1]);
		assert_int_equal(req(&S, "GET", q, viewer, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		if (json_integer_value(json_object_get(r.json, "count")) < 1)
			fail_msg("no audit row for %s %s", wanted[i][1], wanted[i][0]);
		resp_free(&r);
	}
	/* The rows name who did it and what changed. */
	snprintf(q, sizeof(q), "/api/v1/changes?object_type=user&object_id=%lld", uid);
	assert_int_equal(req(&S, "GET", q, viewer, NULL, NULL, &r), 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 3);
	assert_non_null(strstr(r.body, "\"password_changed_at\""));
	assert_non_null(strstr(r.body, "\"username\":\"admin\""));
	resp_free(&r);
	/* No secret anywhere in the whole log. */
	assert_int_equal(req(&S, "GET", "/api/v1/changes?limit=1000", viewer, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_integer_value(json_object_get(r.json, "count")) < 1000);
	assert_not_in(r.body, PW);
	assert_not_in(r.body, "a secret phrase");
	assert_not_in(r.body, "battery staple");
	assert_not_in(r.body, "argon2");
	assert_not_in(r.body, "password_hash");
	assert_not_in(r.body, tok);
	assert_not_in(r.body, strrchr(tok, '.') + 1);
	assert_not_in(r.body, c.jti);
	assert_not_in(r.body, "\"token\":");
	resp_free(&r);
	free(sess);
	free(tok);
}

/* A change the server did not make (a hand edit, the command line) is seen within seconds,
 * even by a thread that has the token in its cache. */
static void
test_outside_change_seen(void **state)
{
	struct timespec pause = { 6, 0 };
	char *a;

	(void)state;
	mkuser("handedit", "viewer");
	a = login(&S, "handedit", PW);
	assert_cached_ok(a);
	srv_sql(&S, "UPDATE users SET disabled = 1 WHERE username = 'handedit'");
	nanosleep(&pause, NULL);
	assert_int_equal(status_of("GET", "/api/v1/auth/me", a, NULL), 401);
	free(a);
}

/* ---- token lifetime (item 6) ---- */

static void
test_exp_past_9999(void **state)
{
	static const long long exps[] = {
		253402300800LL,           /* 10000-01-01 */
		253402300799LL + 86400 * 365LL * 100,
		4000000000000000000LL,
	};
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(exps) / sizeof(exps[0]); i++) {
		t = forge(JWT_ALG_HS256, key, 32, exps[i], "admin", "admin");
		assert_int_equal(status_of("GET", "/api/v1/auth/me", t, NULL), 401);
		free(t);
	}
	/* Past the longest lifetime a token may have, and just inside it. */
	t = forge(JWT_ALG_HS256, key, 32, time(NULL) + AUTH_TTL_MAX + 100, "admin", "admin");
	assert_int_equal(status_of("GET", "/api/v1/auth/me", t, NULL), 401);
	free(t);
	t = forge(JWT_ALG_HS256, key, 32, time(NULL) + AUTH_TTL_MAX - 100, "admin", "admin");
	assert_int_equal(status_of("GET", "/api/v1/auth/me", t, NULL), 200);
	free(t);
	assert_int_equal(status_of("GET", "/healthz", NULL, NULL), 200);
}

/* ---- lockout (item 9) ---- */

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	struct sbuf *b = arg;

	sbuf_append(b, p, size * n);
	return size * n;
}

/* A login sent from a given loopback address (all of 127/8 reaches the server); returns the
 * status, and the Retry-After value in *retry when given. */
static long
login_from(struct srv *s, const char *from, const char *user, const char *password, int *retry)
{
	char url[128], body[256], iface[64];
	struct curl_slist *h = NULL;
	struct sbuf hd, b;
	const char *ra;
	long status = 0;
	CURL *c;

	sbuf_init(&hd, 0);
	sbuf_init(&b, 0);
	assert_non_null(c = curl_easy_init());
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/auth/login", s->port);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	snprintf(iface, sizeof(iface), "host!%s", from);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (retry != NULL) {
		*retry = -1;
		if ((ra = strstr(sbuf_str(&hd), "\nRetry-After:")) != NULL)
			*retry = atoi(ra + 13);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	sbuf_free(&hd);
	sbuf_free(&b);
	return status;
}

static void
test_lockout_is_per_address(void **state)
{
	int i, retry;

	(void)state;
	mkuser("victim", "viewer");
	/* The address really is the one the server sees. */
	assert_int_equal(login_from(&S, "127.0.0.2", "victim", PW, NULL), 200);
	for (i = 0; i < 3; i++)
		assert_int_equal(login_from(&S, "127.0.0.2", "victim", "guess", NULL), 401);
	assert_int_equal(login_from(&S, "127.0.0.2", "victim", "guess", &retry), 429);
	assert_true(retry > 0 && retry <= 300);
	/* Even the attacker's right guess waits... */
	assert_int_equal(login_from(&S, "127.0.0.2", "victim", PW, NULL), 429);
	/* ...but the real user, elsewhere, is not locked out. */
	assert_int_equal(login_from(&S, "127.0.0.5", "victim", PW, NULL), 200);
	assert_int_equal(login_from(&S, "127.0.0.5", "victim", PW, NULL), 200);
	/* And the attacker's other names are its own per-address budget (12 here). */
	assert_int_equal(login_from(&S, "127.0.0.2", "vi", "guess", NULL), 401);
}

static void
test_lockout_admin_unlock(void **state)
{
	long long id = mkuser("locked", "viewer");
	char path[80];
	struct resp r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(login_from(&S, "127.0.0.3", "locked", "guess", NULL), 401);
		assert_int_equal(login_from(&S, "127.0.0.4", "locked", "guess", NULL), 401);
	}
	assert_int_equal(login_from(&S, "127.0.0.3", "locked", PW, NULL), 429);
	assert_int_equal(login_from(&S, "127.0.0.4", "locked", PW, NULL), 429);
	assert_int_equal(post_user(id, "unlock", editor), 403);
	assert_int_equal(login_from(&S, "127.0.0.3", "locked", PW, NULL), 429);
	snprintf(path, sizeof(path), "/api/v1/users/%lld/unlock", id);
	assert_int_equal(req(&S, "POST", path, admin, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "locked_addresses")), 2);
	resp_free(&r);
	assert_int_equal(login_from(&S, "127.0.0.3", "locked", PW, NULL), 200);
	assert_int_equal(login_from(&S, "127.0.0.4", "locked", PW, NULL), 200);
	/* Audited: who unlocked whom, and how many addresses were waiting. */
	snprintf(path, sizeof(path), "/api/v1/changes?object_type=user&object_id=%lld", id);
	assert_int_equal(req(&S, "GET", path, viewer, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"locked_addresses\":2"));
	assert_non_null(strstr(r.body, "\"username\":\"admin\""));
	resp_free(&r);
	assert_int_equal(req(&S, "POST", "/api/v1/users/9999/unlock", admin, NULL, NULL, &r), 0);
	assert_problem(&r, 404);
	resp_free(&r);
}

/* With a short window the slowdown ends by itself. */
static void
test_lockout_ends(void **state)
{
	static const char *const flags[] = { "--login-max-failures", "2", "--login-window", "2",
		NULL };
	struct timespec pause = { 2, 500 * 1000 * 1000 };
	struct srv s2;
	int retry;

	(void)state;
	srv_prepare(&s2);
	srv_add_user(&s2, "sam", "viewer", PW);
	srv_start(&s2, flags);
	assert_int_equal(login_from(&s2, "127.0.0.6", "sam", "guess", NULL), 401);
	assert_int_equal(login_from(&s2, "127.0.0.6", "sam", "guess", NULL), 401);
	assert_int_equal(login_from(&s2, "127.0.0.6", "sam", PW, &retry), 429);
	assert_true(retry >= 1 && retry <= 2);
	nanosleep(&pause, NULL);
	assert_int_equal(login_from(&s2, "127.0.0.6", "sam", PW, NULL), 200);
	srv_stop(&s2);
	srv_cleanup(&s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_login_token_claims),
		cmocka_unit_test(test_login_failures_look_alike),
		cmocka_unit_test(test_refused_tokens_401),
		cmocka_unit_test(test_401_has_www_authenticate),
		cmocka_unit_test(test_roles_403),
		cmocka_unit_test(test_login_limit_per_user_429),
		cmocka_unit_test(test_api_tokens),
		cmocka_unit_test(test_user_admin),
		cmocka_unit_test(test_token_creator_disabled),
		cmocka_unit_test(test_token_creator_demoted),
		cmocka_unit_test(test_token_creator_deleted),
		cmocka_unit_test(test_token_needs_a_user),
		cmocka_unit_test(test_password_change_ends_sessions),
		cmocka_unit_test(test_disable_ends_sessions),
		cmocka_unit_test(test_logout_everywhere),
		cmocka_unit_test(test_audit_without_secrets),
		cmocka_unit_test(test_outside_change_seen),
		cmocka_unit_test(test_exp_past_9999),
		cmocka_unit_test(test_lockout_is_per_address),
		cmocka_unit_test(test_lockout_admin_unlock),
		cmocka_unit_test(test_lockout_ends),
		cmocka_unit_test(test_user_delete_rules),
		cmocka_unit_test(test_login_limit_per_address_429),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
