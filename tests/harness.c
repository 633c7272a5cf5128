#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <sqlite3.h>

#include "sbuf.h"

static char *
slurp(const char *path)
{
	struct sbuf sb;
	char buf[4096];
	ssize_t n;
	int fd;

	sbuf_init(&sb, 0);
	sbuf_puts(&sb, "");
	if ((fd = open(path, O_RDONLY)) != -1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			sbuf_append(&sb, buf, (size_t)n);
		close(fd);
	}
	return sbuf_take(&sb, NULL);
}

void
srv_up(struct srv *s, const char *const *flags, char **ed, char **vi)
{
	srv_prepare(s);
	srv_add_user(s, "ed", "editor", TEST_PASSWORD);
	if (vi != NULL)
		srv_add_user(s, "vi", "viewer", TEST_PASSWORD);
	srv_start(s, flags);
	*ed = login(s, "ed", TEST_PASSWORD);
	if (vi != NULL)
		*vi = login(s, "vi", TEST_PASSWORD);
}

void
srv_down(struct srv *s, char *ed, char *vi)
{
	free(ed);
	free(vi);
	srv_stop(s);
	srv_cleanup(s);
}

char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

void
srv_sql(struct srv *s, const char *sql)
{
	char *msg = NULL;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(s->db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

char *
srv_log(struct srv *s)
{
	return slurp(s->log);
}

bool
srv_log_has(struct srv *s, const char *needle)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	bool found = false;
	char *log;
	int i;

	for (i = 0; i < 500 && !found; i++) {
		log = slurp(s->log);
		found = strstr(log, needle) != NULL;
		free(log);
		if (!found)
			nanosleep(&pause, NULL);
	}
	return found;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int
run_netsot(const char *const *args, const char *input, char **out, char **err)
{
	char dir[] = "/tmp/netsot-run-XXXXXX", in[64], o[64], e[64];
	const char *argv[32];
	int status, fd, i;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if (input != NULL)
		assert_int_equal(write(fd, input, strlen(input)), (ssize_t)strlen(input));
	close(fd);
	argv[0] = NETSOT_BIN;
	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fi = open(in, O_RDONLY), fo = open(o, O_WRONLY | O_CREAT, 0600),
		    fe = open(e, O_WRONLY | O_CREAT, 0600);

		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(NETSOT_BIN, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out != NULL)
		*out = slurp(o);
	if (err != NULL)
		*err = slurp(e);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void
srv_prepare(struct srv *s)
{
	const char *args[] = { "migrate", "--db", s->db, NULL };

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/netsot-test-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->db, sizeof(s->db), "%s/netsot.db", s->dir);
	snprintf(s->key, sizeof(s->key), "%s.jwtkey", s->db);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	assert_int_equal(run_netsot(args, NULL, NULL, NULL), 0);
}

void
srv_add_user(struct srv *s, const char *name, const char *role, const char *password)
{
	const char *args[] = { "user", "add", name, "--role", role, "--password-stdin",
		"--db", s->db, NULL };
	char *err = NULL;
	int rc = run_netsot(args, password, NULL, &err);

	if (rc != 0)
		fprintf(stderr, "user add failed: %s\n", err);
	free(err);
	assert_int_equal(rc, 0);
}

void
srv_start(struct srv *s, const char *const *flags)
{
	const char *argv[40] = { NETSOT_BIN, "serve", "--db", s->db, "--listen", "127.0.0.1:0" };
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int i, n = 6, tries, before = 0;
	char *log, *p;

	/* How many starts the log already names. */
	if ((log = slurp(s->log)) != NULL) {
		for (p = strstr(log, "(port "); p != NULL; p = strstr(p + 1, "(port "))
			before++;
		free(log);
	}
	for (i = 0; flags != NULL && flags[i] != NULL && n < 38; i++)
		argv[n++] = flags[i];
	argv[n] = NULL;
	s->port = 0;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		execv(NETSOT_BIN, (char *const *)argv);
		_exit(127);
	}
	/* Wait for the line that names the port; sanitizer builds start slowly. */
	for (tries = 0; tries < 1000 && s->port == 0; tries++) {
		int status;

		nanosleep(&pause, NULL);
		log = slurp(s->log);
		/* This start's line: a restarted server appends to the same log. */
		for (i = 0, p = strstr(log, "(port "); p != NULL; p = strstr(p + 1, "(port "))
			if (++i > before)
				s->port = atoi(p + 6);
		free(log);
		if (s->port == 0 && waitpid(s->pid, &status, WNOHANG) == s->pid) {
			log = slurp(s->log);
			fprintf(stderr, "netsot exited early:\n%s\n", log);
			free(log);
			s->pid = 0;
			fail();
		}
	}
	assert_true(s->port > 0);
}

void
srv_stop(struct srv *s)
{
	int status;

	if (s->pid <= 0)
		return;
	assert_int_equal(kill(s->pid, SIGTERM), 0);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	s->pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

void
srv_cleanup(struct srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0] != '\0' && getenv("NETSOT_KEEP_TEST_DIRS") == NULL)
		nftw(s->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static size_t
collect(char *data, size_t size, size_t n, void *p)
{
	return sbuf_append(p, data, size * n) == 0 ? size * n : 0;
}

/* One handle for the whole test program, so keep-alive connections are reused as a client's
 * would be. */
static CURL *harness_curl;

static int req_full(struct srv *s, const char *method, const char *path, const char *token,
    const char *ctype, const char *extra, const char *body, struct resp *r);

int
req(struct srv *s, const char *method, const char *path, const char *token,
    const char *ctype, const char *body, struct resp *r)
{
	return req_full(s, method, path, token, ctype, NULL, body, r);
}

int
req_hdr(struct srv *s, const char *method, const char *path, const char *token,
    const char *header, const char *body, struct resp *r)
{
	return req_full(s, method, path, token, "application/json", header, body, r);
}

static int
req_full(struct srv *s, const char *method, const char *path, const char *token,
    const char *ctype, const char *extra, const char *body, struct resp *r)
{
	struct curl_slist *h = NULL;
	struct sbuf b, hd;
	char url[2048], line[4200];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (harness_curl == NULL) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		harness_curl = curl_easy_init();
	}
	curl_easy_reset(harness_curl);
	sbuf_init(&b, 0);
	sbuf_init(&hd, 0);
	sbuf_puts(&b, "");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	curl_easy_setopt(harness_curl, CURLOPT_URL, url);
	curl_easy_setopt(harness_curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(harness_curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(harness_curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(harness_curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(harness_curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(harness_curl, CURLOPT_HEADERDATA, &hd);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(harness_curl, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(harness_curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(harness_curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(harness_curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	snprintf(line, sizeof(line), "Content-Type:%s%s", ctype ? " " : "", ctype ? ctype : "");
	h = curl_slist_append(h, line);
	if (token != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, line);
	}
	h = curl_slist_append(h, "Expect:");
	if (extra != NULL)
		h = curl_slist_append(h, extra);
	curl_easy_setopt(harness_curl, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(harness_curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		sbuf_free(&b);
		sbuf_free(&hd);
		return -1;
	}
	curl_easy_getinfo(harness_curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = sbuf_take(&b, &r->len);
	r->headers = sbuf_take(&hd, NULL);
	if (r->len > 0)
		r->json = json_loadb(r->body, r->len, 0, NULL);
	return 0;
}

int
req_json(struct srv *s, const char *method, const char *path, const char *token,
    const char *body, struct resp *r)
{
	return req(s, method, path, token, "application/json", body, r);
}

void
resp_free(struct resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
resp_header(const struct resp *r, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t vl;

			while (*v == ' ')
				v++;
			vl = strcspn(v, "\r\n");
			snprintf(buf, len, "%.*s", (int)vl, v);
			return buf;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

char *
login(struct srv *s, const char *user, const char *password)
{
	struct resp r;
	char body[512];
	char *tok;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	assert_int_equal(req_json(s, "POST", "/api/v1/auth/login", NULL, body, &r), 0);
	if (r.status != 200)
		fprintf(stderr, "login %s: %ld %s\n", user, r.status, r.body);
	assert_int_equal(r.status, 200);
	tok = strdup(json_string_value(json_object_get(r.json, "access_token")));
	resp_free(&r);
	return tok;
}

void
assert_problem(const struct resp *r, long status)
{
	char buf[256];

	if (r->status != status)
		fprintf(stderr, "expected %ld, got %ld: %s\n", status, r->status, r->body);
	assert_int_equal(r->status, status);
	assert_non_null(resp_header(r, "Content-Type", buf, sizeof(buf)));
	assert_string_equal(buf, "application/problem+json");
	assert_non_null(resp_header(r, "X-Request-Id", buf, sizeof(buf)));
	assert_non_null(r->json);
	assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(json_string_value(json_object_get(r->json, "title")));
	assert_non_null(json_string_value(json_object_get(r->json, "type")));
	assert_true(json_string_length(json_object_get(r->json, "detail")) > 0);
}

ssize_t
raw_exchange(struct srv *s, const char *data, size_t len, char *out, size_t outlen,
    int timeout_ms, bool *closed)
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int fd;

	*closed = false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (len > 0)
		assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got + 1 < outlen && poll(&pfd, 1, timeout_ms) == 1) {
		n = recv(fd, out + got, outlen - got - 1, 0);
		if (n <= 0) {
			*closed = true;
			break;
		}
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

long
api(struct srv *s, const char *method, const char *path, const char *token, const char *body,
    struct resp *out)
{
	struct resp r;
	long st;

	assert_int_equal(req_json(s, method, path, token, body, &r), 0);
	st = r.status;
	if (st >= 400)
		assert_problem(&r, st);
	if (out != NULL)
		*out = r;
	else
		resp_free(&r);
	return st;
}

const char *
field_error(const struct resp *r, const char *field)
{
	return json_string_value(json_object_get(json_object_get(r->json, "errors"), field));
}

long long
api_count(struct srv *s, const char *token, const char *path)
{
	struct resp r;
	long long n;

	if (api(s, "GET", path, token, NULL, &r) != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	n = json_integer_value(json_object_get(r.json, "count"));
	resp_free(&r);
	return n;
}

long long
api_first_id(struct srv *s, const char *token, const char *path)
{
	struct resp r;
	long long id;

	if (api(s, "GET", path, token, NULL, &r) != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	if (json_array_size(json_object_get(r.json, "results")) == 0)
		fail_msg("GET %s: no object", path);
	id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json,
	    "results"), 0), "id"));
	resp_free(&r);
	return id;
}

long long
api_create(struct srv *s, const char *token, const char *path, const char *fmt, ...)
{
	char body[2048];
	struct resp r;
	long long id;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (api(s, "POST", path, token, body, &r) != 201)
		fail_msg("POST %s %s: %ld %s", path, body, r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	return id;
}
