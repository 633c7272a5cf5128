/* GET /api/v1/policy/matrix: the firewall policy between zones, from the firewall model. A small
 * plan whose rules exercise first-match order, a rule for some hosts only, a shadowed rule, a
 * rule towards any (the WAN too) and the default action. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct srv S;
static char *ed;
static json_t *matrix;

#define create(...) api_create(&S, ed, __VA_ARGS__)

static void
load_matrix(void)
{
	struct resp r;

	json_decref(matrix);
	assert_int_equal(api(&S, "GET", "/api/v1/policy/matrix", ed, NULL, &r), 200);
	matrix = json_incref(r.json);
	resp_free(&r);
}

static const json_t *
cell(const char *from, const char *to)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(matrix, "cells"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "from")), from) == 0 &&
		    strcmp(json_string_value(json_object_get(c, "to")), to) == 0)
			return c;
	fail_msg("no cell %s -> %s", from, to);
	return NULL;
}

/* A list of entries as "tcp:22,443 udp:53 icmp" (with "@rule" when they name one). */
static void
entries(const json_t *c, const char *list, char *buf, size_t len)
{
	const json_t *e;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(c, list), i, e) {
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
		    json_string_value(json_object_get(e, "protocol")));
		if (json_object_get(e, "ports") != NULL)
			used += (size_t)snprintf(buf + used, len - used, ":%s",
			    json_string_value(json_object_get(e, "ports")));
		if (json_object_get(e, "rule") != NULL)
			used += (size_t)snprintf(buf + used, len - used, "@%s",
			    json_string_value(json_object_get(e, "rule")));
	}
}

static void
expect(const char *from, const char *to, const char *list, const char *want)
{
	char got[512];

	entries(cell(from, to), list, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s -> %s %s: '%s', want '%s'", from, to, list, got, want);
}

static void
expect_rules(const char *from, const char *to, const char *want)
{
	char got[512] = "";
	const json_t *v;
	size_t i, used = 0;

	json_array_foreach(json_object_get(cell(from, to), "rules"), i, v)
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", used ? " " : "",
		    json_string_value(v));
	if (strcmp(got, want) != 0)
		fail_msg("%s -> %s rules: '%s', want '%s'", from, to, got, want);
}

static int
setup(void **state)
{
	long long v10, v20, v30, h;

	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	v10 = create("/api/v1/vlans", "{\"vid\":10,\"name\":\"ten\"}");
	v20 = create("/api/v1/vlans", "{\"vid\":20,\"name\":\"twenty\"}");
	v30 = create("/api/v1/vlans", "{\"vid\":30,\"name\":\"thirty\"}");
	create("/api/v1/vlans", "{\"vid\":40,\"name\":\"no-prefix\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"10.0.10.0/24\",\"vlan_id\":%lld}", v10);
	create("/api/v1/prefixes", "{\"prefix\":\"10.0.20.0/24\",\"vlan_id\":%lld}", v20);
	create("/api/v1/prefixes", "{\"prefix\":\"10.0.30.0/24\",\"vlan_id\":%lld}", v30);
	h = create("/api/v1/hosts", "{\"name\":\"x\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"10.0.10.5\",\"host_id\":%lld}", h);
	/* Order is priority: a drop for one host first, then the VLAN's accept. */
	create("/api/v1/firewall-rules", "{\"name\":\"x-no-ssh\",\"scope\":\"forward\","
	    "\"priority\":10,\"action\":\"drop\",\"protocol\":\"tcp\",\"dst_ports\":\"22\","
	    "\"src_host_id\":%lld,\"dst_vlan_id\":%lld}", h, v20);
	create("/api/v1/firewall-rules", "{\"name\":\"ten-web\",\"scope\":\"forward\","
	    "\"priority\":20,\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"443,22\","
	    "\"src_vlan_id\":%lld,\"dst_vlan_id\":%lld}", v10, v20);
	create("/api/v1/firewall-rules", "{\"name\":\"ten-dns-anywhere\",\"scope\":\"forward\","
	    "\"priority\":30,\"action\":\"accept\",\"protocol\":\"udp\",\"dst_ports\":\"53\","
	    "\"src_vlan_id\":%lld}", v10);
	create("/api/v1/firewall-rules", "{\"name\":\"thirty-nothing\",\"scope\":\"forward\","
	    "\"priority\":40,\"action\":\"reject\",\"src_vlan_id\":%lld,\"dst_vlan_id\":%lld}",
	    v30, v20);
	create("/api/v1/firewall-rules", "{\"name\":\"thirty-web-shadowed\",\"scope\":\"forward\","
	    "\"priority\":50,\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"80\","
	    "\"src_vlan_id\":%lld,\"dst_vlan_id\":%lld}", v30, v20);
	create("/api/v1/firewall-rules", "{\"name\":\"to-a-server\",\"scope\":\"forward\","
	    "\"priority\":60,\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"5432\","
	    "\"src_vlan_id\":%lld,\"dst_cidr\":\"10.0.30.7/32\"}", v20);
	/* Input rules protect a host, not a path between zones. */
	create("/api/v1/firewall-rules", "{\"name\":\"an-input-rule\",\"scope\":\"input\","
	    "\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"22\",\"dst_host_id\":%lld}",
	    h);
	load_matrix();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(matrix);
	srv_down(&S, ed, NULL);
	return 0;
}

