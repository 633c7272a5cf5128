/* GET /api/v1/render/{target} and `netsot render`: golden files of every target for the seed
 * plan, every file accepted by the program that consumes it (and a broken copy refused, so each
 * check can fail), parameters, ETags and 304s, and what one changed address changes.
 * Golden files are rewritten with NETSOT_UPDATE_GOLDEN=1. The packet-filter checks run in a
 * private network namespace (unshare -n), which needs root, as CI has. */
#include "consumers.h"
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsname.h"
#include "ipaddr.h"

#define PW TEST_PASSWORD
#define SEED NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json"
#define GOLDEN NETSOT_SOURCE_DIR "/tests/golden"

static struct srv S;
static char *ed;

/* Every target once, with the parameters that make sense for the seed. */
static const struct {
	const char *file;      /* golden file name */
	const char *path;      /* what follows /api/v1/render/ */
} renders[] = {
	{ "hosts", "hosts" },
	{ "dnsmasq", "dnsmasq" },
	{ "bind-local", "bind?zone=local" },
	{ "bind-cluster.local", "bind?zone=cluster.local" },
	{ "bind-reverse-192.168.1.0", "bind?reverse=192.168.1.0/24" },
	{ "bind-reverse-10.10.0.0", "bind?reverse=10.10.0.0/16" },
	{ "nftables-router", "nftables?host=router" },
	{ "nftables-pve-node-1", "nftables?host=pve-node-1" },
	{ "iptables-router", "iptables?host=router" },
	{ "iptables-k3s", "iptables?host=k3s" },
	{ "ufw-pve-node-1", "ufw?host=pve-node-1" },
	{ "ufw-k3s", "ufw?host=k3s" },
	{ "interfaces-pve-node-1", "interfaces?host=pve-node-1" },
	{ "interfaces-pve-node-2", "interfaces?host=pve-node-2" },
	{ "interfaces-router", "interfaces?host=router" },
	{ "mwan3", "mwan3" },
	{ "k3s", "k3s" },
	{ "ansible-inventory", "ansible-inventory" },
};

#define NRENDERS (sizeof(renders) / sizeof(renders[0]))

static char *
render(const char *path, long expect)
{
	char url[256];
	struct resp r;
	char *body;

	snprintf(url, sizeof(url), "/api/v1/render/%s", path);
	if (api(&S, "GET", url, ed, NULL, &r) != expect)
		fail_msg("GET %s: %ld %s", url, r.status, r.body);
	body = strdup(r.body ? r.body : "");
	resp_free(&r);
	return body;
}

/* netsot render TARGET --param k=v --db FILE: its exit status, its output in *out. */
static int
render_cli(const char *path, const char *db, char **out)
{
	char param[160], *q, *p;
	const char *args[12];
	int a = 0;

	snprintf(param, sizeof(param), "%s", path);
	args[a++] = "render";
	if ((q = strchr(param, '?')) != NULL)
		*q++ = '\0';
	args[a++] = param;
	for (p = q ? strtok(q, "&") : NULL; p != NULL; p = strtok(NULL, "&")) {
		args[a++] = "--param";
		args[a++] = p;
	}
	args[a++] = "--db";
	args[a++] = db;
	args[a] = NULL;
	return run_netsot(args, NULL, out, NULL);
}

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
	resp_free(&r);
	free(seed);
	/* The seed was just imported: pin the times and serials it got from today's clock, so the
	 * files are the same bytes on any day (the revisions are the same on any run). */
	srv_sql(&S, "UPDATE changes SET time = '2026-01-01T00:00:00Z';"
	    "UPDATE bookkeeping SET time = '2026-01-01T00:00:00Z' WHERE time IS NOT NULL;"
	    "UPDATE dns_zones SET serial = 2026010101;");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, NULL);
	return 0;
}

