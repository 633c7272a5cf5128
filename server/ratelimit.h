/* Failed-login limiter: a fixed-size table of failure counters per key ("u:NAME", "a:ADDR").
 * Memory stays bounded whatever an attacker sends; an expired or weakest entry is reused. */
#ifndef NETSOT_RATELIMIT_H
#define NETSOT_RATELIMIT_H

#include <time.h>

struct ratelimit;

struct ratelimit *ratelimit_new(int max_failures, int window_seconds);
void ratelimit_free(struct ratelimit *rl);
/* Seconds until the key may try again; 0 when it may try now. */
int ratelimit_wait(struct ratelimit *rl, const char *key, time_t now);
void ratelimit_fail(struct ratelimit *rl, const char *key, time_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
