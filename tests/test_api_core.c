/* The HTTP core against the real server: routing, errors, body limits, request ids, the access
 * log, keep-alive, timeouts and a clean stop. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define PASSWORD "correct horse"

static struct srv S;
static char *admin, *editor, *viewer;

static int
setup(void **state)
{
	static const char *const flags[] = { "--max-body", "2048", "--timeout", "2", NULL };

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "admin", "admin", PASSWORD);
	srv_add_user(&S, "ed", "editor", PASSWORD);
	srv_add_user(&S, "vi", "viewer", PASSWORD);
	srv_start(&S, flags);
	admin = login(&S, "admin", PASSWORD);
	editor = login(&S, "ed", PASSWORD);
	viewer = login(&S, "vi", PASSWORD);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(admin);
	free(editor);
	free(viewer);
	srv_stop(&S);
	srv_cleanup(&S);
	return 0;
}

static void
assert_alive(void)
{
	struct resp r;

	assert_int_equal(req(&S, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_healthz(void **state)
{
	char a[64], b[64];
	struct resp r1, r2;

	(void)state;
	assert_int_equal(req(&S, "GET", "/healthz", NULL, NULL, NULL, &r1), 0);
	assert_int_equal(r1.status, 200);
	assert_string_equal(json_string_value(json_object_get(r1.json, "status")), "ok");
	assert_non_null(resp_header(&r1, "X-Request-Id", a, sizeof(a)));
	assert_int_equal(req(&S, "HEAD", "/healthz", NULL, NULL, NULL, &r2), 0);
	assert_int_equal(r2.status, 200);
	assert_int_equal(r2.len, 0);
	assert_non_null(resp_header(&r2, "X-Request-Id", b, sizeof(b)));
	assert_string_not_equal(a, b);
	resp_free(&r1);
	resp_free(&r2);
}

static void
test_unknown_path_404(void **state)
{
	static const char *const paths[] = { "/nope", "/api/v1/", "/api/v1/users/", "/healthz/x",
		"/api/v1/users/0", "/api/v1/users/01", "/api/v1/users/-1", "/api/v1/users/abc",
		"/api/v1/users/99999999999999999999999", "//healthz", "/api/v1/tokens/1/x" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(req(&S, "GET", paths[i], admin, NULL, NULL, &r), 0);
		assert_problem(&r, 404);
		resp_free(&r);
	}
	assert_alive();
}

static void
test_wrong_method_405(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{ "POST", "/healthz", "GET, HEAD" },
		{ "DELETE", "/api/v1/users", "GET, HEAD, POST" },
		{ "GET", "/api/v1/auth/login", "POST" },
		{ "PUT", "/api/v1/tokens/5", "GET, HEAD, DELETE" },
		{ "PUT", "/api/v1/users/5", "GET, HEAD, PATCH, DELETE" },
		{ "POST", "/api/v1/settings", "GET, HEAD, PATCH" },
		{ "BREW", "/healthz", "GET, HEAD" },
	};
	char allow[128];
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(req(&S, cases[i].method, cases[i].path, admin, NULL, NULL, &r), 0);
		assert_problem(&r, 405);
		assert_non_null(resp_header(&r, "Allow", allow, sizeof(allow)));
		assert_string_equal(allow, cases[i].allow);
		resp_free(&r);
	}
	assert_alive();
}

static void
test_body_too_large_413(void **state)
{
	char *big = malloc(4096);
	struct resp r;

	(void)state;
	memset(big, ' ', 4095);
	big[0] = '{';
	big[4094] = '}';
	big[4095] = '\0';
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, big, &r), 0);
	assert_problem(&r, 413);
	resp_free(&r);
	/* Under the cap the same kind of body is read and judged on its content. */
	big[1000] = '}';
	big[1001] = '\0';
	big[999] = ' ';
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, big, &r), 0);
	assert_problem(&r, 422);
	resp_free(&r);
	free(big);
	assert_alive();
}

