/* Benchmark data generator and timers.
 *   gen addresses FILE dense|random N   a plan: a 10.0.0.0/8 prefix holding N addresses
 *   gen plan FILE ADDRESSES RULES       a plan: VLANs, prefixes, hosts, addresses, services
 *                                       and firewall rules
 *   gen dns FILE NAMES CNAMES           a plan of NAMES named addresses (hN.lab.local) in zone
 *                                       lab.local with CNAMES aliases (cN), one in ten through
 *                                       another alias
 *   gen nextfree DB                     times freemap_lowest in the /8 of "gen addresses"
 *   gen validate DB                     times the validation report
 * Data is written as a plan file (netsot-plan/1, "-" for standard output) for `netsot import`:
 * the domain computes every derived column (parents, prefix ids, keys, counts, the free map,
 * serials), so the benchmarks run on data made exactly as the server makes it. */
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
#include "xmalloc.h"

#define SPACE (1u << 24)

static void
die(const char *what, struct db *db)
{
	fprintf(stderr, "gen: %s: %s\n", what, db ? sqlite3_errmsg(db_handle(db)) : "");
	exit(1);
}

static FILE *
plan_open(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs("{\"format\":\"netsot-plan/1\"", f);
	return f;
}

static void
plan_close(FILE *f)
{
	fputs("}\n", f);
	if (fflush(f) == EOF || ferror(f) || (f != stdout && fclose(f) == EOF)) {
		perror("gen: writing the plan");
		exit(1);
	}
}

/* Starts the list of kind: each item then follows plan_item(). */
static void
plan_list(FILE *f, const char *kind, int *first)
{
	fprintf(f, ",\n\"%s\":[", kind);
	*first = 1;
}

static void
plan_item(FILE *f, int *first)
{
	fputs(*first ? "\n" : ",\n", f);
	*first = 0;
}

