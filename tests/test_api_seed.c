/* The seed plan (db/seed/hybrid-cloud.json): it imports into an empty database, exports to the
 * same bytes, survives a second round trip, and holds, object by object, what
 * seed-network-topology.txt lists. The expected values below are typed from the seed document,
 * not from the plan file. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW TEST_PASSWORD
#define SEED NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json"

static struct srv S;
static char *ed;
static json_t *hosts, *vlans, *ports;

/* Every object of a list (the seed has fewer than 1000 of any kind). */
static json_t *
list(const char *res)
{
	char path[96];
	struct resp r;
	json_t *results;

	snprintf(path, sizeof(path), "/api/v1/%s?limit=1000", res);
	assert_int_equal(api(&S, "GET", path, ed, NULL, &r), 200);
	results = json_incref(json_object_get(r.json, "results"));
	resp_free(&r);
	return results;
}

/* A list kept for the rest of the run (freed at exit with the others). */
static json_t *kept;

static json_t *
list_once(const char *res)
{
	json_t *l = list(res);

	if (kept == NULL)
		kept = json_array();
	json_array_append_new(kept, l);
	return l;
}

static json_t *
find(json_t *arr, const char *field, const char *value)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
		if (json_is_string(json_object_get(o, field)) &&
		    strcmp(json_string_value(json_object_get(o, field)), value) == 0)
			return o;
	fail_msg("no object with %s = %s", field, value);
	return NULL;
}

static json_t *
find_id(json_t *arr, long long id)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
		if (json_integer_value(json_object_get(o, "id")) == id)
			return o;
	return NULL;
}

/* The name of the host a field refers to, "" for none. */
static const char *
host_of(json_t *o, const char *field)
{
	json_t *h = find_id(hosts, json_integer_value(json_object_get(o, field)));

	return h ? json_string_value(json_object_get(h, "name")) : "";
}

/* The vid of the VLAN a field refers to, 0 for none. */
static long long
vid_of(json_t *o, const char *field)
{
	json_t *v = find_id(vlans, json_integer_value(json_object_get(o, field)));

	return v ? json_integer_value(json_object_get(v, "vid")) : 0;
}

static const char *
str(json_t *o, const char *field)
{
	json_t *v = json_object_get(o, field);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int
setup(void **state)
{
	struct resp r;
	size_t len;
	char *seed;

	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	assert_non_null(seed = read_file(SEED, &len));
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, seed, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "summary"),
	    "deleted")), 0);
	resp_free(&r);
	free(seed);
	hosts = list("hosts");
	vlans = list("vlans");
	ports = list("ports");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(hosts);
	json_decref(vlans);
	json_decref(ports);
	json_decref(kept);
	srv_down(&S, ed, NULL);
	return 0;
}

/* Seed file → export → a second empty database → export: the same bytes each time. */
static void
test_round_trip(void **state)
{
	const char *args[] = { "export", "--db", S.db, NULL };
	struct srv t;
	struct resp a, b, imp;
	char *seed, *cli = NULL, *tok;
	size_t len;

	(void)state;
	assert_non_null(seed = read_file(SEED, &len));
	assert_int_equal(api(&S, "GET", "/api/v1/export", ed, NULL, &a), 200);
	/* The seed file is kept in export form, so it is its own export. */
	assert_int_equal(a.len, len);
	assert_memory_equal(a.body, seed, len);
	assert_int_equal(run_netsot(args, NULL, &cli, NULL), 0);
	assert_string_equal(cli, a.body);

	srv_prepare(&t);
	srv_add_user(&t, "ed", "editor", PW);
	srv_start(&t, NULL);
	tok = login(&t, "ed", PW);
	assert_int_equal(api(&t, "POST", "/api/v1/import", tok, a.body, &imp), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(imp.json, "summary"),
	    "updated")), 0);
	assert_int_equal(api(&t, "GET", "/api/v1/export", tok, NULL, &b), 200);
	assert_int_equal(b.len, a.len);
	assert_memory_equal(b.body, a.body, a.len);
	resp_free(&imp);
	resp_free(&b);
	free(tok);
	srv_stop(&t);
	srv_cleanup(&t);
	resp_free(&a);
	free(seed);
	free(cli);
}