static void
test_chunked_too_large_413(void **state)
{
	static const char head[] = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
	char *msg = malloc(16384), *out = malloc(8192);
	size_t n = 0;
	bool closed;
	int i;

	(void)state;
	n += (size_t)sprintf(msg + n, "%s", head);
	for (i = 0; i < 6; i++) {
		n += (size_t)sprintf(msg + n, "400\r\n");
		memset(msg + n, ' ', 0x400);
		n += 0x400;
		n += (size_t)sprintf(msg + n, "\r\n");
	}
	n += (size_t)sprintf(msg + n, "0\r\n\r\n");
	assert_true(raw_exchange(&S, msg, n, out, 8192, 3000, &closed) > 0);
	assert_non_null(strstr(out, "HTTP/1.1 413"));
	assert_non_null(strstr(out, "application/problem+json"));
	free(msg);
	free(out);
	assert_alive();
}

static void
test_content_type_415(void **state)
{
	static const char *const types[] = { "text/plain", "application/x-www-form-urlencoded",
		NULL, "application/jsonx", "json" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(req(&S, "POST", "/api/v1/auth/login", NULL, types[i],
		    "{\"username\":\"a\",\"password\":\"b\"}", &r), 0);
		assert_problem(&r, 415);
		resp_free(&r);
	}
	/* Parameters and +json types are JSON too. */
	assert_int_equal(req(&S, "POST", "/api/v1/users", admin,
	    "application/json; charset=utf-8", "[]", &r), 0);
	assert_problem(&r, 400);
	resp_free(&r);
	assert_int_equal(req(&S, "PATCH", "/api/v1/users/1", admin,
	    "application/merge-patch+json", "{}", &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_alive();
}

static void
test_malformed_json_400(void **state)
{
	static const char *const bodies[] = { "{", "{\"a\":}", "nope", "{\"a\":1,\"a\":2}",
		"{\"username\":\"\xff\xfe\",\"password\":\"x\"}", "[1,2", "\"str" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, bodies[i], &r), 0);
		assert_problem(&r, 400);
		resp_free(&r);
	}
	/* Valid JSON of the wrong shape is a 400 too, with the field named. */
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":1,\"password\":\"x\",\"extra\":true}", &r), 0);
	assert_problem(&r, 400);
	assert_non_null(json_object_get(json_object_get(r.json, "errors"), "username"));
	assert_non_null(json_object_get(json_object_get(r.json, "errors"), "extra"));
	resp_free(&r);
	assert_alive();
}

