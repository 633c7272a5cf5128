/* Ports (with tagged VLANs in a join table), WAN links, services and firewall rules against the
 * real server: their rules, references and filters. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW TEST_PASSWORD

static struct srv S;
static char *ed, *vi;
static long long router, pve, v10, v20, v30;

/* Creates as the editor. */
#define create(...) api_create(&S, ed, __VA_ARGS__)

static long
post(const char *path, struct resp *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static long
post(const char *path, struct resp *out, const char *fmt, ...)
{
	char body[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	return api(&S, "POST", path, ed, body, out);
}

static int
setup(void **state)
{
	(void)state;
	srv_up(&S, NULL, &ed, &vi);
	router = create("/api/v1/hosts", "{\"name\":\"router\",\"kind\":\"router\"}");
	pve = create("/api/v1/hosts", "{\"name\":\"pve-node-1\",\"kind\":\"hypervisor\"}");
	v10 = create("/api/v1/vlans", "{\"vid\":10,\"name\":\"storage\"}");
	v20 = create("/api/v1/vlans", "{\"vid\":20,\"name\":\"compute\"}");
	v30 = create("/api/v1/vlans", "{\"vid\":30,\"name\":\"app\"}");
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
test_ports(void **state)
{
	char path[64];
	struct resp r;
	long long trunk;

	(void)state;
	trunk = create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"10GbE-1\",\"nic\":\"X550-T2\","
	    "\"speed_mbps\":10000,\"mode\":\"trunk\",\"tagged_vlan_ids\":[%lld,%lld]}", router,
	    v20, v10);
	snprintf(path, sizeof(path), "/api/v1/ports/%lld", trunk);
	/* The list is kept in its own table and read back in id order. */
	assert_int_equal(api(&S, "GET", path, vi, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tagged_vlan_ids")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(r.json,
	    "tagged_vlan_ids"), 0)), v10);
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"tagged_vlan_ids\":[]}", &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tagged_vlan_ids")), 0);
	resp_free(&r);
	snprintf(path, sizeof(path), "{\"tagged_vlan_ids\":[%lld,%lld,%lld]}", v10, v20, v30);
	assert_int_equal(api(&S, "PATCH", "/api/v1/ports/1", ed, path, NULL), 200);
	/* Rules of the modes, each naming its field. */
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"LAN2.5-1\","
	    "\"mode\":\"access\",\"untagged_vlan_id\":%lld,\"tagged_vlan_ids\":[%lld]}", router,
	    v20, v30), 422);
	assert_non_null(field_error(&r, "tagged_vlan_ids"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"WAN1\","
	    "\"mode\":\"wan\",\"untagged_vlan_id\":%lld}", router, v20), 422);
	assert_non_null(field_error(&r, "untagged_vlan_id"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"x\","
	    "\"tagged_vlan_ids\":[%lld,%lld]}", router, v10, v10), 422);
	assert_non_null(field_error(&r, "tagged_vlan_ids"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"x\","
	    "\"tagged_vlan_ids\":[999]}", router), 422);
	resp_free(&r);
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"x\","
	    "\"tagged_vlan_ids\":\"10\"}", router), 400);
	resp_free(&r);
	create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"LAN2.5-1\",\"mode\":\"access\","
	    "\"untagged_vlan_id\":%lld,\"connected_to\":\"ML110\"}", router, v20);
	/* The same name on the same host clashes; on another host it does not. */
	assert_int_equal(post("/api/v1/ports", &r, "{\"host_id\":%lld,\"name\":\"LAN2.5-1\"}",
	    router), 409);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"eth0\",\"mode\":\"access\","
	    "\"bridge\":\"vmbr0\"}", pve);
	/* A VLAN tagged on a port cannot go; the problem names the port. */
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", v30);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
	assert_non_null(field_error(&r, "ports"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ports?host_id=%lld&mode=access", router);
	assert_int_equal(api(&S, "GET", path, vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	resp_free(&r);
}

static void
test_wan_links(void **state)
{
	long long wan, lan;
	struct resp r;

	(void)state;
	wan = create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"WAN2\",\"nic\":\"i350-T4\","
	    "\"mode\":\"wan\"}", router);
	lan = create("/api/v1/ports", "{\"host_id\":%lld,\"name\":\"LAN1G-1\",\"mode\":\"routed\"}",
	    router);
	assert_int_equal(post("/api/v1/wan-links", &r, "{\"name\":\"spectrum-2\",\"port_id\":%lld,"
	    "\"provider\":\"Spectrum\",\"weight\":3,\"metric\":1,\"track_ips\":[\"1.1.1.1\","
	    "\"2606:4700:4700:0:0:0:0:1111\"]}", wan), 201);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "track_ips"),
	    1)), "2606:4700:4700::1111");
	assert_true(json_is_true(json_object_get(r.json, "enabled")));
	resp_free(&r);
	assert_int_equal(post("/api/v1/wan-links", &r, "{\"name\":\"bad\",\"port_id\":%lld}", lan),
	    422);
	assert_non_null(field_error(&r, "port_id"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/wan-links", &r, "{\"name\":\"bad\",\"port_id\":%lld,"
	    "\"track_ips\":[\"dns.google\"]}", wan), 422);
	assert_non_null(field_error(&r, "track_ips"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/wan-links", &r, "{\"name\":\"bad\",\"port_id\":%lld,"
	    "\"weight\":0}", wan), 422);
	resp_free(&r);
	assert_int_equal(post("/api/v1/wan-links", &r, "{\"name\":\"spectrum-2\",\"port_id\":%lld}",
	    wan), 409);
	resp_free(&r);
}

static void
test_services(void **state)
{
	static const char *const bad[] = { "", "0", "65536", "22,", ",22", "5412-5404", "80;443",
		"022", "22-", "a", "1-2-3" };
	struct resp r;
	size_t i;

	(void)state;
	create("/api/v1/services", "{\"host_id\":%lld,\"name\":\"Corosync\",\"protocol\":\"udp\","
	    "\"ports\":\"5404-5412\"}", pve);
	create("/api/v1/services", "{\"host_id\":%lld,\"name\":\"NGINX\",\"protocol\":\"tcp\","
	    "\"ports\":\"80,443\"}", pve);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(post("/api/v1/services", &r, "{\"host_id\":%lld,\"name\":\"x\","
		    "\"protocol\":\"tcp\",\"ports\":\"%s\"}", pve, bad[i]), 422);
		assert_non_null(field_error(&r, "ports"));
		resp_free(&r);
	}
	assert_int_equal(post("/api/v1/services", &r, "{\"host_id\":%lld,\"name\":\"x\","
	    "\"protocol\":\"icmp\",\"ports\":\"1\"}", pve), 422);
	assert_non_null(field_error(&r, "protocol"));
	resp_free(&r);
}

