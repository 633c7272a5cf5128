/* ETags: a hash of the exact bytes a client receives, and the conditional requests on them
 * (If-None-Match on reads, If-Match on writes). */
#ifndef NETSOT_ETAG_H
#define NETSOT_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct sbuf;

#define ETAG_LEN 24

/* The quoted strong ETag of text. */
void etag_of(const char *text, size_t len, char buf[ETAG_LEN]);
/* Whether an If-Match / If-None-Match list names this ETag ("*" names any, W/ is ignored). */
bool etag_listed(const char *list, const char *etag);
/* Replies 200 with body (taken) and its ETag, or 304 when If-None-Match names it. */
int etag_reply(struct req *r, struct reply *rep, struct sbuf *body, const char *ctype,
    struct api_err *err);

#endif