static void
test_keepalive_reuses_connection(void **state)
{
	static const char two[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	char out[4096], *second;
	bool closed;

	(void)state;
	/* Both pipelined requests are answered on one connection, and it stays open: the server
	 * never answers on the headers-only first call, which would force Connection: close. */
	assert_true(raw_exchange(&S, two, sizeof(two) - 1, out, sizeof(out), 500, &closed) > 0);
	second = strstr(out + 1, "HTTP/1.1 200");
	assert_non_null(strstr(out, "HTTP/1.1 200"));
	assert_non_null(second);
	assert_null(strstr(out, "Connection: close"));
	assert_false(closed);
}

static void
test_idle_connection_times_out(void **state)
{
	char out[64];
	bool closed;

	(void)state;
	/* --timeout 2: an idle client is dropped, not kept forever. */
	raw_exchange(&S, NULL, 0, out, sizeof(out), 6000, &closed);
	assert_true(closed);
}

static void
test_access_log(void **state)
{
	struct resp r;
	char id[64], needle[128];

	(void)state;
	assert_int_equal(req(&S, "GET", "/api/v1/auth/me", admin, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "X-Request-Id", id, sizeof(id)));
	resp_free(&r);
	assert_int_equal(req(&S, "GET", "/nowhere", NULL, NULL, NULL, &r), 0);
	resp_free(&r);
	/* One JSON object per line (tests/test_api_ops.c parses every one). */
	assert_true(srv_log_has(&S, "\"method\":\"GET\",\"route\":\"/api/v1/auth/me\","
	    "\"path\":\"/api/v1/auth/me\",\"status\":200,"));
	snprintf(needle, sizeof(needle), "\"id\":\"%s\",\"client\":\"127.0.0.1\","
	    "\"user\":\"admin\",", id);
	assert_true(srv_log_has(&S, needle));
	assert_true(srv_log_has(&S, "\"route\":null,\"path\":\"/nowhere\",\"status\":404,"));
}


/* The status of the answer to raw request bytes, read within timeout_ms; 0 for none. */
static int
raw_status(const char *data, int timeout_ms, bool *closed)
{
	char out[4096];

	if (raw_exchange(&S, data, strlen(data), out, sizeof(out), timeout_ms, closed) < 12 ||
	    strncmp(out, "HTTP/1.1 ", 9) != 0)
		return 0;
	return atoi(out + 9);
}

/* Headers announcing a 64 MiB body, then only its first bytes: the answer must come without
 * the rest (the server's idle timeout is 2 s, so a server waiting for it answers nothing). */
static int
announced(const char *method, const char *path, const char *token, const char *length)
{
	char msg[2048], auth[1200] = "";
	bool closed;
	int status;

	if (token != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
	snprintf(msg, sizeof(msg), "%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json"
	    "\r\nContent-Length: %s\r\n\r\n{\"format\":", method, path, auth, length);
	status = raw_status(msg, 1500, &closed);
	/* The rest of the upload is not read: the connection ends with the answer. */
	if (status != 0)
		assert_true(closed);
	return status;
}

static void
test_refused_before_the_body(void **state)
{
	(void)state;
	assert_int_equal(announced("POST", "/api/v1/import", NULL, "67108864"), 401);
	assert_int_equal(announced("POST", "/api/v1/import", "not.a.token", "67108864"), 401);
	assert_int_equal(announced("POST", "/api/v1/vlans", NULL, "67108864"), 401);
	assert_int_equal(announced("PATCH", "/api/v1/users/1", editor, "1000"), 403);
	/* A viewer may not import at all; an editor's import is capped at --max-body (2048 here),
	 * and only an admin's may be a whole plan (--max-import-body, 64 MiB by default). */
	assert_int_equal(announced("POST", "/api/v1/import", viewer, "67108864"), 403);
	assert_int_equal(announced("POST", "/api/v1/import", editor, "67108864"), 413);
	assert_int_equal(announced("POST", "/api/v1/import", editor, "2049"), 413);
	assert_int_equal(announced("POST", "/api/v1/import", admin, "67108865"), 413);
	/* Unknown paths and methods are not read either. */
	assert_int_equal(announced("POST", "/nope", NULL, "67108864"), 404);
	assert_int_equal(announced("POST", "/healthz", NULL, "67108864"), 405);
	/* Login takes a user name and a password, not megabytes. */
	assert_int_equal(announced("POST", "/api/v1/auth/login", NULL, "67108864"), 413);
	/* An admin's plan under the cap is awaited: nothing comes back before the body. */
	assert_int_equal(announced("POST", "/api/v1/import", admin, "67108864"), 0);
	assert_alive();
}

static void
test_import_cap_by_role(void **state)
{
	char *plan = malloc(4096);
	struct resp r;
	int n;

	(void)state;
	/* A valid plan over --max-body (2048) and far under --max-import-body. */
	n = sprintf(plan, "{\"format\":\"netsot-plan/1\",\"vlans\":[");
	while (n < 3000)
		n += sprintf(plan + n, "%s{\"vid\":%d,\"name\":\"v%d\"}", plan[n - 1] == '[' ? "" :
		    ",", 100 + n, 100 + n);
	strcpy(plan + n, "]}");
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=true", editor, plan, &r), 413);
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=true", admin, plan, &r), 200);
	resp_free(&r);
	free(plan);
}

/* A "Name: N kB" line of /proc/<pid>/status, in KiB. */
static long
proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	while (v < 0 && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field));
	fclose(f);
	assert_true(v > 0);
	return v;
}

#define FLOOD_BYTES (64L << 20)

/* One unauthenticated 64 MiB upload, with a length or chunked; returns the bytes the server
 * let it send before the connection ended. */