/* Each render against its golden file, and the command line's bytes against the API's. */
static void
test_golden(void **state)
{
	char path[512], *body, *want, *cli;
	bool update = getenv("NETSOT_UPDATE_GOLDEN") != NULL;
	size_t i;

	(void)state;
	for (i = 0; i < NRENDERS; i++) {
		body = render(renders[i].path, 200);
		snprintf(path, sizeof(path), GOLDEN "/%s.txt", renders[i].file);
		if (update)
			consumers_spit(path, body);
		if ((want = read_file(path, NULL)) == NULL)
			fail_msg("no golden file %s (NETSOT_UPDATE_GOLDEN=1 writes it)", path);
		if (strcmp(body, want) != 0)
			fail_msg("%s differs from %s", renders[i].path, path);
		assert_int_equal(render_cli(renders[i].path, S.db, &cli), 0);
		if (strcmp(cli, body) != 0)
			fail_msg("netsot render %s differs from the API's", renders[i].path);
		free(cli);
		free(want);
		free(body);
	}
}

/* text with its first occurrence of what replaced by with. */
static char *
broken(const char *text, const char *what, const char *with)
{
	const char *at = strstr(text, what);
	char *out;

	if (at == NULL)
		fail_msg("'%s' is not in the render", what);
	out = malloc(strlen(text) + strlen(with) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), with);
	strcat(out, at + strlen(what));
	return out;
}

static const struct {
	const char *kind, *path, *arg;
	const char *what, *with;   /* the breakage */
} checks[] = {
	{ "hosts", "hosts", NULL, "192.168.1.60", "192.168.1.600" },
	{ "dnsmasq", "dnsmasq", NULL, "host-record=", "host-recrd=" },
	{ "bind", "bind?zone=local", "local", "IN\tA\t192.168.1.60", "IN\tA\t192.168.1.600" },
	{ "bind", "bind?zone=cluster.local", "cluster.local", "IN\tNS", "IN\tNS\tnowhere" },
	{ "bind", "bind?reverse=192.168.1.0/24", "1.168.192.in-addr.arpa", "IN\tPTR", "IN\tPTX" },
	{ "bind", "bind?reverse=10.10.0.0/16", "10.10.in-addr.arpa", "$ORIGIN", "$ORIGINN" },
	{ "nftables", "nftables?host=router", NULL, " accept comment", " acept comment" },
	{ "nftables", "nftables?host=pve-node-1", NULL, "dport 22", "dport 99999" },
	{ "iptables", "iptables?host=router", NULL, "-j ACCEPT", "-j ACCEPTED" },
	{ "iptables", "iptables?host=k3s", NULL, "--dports 6443", "--dports 99999" },
	{ "ufw", "ufw?host=pve-node-1", NULL, "from any", "from 10.0.0.0/33" },
	{ "ufw", "ufw?host=k3s", NULL, "proto tcp", "proto tpc" },
	{ "interfaces", "interfaces?host=pve-node-1", NULL, "inet static", "inet statik" },
	{ "interfaces", "interfaces?host=router", NULL, "inet static", "inet statik" },
	{ "mwan3", "mwan3", NULL, "option interface 'wan1'", "option interface 'wan9'" },
	{ "k3s", "k3s", NULL, "service-cidr:", "cluster-cidr:" },
	{ "ansible", "ansible-inventory", NULL, "\"_meta\"", "\"_meta\" \"x\"" },
};

/* Every check passes the real file and refuses the broken one. */
static void
run_checks(bool with_broken)
{
	char *text, *bad;
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		text = render(checks[i].path, 200);
		consumers_assert(checks[i].kind, checks[i].arg, text, true);
		if (with_broken) {
			bad = broken(text, checks[i].what, checks[i].with);
			consumers_assert(checks[i].kind, checks[i].arg, bad, false);
			free(bad);
		}
		free(text);
	}
}

