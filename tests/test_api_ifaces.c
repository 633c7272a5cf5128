/* Issue 16: ports' kernel names and the interfaces render as the hosts' real ifupdown2
 * configuration. Every port of the seed plan appears where it should in its host's render (an
 * access port in its bridge's bridge-ports with bridge-access, a trunk with bridge-vids, a WAN
 * port with its addressing, an unused port as a comment), every routed VLAN has its interface
 * with the plan's gateway address, and ifupdown2's parser accepts each file and refuses broken
 * copies (an unknown keyword, a bad bridge-vids or bridge-access value, a bad method). Ports
 * without an ifname get a stable derived one, which the import report lists. */
#include "consumers.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEED NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json"

static struct srv S;
static char *ed;

static int
setup(void **state)
{
	struct resp r;
	char *seed;

	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	consumers_dir = S.dir;
	assert_non_null(seed = read_file(SEED, NULL));
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, seed, &r), 200);
	/* The seed names every port's ifname: nothing was derived. */
	assert_int_equal(json_array_size(json_object_get(r.json, "derived")), 0);
	resp_free(&r);
	free(seed);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, NULL);
	return 0;
}

static char *
render(const char *host)
{
	char url[256];
	struct resp r;
	char *body;

	snprintf(url, sizeof(url), "/api/v1/render/interfaces?host=%s", host);
	if (api(&S, "GET", url, ed, NULL, &r) != 200)
		fail_msg("GET %s: %ld %s", url, r.status, r.body);
	body = strdup(r.body);
	resp_free(&r);
	return body;
}