static void
test_networks(void **state)
{
	static const struct {
		const char *prefix;
		long long vid;
		const char *gateway, *role, *status;
	} want[] = {
		{ "192.168.1.0/24", 0, "192.168.1.1", "management", "active" },
		{ "10.0.0.0/24", 0, "", "storage", "active" },
		{ "10.244.0.0/16", 0, "", "kubernetes-pods", "active" },
		{ "10.43.0.0/16", 0, "", "kubernetes-services", "active" },
		{ "10.245.0.0/16", 0, "", "kubernetes-services", "reserved" },
		{ "10.10.10.0/24", 10, "10.10.10.1", "storage", "active" },
		{ "10.10.20.0/24", 20, "10.10.20.1", "compute", "active" },
		{ "10.10.30.0/24", 30, "10.10.30.1", "app-tier", "active" },
		{ "10.10.40.0/24", 40, "10.10.40.1", "observability", "active" },
		{ "10.10.50.0/24", 50, "10.10.50.1", "dev-test", "active" },
		{ "10.10.60.0/24", 60, "10.10.60.1", "management", "active" },
		{ "10.10.99.0/24", 99, "10.10.99.1", "dmz", "active" },
	};
	static const struct {
		long long vid;
		const char *name;
	} vl[] = { { 10, "storage" }, { 20, "compute" }, { 30, "app-tier" },
		{ 40, "observability" }, { 50, "dev-test" }, { 60, "management" }, { 99, "dmz" } };
	json_t *prefixes = list("prefixes"), *p, *v = NULL;
	size_t i, j;

	(void)state;
	assert_int_equal(json_array_size(prefixes), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		p = find(prefixes, "prefix", want[i].prefix);
		assert_int_equal(vid_of(p, "vlan_id"), want[i].vid);
		assert_string_equal(str(p, "gateway"), want[i].gateway);
		assert_string_equal(str(p, "role"), want[i].role);
		assert_string_equal(str(p, "status"), want[i].status);
	}
	assert_int_equal(json_array_size(vlans), 7);
	for (i = 0; i < sizeof(vl) / sizeof(vl[0]); i++) {
		json_array_foreach(vlans, j, v)
			if (json_integer_value(json_object_get(v, "vid")) == vl[i].vid)
				break;
		assert_true(j < json_array_size(vlans));
		assert_string_equal(str(v, "name"), vl[i].name);
	}
	json_decref(prefixes);
}

static void
test_addresses(void **state)
{
	static const struct {
		const char *address, *host, *interface, *dns_name;
	} want[] = {
		{ "192.168.1.1", "router", "br0", "" },
		{ "192.168.1.10", "pve-node-1", "vmbr0", "pve-node-1.local" },
		{ "192.168.1.11", "pve-node-2", "vmbr0", "pve-node-2.local" },
		{ "192.168.1.188", "k3s", "eth0", "k3s.local" },
		{ "192.168.1.60", "git", "eth0", "git.local" },
		{ "10.0.0.10", "pve-node-1", "vmbr1", "" },
		{ "10.0.0.11", "pve-node-2", "vmbr1", "" },
		{ "10.0.0.100", "nfs", "eth0", "" },
		{ "10.43.0.10", "", "", "kube-dns.kube-system.svc.cluster.local" },
		{ "10.245.0.10", "", "", "" },
		{ "10.244.1.10", "besu", "eth0", "" },
		{ "10.244.1.20", "firefly", "eth0", "" },
		{ "10.244.1.30", "chainlink", "eth0", "" },
		{ "10.244.1.40", "blockscout", "eth0", "" },
		{ "10.244.1.50", "cacti", "eth0", "" },
		{ "10.244.1.60", "nginx", "eth0", "" },
		{ "10.10.10.1", "router", "br0.10", "" },
		{ "10.10.10.10", "nas", "eth0", "" },
		{ "10.10.10.20", "backup", "eth0", "" },
		{ "10.10.20.1", "router", "br0.20", "" },
		{ "10.10.20.10", "pve-node-1", "eth2", "" },
		{ "10.10.20.20", "pve-node-2", "eth2", "" },
		{ "10.10.30.1", "router", "br0.30", "" },
		{ "10.10.30.10", "proxy-app", "eth0", "" },
		{ "10.10.40.1", "router", "br0.40", "" },
		{ "10.10.40.10", "prometheus", "eth0", "" },
		{ "10.10.40.20", "grafana", "eth0", "" },
		{ "10.10.40.30", "loki", "eth0", "" },
		{ "10.10.50.1", "router", "br0.50", "" },
		{ "10.10.50.70", "cicd", "eth0", "" },
		{ "10.10.60.1", "router", "br0.60", "" },
		{ "10.10.60.10", "jump", "eth0", "" },
		{ "10.10.60.20", "wac", "eth0", "" },
		{ "10.10.99.1", "router", "br0.99", "" },
		{ "10.10.99.10", "cloudflare-tunnel", "eth0", "" },
		{ "10.10.99.20", "proxy-dmz", "eth0", "" },
		{ "10.10.99.30", "bastion", "eth0", "" },
	};
	static const struct {
		const char *start, *end, *status, *what;
	} ranges[] = {
		{ "10.10.10.1", "10.10.10.9", "active", "Storage shelves" },
		{ "10.10.20.30", "10.10.20.254", "reserved", "Future compute nodes" },
		{ "10.10.30.10", "10.10.30.30", "active", "Web services" },
		{ "10.10.30.40", "10.10.30.50", "active", "API services" },
		{ "10.10.50.10", "10.10.50.30", "active", "Dev VMs" },
		{ "10.10.50.40", "10.10.50.60", "active", "Test VMs" },
		{ "10.10.60.30", "10.10.60.254", "active", "Azure Arc agents" },
	};
	json_t *addrs = list("ip-addresses"), *rs = list("ip-ranges"), *a;
	size_t i;

	(void)state;
	assert_int_equal(json_array_size(addrs), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = find(addrs, "address", want[i].address);
		assert_string_equal(host_of(a, "host_id"), want[i].host);
		assert_string_equal(str(a, "interface"), want[i].interface);
		assert_string_equal(str(a, "dns_name"), want[i].dns_name);
	}
	assert_string_equal(str(find(addrs, "address", "10.43.0.10"), "role"), "cluster-dns");
	assert_int_equal(json_array_size(rs), sizeof(ranges) / sizeof(ranges[0]));
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		a = find(rs, "start_address", ranges[i].start);
		assert_string_equal(str(a, "end_address"), ranges[i].end);
		assert_string_equal(str(a, "status"), ranges[i].status);
		assert_non_null(strstr(str(a, "description"), ranges[i].what));
	}
	json_decref(addrs);
	json_decref(rs);
}

