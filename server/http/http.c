#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "commit.h"
#include "config.h"
#include "db.h"
#include "deadline.h"
#include "etag.h"
#include "ipaddr.h"
#include "jsondump.h"
#include "jsonload.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "routes.h"
#include "session.h"
#include "tls.h"
#include "token.h"
#include "watch.h"

/* Request ids: a per-process random prefix and a counter, unique without a syscall. */
static char http_id_prefix[9];
static atomic_uint_fast64_t http_id_counter;

/* Login bodies hold a user name and a password (at most 1024 bytes, escaped). */
#define HTTP_SMALL_BODY 16384L
/* libmicrohttpd's own timeout counts from the last byte it read or wrote, also while a
 * request sits unread because the connection's thread is busy with another (an Argon2 login,
 * a write waiting for the database lock): at --timeout it would reset connections whose
 * clients were not slow at all. So --timeout is kept by deadline.c, which spares a connection
 * with unread bytes, and libmicrohttpd's timeout, this many times longer, only ends a body
 * upload or an answer that makes no progress at all. */
#define HTTP_STALL_FACTOR 4u
/* Query parameters one request may carry: a list's filters are the most. */
#define HTTP_QUERY_MAX 64
/* Each connection's libmicrohttpd memory pool: it holds the request line and headers (so a
 * longer request line is a 414, longer headers a 431) and the answer's headers. The library
 * zeroes the pool before each request on a kept-alive connection, which at its default 32 KB
 * was 40 % of the instructions of a GET of one object. */
#define HTTP_CONN_MEMORY 12288

static long
http_min(long a, long b)
{
	return a < b ? a : b;
}

/* The route's body cap for this caller: reads and deletes take none, whole plan files are for
 * admins (anyone else imports what one ordinary body holds). */
static long
http_body_cap(const struct req *r)
{
	const struct config *cfg = r->srv->cfg;

	if (r->route == NULL || !(routes_method(r->method) & (HTTP_POST | HTTP_PUT | HTTP_PATCH)))
		return 0;
	if (r->route->flags & ROUTE_SMALL_BODY)
		return http_min(cfg->max_body, HTTP_SMALL_BODY);
	if ((r->route->flags & ROUTE_PLAN_BODY) && r->who.role == ROLE_ADMIN)
		return cfg->max_import_body;
	if (r->route->flags & ROUTE_PLAN_BODY)
		return http_min(cfg->max_body, cfg->max_import_body);
	return cfg->max_body;
}

/* A client's own X-Request-Id is kept when it is short and plain, so its logs and ours share
 * one id; anything else gets one of ours. */
static bool
http_reqid_ok(const char *id)
{
	size_t n = id != NULL ? strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") : 0;

	return n > 0 && n <= HTTP_REQID_MAX && id[n] == '\0';
}

/* "<server prefix>-<counter in hex, 6 digits or more>" without snprintf. */
static void
http_reqid_new(char out[HTTP_REQID_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned long long v = atomic_fetch_add(&http_id_counter, 1);
	char tmp[16];
	size_t n = 0, k = strlen(http_id_prefix);

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v != 0 || n < 6);
	memcpy(out, http_id_prefix, k);
	out[k++] = '-';
	while (n > 0)
		out[k++] = tmp[--n];
	out[k] = '\0';
}