static json_t *
list(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
list(const char *fmt, ...)
{
	char url[512];
	struct resp r;
	json_t *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(url, sizeof(url), fmt, ap);
	va_end(ap);
	assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
	out = json_incref(json_object_get(r.json, "results"));
	resp_free(&r);
	return out;
}

/* The stanza of an interface: from its first "iface NAME " line up to the next blank line or
 * comment, with every later "iface NAME " stanza of the same name appended (inet and inet6).
 * Malloc'd, "" when there is none. */
static char *
stanza(const char *text, const char *name)
{
	char head[64], *out = calloc(1, strlen(text) + 1);
	const char *p = text, *end;
	size_t n;

	snprintf(head, sizeof(head), "iface %s ", name);
	while ((p = strstr(p, head)) != NULL) {
		if (p != text && p[-1] != '\n') {
			p++;
			continue;
		}
		for (end = p; *end != '\0' && !(end[0] == '\n' && (end[1] == '\n' ||
		    end[1] == '#' || end[1] == '\0' || strncmp(end + 1, "auto ", 5) == 0 ||
		    strncmp(end + 1, "iface ", 6) == 0)); end++)
			;
		n = (size_t)(end - p);
		strncat(out, p, n);
		strcat(out, "\n");
		p = end;
	}
	return out;
}

/* Whether a space-separated option line of the stanza ("\tbridge-ports a b c") has word. */
static bool
option_has(const char *st, const char *option, const char *word)
{
	char key[64], *line, *copy, *save = NULL, *tok, *save2;
	bool found = false;

	snprintf(key, sizeof(key), "\t%s ", option);
	copy = strdup(st);
	for (line = strtok_r(copy, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		strtok_r(line, " ", &save2);
		while (!found && (tok = strtok_r(NULL, " ", &save2)) != NULL)
			found = strcmp(tok, word) == 0;
	}
	free(copy);
	return found;
}

static long long
vid_of(long long vlan_id)
{
	char url[64];
	struct resp r;
	long long vid;

	snprintf(url, sizeof(url), "/api/v1/vlans/%lld", vlan_id);
	assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
	vid = json_integer_value(json_object_get(r.json, "vid"));
	resp_free(&r);
	return vid;
}

/* One host's render against its ports, addresses and the VLANs it routes. */
static void
check_host(const char *host, long long host_id)
{
	char *text = render(host), *st, *brst, want[256], num[24];
	json_t *ports, *addrs, *p, *a, *v, *prefixes, *pre;
	const char *ifname, *label, *mode, *bridge, *iface;
	long long vid;
	size_t i, j, k;
	int nports = 0;

	consumers_assert("interfaces", NULL, text, true);
	ports = list("/api/v1/ports?host_id=%lld&limit=1000", host_id);
	addrs = list("/api/v1/ip-addresses?host_id=%lld&limit=1000", host_id);
	json_array_foreach(ports, i, p) {
		ifname = json_string_value(json_object_get(p, "ifname"));
		label = json_string_value(json_object_get(p, "name"));
		mode = json_string_value(json_object_get(p, "mode"));
		bridge = json_string_value(json_object_get(p, "bridge"));
		v = json_object_get(p, "untagged_vlan_id");
		vid = json_is_integer(v) ? vid_of(json_integer_value(v)) : 0;
		assert_true(strlen(ifname) > 0 && strlen(ifname) <= 15);
		assert_null(strchr(ifname, '.'));
		/* Ports appear by their kernel name only: a label that is not one never does. */
		if (strcmp(label, ifname) != 0) {
			snprintf(want, sizeof(want), "iface %s ", label);
			assert_null(strstr(text, want));
		}
		nports++;
		st = stanza(text, ifname);
		if (strcmp(mode, "unused") == 0) {
			snprintf(want, sizeof(want), "# port %s (%s): unused\n", ifname, label);
			if (strstr(text, want) == NULL || *st != '\0')
				fail_msg("%s: unused port %s is not a comment\n%s", host, ifname, text);
		} else if (strcmp(mode, "wan") == 0) {
			/* Its addresses from the plan, else DHCP from the provider; up at boot. */
			bool has_addr = false;

			json_array_foreach(addrs, j, a)
				if (strcmp(json_string_value(json_object_get(a, "interface")), ifname) == 0) {
					has_addr = true;
					snprintf(want, sizeof(want), "\taddress %s/",
					    json_string_value(json_object_get(a, "address")));
					assert_non_null(strstr(st, want));
				}
			if (!has_addr) {
				snprintf(want, sizeof(want), "iface %s inet dhcp\n", ifname);
				assert_non_null(strstr(st, want));
			}
			snprintf(want, sizeof(want), "\nauto %s\n", ifname);
			assert_non_null(strstr(text, want));
		} else if (*bridge != '\0') {
			assert_true(*st != '\0');
			brst = stanza(text, bridge);
			if (!option_has(brst, "bridge-ports", ifname))
				fail_msg("%s: %s is not in %s's bridge-ports\n%s", host, ifname, bridge,
				    text);
			if (strcmp(mode, "trunk") == 0) {
				json_array_foreach(json_object_get(p, "tagged_vlan_ids"), k, v) {
					snprintf(num, sizeof(num), "%lld", vid_of(json_integer_value(v)));
					assert_true(option_has(st, "bridge-vids", num));
					assert_true(option_has(brst, "bridge-vids", num));
				}
			} else if (vid != 0) {
				snprintf(want, sizeof(want), "\tbridge-access %lld\n", vid);
				if (strstr(st, want) == NULL)
					fail_msg("%s: %s lacks %s\n%s", host, ifname, want, text);
				snprintf(num, sizeof(num), "%lld", vid);
				assert_true(option_has(brst, "bridge-vids", num));
				assert_non_null(strstr(brst, "\tbridge-vlan-aware yes\n"));
			}
			free(brst);
		} else {
			/* A port of its own: its stanza, and its addresses in it. */
			assert_true(*st != '\0');
			json_array_foreach(addrs, j, a)
				if (strcmp(json_string_value(json_object_get(a, "interface")), ifname) == 0) {
					snprintf(want, sizeof(want), "\taddress %s/",
					    json_string_value(json_object_get(a, "address")));
					assert_non_null(strstr(st, want));
				}
		}
		free(st);
	}
	/* Each VLAN whose gateway address is this host's: its interface with that address, and
	 * the VLAN carried by the bridge the interface rides. */
	prefixes = list("/api/v1/prefixes?limit=1000");
	json_array_foreach(prefixes, i, pre) {
		const char *gw = json_string_value(json_object_get(pre, "gateway"));
		const char *cidr = json_string_value(json_object_get(pre, "prefix"));

		v = json_object_get(pre, "vlan_id");
		if (!json_is_integer(v) || gw == NULL || *gw == '\0')
			continue;
		json_array_foreach(addrs, j, a) {
			const char *dot;
			char raw[32];

			if (strcmp(json_string_value(json_object_get(a, "address")), gw) != 0)
				continue;
			iface = json_string_value(json_object_get(a, "interface"));
			st = stanza(text, iface);
			snprintf(want, sizeof(want), "iface %s inet static\n\taddress %s/%s\n", iface, gw,
			    strchr(cidr, '/') + 1);
			if (strstr(st, want) == NULL)
				fail_msg("%s: VLAN %lld's gateway %s is not on %s\n%s", host,
				    vid_of(json_integer_value(v)), gw, iface, text);
			if ((dot = strrchr(iface, '.')) != NULL) {
				snprintf(raw, sizeof(raw), "%.*s", (int)(dot - iface), iface);
				snprintf(want, sizeof(want), "\tvlan-raw-device %s\n", raw);
				assert_non_null(strstr(st, want));
				free(st);
				st = stanza(text, raw);
				snprintf(num, sizeof(num), "%lld", vid_of(json_integer_value(v)));
				if (strstr(st, "\tbridge-ports ") != NULL &&
				    !option_has(st, "bridge-vids", num))
					fail_msg("%s: bridge %s does not carry VLAN %s\n%s", host, raw, num,
					    text);
			}
			free(st);
		}
	}
	assert_true(nports > 0);
	json_decref(prefixes);
	json_decref(ports);
	json_decref(addrs);
	free(text);
}

/* Every port of the seed, on the router and on each Proxmox node. */
static void
test_every_port_where_it_should_be(void **state)
{
	json_t *hosts, *h;
	size_t i;
	int n = 0;

	(void)state;
	if (geteuid() != 0)
		fail_msg("the consumer checks need root (unshare -n -m): run the tests as root");
	hosts = list("/api/v1/hosts?limit=1000");
	json_array_foreach(hosts, i, h) {
		const char *name = json_string_value(json_object_get(h, "name"));

		if (strcmp(name, "router") == 0 || strncmp(name, "pve-node-", 9) == 0) {
			check_host(name, json_integer_value(json_object_get(h, "id")));
			n++;
		}
	}
	assert_int_equal(n, 3);
	json_decref(hosts);
}

/* The router's render, as ifupdown2 should read it. */
static void
test_router_render(void **state)
{
	char *text = render("router");

	(void)state;
	assert_non_null(strstr(text, "# lan25-1: LAN2.5-1; pve-node-1 eth2 (HPE ML110 Gen9)\n"
	    "iface lan25-1 inet manual\n\tbridge-access 20\n"));
	assert_non_null(strstr(text, "auto br0\niface br0 inet static\n\taddress 192.168.1.1/24\n"
	    "\tbridge-ports lan25-1 lan25-2 lan25-3 lan25-4\n\tbridge-stp off\n\tbridge-fd 0\n"
	    "\tbridge-vlan-aware yes\n\tbridge-vids 10 20 30 40 50 60 99\n"));
	assert_non_null(strstr(text, "auto br0.20\niface br0.20 inet static\n"
	    "\taddress 10.10.20.1/24\n\tvlan-raw-device br0\n"));
	assert_non_null(strstr(text, "auto wan1\niface wan1 inet dhcp\n"));
	assert_non_null(strstr(text, "# port lan1g-1 (LAN1G-1): unused\n"));
	free(text);
}

static char *
replace(const char *text, const char *what, const char *with)
{
	const char *at = strstr(text, what);
	char *out;

	if (at == NULL)
		fail_msg("'%s' is not in the render", what);
	out = malloc(strlen(text) + strlen(with) + 1);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), with);
	strcat(out, at + strlen(what));
	return out;
}