static json_t *
port(const char *host, const char *name)
{
	json_t *p;
	size_t i;

	json_array_foreach(ports, i, p)
		if (strcmp(host_of(p, "host_id"), host) == 0 && strcmp(str(p, "name"), name) == 0)
			return p;
	fail_msg("no port %s/%s", host, name);
	return NULL;
}

static void
test_ports_and_wan(void **state)
{
	static const struct {
		const char *name, *mode, *nic;
		long long vid, speed;
	} want[] = {
		{ "WAN1", "wan", "i350-T4", 0, 1000 }, { "WAN2", "wan", "i350-T4", 0, 1000 },
		{ "WAN3", "wan", "i350-T4", 0, 1000 }, { "WAN4", "wan", "i350-T4", 0, 1000 },
		{ "10GbE-1", "unused", "X550-T2", 0, 10000 },
		{ "10GbE-2", "unused", "X550-T2", 0, 10000 },
		{ "LAN2.5-1", "access", "i225", 20, 2500 }, { "LAN2.5-2", "access", "i225", 20, 2500 },
		{ "LAN2.5-3", "access", "i225", 30, 2500 }, { "LAN2.5-4", "access", "i225", 30, 2500 },
		{ "LAN1G-1", "unused", "i350-T8", 0, 1000 }, { "LAN1G-2", "unused", "i350-T8", 0, 1000 },
		{ "LAN1G-3", "unused", "i350-T8", 0, 1000 }, { "LAN1G-4", "unused", "i350-T8", 0, 1000 },
		{ "LAN1G-5", "unused", "i350-T8", 0, 1000 }, { "LAN1G-6", "unused", "i350-T8", 0, 1000 },
		{ "LAN1G-7", "unused", "i350-T8", 0, 1000 }, { "LAN1G-8", "unused", "i350-T8", 0, 1000 },
	};
	static const char *const nodes[] = { "pve-node-1", "pve-node-2" };
	json_t *links = list("wan-links"), *p, *l;
	size_t i, n = 0;
	char name[8];

	(void)state;
	json_array_foreach(ports, i, p)
		n += strcmp(host_of(p, "host_id"), "router") == 0;
	assert_int_equal(n, 18);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		p = port("router", want[i].name);
		assert_string_equal(str(p, "mode"), want[i].mode);
		assert_string_equal(str(p, "nic"), want[i].nic);
		assert_int_equal(vid_of(p, "untagged_vlan_id"), want[i].vid);
		assert_int_equal(json_integer_value(json_object_get(p, "speed_mbps")), want[i].speed);
	}
	/* The bridge configuration: eth0 in vmbr0 (management), eth1 in vmbr1 (storage). */
	for (i = 0; i < 2; i++) {
		assert_string_equal(str(port(nodes[i], "eth0"), "bridge"), "vmbr0");
		assert_string_equal(str(port(nodes[i], "eth1"), "bridge"), "vmbr1");
		assert_int_equal(vid_of(port(nodes[i], "eth2"), "untagged_vlan_id"), 20);
	}
	assert_int_equal(json_array_size(links), 4);
	for (i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "wan%zu", i);
		l = find(links, "name", name);
		snprintf(name, sizeof(name), "WAN%zu", i);
		assert_int_equal(json_integer_value(json_object_get(l, "port_id")),
		    json_integer_value(json_object_get(port("router", name), "id")));
		assert_string_equal(str(l, "provider"), "Spectrum");
		assert_true(json_array_size(json_object_get(l, "track_ips")) > 0);
	}
	json_decref(links);
}

