/* Hostile input against every resource: wrong types, nulls, NUL bytes, huge numbers, deep
 * nesting, long strings, odd query strings and ids, bytes JSON cannot hold, duplicate keys,
 * oversized bodies, URLs and headers, path traversal in the web UI's paths, and SQL
 * metacharacters in every filter of every list. Whatever comes in, the answer is a 4xx
 * problem (never a 5xx) or, for a filter, a correct empty page; nothing is stored (the export
 * and every count are the same afterwards), and the server keeps serving. Under the sanitizer
 * build this also proves no memory error on these paths. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "listing.h"
#include "resource.h"

#define PW TEST_PASSWORD

static struct srv S;
static char *ad, *ed;
/* What every list held before the attack (the harness's users, and their audit rows). */
static long long before[64], changes_before;
/* The whole plan before the attack (the seed plan, imported first). */
static char *export_before;

/* Users and tokens are an admin's; the rest an editor's. */
static const char *
token_for(const struct resource *res)
{
	return (res->flags & R_OWN_ROUTES) ? ad : ed;
}

#define HOSTILE_SECRET "top secret: not for the web"

static void
hostile_write(const char *dir, const char *name, const char *text)
{
	char file[300];
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	assert_non_null(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
}

/* GET /api/v1/export's body (malloc'd). */
static char *
hostile_export(void)
{
	struct resp r;
	char *text;

	assert_int_equal(req_json(&S, "GET", "/api/v1/export", ed, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	text = strdup(r.body);
	resp_free(&r);
	return text;
}

static int
setup(void **state)
{
	const char *flags[] = { "--web", NULL, NULL };
	const struct resource *const *res;
	char path[256], *seed;

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "ad", "admin", PW);
	srv_add_user(&S, "ed", "editor", PW);
	/* The web UI from a folder, with a file beside it that no path may reach. */
	snprintf(path, sizeof(path), "%s/ui", S.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	hostile_write(path, "index.html", "<!doctype html><title>ui</title>");
	hostile_write(S.dir, "secret.txt", HOSTILE_SECRET);
	flags[1] = path;
	srv_start(&S, flags);
	ad = login(&S, "ad", PW);
	ed = login(&S, "ed", PW);
	/* Real rows, so that a filter that matched too much would show. */
	seed = read_file(NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json", NULL);
	assert_non_null(seed);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ad, seed, NULL), 200);
	free(seed);
	export_before = hostile_export();
	for (res = resource_table; *res != NULL; res++) {
		if ((*res)->flags & (R_READONLY | R_SINGLETON))
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s?limit=1", (*res)->name);
		before[res - resource_table] = api_count(&S, token_for(*res), path);
	}
	changes_before = api_count(&S, ed, "/api/v1/changes?limit=1");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(export_before);
	srv_down(&S, ad, ed);
	return 0;
}

/* Sends one request and requires a clean refusal. */
static void
refused_as(const char *tok, const char *method, const char *path, const char *body)
{
	struct resp r;

	assert_int_equal(req_json(&S, method, path, tok, body, &r), 0);
	if (r.status < 400 || r.status >= 500)
		fail_msg("%s %s %.200s: %ld %.300s", method, path, body ? body : "", r.status,
		    r.body);
	assert_problem(&r, r.status);
	resp_free(&r);
}

/* Whether a field's table allows the JSON text v: a boolean for a boolean field, one of the
 * values of an enum. */
static bool
allowed(const struct field *f, const char *v)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
	const char *const *e;
	bool ok = false;

	if (f->type == FT_BOOL)
		ok = json_is_boolean(j);
	for (e = f->values; f->type == FT_ENUM && json_is_string(j) && *e != NULL; e++)
		ok |= strcmp(*e, json_string_value(j)) == 0;
	json_decref(j);
	return ok;
}

static void
refused(const char *method, const char *path, const char *body)
{
	refused_as(ed, method, path, body);
}

static void
test_bad_values_for_every_field(void **state)
{
	static const char *const values[] = { "null", "true", "-1", "0", "1.5", "1e400",
		"99999999999999999999", "-9223372036854775808", "\"\"", "\"\\u0000\"",
		"\"x\\u0000y\"", "\"' OR 1=1 --\"", "\"%s%n\"", "[]", "[null]", "[1,\"a\"]", "{}",
		"{\"a\":{\"b\":[]}}", "\"::ffff:1.2.3.4/200\"", "\"10.0.0.1/8\"",
		"\"-bad-\"" };
	const struct resource *const *res;
	const struct field *f;
	char path[128], body[512];
	size_t i;

	(void)state;
	for (res = resource_table; *res != NULL; res++) {
		const char *tok = token_for(*res);
		/* The one settings object is patched, whole bodies only: one valid field would
		 * pass. */
		const char *method = ((*res)->flags & R_SINGLETON) ? "PATCH" : "POST";

		if ((*res)->flags & R_READONLY)
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s", (*res)->name);
		/* One field at a time, alone: required fields are missing, so nothing can pass. */
		for (f = (*res)->fields; !((*res)->flags & R_SINGLETON) && f->name != NULL; f++)
			for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(body, sizeof(body), "{\"%s\":%s}", f->name, values[i]);
				refused_as(tok, "POST", path, body);
			}
		/* The settings reach every packet filter: each field patched alone with each
		 * value is refused, but for the values its table allows (log_denied: true),
		 * which are no attack and are not sent. */
		for (f = (*res)->fields; ((*res)->flags & R_SINGLETON) && f->name != NULL; f++)
			for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(body, sizeof(body), "{\"%s\":%s}", f->name, values[i]);
				if (!allowed(f, values[i]))
					refused_as(tok, method, path, body);
			}
		refused_as(tok, method, path, "{\"tags\":[\"a\",1]}");
		refused_as(tok, method, path, "{\"id\":1}");
		refused_as(tok, method, path, "[[]]");
		refused_as(tok, method, path, "[{}, 5]");
		refused_as(tok, method, path, "\"just a string\"");
		refused_as(tok, method, path, "12");
	}
}

