#include "session.h"

#include <string.h>
#include <strings.h>

#include "clock.h"
#include "token.h"
#include "user.h"

int
session_authenticate(struct req *r, struct api_err *err)
{
	const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	time_t now = clock_now();
	struct claims c;
	struct user u;
	struct db *db;
	enum role role;
	int rc;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return api_err_set(err, 401, "send Authorization: Bearer <token>");
	h += 7;
	while (*h == ' ')
		h++;
	if (auth_token_verify(r->srv->key, h, now, &c) == -1)
		return api_err_set(err, 401, "the token is invalid or expired");
	if ((db = http_db(r, err)) == NULL)
		return -1;
	if (c.kind == TOKEN_API) {
		if ((rc = token_lookup(db, c.jti, now, &role, err)) == -1)
			return -1;
		if (rc == 0)
			return api_err_set(err, 401, "the token has been revoked");
	} else {
		/* The current role counts, not the one in the token: a demotion takes effect now. */
		if ((rc = user_find(db, c.sub, &u, NULL, err)) == -1)
			return -1;
		if (rc == 0 || u.disabled)
			return api_err_set(err, 401, "the token's user is unknown or disabled");
		role = u.role;
	}
	memcpy(r->who.name, c.sub, sizeof(r->who.name));
	r->who.role = role;
	r->who.kind = c.kind;
	r->who.exp = c.exp;
	return 0;
}
