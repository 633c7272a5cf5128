/* GET /api/v1/render/{name}?wait=SECONDS with If-None-Match: 500 clients held at once without a
 * thread each, every one woken with 200 and the new ETag by a change to its render, a client
 * of another render left waiting, a write by another connection seen, 304 at the deadline,
 * held connections outliving the idle timeout, bad waits refused, a clean stop while held. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define CLIENTS 500

static struct srv S;
static char *ed;

/* One raw client: its socket, what it has read, and when its answer's head was complete. */
struct client {
	int fd;
	char buf[2048];
	size_t len;
	uint64_t done;     /* clock_usec() when the head came, 0 while waiting */
};

static int
client_open(const char *path, const char *etag, struct client *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)S.port) };
	char req[1024];
	int n;

	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -1;
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Bearer %s\r\nIf-None-Match: %s\r\n\r\n", path, ed, etag);
	if (write(c->fd, req, (size_t)n) != n)
		return -1;
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Reads what has come; true once the answer's head is complete (or the server closed). */
static bool
client_read(struct client *c)
{
	ssize_t n;

	while (!c->done && (n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len)) > 0) {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		if (strstr(c->buf, "\r\n\r\n") != NULL || c->len == sizeof(c->buf) - 1)
			c->done = clock_usec();
	}
	if (!c->done && n == 0)
		c->done = clock_usec();
	return c->done != 0;
}

/* Polls the clients for ms milliseconds or until every one has its answer; returns how many
 * have one. */
static int
clients_poll(struct client *c, int n, int ms)
{
	struct pollfd pfd[CLIENTS + 8];
	uint64_t end = clock_usec() + (uint64_t)ms * 1000;
	int i, k, done;

	for (;;) {
		for (i = 0, k = 0, done = 0; i < n; i++) {
			if (c[i].done) {
				done++;
				continue;
			}
			pfd[k].fd = c[i].fd;
			pfd[k++].events = POLLIN;
		}
		if (k == 0 || clock_usec() >= end)
			return done;
		poll(pfd, (nfds_t)k, (int)((end - clock_usec()) / 1000) + 1);
		for (i = 0; i < n; i++)
			if (!c[i].done)
				client_read(&c[i]);
	}
}

static int
client_status(const struct client *c)
{
	return strncmp(c->buf, "HTTP/1.1 ", 9) == 0 ? atoi(c->buf + 9) : -1;
}

/* The answer's ETag into out ("" when it has none). */
static void
client_etag(const struct client *c, char *out, size_t len)
{
	const char *p = strcasestr(c->buf, "\r\nETag: ");
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 8;
	n = strcspn(p, "\r\n");
	snprintf(out, len, "%.*s", (int)n, p);
}

static void
etag_of_render(const char *path, char *out)
{
	struct resp r;

	assert_int_equal(req(&S, "GET", path, ed, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "ETag", out, 64));
	resp_free(&r);
}

static long
server_threads(void)
{
	char path[64], line[256];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)S.pid);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Threads:", 8) == 0)
			n = strtol(line + 8, NULL, 10);
	fclose(f);
	return n;
}

static int
setup(void **state)
{
	/* An idle timeout shorter than the waits: held connections must outlive it. */
	static const char *const flags[] = { "--timeout", "2", "--threads", "2", NULL };
	struct rlimit rl;

	(void)state;
	/* 500 sockets here besides the harness's. */
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	srv_up(&S, flags, &ed, NULL);
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.9.0.0/24\"}");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, NULL);
	return 0;
}

/* 500 held on dnsmasq, one on mwan3 (which reads no address): one address with a DNS name
 * wakes the 500 with the new ETag and leaves mwan3 waiting until its deadline. */