/* The consumer check can fail: ifupdown2 refuses each broken copy of a render it accepts. */
static void
test_consumer_refuses_broken_files(void **state)
{
	static const struct {
		const char *host, *what, *with;
	} cases[] = {
		{ "router", "\tbridge-fd 0\n", "\tbridge-fdx 0\n" },              /* unknown keyword */
		{ "router", "\tbridge-vids 10 20", "\tbridge-vids 10 abc" },       /* bad VLAN list */
		{ "router", "\tbridge-access 20\n", "\tbridge-access x20\n" },     /* on a port without auto */
		{ "router", "\tbridge-stp off\n", "\tbridge-stp maybe\n" },        /* bad value */
		{ "router", "iface wan1 inet dhcp", "iface wan1 inet dhcpp" },     /* bad method */
		{ "router", "\tbridge-vlan-aware yes\n", "\tbridge-vlan-aware perhaps\n" },
		{ "pve-node-1", "inet static", "inet statik" },
		{ "pve-node-1", "\tbridge-ports eth0\n", "\tbridge-portz eth0\n" },
	};
	char *text, *bad;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = render(cases[i].host);
		consumers_assert("interfaces", NULL, text, true);
		bad = replace(text, cases[i].what, cases[i].with);
		consumers_assert("interfaces", NULL, bad, false);
		free(bad);
		free(text);
	}
}