static void
test_services(void **state)
{
	static const struct {
		const char *host, *name, *protocol, *ports;
	} want[] = {
		{ "pve-node-1", "proxmox-ui", "tcp", "8006" }, { "pve-node-1", "ssh", "tcp", "22" },
		{ "pve-node-1", "corosync", "udp", "5404-5412" },
		{ "pve-node-1", "spice-proxy", "tcp", "3128" },
		{ "pve-node-2", "proxmox-ui", "tcp", "8006" }, { "pve-node-2", "ssh", "tcp", "22" },
		{ "pve-node-2", "corosync", "udp", "5404-5412" },
		{ "pve-node-2", "spice-proxy", "tcp", "3128" },
		{ "k3s", "kube-apiserver", "tcp", "6443" }, { "k3s", "kubelet", "tcp", "10250" },
		{ "k3s", "flannel-vxlan", "udp", "8472" },
		{ "k3s", "flannel-wireguard", "udp", "51820-51821" },
		{ "besu", "besu-rpc-http", "tcp", "8545" }, { "besu", "besu-rpc-ws", "tcp", "8546" },
		{ "besu", "besu-p2p", "tcp", "30303" }, { "firefly", "firefly-api", "tcp", "5000" },
		{ "chainlink", "chainlink-api", "tcp", "6688" },
		{ "blockscout", "blockscout", "tcp", "4000" }, { "nginx", "nginx", "tcp", "80,443" },
		{ "cacti", "cacti", "tcp", "80" }, { "git", "gitea-web", "tcp", "3000" },
		{ "git", "gitea-ssh", "tcp", "2222" }, { "git", "gitlab-web", "tcp", "8080" },
		{ "git", "gitlab-ssh", "tcp", "2222" },
	};
	json_t *svcs = list("services"), *s = NULL;
	size_t i, j;

	(void)state;
	assert_int_equal(json_array_size(svcs), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_array_foreach(svcs, j, s)
			if (strcmp(host_of(s, "host_id"), want[i].host) == 0 &&
			    strcmp(str(s, "name"), want[i].name) == 0)
				break;
		if (j == json_array_size(svcs))
			fail_msg("no service %s/%s", want[i].host, want[i].name);
		assert_string_equal(str(s, "protocol"), want[i].protocol);
		assert_string_equal(str(s, "ports"), want[i].ports);
	}
	json_decref(svcs);
}

