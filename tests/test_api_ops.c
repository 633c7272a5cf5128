/* Operations (issue 17, parts 2, 3 and 8) against the real server: GET /metrics parsed line by
 * line as Prometheus text, its address allow-list; the JSON access log on stderr, client
 * request ids and no secret in the log; HTTPS by --tls-cert and --tls-key. */
#include "harness.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sbuf.h"

/* One sample of an exposition: name, its label text (between the braces) and value. */
struct sample {
	char name[128];
	char labels[512];
	double value;
};

struct expo {
	struct sample s[4096];
	int n;
};

static bool
metric_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			return false;
	return true;
}

/* name="value",... with \\, \" and \n the only escapes; returns the length used, -1 if bad. */
static int
parse_labels(const char *p)
{
	const char *start = p;

	if (*p == '}')
		return 1;
	for (;;) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

		if (!metric_name_ok(p, n) || p[n] != '=' || p[n + 1] != '"')
			return -1;
		for (p += n + 2; *p != '"'; p++) {
			if (*p == '\0' || *p == '\n')
				return -1;
			if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
				p++;
			else if (*p == '\\')
				return -1;
		}
		p++;
		if (*p == '}')
			return (int)(p + 1 - start);
		if (*p != ',')
			return -1;
		p++;
	}
}

static bool
parse_value(const char *s, double *v)
{
	char *end;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 || strcmp(s, "NaN") == 0) {
		*v = strcmp(s, "NaN") == 0 ? NAN : s[0] == '+' ? INFINITY : -INFINITY;
		return true;
	}
	*v = strtod(s, &end);
	return end != s && *end == '\0';
}

