/* API tokens for CI: long-lived JWTs whose jti is stored, so deleting the row revokes them. A
 * token works only while its creator is enabled and holds at least the token's role. The
 * tokens resource (res_tokens.c) stores them; this file signs and checks them. */
#ifndef NETSOT_TOKEN_H
#define NETSOT_TOKEN_H

#include <jansson.h>

#include "auth.h"

struct api_err;
struct db;

#define TOKEN_NAME_MAX 48
#define TOKEN_DAYS_MAX ((int)(AUTH_TTL_MAX / 86400))

/* The key API tokens are signed with: the server sets it once, before any thread starts. */
void token_use_key(const unsigned char key[AUTH_KEY_LEN]);
/* Signs a new API token for name and role, valid from now until exp; its new id in jti, the
 * JWT (new, to free after zeroing) in *jwt. 500 when no key was set. */
int token_sign(const char *name, enum role role, time_t now, time_t exp, char jti[AUTH_JTI_LEN],
    char **jwt, struct api_err *err);
/* 1 with the token's role when the jti is live and its creator still may hold it, 0 when it
 * is revoked, expired or its creator is gone, disabled or demoted below it, -1 on error. */
int token_lookup(struct db *db, const char *jti, time_t now, enum role *role,
    struct api_err *err);

#endif
