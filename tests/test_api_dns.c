/* DNS zones and records, derived records, serials, and settings against the real server. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PW TEST_PASSWORD
/* The server's limits (dnszone.h): TXT bytes in quotes, CNAME chain links. */
#define DNS_TXT_MAX 750
#define DNS_CHAIN_MAX 8

static struct srv S;
static char *ed, *vi;
static long long zlocal, zrev, zsvc, addr;

/* Creates as the editor. */
#define create(...) api_create(&S, ed, __VA_ARGS__)

static long long
serial(long long zone)
{
	char path[64];
	struct resp r;
	long long s;

	snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld", zone);
	assert_int_equal(api(&S, "GET", path, vi, NULL, &r), 200);
	s = json_integer_value(json_object_get(r.json, "serial"));
	resp_free(&r);
	return s;
}

/* The zone's records as "source type name value" lines, for easy asserts. */
static char *
records(long long zone)
{
	static char buf[4096];
	char path[64];
	struct resp r;
	size_t i, n = 0;
	json_t *rec;

	snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld/records", zone);
	assert_int_equal(api(&S, "GET", path, vi, NULL, &r), 200);
	buf[0] = '\0';
	json_array_foreach(json_object_get(r.json, "results"), i, rec)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s %s %s\n",
		    json_string_value(json_object_get(rec, "source")),
		    json_string_value(json_object_get(rec, "type")),
		    json_string_value(json_object_get(rec, "name")),
		    json_string_value(json_object_get(rec, "value")));
	resp_free(&r);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	srv_up(&S, NULL, &ed, &vi);
	create("/api/v1/prefixes", "{\"prefix\":\"192.168.1.0/24\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"10.43.0.0/16\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"fd00::/64\"}");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, vi);
	return 0;
}

static void
test_zones(void **state)
{
	char today[16];
	struct resp r;
	time_t now = time(NULL);
	struct tm tm;

	(void)state;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y%m%d01", &tm);
	/* The default name server ns1.local is inside the zone: it needs an address first. */
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"local\"}", &r),
	    422);
	assert_non_null(field_error(&r, "soa_mname"));
	resp_free(&r);
	create("/api/v1/ip-addresses", "{\"address\":\"192.168.1.53\",\"dns_name\":\"ns1.local\"}");
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"local\"}", &r),
	    201);
	zlocal = json_integer_value(json_object_get(r.json, "id"));
	/* Sane SOA defaults, and a YYYYMMDDnn serial starting today. */
	assert_string_equal(json_string_value(json_object_get(r.json, "soa_mname")), "ns1.local.");
	assert_string_equal(json_string_value(json_object_get(r.json, "soa_rname")),
	    "hostmaster.local.");
	assert_int_equal(json_integer_value(json_object_get(r.json, "serial")), atoll(today));
	resp_free(&r);
	zrev = create("/api/v1/dns-zones", "{\"name\":\"1.168.192.in-addr.arpa\","
	    "\"soa_mname\":\"ns1.local.\"}");
	zsvc = create("/api/v1/dns-zones", "{\"name\":\"svc.cluster.local\",\"ttl\":60,"
	    "\"soa_mname\":\"ns1.local.\"}");
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"bad_zone\"}", NULL),
	    422);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"local\"}", NULL),
	    409);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"x.test\","
	    "\"refresh\":1}", NULL), 422);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"x.test\","
	    "\"serial\":5}", NULL), 400);
}

