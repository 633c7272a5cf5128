/* POST /api/v1/changes/preview and `netsot preview`: the unified diff of every render that
 * changes would alter, and nothing kept: not the objects, not the audit rows, not an ETag. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW TEST_PASSWORD

static struct srv S;
static char *ed, *vi;
static long long rule_id, zone_id, host_k3s;

static int
setup(void **state)
{
	struct resp r;
	char *seed;

	(void)state;
	srv_up(&S, NULL, &ed, &vi);
	assert_non_null(seed = read_file(NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json", NULL));
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, seed, &r), 200);
	resp_free(&r);
	free(seed);
	rule_id = api_first_id(&S, ed, "/api/v1/firewall-rules?name=compute-to-storage");
	zone_id = api_first_id(&S, ed, "/api/v1/dns-zones?name=local");
	host_k3s = api_first_id(&S, ed, "/api/v1/hosts?name=k3s");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, vi);
	return 0;
}

/* The diff of one render in a preview's answer, or NULL. */
static const char *
diff_of(const struct resp *r, const char *path)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(r->json, "renders"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
			return json_string_value(json_object_get(f, "diff"));
	return NULL;
}

static void
test_firewall_change(void **state)
{
	char body[512], etag[128], etag2[128], path[64];
	long long changes = api_count(&S, ed, "/api/v1/changes?limit=1");
	const char *d;
	struct resp r;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/render/nftables?host=router", ed, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"changes\":[{\"op\":\"patch\",\"resource\":"
	    "\"firewall-rules\",\"id\":%lld,\"object\":{\"protocol\":\"tcp\","
	    "\"dst_ports\":\"2049\"}}]}", rule_id);
	assert_int_equal(api(&S, "POST", "/api/v1/changes/preview", ed, body, &r), 200);
	/* The router's nftables and iptables change, each one line out and one in. */
	assert_non_null(d = diff_of(&r, "/api/v1/render/nftables?host=router"));
	assert_non_null(strstr(d, "--- a/nftables?host=router\n+++ b/nftables?host=router\n@@ "));
	assert_non_null(strstr(d, "\n-\t\tiifname \"br0.20\" oifname \"br0.10\" accept"));
	assert_non_null(strstr(d, "\n+\t\tiifname \"br0.20\" oifname \"br0.10\" tcp dport 2049 "
	    "accept"));
	assert_non_null(diff_of(&r, "/api/v1/render/iptables?host=router"));
	/* Files the rule does not reach are not listed: DNS, hosts, another host's filter. */
	assert_null(diff_of(&r, "/api/v1/render/dnsmasq"));
	assert_null(diff_of(&r, "/api/v1/render/nftables?host=k3s"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    r.json, "results"), 0), "dst_ports")), "2049");
	resp_free(&r);
	/* Nothing was kept. */
	snprintf(path, sizeof(path), "/api/v1/firewall-rules/%lld", rule_id);
	assert_int_equal(api(&S, "GET", path, ed, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "dst_ports")), "");
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/changes?limit=1"), changes);
	assert_int_equal(api(&S, "GET", "/api/v1/render/nftables?host=router", ed, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", etag2, sizeof(etag2)));
	assert_string_equal(etag, etag2);
	resp_free(&r);
}

static void
test_dns_and_host_changes(void **state)
{
	char body[512];
	const char *d;
	struct resp r;

	(void)state;
	/* Two changes at once: a record, and a host deleted (its files go). */
	snprintf(body, sizeof(body), "{\"changes\":[{\"op\":\"create\",\"resource\":"
	    "\"dns-records\",\"object\":{\"zone_id\":%lld,\"name\":\"wiki\",\"type\":\"CNAME\","
	    "\"value\":\"git\"}},{\"op\":\"delete\",\"resource\":\"hosts\",\"id\":%lld}]}",
	    zone_id, host_k3s);
	assert_int_equal(api(&S, "POST", "/api/v1/changes/preview", ed, body, &r), 409);
	/* The host is referred to: the driver's 409, naming the change. */
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "object 1"));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"changes\":[{\"op\":\"create\",\"resource\":"
	    "\"dns-records\",\"object\":{\"zone_id\":%lld,\"name\":\"wiki\",\"type\":\"CNAME\","
	    "\"value\":\"git\"}},{\"op\":\"patch\",\"resource\":\"settings\","
	    "\"object\":{\"log_denied\":false}}]}", zone_id);
	assert_int_equal(api(&S, "POST", "/api/v1/changes/preview", ed, body, &r), 200);
	assert_non_null(d = diff_of(&r, "/api/v1/render/bind?zone=local"));
	assert_non_null(strstr(d, "\n+wiki\t"));
	assert_non_null(strstr(d, "; serial"));
	assert_non_null(d = diff_of(&r, "/api/v1/render/dnsmasq"));
	assert_non_null(strstr(d, "\n+cname=wiki.local,git.local"));
	/* The settings reach every packet filter: no more log rule for denied packets. */
	assert_non_null(d = diff_of(&r, "/api/v1/render/nftables?host=router"));
	assert_non_null(strstr(d, "\n-\t\tlog prefix \"netsot forward denied: \""));
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/dns-records?name=wiki"), 0);
}