static struct req *
http_req_new(struct server *srv, struct MHD_Connection *conn, const char *method,
    const char *url)
{
	const union MHD_ConnectionInfo *ci;
	struct route_match m;
	struct ipaddr peer;
	const char *cid;
	struct api_err miss;
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->srv = srv;
	r->conn = conn;
	r->method = method;
	r->url = url;
	r->t0 = clock_usec();
	/* The route is known from the headers: it sets the body cap before a byte is read. */
	api_err_init(&miss);
	if ((r->route = routes_match(NULL, method, url, &m, &miss)) != NULL) {
		r->id = m.id;
		memcpy(r->param, m.param, sizeof(r->param));
		if (r->route->arg != NULL)
			snprintf(r->param, sizeof(r->param), "%s", r->route->arg);
	}
	api_err_free(&miss);
	/* No body is taken (r->cap 0) until the headers show one and its sender may send it. */
	sbuf_init(&r->body, 0);
	if (http_reqid_ok(cid = http_header(r, "X-Request-Id")))
		memcpy(r->reqid, cid, strlen(cid) + 1);
	else
		http_reqid_new(r->reqid);
	/* Formatted here, not by inet_ntop: it was a tenth of a small GET's own work. */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL &&
	    ipaddr_from_sockaddr(ci->client_addr, &peer) == 0)
		ipaddr_format(&peer, r->client, sizeof(r->client));
	return r;
}

static void
http_req_free(struct req *r)
{
	if (r == NULL)
		return;
	sbuf_free(&r->body);
	json_decref(r->json);
	if (r->held_free != NULL)
		r->held_free(r->held);
	if (r->resume != NULL)   /* deferred, and the connection closed before its answer */
		atomic_fetch_sub(&r->srv->deferred, 1);
	free(r);
}

void
http_reply_json(struct reply *rep, int status, json_t *json)
{
	json_decref(rep->json);
	rep->status = status;
	rep->json = json;
}

int
http_reply_text(struct reply *rep, int status, const char *ctype, struct sbuf *sb,
    struct api_err *err)
{
	rep->status = status;
	rep->ctype = ctype;
	rep->body = sbuf_take(sb, &rep->len);
	return rep->body != NULL ? 0 : api_err_set(err, 500, "out of memory");
}

void
http_reply_list(struct reply *rep, json_t *results)
{
	http_reply_json(rep, 200, json_pack("{s:I, s:n, s:n, s:o}", "count",
	    (json_int_t)json_array_size(results), "next", "previous", "results", results));
}

void
http_reply_header(struct reply *rep, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (rep->nhdr == REPLY_MAX_HEADERS)
		return;
	rep->hdr[rep->nhdr].name = name;
	va_start(ap, fmt);
	vsnprintf(rep->hdr[rep->nhdr].value, sizeof(rep->hdr[0].value), fmt, ap);
	va_end(ap);
	rep->nhdr++;
}

int
http_reply_etag(struct req *r, struct reply *rep, struct sbuf *body, const char *ctype,
    struct api_err *err)
{
	const char *inm = http_header(r, "If-None-Match");
	char etag[ETAG_LEN];

	if (sbuf_failed(body))
		return api_err_set(err, 500, "out of memory");
	etag_of(sbuf_str(body), body->len, etag);
	http_reply_header(rep, "ETag", "%s", etag);
	if (inm != NULL && etag_listed(inm, etag)) {
		sbuf_free(body);
		rep->status = 304;
		return 0;
	}
	return http_reply_text(rep, 200, ctype, body, err);
}

const char *
http_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct http_args {
	const char **keys, **values;
	int n, max;
};

static enum MHD_Result
http_collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct http_args *a = cls;

	(void)kind;
	if (a->n < a->max) {
		a->keys[a->n] = key;
		a->values[a->n] = value ? value : "";
	}
	a->n++;
	return MHD_YES;
}

int
http_query_all(struct req *r, const char **keys, const char **values, int max)
{
	struct http_args a = { keys, values, 0, max };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, http_collect, &a);
	return a.n;
}

const char *
http_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct db *
http_db(struct req *r, struct api_err *err)
{
	struct db *db = db_thread();

	if (db == NULL) {
		api_err_set(err, 503, "the database cannot be opened");
		return NULL;
	}
	/* A GET reads one snapshot for everything it reads, the caller's session included: its
	 * transaction begins at its first use of the database, so a GET that reads nothing (a
	 * cached session's /auth/me) costs no BEGIN and COMMIT. */
	if (r->snapshot && r->reading == NULL && db_read_begin(db) == 0)
		r->reading = db;
	return db;
}

