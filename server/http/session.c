#include "session.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "token.h"
#include "user.h"

/* Each server thread remembers the tokens it has verified, keyed by a hash of the token, so
 * that a client's second request skips the signature check and the user lookup. Any change
 * to users or tokens bumps the generation, which empties every thread's cache at once: a
 * disabled user or a revoked token is still refused on the very next request.
 *
 * What outlives the cache is in the database: a login token carries its user's session
 * generation, which a password change, a disable or "log out everywhere" moves on, and an
 * API token is joined to its creator on every check (token_lookup). */
#define SESSION_SLOTS 256
/* Changes made outside this process (the command line, a hand edit of the database) reach no
 * session_invalidate(): a verified token is trusted for at most this many seconds. */
#define SESSION_CACHE_TTL 5

struct session_slot {
	unsigned char key[16];
	unsigned gen;
	long long exp;
	struct principal who;
};

static _Thread_local struct session_slot session_cache[SESSION_SLOTS];
static atomic_uint session_gen = 1;

void
session_invalidate(void)
{
	atomic_fetch_add(&session_gen, 1);
}

/* Verifies the token and looks up its user or API token: the slow path. */
static int
session_verify(struct req *r, const char *token, time_t now, struct principal *who,
    struct api_err *err)
{
	struct claims c;
	struct user u;
	struct db *db;
	enum role role;
	int rc;

	if (auth_token_verify(r->srv->key, token, now, &c) == -1)
		return api_err_set(err, 401, "the token is invalid or expired");
	if ((db = http_db(r, err)) == NULL)
		return -1;
	if (c.kind == TOKEN_API) {
		if ((rc = token_lookup(db, c.jti, now, &role, err)) == -1)
			return -1;
		if (rc == 0)
			return api_err_set(err, 401, "the token has been revoked, or its creator "
			    "may no longer hold it");
	} else {
		/* The current role counts, not the token's: a demotion takes effect now. */
		if ((rc = user_find(db, c.sub, &u, NULL, err)) == -1)
			return -1;
		if (rc == 0 || u.disabled)
			return api_err_set(err, 401, "the token's user is unknown or disabled");
		if (c.gen != u.session_gen)
			return api_err_set(err, 401, "the session has ended; log in again");
		role = u.role;
	}
	memset(who, 0, sizeof(*who));
	memcpy(who->name, c.sub, sizeof(who->name));
	who->role = role;
	who->kind = c.kind;
	who->exp = c.exp;
	return 0;
}

int
session_authenticate(struct req *r, struct api_err *err)
{
	const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	time_t now = clock_now();
	unsigned gen = atomic_load(&session_gen);
	struct session_slot *slot;
	unsigned char key[16];

	/* "Token" is how NetBox's clients send theirs (the NetBox-compatible inventory). */
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		h += 7;
	else if (h != NULL && strncasecmp(h, "Token ", 6) == 0)
		h += 6;
	else
		return api_err_set(err, 401, "send Authorization: Bearer <token>");
	while (*h == ' ')
		h++;
	crypto_generichash(key, sizeof(key), (const unsigned char *)h, strlen(h), NULL, 0);
	slot = &session_cache[(key[0] | key[1] << 8) % SESSION_SLOTS];
	if (slot->gen == gen && slot->exp > (long long)now &&
	    sodium_memcmp(slot->key, key, sizeof(key)) == 0) {
		r->who = slot->who;
		return 0;
	}
	if (session_verify(r, h, now, &r->who, err) == -1)
		return -1;
	memcpy(slot->key, key, sizeof(key));
	slot->gen = gen;
	slot->exp = r->who.exp < (long long)now + SESSION_CACHE_TTL ? r->who.exp :
	    (long long)now + SESSION_CACHE_TTL;
	slot->who = r->who;
	return 0;
}