static void
test_consumers(void **state)
{
	char file[256], *hosts, *out;

	(void)state;
	if (geteuid() != 0)
		fail_msg("the consumer checks need root (unshare -n): run the tests as root");
	run_checks(true);
	/* glibc reads the rendered /etc/hosts as we mean it: an alias finds its address. */
	hosts = render("hosts", 200);
	snprintf(file, sizeof(file), "%s/hosts", S.dir);
	consumers_spit(file, hosts);
	assert_int_equal(consumers_sh("unshare -m sh -c 'mount --bind %s /etc/hosts && "
	    "getent -s files hosts gitea.local'", file), 0);
	snprintf(file, sizeof(file), "%s/sh.out", S.dir);
	out = read_file(file, NULL);
	assert_non_null(strstr(out, "192.168.1.60"));
	free(out);
	free(hosts);
}

/* PATCHes the first object a list finds. */
static void
patch_first(const char *list, const char *body)
{
	char url[160];
	struct resp r;
	const char *base = "/api/v1/";
	size_t n = strcspn(list + strlen(base), "?");

	assert_int_equal(api(&S, "GET", list, ed, NULL, &r), 200);
	snprintf(url, sizeof(url), "%.*s/%lld", (int)(strlen(base) + n), list,
	    (long long)json_integer_value(json_object_get(json_array_get(json_object_get(r.json,
	    "results"), 0), "id")));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", url, ed, body, NULL), 200);
}

/* A richer plan than the seed: DHCP pools, IPv6, a trunk into a VLAN-aware bridge, a logged
 * rule with a port list, a rejecting default. Every consumer still accepts every file. */
static void
test_consumers_richer_plan(void **state)
{
	long long v20, v30, pve, zone;
	char body[512];

	(void)state;
	v20 = api_create(&S, ed, "/api/v1/vlans", "{\"vid\":21,\"name\":\"lab\"}");
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.21.0.0/24\",\"vlan_id\":%lld,"
	    "\"gateway\":\"10.21.0.1\",\"dhcp\":true}", v20);
	patch_first("/api/v1/ip-ranges?start_address=10.10.50.10", "{\"dhcp\":true}");
	patch_first("/api/v1/ip-ranges?start_address=10.10.50.40", "{\"dhcp\":true}");
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"fd00:20::/64\",\"dhcp\":true}");
	snprintf(body, sizeof(body), "/api/v1/hosts?name=pve-node-1");
	{
		struct resp r;

		assert_int_equal(api(&S, "GET", body, ed, NULL, &r), 200);
		pve = json_integer_value(json_object_get(json_array_get(json_object_get(r.json,
		    "results"), 0), "id"));
		resp_free(&r);
		assert_int_equal(api(&S, "GET", "/api/v1/dns-zones?name=local", ed, NULL, &r), 200);
		zone = json_integer_value(json_object_get(json_array_get(json_object_get(r.json,
		    "results"), 0), "id"));
		resp_free(&r);
		assert_int_equal(api(&S, "GET", "/api/v1/vlans?vid=30", ed, NULL, &r), 200);
		v30 = json_integer_value(json_object_get(json_array_get(json_object_get(r.json,
		    "results"), 0), "id"));
		resp_free(&r);
	}
	api_create(&S, ed, "/api/v1/ip-addresses", "{\"address\":\"fd00:20::10\",\"host_id\":%lld,"
	    "\"interface\":\"vmbr0\",\"dns_name\":\"pve-node-1.local\"}", pve);
	api_create(&S, ed, "/api/v1/ports", "{\"host_id\":%lld,\"name\":\"eth3\",\"mode\":\"trunk\","
	    "\"bridge\":\"vmbr2\",\"tagged_vlan_ids\":[%lld,%lld]}", pve, v20, v30);
	api_create(&S, ed, "/api/v1/ip-addresses", "{\"address\":\"10.21.0.10\",\"host_id\":%lld,"
	    "\"interface\":\"vmbr2.21\"}", pve);
	api_create(&S, ed, "/api/v1/firewall-rules", "{\"name\":\"web-from-lab\",\"scope\":"
	    "\"input\",\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"22,80,443,"
	    "8000-8100\",\"log\":true,\"src_vlan_id\":%lld,\"dst_host_id\":%lld}", v20, pve);
	api_create(&S, ed, "/api/v1/firewall-rules", "{\"name\":\"v6-ssh\",\"scope\":\"input\","
	    "\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"22\","
	    "\"src_cidr\":\"fd00::/8\",\"dst_host_id\":%lld}", pve);
	api_create(&S, ed, "/api/v1/firewall-rules", "{\"name\":\"no-icmp-lab\",\"scope\":"
	    "\"forward\",\"action\":\"reject\",\"protocol\":\"icmp\",\"src_vlan_id\":%lld}", v20);
	api_create(&S, ed, "/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"_sip._tcp\","
	    "\"type\":\"SRV\",\"value\":\"10 5 5060 k3s.local.\"}", zone);
	api_create(&S, ed, "/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"@\","
	    "\"type\":\"MX\",\"value\":\"10 git.local.\"}", zone);
	api_create(&S, ed, "/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"note\","
	    "\"type\":\"TXT\",\"value\":\"v=spf1 mx -all\"}", zone);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"reject\",\"input_default_action\":\"reject\"}", NULL),
	    200);
	run_checks(false);
	{
		char *t = render("dnsmasq", 200), *n = render("nftables?host=pve-node-1", 200),
		    *i = render("interfaces?host=pve-node-1", 200);

		assert_non_null(strstr(t, "dhcp-range=set:pool-10-21-0-1,10.21.0.1,10.21.0.254,"
		    "255.255.255.0,12h"));
		assert_non_null(strstr(t, "srv-host=_sip._tcp.local,k3s.local,5060,10,5"));
		assert_non_null(strstr(n, "iifname \"vmbr2.21\" tcp dport { 22, 80, 443, 8000-8100 } "
		    "log prefix \"netsot web-from-lab: \" accept"));
		assert_non_null(strstr(n, "ip6 saddr fd00::/8 tcp dport 22 accept"));
		assert_non_null(strstr(i, "bridge-vlan-aware yes\n\tbridge-vids 21 30"));
		assert_non_null(strstr(i, "iface vmbr0 inet6 static\n\taddress fd00:20::10/64"));
		free(t);
		free(n);
		free(i);
	}
}