static void *
flood(void *arg)
{
	static const char cl[] = "POST /api/v1/import HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 67108864\r\n\r\n";
	static const char te[] = "POST /api/v1/import HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
	static char chunk[65536 + 16];
	bool chunked = (intptr_t)arg & 1;
	struct sockaddr_in sa;
	long sent = 0;
	size_t len;
	ssize_t n;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)S.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return (void *)-1L;
	if (send(fd, chunked ? te : cl, strlen(chunked ? te : cl), MSG_NOSIGNAL) <= 0) {
		close(fd);
		return (void *)-1L;
	}
	/* Chunks of 64 KiB: "10000\r\n" and the data; the same bytes serve as a plain body. */
	len = (size_t)sprintf(chunk, "10000\r\n");
	memset(chunk + len, ' ', 65536);
	len += 65536;
	memcpy(chunk + len, "\r\n", 2);
	len += 2;
	while (sent < FLOOD_BYTES && (n = send(fd, chunk, len, MSG_NOSIGNAL)) > 0)
		sent += n;
	close(fd);
	return (void *)sent;
}

/* Unauthenticated 64 MiB uploads, eight at a time, twice: the server refuses each on its
 * headers, so its memory does not grow by more than 32 MiB (before, each was buffered). */
static void
test_unauthenticated_floods_cost_no_memory(void **state)
{
	char path[64];
	pthread_t t[8];
	long before, hwm, rss, sent, most = 0;
	void *res;
	FILE *f;
	int round, i;

	(void)state;
	assert_alive();
	before = proc_kib(S.pid, "VmRSS:");
	/* Start the peak afresh (5 resets VmHWM to the current RSS). */
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)S.pid);
	assert_non_null(f = fopen(path, "w"));
	fputs("5", f);
	fclose(f);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++)
			assert_int_equal(pthread_create(&t[i], NULL, flood, (void *)(intptr_t)i), 0);
		for (i = 0; i < 8; i++) {
			assert_int_equal(pthread_join(t[i], &res), 0);
			sent = (long)res;
			assert_true(sent >= 0);
			most = sent > most ? sent : most;
		}
	}
	hwm = proc_kib(S.pid, "VmHWM:");
	rss = proc_kib(S.pid, "VmRSS:");
	print_message("server RSS before %ld KiB, peak during %ld KiB, after %ld KiB; at most "
	    "%ld bytes of one upload sent\n", before, hwm, rss, most);
	assert_true(hwm - before < 32 * 1024);
	assert_true(rss - before < 32 * 1024);
	/* Cut off: the server took no upload whole. */
	assert_true(most < FLOOD_BYTES);
	assert_alive();
}

static void
test_smuggling_headers_400(void **state)
{
	static const char *const msgs[] = {
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Content-Length: 2\r\nContent-Length: 4\r\n\r\n{}{}",
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
	};
	bool closed;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (raw_status(msgs[i], 2000, &closed) != 400)
			fail_msg("not refused with 400: %s", msgs[i]);
	assert_alive();
}

static void
test_body_on_a_read_413(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(req_json(&S, "GET", "/api/v1/auth/me", admin, "{}", &r), 0);
	assert_problem(&r, 413);
	resp_free(&r);
	assert_int_equal(req_json(&S, "DELETE", "/api/v1/tokens/1", admin, "{}", &r), 0);
	assert_problem(&r, 413);
	resp_free(&r);
}

static void
test_repeated_query_parameters(void **state)
{
	static const char *const refused[] = {
		"/api/v1/vlans?limit=1&limit=2", "/api/v1/vlans?offset=0&offset=5",
		"/api/v1/vlans?ordering=vid&ordering=-vid", "/api/v1/vlans?q=a&q=b",
		"/api/v1/vlans?limit=1&%6cimit=2", "/api/v1/changes?limit=1&limit=1",
		"/api/v1/vlans/1/changes?offset=1&offset=1", "/api/v1/users?limit=1&limit=2",
		"/api/v1/prefixes/1/available-ips?limit=1&limit=2",
		"/api/v1/render/hosts?a=1&a=2", "/api/v1/export?x&x",
	};
	static const char *const allowed[] = {
		"/api/v1/vlans?vid=1&vid=2", "/api/v1/vlans?tag=a&tag=b&limit=5",
		"/api/v1/vlans?name=a&vid=3&name=b",
	};
	char path[160];
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(req(&S, "GET", refused[i], admin, NULL, NULL, &r), 0);
		if (r.status != 400)
			fail_msg("%s: %ld", refused[i], r.status);
		assert_problem(&r, 400);
		resp_free(&r);
	}
	assert_int_equal(req(&S, "GET", "/api/v1/vlans?limit=1&limit=2", admin, NULL, NULL, &r),
	    0);
	assert_non_null(field_error(&r, "limit"));
	resp_free(&r);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		assert_int_equal(req(&S, "GET", allowed[i], admin, NULL, NULL, &r), 0);
		if (r.status != 200)
			fail_msg("%s: %ld", allowed[i], r.status);
		resp_free(&r);
	}
	/* A write's parameters are single too. */
	snprintf(path, sizeof(path), "/api/v1/import?dry_run=true&dry_run=false");
	assert_int_equal(api(&S, "POST", path, admin, "{\"format\":\"netsot-plan/1\"}", &r),
	    400);
	assert_non_null(field_error(&r, "dry_run"));
	resp_free(&r);
}

