/* Failed-login limiter: a fixed-size table of failure counters per key ("u:NAME|ADDR",
 * "a:ADDR"). After max failures in a window that starts at the first one, the key waits until
 * the window ends: a slowdown with an end. Memory stays bounded whatever an attacker sends; an
 * expired or weakest entry is reused. */
#ifndef NETSOT_RATELIMIT_H
#define NETSOT_RATELIMIT_H

#include <time.h>

/* The longest key kept whole: "u:" + a 64-byte name + "|" + a 63-byte address fits. */
#define RATELIMIT_KEY_MAX 159

struct ratelimit;

struct ratelimit *ratelimit_new(int max_failures, int window_seconds);
void ratelimit_free(struct ratelimit *rl);
/* Seconds until the key may try again; 0 when it may try now. */
int ratelimit_wait(struct ratelimit *rl, const char *key, time_t now);
void ratelimit_fail(struct ratelimit *rl, const char *key, time_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);
/* How many keys starting with prefix are waiting now (an admin's view of one user). */
int ratelimit_count_prefix(struct ratelimit *rl, const char *prefix, time_t now);
/* Forgets every key starting with prefix (an admin's unlock); returns how many. */
int ratelimit_clear_prefix(struct ratelimit *rl, const char *prefix);

#endif
