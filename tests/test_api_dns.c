/* DNS zones and records, derived records, serials, and settings against the real server. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PW TEST_PASSWORD

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
	assert_int_equal(api(&S, "POST", "/api/v1/dns-zones", ed, "{\"name\":\"local\"}", &r),
	    201);
	zlocal = json_integer_value(json_object_get(r.json, "id"));
	/* Sane SOA defaults, and a YYYYMMDDnn serial starting today. */
	assert_string_equal(json_string_value(json_object_get(r.json, "soa_mname")), "ns1.local.");
	assert_string_equal(json_string_value(json_object_get(r.json, "soa_rname")),
	    "hostmaster.local.");
	assert_int_equal(json_integer_value(json_object_get(r.json, "serial")), atoll(today));
	resp_free(&r);
	zrev = create("/api/v1/dns-zones", "{\"name\":\"1.168.192.in-addr.arpa\"}");
	zsvc = create("/api/v1/dns-zones", "{\"name\":\"svc.cluster.local\",\"ttl\":60}");
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
	char body[256], path[64];
	struct resp r;
	long long s, rec;

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
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"@\",\"type\":\"MX\","
	    "\"value\":\"10 mail.local.\"}", zlocal);
	create("/api/v1/dns-records", "%s", body);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_derived_records_and_serials),
		cmocka_unit_test(test_stored_records),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