static void
test_derived_records_and_serials(void **state)
{
	long long s1, s2, sr;
	char path[64];

	(void)state;
	s1 = serial(zlocal);
	sr = serial(zrev);
	addr = create("/api/v1/ip-addresses", "{\"address\":\"192.168.1.60\","
	    "\"dns_name\":\"git.local\"}");
	/* The address derives an A record into local and a PTR into the reverse zone, and both
	 * zones' serials move in the same transaction. */
	assert_non_null(strstr(records(zlocal), "derived A git 192.168.1.60\n"));
	assert_non_null(strstr(records(zrev), "derived PTR 60 git.local.\n"));
	assert_true(serial(zlocal) > s1);
	assert_true(serial(zrev) > sr);
	/* The most specific zone takes a name; the parent zone does not repeat it. */
	create("/api/v1/ip-addresses", "{\"address\":\"10.43.0.10\","
	    "\"dns_name\":\"kube-dns.kube-system.svc.cluster.local\"}");
	assert_non_null(strstr(records(zsvc), "derived A kube-dns.kube-system 10.43.0.10\n"));
	assert_null(strstr(records(zlocal), "kube-dns"));
	create("/api/v1/ip-addresses", "{\"address\":\"fd00::5\",\"dns_name\":\"nas.local\"}");
	assert_non_null(strstr(records(zlocal), "derived AAAA nas fd00::5\n"));
	/* A change that touches neither name nor address leaves the serial alone. */
	s2 = serial(zlocal);
	snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", addr);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"description\":\"Gitea\"}", NULL), 200);
	assert_int_equal(serial(zlocal), s2);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"dns_name\":\"gitea.local\"}", NULL), 200);
	assert_true(serial(zlocal) > s2);
	assert_non_null(strstr(records(zlocal), "derived A gitea 192.168.1.60\n"));
	assert_null(strstr(records(zlocal), "derived A git 192"));
}

static void
test_stored_records(void **state)
{
	char body[256], path[128];
	struct resp r;
	long long s, rec, mail;

	(void)state;
	s = serial(zlocal);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"git\",\"type\":\"CNAME\","
	    "\"value\":\"gitea.local.\"}", zlocal);
	rec = create("/api/v1/dns-records", "%s", body);
	assert_true(serial(zlocal) > s);
	assert_non_null(strstr(records(zlocal), "stored CNAME git gitea.local.\n"));
	/* A CNAME owns its name: against stored and derived records alike. */
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"git\",\"type\":\"TXT\","
	    "\"value\":\"hello\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 409);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"gitea\",\"type\":\"CNAME\","
	    "\"value\":\"elsewhere.local.\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, NULL), 409);
	/* Values must fit their type. */
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"v4\",\"type\":\"A\","
	    "\"value\":\"fd00::1\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
	assert_non_null(field_error(&r, "value"));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"v6\",\"type\":\"AAAA\","
	    "\"value\":\"192.168.1.1\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, NULL), 422);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"bad name\",\"type\":\"TXT\","
	    "\"value\":\"x\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, NULL), 422);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"@\",\"type\":\"MX\","
	    "\"value\":\"mail.local.\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, NULL), 422);
	/* named-checkzone -i local: an MX target inside the zone needs an address. */
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"@\",\"type\":\"MX\","
	    "\"value\":\"10 mail.local.\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
	assert_non_null(field_error(&r, "value"));
	resp_free(&r);
	snprintf(path, sizeof(path), "{\"zone_id\":%lld,\"name\":\"mail\",\"type\":\"A\","
	    "\"value\":\"192.168.1.25\"}", zlocal);
	mail = create("/api/v1/dns-records", "%s", path);
	create("/api/v1/dns-records", "%s", body);
	/* ... and keeps it: the A record cannot go while the MX points to it. */
	snprintf(path, sizeof(path), "/api/v1/dns-records/%lld", mail);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"name\":\"mx\"}", &r), 409);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"sip\",\"type\":\"AAAA\","
	    "\"value\":\"fd00::25\"}", zlocal);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"_sip._tcp\",\"type\":\"SRV\","
	    "\"value\":\"10 5 5060 sip.local.\",\"ttl\":300}", zlocal);
	create("/api/v1/dns-records", "%s", body);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"x\",\"type\":\"TXT\","
	    "\"value\":\"a\",\"ttl\":-1}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, NULL), 422);
	/* Deleting a record moves the serial too; a zone with records cannot go. */
	s = serial(zlocal);
	snprintf(path, sizeof(path), "/api/v1/dns-records/%lld", rec);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, NULL), 204);
	assert_true(serial(zlocal) > s);
	snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld", zlocal);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
	assert_non_null(field_error(&r, "dns-records"));
	resp_free(&r);
}

