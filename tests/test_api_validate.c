/* GET /api/v1/validate and `netsot validate`: a clean plan has no findings, and each finding
 * code appears for a plan that has its mistake and goes when the mistake is mended. Mistakes
 * the API refuses outright are made in the database directly, as an import by hand could. */
#include "harness.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW TEST_PASSWORD

static struct srv S;
static char *ed;
static long long v20, p20, p30, pve, addr10, wanport, rule_in;

/* Creates as the editor. */
#define create(...) api_create(&S, ed, __VA_ARGS__)

static void
call(const char *method, long expect, const char *path, const char *body)
{
	struct resp r;

	if (api(&S, method, path, ed, body, &r) != expect)
		fail_msg("%s %s: %ld %s", method, path, r.status, r.body);
	resp_free(&r);
}

/* Changes the database behind the server's back. */
static void
sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sql(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	srv_sql(&S, text);
}

/* How many findings of code the report holds. */
static int
findings(const char *code)
{
	struct resp r;
	json_t *f;
	size_t i;
	int n = 0;

	assert_int_equal(api(&S, "GET", "/api/v1/validate", ed, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "findings"), i, f) {
		if (code == NULL || strcmp(json_string_value(json_object_get(f, "code")), code) == 0)
			n++;
		assert_non_null(json_string_value(json_object_get(f, "message")));
		assert_true(json_array_size(json_object_get(f, "objects")) >= 1);
	}
	resp_free(&r);
	return n;
}

static int
setup(void **state)
{
	long long router;

	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	/* A small plan without a mistake. */
	v20 = create("/api/v1/vlans", "{\"vid\":20,\"name\":\"compute\"}");
	p20 = create("/api/v1/prefixes", "{\"prefix\":\"10.10.20.0/24\",\"vlan_id\":%lld,"
	    "\"gateway\":\"10.10.20.1\"}", v20);
	p30 = create("/api/v1/prefixes", "{\"prefix\":\"10.10.30.0/24\"}");
	router = create("/api/v1/hosts", "{\"name\":\"router\",\"kind\":\"router\"}");
	pve = create("/api/v1/hosts", "{\"name\":\"pve-node-1\",\"kind\":\"hypervisor\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"10.10.20.1\",\"host_id\":%lld}", router);
	addr10 = create("/api/v1/ip-addresses", "{\"address\":\"10.10.20.10\",\"host_id\":%lld,"
	    "\"dns_name\":\"pve-node-1.local\"}", pve);
	/* An in-zone name server would need an address first. */
	create("/api/v1/dns-zones", "{\"name\":\"local\",\"soa_mname\":\"ns.example.org.\"}");
	create("/api/v1/services", "{\"host_id\":%lld,\"name\":\"SSH\",\"protocol\":\"tcp\","
	    "\"ports\":\"22\"}", pve);
	rule_in = create("/api/v1/firewall-rules", "{\"scope\":\"input\",\"action\":\"accept\","
	    "\"protocol\":\"tcp\",\"dst_ports\":\"22\",\"dst_host_id\":%lld}", pve);
	create("/api/v1/firewall-rules", "{\"scope\":\"forward\",\"priority\":10,"
	    "\"action\":\"accept\",\"src_vlan_id\":%lld,\"dst_prefix_id\":%lld}", v20, p30);
	create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"LAN2.5-1\",\"mode\":\"access\","
	    "\"untagged_vlan_id\":%lld}", router, v20);
	wanport = create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"WAN1\",\"mode\":\"wan\"}",
	    router);
	create("/api/v1/wan-links", "{\"name\":\"wan1\",\"port_id\":%lld}", wanport);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, NULL);
	return 0;
}

static void
test_clean_plan(void **state)
{
	const char *args[] = { "validate", "--db", S.db, NULL };
	char *out = NULL;

	(void)state;
	assert_int_equal(findings(NULL), 0);
	assert_int_equal(run_netsot(args, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "\"errors\": 0"));
	free(out);
}

static void
test_address_outside_prefix(void **state)
{
	const char *args[] = { "validate", "--db", S.db, NULL };
	char *out = NULL;

	(void)state;
	sql("UPDATE ip_addresses SET prefix_id = %lld WHERE id = %lld", p30, addr10);
	assert_int_equal(findings("address-outside-prefix"), 1);
	/* An error-level finding makes the command exit 1, with the same report. */
	assert_int_equal(run_netsot(args, NULL, &out, NULL), 1);
	assert_non_null(strstr(out, "address-outside-prefix"));
	free(out);
	sql("UPDATE ip_addresses SET prefix_id = %lld WHERE id = %lld", p20, addr10);
	assert_int_equal(findings("address-outside-prefix"), 0);
}