static void
test_firewall(void **state)
{
	static const struct {
		const char *name, *scope;
		long long src_vid, dst_vid;
		const char *dst_host, *protocol, *ports;
	} want[] = {
		{ "management-to-all", "forward", 60, 0, "", "any", "" },
		{ "observability-to-all", "forward", 40, 0, "", "any", "" },
		{ "compute-to-storage", "forward", 20, 10, "", "any", "" },
		{ "app-tier-to-storage", "forward", 30, 10, "", "any", "" },
		{ "dmz-to-app-tier", "forward", 99, 30, "", "any", "" },
		{ "dmz-to-management", "forward", 99, 60, "", "any", "" },
		{ "pve-node-1-corosync", "input", 0, 0, "pve-node-1", "udp", "5404-5412" },
		{ "pve-node-1-proxmox-api", "input", 0, 0, "pve-node-1", "tcp", "8006" },
		{ "pve-node-1-ssh", "input", 0, 0, "pve-node-1", "tcp", "22" },
		{ "pve-node-2-corosync", "input", 0, 0, "pve-node-2", "udp", "5404-5412" },
		{ "pve-node-2-proxmox-api", "input", 0, 0, "pve-node-2", "tcp", "8006" },
		{ "pve-node-2-ssh", "input", 0, 0, "pve-node-2", "tcp", "22" },
		{ "k3s-api", "input", 0, 0, "k3s", "tcp", "6443" },
		{ "k3s-flannel-vxlan", "input", 0, 0, "k3s", "udp", "8472" },
		{ "k3s-flannel-wireguard", "input", 0, 0, "k3s", "udp", "51820-51821" },
		/* Not in the seed's lists, but the router must stay reachable: SSH from the
		 * management VLAN ("SSH (22) from trusted sources") and network, and its DNS. */
		{ "router-ssh-management", "input", 60, 0, "router", "tcp", "22" },
		{ "router-ssh-management-network", "input", 0, 0, "router", "tcp", "22" },
		{ "router-dns", "input", 0, 0, "router", "udp", "53" },
	};
	json_t *rules = list("firewall-rules"), *r, *settings;
	struct resp s;
	size_t i;

	(void)state;
	assert_int_equal(json_array_size(rules), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		r = find(rules, "name", want[i].name);
		assert_string_equal(str(r, "scope"), want[i].scope);
		assert_string_equal(str(r, "action"), "accept");
		assert_true(json_is_true(json_object_get(r, "enabled")));
		assert_int_equal(vid_of(r, "src_vlan_id"), want[i].src_vid);
		assert_int_equal(vid_of(r, "dst_vlan_id"), want[i].dst_vid);
		assert_string_equal(host_of(r, "dst_host_id"), want[i].dst_host);
		assert_string_equal(str(r, "protocol"), want[i].protocol);
		assert_string_equal(str(r, "dst_ports"), want[i].ports);
	}
	/* Default deny, and denied traffic logged. */
	assert_int_equal(api(&S, "GET", "/api/v1/settings", ed, NULL, &s), 200);
	settings = s.json;
	assert_string_equal(str(settings, "forward_default_action"), "drop");
	assert_true(json_is_true(json_object_get(settings, "log_denied")));
	resp_free(&s);
	json_decref(rules);
}

static void
test_dns_and_clashes(void **state)
{
	static const char *const names[] = { "k3s", "git", "pve-node-1", "pve-node-2" };
	static const char *const addrs[] = { "192.168.1.188", "192.168.1.60", "192.168.1.10",
		"192.168.1.11" };
	json_t *zones = list("dns-zones"), *recs, *rec = NULL, *f;
	char path[96];
	struct resp r;
	size_t i, j;
	int clash = 0;

	(void)state;
	find(zones, "name", "cluster.local");
	snprintf(path, sizeof(path), "/api/v1/dns-zones/%lld/records?limit=1000",
	    (long long)json_integer_value(json_object_get(find(zones, "name", "local"), "id")));
	assert_int_equal(api(&S, "GET", path, ed, NULL, &r), 200);
	recs = json_object_get(r.json, "results");
	/* The whole zone in one page: the seed's two stored records (gitea, ns1) and the four
	 * A records derived from its addresses' DNS names. */
	assert_int_equal(json_array_size(recs), 6);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 6);
	assert_true(json_is_null(json_object_get(r.json, "next")));
	for (i = 0; i < 4; i++) {
		json_array_foreach(recs, j, rec)
			if (strcmp(str(rec, "name"), names[i]) == 0 && strcmp(str(rec, "type"), "A") == 0)
				break;
		assert_true(j < json_array_size(recs));
		assert_string_equal(str(rec, "value"), addrs[i]);
		assert_string_equal(str(rec, "source"), "derived");
	}
	json_array_foreach(recs, j, rec)
		if (strcmp(str(rec, "name"), "ns1") == 0)
			break;
	assert_true(j < json_array_size(recs));
	assert_string_equal(str(rec, "type"), "A");
	assert_string_equal(str(rec, "value"), "192.168.1.1");
	assert_string_equal(str(rec, "source"), "stored");
	json_array_foreach(recs, j, rec)
		if (strcmp(str(rec, "name"), "gitea") == 0)
			break;
	assert_true(j < json_array_size(recs));
	assert_string_equal(str(rec, "type"), "CNAME");
	assert_string_equal(str(rec, "value"), "git.local.");
	assert_string_equal(str(rec, "source"), "stored");
	resp_free(&r);

	/* Gitea and GitLab SSH both on 2222: kept as the seed says, and reported. */
	assert_int_equal(api(&S, "GET", "/api/v1/validate", ed, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "findings"), i, f)
		clash += strcmp(str(f, "code"), "service-port-clash") == 0 &&
		    strstr(str(f, "message"), "gitea-ssh") != NULL &&
		    strstr(str(f, "message"), "gitlab-ssh") != NULL;
	assert_int_equal(clash, 1);
	resp_free(&r);
	json_decref(zones);
}