/* Fails the test on any line that is neither a comment nor `name{labels} value`. */
static void
parse_exposition(const char *text, struct expo *e)
{
	const char *line = text, *nl;
	char buf[1024];

	e->n = 0;
	for (; *line != '\0'; line = nl + 1) {
		size_t len, n;
		char *sp;
		int ll = 0;

		nl = strchr(line, '\n');
		if (nl == NULL)
			fail_msg("the exposition does not end with a newline");
		len = (size_t)(nl - line);
		assert_true(len < sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (buf[0] == '#') {
			char name[128], kind[32];

			if (strncmp(buf, "# HELP ", 7) == 0) {
				n = strcspn(buf + 7, " ");
				if (!metric_name_ok(buf + 7, n))
					fail_msg("bad HELP line: %s", buf);
			} else if (strncmp(buf, "# TYPE ", 7) == 0) {
				if (sscanf(buf + 7, "%127s %31s", name, kind) != 2 ||
				    !metric_name_ok(name, strlen(name)) ||
				    (strcmp(kind, "counter") != 0 && strcmp(kind, "gauge") != 0 &&
				    strcmp(kind, "histogram") != 0 && strcmp(kind, "summary") != 0 &&
				    strcmp(kind, "untyped") != 0))
					fail_msg("bad TYPE line: %s", buf);
			}
			continue;
		}
		n = strcspn(buf, "{ ");
		if (!metric_name_ok(buf, n) || n >= sizeof(e->s[0].name))
			fail_msg("bad metric name: %s", buf);
		assert_true(e->n < (int)(sizeof(e->s) / sizeof(e->s[0])));
		memcpy(e->s[e->n].name, buf, n);
		e->s[e->n].name[n] = '\0';
		e->s[e->n].labels[0] = '\0';
		if (buf[n] == '{') {
			if ((ll = parse_labels(buf + n + 1)) < 0)
				fail_msg("bad labels: %s", buf);
			snprintf(e->s[e->n].labels, sizeof(e->s[0].labels), "%.*s", ll - 1,
			    buf + n + 1);
			n += 1 + (size_t)ll;
		}
		if (buf[n] != ' ')
			fail_msg("no space before the value: %s", buf);
		/* An optional timestamp may follow the value. */
		if ((sp = strchr(buf + n + 1, ' ')) != NULL)
			*sp = '\0';
		if (!parse_value(buf + n + 1, &e->s[e->n].value))
			fail_msg("bad value: %s", buf);
		e->n++;
	}
}

/* The value of name whose labels hold every comma-separated pair of want ("" for none); -1
 * when no sample has them. */
static double
sample_value(const struct expo *e, const char *name, const char *want)
{
	char buf[512], *tok, *save = NULL;
	int i;
	bool all;

	for (i = 0; i < e->n; i++) {
		if (strcmp(e->s[i].name, name) != 0)
			continue;
		snprintf(buf, sizeof(buf), "%s", want);
		all = true;
		for (tok = strtok_r(buf, ",", &save); tok != NULL && all;
		    tok = strtok_r(NULL, ",", &save))
			all = strstr(e->s[i].labels, tok) != NULL;
		if (all)
			return e->s[i].value;
	}
	return -1;
}

/* Every histogram: buckets by series rise with le, end with le="+Inf", which equals _count. */
static int
check_histograms(const struct expo *e)
{
	int i, j, series = 0;

	for (i = 0; i < e->n; i++) {
		const char *nm = e->s[i].name;
		size_t nl = strlen(nm);
		char base[128], rest[512], count_name[160];
		double last = -1, count;
		const char *le;
		bool inf = false;

		if (nl < 7 || strcmp(nm + nl - 7, "_bucket") != 0)
			continue;
		/* The first bucket of a series: earlier ones were checked with it. */
		snprintf(base, sizeof(base), "%.*s", (int)(nl - 7), nm);
		le = strstr(e->s[i].labels, "le=\"");
		assert_non_null(le);
		snprintf(rest, sizeof(rest), "%.*s", (int)(le - e->s[i].labels), e->s[i].labels);
		if (i > 0 && strcmp(e->s[i - 1].name, nm) == 0 &&
		    strncmp(e->s[i - 1].labels, rest, strlen(rest)) == 0)
			continue;
		series++;
		for (j = i; j < e->n && strcmp(e->s[j].name, nm) == 0 &&
		    strncmp(e->s[j].labels, rest, strlen(rest)) == 0; j++) {
			assert_false(inf);
			if (e->s[j].value < last)
				fail_msg("%s{%s} falls below the bucket before", nm, e->s[j].labels);
			last = e->s[j].value;
			inf = strstr(e->s[j].labels, "le=\"+Inf\"") != NULL;
		}
		if (!inf)
			fail_msg("%s{%s...} does not end with le=\"+Inf\"", nm, rest);
		/* _count carries the same labels without le. */
		snprintf(count_name, sizeof(count_name), "%s_count", base);
		rest[strlen(rest) > 0 ? strlen(rest) - 1 : 0] = '\0';
		count = -1;
		for (j = 0; j < e->n; j++)
			if (strcmp(e->s[j].name, count_name) == 0 &&
			    strcmp(e->s[j].labels, rest) == 0)
				count = e->s[j].value;
		if (count != last)
			fail_msg("%s{%s}: +Inf bucket %g, _count %g", base, rest, last, count);
	}
	return series;
}

/* GET /metrics, asserting 200 and the content type, parsed into e. */
static void
scrape(struct srv *s, const char *token, struct expo *e)
{
	struct resp r;
	char ct[128];

	assert_int_equal(req(s, "GET", "/metrics", token, NULL, NULL, &r), 0);
	if (r.status != 200)
		fail_msg("GET /metrics: %ld %s", r.status, r.body);
	assert_non_null(resp_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
	parse_exposition(r.body, e);
	resp_free(&r);
}

static struct expo before, after;

static void
test_metrics(void **state)
{
	static const char *const route_vlan = "method=\"GET\",route=\"/api/v1/{res}/{id}\","
	    "status=\"200\"";
	char path[96], *ed = NULL, *vi = NULL;
	struct srv s;
	long long vlan, p;
	double rev0;

	(void)state;
	srv_up(&s, NULL, &ed, &vi);
	vlan = api_create(&s, ed, "/api/v1/vlans", "{\"vid\":30,\"name\":\"metrics\"}");
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", vlan);
	assert_int_equal(api(&s, "GET", path, vi, NULL, NULL), 200);
	assert_int_equal(api(&s, "GET", "/no/such/path", vi, NULL, NULL), 404);
	/* From loopback, the default --metrics-allow: no token needed. */
	scrape(&s, NULL, &before);
	assert_true(check_histograms(&before) >= 3);
	assert_true(sample_value(&before, "netsot_http_requests_total", route_vlan) >= 1);
	/* The raw URL is never a label: the template is. */
	for (int i = 0; i < before.n; i++)
		assert_null(strstr(before.s[i].labels, path));
	assert_true(sample_value(&before, "netsot_http_requests_total",
	    "route=\"unmatched\",status=\"404\"") >= 1);
	assert_true(sample_value(&before, "netsot_database_size_bytes", "") > 4096);
	/* The heap in use: a running server holds more than 100 kB (its caches, its threads'
	 * buffers). ASan's allocator is not malloc's, whose count is then near zero. */
#ifdef __SANITIZE_ADDRESS__
	assert_true(sample_value(&before, "netsot_heap_bytes", "") >= 0);
#else
	assert_true(sample_value(&before, "netsot_heap_bytes", "") > 100000);
#endif
	rev0 = sample_value(&before, "netsot_plan_revision", "");
	assert_true(rev0 >= 1);

	/* Known requests move their counters. */
	assert_int_equal(api(&s, "GET", path, vi, NULL, NULL), 200);
	assert_int_equal(api(&s, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"ed\",\"password\":\"wrong password\"}", NULL), 401);
	p = api_create(&s, ed, "/api/v1/prefixes", "{\"prefix\":\"10.77.0.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	assert_int_equal(api(&s, "POST", path, ed, "[{},{}]", NULL), 201);
	scrape(&s, NULL, &after);
	assert_true(check_histograms(&after) >= 3);
	assert_true(sample_value(&after, "netsot_http_requests_total", route_vlan) ==
	    sample_value(&before, "netsot_http_requests_total", route_vlan) + 1);
	assert_true(sample_value(&after, "netsot_http_request_duration_seconds_count",
	    "route=\"/api/v1/{res}/{id}\"") > sample_value(&before,
	    "netsot_http_request_duration_seconds_count", "route=\"/api/v1/{res}/{id}\""));
	assert_true(sample_value(&after, "netsot_login_failures_total", "") ==
	    sample_value(&before, "netsot_login_failures_total", "") + 1);
	assert_true(sample_value(&after, "netsot_http_requests_total",
	    "route=\"/api/v1/auth/login\",status=\"401\"") == 1);
	assert_true(sample_value(&after, "netsot_allocations_total",
	    "resource=\"ip-addresses\"") == 2);
	/* Two writes (the prefix and the two addresses' transaction) moved the revision. */
	assert_true(sample_value(&after, "netsot_plan_revision", "") >= rev0 + 2);
	/* The first scrape is counted by the second. */
	assert_true(sample_value(&after, "netsot_http_requests_total",
	    "route=\"/metrics\",status=\"200\"") >= 1);
	srv_down(&s, ed, vi);
}

static void
test_metrics_allow(void **state)
{
	static const char *const flags[] = { "--metrics-allow", "10.0.0.0/8, fd00::/8", NULL };
	static const char *const none[] = { "--metrics-allow", "none", NULL };
	const char *bad[] = { "serve", "--db", NULL, "--listen", "127.0.0.1:0",
		"--metrics-allow", "10.0.0.1/8", NULL };
	char *ed = NULL, *err = NULL;
	struct resp r;
	struct srv s;

	(void)state;
	srv_up(&s, flags, &ed, NULL);
	/* 127.0.0.1 is outside: a token is needed, as for any route. */
	assert_int_equal(req(&s, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
	assert_problem(&r, 401);
	resp_free(&r);
	assert_int_equal(req(&s, "GET", "/metrics", "not.a.token", NULL, NULL, &r), 0);
	assert_problem(&r, 401);
	resp_free(&r);
	scrape(&s, ed, &before);
	assert_true(sample_value(&before, "netsot_http_requests_total",
	    "route=\"/metrics\",status=\"401\"") == 2);
	/* A network with host bits: the server does not start. */
	bad[2] = s.db;
	assert_int_equal(run_netsot(bad, NULL, NULL, &err), 1);
	assert_string_equal(err, "netsot: --metrics-allow: '10.0.0.1/8' is not an address or a "
	    "CIDR without host bits\n");
	free(err);
	srv_down(&s, ed, NULL);

	/* none: not even loopback reads it without a token. */
	srv_up(&s, none, &ed, NULL);
	assert_int_equal(req(&s, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
	assert_problem(&r, 401);
	resp_free(&r);
	scrape(&s, ed, &before);
	srv_down(&s, ed, NULL);
}

/* The access lines of the log (those that are JSON objects), each parsed: NULL-terminated. */
static json_t *
access_lines(struct srv *s)
{
	char *log = srv_log(s), *line, *save = NULL;
	json_t *arr = json_array(), *j;
	json_error_t jerr;

	for (line = strtok_r(log, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{')
			continue;
		if ((j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
			fail_msg("access line is not JSON (%s): %s", jerr.text, line);
		json_array_append_new(arr, j);
	}
	free(log);
	return arr;
}

/* The access line of request id, or NULL. */
static json_t *
access_line(json_t *lines, const char *id)
{
	json_t *j;
	size_t i;

	json_array_foreach(lines, i, j)
		if (strcmp(json_string_value(json_object_get(j, "id")), id) == 0)
			return j;
	return NULL;
}

static void
test_access_log(void **state)
{
	static const char secret[] = "Sup3r-Secret-Passw0rd";
	char *ed = NULL, *tok, *log, hdr[256], id[80];
	json_t *lines, *j;
	regex_t rfc3339;
	struct resp r;
	struct srv s;
	size_t i;

	(void)state;
	srv_prepare(&s);
	srv_add_user(&s, "ed", "editor", secret);
	srv_start(&s, NULL);
	ed = login(&s, "ed", secret);
	assert_int_equal(api(&s, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":\"ed\",\"password\":\"Wrong-Secret-Passw0rd\"}", NULL), 401);
	/* A client's own id is kept: echoed, logged and stored in the audit log. */
	assert_int_equal(req_hdr(&s, "POST", "/api/v1/vlans", ed, "X-Request-Id: deploy-42.a_b",
	    "{\"vid\":40,\"name\":\"logged\"}", &r), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(resp_header(&r, "X-Request-Id", hdr, sizeof(hdr)), "deploy-42.a_b");
	resp_free(&r);
	assert_int_equal(api_count(&s, ed, "/api/v1/changes?request_id=deploy-42.a_b"), 1);
	/* An unsafe or long one is replaced by the server's own. */
	assert_int_equal(req_hdr(&s, "GET", "/healthz", NULL, "X-Request-Id: a\"b", NULL, &r), 0);
	assert_string_not_equal(resp_header(&r, "X-Request-Id", hdr, sizeof(hdr)), "a\"b");
	resp_free(&r);
	memset(id, 'x', 65);
	snprintf(hdr, sizeof(hdr), "X-Request-Id: %.65s", id);
	assert_int_equal(req_hdr(&s, "GET", "/healthz", NULL, hdr, NULL, &r), 0);
	assert_non_null(resp_header(&r, "X-Request-Id", id, sizeof(id)));
	assert_true(strlen(id) < 65);
	resp_free(&r);
	/* Query strings are not logged (search terms, a token someone put there). */
	assert_int_equal(req_hdr(&s, "GET", "/api/v1/vlans?q=query-secret-value", ed,
	    "X-Request-Id: with-query", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* A hostile path: a quote, a backslash, a newline and bytes that are not UTF-8. */
	assert_int_equal(req_hdr(&s, "GET", "/x%22%5C%0A%FF%C3%A9%7B%22a%22:1%7D", NULL,
	    "X-Request-Id: hostile", NULL, &r), 0);
	assert_int_equal(r.status, 404);
	resp_free(&r);
	/* A long path is cut at 256 bytes, never inside a character (json_loads checks UTF-8). */
	{
		char lp[2048] = "/";

		for (i = 0; i < 301; i++)
			strcat(lp, "%C3%A9");
		assert_int_equal(req_hdr(&s, "GET", lp, NULL, "X-Request-Id: long-path", NULL,
		    &r), 0);
		assert_int_equal(r.status, 404);
		resp_free(&r);
	}
	srv_stop(&s);

	lines = access_lines(&s);
	assert_true(json_array_size(lines) >= 7);
	assert_int_equal(regcomp(&rfc3339, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
	    "(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$", REG_EXTENDED | REG_NOSUB), 0);
	json_array_foreach(lines, i, j) {
		assert_true(json_is_string(json_object_get(j, "time")));
		assert_int_equal(regexec(&rfc3339, json_string_value(json_object_get(j, "time")), 0,
		    NULL, 0), 0);
		assert_true(json_string_length(json_object_get(j, "id")) > 0);
		assert_true(json_is_string(json_object_get(j, "method")));
		assert_true(json_is_string(json_object_get(j, "path")));
		assert_true(json_is_integer(json_object_get(j, "status")));
		assert_true(json_is_integer(json_object_get(j, "duration_us")));
		assert_true(json_is_integer(json_object_get(j, "bytes")));
		assert_true(json_is_string(json_object_get(j, "route")) ||
		    json_is_null(json_object_get(j, "route")));
		assert_null(strchr(json_string_value(json_object_get(j, "path")), '?'));
	}
	regfree(&rfc3339);
	assert_non_null(j = access_line(lines, "deploy-42.a_b"));
	assert_string_equal(json_string_value(json_object_get(j, "user")), "ed");
	assert_string_equal(json_string_value(json_object_get(j, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(j, "route")), "/api/v1/{res}");
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/api/v1/vlans");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 201);
	assert_true(json_integer_value(json_object_get(j, "bytes")) > 0);
	assert_non_null(j = access_line(lines, "with-query"));
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/api/v1/vlans");
	assert_non_null(j = access_line(lines, "long-path"));
	assert_int_equal(json_string_length(json_object_get(j, "path")), 1 + 127 * 2);
	assert_non_null(j = access_line(lines, "hostile"));
	assert_true(json_is_null(json_object_get(j, "route")));
	assert_string_equal(json_string_value(json_object_get(j, "path")),
	    "/x\"\\\n\xef\xbf\xbd\xc3\xa9{\"a\":1}");
	json_decref(lines);

	/* No password, token or Authorization header, anywhere in the log. */
	log = srv_log(&s);
	assert_null(strstr(log, secret));
	assert_null(strstr(log, "Wrong-Secret-Passw0rd"));
	assert_null(strstr(log, ed));
	tok = strchr(ed, '.');
	assert_null(strstr(log, tok + 1));
	assert_null(strstr(log, "Bearer"));
	assert_null(strcasestr(log, "authorization"));
	assert_null(strstr(log, "query-secret-value"));
	free(log);
	srv_down(&s, ed, NULL);
}

/* --- HTTPS --- */

static size_t
collect(char *data, size_t size, size_t n, void *p)
{
	return sbuf_append(p, data, size * n) == 0 ? size * n : 0;
}

/* A request over scheme to the server's port, verified against cafile when given. */
static CURLcode
tls_req(struct srv *s, const char *scheme, const char *method, const char *path,
    const char *cafile, const char *token, const char *body, long *status, char **out)
{
	struct curl_slist *h = NULL;
	char url[256], line[2048];
	struct sbuf b;
	CURLcode rc;
	CURL *c = curl_easy_init();

	sbuf_init(&b, 0);
	sbuf_puts(&b, "");
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", scheme, s->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	if (token != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, line);
	}
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	*out = sbuf_take(&b, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/* A self-signed certificate for 127.0.0.1 in dir, by the openssl command. */
static void
make_cert(const char *dir, char *cert, char *key, size_t len)
{
	char cmd[1024];

	snprintf(cert, len, "%s/cert.pem", dir);
	snprintf(key, len, "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s 2>/dev/null", key, cert);
	assert_int_equal(system(cmd), 0);
}

static void
test_tls(void **state)
{
	char cert[256], key[256], *out = NULL, *err = NULL, *tok;
	const char *flags[] = { "--tls-cert", cert, "--tls-key", key, NULL };
	json_t *j;
	struct srv s;
	long st;

	(void)state;
	srv_prepare(&s);
	srv_add_user(&s, "ed", "editor", TEST_PASSWORD);
	make_cert(s.dir, cert, key, sizeof(cert));
	srv_start(&s, flags);
	assert_int_equal(tls_req(&s, "https", "GET", "/healthz", cert, NULL, NULL, &st, &out),
	    CURLE_OK);
	assert_int_equal(st, 200);
	free(out);
	/* A login and an authenticated request, over HTTPS. */
	assert_int_equal(tls_req(&s, "https", "POST", "/api/v1/auth/login", cert, NULL,
	    "{\"username\":\"ed\",\"password\":\"" TEST_PASSWORD "\"}", &st, &out), CURLE_OK);
	assert_int_equal(st, 200);
	assert_non_null(j = json_loads(out, 0, NULL));
	tok = strdup(json_string_value(json_object_get(j, "access_token")));
	json_decref(j);
	free(out);
	assert_int_equal(tls_req(&s, "https", "GET", "/api/v1/auth/me", cert, tok, NULL, &st,
	    &out), CURLE_OK);
	assert_int_equal(st, 200);
	assert_non_null(strstr(out, "\"username\":\"ed\""));
	free(out);
	/* Without the certificate as a CA the client refuses the server. */
	assert_int_not_equal(tls_req(&s, "https", "GET", "/healthz", NULL, NULL, NULL, &st, &out),
	    CURLE_OK);
	free(out);
	/* Plain HTTP to the TLS port gets no HTTP answer. */
	assert_int_not_equal(tls_req(&s, "http", "GET", "/healthz", NULL, NULL, NULL, &st, &out),
	    CURLE_OK);
	assert_int_equal(st, 0);
	free(out);
	free(tok);
	srv_stop(&s);
	assert_true(srv_log_has(&s, "(port "));
	assert_true(srv_log_has(&s, ", https, "));

	/* Refusals at start: one line each, and no server. */
	{
		char missing[300];
		const char *only_cert[] = { "serve", "--db", s.db, "--listen", "127.0.0.1:0",
			"--tls-cert", cert, NULL };
		const char *only_key[] = { "serve", "--db", s.db, "--listen", "127.0.0.1:0",
			"--tls-key", key, NULL };
		const char *unreadable[] = { "serve", "--db", s.db, "--listen", "127.0.0.1:0",
			"--tls-cert", cert, "--tls-key", missing, NULL };
		const char *not_pem[] = { "serve", "--db", s.db, "--listen", "127.0.0.1:0",
			"--tls-cert", s.key, "--tls-key", key, NULL };
		const char *swapped[] = { "serve", "--db", s.db, "--listen", "127.0.0.1:0",
			"--tls-cert", key, "--tls-key", cert, NULL };

		snprintf(missing, sizeof(missing), "%s/missing.pem", s.dir);
		assert_int_equal(run_netsot(only_cert, NULL, NULL, &err), 1);
		assert_string_equal(err, "netsot: --tls-cert and --tls-key go together; "
		    "--tls-key is missing\n");
		free(err);
		assert_int_equal(run_netsot(only_key, NULL, NULL, &err), 1);
		assert_non_null(strstr(err, "--tls-cert is missing\n"));
		free(err);
		assert_int_equal(run_netsot(unreadable, NULL, NULL, &err), 1);
		assert_non_null(strstr(err, "netsot: --tls-key: cannot read "));
		assert_non_null(strstr(err, "No such file or directory\n"));
		free(err);
		assert_int_equal(run_netsot(not_pem, NULL, NULL, &err), 1);
		assert_non_null(strstr(err, "is not PEM\n"));
		free(err);
		assert_int_equal(run_netsot(swapped, NULL, NULL, &err), 1);
		assert_non_null(strstr(err, "with TLS"));
		free(err);
	}
	srv_cleanup(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_allow),
		cmocka_unit_test(test_access_log),
		cmocka_unit_test(test_tls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