static void
test_deep_and_long(void **state)
{
	char *body = malloc(600000);
	size_t n = 0;
	int i;

	(void)state;
	/* Deep nesting: the parser's depth limit, not the stack, decides. */
	for (i = 0; i < 100000; i++)
		body[n++] = '[';
	body[n] = '\0';
	refused("POST", "/api/v1/vlans", body);
	/* A long string in a field with a length limit. */
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"");
	memset(body + n, 'a', 500000);
	n += 500000;
	strcpy(body + n, "\"}");
	refused("POST", "/api/v1/vlans", body);
	/* Many tags. */
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"x\",\"tags\":[");
	for (i = 0; i < 5000; i++)
		n += (size_t)sprintf(body + n, "%s\"t%d\"", i ? "," : "", i);
	strcpy(body + n, "]}");
	refused("POST", "/api/v1/vlans", body);
	free(body);
}

static void
test_odd_queries_and_ids(void **state)
{
	static const char *const queries[] = { "?limit=", "?limit=-1", "?limit=1e3",
		"?limit=99999999999999999999", "?offset=abc", "?vid=", "?vid=1x", "?vid__gte=x",
		"?ordering=-", "?ordering=vid;DROP%20TABLE%20vlans", "?ordering=,,",
		"?unknown=1", "?name__lte=a", "?q=%ff%fe", "?id=1" };
	static const char *const paths[] = { "/api/v1/vlans/0", "/api/v1/vlans/-1",
		"/api/v1/vlans/1.0", "/api/v1/vlans/99999999999999999999", "/api/v1/vlans/%39%39%39",
		"/api/v1/vlans/1/changes/2", "/api/v1/prefixes/999/available-ips",
		"/api/v1/dns-zones/999/records" };
	static const char *const odd[] = { "/api/v1/settings?%ff=1", "/api/v1/export?a=%c3%28",
		"/api/v1/vlans/1?limit=10", "/api/v1/validate?x", "/api/v1/auth/me?=1",
		"/api/v1/prefixes/1/available-ips?limit=1e3",
		"/api/v1/prefixes/1/available-ips?limit=99999999999999999999",
		"/api/v1/dns-zones/1/records?limit=-5", "/api/v1/inventory?zone=local",
		"/api/v1/render/bind?zone=local&x=1",
		"/api/v1/settings?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1" };
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/vlans%s", queries[i]);
		refused("GET", path, NULL);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		refused("GET", paths[i], NULL);
	refused("POST", "/api/v1/prefixes/999/available-ips", "{}");
	refused("POST", "/api/v1/prefixes/999/available-prefixes", "{\"prefix_length\":24}");
	/* Routes that are no lists: their declared parameters only, UTF-8 names and values. */
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct resp r;

		assert_int_equal(req_json(&S, "GET", odd[i], ed, NULL, &r), 0);
		if (r.status != 400)
			fail_msg("GET %s: %ld %.300s", odd[i], r.status, r.body);
		assert_problem(&r, 400);
		resp_free(&r);
	}
	refused("POST", "/api/v1/vlans?%ff=1", "{\"vid\":3000,\"name\":\"odd\"}");
	refused("PATCH", "/api/v1/settings", "[]");
	refused("PATCH", "/api/v1/settings", "{\"log_denied\":null}");
}


