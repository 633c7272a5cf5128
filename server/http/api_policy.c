#include "api.h"

#include <stdlib.h>

#include "policy.h"
#include "sbuf.h"

/* GET /api/v1/policy/matrix: the firewall policy between zones (a read, so one snapshot), with
 * an ETag of its bytes. */
int
api_policy_matrix(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *matrix = NULL;
	struct sbuf sb;
	char *text = NULL;
	int rc = -1;

	sbuf_init(&sb, 0);
	if ((db = http_db(r, err)) == NULL || policy_matrix(db, &matrix, err) == -1)
		goto out;
	text = json_dumps(matrix, JSON_COMPACT);
	sbuf_puts(&sb, text);
	rc = http_reply_etag(r, rep, &sb, "application/json", err);
out:
	if (rc == -1)
		sbuf_free(&sb);
	free(text);
	json_decref(matrix);
	return rc;
}