static void
test_settings(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/settings", vi, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "forward_default_action")),
	    "drop");
	assert_true(json_is_true(json_object_get(r.json, "log_denied")));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"reject\",\"log_denied\":false}", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "forward_default_action")),
	    "reject");
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"maybe\"}", NULL), 422);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed, "{\"log_denied\":\"no\"}", NULL),
	    400);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed, "{\"colour\":\"red\"}", NULL),
	    400);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", vi, "{\"log_denied\":true}", NULL),
	    403);
	assert_int_equal(api(&S, "PUT", "/api/v1/settings", ed, "{}", NULL), 405);
	/* Failed patches changed nothing; the change is in the audit log. */
	assert_int_equal(api(&S, "GET", "/api/v1/settings", vi, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "forward_default_action")),
	    "reject");
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/changes?object_type=settings", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	resp_free(&r);
}


/* ---- what the API accepts renders into files dnsmasq and BIND accept, TXT kept exactly ---- */

/* Runs a shell command quietly; its exit status. */
static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Fetches a render into S.dir/name; returns the path (static). */
static const char *
render_to(const char *target, const char *name)
{
	static char file[256];
	char path[160];
	struct resp r;
	FILE *f;

	snprintf(path, sizeof(path), "/api/v1/render/%s", target);
	assert_int_equal(req(&S, "GET", path, vi, NULL, NULL, &r), 0);
	if (r.status != 200)
		fprintf(stderr, "render %s: %ld %s\n", target, r.status, r.body);
	assert_int_equal(r.status, 200);
	snprintf(file, sizeof(file), "%s/%s", S.dir, name);
	assert_non_null(f = fopen(file, "w"));
	assert_int_equal(fwrite(r.body, 1, r.len, f), r.len);
	fclose(f);
	resp_free(&r);
	return file;
}

/* Both consumers accept both files. */
static void
consumers_accept(void)
{
	const char *f = render_to("dnsmasq", "dnsmasq.conf");

	assert_int_equal(sh("dnsmasq --test -C %s 2>&1", f), 0);
	f = render_to("bind?zone=local", "local.zone");
	assert_int_equal(sh("named-checkzone -k fail -i local local %s", f), 0);
	f = render_to("hosts", "hosts");
	(void)f;
}

/* The TXT strings of a named-compilezone line ("owner. TTL IN TXT "a" "b\"c\195""), unescaped
 * into out and their lengths into lens; the number of strings, -1 when none. */
static int
txt_parse(const char *line, char *out, size_t len, int *lens, int maxn)
{
	const char *p = strstr(line, "TXT");
	size_t n = 0;
	int k = 0, start;

	if (p == NULL)
		return -1;
	for (p += 3; *p != '\0' && *p != '\n'; p++) {
		if (*p != '"')
			continue;
		start = (int)n;
		for (p++; *p != '"'; p++) {
			assert_true(*p != '\0' && n + 1 < len);
			if (*p == '\\' && p[1] >= '0' && p[1] <= '9') {
				out[n++] = (char)((p[1] - '0') * 100 + (p[2] - '0') * 10 +
				    (p[3] - '0'));
				p += 3;
			} else {
				if (*p == '\\')
					p++;
				out[n++] = *p;
			}
		}
		assert_true(k < maxn);
		lens[k++] = (int)n - start;
	}
	out[n] = '\0';
	return k;
}

/* The TXT of owner as BIND reads the zone file: concatenated, with the strings' lengths. */
static int
bind_txt(const char *file, const char *owner, char *out, size_t len, int *lens)
{
	char *text, *line, want[320];
	int n = -1;

	assert_int_equal(sh("named-compilezone -q -k fail -i local -f text -F text -o %s/out.zone "
	    "local %s", S.dir, file), 0);
	snprintf(want, sizeof(want), "%s/out.zone", S.dir);
	assert_non_null(text = read_file(want, NULL));
	/* The owner, then blanks (tabs, or spaces after a long one). */
	snprintf(want, sizeof(want), "\n%s.", owner);
	for (line = strcasestr(text, want); line != NULL && n < 0;
	    line = strcasestr(line + 1, want))
		if (line[strlen(want)] == ' ' || line[strlen(want)] == '\t')
			n = txt_parse(line + 1, out, len, lens, 8);
	free(text);
	return n;
}

/* A TXT query of owner to 127.0.0.1:port: the answer's strings concatenated, their lengths in
 * lens; -1 with no answer. */