/* One request as raw bytes (a body JSON text cannot hold: NUL, any length, broken UTF-8);
 * returns the status and asserts a problem+json answer. */
static long
raw_status(const char *method, const char *path, const char *tok, const char *body,
    size_t len)
{
	static char out[65536];
	char head[2048];
	bool closed;
	size_t n;
	long status = 0;
	char *buf;

	n = (size_t)snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", method, path, tok, len);
	buf = malloc(n + len);
	memcpy(buf, head, n);
	memcpy(buf + n, body, len);
	raw_exchange(&S, buf, n + len, out, sizeof(out), 5000, &closed);
	free(buf);
	if (sscanf(out, "HTTP/1.1 %ld", &status) != 1)
		fail_msg("%s %s: no status line: %.200s", method, path, out);
	if (status >= 400 && strstr(out, "application/problem+json") == NULL)
		fail_msg("%s %s: %ld without a problem: %.300s", method, path, status, out);
	return status;
}

/* Bytes a JSON text cannot hold, and JSON the API refuses to read: each a 400 problem. */
static void
test_bytes_and_json_refused(void **state)
{
	static const struct {
		const char *body;
		size_t len;    /* 0: strlen */
	} cases[] = {
		/* Invalid UTF-8: a bad continuation, a lone continuation byte, an overlong '/',
		 * a UTF-16 surrogate, a code point past U+10FFFF, in values and in keys. */
		{ "{\"vid\":5,\"name\":\"\xc3\x28\"}", 0 },
		{ "{\"vid\":5,\"name\":\"\x80\"}", 0 },
		{ "{\"vid\":5,\"name\":\"\xc0\xaf\"}", 0 },
		{ "{\"vid\":5,\"name\":\"\xed\xa0\x80\"}", 0 },
		{ "{\"vid\":5,\"name\":\"\xf4\x90\x80\x80\"}", 0 },
		{ "{\"vid\":5,\"\xff\":1}", 0 },
		{ "\xef\xbb\xbf{\"vid\":5,\"name\":\"bom\"}", 0 },
		/* Raw NUL bytes: inside a string, between tokens, after the document. */
		{ "{\"vid\":5,\"name\":\"a\0b\"}", 22 },
		{ "{\"vid\":5,\0\"name\":\"ab\"}", 22 },
		{ "{\"vid\":5,\"name\":\"ab\"}\0", 22 },
		/* Numbers past int64 and past double. */
		{ "{\"vid\":9223372036854775808,\"name\":\"big\"}", 0 },
		{ "{\"vid\":-9223372036854775809,\"name\":\"big\"}", 0 },
		{ "{\"vid\":1e400,\"name\":\"big\"}", 0 },
		{ "{\"vid\":123456789012345678901234567890,\"name\":\"big\"}", 0 },
		/* Duplicate keys: which one would win is not for the server to guess. */
		{ "{\"vid\":5,\"vid\":6,\"name\":\"dup\"}", 0 },
		{ "{\"vid\":5,\"name\":\"dup\",\"tags\":[],\"tags\":[\"a\"]}", 0 },
		{ "[{\"vid\":5,\"name\":\"a\"},{\"vid\":6,\"name\":\"b\",\"name\":\"c\"}]", 0 },
		/* Two documents, and trailing garbage. */
		{ "{\"vid\":5,\"name\":\"a\"}{\"vid\":6,\"name\":\"b\"}", 0 },
		{ "{\"vid\":5,\"name\":\"a\"} x", 0 },
	};
	char path[64];
	long long id;
	size_t i;

	(void)state;
	id = api_first_id(&S, ed, "/api/v1/vlans");
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", id);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		long st;

		if ((st = raw_status("POST", "/api/v1/vlans", ed, cases[i].body, len)) != 400)
			fail_msg("POST case %zu: %ld", i, st);
		if ((st = raw_status("PATCH", path, ed, cases[i].body, len)) != 400)
			fail_msg("PATCH case %zu: %ld", i, st);
	}
}

