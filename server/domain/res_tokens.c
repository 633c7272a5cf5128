/* API tokens, as a resource of the generic driver. A token is made and deleted, never
 * changed. The row keeps its jti, so deleting it revokes the token at once; the JWT itself is
 * shown once, in the create's answer (w->once), and never stored or logged. */
#include "res.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "clock.h"
#include "token.h"
#include "user.h"

static const struct field res_tokens_fields[] = {
	{ .name = "name", .type = FT_TEXT, .flags = F_REQUIRED | F_FILTER | F_ORDER | F_SEARCH,
	  .max = TOKEN_NAME_MAX, .rule = CR_NAME },
	{ .name = "role", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER | F_ORDER,
	  .values = auth_roles + ROLE_VIEWER },
	{ .name = "expires_in_days", .type = FT_INT, .flags = F_WRITEONLY, .min = 1,
	  .max = TOKEN_DAYS_MAX, .def = "90" },
	/* The user who made it: it works only while that user is enabled and holds its role. */
	{ .name = "created_by", .type = FT_REF, .flags = F_READONLY | F_NULL | F_FILTER,
	  .ref = "users" },
	{ .name = "created_at", .type = FT_TEXT, .flags = F_READONLY | F_ORDER },
	{ .name = "expires_at", .type = FT_TEXT, .flags = F_READONLY | F_ORDER },
	{ .name = NULL },
};

static const char *const res_tokens_hidden[] = { "jti", "expires_unix", NULL };

static int
res_tokens_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	(void)obj;
	if (w->old != NULL)
		return api_err_set(err, 405, "a token is not changed: make a new one");
	/* A token lives only as long as its creator may hold it, so its creator must be a user:
	 * one made by another token would have none. */
	if (w->a == NULL || w->a->api_token)
		return api_err_set(err, 403, "log in as a user to make API tokens");
	return 0;
}

static int
res_tokens_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	char created[CLOCK_RFC3339_LEN], expires[CLOCK_RFC3339_LEN];
	time_t now = clock_now(), exp;
	enum role role;
	struct user u;
	char *jwt = NULL;
	int found;

	/* A token without a live creator would never work: say so now, not at first use. */
	if (auth_role_parse(json_string_value(json_object_get(obj, "role")), &role) == -1)
		return api_err_field(err, "role", "must be viewer, editor or admin");
	if ((found = user_find(w->db, w->a->name != NULL ? w->a->name : "", &u, NULL, err)) == -1)
		return -1;
	if (found == 0 || u.disabled || u.role < role)
		return api_err_set(err, 403, "only an enabled user holding the role may make a "
		    "token with it");
	exp = now + (time_t)json_integer_value(json_object_get(obj, "expires_in_days")) * 86400;
	w->nhidden = 2;
	w->hidden[0].type = HV_TEXT;
	w->hidden[1].type = HV_INT;
	w->hidden[1].i = (long long)exp;
	if (token_sign(name, role, now, exp, w->hidden[0].text, &jwt, err) == -1)
		return -1;
	clock_rfc3339(now, created);
	clock_rfc3339(exp, expires);
	json_object_set_new(obj, "created_by", json_integer(u.id));
	json_object_set_new(obj, "created_at", json_string(created));
	json_object_set_new(obj, "expires_at", json_string(expires));
	w->once = json_pack("{s:s}", "token", jwt);
	sodium_memzero(jwt, strlen(jwt));
	free(jwt);
	return 0;
}

const struct resource res_tokens = {
	.name = "tokens",
	.flags = R_NO_META | R_OWN_ROUTES | R_SESSIONS,
	.table = "api_tokens",
	.object = "token",
	.fields = res_tokens_fields,
	.hidden = res_tokens_hidden,
	.validate = res_tokens_validate,
	.derive = res_tokens_derive,
};