/* Every route takes only the query parameters it declares: anything else is 400 naming it,
 * a declared one with a bad value is 400 naming it, before the handler runs. */
static void
test_unknown_query_parameters(void **state)
{
	static const struct {
		const char *method, *path, *param;
	} refused[] = {
		{ "GET", "/api/v1/vlans?colour=red", "colour" },
		{ "GET", "/api/v1/vlans?vid__gt=3", "vid__gt" },
		{ "GET", "/api/v1/vlans?name__gte=a", "name__gte" },
		{ "GET", "/api/v1/vlans/1?limit=5", "limit" },
		{ "GET", "/api/v1/vlans/1/changes?bogus=1", "bogus" },
		{ "GET", "/api/v1/changes?tag=x", "tag" },
		{ "GET", "/api/v1/auth/me?x=1", "x" },
		{ "GET", "/api/v1/settings?verbose=true", "verbose" },
		{ "GET", "/api/v1/export?pretty=1", "pretty" },
		{ "GET", "/api/v1/validate?level=error", "level" },
		{ "GET", "/api/v1/inventory?host=router", "host" },
		{ "GET", "/api/v1/render?target=hosts", "target" },
		{ "GET", "/api/v1/render/hosts?host=router", "host" },
		{ "GET", "/api/v1/prefixes/1/available-ips?offset=3", "offset" },
		{ "GET", "/api/v1/prefixes/1/available-ips?limit=0", "limit" },
		{ "GET", "/api/v1/prefixes/1/available-ips?limit=1001", "limit" },
		{ "GET", "/api/v1/vlans?limit=abc", "limit" },
		{ "GET", "/api/v1/vlans?offset=-1", "offset" },
		{ "GET", "/api/v1/wan-links?enabled=yes", "enabled" },
		{ "DELETE", "/api/v1/vlans/999?force=true", "force" },
		{ "POST", "/api/v1/import?dry_run=maybe", "dry_run" },
		{ "POST", "/api/v1/import?mode=overwrite", "mode" },
		{ "POST", "/api/v1/import?dryrun=true", "dryrun" },
	};
	static const char *const taken[] = {
		"/api/v1/ports?speed_mbps__gte=100&nic=i350-T4", "/api/v1/prefixes?dhcp=true",
		"/api/v1/firewall-rules?log=false&src_host_id=1&priority__lte=10",
		"/api/v1/changes?object_id__gte=1&action=create", "/api/v1/vlans/1/changes?limit=5",
		"/api/v1/wan-links?enabled=1", "/api/v1/ip-ranges?end_address=10.0.0.9",
	};
	struct resp r;
	size_t i;
	const char *plan = "{\"format\":\"netsot-plan/1\"}";
	long st;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		st = api(&S, refused[i].method, refused[i].path, admin,
		    strcmp(refused[i].method, "POST") == 0 ? plan : NULL, &r);
		if (st != 400 || field_error(&r, refused[i].param) == NULL)
			fail_msg("%s %s: %ld %s", refused[i].method, refused[i].path, st, r.body);
		resp_free(&r);
	}
	/* The detail names an unknown one too, for clients that show only the detail; a render
	 * target's parameters are its own (render.c's table), an unknown target stays 404. */
	assert_int_equal(api(&S, "GET", "/api/v1/vlans/1?colour=red", admin, NULL, &r), 400);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "colour"));
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/render/nftables?zone=local", admin, NULL, &r),
	    400);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "zone"));
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/render/nosuch?zone=local", admin, NULL, &r),
	    404);
	resp_free(&r);
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		assert_int_equal(req(&S, "GET", taken[i], admin, NULL, NULL, &r), 0);
		if (r.status != 200)
			fail_msg("%s: %ld %s", taken[i], r.status, r.body);
		resp_free(&r);
	}
	/* The dry run parses its boolean the same way lists do: nothing is written. */
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=1&mode=merge", admin,
	    "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":77,\"name\":\"dry\"}]}", &r),
	    200);
	assert_true(json_is_true(json_object_get(r.json, "dry_run")));
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/vlans?vid=77", admin, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
}

