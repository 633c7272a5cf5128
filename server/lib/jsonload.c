#include "jsonload.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct jsonload {
	const unsigned char *p, *end;
	bool dups;      /* JSON_REJECT_DUPLICATES */
	char *scratch;  /* a string with escapes, decoded */
	size_t cap;
};

static json_t *jsonload_value(struct jsonload *l, int depth);

static void
jsonload_ws(struct jsonload *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\n' || *l->p == '\t' || *l->p == '\r'))
		l->p++;
}

/* The length of the UTF-8 sequence at s (n bytes left), 0 when jansson would refuse it:
 * RFC 3629, no overlong form, no surrogate, nothing above U+10FFFF. */
static size_t
jsonload_utf8(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int c;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

/* The string at l->p (after its quote): *s and *n, in the text when it holds no escape, else
 * in l->scratch. -1 for what json_loadb is left to judge. */
static int
jsonload_string(struct jsonload *l, const char **s, size_t *n)
{
	static const char esc_from[] = "\"\\/bfnrt", esc_to[] = "\"\\/\b\f\n\r\t";
	const unsigned char *start = l->p, *q;
	size_t len = 0, u;
	bool escaped = false;
	const char *e;

	/* One pass to check and measure, a second to copy only when there are escapes. */
	for (q = start; q < l->end && *q != '"'; ) {
		if (*q < 0x20)
			return -1;
		if (*q == '\\') {
			if (q + 1 >= l->end || q[1] == '\0' ||
			    (e = strchr(esc_from, q[1])) == NULL)
				return -1;
			escaped = true;
			q += 2;
			len++;
		} else if (*q < 0x80) {
			q++;
			len++;
		} else {
			if ((u = jsonload_utf8(q, (size_t)(l->end - q))) == 0)
				return -1;
			q += u;
			len += u;
		}
	}
	if (q >= l->end)
		return -1;
	l->p = q + 1;
	*n = len;
	if (!escaped) {
		*s = (const char *)start;
		return 0;
	}
	if (len + 1 > l->cap) {
		free(l->scratch);
		l->cap = len + 1 > 2 * l->cap ? len + 1 : 2 * l->cap;
		l->scratch = xmalloc(l->cap);
	}
	for (q = start, len = 0; *q != '"'; len++) {
		if (*q == '\\') {
			l->scratch[len] = esc_to[strchr(esc_from, q[1]) - esc_from];
			q += 2;
		} else {
			l->scratch[len] = (char)*q++;
		}
	}
	*s = l->scratch;
	return 0;
}

/* An integer of at most 18 digits (no overflow), not followed by what makes a real. */
static json_t *
jsonload_integer(struct jsonload *l)
{
	const unsigned char *q = l->p;
	bool neg = false;
	long long v = 0;
	int digits = 0;

	if (*q == '-') {
		neg = true;
		q++;
	}
	if (q < l->end && *q == '0') {
		q++;
		digits = 1;
	} else {
		/* Digits past the 18th are counted, not added: the number is jansson's then. */
		for (; q < l->end && *q >= '0' && *q <= '9'; q++, digits++)
			if (digits < 18)
				v = v * 10 + (*q - '0');
	}
	if (digits == 0 || digits > 18 || (q < l->end && ((*q >= '0' && *q <= '9') ||
	    *q == '.' || *q == 'e' || *q == 'E')))
		return NULL;
	l->p = q;
	return json_integer(neg ? -v : v);
}

/* true, false or null, followed by no letter (jansson reads a word whole). */
static json_t *
jsonload_word(struct jsonload *l, const char *word, json_t *v)
{
	size_t n = strlen(word);
	const unsigned char *after;

	if ((size_t)(l->end - l->p) < n || memcmp(l->p, word, n) != 0)
		return NULL;
	after = l->p + n;   /* within the text: formed only once its length is known */
	if (after < l->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z')))
		return NULL;
	l->p = after;
	return v;
}

static json_t *
jsonload_array(struct jsonload *l, int depth)
{
	json_t *a = json_array(), *v;

	l->p++;
	jsonload_ws(l);
	if (l->p < l->end && *l->p == ']') {
		l->p++;
		return a;
	}
	for (;;) {
		if ((v = jsonload_value(l, depth)) == NULL || json_array_append_new(a, v) == -1)
			break;
		jsonload_ws(l);
		if (l->p >= l->end)
			break;
		if (*l->p == ']') {
			l->p++;
			return a;
		}
		if (*l->p++ != ',')
			break;
		jsonload_ws(l);
	}
	json_decref(a);
	return NULL;
}

static json_t *
jsonload_object(struct jsonload *l, int depth)
{
	json_t *o = json_object(), *v;
	const char *key;
	char *copy = NULL;
	size_t n;

	l->p++;
	jsonload_ws(l);
	if (l->p < l->end && *l->p == '}') {
		l->p++;
		return o;
	}
	for (;;) {
		if (l->p >= l->end || *l->p++ != '"' || jsonload_string(l, &key, &n) == -1)
			break;
		/* The key outlives the value's strings only as a copy when it was decoded. */
		if (key == l->scratch) {
			copy = xmalloc(n + 1);
			memcpy(copy, key, n);
			copy[n] = '\0';
			key = copy;
		}
		/* A key seen twice is jansson's error, with the flag (none holds a NUL: no
		 * \u escape is read here). */
		if (l->dups && json_object_getn(o, key, n) != NULL)
			break;
		jsonload_ws(l);
		if (l->p >= l->end || *l->p++ != ':')
			break;
		jsonload_ws(l);
		if ((v = jsonload_value(l, depth)) == NULL ||
		    json_object_setn_new_nocheck(o, key, n, v) == -1)
			break;
		free(copy);
		copy = NULL;
		jsonload_ws(l);
		if (l->p >= l->end)
			break;
		if (*l->p == '}') {
			l->p++;
			return o;
		}
		if (*l->p++ != ',')
			break;
		jsonload_ws(l);
	}
	free(copy);
	json_decref(o);
	return NULL;
}

static json_t *
jsonload_value(struct jsonload *l, int depth)
{
	const char *s;
	size_t n;

	if (l->p >= l->end || depth >= JSONLOAD_MAX_DEPTH)
		return NULL;
	switch (*l->p) {
	case '{':
		return jsonload_object(l, depth + 1);
	case '[':
		return jsonload_array(l, depth + 1);
	case '"':
		l->p++;
		return jsonload_string(l, &s, &n) == -1 ? NULL : json_stringn_nocheck(s, n);
	case 't':
		return jsonload_word(l, "true", json_true());
	case 'f':
		return jsonload_word(l, "false", json_false());
	case 'n':
		return jsonload_word(l, "null", json_null());
	default:
		return (*l->p >= '0' && *l->p <= '9') || *l->p == '-' ? jsonload_integer(l) : NULL;
	}
}

json_t *
jsonload(const char *buf, size_t len, size_t flags, json_error_t *error)
{
	struct jsonload l = { .p = (const unsigned char *)buf,
	    .end = (const unsigned char *)buf + len, .dups = flags & JSON_REJECT_DUPLICATES };
	json_t *doc = NULL;

	if (buf != NULL && (flags & ~(size_t)JSON_REJECT_DUPLICATES) == 0) {
		jsonload_ws(&l);
		/* A document is an object or an array (no JSON_DECODE_ANY), then only space. */
		if (l.p < l.end && (*l.p == '{' || *l.p == '['))
			doc = jsonload_value(&l, 0);
		jsonload_ws(&l);
		if (doc != NULL && l.p != l.end) {
			json_decref(doc);
			doc = NULL;
		}
		free(l.scratch);
	}
	if (doc != NULL) {
		if (error != NULL) {
			/* What json_loadb leaves in a success's error. */
			error->line = -1;
			error->column = -1;
			error->position = 0;
			error->text[0] = '\0';
			strcpy(error->source, "<buffer>");
		}
		return doc;
	}
	return json_loadb(buf, len, flags, error);
}
