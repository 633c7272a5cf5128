/* Benchmark data generator and free-map timer.
 *   gen addresses DB dense|random N   a 10.0.0.0/8 prefix holding N addresses
 *   gen nextfree DB                   times freemap_lowest in that /8
 *   gen plan DB ADDRESSES RULES       VLANs, prefixes, hosts, addresses, services and rules
 *   gen validate DB                   times the validation report
 *   gen dns DB NAMES CNAMES           a plan of NAMES named addresses (hN.lab.local) in zone
 *                                     lab.local with CNAMES aliases (cN), one in ten through
 *                                     another alias
 * Rows are written straight into SQLite (one transaction) with the same keys and free map the
 * server keeps, so the server then runs on them as on data it made itself. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apierr.h"
#include "clock.h"
#include "db.h"
#include "freemap.h"
#include "ipaddr.h"
#include "validate.h"

#define SPACE (1u << 24)

static void
die(const char *what, struct db *db)
{
	fprintf(stderr, "gen: %s: %s\n", what, db ? sqlite3_errmsg(db_handle(db)) : "");
	exit(1);
}

static int
gen_addresses(struct db *db, int dense, unsigned n)
{
	static const char prefix[] = "INSERT INTO prefixes (prefix, created_at, updated_at, "
	    "first_key, last_key, prefix_len) VALUES ('10.0.0.0/8', ?1, ?1, ?2, ?3, 8)";
	static const char addr[] = "INSERT INTO ip_addresses (address, prefix_id, created_at, "
	    "updated_at, addr_key) VALUES (?1, 1, ?2, ?2, ?3)";
	unsigned char *used = calloc(SPACE / 8, 1), key[IPADDR_KEYLEN];
	char now[CLOCK_RFC3339_LEN], text[IPADDR_STRLEN];
	struct api_err err;
	struct ipaddr a;
	sqlite3_stmt *st;
	unsigned i, x, placed = 0;

	api_err_init(&err);
	if (used == NULL || n >= SPACE - 2)
		die("too many", NULL);
	/* Pick the host numbers first (1 .. 2^24-2), then write them in order. */
	srand(42);
	for (x = 1; placed < n; x++) {
		unsigned v = dense ? x : 1 + ((unsigned)rand() * 2654435761u + (unsigned)rand()) %
		    (SPACE - 2);

		if (!(used[v / 8] & (1u << (v % 8)))) {
			used[v / 8] |= (unsigned char)(1u << (v % 8));
			placed++;
		}
	}
	clock_rfc3339(clock_now(), now);
	if (db_begin(db, true) == -1)
		die("begin", db);
	st = db_stmt(db, prefix);
	a = (struct ipaddr){ 0, 0x0a000000, 4 };
	ipaddr_to_key(&a, key);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, key, IPADDR_KEYLEN, SQLITE_TRANSIENT);
	a.lo = 0x0affffff;
	ipaddr_to_key(&a, key);
	sqlite3_bind_blob(st, 3, key, IPADDR_KEYLEN, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("prefix", db);
	st = db_stmt(db, addr);
	for (i = 1; i < SPACE - 1; i++) {
		if (!(used[i / 8] & (1u << (i % 8))))
			continue;
		a.lo = 0x0a000000u | i;
		ipaddr_format(&a, text, sizeof(text));
		ipaddr_to_key(&a, key);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, key, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("address", db);
	}
	sqlite3_reset(st);
	if (freemap_rebuild(db, "SELECT addr_key FROM ip_addresses ORDER BY addr_key", &err) == -1)
		die(err.detail, db);
	if (db_commit(db) == -1)
		die("commit", db);
	free(used);
	printf("generated %u %s addresses in 10.0.0.0/8\n", n, dense ? "dense" : "random");
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lowest free from the bottom of the /8, and from 10,000 random starting points. */
static int
gen_nextfree(struct db *db)
{
	enum { RUNS = 10000 };
	static uint64_t t[RUNS];
	struct ipaddr lo = { 0, 0x0a000001, 4 }, hi = { 0, 0x0afffffe, 4 }, out;
	struct api_err err;
	uint64_t t0, worst = 0;
	int i;

	api_err_init(&err);
	srand(7);
	for (i = 0; i < RUNS; i++) {
		struct ipaddr from = lo;

		if (i > 0)
			from.lo = 0x0a000001u + (unsigned)rand() % (SPACE - 2);
		t0 = clock_usec();
		if (db_begin(db, false) == -1 || freemap_lowest(db, &from, &hi, &out, &err) != 1)
			die("nextfree", db);
		db_rollback(db);
		t[i] = clock_usec() - t0;
		if (i == 0)
			worst = t[0];
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_u64);
	printf("next free from 10.0.0.1: %llu us (first call)\n", (unsigned long long)worst);
	printf("next free, %d random starts: median %llu us, p99 %llu us, max %llu us\n", RUNS,
	    (unsigned long long)t[RUNS / 2], (unsigned long long)t[RUNS * 99 / 100],
	    (unsigned long long)t[RUNS - 1]);
	return 0;
}

static void
exec_or_die(struct db *db, const char *sql)
{
	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, db);
}