void
http_reply_free(struct reply *rep)
{
	json_decref(rep->json);
	if (!rep->body_static)
		free(rep->body);
}

/* What a client may keep: an answer with an ETag may be kept and must be revalidated each
 * time (If-None-Match makes that a 304), and only by this client since it answered a token;
 * anything else is not kept at all. A handler's own Cache-Control (the web UI's) wins. */
static const char *
http_cache_control(const struct reply *rep)
{
	const char *etag = NULL;
	int i;

	for (i = 0; i < rep->nhdr; i++) {
		if (strcasecmp(rep->hdr[i].name, "Cache-Control") == 0)
			return rep->hdr[i].value;
		if (strcasecmp(rep->hdr[i].name, "ETag") == 0)
			etag = rep->hdr[i].value;
	}
	return etag != NULL ? "private, no-cache" : "no-store";
}

/* rep becomes the problem in err; its content type. */
static const char *
http_problem(struct req *r, struct reply *rep, const struct api_err *err)
{
	json_t *p = api_err_problem(err, r->url);

	http_reply_free(rep);
	memset(rep, 0, sizeof(*rep));
	rep->status = err->status;
	rep->json = p;
	if (err->allow[0] != '\0')
		http_reply_header(rep, "Allow", "%s", err->allow);
	if (err->retry_after > 0)
		http_reply_header(rep, "Retry-After", "%d", err->retry_after);
	if (err->status == 401)
		http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"netsot\"");
	return "application/problem+json";
}

/* v's JSON text (malloc'd), or NULL. */
static char *
http_dump(const json_t *v, size_t *len)
{
	struct sbuf text;
	char *body;

	sbuf_init(&text, 0);
	body = jsondump(&text, v) == 0 ? sbuf_take(&text, len) : NULL;
	sbuf_free(&text);
	return body;
}

/* Queues rep (or the problem in err when it holds one) and frees both. */
static enum MHD_Result
http_send(struct req *r, struct reply *rep, struct api_err *err)
{
	struct MHD_Response *resp = NULL;
	enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_MUST_FREE;
	const char *ctype = rep->ctype;
	enum MHD_Result ok;
	char *body = NULL;
	size_t len = 0;
	int i;

	if (err->status != 0)
		ctype = http_problem(r, rep, err);
	if (rep->json != NULL && (body = http_dump(rep->json, &len)) == NULL && err->status == 0) {
		/* Never an empty success: a value that cannot be written (no memory) is a 500. */
		api_err_set(err, 500, "the answer could not be written");
		ctype = http_problem(r, rep, err);
		body = http_dump(rep->json, &len);
	}
	if (rep->json != NULL) {
		if (ctype == NULL)
			ctype = "application/json";
	} else if (rep->body != NULL) {
		body = rep->body;
		len = rep->len;
		mode = rep->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE;
		rep->body = NULL;
	}
	if (rep->status == 0)
		rep->status = body ? 200 : 204;
	resp = MHD_create_response_from_buffer(len, body, body ? mode : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		http_reply_free(rep);
		return MHD_NO;
	}
	if (ctype != NULL && body != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, "X-Request-Id", r->reqid);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (i = 0; i < rep->nhdr; i++)
		if (strcasecmp(rep->hdr[i].name, "Cache-Control") != 0)
			MHD_add_response_header(resp, rep->hdr[i].name, rep->hdr[i].value);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, http_cache_control(rep));
	r->status = rep->status;
	r->bytes = len;
	ok = MHD_queue_response(r->conn, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	http_reply_free(rep);
	return ok;
}

static bool
http_is_json(const char *ctype)
{
	size_t n;

	if (ctype == NULL)
		return false;
	n = strcspn(ctype, "; \t");
	/* application/json, or any application/<x>+json such as merge-patch+json. */
	if (n == 16 && strncasecmp(ctype, "application/json", 16) == 0)
		return true;
	return n > 17 && strncasecmp(ctype, "application/", 12) == 0 &&
	    strncasecmp(ctype + n - 5, "+json", 5) == 0;
}