static void
test_parameters(void **state)
{
	static const struct {
		const char *path;
		long status;
		const char *field;
	} cases[] = {
		{ "nope", 404, NULL },
		{ "hosts?host=router", 400, "host" },
		{ "nftables", 400, "host" },
		{ "nftables?host=", 400, "host" },
		{ "nftables?host=ghost", 404, NULL },
		{ "nftables?host=router&host=k3s", 400, "host" },
		{ "nftables?host=router&colour=red", 400, "colour" },
		{ "nftables?host=rou%0Ater", 400, "host" },
		{ "bind", 400, "zone" },
		{ "bind?zone=local&reverse=10.0.0.0/8", 400, NULL },
		{ "bind?zone=nowhere", 404, NULL },
		{ "bind?reverse=10.0.0.1/8", 400, "reverse" },
		{ "bind?reverse=10.0.0.0/4", 400, "reverse" },
		/* Networks the plan does not know: a typo, not an empty zone. */
		{ "bind?reverse=172.31.0.0/16", 404, NULL },
		{ "bind?reverse=2001:db8:dead::/48", 404, NULL },
		/* Inside a prefix of the plan, or holding one: known. */
		{ "bind?reverse=10.10.20.0/24", 200, NULL },
		{ "bind?reverse=10.0.0.0/8", 200, NULL },
		{ "k3s?a=1&b=2&c=3&d=4&e=5", 400, NULL },
	};
	char url[160];
	struct resp r;
	size_t i;
	json_t *t;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(url, sizeof(url), "/api/v1/render/%s", cases[i].path);
		if (api(&S, "GET", url, ed, NULL, &r) != cases[i].status)
			fail_msg("%s: %ld %s", url, r.status, r.body);
		if (cases[i].field != NULL && field_error(&r, cases[i].field) == NULL)
			fail_msg("%s: no error for %s in %s", url, cases[i].field, r.body);
		resp_free(&r);
	}
	/* The list names every target with its parameters. */
	assert_int_equal(api(&S, "GET", "/api/v1/render", ed, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "targets")), 10);
	json_array_foreach(json_object_get(r.json, "targets"), i, t)
		assert_non_null(json_object_get(t, "parameters"));
	resp_free(&r);
	/* No token, no file. */
	assert_int_equal(api(&S, "GET", "/api/v1/render/hosts", NULL, NULL, NULL), 401);
}

