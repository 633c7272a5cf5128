#include "token.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

/* The server's signing key, set once before any thread starts. */
static unsigned char token_key[AUTH_KEY_LEN];
static bool token_keyed;

void
token_use_key(const unsigned char key[AUTH_KEY_LEN])
{
	memcpy(token_key, key, AUTH_KEY_LEN);
	token_keyed = true;
}

int
token_sign(const char *name, enum role role, time_t now, time_t exp, char jti[AUTH_JTI_LEN],
    char **jwt, struct api_err *err)
{
	struct claims c;

	*jwt = NULL;
	if (!token_keyed)
		return api_err_set(err, 500, "this process has no key to sign tokens with");
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "token:%s", name);
	c.role = role;
	c.kind = TOKEN_API;
	c.iat = now;
	c.exp = exp;
	auth_new_jti(c.jti);
	memcpy(jti, c.jti, AUTH_JTI_LEN);
	if (auth_token_issue(token_key, &c, jwt) == -1)
		return api_err_set(err, 500, "cannot sign the token");
	return 0;
}

int
token_lookup(struct db *db, const char *jti, time_t now, enum role *role, struct api_err *err)
{
	/* The creator is joined on every check: disabling, deleting or demoting the user who
	 * made a token stops it at once, and a token without a creator never works. */
	static const char sql[] = "SELECT t.role, u.role FROM api_tokens t "
	    "JOIN users u ON u.id = t.created_by "
	    "WHERE t.jti = ? AND t.expires_unix > ? AND u.disabled = 0";
	sqlite3_stmt *st;
	enum role tr, ur;
	int rc, found = 0;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "checking a token");
	sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    auth_role_parse((const char *)sqlite3_column_text(st, 0), &tr) == 0 &&
	    auth_role_parse((const char *)sqlite3_column_text(st, 1), &ur) == 0 && ur >= tr) {
		*role = tr;
		found = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "checking a token");
	return found;
}