/* 10 MB bodies (past --max-body, 1 MiB by default) and nesting 10,000 deep (past the JSON
 * parser's depth limit, well inside the body cap). */
static void
test_huge_and_deep(void **state)
{
	size_t big = 10u << 20, n = 0;
	char *body = malloc(big + 64);
	int i;

	(void)state;
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"x\",\"description\":\"");
	memset(body + n, 'a', big - n - 2);
	strcpy(body + big - 2, "\"}");
	refused("POST", "/api/v1/vlans", body);
	refused_as(ad, "POST", "/api/v1/import", body);
	/* 10,000 arrays, each closed. */
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"x\",\"tags\":");
	for (i = 0; i < 10000; i++)
		body[n++] = '[';
	for (i = 0; i < 10000; i++)
		body[n++] = ']';
	strcpy(body + n, "}");
	refused("POST", "/api/v1/vlans", body);
	/* 10,000 objects, each closed. */
	n = 0;
	for (i = 0; i < 10000; i++)
		n += (size_t)sprintf(body + n, "{\"a\":");
	body[n++] = '1';
	for (i = 0; i < 10000; i++)
		body[n++] = '}';
	body[n] = '\0';
	refused("POST", "/api/v1/vlans", body);
	refused_as(ad, "POST", "/api/v1/import", body);
	free(body);
}

/* A URL or a header past libmicrohttpd's per-connection memory: refused before any handler,
 * with a 4xx, and the server serves the next request. libmicrohttpd writes this answer
 * itself (no hook reaches it), so it is no problem+json. */
static void
test_long_url_and_headers(void **state)
{
	static char out[65536];
	size_t big = 200000;
	char *data = malloc(big + 256);
	bool closed;
	long status;
	size_t n;

	(void)state;
	n = (size_t)sprintf(data, "GET /api/v1/vlans?q=");
	memset(data + n, 'a', big);
	n += big;
	n += (size_t)sprintf(data + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	raw_exchange(&S, data, n, out, sizeof(out), 5000, &closed);
	assert_int_equal(sscanf(out, "HTTP/1.1 %ld", &status), 1);
	if (status < 400 || status >= 500)
		fail_msg("a long URL: %.200s", out);
	n = (size_t)sprintf(data, "GET /api/v1/vlans HTTP/1.1\r\nHost: x\r\nX-Long: ");
	memset(data + n, 'b', big);
	n += big;
	n += (size_t)sprintf(data + n, "\r\nConnection: close\r\n\r\n");
	raw_exchange(&S, data, n, out, sizeof(out), 5000, &closed);
	assert_int_equal(sscanf(out, "HTTP/1.1 %ld", &status), 1);
	if (status < 400 || status >= 500)
		fail_msg("a long header: %.200s", out);
	/* Many headers, each short. */
	n = (size_t)sprintf(data, "GET /api/v1/vlans HTTP/1.1\r\nHost: x\r\n");
	while (n < big)
		n += (size_t)sprintf(data + n, "X-H%zu: v\r\n", n);
	n += (size_t)sprintf(data + n, "Connection: close\r\n\r\n");
	raw_exchange(&S, data, n, out, sizeof(out), 5000, &closed);
	assert_int_equal(sscanf(out, "HTTP/1.1 %ld", &status), 1);
	if (status < 400 || status >= 500)
		fail_msg("many headers: %.200s", out);
	free(data);
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans?limit=1"),
	    before[0]);
}

/* The web UI's paths, sent as raw request lines (no client tidies them): no spelling of ".."
 * or of a slash reaches the file beside the UI's folder or leaves /web. */