static const char *
derived_of(const json_t *report, const char *key)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(report, "derived"), i, d)
		if (strcmp(json_string_value(json_object_get(d, "key")), key) == 0) {
			assert_string_equal(json_string_value(json_object_get(d, "kind")), "ports");
			return json_string_value(json_object_get(d, "ifname"));
		}
	return NULL;
}

/* A plan without kernel names: each port gets a stable, valid, unique one, and the report
 * says so; the render and ifupdown2 take them. */
static void
test_import_derives_ifnames(void **state)
{
	static const char plan[] = "{\"format\":\"netsot-plan/1\","
	    "\"hosts\":[{\"name\":\"edge\",\"kind\":\"router\"}],"
	    "\"ports\":["
	    "{\"host\":\"edge\",\"name\":\"LAN2.5-1\",\"mode\":\"access\",\"untagged_vlan\":20,"
	    "\"bridge\":\"br9\"},"
	    "{\"host\":\"edge\",\"name\":\"Lan25-1\",\"mode\":\"trunk\",\"tagged_vlans\":[10,30],"
	    "\"bridge\":\"br9\"},"
	    "{\"host\":\"edge\",\"name\":\"Uplink_Port-Number-0001\",\"mode\":\"wan\"},"
	    "{\"host\":\"edge\",\"name\":\"kept\",\"ifname\":\"enp3s0\",\"mode\":\"access\","
	    "\"bridge\":\"br9\"}]}";
	char *text;
	struct resp r;
	json_t *ports, *p;
	size_t i;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		assert_int_equal(api(&S, "POST", "/api/v1/import", ed, plan, &r), 200);
		/* The same names each time: derived from the label, the port's own kept. */
		assert_string_equal(derived_of(r.json, "edge/LAN2.5-1"), "lan25-1");
		assert_string_equal(derived_of(r.json, "edge/Lan25-1"), "lan25-1-2");
		assert_string_equal(derived_of(r.json, "edge/Uplink_Port-Number-0001"),
		    "uplink_port-num");
		assert_null(derived_of(r.json, "edge/kept"));
		assert_int_equal(json_array_size(json_object_get(r.json, "derived")), 3);
		resp_free(&r);
	}
	ports = list("/api/v1/ports?ifname=lan25-1-2");
	assert_int_equal(json_array_size(ports), 1);
	json_decref(ports);
	text = render("edge");
	consumers_assert("interfaces", NULL, text, true);
	assert_non_null(strstr(text, "iface lan25-1 inet manual\n\tbridge-access 20\n"));
	assert_non_null(strstr(text, "iface lan25-1-2 inet manual\n\tbridge-vids 10 30\n"));
	assert_non_null(strstr(text, "iface enp3s0 inet manual\n\tbridge-access 1\n"));
	assert_non_null(strstr(text, "\tbridge-ports lan25-1 lan25-1-2 enp3s0\n"));
	assert_non_null(strstr(text, "\tbridge-vids 10 20 30\n"));
	assert_non_null(strstr(text, "auto uplink_port-num\niface uplink_port-num inet dhcp\n"));
	free(text);
	/* The export carries them, so the plan comes back with every name. */
	assert_int_equal(api(&S, "GET", "/api/v1/export", ed, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "ports"), i, p)
		assert_true(json_string_length(json_object_get(p, "ifname")) > 0);
	resp_free(&r);
}