/* A text render without its header (two lines, three with a shebang) and without the serial
 * of a reverse zone nobody stored, which is the revision; malloc'd. */
static char *
after_header(const char *text)
{
	const char *p = text;
	char *out, *serial, *end;
	int lines = strncmp(text, "#!", 2) == 0 ? 3 : 2;

	while (lines-- > 0 && (p = strchr(p, '\n')) != NULL)
		p++;
	out = strdup(p ? p : "");
	if ((serial = strstr(out, "\t; serial\n")) != NULL) {
		while (serial > out && serial[-1] != '\t')
			serial--;
		end = strchr(serial, '\t');
		memmove(serial, end, strlen(end) + 1);
	}
	return out;
}

/* One address changes: the ETags of what reads addresses change, the files that show it
 * change where it shows, and nothing else. */
static void
test_etag_and_one_change(void **state)
{
	char *before[NRENDERS], *after, etag[NRENDERS][64], now[64], hdr[128], url[160];
	struct resp r;
	size_t i;
	long long id;

	(void)state;
	for (i = 0; i < NRENDERS; i++) {
		snprintf(url, sizeof(url), "/api/v1/render/%s", renders[i].path);
		assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
		before[i] = strdup(r.body);
		assert_non_null(resp_header(&r, "ETag", etag[i], sizeof(etag[i])));
		resp_free(&r);
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag[i]);
		assert_int_equal(req_hdr(&S, "GET", url, ed, hdr, NULL, &r), 0);
		assert_int_equal(r.status, 304);
		resp_free(&r);
	}
	assert_int_equal(api(&S, "GET", "/api/v1/ip-addresses?address=10.10.50.70", ed, NULL,
	    &r), 200);
	id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "results"),
	    0), "id"));
	resp_free(&r);
	snprintf(url, sizeof(url), "/api/v1/ip-addresses/%lld", id);
	assert_int_equal(api(&S, "PATCH", url, ed, "{\"dns_name\":\"cicd.local\"}", NULL), 200);
	for (i = 0; i < NRENDERS; i++) {
		snprintf(url, sizeof(url), "/api/v1/render/%s", renders[i].path);
		assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
		after = strdup(r.body);
		assert_non_null(resp_header(&r, "ETag", now, sizeof(now)));
		resp_free(&r);
		if (strcmp(renders[i].file, "mwan3") == 0) {
			/* mwan3 reads no address: same ETag, same bytes. */
			assert_string_equal(now, etag[i]);
			assert_string_equal(after, before[i]);
		} else if (strcmp(renders[i].file, "hosts") == 0) {
			assert_string_not_equal(now, etag[i]);
			assert_non_null(strstr(after, "10.10.50.70\tcicd.local\n"));
			assert_null(strstr(before[i], "cicd.local"));
		} else if (strcmp(renders[i].file, "dnsmasq") == 0) {
			assert_non_null(strstr(after, "host-record=cicd.local,10.10.50.70\n"));
		} else if (strcmp(renders[i].file, "bind-local") == 0) {
			assert_non_null(strstr(after, "cicd\t\tIN\tA\t10.10.50.70\n"));
		} else if (strcmp(renders[i].file, "bind-reverse-10.10.0.0") == 0) {
			assert_non_null(strstr(after, "70.50\t\tIN\tPTR\tcicd.local.\n"));
		} else if (strcmp(renders[i].file, "ansible-inventory") == 0) {
			/* cicd's primary address was already its only one: the same inventory. */
			assert_string_equal(after, before[i]);
		} else {
			/* None of these shows this one's name: at most the header's revision
			 * moves, and then the ETag with it. */
			char *x = after_header(after), *y = after_header(before[i]);

			if (strcmp(after, before[i]) != 0 && strcmp(now, etag[i]) == 0)
				fail_msg("%s changed under the same ETag", renders[i].path);
			assert_string_equal(x, y);
			free(x);
			free(y);
		}
		free(after);
		free(before[i]);
	}
}

