#include "ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_SLOTS 8192
#define RATELIMIT_PROBE 16
#define RATELIMIT_KEY (RATELIMIT_KEY_MAX + 1)

struct ratelimit_entry {
	char key[RATELIMIT_KEY];
	time_t start;        /* start of the current window */
	int failures;
};

struct ratelimit {
	pthread_mutex_t lock;
	int max_failures;
	int window;
	unsigned char hashkey[crypto_shorthash_KEYBYTES];
	struct ratelimit_entry slots[RATELIMIT_SLOTS];
};

struct ratelimit *
ratelimit_new(int max_failures, int window_seconds)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->max_failures = max_failures;
	rl->window = window_seconds;
	randombytes_buf(rl->hashkey, sizeof(rl->hashkey));
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

/* Keyed (SipHash, a random key per process), so nobody can pick names that share a slot. */
static uint64_t
ratelimit_hash(const struct ratelimit *rl, const char *key)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)key, strlen(key), rl->hashkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* The entry for key, or NULL. With create, a slot is claimed: an empty or expired one if the
 * probe finds it, else the one with the fewest failures, but never one that is locked out: an
 * attacker spraying names must not free a victim's counter. When every probed slot is locked,
 * the new key goes untracked (the per-address limit still holds). Called with the lock held. */
static struct ratelimit_entry *
ratelimit_find(struct ratelimit *rl, const char *key, time_t now, int create)
{
	struct ratelimit_entry *e, *victim = NULL;
	uint64_t h = ratelimit_hash(rl, key);
	int i, score, best = 0;

	for (i = 0; i < RATELIMIT_PROBE; i++) {
		e = &rl->slots[(h + (uint64_t)i) % RATELIMIT_SLOTS];
		if (e->key[0] != '\0' && strncmp(e->key, key, RATELIMIT_KEY - 1) == 0)
			return e;
		if (e->key[0] == '\0' || now - e->start >= rl->window)
			score = -1;
		else if (e->failures >= rl->max_failures)
			continue;
		else
			score = e->failures;
		if (victim == NULL || score < best) {
			victim = e;
			best = score;
		}
	}
	if (!create || victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	strncpy(victim->key, key, RATELIMIT_KEY - 1);
	victim->start = now;
	return victim;
}

int
ratelimit_wait(struct ratelimit *rl, const char *key, time_t now)
{
	struct ratelimit_entry *e;
	int wait = 0;

	pthread_mutex_lock(&rl->lock);
	e = ratelimit_find(rl, key, now, 0);
	if (e != NULL && e->failures >= rl->max_failures && now - e->start < rl->window)
		wait = (int)(e->start + rl->window - now);
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

void
ratelimit_fail(struct ratelimit *rl, const char *key, time_t now)
{
	struct ratelimit_entry *e;

	pthread_mutex_lock(&rl->lock);
	if ((e = ratelimit_find(rl, key, now, 1)) == NULL) {
		pthread_mutex_unlock(&rl->lock);
		return;
	}
	if (now - e->start >= rl->window) {
		e->start = now;
		e->failures = 0;
	}
	e->failures++;
	pthread_mutex_unlock(&rl->lock);
}

void
ratelimit_clear(struct ratelimit *rl, const char *key)
{
	struct ratelimit_entry *e;

	pthread_mutex_lock(&rl->lock);
	if ((e = ratelimit_find(rl, key, 0, 0)) != NULL)
		memset(e, 0, sizeof(*e));
	pthread_mutex_unlock(&rl->lock);
}

int
ratelimit_count_prefix(struct ratelimit *rl, const char *prefix, time_t now)
{
	size_t len = strlen(prefix);
	int i, n = 0;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_entry *e = &rl->slots[i];

		if (e->key[0] != '\0' && strncmp(e->key, prefix, len) == 0 &&
		    e->failures >= rl->max_failures && now - e->start < rl->window)
			n++;
	}
	pthread_mutex_unlock(&rl->lock);
	return n;
}

int
ratelimit_clear_prefix(struct ratelimit *rl, const char *prefix)
{
	size_t len = strlen(prefix);
	int i, n = 0;

	/* A scan of the whole table: rare (an admin's request) and bounded. */
	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_entry *e = &rl->slots[i];

		if (e->key[0] != '\0' && strncmp(e->key, prefix, len) == 0) {
			memset(e, 0, sizeof(*e));
			n++;
		}
	}
	pthread_mutex_unlock(&rl->lock);
	return n;
}
