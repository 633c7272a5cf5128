/* The HTTP doors of the generic resource driver: the {res} path parameter, the body, If-Match
 * and If-None-Match, status codes and Location. The writes themselves, with their checks and
 * transactions, are resource.c's. */
#include "api.h"

#include <stdio.h>

#include "etag.h"
#include "listing.h"
#include "res.h"
#include "resource.h"
#include "session.h"

static const struct resource *
api_resource_of(struct req *r, struct api_err *err)
{
	const struct resource *res = resource_find(r->param);

	if (res == NULL)
		api_err_set(err, 404, "no such resource");
	else if (res->flags & R_SINGLETON)
		r->id = 1;   /* the one object: its path has no id */
	return res;
}

/* After a write that changes who may use the API, every thread's verified tokens are
 * forgotten, so that the next request sees the change. */
static void
api_resource_wrote(const struct resource *res)
{
	if (res->flags & R_SESSIONS)
		session_invalidate();
}

/* Replies with an object's text (taken) and its ETag. */
static int
api_resource_reply(struct reply *rep, int status, struct sbuf *text, struct api_err *err)
{
	char etag[ETAG_LEN];

	etag_of(sbuf_str(text), text->len, etag);
	http_reply_header(rep, "ETag", "%s", etag);
	return http_reply_text(rep, status, "application/json", text, err);
}

int
api_resource_create(struct req *r, struct reply *rep, struct api_err *err)
{
	const struct resource *res;
	json_t *results;
	struct sbuf text;
	struct db *db;
	long long id;
	int rc;

	if ((res = api_resource_of(r, err)) == NULL || (db = http_db(r, err)) == NULL)
		return -1;
	sbuf_init(&text, 0);
	rc = resource_create(http_actor(r), db, res, r->json, &text, &id, &results, err);
	if (rc == 0) {
		api_resource_wrote(res);
		if (results != NULL) {
			http_reply_json(rep, 201, results);
		} else {
			http_reply_header(rep, "Location", "/api/v1/%s/%lld", res->name, id);
			rc = api_resource_reply(rep, 201, &text, err);
		}
	}
	sbuf_free(&text);
	return rc;
}

int
api_resource_get(struct req *r, struct reply *rep, struct api_err *err)
{
	const struct resource *res;
	struct db *db;
	struct sbuf sb;

	if ((res = api_resource_of(r, err)) == NULL || (db = http_db(r, err)) == NULL)
		return -1;
	sbuf_init(&sb, 0);
	if (resource_text(db, res, r->id, &sb, err) == -1 ||
	    http_reply_etag(r, rep, &sb, "application/json", err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	return 0;
}

/* PUT, PATCH and DELETE: the domain compares If-Match inside its transaction. */
static int
api_resource_modify(struct req *r, struct reply *rep, enum resource_op op,
    struct api_err *err)
{
	const struct resource *res;
	struct sbuf text;
	struct db *db;
	int rc;

	if ((res = api_resource_of(r, err)) == NULL || (db = http_db(r, err)) == NULL)
		return -1;
	sbuf_init(&text, 0);
	rc = resource_modify(http_actor(r), db, res, r->id, op, r->json,
	    http_header(r, "If-Match"), &text, err);
	if (rc == 0) {
		api_resource_wrote(res);
		if (op == RESOURCE_DELETE)
			rep->status = 204;
		else
			rc = api_resource_reply(rep, 200, &text, err);
	}
	sbuf_free(&text);
	return rc;
}

int
api_resource_replace(struct req *r, struct reply *rep, struct api_err *err)
{
	return api_resource_modify(r, rep, RESOURCE_REPLACE, err);
}

int
api_resource_patch(struct req *r, struct reply *rep, struct api_err *err)
{
	return api_resource_modify(r, rep, RESOURCE_PATCH, err);
}

int
api_resource_delete(struct req *r, struct reply *rep, struct api_err *err)
{
	return api_resource_modify(r, rep, RESOURCE_DELETE, err);
}

/* Parses the query into l (which may already hold fixed conditions) and answers the page. */
static int
api_resource_page(struct req *r, struct reply *rep, struct listing *l, const char *base,
    struct api_err *err)
{
	struct sbuf page;
	struct db *db;

	if ((db = http_db(r, err)) == NULL || listing_parse(l, r, err) == -1)
		return -1;
	sbuf_init(&page, 0);
	if (listing_run(l, db, base, &page, err) == -1) {
		sbuf_free(&page);
		return -1;
	}
	return http_reply_text(rep, 200, "application/json", &page, err);
}

int
api_resource_list(struct req *r, struct reply *rep, struct api_err *err)
{
	const struct resource *res;
	struct listing l;
	char base[96];
	int rc;

	if ((res = api_resource_of(r, err)) == NULL)
		return -1;
	listing_init(&l, res);
	snprintf(base, sizeof(base), "/api/v1/%s", res->name);
	rc = api_resource_page(r, rep, &l, base, err);
	listing_free(&l);
	return rc;
}

int
api_resource_changes(struct req *r, struct reply *rep, struct api_err *err)
{
	const struct resource *res;
	struct listing l;
	char base[128];
	int rc;

	/* The object may be gone; its history is still there, so only the type is checked. */
	if ((res = api_resource_of(r, err)) == NULL)
		return -1;
	listing_init(&l, &res_changes);
	snprintf(base, sizeof(base), "/api/v1/%s/%lld/changes", res->name, r->id);
	listing_where(&l, "object_type = ?", json_string(res->object));
	listing_where(&l, "object_id = ?", json_integer(r->id));
	rc = api_resource_page(r, rep, &l, base, err);
	listing_free(&l);
	return rc;
}