/* Content type and JSON parsing for writes; a write may also carry no body at all. */
static int
http_parse_body(struct req *r, struct api_err *err)
{
	json_error_t jerr;

	if (r->body.len == 0)
		return 0;
	if (!http_is_json(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return api_err_set(err, 415, "the body must be application/json");
	r->json = jsonload(sbuf_str(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->json == NULL)
		return api_err_set(err, 400, "malformed JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
	return 0;
}

static int
http_too_large(const struct req *r, struct api_err *err)
{
	if (r->cap == 0)
		return api_err_set(err, 413, "this request takes no body");
	return api_err_set(err, 413, "the body is larger than %ld bytes", r->cap);
}

/* Answers with the problem in err alone, no handler run. */
static enum MHD_Result
http_refuse(struct req *r, struct api_err *err)
{
	struct reply rep;

	memset(&rep, 0, sizeof(rep));
	return http_send(r, &rep, err);
}

/* The caller's token and role for a protected route. */
static int
http_authorize(struct req *r, struct api_err *err)
{
	if (r->route->role == ROLE_NONE || r->authorized)
		return 0;
	if ((r->route->flags & ROUTE_ADDR_ALLOW) && metrics_allowed(r->client)) {
		r->authorized = true;
		return 0;
	}
	if (session_authenticate(r, err) == -1)
		return -1;
	if (r->who.role < r->route->role)
		return api_err_set(err, 403, "this needs the %s role; you are %s",
		    auth_role_name(r->route->role), auth_role_name(r->who.role));
	r->authorized = true;
	return 0;
}

static enum MHD_Result
http_count_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct http_args *a = cls;

	(void)kind;
	(void)value;
	a->n += strcasecmp(key, a->keys[0]) == 0;
	return MHD_YES;
}

/* How many times a request header is given. */
static int
http_header_count(struct req *r, const char *name)
{
	const char *keys[1] = { name };
	struct http_args a = { keys, NULL, 0, 0 };

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, http_count_value, &a);
	return a.n;
}

int
http_int(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= min && *out <= max ? 0 : -1;
}

int
http_bool(const char *s, bool *out)
{
	*out = strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
	return *out || strcmp(s, "false") == 0 || strcmp(s, "0") == 0 ? 0 : -1;
}

/* One value of a declared parameter against its type. */
static int
http_param_check(const struct qparam *p, const char *v, struct api_err *err)
{
	long long n;
	bool b;
	size_t i;

	switch (p->type) {
	case Q_INT:
		if (http_int(v, p->min, p->max, &n) == -1)
			return api_err_field(err, p->name, "must be an integer from %lld to %lld",
			    p->min, p->max);
		return 0;
	case Q_BOOL:
		if (http_bool(v, &b) == -1)
			return api_err_field(err, p->name, "must be true or false");
		return 0;
	case Q_ENUM:
		for (i = 0; p->values[i] != NULL; i++)
			if (strcmp(v, p->values[i]) == 0)
				return 0;
		return api_err_field(err, p->name, "'%s' is not one of the allowed values", v);
	case Q_TEXT:
		return 0;
	}
	return 0;
}

/* Whether the render target named target takes key; an unknown target takes anything here,
 * since render_prepare answers it with 404. */
static bool
http_target_takes(const char *target, const char *key)
{
	const struct render_target *t;
	const struct render_param *p;

	for (t = render_targets; t->name != NULL; t++)
		if (strcmp(t->name, target) == 0)
			break;
	for (p = t->params; t->name != NULL && p->name != NULL; p++)
		if (strcmp(p->name, key) == 0)
			return true;
	return t->name == NULL;
}

/* What a query parameter is to the route: declared here, a filter of the list's resource
 * (ROUTE_LIST: listing_parse checks its value), a parameter of the render target (ROUTE_TARGET:
 * render_prepare checks its value), or unknown. Repeats mean OR only where a list's filters
 * take them: anywhere else a repeat would silently mean its first value. */
int
http_check_args(const struct route *route, const char *param, const char *const *keys,
    const char *const *values, int n, struct api_err *err)
{
	const struct qparam *p;
	bool deferred;
	int i, j;

	if (n > HTTP_QUERY_MAX)
		return api_err_set(err, 400, "more than %d query parameters", HTTP_QUERY_MAX);
	for (i = 0; i < n; i++) {
		json_t *jk = json_string(keys[i]), *jv = json_string(values[i]);

		/* Values end up in JSON (links, binds, problems): only UTF-8 goes on. */
		json_decref(jk);
		json_decref(jv);
		if (jk == NULL || jv == NULL)
			return api_err_set(err, 400, "query parameters must be UTF-8");
	}
	for (i = 0; i < n; i++) {
		p = routes_param(route, keys[i]);
		deferred = p == NULL && ((route->flags & ROUTE_LIST) ||
		    ((route->flags & ROUTE_TARGET) && http_target_takes(param, keys[i])));
		if (p == NULL && !deferred) {
			api_err_set(err, 400, "unknown query parameter '%s'", keys[i]);
			return api_err_field(err, keys[i], "unknown query parameter");
		}
		for (j = 0; j < i; j++) {
			if (strcmp(keys[i], keys[j]) != 0 ||
			    (p == NULL ? route->flags & ROUTE_LIST : p->flags & Q_REPEAT))
				continue;
			api_err_set(err, 400, "a query parameter is given more than once");
			return api_err_field(err, keys[i], "is given more than once");
		}
		if (p != NULL && http_param_check(p, values[i], err) == -1) {
			err->status = 400;
			snprintf(err->detail, sizeof(err->detail), "bad query parameter '%s'",
			    keys[i]);
			return -1;
		}
	}
	return 0;
}

static int
http_check_query(struct req *r, struct api_err *err)
{
	const char *keys[HTTP_QUERY_MAX], *values[HTTP_QUERY_MAX];
	int n = http_query_all(r, keys, values, HTTP_QUERY_MAX);

	return http_check_args(r->route, r->param, keys, values, n, err);
}

long long
http_query_int(struct req *r, const char *name, long long def)
{
	const char *v = http_query(r, name);
	long long n;

	return v != NULL && http_int(v, LLONG_MIN, LLONG_MAX, &n) == 0 ? n : def;
}

bool
http_query_bool(struct req *r, const char *name)
{
	const char *v = http_query(r, name);
	bool b;

	return v != NULL && http_bool(v, &b) == 0 && b;
}

void
http_defer(struct req *r, void *held, void (*held_free)(void *held), http_handler resume)
{
	MHD_suspend_connection(r->conn);
	r->held = held;
	r->held_free = held_free;
	r->resume = resume;
	r->deferring = true;
	atomic_fetch_add(&r->srv->deferred, 1);
}

void
http_wake(struct req *r)
{
	MHD_resume_connection(r->conn);
}

static enum MHD_Result
http_dispatch(struct req *r)
{
	struct route_match m = { 0, "" };
	struct reply rep;
	struct api_err err;
	unsigned method;
	enum MHD_Result ok;

	memset(&rep, 0, sizeof(rep));
	api_err_init(&err);
	if (r->resume != NULL) {
		/* Resumed after http_defer: checked and authorized the first time round. */
		r->resume(r, &rep, &err);
		r->resume = NULL;
		atomic_fetch_sub(&r->srv->deferred, 1);
		goto out;
	}
	if (r->too_large) {
		http_too_large(r, &err);
		goto out;
	}
	if (r->route == NULL) {
		/* Matched again only to say why: 404, or 405 with Allow. */
		routes_match(NULL, r->method, r->url, &m, &err);
		goto out;
	}
	r->snapshot = routes_method(r->method) == HTTP_GET;   /* begun by http_db */
	if (http_authorize(r, &err) == -1 || http_check_query(r, &err) == -1)
		goto out;
	method = routes_method(r->method);
	if ((method & (HTTP_POST | HTTP_PUT | HTTP_PATCH)) && http_parse_body(r, &err) == -1)
		goto out;
	r->route->fn(r, &rep, &err);
out:
	if (r->reading != NULL)
		db_read_end(r->reading);
	r->reading = NULL;
	r->snapshot = false;
	/* A deferred answer comes once resumed; a held render when the watcher resumes it
	 * (this runs again then). */
	if (r->deferring || (err.status == 0 && watch_hold(r))) {
		r->deferring = false;
		http_reply_free(&rep);
		api_err_free(&err);
		return MHD_YES;
	}
	ok = http_send(r, &rep, &err);
	api_err_free(&err);
	return ok;
}

/* The headers announce a body: decide before reading a byte of it. A refusal is queued at
 * once, which closes the connection: right for an upload that will not be read. */
static enum MHD_Result
http_body_start(struct req *r)
{
	const char *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	struct route_match m = { 0, "" };
	unsigned long long len = 0;
	struct api_err err;
	enum MHD_Result ok;

	if (cl != NULL && te == NULL && (len = strtoull(cl, NULL, 10)) == 0)
		return MHD_YES;
	if (cl == NULL && te == NULL)
		return MHD_YES;
	api_err_init(&err);
	/* Behind a proxy that reads the other one, both are a request-smuggling primitive. */
	if (cl != NULL && te != NULL)
		api_err_set(&err, 400, "Content-Length and Transfer-Encoding together");
	else if (te != NULL && strcasecmp(te, "chunked") != 0)
		api_err_set(&err, 400, "Transfer-Encoding must be chunked");
	else if (http_header_count(r, cl != NULL ? MHD_HTTP_HEADER_CONTENT_LENGTH :
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) > 1)
		api_err_set(&err, 400, "a repeated Content-Length or Transfer-Encoding");
	else if (r->route == NULL)
		routes_match(NULL, r->method, r->url, &m, &err);
	else if (http_authorize(r, &err) == 0) {
		r->cap = http_body_cap(r);
		if (cl == NULL || len <= (unsigned long long)r->cap) {
			sbuf_init(&r->body, (size_t)r->cap);
			return MHD_YES;
		}
		http_too_large(r, &err);
	}
	ok = http_refuse(r, &err);
	api_err_free(&err);
	return ok;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct req *r = *con_cls;
	size_t n;

	(void)version;
	if (r == NULL) {
		/* Headers only: answering a request without a body now would force
		 * Connection: close, so only a refused body is answered here. */
		deadline_busy(conn);
		if ((r = http_req_new(srv, conn, method, url)) == NULL)
			return MHD_NO;
		*con_cls = r;
		return http_body_start(r);
	}
	if ((n = *upload_data_size) != 0) {
		/* Chunked uploads have no length up front: drain, remember, answer at the end.
		 * A refused request's body is dropped unread. */
		*upload_data_size = 0;
		if (r->status == 0 && !r->too_large && (n > (size_t)r->cap - r->body.len ||
		    sbuf_append(&r->body, upload_data, n) == -1))
			r->too_large = true;
		return MHD_YES;
	}
	if (r->status != 0)
		return MHD_YES;
	return http_dispatch(r);
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	uint64_t usec;

	(void)cls;
	(void)toe;
	deadline_idle(conn);
	if (r == NULL)
		return;
	usec = clock_usec() - r->t0;
	if (r->status != 0)
		metrics_request(r->route, r->status, usec);
	log_access(&(struct log_access){ .reqid = r->reqid, .client = r->client,
	    .user = r->who.name, .method = r->method, .route = r->route ? r->route->pattern : NULL,
	    .path = r->url, .status = r->status, .usec = usec, .bytes = r->bytes });
	watch_forget(r);
	http_req_free(r);
	*con_cls = NULL;
}

/* libmicrohttpd's printf-style messages (the attribute lets clang check the vsnprintf). */
static void __attribute__((format(printf, 2, 0)))
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_msg("http: %s", line);
}

static int
http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
http_unescape_text(char *s)
{
	char *w = s, *r = s;
	int hi, lo;

	for (; *r != '\0'; r++) {
		if (r[0] == '%' && (hi = http_hex(r[1])) >= 0 && (lo = http_hex(r[2])) >= 0 &&
		    (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* libmicrohttpd's hook for the URL's path and query values. */
static size_t
http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return http_unescape_text(s);
}

/* "127.0.0.1:8080", "[::1]:8080" or "0.0.0.0:0". */
static int
http_parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		return -1;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		*v6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		*v6 = true;
		return 0;
	}
	return -1;
}

static uint16_t
http_listen_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
	    ((const struct sockaddr_in *)ss)->sin_port);
}