static void
test_prefix_overlap(void **state)
{
	(void)state;
	/* 10.10.20.128-10.10.21.127: not a CIDR, so it overlaps the /24 without nesting. */
	sql("INSERT INTO prefixes (prefix, created_at, updated_at, first_key, last_key, prefix_len) "
	    "VALUES ('bad', 'x', 'x', x'040000000000000000000000000a0a1480', "
	    "x'040000000000000000000000000a0a157f', 24)");
	assert_int_equal(findings("prefix-overlap"), 1);
	sql("DELETE FROM prefixes WHERE prefix = 'bad'");
	assert_int_equal(findings("prefix-overlap"), 0);
}

static void
test_range_overlap(void **state)
{
	long long a, b;

	(void)state;
	a = create("/api/v1/ip-ranges", "{\"start_address\":\"10.10.30.100\","
	    "\"end_address\":\"10.10.30.110\"}");
	b = create("/api/v1/ip-ranges", "{\"start_address\":\"10.10.30.120\","
	    "\"end_address\":\"10.10.30.130\"}");
	assert_int_equal(findings("range-overlap"), 0);
	sql("UPDATE ip_ranges SET start_key = (SELECT end_key FROM ip_ranges WHERE id = %lld) "
	    "WHERE id = %lld", a, b);
	assert_int_equal(findings("range-overlap"), 1);
	sql("DELETE FROM ip_ranges");
	assert_int_equal(findings("range-overlap"), 0);
}

static void
test_gateways(void **state)
{
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", p20);
	call("PATCH", 200, path, "{\"gateway\":\"10.10.20.254\"}");
	assert_int_equal(findings("gateway-unallocated"), 1);
	assert_int_equal(findings("gateway-outside-prefix"), 0);
	sql("UPDATE prefixes SET gateway = '10.99.0.1' WHERE id = %lld", p20);
	assert_int_equal(findings("gateway-outside-prefix"), 1);
	sql("UPDATE prefixes SET gateway = '10.10.20.1' WHERE id = %lld", p20);
	assert_int_equal(findings("gateway-outside-prefix"), 0);
	assert_int_equal(findings("gateway-unallocated"), 0);
}

static void
test_vlans_without_prefixes(void **state)
{
	char path[64];
	long long v60, trunk;

	(void)state;
	v60 = create("/api/v1/vlans", "{\"vid\":60,\"name\":\"management\"}");
	assert_int_equal(findings("vlan-without-prefix"), 1);
	assert_int_equal(findings("port-vlan-without-prefix"), 0);
	trunk = create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"eth1\",\"mode\":\"trunk\","
	    "\"tagged_vlan_ids\":[%lld,%lld]}", pve, v20, v60);
	assert_int_equal(findings("port-vlan-without-prefix"), 1);
	snprintf(path, sizeof(path), "/api/v1/ports/%lld", trunk);
	call("DELETE", 204, path, NULL);
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", v60);
	call("DELETE", 204, path, NULL);
	assert_int_equal(findings("vlan-without-prefix"), 0);
	assert_int_equal(findings("port-vlan-without-prefix"), 0);
}

static void
test_service_clash(void **state)
{
	char path[64];
	long long s;

	(void)state;
	/* UDP on the same port is no clash; TCP overlapping 22 is. */
	s = create("/api/v1/services", "{\"host_id\":%lld,\"name\":\"mosh\",\"protocol\":\"udp\","
	    "\"ports\":\"22\"}", pve);
	assert_int_equal(findings("service-port-clash"), 0);
	snprintf(path, sizeof(path), "/api/v1/services/%lld", s);
	call("DELETE", 204, path, NULL);
	s = create("/api/v1/services", "{\"host_id\":%lld,\"name\":\"Gitea SSH\",\"protocol\":\"tcp\","
	    "\"ports\":\"20-25\"}", pve);
	assert_int_equal(findings("service-port-clash"), 1);
	snprintf(path, sizeof(path), "/api/v1/services/%lld", s);
	call("DELETE", 204, path, NULL);
	assert_int_equal(findings("service-port-clash"), 0);
}

static void
test_dns(void **state)
{
	char path[64];
	long long r, a;

	(void)state;
	r = create("/api/v1/dns-records", "{\"zone_id\":1,\"name\":\"ghost\",\"type\":\"A\","
	    "\"value\":\"10.10.20.99\"}");
	assert_int_equal(findings("dns-name-unallocated"), 1);
	snprintf(path, sizeof(path), "/api/v1/dns-records/%lld", r);
	call("DELETE", 204, path, NULL);
	assert_int_equal(findings("dns-name-unallocated"), 0);
	/* One name, two addresses: by two addresses, and by a record against the address. */
	a = create("/api/v1/ip-addresses", "{\"address\":\"10.10.20.11\","
	    "\"dns_name\":\"PVE-node-1.local\"}");
	assert_int_equal(findings("dns-name-conflict"), 1);
	snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", a);
	call("DELETE", 204, path, NULL);
	assert_int_equal(findings("dns-name-conflict"), 0);
	sql("INSERT INTO dns_records (zone_id, name, type, value, created_at, updated_at) "
	    "VALUES (1, 'pve-node-1', 'A', '10.10.20.1', 'x', 'x')");
	assert_int_equal(findings("dns-name-conflict"), 1);
	sql("DELETE FROM dns_records");
	assert_int_equal(findings("dns-name-conflict"), 0);
}