static int
dns_txt(int port, const char *owner, char *out, size_t len, int *lens)
{
	unsigned char q[512], a[4096];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 0, 200000 };
	const char *l = owner, *dot;
	size_t n = 12, o = 0, rdlen, end;
	ssize_t got;
	int fd, k = 0;

	memset(q, 0, 12);
	q[0] = 0x4e, q[1] = 0x54, q[2] = 0x01, q[5] = 1;
	for (; *l != '\0'; l = *dot ? dot + 1 : dot) {
		dot = strchr(l, '.') ? strchr(l, '.') : l + strlen(l);
		q[n++] = (unsigned char)(dot - l);
		memcpy(q + n, l, (size_t)(dot - l));
		n += (size_t)(dot - l);
	}
	q[n++] = 0, q[n++] = 0, q[n++] = 16, q[n++] = 0, q[n++] = 1;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_true((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* EDNS is not asked for: answers over 512 bytes come truncated; this asks over UDP and
	 * dnsmasq sets TC, so take the long ones by raising the limit with an OPT record. */
	q[11] = 1;
	memcpy(q + n, "\0\0\x29\x10\0\0\0\0\0\0\0", 11);
	n += 11;
	sendto(fd, q, n, 0, (struct sockaddr *)&sa, sizeof(sa));
	got = recv(fd, a, sizeof(a), 0);
	close(fd);
	if (got < 12 || (a[7] | a[6] << 8) == 0 || (a[3] & 15) != 0 || (a[2] & 2))
		return -1;
	/* Skip the question, then the answer's owner (a pointer) and fixed fields. */
	for (n = 12; a[n] != 0; n += a[n] + 1u)
		;
	n += 5;
	n += (a[n] & 0xc0) ? 2 : 0;
	rdlen = (size_t)a[n + 8] << 8 | a[n + 9];
	n += 10;
	for (end = n + rdlen; n < end && o + a[n] < len; n += a[n] + 1u) {
		memcpy(out + o, a + n + 1, a[n]);
		o += a[n];
		lens[k++] = a[n];
	}
	out[o] = '\0';
	return k;
}

struct txt_case {
	const char *name;
	char value[800];
};

/* Each case of item 5 that would break a render, in zone local: the field its error names. */
static const struct {
	const char *body, *field;
	long status;
} breaking[] = {
	{ "{\"name\":\"self\",\"type\":\"CNAME\",\"value\":\"self\"}", "value", 422 },
	{ "{\"name\":\"self\",\"type\":\"CNAME\",\"value\":\"SELF.local.\"}", "value", 422 },
	{ "{\"name\":\"l2\",\"type\":\"CNAME\",\"value\":\"l1\"}", "value", 422 },
	{ "{\"name\":\"@\",\"type\":\"CNAME\",\"value\":\"git.local.\"}", "name", 422 },
	{ "{\"name\":\"tricky\",\"type\":\"CNAME\",\"value\":\"git.local.\"}", "name", 409 },
	{ "{\"name\":\"ns1\",\"type\":\"CNAME\",\"value\":\"git.local.\"}", "name", 409 },
	{ "{\"name\":\"l1\",\"type\":\"TXT\",\"value\":\"x\"}", "name", 409 },
	{ "{\"name\":\"kube.svc.cluster\",\"type\":\"TXT\",\"value\":\"x\"}", "name", 422 },
	{ "{\"name\":\"x\",\"type\":\"MX\",\"value\":\"10 nowhere\"}", "value", 422 },
};

static void
test_render_checks(void **state)
{
	static struct txt_case cases[] = {
		{ "tricky", "a,b#c \"q\" \\ back\\\\; semi 'x' $ORIGIN (p) é ü 日本 -- end" },
		{ "spaced", "  spaced out  " },
		{ "t256", "" }, { "tmax", "" }, { "quotes", "" }, { "longest", "" },
	};
	char body[2048], got[1024], name[300], owner[300], path[64], dir[160];
	int lens[8], blens[8], n, bn, port, i, pid, wrong;
	struct resp r;
	size_t k;
	long long ns;

	(void)state;
	for (k = 0; k < 256; k++)
		cases[2].value[k] = (char)('0' + k % 10);
	for (k = 0; k < DNS_TXT_MAX; k++)
		cases[3].value[k] = (char)('a' + k % 26);
	memset(cases[4].value, '"', DNS_TXT_MAX / 2);
	memset(cases[5].value, 'z', DNS_TXT_MAX);
	/* The longest owner: 247 + "." + "local" = 253 characters. */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.55s", cases[3].value, cases[3].value,
	    cases[3].value, cases[3].value);
	cases[5].name = name;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "zone_id", (json_int_t)zlocal, "name",
		    cases[k].name, "type", "TXT", "value", cases[k].value);
		char *b = json_dumps(o, JSON_COMPACT);

		json_decref(o);
		assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, b, &r), 201);
		resp_free(&r);
		free(b);
	}
	/* Each breaking case: a 422 (409 for a clash) that names the field. */
	{

		create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"l1\","
		    "\"type\":\"CNAME\",\"value\":\"l2\"}", zlocal);
		for (k = 0; k < sizeof(breaking) / sizeof(breaking[0]); k++) {
			snprintf(body, sizeof(body), "{\"zone_id\":%lld,%s", zlocal,
			    breaking[k].body + 1);
			assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r),
			    breaking[k].status);
			if (field_error(&r, breaking[k].field) == NULL)
				fail_msg("%s: no error naming %s: %s", body, breaking[k].field,
				    r.body);
			resp_free(&r);
		}
		/* Too long: the name (254 with the zone), a TXT one byte over, or over by its
		 * escapes. */
		snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"q%s\",\"type\":\"TXT\","
		    "\"value\":\"x\"}", zlocal, name);
		assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
		assert_non_null(field_error(&r, "name"));
		resp_free(&r);
		snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"over\",\"type\":\"TXT\","
		    "\"value\":\"%sa\"}", zlocal, cases[3].value);
		assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
		assert_non_null(field_error(&r, "value"));
		resp_free(&r);
		snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"over\",\"type\":\"TXT\","
		    "\"value\":\"%.749s\\\\\"}", zlocal, cases[3].value);
		assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
		assert_non_null(field_error(&r, "value"));
		resp_free(&r);
		/* A new zone whose name server has no address, inside it. */
		assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"corp.test\","
		    "\"soa_mname\":\"ns.corp.test.\"}", &r), 422);
		assert_non_null(field_error(&r, "soa_mname"));
		resp_free(&r);
		/* Outside is fine; an in-zone one once its address is there, which then stays. */
		ns = create("/api/v1/dns-zones", "{\"name\":\"corp.test\",\"soa_mname\":"
		    "\"ns1.local.\"}");
		k = (size_t)create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"ns\","
		    "\"type\":\"A\",\"value\":\"192.168.1.54\"}", ns);
		snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld", ns);
		assert_int_equal(api(&S, "PATCH", path, ed, "{\"soa_mname\":\"ns.corp.test.\"}",
		    NULL), 200);
		snprintf(path, sizeof(path), "/api/v1/dns-records/%zu", k);
		assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
		assert_non_null(field_error(&r, "name"));
		resp_free(&r);
		/* A zone holding records keeps its name (its records' full names hang on it). */
		snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld", ns);
		assert_int_equal(api(&S, "PATCH", path, ed, "{\"name\":\"corp2.test\"}", &r), 409);
		assert_non_null(field_error(&r, "name"));
		resp_free(&r);
		/* A CNAME out of every zone is fine, and so is a chain into one. */
		create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"ext\","
		    "\"type\":\"CNAME\",\"value\":\"example.org.\"}", zlocal);
		create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"www\","
		    "\"type\":\"CNAME\",\"value\":\"l1.local.\"}", ns);
	}
	consumers_accept();
	assert_int_equal(sh("named-checkzone -k fail -i local corp.test %s",
	    render_to("bind?zone=corp.test", "corp.zone")), 0);
	/* BIND reads each TXT back exactly, in strings of 255 bytes. */
	render_to("bind?zone=local", "local.zone");
	snprintf(dir, sizeof(dir), "%s/local.zone", S.dir);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(owner, sizeof(owner), "%s.local", cases[k].name);
		bn = bind_txt(dir, owner, got, sizeof(got), blens);
		if (bn < 0 || strcmp(got, cases[k].value) != 0)
			fail_msg("BIND %s: got \"%s\" for \"%s\"", owner, got, cases[k].value);
		for (i = 0; i < bn; i++)
			assert_int_equal(blens[i], i < bn - 1 ? 255 :
			    (int)(strlen(cases[k].value) - 255 * (size_t)i));
	}
	/* dnsmasq serves each exactly, in the same strings: asked on a loopback port. */
	render_to("dnsmasq", "dnsmasq.conf");
	srand((unsigned)getpid());
	port = 20000 + rand() % 20000;
	snprintf(body, sizeof(body), "%s/dnsmasq.conf", S.dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char p[32];

		snprintf(p, sizeof(p), "--port=%d", port);
		execlp("dnsmasq", "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "-C", body, p,
		    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
		    "--user=root", "--pid-file=", "--log-facility=/dev/null", (char *)NULL);
		_exit(127);
	}
	for (i = 0, n = -1; i < 50 && n < 0; i++)
		n = dns_txt(port, "tricky.local", got, sizeof(got), lens);
	/* dnsmasq goes before any assert can jump out of the test. */
	for (k = 0, wrong = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(owner, sizeof(owner), "%s.local", cases[k].name);
		n = dns_txt(port, owner, got, sizeof(got), lens);
		if (n < 0 || strcmp(got, cases[k].value) != 0) {
			fprintf(stderr, "dnsmasq %s: got \"%s\" for \"%s\"\n", owner,
			    n < 0 ? "" : got, cases[k].value);
			wrong++;
		}
		for (i = 0; i < n; i++)
			if (lens[i] != (i < n - 1 ? 255 :
			    (int)(strlen(cases[k].value) - 255 * (size_t)i)))
				wrong++;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	assert_int_equal(wrong, 0);
}