static int
gen_addresses(const char *path, int dense, unsigned n)
{
	unsigned char *used = xcalloc(SPACE / 8, 1);
	char text[IPADDR_STRLEN];
	struct ipaddr a = { 0, 0, 4 };
	unsigned i, x, placed = 0;
	int first;
	FILE *f;

	if (n >= SPACE - 2)
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
	f = plan_open(path);
	plan_list(f, "prefixes", &first);
	plan_item(f, &first);
	fputs("{\"prefix\":\"10.0.0.0/8\"}]", f);
	plan_list(f, "ip-addresses", &first);
	for (i = 1; i < SPACE - 1; i++) {
		if (!(used[i / 8] & (1u << (i % 8))))
			continue;
		a.lo = 0x0a000000u | i;
		ipaddr_format(&a, text, sizeof(text));
		plan_item(f, &first);
		fprintf(f, "{\"address\":\"%s\"}", text);
	}
	fputs("]", f);
	plan_close(f);
	free(used);
	fprintf(stderr, "generated %u %s addresses in 10.0.0.0/8\n", n, dense ? "dense" : "random");
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

/* Writes the plan's lists; the number of hosts made. A plan shaped like a bigger seed: /24
 * VLANs of 250 addresses, a host per 5 addresses with an SSH service, and rules between
 * VLANs, prefixes, hosts and CIDRs. */
static int
gen_plan_lists(FILE *f, int addresses, int rules)
{
	int nvlans = (addresses + 249) / 250, i, hosts = (addresses + 4) / 5, first;

	srand(11);
	plan_list(f, "vlans", &first);
	for (i = 0; i < nvlans; i++) {
		plan_item(f, &first);
		fprintf(f, "{\"vid\":%d,\"name\":\"vlan%d\"}", 100 + i, 100 + i);
	}
	fputs("]", f);
	plan_list(f, "prefixes", &first);
	for (i = 0; i < nvlans; i++) {
		plan_item(f, &first);
		fprintf(f, "{\"prefix\":\"10.%d.%d.0/24\",\"vlan\":%d}", i >> 8, i & 255, 100 + i);
	}
	fputs("]", f);
	plan_list(f, "hosts", &first);
	for (i = 1; i <= hosts; i++) {
		plan_item(f, &first);
		fprintf(f, "{\"name\":\"host%d\"}", i);
	}
	fputs("]", f);
	plan_list(f, "services", &first);
	for (i = 1; i <= hosts; i++) {
		plan_item(f, &first);
		fprintf(f, "{\"host\":\"host%d\",\"name\":\"ssh\",\"protocol\":\"tcp\","
		    "\"ports\":\"22\"}", i);
	}
	fputs("]", f);
	plan_list(f, "ip-addresses", &first);
	for (i = 0; i < addresses; i++) {
		plan_item(f, &first);
		fprintf(f, "{\"address\":\"10.%d.%d.%d\",\"host\":\"host%d\","
		    "\"dns_name\":\"h%d.lab.local\"}", i / 250 >> 8, i / 250 & 255, i % 250 + 2,
		    i / 5 + 1, i);
	}
	fputs("]", f);
	plan_list(f, "firewall-rules", &first);
	for (i = 0; i < rules; i++) {
		int kind = rand() % 4, input = i % 3 == 0;

		plan_item(f, &first);
		fprintf(f, "{\"name\":\"rule%d\",\"scope\":\"%s\",\"priority\":%d,"
		    "\"action\":\"accept\",\"protocol\":\"%s\"", i, input ? "input" : "forward",
		    i, kind == 3 ? "any" : "tcp");
		if (kind != 3)
			fprintf(f, ",\"dst_ports\":\"%s\"", i % 2 ? "22" : "80,443,8000-8100");
		if (kind == 0)
			fprintf(f, ",\"src_vlan\":%d", 100 + rand() % nvlans);
		if (kind == 1) {
			int v = rand() % nvlans;

			fprintf(f, ",\"src_prefix\":\"10.%d.%d.0/24\"", v >> 8, v & 255);
		}
		if (input || kind == 2)
			fprintf(f, ",\"dst_host\":\"host%d\"", 1 + rand() % hosts);
		if (!input && kind == 3)
			fprintf(f, ",\"dst_cidr\":\"10.%d.0.0/16\"", rand() % 4);
		fputs("}", f);
	}
	fputs("]", f);
	return hosts;
}

static int
gen_plan(const char *path, int addresses, int rules)
{
	FILE *f = plan_open(path);
	int hosts = gen_plan_lists(f, addresses, rules);

	plan_close(f);
	fprintf(stderr, "generated %d VLANs, %d hosts, %d addresses, %d firewall rules\n",
	    (addresses + 249) / 250, hosts, addresses, rules);
	return 0;
}

/* The CNAME-heavy plan of issue 13: names from gen_plan, their zone, and aliases. */
static int
gen_dns(const char *path, int names, int cnames)
{
	FILE *f = plan_open(path);
	int i, first;

	gen_plan_lists(f, names, 0);
	plan_list(f, "dns-zones", &first);
	plan_item(f, &first);
	fputs("{\"name\":\"lab.local\",\"soa_mname\":\"h0.lab.local.\","
	    "\"soa_rname\":\"hostmaster.lab.local.\"}]", f);
	plan_list(f, "dns-records", &first);
	for (i = 0; i < cnames; i++) {
		plan_item(f, &first);
		/* One in ten leads through the alias before it: chains as well as direct ones. */
		if (i % 10 == 9)
			fprintf(f, "{\"zone\":\"lab.local\",\"name\":\"c%d\",\"type\":\"CNAME\","
			    "\"value\":\"c%d\"}", i, i - 1);
		else
			fprintf(f, "{\"zone\":\"lab.local\",\"name\":\"c%d\",\"type\":\"CNAME\","
			    "\"value\":\"h%u\"}", i, (unsigned)i * 7919u % (unsigned)names);
	}
	fputs("]", f);
	plan_close(f);
	fprintf(stderr, "generated zone lab.local with %d CNAMEs\n", cnames);
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

/* The timers read a database the server made (from a generated plan). */
static struct db *
gen_db(const char *path)
{
	char err[256];
	struct db *db;

	if (db_open(path, &db, err, sizeof(err)) == -1 || db_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "gen: %s\n", err);
		exit(1);
	}
	return db;
}

int
main(int argc, char **argv)
{
	struct db *db = NULL;

	xmalloc_install();
	if (argc < 3 || sodium_init() < 0)
		goto usage;
	if (strcmp(argv[1], "addresses") == 0 && argc == 5)
		gen_addresses(argv[2], strcmp(argv[3], "dense") == 0, (unsigned)atoi(argv[4]));
	else if (strcmp(argv[1], "plan") == 0 && argc == 5)
		gen_plan(argv[2], atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "dns") == 0 && argc == 5 && atoi(argv[3]) > 0)
		gen_dns(argv[2], atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "nextfree") == 0 && argc == 3)
		gen_nextfree(db = gen_db(argv[2]));
	else if (strcmp(argv[1], "validate") == 0 && argc == 3)
		gen_validate(db = gen_db(argv[2]));
	else
		goto usage;
	db_close(db);
	return 0;
usage:
	fprintf(stderr, "usage: gen addresses FILE dense|random N | gen plan FILE ADDRESSES RULES "
	    "| gen dns FILE NAMES CNAMES | gen nextfree DB | gen validate DB\n");
	return 2;
}