/* The contract is served as built in, without a token. */
static void
test_openapi_served(void **state)
{
	char ctype[64], *file;
	struct resp r;
	size_t len;

	(void)state;
	file = read_file(NETSOT_SOURCE_DIR "/api/openapi.yaml", &len);
	assert_non_null(file);
	assert_int_equal(req(&S, "GET", "/api/v1/openapi.yaml", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "Content-Type", ctype, sizeof(ctype)));
	assert_string_equal(ctype, "application/yaml");
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, file, len);
	resp_free(&r);
	assert_int_equal(req(&S, "GET", "/api/v1/openapi.yaml?x=1", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	assert_int_equal(req(&S, "POST", "/api/v1/openapi.yaml", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 405);
	resp_free(&r);
	free(file);
}

/* How many times a header is in a response, case-insensitively. */
static int
header_count(const struct resp *r, const char *name)
{
	const char *p = r->headers;
	size_t n = strlen(name);
	int count = 0;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return count;
}

/* An answer with an ETag may be kept but is revalidated each time (private: it answered a
 * token); others are not kept; the web UI's files say no-cache. One header each time. */
static void
test_cache_control(void **state)
{
	static const struct {
		const char *path;
		const char *token;
		const char *want;
	} cases[] = {
		{ "/api/v1/settings", "vi", "private, no-cache" },
		{ "/api/v1/render/hosts", "vi", "private, no-cache" },
		{ "/api/v1/vlans/424242", "vi", "no-store" },
		{ "/api/v1/vlans", NULL, "no-store" },
		{ "/", NULL, "no-cache" },
		{ "/healthz", NULL, "no-store" },
	};
	char buf[128], etag[128], hdr[160];
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(req(&S, "GET", cases[i].path, cases[i].token ? viewer : NULL, NULL,
		    NULL, &r), 0);
		if (header_count(&r, "Cache-Control") != 1 ||
		    resp_header(&r, "Cache-Control", buf, sizeof(buf)) == NULL ||
		    strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: Cache-Control %s (%d of them), want %s", cases[i].path, buf,
			    header_count(&r, "Cache-Control"), cases[i].want);
		resp_free(&r);
	}
	/* The kept copy is revalidated: If-None-Match gets a 304, itself revalidatable. */
	assert_int_equal(req(&S, "GET", "/api/v1/settings", viewer, NULL, NULL, &r), 0);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "GET", "/api/v1/settings", viewer, hdr, NULL, &r), 0);
	assert_int_equal(r.status, 304);
	assert_non_null(resp_header(&r, "Cache-Control", buf, sizeof(buf)));
	assert_string_equal(buf, "private, no-cache");
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_unknown_path_404),
		cmocka_unit_test(test_wrong_method_405),
		cmocka_unit_test(test_body_too_large_413),
		cmocka_unit_test(test_chunked_too_large_413),
		cmocka_unit_test(test_content_type_415),
		cmocka_unit_test(test_malformed_json_400),
		cmocka_unit_test(test_keepalive_reuses_connection),
		cmocka_unit_test(test_idle_connection_times_out),
		cmocka_unit_test(test_access_log),
		cmocka_unit_test(test_refused_before_the_body),
		cmocka_unit_test(test_import_cap_by_role),
		cmocka_unit_test(test_unauthenticated_floods_cost_no_memory),
		cmocka_unit_test(test_smuggling_headers_400),
		cmocka_unit_test(test_body_on_a_read_413),
		cmocka_unit_test(test_repeated_query_parameters),
		cmocka_unit_test(test_unknown_query_parameters),
		cmocka_unit_test(test_openapi_served),
		cmocka_unit_test(test_cache_control),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