/* The ETag of each render, into etag[i]. */
static void
etags(char etag[][64])
{
	char url[160];
	struct resp r;
	size_t i;

	for (i = 0; i < NRENDERS; i++) {
		snprintf(url, sizeof(url), "/api/v1/render/%s", renders[i].path);
		assert_int_equal(api(&S, "GET", url, ed, NULL, &r), 200);
		assert_non_null(resp_header(&r, "ETag", etag[i], 64));
		resp_free(&r);
	}
}

/* What each render reads, found apart from the server's own watching: the command line
 * renders a copy of the database whose table is renamed away, and fails iff it reads it. */
static void
reads_table(const char *table, bool *reads)
{
	char copy[512], sql[1024], *out;
	sqlite3 *h;
	size_t i;

	snprintf(copy, sizeof(copy), "%s/hidden.db", S.dir);
	unlink(copy);
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", copy);
	srv_sql(&S, sql);
	assert_int_equal(sqlite3_open(copy, &h), SQLITE_OK);
	snprintf(sql, sizeof(sql), "ALTER TABLE \"%.63s\" RENAME TO hidden_away", table);
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_close(h);
	for (i = 0; i < NRENDERS; i++) {
		reads[i] = render_cli(renders[i].path, copy, &out) != 0;
		free(out);
	}
	unlink(copy);
}

/* Each table in turn changes (by hand: the revisions follow any write), and every render that
 * reads it gets a new ETag, while a target that reads it in none of its renders keeps its ETag:
 * no 304 for a changed file, and no new ETag for nothing. */
