/* libmicrohttpd glue: request contexts, body accumulation with a cap, route dispatch,
 * authentication before any handler, and the only place that writes responses. */
#ifndef NETSOT_HTTP_H
#define NETSOT_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "apierr.h"
#include "auth.h"
#include "sbuf.h"

struct config;
struct db;
struct reply;
struct req;
struct route;
struct watch;
struct watch_wait;

struct server {
	const struct config *cfg;
	unsigned char key[AUTH_KEY_LEN];
	struct ratelimit *login_users;   /* failed logins per user name */
	struct ratelimit *login_addrs;   /* and per client address */
	struct MHD_Daemon *daemon;
	uint16_t port;
	struct watch *watch;             /* held renders (watch.c) */
	_Atomic int deferred;            /* requests deferred and not answered yet (http_defer) */
	char *tls_cert, *tls_key;        /* PEM read from --tls-cert and --tls-key, or NULL */
};

/* The longest X-Request-Id taken from a client. */
#define HTTP_REQID_MAX 64

/* Who is calling: filled by session_authenticate() for routes that need a role. */
struct principal {
	char name[AUTH_NAME_MAX + 1];
	enum role role;
	enum token_kind kind;
	long long exp;
};

typedef int (*http_handler)(struct req *r, struct reply *rep, struct api_err *err);

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	const struct route *route;
	long long id;              /* the {id} path parameter */
	char param[128];           /* the {name} path parameter */
	struct sbuf body;
	long cap;                  /* the body this caller may send to this route */
	bool too_large;
	bool authorized;           /* token and role checked (before the body, when it has one) */
	json_t *json;              /* parsed body of a write, or NULL when it had none */
	struct principal who;
	char reqid[HTTP_REQID_MAX + 1];
	char client[64];
	uint64_t t0;
	int status;                /* what was answered, for the access log */
	size_t bytes;              /* and the body's size */
	bool snapshot;             /* a GET: http_db begins a read transaction */
	struct db *reading;        /* the read transaction of a GET, ended after the handler */
	struct actor actor;        /* who as the domain sees it: see http_actor() */
	struct watch_wait *wait;   /* a held render's state (watch.c), or NULL */
	/* A deferred answer (http_defer): its handler's state, and what answers once resumed. */
	void *held;
	void (*held_free)(void *held);
	http_handler resume;
	bool deferring;            /* suspended in this round: nothing is sent now */
};

#define REPLY_MAX_HEADERS 8

struct reply {
	int status;
	const char *ctype;
	json_t *json;              /* serialised when set, owned */
	char *body;                /* or raw bytes, owned (free) unless body_static */
	size_t len;
	bool body_static;
	int nhdr;
	struct {
		const char *name;
		char value[256];
	} hdr[REPLY_MAX_HEADERS];
};

int http_start(struct server *srv, char *err, size_t errlen);
void http_stop(struct server *srv);

/* Reply helpers for handlers. */
/* Frees what rep owns (its JSON, its body unless static); rep itself is the caller's. */
void http_reply_free(struct reply *rep);
void http_reply_json(struct reply *rep, int status, json_t *json);
/* rep answers status with sb's text as its body (sb is left empty); 500 when sb failed. */
int http_reply_text(struct reply *rep, int status, const char *ctype, struct sbuf *sb,
    struct api_err *err);
/* A whole list as {"count","next","previous","results"}; takes results. */
void http_reply_list(struct reply *rep, json_t *results);
void http_reply_header(struct reply *rep, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Replies 200 with body (taken) and its ETag, or 304 when If-None-Match names it. */
int http_reply_etag(struct req *r, struct reply *rep, struct sbuf *body, const char *ctype,
    struct api_err *err);
const char *http_query(struct req *r, const char *name);
/* Every query parameter in order, at most max of them; returns how many there are (more than
 * max when they did not fit). */
int http_query_all(struct req *r, const char **keys, const char **values, int max);
/* The generic parsers of query values: 0, or -1 when s is not one. Booleans are true/false
 * (or 1/0). */
int http_int(const char *s, long long min, long long max, long long *out);
int http_bool(const char *s, bool *out);
/* The query parameters keys[i]=values[i] (n of them, n past HTTP_QUERY_MAX when more were
 * given) checked for route (param: its {name}) before any handler runs: UTF-8, known to the
 * route, repeated only where that means OR, declared values of the declared type; 400 in err
 * otherwise. Takes plain strings, so a fuzzer can call it without a connection. */
int http_check_args(const struct route *route, const char *param, const char *const *keys,
    const char *const *values, int n, struct api_err *err);
/* %XX decoded in place (the URL's path and query values), as libmicrohttpd's own
 * MHD_http_unescape does, but for %00: a NUL would end the C string early, so
 * "/web/index.html%00.js" would be served as /web/index.html and "?name=a%00b" filter by "a".
 * It stays the three characters it was, which match no route, file or stored value. A bad
 * escape stays as written too. Returns the decoded length. */
size_t http_unescape_text(char *s);
/* A declared parameter's value (checked before the handler ran), or def when absent. */
long long http_query_int(struct req *r, const char *name, long long def);
bool http_query_bool(struct req *r, const char *name);
const char *http_header(struct req *r, const char *name);
/* Answers later: the handler returns 0 without a reply, the connection is suspended (no
 * thread waits for it), and once something calls http_wake(r), from any thread, resume runs
 * on a server thread to answer. held is the handler's state, which resume reads and which
 * r owns from now on (held_free frees it with r, answered or not). Suspend first, then hand
 * the work over: a wake may come before the handler returns. */
void http_defer(struct req *r, void *held, void (*held_free)(void *held),
    http_handler resume);
void http_wake(struct req *r);
/* The calling thread's database connection, or a 500 in err. */
struct db *http_db(struct req *r, struct api_err *err);

/* The caller as the domain sees it (borrowing r's principal and request id). */
static inline const struct actor *
http_actor(struct req *r)
{
	r->actor = (struct actor){ .name = r->who.name, .role = r->who.role,
	    .request_id = r->reqid, .api_token = r->who.kind == TOKEN_API };
	return &r->actor;
}

#endif