static void
test_firewall_rules(void **state)
{
	struct resp r;

	(void)state;
	create("/api/v1/firewall-rules", "{\"scope\":\"forward\",\"priority\":10,\"action\":\"accept\","
	    "\"src_vlan_id\":%lld,\"dst_vlan_id\":%lld,\"description\":\"compute to storage\"}",
	    v20, v10);
	create("/api/v1/firewall-rules", "{\"scope\":\"input\",\"action\":\"accept\","
	    "\"protocol\":\"tcp\",\"dst_ports\":\"8006,22\",\"dst_host_id\":%lld,"
	    "\"src_cidr\":\"192.168.1.0/24\"}", pve);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"forward\","
	    "\"action\":\"accept\",\"src_vlan_id\":%lld,\"src_cidr\":\"10.0.0.0/8\"}", v20), 422);
	assert_non_null(field_error(&r, "src_cidr"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"input\","
	    "\"action\":\"accept\"}"), 422);
	assert_non_null(field_error(&r, "dst_host_id"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"forward\","
	    "\"action\":\"accept\",\"dst_ports\":\"22\"}"), 422);
	assert_non_null(field_error(&r, "dst_ports"));
	resp_free(&r);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"forward\","
	    "\"action\":\"accept\",\"protocol\":\"udp\",\"dst_ports\":\"99999\"}"), 422);
	resp_free(&r);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"sideways\","
	    "\"action\":\"accept\"}"), 422);
	resp_free(&r);
	assert_int_equal(post("/api/v1/firewall-rules", &r, "{\"scope\":\"forward\","
	    "\"action\":\"accept\",\"dst_cidr\":\"10.0.0.1/8\"}"), 422);
	resp_free(&r);
	/* Rules come back in the order the firewall applies them. */
	assert_int_equal(api(&S, "GET", "/api/v1/firewall-rules?ordering=scope,priority", vi, NULL,
	    &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    r.json, "results"), 0), "scope")), "forward");
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_wan_links),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_firewall_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