/* The API: derived when left out, refused with a dot, unique per host, free across hosts. */
static void
test_api_ifname_rules(void **state)
{
	struct resp r;
	json_t *hosts;
	long long h, other, id;
	char url[64];

	(void)state;
	hosts = list("/api/v1/hosts?name=edge");
	h = json_integer_value(json_object_get(json_array_get(hosts, 0), "id"));
	json_decref(hosts);
	hosts = list("/api/v1/hosts?name=jump");
	other = json_integer_value(json_object_get(json_array_get(hosts, 0), "id"));
	json_decref(hosts);
	id = api_create(&S, ed, "/api/v1/ports", "{\"host_id\":%lld,\"name\":\"10GbE.7\"}", h);
	snprintf(url, sizeof(url), "/api/v1/ports/%lld", id);
	assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "ifname")), "10gbe7");
	resp_free(&r);
	/* A renamed label keeps its kernel name. */
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"name\":\"TenGig-7\"}", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "ifname")), "10gbe7");
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"ifname\":\"eth0.5\"}", &r), 422);
	assert_non_null(field_error(&r, "ifname"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"ifname\":\"-a\"}", &r), 422);
	assert_non_null(field_error(&r, "ifname"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"bridge\":\"-a\"}", &r), 422);
	assert_non_null(field_error(&r, "bridge"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"ifname\":\"a-very-long-name-x\"}", &r),
	    422);
	assert_non_null(field_error(&r, "ifname"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"ifname\":\"lan25-1\"}", &r), 409);
	resp_free(&r);
	api_create(&S, ed, "/api/v1/ports", "{\"host_id\":%lld,\"name\":\"x\",\"ifname\":\"lan25-1\"}",
	    other);
}

/* ifupdown2 (Debian's configuration) allows one VLAN-aware bridge: a second bridge with VLANs
 * becomes a plain one, said in a comment, and the file still passes. Renaming a port never
 * moves its stanza: ports keep the plan's order. */
static void
test_one_vlan_aware_bridge(void **state)
{
	json_t *hosts, *vlans;
	long long h, v50;
	char *text;
	const char *a, *b;

	(void)state;
	hosts = list("/api/v1/hosts?name=edge");
	h = json_integer_value(json_object_get(json_array_get(hosts, 0), "id"));
	json_decref(hosts);
	vlans = list("/api/v1/vlans?vid=50");
	v50 = json_integer_value(json_object_get(json_array_get(vlans, 0), "id"));
	json_decref(vlans);
	api_create(&S, ed, "/api/v1/ports", "{\"host_id\":%lld,\"name\":\"lab\",\"mode\":"
	    "\"trunk\",\"bridge\":\"br8\",\"tagged_vlan_ids\":[%lld]}", h, v50);
	text = render("edge");
	consumers_assert("interfaces", NULL, text, true);
	assert_non_null(strstr(text, "\tbridge-ports lab\n\tbridge-stp off\n\tbridge-fd 0\n\n"));
	assert_non_null(strstr(text, "# bridge br8: not VLAN-aware, ifupdown2 allows one VLAN-aware "
	    "bridge (br9); VLANs not carried: 50\n"));
	assert_non_null(strstr(text, "iface lab inet manual\n\n"));
	a = strstr(text, "iface lan25-1 ");
	b = strstr(text, "iface enp3s0 ");
	assert_true(a != NULL && b != NULL && a < b);   /* the plan's order, not the names' */
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_port_where_it_should_be),
		cmocka_unit_test(test_router_render),
		cmocka_unit_test(test_consumer_refuses_broken_files),
		cmocka_unit_test(test_import_derives_ifnames),
		cmocka_unit_test(test_api_ifname_rules),
		cmocka_unit_test(test_one_vlan_aware_bridge),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