/* A plan shaped like a bigger seed: /24 VLANs of 250 addresses, a host per 5 addresses with
 * an SSH service, and rules between VLANs, prefixes, hosts and CIDRs. */
static int
gen_plan(struct db *db, int addresses, int rules)
{
	static const char vlan[] = "INSERT INTO vlans (vid, name, created_at, updated_at) "
	    "VALUES (?1, 'vlan' || ?1, 'x', 'x')";
	static const char prefix[] = "INSERT INTO prefixes (prefix, vlan_id, created_at, "
	    "updated_at, first_key, last_key, prefix_len) VALUES (?1, ?2, 'x', 'x', ?3, ?4, 24)";
	static const char host[] = "INSERT INTO hosts (name, created_at, updated_at) "
	    "VALUES ('host' || ?1, 'x', 'x')";
	static const char addr[] = "INSERT INTO ip_addresses (address, prefix_id, host_id, "
	    "dns_name, created_at, updated_at, addr_key) VALUES (?1, ?2, ?3, ?4, 'x', 'x', ?5)";
	static const char svc[] = "INSERT INTO services (host_id, name, protocol, ports, "
	    "created_at, updated_at) VALUES (?1, 'ssh', 'tcp', '22', 'x', 'x')";
	static const char rule[] = "INSERT INTO firewall_rules (name, scope, priority, action, "
	    "protocol, dst_ports, src_vlan_id, src_prefix_id, dst_host_id, dst_cidr, created_at, "
	    "updated_at) VALUES ('rule' || ?2, ?1, ?2, 'accept', ?3, ?4, ?5, ?6, ?7, ?8, 'x', 'x')";
	int nvlans = (addresses + 249) / 250, i, hosts = 0;
	unsigned char lo[IPADDR_KEYLEN], hi[IPADDR_KEYLEN];
	char text[64], dns[64];
	struct ipaddr a;
	sqlite3_stmt *st;
	struct api_err err;

	api_err_init(&err);
	srand(11);
	if (db_begin(db, true) == -1)
		die("begin", db);
	for (i = 0; i < nvlans; i++) {
		st = db_stmt(db, vlan);
		sqlite3_bind_int(st, 1, 100 + i);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("vlan", db);
		sqlite3_reset(st);
		a = (struct ipaddr){ 0, 0x0a000000u | (unsigned)i << 8, 4 };
		ipaddr_to_key(&a, lo);
		a.lo |= 255;
		ipaddr_to_key(&a, hi);
		snprintf(text, sizeof(text), "10.%d.%d.0/24", i >> 8, i & 255);
		st = db_stmt(db, prefix);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, i + 1);
		sqlite3_bind_blob(st, 3, lo, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 4, hi, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("prefix", db);
		sqlite3_reset(st);
	}
	for (i = 0; i < addresses; i++) {
		if (i % 5 == 0) {
			st = db_stmt(db, host);
			sqlite3_bind_int(st, 1, ++hosts);
			if (sqlite3_step(st) != SQLITE_DONE)
				die("host", db);
			sqlite3_reset(st);
			st = db_stmt(db, svc);
			sqlite3_bind_int(st, 1, hosts);
			if (sqlite3_step(st) != SQLITE_DONE)
				die("service", db);
			sqlite3_reset(st);
		}
		a = (struct ipaddr){ 0, 0x0a000000u | (unsigned)(i / 250) << 8 | (unsigned)(i % 250 + 2),
		    4 };
		ipaddr_format(&a, text, sizeof(text));
		ipaddr_to_key(&a, lo);
		snprintf(dns, sizeof(dns), "h%d.lab.local", i);
		st = db_stmt(db, addr);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, i / 250 + 1);
		sqlite3_bind_int(st, 3, hosts);
		sqlite3_bind_text(st, 4, dns, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 5, lo, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("address", db);
		sqlite3_reset(st);
	}
	for (i = 0; i < rules; i++) {
		int kind = rand() % 4, input = i % 3 == 0;

		st = db_stmt(db, rule);
		sqlite3_bind_text(st, 1, input ? "input" : "forward", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, i);
		sqlite3_bind_text(st, 3, kind == 3 ? "any" : "tcp", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, kind == 3 ? "" : (i % 2 ? "22" : "80,443,8000-8100"), -1,
		    SQLITE_STATIC);
		if (kind == 0)
			sqlite3_bind_int(st, 5, 1 + rand() % nvlans);
		if (kind == 1)
			sqlite3_bind_int(st, 6, 1 + rand() % nvlans);
		if (input || kind == 2)
			sqlite3_bind_int(st, 7, 1 + rand() % hosts);
		if (!input && kind == 3) {
			snprintf(text, sizeof(text), "10.%d.0.0/16", rand() % 4);
			sqlite3_bind_text(st, 8, text, -1, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			die("rule", db);
		sqlite3_reset(st);
	}
	exec_or_die(db, "UPDATE row_counts SET n = (SELECT count(*) FROM ip_addresses) "
	    "WHERE tbl = 'ip_addresses'");
	if (freemap_rebuild(db, "SELECT addr_key FROM ip_addresses ORDER BY addr_key", &err) == -1)
		die(err.detail, db);
	if (db_commit(db) == -1)
		die("commit", db);
	printf("generated %d VLANs, %d hosts, %d addresses, %d firewall rules\n", nvlans, hosts,
	    addresses, rules);
	return 0;
}

/* The CNAME-heavy plan of issue 13: names from gen_plan, their zone, and aliases. */
static int
gen_dns(struct db *db, int names, int cnames)
{
	static const char zone[] = "INSERT INTO dns_zones (name, soa_mname, soa_rname, serial, "
	    "created_at, updated_at) VALUES ('lab.local', 'h0.lab.local.', "
	    "'hostmaster.lab.local.', 2026010101, 'x', 'x')";
	static const char rec[] = "INSERT INTO dns_records (zone_id, name, type, value, "
	    "created_at, updated_at) VALUES (1, ?1, 'CNAME', ?2, 'x', 'x')";
	char name[32], target[32];
	sqlite3_stmt *st;
	int i;

	gen_plan(db, names, 0);
	if (db_begin(db, true) == -1)
		die("begin", db);
	exec_or_die(db, zone);
	for (i = 0; i < cnames; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		/* One in ten leads through the alias before it: chains as well as direct ones. */
		if (i % 10 == 9)
			snprintf(target, sizeof(target), "c%d", i - 1);
		else
			snprintf(target, sizeof(target), "h%u",
			    (unsigned)i * 7919u % (unsigned)names);
		st = db_stmt(db, rec);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, target, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("record", db);
		sqlite3_reset(st);
	}
	if (db_commit(db) == -1)
		die("commit", db);
	printf("generated zone lab.local with %d CNAMEs\n", cnames);
	return 0;
}

static int
gen_validate(struct db *db)
{
	enum { RUNS = 7 };
	uint64_t t[RUNS], t0;
	struct api_err err;
	json_t *report;
	int i;

	api_err_init(&err);
	for (i = 0; i < RUNS; i++) {
		t0 = clock_usec();
		if (db_begin(db, false) == -1 || validate_run(db, &report, &err) == -1)
			die(err.detail, db);
		db_rollback(db);
		t[i] = clock_usec() - t0;
		if (i == RUNS - 1)
			printf("validation: %lld findings (%lld errors, %lld warnings)\n",
			    (long long)json_integer_value(json_object_get(json_object_get(report,
			    "summary"), "findings")), (long long)json_integer_value(json_object_get(
			    json_object_get(report, "summary"), "errors")),
			    (long long)json_integer_value(json_object_get(json_object_get(report,
			    "summary"), "warnings")));
		json_decref(report);
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_u64);
	printf("validation of the whole plan: median %.1f ms, worst %.1f ms (%d runs)\n",
	    t[RUNS / 2] / 1000.0, t[RUNS - 1] / 1000.0, RUNS);
	return 0;
}

int
main(int argc, char **argv)
{
	char err[256];
	struct db *db;

	if (argc < 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: gen addresses DB dense|random N | gen nextfree DB | "
		    "gen plan DB ADDRESSES RULES | gen validate DB | gen dns DB NAMES CNAMES\n");
		return 2;
	}
	if (db_open(argv[2], &db, err, sizeof(err)) == -1 || db_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "gen: %s\n", err);
		return 1;
	}
	/* Bulk load: the benchmark measures the server, not the loader's fsyncs. */
	sqlite3_exec(db_handle(db), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	if (strcmp(argv[1], "addresses") == 0 && argc == 5)
		gen_addresses(db, strcmp(argv[3], "dense") == 0, (unsigned)atoi(argv[4]));
	else if (strcmp(argv[1], "nextfree") == 0)
		gen_nextfree(db);
	else if (strcmp(argv[1], "plan") == 0 && argc == 5)
		gen_plan(db, atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "dns") == 0 && argc == 5 && atoi(argv[3]) > 0)
		gen_dns(db, atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "validate") == 0)
		gen_validate(db);
	else
		return 2;
	db_close(db);
	return 0;
}