int
http_start(struct server *srv, char *err, size_t errlen)
{
	struct MHD_OptionItem tls_opts[TLS_OPTS];
	const union MHD_DaemonInfo *di;
	struct sockaddr_storage ss;
	unsigned char rnd[4];
	unsigned flags;
	bool v6;

	/* API tokens are signed by the domain (res_tokens.c) with the server's key. */
	token_use_key(srv->key);
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(http_id_prefix, sizeof(http_id_prefix), "%02x%02x%02x%02x", rnd[0], rnd[1],
	    rnd[2], rnd[3]);
	if (http_parse_listen(srv->cfg->listen, &ss, &v6) == -1) {
		snprintf(err, errlen, "--listen: '%s' is not ADDR:PORT", srv->cfg->listen);
		return -1;
	}
	if (metrics_init(srv->cfg->metrics_allow, err, errlen) == -1 ||
	    tls_load(srv, tls_opts, err, errlen) == -1)
		return -1;
	/* --timeout: the time a request's headers have to arrive, idle or slow (deadline.c). */
	if (deadline_start((uint64_t)srv->cfg->timeout * 1000000u) == -1) {
		snprintf(err, errlen, "cannot start the header deadline thread");
		return -1;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0) |
	    (srv->tls_cert ? MHD_USE_TLS : 0);
	if ((srv->watch = watch_start()) == NULL) {
		snprintf(err, errlen, "cannot start the watcher thread");
		deadline_stop();
		return -1;
	}
	/* Allocations wait for their group commit on this thread, not on the server's. */
	if (commit_start() == -1) {
		snprintf(err, errlen, "cannot start the committer thread");
		deadline_stop();
		watch_stop(srv->watch);
		watch_free(srv->watch);
		srv->watch = NULL;
		return -1;
	}
	/* The port is given too, though the address holds it: libmicrohttpd names it in its
	 * errors ("Failed to bind to port 8080"). */
	srv->daemon = MHD_start_daemon(flags, http_listen_port(&ss), NULL, NULL, http_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg->threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg->timeout * HTTP_STALL_FACTOR,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg->max_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, deadline_notify, srv,
	    MHD_OPTION_ARRAY, tls_opts,
	    MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s%s", srv->cfg->listen, srv->tls_cert ?
		    " with TLS (see the line above; do the certificate and key match?)" : "");
		deadline_stop();
		commit_stop();
		watch_stop(srv->watch);
		watch_free(srv->watch);
		srv->watch = NULL;
		return -1;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	return 0;
}

void
http_stop(struct server *srv)
{
	int i;

	/* Held requests are resumed first: libmicrohttpd must not stop with one suspended. The
	 * allocations queued are committed and answered; a later one is refused (503). */
	watch_stop(srv->watch);
	commit_stop();
	/* The allocations just committed are answered before the connections close: their
	 * clients learn that their writes are kept (2 s at most, for a client that reads
	 * nothing). */
	for (i = 0; i < 200 && atomic_load(&srv->deferred) > 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
	if (srv->daemon != NULL)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	watch_free(srv->watch);
	srv->watch = NULL;
	tls_free(srv);
	deadline_stop();
}
