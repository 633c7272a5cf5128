/* Held renders: GET /api/v1/render/{name}?wait=SECONDS with If-None-Match naming the current
 * ETag is suspended in libmicrohttpd (no thread, no database connection of its own) until one
 * watcher thread sees that render's ETag move or the time run out, then resumed to answer. */
#ifndef NETSOT_WATCH_H
#define NETSOT_WATCH_H

#include <stdbool.h>

struct api_err;
struct req;
struct watch;

/* The most requests held at once: a quarter of the connection limit (1000) stays free for
 * everything else. One more is refused with 503 and Retry-After. */
#define WATCH_MAX 750
/* The longest wait a request may ask for, in seconds. */
#define WATCH_MAX_SECONDS 300
/* How often the database's change counter is read, for writes by another process (the
 * server's own writes wake the watcher at once). */
#define WATCH_POLL_MS 200

/* Starts the watcher thread and hooks the server's writes; NULL when it cannot. */
struct watch *watch_start(void);
/* Resumes every held request (each answers at once) and stops the thread; from then on no
 * request is held. Call before the daemon stops. */
void watch_stop(struct watch *w);
/* After the daemon stopped: unhooks the writes and frees w (NULL is fine). */
void watch_free(struct watch *w);

/* From the render handler, whose reply is the 304 for etag: asks to hold r until the render
 * (target and its parameters) has another ETag, at most wait seconds after r first asked.
 * 0 (the reply stands, held or not), or -1 with a 503 in err when WATCH_MAX are held. */
int watch_want(struct req *r, const char *target, int n, const char *const *keys,
    const char *const *values, const char *etag, long long wait, struct api_err *err);
/* From http_dispatch after the handler: suspends r when watch_want asked to hold it (true:
 * send nothing now), false to answer at once. */
bool watch_hold(struct req *r);
/* When r's connection is done: frees what watch_want kept. */
void watch_forget(struct req *r);

#endif
