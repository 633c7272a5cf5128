#include "settings.h"

#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

enum setting_type { SETTING_ENUM, SETTING_BOOL };

struct setting {
	const char *key;
	enum setting_type type;
	const char *const *values;
	const char *def;             /* JSON text */
};

static const char *const settings_actions[] = { "drop", "reject", "accept", NULL };

static const struct setting settings_table[] = {
	/* What the router does with forwarded traffic no rule accepts. */
	{ "forward_default_action", SETTING_ENUM, settings_actions, "\"drop\"" },
	/* What a host does with incoming traffic no input rule accepts. */
	{ "input_default_action", SETTING_ENUM, settings_actions, "\"drop\"" },
	/* Log what the default policy denies. */
	{ "log_denied", SETTING_BOOL, NULL, "true" },
	{ NULL, SETTING_BOOL, NULL, NULL },
};

static const struct setting *
settings_find(const char *key)
{
	const struct setting *s;

	for (s = settings_table; s->key != NULL; s++)
		if (strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

int
settings_load(struct db *db, json_t **out, struct api_err *err)
{
	static const char sql[] = "SELECT key, value FROM settings";
	const struct setting *s;
	sqlite3_stmt *st;
	json_t *obj = json_object(), *v;
	int rc;

	for (s = settings_table; s->key != NULL; s++)
		json_object_set_new(obj, s->key, json_loads(s->def, JSON_DECODE_ANY, NULL));
	if ((st = db_stmt(db, sql)) == NULL) {
		json_decref(obj);
		return db_fail(db, err, "reading settings");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* Only names this server knows, so an older binary's leftovers stay hidden. */
		if (settings_find((const char *)sqlite3_column_text(st, 0)) == NULL ||
		    (v = json_loads((const char *)sqlite3_column_text(st, 1), JSON_DECODE_ANY,
		    NULL)) == NULL)
			continue;
		json_object_set_new(obj, (const char *)sqlite3_column_text(st, 0), v);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(obj);
		return db_fail(db, err, "reading settings");
	}
	*out = obj;
	return 0;
}

static int
settings_check(const struct setting *s, const json_t *v, struct api_err *err)
{
	const char *const *e;

	if (s->type == SETTING_BOOL) {
		if (!json_is_boolean(v)) {
			api_err_set(err, 400, "a setting has the wrong type");
			return api_err_field(err, s->key, "must be a boolean");
		}
		return 0;
	}
	if (!json_is_string(v)) {
		api_err_set(err, 400, "a setting has the wrong type");
		return api_err_field(err, s->key, "must be a string");
	}
	for (e = s->values; *e != NULL; e++)
		if (strcmp(*e, json_string_value(v)) == 0)
			return 0;
	return api_err_field(err, s->key, "must be drop, reject or accept");
}

int
settings_store(struct db *db, const json_t *body, struct api_err *err)
{
	static const char sql[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	const struct setting *s;
	const char *key;
	sqlite3_stmt *st;
	json_t *v;
	char *text;
	int rc;

	if (!json_is_object(body))
		return api_err_set(err, 400, "the body must be a JSON object");
	json_object_foreach((json_t *)body, key, v) {
		if ((s = settings_find(key)) == NULL) {
			api_err_set(err, 400, "unknown setting");
			api_err_field(err, key, "unknown setting");
		} else
			settings_check(s, v, err);
	}
	if (err->status != 0)
		return -1;
	json_object_foreach((json_t *)body, key, v) {
		if ((st = db_stmt(db, sql)) == NULL ||
		    (text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			return db_fail(db, err, "storing settings");
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
		free(text);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "storing settings");
	}
	return 0;
}
