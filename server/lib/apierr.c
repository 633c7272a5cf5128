#include "apierr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *title;
} api_err_titles[] = {
	{ .status = 400, .title = "Bad Request" },
	{ .status = 401, .title = "Unauthorized" },
	{ .status = 403, .title = "Forbidden" },
	{ .status = 404, .title = "Not Found" },
	{ .status = 405, .title = "Method Not Allowed" },
	{ .status = 409, .title = "Conflict" },
	{ .status = 412, .title = "Precondition Failed" },
	{ .status = 413, .title = "Content Too Large" },
	{ .status = 415, .title = "Unsupported Media Type" },
	{ .status = 422, .title = "Unprocessable Content" },
	{ .status = 428, .title = "Precondition Required" },
	{ .status = 429, .title = "Too Many Requests" },
	{ .status = 500, .title = "Internal Server Error" },
	{ .status = 503, .title = "Service Unavailable" },
};

void
api_err_init(struct api_err *e)
{
	memset(e, 0, sizeof(*e));
}

void
api_err_free(struct api_err *e)
{
	if (e == NULL)
		return;
	json_decref(e->errors);
	api_err_init(e);
}

void
api_err_move(struct api_err *dst, struct api_err *src)
{
	api_err_free(dst);
	*dst = *src;
	api_err_init(src);
}

int
api_err_set(struct api_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (e->status != 0)
		return -1;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return -1;
}

int
api_err_field(struct api_err *e, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (e->status == 0) {
		e->status = 422;
		snprintf(e->detail, sizeof(e->detail), "the request breaks a rule");
	}
	if (e->errors == NULL && (e->errors = json_object()) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The first message for a field is the one worth reading. */
	if (json_object_get(e->errors, field) == NULL)
		json_object_set_new(e->errors, field, json_string(msg));
	return -1;
}

const char *
api_err_title(int status)
{
	size_t i;

	for (i = 0; i < sizeof(api_err_titles) / sizeof(api_err_titles[0]); i++)
		if (api_err_titles[i].status == status)
			return api_err_titles[i].title;
	return "Error";
}

json_t *
api_err_problem(const struct api_err *e, const char *instance)
{
	int status = e->status ? e->status : 500;
	json_t *p, *detail;

	p = json_pack("{s:s, s:s, s:i}", "type", "about:blank", "title", api_err_title(status),
	    "status", status);
	if (p == NULL)
		return NULL;
	/* A detail quoting bad input may not be UTF-8; the title still says what happened. */
	detail = json_string(e->detail[0] ? e->detail : api_err_title(status));
	json_object_set_new(p, "detail", detail ? detail : json_string(api_err_title(status)));
	if (instance != NULL && (detail = json_string(instance)) != NULL)
		json_object_set_new(p, "instance", detail);
	if (e->errors != NULL)
		json_object_set(p, "errors", e->errors);
	return p;
}