static void
test_web_traversal(void **state)
{
	static const char *const paths[] = { "/web/../secret.txt", "/web/..%2fsecret.txt",
		"/web/..%2Fsecret.txt", "/web/%2e%2e/secret.txt", "/web/%2e%2e%2fsecret.txt",
		"/web/%2E%2E%2Fsecret.txt", "/web/.%2e/secret.txt", "/web/%2e./secret.txt",
		"/web/%252e%252e%252fsecret.txt", "/web/%252e%252e/secret.txt",
		"/web/..%252fsecret.txt", "/web/%c0%ae%c0%ae/secret.txt",
		"/web/%c0%af..%c0%afsecret.txt", "/web/..\\secret.txt", "/web/..%5csecret.txt",
		"/web//secret.txt", "/web/%2fsecret.txt", "/web/./../secret.txt",
		"/web/index.html/../../secret.txt", "/web/index.html%00.js", "/web/%00",
		"/%2e%2e/secret.txt", "/..%2fsecret.txt", "/web/../../../../etc/passwd",
		"/web/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/web/....//secret.txt" };
	static char out[65536];
	char data[512];
	bool closed;
	long status;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		n = (size_t)snprintf(data, sizeof(data), "GET %s HTTP/1.1\r\nHost: x\r\n"
		    "Connection: close\r\n\r\n", paths[i]);
		raw_exchange(&S, data, n, out, sizeof(out), 5000, &closed);
		if (sscanf(out, "HTTP/1.1 %ld", &status) != 1 || status < 400 || status >= 500)
			fail_msg("GET %s: %.300s", paths[i], out);
		if (strstr(out, "application/problem+json") == NULL)
			fail_msg("GET %s: no problem: %.300s", paths[i], out);
		if (strstr(out, "top secret") != NULL || strstr(out, "root:") != NULL)
			fail_msg("GET %s: served a file outside the UI", paths[i]);
	}
	/* The UI's own file is served: the refusals above are about the paths. */
	n = (size_t)snprintf(data, sizeof(data), "GET /web/index.html HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	raw_exchange(&S, data, n, out, sizeof(out), 5000, &closed);
	assert_non_null(strstr(out, "HTTP/1.1 200"));
	assert_non_null(strstr(out, "<title>ui</title>"));
}

/* %XX for every byte but the unreserved ones. */
static void
hostile_escape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '~')
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, len - n, "%%%02X", c);
	}
	out[n] = '\0';
}

struct hostile_filters {
	const char *names[64];
	int n;
};

static void
hostile_filter(const char *name, void *arg)
{
	struct hostile_filters *hf = arg;

	if (hf->n < 64)
		hf->names[hf->n++] = strdup(name);
}

/* SQL's metacharacters in every filter of every list, the filters read from the field tables
 * (listing_filters): a filter added tomorrow is attacked too. Each value is refused with a
 * 400 problem, or matches nothing (no stored value is any of them): never an error, never
 * every row. The same values in the search, the ordering and the paging. */
static void
test_sql_in_every_filter(void **state)
{
	static const char *const values[] = { "'", "\"", ";", "--", "/*", "*/", "%", "_",
		"\\", "' OR '1'='1", "\" OR \"\"=\"", "1 OR 1=1", "1; DROP TABLE vlans; --",
		"x' UNION SELECT password_hash FROM users --", "%' --", "_%", "null) OR (1=1",
		"9223372036854775808", "-9223372036854775809" };
	static const char *const extra[] = { "q", "ordering", "limit", "offset" };
	const struct resource *const *res;
	struct hostile_filters hf;
	char path[512], esc[256];
	struct resp r;
	size_t v;
	int i, tried = 0;

	(void)state;
	for (res = resource_table; *res != NULL; res++) {
		if ((*res)->flags & R_SINGLETON)
			continue;
		memset(&hf, 0, sizeof(hf));
		listing_filters(*res, hostile_filter, &hf);
		for (i = 0; i < (int)(sizeof(extra) / sizeof(extra[0])); i++)
			hostile_filter(extra[i], &hf);
		for (i = 0; i < hf.n; i++) {
			for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				hostile_escape(values[v], esc, sizeof(esc));
				snprintf(path, sizeof(path), "/api/v1/%s?%s=%s", (*res)->name,
				    hf.names[i], esc);
				assert_int_equal(req_json(&S, "GET", path, token_for(*res), NULL,
				    &r), 0);
				tried++;
				if (r.status == 400) {
					assert_problem(&r, 400);
				} else if (r.status != 200) {
					fail_msg("GET %s: %ld %.300s", path, r.status, r.body);
				} else if (strcmp(hf.names[i], "q") != 0 &&
				    json_integer_value(json_object_get(r.json, "count")) != 0) {
					/* The search may find a stored '-' or '_' by right. */
					fail_msg("GET %s: matched %lld rows", path, (long long)
					    json_integer_value(json_object_get(r.json, "count")));
				}
				resp_free(&r);
			}
			free((char *)hf.names[i]);
		}
	}
	/* Every resource had filters to attack. */
	assert_true(tried > 500);
	/* An encoded NUL does not end the value early: "storage%00x" is not "storage". */
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans?name=storage"), 1);
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans?name=storage%00x"), 0);
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans?q=storage%00x"), 0);
}