/* Chains of CNAMEs: eight are fine, a ninth in front is refused, and so is a loop through
 * all of them. */
static void
test_chain_limit(void **state)
{
	char body[160];
	struct resp r;
	int i;

	(void)state;
	for (i = DNS_CHAIN_MAX; i >= 1; i--)
		create("/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"c%d\","
		    "\"type\":\"CNAME\",\"value\":\"c%d\"}", zlocal, i, i + 1);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"c0\",\"type\":\"CNAME\","
	    "\"value\":\"c1\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
	assert_non_null(field_error(&r, "value"));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"c9\",\"type\":\"CNAME\","
	    "\"value\":\"c1.local.\"}", zlocal);
	assert_int_equal(api(&S, "POST", "/api/v1/dns-records", ed, body, &r), 422);
	assert_non_null(field_error(&r, "value"));
	resp_free(&r);
	/* The chain renders: c1 joins the line of nothing (c9 has no address), dnsmasq takes it. */
	consumers_accept();
}

/* Addresses keep DNS's promises too: the one address of a zone's name server cannot go or be
 * renamed, an address cannot take a CNAME's name, and a plan import is checked whole. */
static void
test_address_guards(void **state)
{
	char path[96];
	struct resp r;
	long long ns;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/ip-addresses?address=192.168.1.53", vi, NULL, &r),
	    200);
	ns = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "results"),
	    0), "id"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", ns);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
	assert_non_null(field_error(&r, "dns_name"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"dns_name\":\"elsewhere.local\"}", &r),
	    409);
	assert_non_null(field_error(&r, "dns_name"));
	resp_free(&r);
	/* c3.local is a CNAME (test_chain_limit). */
	assert_int_equal(api(&S, "POST", "/api/v1/ip-addresses", ed, "{\"address\":"
	    "\"192.168.1.77\",\"dns_name\":\"c3.local\"}", &r), 409);
	assert_non_null(field_error(&r, "dns_name"));
	resp_free(&r);
	/* A plan whose zone names a server in it that nothing gives an address. */
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, "{\"format\":\"netsot-plan/1\","
	    "\"dns-zones\":[{\"name\":\"lab.test\"}]}", &r), 422);
	assert_non_null(strstr(r.body, "ns1.lab.test"));
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/dns-zones?name=lab.test", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
	/* With the address in the same file, it imports. */
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, "{\"format\":\"netsot-plan/1\","
	    "\"dns-zones\":[{\"name\":\"lab.test\"}],\"ip-addresses\":[{\"address\":"
	    "\"192.168.1.78\",\"dns_name\":\"ns1.lab.test\"}]}", &r), 200);
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_derived_records_and_serials),
		cmocka_unit_test(test_stored_records),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_render_checks),
		cmocka_unit_test(test_chain_limit),
		cmocka_unit_test(test_address_guards),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