/* ?vlan=VID on prefixes, addresses and ports: by the number an operator knows, each the same
 * as the filters by internal id, checked object by object. */
static void
test_filter_by_vid(void **state)
{
	long long id20 = json_integer_value(json_object_get(find(vlans, "name", "compute"), "id"));
	char path[128];
	struct resp r;
	json_t *o, *t;
	size_t i, j;
	bool carries;

	(void)state;
	assert_int_equal(vid_of(find(vlans, "name", "compute"), "id") == 0, 0);
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?vlan=20", ed, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	assert_string_equal(str(json_array_get(json_object_get(r.json, "results"), 0), "prefix"),
	    "10.10.20.0/24");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ip-addresses?vlan_id=%lld&limit=1", id20);
	assert_true(api_count(&S, ed, "/api/v1/ip-addresses?vlan=20&limit=1") > 0);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses?vlan=20&limit=1"),
	    api_count(&S, ed, path));
	/* Repeated, like every resource filter, it narrows: both VLANs at once is nothing. */
	assert_int_equal(api_count(&S, ed, "/api/v1/prefixes?vlan=20&vlan=30"), 0);
	assert_int_equal(api_count(&S, ed, "/api/v1/prefixes?vlan=20&vlan=20"), 1);
	/* Ports: exactly those that carry VLAN 20, untagged or tagged. */
	assert_int_equal(api(&S, "GET", "/api/v1/ports?vlan=20&limit=1000", ed, NULL, &r), 200);
	assert_true(json_integer_value(json_object_get(r.json, "count")) > 0);
	json_array_foreach(ports, i, o) {
		carries = json_integer_value(json_object_get(o, "untagged_vlan_id")) == id20;
		json_array_foreach(json_object_get(o, "tagged_vlan_ids"), j, t)
			carries |= json_integer_value(t) == id20;
		if (carries != (find_id(json_object_get(r.json, "results"),
		    json_integer_value(json_object_get(o, "id"))) != NULL))
			fail_msg("port %s: carries VLAN 20 %d, listed otherwise", str(o, "name"),
			    carries);
	}
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/prefixes?vlan=4000"), 0);
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?vlan=5000", ed, NULL, &r), 400);
	assert_non_null(field_error(&r, "vlan"));
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/ports?vlan=twenty", ed, NULL, NULL), 400);
}

/* An allocation may name its host: the address is the host's, on its interface into the
 * VLAN (pve-node-2's eth2 in VLAN 20), unless the body says another interface. */
static void
test_allocate_for_a_host(void **state)
{
	long long p20 = json_integer_value(json_object_get(find(list_once("prefixes"), "prefix",
	    "10.10.20.0/24"), "id"));
	long long pve2 = json_integer_value(json_object_get(find(hosts, "name", "pve-node-2"), "id"));
	long long router = json_integer_value(json_object_get(find(hosts, "name", "router"), "id"));
	char path[96], body[160];
	struct resp r;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p20);
	assert_int_equal(api(&S, "POST", path, ed, "{\"host\":\"pve-node-2\","
	    "\"dns_name\":\"vm-9.local\"}", &r), 201);
	assert_int_equal(json_integer_value(json_object_get(r.json, "host_id")), pve2);
	assert_string_equal(str(r.json, "interface"), "eth2");
	assert_null(json_object_get(r.json, "host"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{\"host\":\"router\","
	    "\"interface\":\"br0.20\"}", &r), 201);
	assert_int_equal(json_integer_value(json_object_get(r.json, "host_id")), router);
	assert_string_equal(str(r.json, "interface"), "br0.20");
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{\"host\":\"no-such-host\"}", &r), 422);
	assert_non_null(field_error(&r, "host"));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"host\":\"router\",\"host_id\":%lld}", pve2);
	assert_int_equal(api(&S, "POST", path, ed, body, &r), 422);
	assert_non_null(field_error(&r, "host"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{\"host\":7}", &r), 400);
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_ports_and_wan),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_firewall),
		cmocka_unit_test(test_dns_and_clashes),
		cmocka_unit_test(test_filter_by_vid),
		cmocka_unit_test(test_allocate_for_a_host),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
