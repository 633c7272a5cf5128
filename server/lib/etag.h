/* ETags: a hash of the exact bytes a client receives, and the conditional requests on them
 * (If-None-Match on reads, If-Match on writes); http_reply_etag answers them. */
#ifndef NETSOT_ETAG_H
#define NETSOT_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#define ETAG_LEN 24

/* The quoted strong ETag of text. */
void etag_of(const char *text, size_t len, char buf[ETAG_LEN]);
/* Whether an If-Match / If-None-Match list names this ETag ("*" names any, W/ is ignored). */
bool etag_listed(const char *list, const char *etag);

#endif
