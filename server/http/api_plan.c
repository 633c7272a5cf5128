#include "api.h"

#include <string.h>

#include "apierr.h"
#include "etag.h"
#include "plan.h"
#include "sbuf.h"

/* GET /api/v1/export: the whole plan as a plan file, from one snapshot. */
int
api_plan_export(struct req *r, struct reply *rep, struct api_err *err)
{
	struct sbuf sb;
	struct db *db;

	if ((db = http_db(r, err)) == NULL)
		return -1;
	sbuf_init(&sb, 0);
	if (plan_export(db, &sb, err) == -1 ||
	    http_reply_etag(r, rep, &sb, "application/json", err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	return 0;
}

/* POST /api/v1/import?mode=merge|replace&dry_run=true: all or nothing, one transaction. */
int
api_plan_import(struct req *r, struct reply *rep, struct api_err *err)
{
	/* mode and dry_run are declared on the route, checked before this runs. */
	const char *mode = http_query(r, "mode");
	struct plan_import_opts opts = {
		.replace = mode != NULL && strcmp(mode, "replace") == 0,
		.dry_run = http_query_bool(r, "dry_run"),
	};
	struct db *db;
	json_t *report;

	if (r->json == NULL)
		return api_err_set(err, 400, "the body must be a plan file (JSON)");
	if ((db = http_db(r, err)) == NULL ||
	    plan_import(http_actor(r), db, r->json, &opts, &report, err) == -1)
		return -1;
	http_reply_json(rep, 200, report);
	return 0;
}
