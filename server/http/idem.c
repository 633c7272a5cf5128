#include "idem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "xmalloc.h"

static const char *
idem_key(struct req *r)
{
	return http_header(r, "Idempotency-Key");
}

static void
idem_route(struct req *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", r->method, r->url);
}

/* The body as one canonical text (keys sorted, compact), hashed: the same JSON sent again
 * with its keys in another order or other spacing is the same request. */
static void
idem_hash(struct req *r, char out[IDEM_HASH_LEN * 2 + 1])
{
	unsigned char h[IDEM_HASH_LEN];
	char *text = NULL;

	if (r->json != NULL)
		text = json_dumps(r->json, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	crypto_generichash(h, sizeof(h), (const unsigned char *)(text ? text : ""),
	    text ? strlen(text) : 0, NULL, 0);
	free(text);
	sodium_bin2hex(out, IDEM_HASH_LEN * 2 + 1, h, sizeof(h));
}

/* The oldest created_at still remembered: keys live for --idempotency-ttl seconds. */
static void
idem_cutoff(struct req *r, char cutoff[CLOCK_RFC3339_LEN])
{
	clock_rfc3339(clock_now() - (time_t)r->srv->cfg->idempotency_ttl, cutoff);
}

/* Forgets the expired keys, so the table holds no more than one lifetime of keyed writes and
 * an expired key can be stored again. Done in the transaction that stores a key (a replay
 * rolls back): an index on created_at makes it a short range delete. */
static int
idem_expire(struct req *r, struct db *db, struct api_err *err)
{
	static const char sql[] = "DELETE FROM idempotency_keys WHERE created_at < ?";
	char cutoff[CLOCK_RFC3339_LEN];
	sqlite3_stmt *st;
	int rc;

	idem_cutoff(r, cutoff);
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "expiring idempotency keys");
	sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "expiring idempotency keys");
}

int
idem_replay(struct req *r, struct db *db, struct reply *rep, struct api_err *err)
{
	static const char sql[] = "SELECT route, status, body, body_hash FROM idempotency_keys "
	    "WHERE username = ? AND key = ? AND created_at >= ?";
	const char *key = idem_key(r), *stored;
	char route[600], hash[IDEM_HASH_LEN * 2 + 1], cutoff[CLOCK_RFC3339_LEN];
	sqlite3_stmt *st;
	json_t *body = NULL;
	int rc, status = 0, same = 0, same_body = 0;

	if (key == NULL)
		return 0;
	if (*key == '\0' || strlen(key) > IDEM_KEY_MAX)
		return api_err_set(err, 422, "Idempotency-Key must be 1 to %d characters",
		    IDEM_KEY_MAX);
	idem_route(r, route, sizeof(route));
	idem_hash(r, hash);
	/* An expired key is a new one; idem_store deletes it. */
	idem_cutoff(r, cutoff);
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading an idempotency key");
	sqlite3_bind_text(st, 1, r->who.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cutoff, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		same = strcmp((const char *)sqlite3_column_text(st, 0), route) == 0;
		status = sqlite3_column_int(st, 1);
		body = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
		/* Keys kept before bodies were hashed have none: they replay as they did. */
		stored = (const char *)sqlite3_column_text(st, 3);
		same_body = stored[0] == '\0' || strcmp(stored, hash) == 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading an idempotency key");
	if (!same) {
		json_decref(body);
		return api_err_set(err, 422, "this Idempotency-Key was used for another request");
	}
	if (!same_body) {
		json_decref(body);
		return api_err_set(err, 422, "this Idempotency-Key was used with another body");
	}
	http_reply_json(rep, status, body);
	http_reply_header(rep, "Idempotent-Replayed", "true");
	return 1;
}

int
idem_store_text(struct req *r, struct db *db, int status, const char *body,
    struct api_err *err)
{
	static const char sql[] = "INSERT INTO idempotency_keys (username, key, route, status, "
	    "body, created_at, body_hash) VALUES (?, ?, ?, ?, ?, ?, ?)";
	const char *key = idem_key(r);
	char route[600], now[CLOCK_RFC3339_LEN], hash[IDEM_HASH_LEN * 2 + 1];
	sqlite3_stmt *st;
	int rc;

	if (key == NULL)
		return 0;
	idem_route(r, route, sizeof(route));
	idem_hash(r, hash);
	clock_rfc3339(clock_now(), now);
	if (idem_expire(r, db, err) == -1)
		return -1;
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "storing an idempotency key");
	sqlite3_bind_text(st, 1, r->who.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, route, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "storing an idempotency key");
}

int
idem_store(struct req *r, struct db *db, int status, const json_t *body, struct api_err *err)
{
	char *text;
	int rc;

	if (idem_key(r) == NULL)
		return 0;
	if ((text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return api_err_set(err, 500, "out of memory");
	rc = idem_store_text(r, db, status, text, err);
	free(text);
	return rc;
}