static void
test_etag_follows_each_table(void **state)
{
	char before[NRENDERS][64], after[NRENDERS][64], sql[512], tables[64][2][64];
	bool reads[NRENDERS], target_reads;
	sqlite3_stmt *st;
	sqlite3 *h;
	size_t i, j, k, n = 0, len;
	int checked = 0, moved = 0;

	(void)state;
	assert_int_equal(sqlite3_open(S.db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT t.name, (SELECT c.name FROM "
	    "pragma_table_info(t.name) c WHERE c.cid = 0) FROM sqlite_schema t "
	    "WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name NOT IN "
	    "('bookkeeping', 'schema_migrations') ORDER BY t.name", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
		snprintf(tables[n][0], 64, "%s", sqlite3_column_text(st, 0));
		snprintf(tables[n++][1], 64, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	for (k = 0; k < n; k++) {
		reads_table(tables[k][0], reads);
		etags(before);
		snprintf(sql, sizeof(sql), "UPDATE \"%.63s\" SET \"%.63s\" = \"%.63s\"",
		    tables[k][0], tables[k][1], tables[k][1]);
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
		if (sqlite3_changes(h) == 0)
			continue;    /* an empty table: nothing changed */
		etags(after);
		for (i = 0; i < NRENDERS; i++) {
			len = strcspn(renders[i].path, "?");
			target_reads = false;
			for (j = 0; j < NRENDERS; j++)
				if (reads[j] && strcspn(renders[j].path, "?") == len &&
				    strncmp(renders[j].path, renders[i].path, len) == 0)
					target_reads = true;
			if (reads[i] && strcmp(before[i], after[i]) == 0)
				fail_msg("%s reads %s, which changed, and kept its ETag",
				    renders[i].path, tables[k][0]);
			if (!target_reads && strcmp(before[i], after[i]) != 0)
				fail_msg("%s reads no %s, and its ETag moved with it",
				    renders[i].path, tables[k][0]);
			checked += reads[i];
			moved += strcmp(before[i], after[i]) != 0;
		}
	}
	sqlite3_close(h);
	/* The oracle found reads, and they moved ETags. */
	assert_true(checked > 40);
	assert_true(moved >= checked);
}

/* A table a render reads only once the data leads there still moves its ETag: on a fresh
 * server a host without rules reads no prefixes; a rule from a VLAN makes it read them, and
 * then a new prefix in that VLAN is a new file with a new ETag, never a 304. */
static void
test_etag_learns_new_reads(void **state)
{
	char e1[64], e2[64], e3[64], hdr[128];
	const char *url = "/api/v1/render/nftables?host=lone";
	struct srv t;
	struct resp r;
	long long vlan, host;
	char *tok;

	(void)state;
	srv_up(&t, NULL, &tok, NULL);
	host = api_create(&t, tok, "/api/v1/hosts", "{\"name\":\"lone\",\"kind\":\"vm\"}");
	vlan = api_create(&t, tok, "/api/v1/vlans", "{\"vid\":42,\"name\":\"far\"}");
	api_create(&t, tok, "/api/v1/prefixes", "{\"prefix\":\"10.42.0.0/24\",\"vlan_id\":%lld}",
	    vlan);
	assert_int_equal(api(&t, "GET", url, tok, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", e1, sizeof(e1)));
	resp_free(&r);
	api_create(&t, tok, "/api/v1/firewall-rules", "{\"name\":\"from-far\",\"scope\":\"input\","
	    "\"action\":\"accept\",\"protocol\":\"tcp\",\"dst_ports\":\"22\",\"src_vlan_id\":%lld,"
	    "\"dst_host_id\":%lld}", vlan, host);
	assert_int_equal(api(&t, "GET", url, tok, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", e2, sizeof(e2)));
	assert_string_not_equal(e1, e2);
	assert_null(strstr(r.body, "10.43.0.0/24"));
	resp_free(&r);
	api_create(&t, tok, "/api/v1/prefixes", "{\"prefix\":\"10.43.0.0/24\",\"vlan_id\":%lld}",
	    vlan);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", e2);
	assert_int_equal(req_hdr(&t, "GET", url, tok, hdr, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "ETag", e3, sizeof(e3)));
	assert_string_not_equal(e2, e3);
	assert_non_null(strstr(r.body, "10.43.0.0/24"));
	resp_free(&r);
	srv_down(&t, tok, NULL);
}

/* The inventory script, as Ansible runs it, against this server. */
static void
test_inventory_script(void **state)
{
	struct resp r;
	char *out, file[256];
	json_t *inv;
	const char *token;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/inventory", ed, NULL, &r), 200);
	assert_non_null(json_object_get(json_object_get(r.json, "_meta"), "hostvars"));
	resp_free(&r);
	token = ed;
	assert_int_equal(consumers_sh("NETSOT_URL=http://127.0.0.1:%d NETSOT_TOKEN=%s "
	    "ANSIBLE_INVENTORY_ENABLED=script ANSIBLE_INVENTORY_UNPARSED_FAILED=true "
	    "ansible-inventory -i " NETSOT_SOURCE_DIR "/deploy/ansible/netsot-inventory --list "
	    "2>/dev/null", S.port, token), 0);
	snprintf(file, sizeof(file), "%s/sh.out", S.dir);
	out = read_file(file, NULL);
	inv = json_loads(out, 0, NULL);
	assert_non_null(inv);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(inv, "_meta"), "hostvars"), "pve-node-1"), "ansible_host")),
	    "192.168.1.10");
	assert_non_null(json_object_get(inv, "proxmox"));
	json_decref(inv);
	free(out);
	/* Without a token it fails, and says why. */
	assert_int_not_equal(consumers_sh("NETSOT_URL=http://127.0.0.1:%d " NETSOT_SOURCE_DIR
	    "/deploy/ansible/netsot-inventory --list", S.port), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_consumers),
		cmocka_unit_test(test_parameters),
		cmocka_unit_test(test_etag_and_one_change),
		cmocka_unit_test(test_etag_learns_new_reads),
		cmocka_unit_test(test_inventory_script),
		cmocka_unit_test(test_consumers_richer_plan),
		/* Last: the richer plan fills every table. */
		cmocka_unit_test(test_etag_follows_each_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
