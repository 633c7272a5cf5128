/* SECURITY.md's key rotation, as an operator does it: stop the server, delete its signing key,
 * start it again. Every session and API token issued under the old key is refused; the server
 * makes a new key (mode 0600), and a fresh login works. */
#include "harness.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PW "rotate-me-please"

static char *
admin_token(struct srv *s, const char *admin)
{
	struct resp r;
	char *tok;

	assert_int_equal(req_json(s, "POST", "/api/v1/tokens", admin,
	    "{\"name\":\"ci\",\"role\":\"viewer\",\"expires_in_days\":30}", &r), 0);
	assert_int_equal(r.status, 201);
	tok = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_free(&r);
	return tok;
}

static long
me(struct srv *s, const char *token)
{
	return api(s, "GET", "/api/v1/auth/me", token, NULL, NULL);
}

static void
test_rotating_the_key_refuses_every_old_token(void **state)
{
	struct srv s;
	char *admin, *api_tok, *again, *old_key;
	size_t old_len, new_len;
	struct stat st;
	char *new_key;

	(void)state;
	srv_prepare(&s);
	srv_add_user(&s, "ad", "admin", PW);
	srv_start(&s, NULL);
	admin = login(&s, "ad", PW);
	api_tok = admin_token(&s, admin);
	assert_int_equal(me(&s, admin), 200);
	assert_int_equal(me(&s, api_tok), 200);
	old_key = read_file(s.key, &old_len);
	assert_non_null(old_key);
	srv_stop(&s);

	/* The same key again: nothing is refused (the restart alone revokes nothing). */
	srv_start(&s, NULL);
	assert_int_equal(me(&s, admin), 200);
	assert_int_equal(me(&s, api_tok), 200);
	srv_stop(&s);

	assert_int_equal(unlink(s.key), 0);
	srv_start(&s, NULL);
	assert_int_equal(me(&s, admin), 401);
	assert_int_equal(me(&s, api_tok), 401);
	/* A new key of the same size, not the old one, readable by the owner only. */
	new_key = read_file(s.key, &new_len);
	assert_non_null(new_key);
	assert_int_equal(new_len, old_len);
	assert_true(memcmp(new_key, old_key, old_len) != 0);
	assert_int_equal(stat(s.key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The API token's row is still there, but its signature no longer verifies: the admin
	 * logs in again and issues a new one. */
	again = login(&s, "ad", PW);
	assert_int_equal(me(&s, again), 200);
	free(api_tok);
	api_tok = admin_token(&s, again);
	assert_int_equal(me(&s, api_tok), 200);

	free(old_key);
	free(new_key);
	free(api_tok);
	free(again);
	free(admin);
	srv_stop(&s);
	srv_cleanup(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotating_the_key_refuses_every_old_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