static void
test_zones(void **state)
{
	const json_t *z;
	char keys[128] = "";
	size_t i, used = 0;

	(void)state;
	json_array_foreach(json_object_get(matrix, "zones"), i, z)
		used += (size_t)snprintf(keys + used, sizeof(keys) - used, "%s%s", used ? " " : "",
		    json_string_value(json_object_get(z, "key")));
	/* VLANs with prefixes, by vid, then the WAN; every ordered pair once. */
	assert_string_equal(keys, "vlan10 vlan20 vlan30 wan");
	assert_int_equal(json_array_size(json_object_get(matrix, "cells")), 4 * 3);
	assert_string_equal(json_string_value(json_object_get(matrix, "default_action")), "drop");
}

static void
test_first_match_and_some_hosts(void **state)
{
	(void)state;
	/* Every host of ten may open 22 and 443 in twenty, and 53/udp anywhere; one host may
	 * not open 22 (an exception for some hosts, decided before the VLAN's accept). */
	expect("vlan10", "vlan20", "allow", "tcp:22,443 udp:53");
	expect("vlan10", "vlan20", "except", "tcp:22@x-no-ssh");
	expect_rules("vlan10", "vlan20", "x-no-ssh ten-web ten-dns-anywhere");
	expect("vlan10", "wan", "allow", "udp:53");
	expect("vlan10", "vlan30", "allow", "udp:53");
	/* The reject decides everything: the later accept is shadowed and not listed. */
	expect("vlan30", "vlan20", "allow", "");
	expect_rules("vlan30", "vlan20", "thirty-nothing");
	/* A rule towards one address of thirty opens a port for some hosts only. */
	expect("vlan20", "vlan30", "allow", "");
	expect("vlan20", "vlan30", "some", "tcp:5432@to-a-server");
	/* Nothing comes in from the WAN. */
	expect("wan", "vlan10", "allow", "");
	expect_rules("wan", "vlan10", "");
	assert_false(json_is_true(json_object_get(cell("vlan10", "vlan20"), "all")));
}

static void
test_default_action(void **state)
{
	(void)state;
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"accept\"}", NULL), 200);
	load_matrix();
	/* What no rule decided is now open; what a rule dropped stays closed. */
	assert_true(json_is_true(json_object_get(cell("vlan20", "vlan10"), "all")));
	expect("vlan20", "vlan10", "allow", "tcp:any udp:any icmp");
	expect("vlan30", "vlan20", "allow", "");
	expect("vlan10", "vlan20", "allow", "tcp:any udp:any icmp");
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"drop\"}", NULL), 200);
	load_matrix();
	expect("vlan20", "vlan10", "allow", "");
}

/* A cache of the matrix is revalidated: its ETag follows the rules. */
static void
test_etag(void **state)
{
	char etag[128], hdr[160];
	struct resp r;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/policy/matrix", ed, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "GET", "/api/v1/policy/matrix", ed, hdr, NULL, &r), 0);
	assert_int_equal(r.status, 304);
	resp_free(&r);
	create("/api/v1/firewall-rules", "{\"name\":\"late\",\"scope\":\"forward\","
	    "\"action\":\"accept\",\"protocol\":\"icmp\"}");
	assert_int_equal(req_hdr(&S, "GET", "/api/v1/policy/matrix", ed, hdr, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_first_match_and_some_hosts),
		cmocka_unit_test(test_default_action),
		cmocka_unit_test(test_etag),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
