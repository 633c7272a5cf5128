#include "api.h"

#include <string.h>

#include "apierr.h"
#include "etag.h"
#include "render.h"
#include "sbuf.h"
#include "watch.h"

/* The target's parameters: the query without the route's own (wait). */
static int
api_render_params(struct req *r, const char **keys, const char **values, struct api_err *err)
{
	const char *k[RENDER_PARAMS_MAX + 1], *v[RENDER_PARAMS_MAX + 1];
	int n, i, m = 0;

	if ((n = http_query_all(r, k, v, RENDER_PARAMS_MAX + 1)) > RENDER_PARAMS_MAX + 1)
		return api_err_set(err, 400, "too many query parameters");
	for (i = 0; i < n; i++) {
		if (strcmp(k[i], "wait") == 0)
			continue;
		if (m == RENDER_PARAMS_MAX)
			return api_err_set(err, 400, "too many query parameters");
		keys[m] = k[i];
		values[m++] = v[i];
	}
	return m;
}

/* A render, or 304 from the revision alone when If-None-Match names the current ETag; with
 * wait=SECONDS, that 304 is held until the ETag moves or the time runs out (watch.c). */
static int
api_render_reply(struct req *r, struct reply *rep, const char *target, struct api_err *err)
{
	const char *keys[RENDER_PARAMS_MAX], *values[RENDER_PARAMS_MAX], *inm;
	struct render_ctx c;
	struct sbuf sb;
	struct db *db;
	int n;

	if ((n = api_render_params(r, keys, values, err)) == -1)
		return -1;
	if ((db = http_db(r, err)) == NULL ||
	    render_prepare(db, target, n, keys, values, &c, err) == -1)
		return -1;
	http_reply_header(rep, "ETag", "%s", c.etag);
	http_reply_header(rep, "X-Plan-Revision", "%lld", c.revision);
	inm = http_header(r, "If-None-Match");
	if (inm != NULL && etag_listed(inm, c.etag)) {
		rep->status = 304;
		return watch_want(r, target, n, keys, values, c.etag, http_query_int(r, "wait", 0),
		    err);
	}
	sbuf_init(&sb, 0);
	if (render_body(&c, &sb, err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	return http_reply_text(rep, 200, c.target->ctype, &sb, err);
}

/* GET /api/v1/render/{name} */
int
api_render(struct req *r, struct reply *rep, struct api_err *err)
{
	return api_render_reply(r, rep, r->param, err);
}

/* GET /api/v1/inventory: the Ansible inventory where an inventory script expects it. */
int
api_render_inventory(struct req *r, struct reply *rep, struct api_err *err)
{
	return api_render_reply(r, rep, "ansible-inventory", err);
}

/* GET /api/v1/render: the targets and their parameters. */
int
api_render_list(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r;
	(void)err;
	http_reply_json(rep, 200, json_pack("{s:o}", "targets", render_list()));
	return 0;
}