static void
test_nothing_was_stored(void **state)
{
	const struct resource *const *res;
	char path[128], *export;
	struct resp r;

	(void)state;
	for (res = resource_table; *res != NULL; res++) {
		if ((*res)->flags & (R_READONLY | R_SINGLETON))
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s?limit=1", (*res)->name);
		assert_int_equal(api_count(&S, token_for(*res), path), before[res - resource_table]);
	}
	assert_int_equal(api_count(&S, ed, "/api/v1/changes?limit=1"), changes_before);
	/* The whole plan, byte for byte. */
	export = hostile_export();
	assert_string_equal(export, export_before);
	free(export);
	/* The settings are their defaults still. */
	assert_int_equal(req_json(&S, "GET", "/api/v1/settings", ed, NULL, &r), 0);
	assert_string_equal(r.body, "{\"forward_default_action\":\"drop\","
	    "\"input_default_action\":\"drop\",\"log_denied\":true}");
	resp_free(&r);
}

/* A value as deep as the parser takes (2,000 arrays in a host's vars, the body 2,003 deep) is
 * stored and answered whole, in the create's answer and in a GET: the reply writer's limit is
 * above the parser's, so no write is acknowledged with an empty body. After the check that
 * nothing was stored, since this stores a host. */
static void
test_deepest_value_answered(void **state)
{
	size_t n = 0, depth = 0;
	char *body = malloc(8192), path[64];
	json_t *v;
	struct resp r;
	int i;

	(void)state;
	n = (size_t)sprintf(body, "[{\"name\":\"deep1\",\"vars\":{\"x\":");
	for (i = 0; i < 2000; i++)
		body[n++] = '[';
	body[n++] = '1';
	for (i = 0; i < 2000; i++)
		body[n++] = ']';
	strcpy(body + n, "}}]");
	assert_int_equal(req_json(&S, "POST", "/api/v1/hosts", ed, body, &r), 0);
	assert_int_equal(r.status, 201);
	assert_true(r.len > 4000);
	assert_non_null(strstr(r.body, "\"vars\":{\"x\":[[[["));
	v = json_object_get(json_array_get(json_object_get(r.json, "results"), 0), "id");
	if (v == NULL)   /* an array's create may answer the list itself */
		v = json_object_get(json_array_get(r.json, 0), "id");
	assert_non_null(v);
	snprintf(path, sizeof(path), "/api/v1/hosts/%lld", (long long)json_integer_value(v));
	resp_free(&r);
	assert_int_equal(req_json(&S, "GET", path, ed, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	for (v = json_object_get(json_object_get(r.json, "vars"), "x"); json_is_array(v);
	    v = json_array_get(v, 0))
		depth++;
	assert_int_equal(depth, 2000);
	resp_free(&r);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_values_for_every_field),
		cmocka_unit_test(test_deep_and_long),
		cmocka_unit_test(test_odd_queries_and_ids),
		cmocka_unit_test(test_bytes_and_json_refused),
		cmocka_unit_test(test_huge_and_deep),
		cmocka_unit_test(test_long_url_and_headers),
		cmocka_unit_test(test_web_traversal),
		cmocka_unit_test(test_sql_in_every_filter),
		cmocka_unit_test(test_nothing_was_stored),
		cmocka_unit_test(test_deepest_value_answered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
