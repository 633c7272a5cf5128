#include "jsonin.h"

#include <string.h>

#include "apierr.h"

static const char *const jsonin_names[] = {
	[JSONIN_STRING] = "a string",
	[JSONIN_INTEGER] = "an integer",
	[JSONIN_BOOL] = "a boolean",
};

const char *
jsonin_type_name(enum jsonin_type t)
{
	return jsonin_names[t];
}

static bool
jsonin_type_ok(const json_t *v, enum jsonin_type t)
{
	switch (t) {
	case JSONIN_STRING:
		return json_is_string(v);
	case JSONIN_INTEGER:
		return json_is_integer(v);
	case JSONIN_BOOL:
		return json_is_boolean(v);
	}
	return false;
}

static const struct jsonin_field *
jsonin_find(const struct jsonin_field *fields, const char *name)
{
	for (; fields->name != NULL; fields++)
		if (strcmp(fields->name, name) == 0)
			return fields;
	return NULL;
}

int
jsonin_check(const json_t *obj, const struct jsonin_field *fields, struct api_err *err)
{
	const struct jsonin_field *f;
	const char *key;
	json_t *v;
	long long n;

	if (!json_is_object(obj))
		return api_err_set(err, 400, "the body must be a JSON object");
	/* Structure first (400): a body of the wrong shape is not worth checking for rules. */
	json_object_foreach((json_t *)obj, key, v) {
		if ((f = jsonin_find(fields, key)) == NULL) {
			api_err_set(err, 400, "the body has fields this endpoint does not take");
			api_err_field(err, key, "unknown field");
		} else if (!jsonin_type_ok(v, f->type)) {
			api_err_set(err, 400, "the body has fields of the wrong type");
			api_err_field(err, key, "must be %s", jsonin_type_name(f->type));
		}
	}
	if (err->status != 0)
		return -1;
	for (f = fields; f->name != NULL; f++) {
		if ((v = json_object_get(obj, f->name)) == NULL) {
			if (f->required)
				api_err_field(err, f->name, "is required");
			continue;
		}
		if (f->type == JSONIN_STRING)
			n = (long long)json_string_length(v);
		else if (f->type == JSONIN_INTEGER)
			n = json_integer_value(v);
		else
			continue;
		if (f->min == 0 && f->max == 0)
			continue;
		if (n < f->min || n > f->max)
			api_err_field(err, f->name, f->type == JSONIN_STRING ?
			    "must be %lld to %lld bytes long" :
			    "must be from %lld to %lld", f->min, f->max);
	}
	return err->status != 0 ? -1 : 0;
}