static void
test_refusals(void **state)
{
	static const struct {
		const char *body;
		long status;
		const char *field;
	} cases[] = {
		{ "{}", 400, NULL },
		{ "{\"changes\":[]}", 400, NULL },
		{ "{\"changes\":[{\"op\":\"create\",\"resource\":\"vlans\",\"object\":"
		  "{\"vid\":5000,\"name\":\"x\"}}]}", 422, "[0].vid" },
		{ "{\"changes\":[{\"op\":\"create\",\"resource\":\"users\",\"object\":{}}]}", 422,
		  "[0].resource" },
		{ "{\"changes\":[{\"op\":\"frob\",\"resource\":\"vlans\",\"object\":{}}]}", 422,
		  "[0].op" },
		{ "{\"changes\":[{\"op\":\"patch\",\"resource\":\"vlans\",\"object\":{}}]}", 422,
		  "[0].id" },
		{ "{\"changes\":[{\"op\":\"delete\",\"resource\":\"vlans\",\"id\":999999}]}", 404,
		  NULL },
		{ "{\"changes\":[5]}", 400, NULL },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (api(&S, "POST", "/api/v1/changes/preview", ed, cases[i].body, &r) !=
		    cases[i].status)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		if (cases[i].field != NULL && field_error(&r, cases[i].field) == NULL)
			fail_msg("case %zu: no error for %s in %s", i, cases[i].field, r.body);
		resp_free(&r);
	}
	/* A viewer may not even try. */
	assert_int_equal(api(&S, "POST", "/api/v1/changes/preview", vi,
	    "{\"changes\":[{\"op\":\"delete\",\"resource\":\"vlans\",\"id\":1}]}", NULL), 403);
}

/* netsot preview: the same diffs on standard output, nothing kept. */
static void
test_cli(void **state)
{
	const char *args[] = { "preview", "-", "--db", S.db, NULL };
	long long changes = api_count(&S, ed, "/api/v1/changes?limit=1");
	char body[256], *out = NULL, *err = NULL;

	(void)state;
	snprintf(body, sizeof(body), "{\"changes\":[{\"op\":\"patch\",\"resource\":"
	    "\"firewall-rules\",\"id\":%lld,\"object\":{\"enabled\":false}}]}", rule_id);
	assert_int_equal(run_netsot(args, body, &out, &err), 0);
	assert_non_null(strstr(out, "--- a/nftables?host=router\n"));
	assert_non_null(strstr(out, "\n-\t\tiifname \"br0.20\" oifname \"br0.10\" accept"));
	free(out);
	free(err);
	assert_int_equal(api_count(&S, ed, "/api/v1/changes?limit=1"), changes);
	assert_int_equal(run_netsot(args, "{\"changes\":[{\"op\":\"create\",\"resource\":"
	    "\"vlans\",\"object\":{\"vid\":0,\"name\":\"x\"}}]}", NULL, &err), 1);
	assert_non_null(strstr(err, "netsot preview: "));
	assert_non_null(strstr(err, "[0].vid"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firewall_change),
		cmocka_unit_test(test_dns_and_host_changes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
