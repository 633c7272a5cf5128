#include "jsondump.h"

#include <stdio.h>
#include <string.h>

/* json_dumps hands its output to a callback a piece at a time and checks every string's
 * UTF-8 on the way: about 10k instructions for /auth/me's four keys. This writes straight
 * into an sbuf with the row writer's escaper. jansson's strings are UTF-8 already (json_string
 * checks it), so nothing is checked again. */

/* A real as jansson writes it (jsonp_dtostr): "%.10g", ".0" added to a whole number so that it
 * reads back as a real, and the exponent without "+" or leading zeros ("1e+20" is "1e20"). */
static int
jsondump_real(struct sbuf *sb, double d)
{
	char buf[48], out[48], *e;
	int n = snprintf(buf, sizeof(buf), "%.10g", d);
	size_t i, o = 0;

	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		return -1;
	if (strchr(buf, '.') == NULL && (e = strchr(buf, 'e')) == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) == NULL)
		return sbuf_append(sb, buf, (size_t)n);
	i = (size_t)(e - buf) + 1;
	memcpy(out, buf, i);
	o = i;
	if (buf[i] == '-')
		out[o++] = '-';
	if (buf[i] == '-' || buf[i] == '+')
		i++;
	while (buf[i] == '0' && buf[i + 1] != '\0')
		i++;
	while (buf[i] != '\0')
		out[o++] = buf[i++];
	return sbuf_append(sb, out, o);
}

static int
jsondump_value(struct sbuf *sb, const json_t *v, int depth)
{
	const char *key;
	json_t *item;
	size_t i;
	void *it;
	int rc = 0;

	if (depth > JSONDUMP_MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sbuf_putc(sb, '{');
		i = 0;
		for (it = json_object_iter((json_t *)v); it != NULL && rc == 0;
		    it = json_object_iter_next((json_t *)v, it)) {
			if (i++ > 0)
				sbuf_putc(sb, ',');
			key = json_object_iter_key(it);
			sbuf_json(sb, key, json_object_iter_key_len(it));
			sbuf_putc(sb, ':');
			rc = jsondump_value(sb, json_object_iter_value(it), depth + 1);
		}
		sbuf_putc(sb, '}');
		break;
	case JSON_ARRAY:
		sbuf_putc(sb, '[');
		json_array_foreach(v, i, item) {
			if (i > 0)
				sbuf_putc(sb, ',');
			if ((rc = jsondump_value(sb, item, depth + 1)) == -1)
				break;
		}
		sbuf_putc(sb, ']');
		break;
	case JSON_STRING:
		sbuf_json(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sbuf_int(sb, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		rc = jsondump_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_append(sb, "true", 4);
		break;
	case JSON_FALSE:
		sbuf_append(sb, "false", 5);
		break;
	case JSON_NULL:
		sbuf_append(sb, "null", 4);
		break;
	}
	return rc == -1 || sbuf_failed(sb) ? -1 : 0;
}

int
jsondump(struct sbuf *sb, const json_t *v)
{
	return v == NULL ? -1 : jsondump_value(sb, v, 0);
}
