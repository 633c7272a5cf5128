#include "api.h"

#include <string.h>

#include "apierr.h"
#include "etag.h"
#include "render.h"
#include "sbuf.h"

/* A render, or 304 from the revision alone when If-None-Match names the current ETag. */
static int
api_render_reply(struct req *r, struct reply *rep, const char *target, struct api_err *err)
{
	const char *keys[RENDER_PARAMS_MAX], *values[RENDER_PARAMS_MAX], *inm;
	struct render_ctx c;
	struct sbuf sb;
	struct db *db;
	int n;

	if ((n = http_query_all(r, keys, values, RENDER_PARAMS_MAX)) > RENDER_PARAMS_MAX)
		return api_err_set(err, 400, "too many query parameters");
	if ((db = http_db(r, err)) == NULL ||
	    render_prepare(db, target, n, keys, values, &c, err) == -1)
		return -1;
	http_reply_header(rep, "ETag", "%s", c.etag);
	http_reply_header(rep, "X-Plan-Revision", "%lld", c.revision);
	inm = http_header(r, "If-None-Match");
	if (inm != NULL && etag_listed(inm, c.etag)) {
		rep->status = 304;
		return 0;
	}
	sbuf_init(&sb, 0);
	if (render_body(&c, &sb, err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	rep->status = 200;
	rep->ctype = c.target->ctype;
	rep->body = sbuf_take(&sb, &rep->len);
	return rep->body != NULL ? 0 : api_err_set(err, 500, "out of memory");
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
