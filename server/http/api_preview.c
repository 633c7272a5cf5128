#include "api.h"

#include "render/preview.h"

/* POST /api/v1/changes/preview: what the changes would do to every rendered file, kept
 * nowhere. */
int
api_preview(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *out;

	if ((db = http_db(r, err)) == NULL || render_preview(http_actor(r), db, r->json, &out,
	    err) == -1)
		return -1;
	http_reply_json(rep, 200, out);
	return 0;
}
