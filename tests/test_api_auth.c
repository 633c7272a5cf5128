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

#include "auth.h"

#define PW "correct horse"

static struct srv S;
static char *admin, *editor, *viewer;
static unsigned char key[32];

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
	/* The session generation of a user whose password and state never changed. */
	jwt_add_grant_int(j, "gen", 1);
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
		cmocka_unit_test(test_login_limit_per_address_429),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
