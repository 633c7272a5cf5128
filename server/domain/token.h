/* API tokens for CI: long-lived JWTs whose jti is stored, so deleting the row revokes them. A
 * token works only while its creator is enabled and holds at least the token's role. */
#ifndef NETSOT_TOKEN_H
#define NETSOT_TOKEN_H

#include <jansson.h>

#include "auth.h"

struct api_err;
struct db;

#define TOKEN_NAME_MAX 48
#define TOKEN_DAYS_MAX ((int)(AUTH_TTL_MAX / 86400))

/* Creates the row and the JWT; *out is the token's JSON with the secret (shown once). The
 * creator must be an enabled user holding at least role. */
int token_create(struct db *db, const unsigned char key[AUTH_KEY_LEN], const char *name,
    enum role role, int days, const char *creator, json_t **out, struct api_err *err);
/* One token as the API shows it (never the secret); 404 when there is none. */
int token_get(struct db *db, long long id, json_t **out, struct api_err *err);
/* Every token, or with creator > 0 those that user made. */
int token_list(struct db *db, long long creator, json_t **out, struct api_err *err);
int token_delete(struct db *db, long long id, struct api_err *err);
/* 1 with the token's role when the jti is live and its creator still may hold it, 0 when it
 * is revoked, expired or its creator is gone, disabled or demoted below it, -1 on error. */
int token_lookup(struct db *db, const char *jti, time_t now, enum role *role,
    struct api_err *err);

#endif
