#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "res.h"
#include "sbuf.h"
#include "resource.h"
#include "user.h"

/* Failures count per user name and client address together, and per client address alone;
 * either one over its limit is a 429 until its window ends. No address can lock a user out of
 * another address (issue 13, item 9); the per-address limit stops one address from guessing
 * across many names. Unknown users count too, so the limiter does not reveal who exists. */
static int
api_auth_limited(struct req *r, const char *ukey, const char *akey, struct api_err *err)
{
	time_t now = clock_now();
	int wu = ratelimit_wait(r->srv->login_users, ukey, now);
	int wa = ratelimit_wait(r->srv->login_addrs, akey, now);

	if (wu == 0 && wa == 0)
		return 0;
	metrics_login_failed(true);
	err->retry_after = wu > wa ? wu : wa;
	return api_err_set(err, 429, "too many failed logins; try again in %d seconds",
	    err->retry_after);
}

void
api_auth_user_key(const char *name, const char *client, char *key, size_t len)
{
	snprintf(key, len, "u:%s|%s", name, client);
}

int
api_auth_login(struct req *r, struct reply *rep, struct api_err *err)
{
	char hash[AUTH_HASH_LEN] = "", ukey[RATELIMIT_KEY_MAX + 1], akey[80];
	const char *name, *password;
	struct claims c;
	struct user u;
	struct db *db;
	char *jwt = NULL;
	int found, rc = -1;

	memset(&u, 0, sizeof(u));
	if (resource_check_input(&res_users_login, r->json, err) == -1)
		return -1;
	name = json_string_value(json_object_get(r->json, "username"));
	password = json_string_value(json_object_get(r->json, "password"));
	/* A name that cannot exist shares one key per address: it never reaches a user. */
	api_auth_user_key(auth_name_valid(name) ? name : "", r->client, ukey, sizeof(ukey));
	snprintf(akey, sizeof(akey), "a:%s", r->client);
	if (api_auth_limited(r, ukey, akey, err) == -1)
		return -1;
	if ((db = http_db(r, err)) == NULL)
		return -1;
	found = auth_name_valid(name) ? user_find(db, name, &u, hash, err) : 0;
	if (found == -1)
		return -1;
	/* Same work whether or not the user exists or is disabled: one Argon2id verification. */
	if (auth_check_password(found ? hash : NULL, password) == -1 || u.disabled) {
		ratelimit_fail(r->srv->login_users, ukey, clock_now());
		ratelimit_fail(r->srv->login_addrs, akey, clock_now());
		metrics_login_failed(false);
		api_err_set(err, 401, "wrong username or password");
		goto out;
	}
	ratelimit_clear(r->srv->login_users, ukey);
	if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		struct api_err ignore;

		api_err_init(&ignore);
		if (user_rehash_password(db, u.id, password, &ignore) == -1)
			log_msg("auth: cannot upgrade the password hash of %s", u.username);
		api_err_free(&ignore);
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", u.username);
	c.role = u.role;
	c.kind = TOKEN_SESSION;
	c.gen = u.session_gen;
	c.iat = clock_now();
	c.exp = c.iat + r->srv->cfg->token_ttl;
	auth_new_jti(c.jti);
	if (auth_token_issue(r->srv->key, &c, &jwt) == -1) {
		api_err_set(err, 500, "cannot sign the token");
		goto out;
	}
	memcpy(r->who.name, u.username, sizeof(r->who.name));
	http_reply_json(rep, 200, json_pack("{s:s, s:s, s:I}", "access_token", jwt,
	    "token_type", "Bearer", "expires_in", (json_int_t)r->srv->cfg->token_ttl));
	rc = 0;
out:
	sodium_memzero(hash, sizeof(hash));
	free(jwt);
	return rc;
}

int
api_auth_me(struct req *r, struct reply *rep, struct api_err *err)
{
	char exp[CLOCK_RFC3339_LEN];
	struct sbuf sb;

	/* auth_token_verify bounds exp; a date past year 9999 would not fit the buffer. */
	if (r->who.exp <= 0 || r->who.exp - (long long)clock_now() > AUTH_TTL_MAX)
		return api_err_set(err, 401, "the token is invalid or expired");
	clock_rfc3339((time_t)r->who.exp, exp);
	/* Written as text: every page of the web UI asks for it, and a jansson object built
	 * and dumped was a third of the request's instructions. The name is escaped; the
	 * other three are fixed words and a time. */
	sbuf_init(&sb, 0);
	sbuf_puts(&sb, "{\"username\":");
	sbuf_json(&sb, r->who.name, strlen(r->who.name));
	sbuf_puts(&sb, ",\"role\":\"");
	sbuf_puts(&sb, auth_role_name(r->who.role));
	sbuf_puts(&sb, r->who.kind == TOKEN_API ? "\",\"token_kind\":\"api\",\"expires_at\":\"" :
	    "\",\"token_kind\":\"session\",\"expires_at\":\"");
	sbuf_puts(&sb, exp);
	sbuf_puts(&sb, "\"}");
	return http_reply_text(rep, 200, "application/json", &sb, err);
}
