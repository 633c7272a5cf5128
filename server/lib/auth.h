/* Passwords (libsodium Argon2id) and tokens (libjwt, HS256 pinned): pure functions on values,
 * no database. */
#ifndef NETSOT_AUTH_H
#define NETSOT_AUTH_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define AUTH_KEY_LEN 32
#define AUTH_HASH_LEN crypto_pwhash_STRBYTES
#define AUTH_JTI_LEN 33          /* 32 hex digits + NUL */
#define AUTH_NAME_MAX 64
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 1024   /* bounds the work one login can ask for */
/* The longest life of any token (an API token's 3650 days): an exp further away is forged or
 * absurd, and would not even print as a date (issue 13, item 6). */
#define AUTH_TTL_MAX (3650LL * 86400)
/* How far ahead of our clock an iat may lie. */
#define AUTH_SKEW 300

enum role { ROLE_NONE = 0, ROLE_VIEWER, ROLE_EDITOR, ROLE_ADMIN };

enum token_kind { TOKEN_SESSION, TOKEN_API };

struct claims {
	char sub[AUTH_NAME_MAX + 1];
	enum role role;
	enum token_kind kind;
	long long iat, exp;
	long long gen;           /* session tokens: the user's session generation, >= 1 */
	char jti[AUTH_JTI_LEN];
};

/* Role names by enum role, NULL-terminated: auth_roles + ROLE_VIEWER are those a user or a
 * token can hold (a field table's enum values). */
extern const char *const auth_roles[];
const char *auth_role_name(enum role r);
int auth_role_parse(const char *s, enum role *out);
bool auth_name_valid(const char *s);

int auth_hash_password(const char *password, char out[AUTH_HASH_LEN]);
/* 0 when the password matches. Runs the full hash even for a NULL hash, so a login for a user
 * who does not exist costs the same time as a wrong password. */
int auth_check_password(const char *hash, const char *password);

/* Loads the 32-byte signing key, creating it (mode 0600) if the file does not exist. */
int auth_key_load(const char *path, unsigned char key[AUTH_KEY_LEN], char *err, size_t errlen);

/* Issues an HS256 JWT; *out is malloc'd. Refuses a lifetime outside 1..AUTH_TTL_MAX and a
 * session token without a generation. */
int auth_token_issue(const unsigned char key[AUTH_KEY_LEN], const struct claims *c,
    char **out);
/* Verifies signature (HS256 only), iat and exp (now < exp <= now + AUTH_TTL_MAX, iat before
 * exp and not in the future) and the claims' shape. */
int auth_token_verify(const unsigned char key[AUTH_KEY_LEN], const char *token, time_t now,
    struct claims *out);
void auth_new_jti(char jti[AUTH_JTI_LEN]);

#endif