static void
test_many_wake_on_change(void **state)
{
	static struct client c[CLIENTS], m;
	char etag[64], mwan[64], now[64], got[64];
	uint64_t t_change, t_m0, slowest = 0;
	long threads;
	int i;

	(void)state;
	etag_of_render("/api/v1/render/dnsmasq", etag);
	etag_of_render("/api/v1/render/mwan3", mwan);
	t_m0 = clock_usec();
	assert_int_equal(client_open("/api/v1/render/mwan3?wait=5", mwan, &m), 0);
	for (i = 0; i < CLIENTS; i++)
		if (client_open("/api/v1/render/dnsmasq?wait=60", etag, &c[i]) == -1)
			fail_msg("client %d: %s", i, strerror(errno));
	/* Past the idle timeout (2 s), every one still waits, on a bounded number of threads
	 * (2 workers, the watcher, the main thread and a few of SQLite's and libc's). */
	assert_int_equal(clients_poll(c, CLIENTS, 2500), 0);
	assert_false(client_read(&m));
	threads = server_threads();
	print_message("server threads while %d wait: %ld\n", CLIENTS + 1, threads);
	assert_true(threads > 0 && threads <= 8);

	t_change = clock_usec();
	api_create(&S, ed, "/api/v1/ip-addresses", "{\"address\":\"10.9.0.5\","
	    "\"dns_name\":\"woken.example.net\"}");
	assert_int_equal(clients_poll(c, CLIENTS, 10000), CLIENTS);
	etag_of_render("/api/v1/render/dnsmasq", now);
	assert_string_not_equal(now, etag);
	for (i = 0; i < CLIENTS; i++) {
		if (client_status(&c[i]) != 200)
			fail_msg("client %d: %.80s", i, c[i].buf);
		client_etag(&c[i], got, sizeof(got));
		assert_string_equal(got, now);
		if (c[i].done - t_change > slowest)
			slowest = c[i].done - t_change;
		client_close(&c[i]);
	}
	print_message("%d clients woken, the last %.0f ms after the change\n", CLIENTS,
	    (double)slowest / 1000);
	assert_true(slowest < 5000000);
	/* mwan3 read nothing that changed: it waits on, then answers 304 at its deadline. */
	assert_int_equal(clients_poll(&m, 1, 300), 0);
	assert_int_equal(clients_poll(&m, 1, 8000), 1);
	assert_int_equal(client_status(&m), 304);
	client_etag(&m, got, sizeof(got));
	assert_string_equal(got, mwan);
	assert_true(m.done - t_m0 >= 4800000 && m.done - t_m0 < 7000000);
	client_close(&m);
}

/* A write by another connection (as the CLI or a hand edit would make) is seen by the
 * watcher's poll of the database's change counter. */
static void
test_other_writer(void **state)
{
	struct client c;
	char etag[64], got[64];

	(void)state;
	etag_of_render("/api/v1/render/hosts", etag);
	assert_int_equal(client_open("/api/v1/render/hosts?wait=30", etag, &c), 0);
	assert_int_equal(clients_poll(&c, 1, 500), 0);
	srv_sql(&S, "UPDATE ip_addresses SET dns_name = 'renamed.example.net' "
	    "WHERE address = '10.9.0.5'");
	assert_int_equal(clients_poll(&c, 1, 3000), 1);
	assert_int_equal(client_status(&c), 200);
	client_etag(&c, got, sizeof(got));
	assert_string_not_equal(got, etag);
	assert_non_null(strstr(c.buf, "\r\n\r\n"));
	client_close(&c);
}

/* What is answered at once: no If-None-Match, one that is not current, bad waits; and
 * wait=1 with nothing changing is a 304 after about a second. */
static void
test_at_once(void **state)
{
	static const char *const bad[] = { "301", "-1", "abc", "1.5", "", NULL };
	char etag[64], path[128], hdr[128];
	struct resp r;
	uint64_t t0;
	int i;

	(void)state;
	etag_of_render("/api/v1/render/dnsmasq", etag);
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(path, sizeof(path), "/api/v1/render/dnsmasq?wait=%s", bad[i]);
		assert_int_equal(req(&S, "GET", path, ed, NULL, NULL, &r), 0);
		assert_problem(&r, 400);
		assert_non_null(field_error(&r, "wait"));
		resp_free(&r);
	}
	t0 = clock_usec();
	assert_int_equal(req(&S, "GET", "/api/v1/render/dnsmasq?wait=30", ed, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_int_equal(req_hdr(&S, "GET", "/api/v1/render/dnsmasq?wait=30", ed,
	    "If-None-Match: \"stale\"", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_true(clock_usec() - t0 < 1500000);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	t0 = clock_usec();
	assert_int_equal(req_hdr(&S, "GET", "/api/v1/render/dnsmasq?wait=1", ed, hdr, NULL,
	    &r), 0);
	assert_int_equal(r.status, 304);
	resp_free(&r);
	assert_true(clock_usec() - t0 >= 950000 && clock_usec() - t0 < 2500000);
	/* The inventory route takes it too. */
	assert_int_equal(req(&S, "GET", "/api/v1/inventory?wait=400", ed, NULL, NULL, &r), 0);
	assert_problem(&r, 400);
	resp_free(&r);
}

/* The server stops cleanly (exit 0, checked by srv_stop) with requests held, and each held
 * connection is answered or closed. */
static void
test_stop_while_held(void **state)
{
	struct client c[20];
	char etag[64];
	int i;

	(void)state;
	etag_of_render("/api/v1/render/dnsmasq", etag);
	for (i = 0; i < 20; i++)
		assert_int_equal(client_open("/api/v1/render/dnsmasq?wait=300", etag, &c[i]), 0);
	assert_int_equal(clients_poll(c, 20, 500), 0);
	srv_stop(&S);
	assert_int_equal(clients_poll(c, 20, 3000), 20);
	for (i = 0; i < 20; i++)
		client_close(&c[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_once),
		cmocka_unit_test(test_many_wake_on_change),
		cmocka_unit_test(test_other_writer),
		cmocka_unit_test(test_stop_while_held),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