static void
test_shadowed_rule(void **state)
{
	char path[64];
	long long any, late;

	(void)state;
	/* A later rule narrower than an earlier one never matches, whatever its action. */
	late = create("/api/v1/firewall-rules", "{\"scope\":\"forward\",\"priority\":20,"
	    "\"action\":\"drop\",\"src_prefix_id\":%lld,\"dst_cidr\":\"10.10.30.0/25\","
	    "\"protocol\":\"tcp\",\"dst_ports\":\"443\"}", p20);
	assert_int_equal(findings("firewall-rule-shadowed"), 1);
	snprintf(path, sizeof(path), "/api/v1/firewall-rules/%lld", late);
	/* Wider on one side than the earlier rule: not shadowed. */
	call("PATCH", 200, path, "{\"dst_cidr\":\"10.10.0.0/16\"}");
	assert_int_equal(findings("firewall-rule-shadowed"), 0);
	/* An earlier disabled rule shadows nothing; an input rule never shadows a forward one. */
	any = create("/api/v1/firewall-rules", "{\"scope\":\"forward\",\"priority\":1,"
	    "\"action\":\"accept\",\"enabled\":false}");
	assert_int_equal(findings("firewall-rule-shadowed"), 0);
	snprintf(path, sizeof(path), "/api/v1/firewall-rules/%lld", any);
	call("PATCH", 200, path, "{\"enabled\":true}");
	assert_int_equal(findings("firewall-rule-shadowed"), 2);
	call("DELETE", 204, path, NULL);
	snprintf(path, sizeof(path), "/api/v1/firewall-rules/%lld", late);
	call("DELETE", 204, path, NULL);
	assert_int_equal(findings("firewall-rule-shadowed"), 0);
}

static void
test_wan_link_port(void **state)
{
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/ports/%lld", wanport);
	call("PATCH", 200, path, "{\"mode\":\"routed\"}");
	assert_int_equal(findings("wan-link-port-not-wan"), 1);
	call("PATCH", 200, path, "{\"mode\":\"wan\"}");
	assert_int_equal(findings("wan-link-port-not-wan"), 0);
}

/* Whether the host's ufw script opens SSH. The render reads the firewall model the validation
 * reads, so where the input default is not accept the two agree on every rule. */
static bool
ufw_opens_ssh(void)
{
	struct resp r;
	bool open;

	assert_int_equal(api(&S, "GET", "/api/v1/render/ufw?host=pve-node-1", ed, NULL, &r), 200);
	open = strstr(r.body, "# not opened: SSH") == NULL;
	assert_true(open == (strstr(r.body, "to any port 22 comment") != NULL));
	resp_free(&r);
	return open;
}

static void
test_service_unreachable(void **state)
{
	char path[64];

	(void)state;
	assert_true(ufw_opens_ssh());
	snprintf(path, sizeof(path), "/api/v1/firewall-rules/%lld", rule_in);
	call("PATCH", 200, path, "{\"enabled\":false}");
	assert_int_equal(findings("service-unreachable"), 1);
	assert_false(ufw_opens_ssh());
	/* A rule for other ports does not open it either. */
	call("PATCH", 200, path, "{\"enabled\":true,\"dst_ports\":\"8006\"}");
	assert_int_equal(findings("service-unreachable"), 1);
	assert_false(ufw_opens_ssh());
	/* Nor one for the other protocol. */
	call("PATCH", 200, path, "{\"dst_ports\":\"22\",\"protocol\":\"udp\"}");
	assert_int_equal(findings("service-unreachable"), 1);
	assert_false(ufw_opens_ssh());
	/* With an accepting input default, nothing needs a rule. */
	call("PATCH", 200, "/api/v1/settings", "{\"input_default_action\":\"accept\"}");
	assert_int_equal(findings("service-unreachable"), 0);
	call("PATCH", 200, "/api/v1/settings", "{\"input_default_action\":\"drop\"}");
	call("PATCH", 200, path, "{\"dst_ports\":\"\",\"protocol\":\"any\"}");
	assert_int_equal(findings("service-unreachable"), 0);
	assert_true(ufw_opens_ssh());
	assert_int_equal(findings(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_plan),
		cmocka_unit_test(test_address_outside_prefix),
		cmocka_unit_test(test_prefix_overlap),
		cmocka_unit_test(test_range_overlap),
		cmocka_unit_test(test_gateways),
		cmocka_unit_test(test_vlans_without_prefixes),
		cmocka_unit_test(test_service_clash),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_shadowed_rule),
		cmocka_unit_test(test_wan_link_port),
		cmocka_unit_test(test_service_unreachable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
