/* The generative render test: every stored field that can reach a rendered file, taken from the
 * resources' own field tables (so a new field is attacked the day it is added), is written
 * with hostile values: line breaks, quotes, ';', '#', braces, '$', backslashes, NUL,
 * non-ASCII, bidi and line-separator characters, option-like and template-like text, and the
 * longest value the field allows. Each value must be refused with a 422 that names the field,
 * or accepted; after each round of accepted values every render target is fed to its real
 * consumer, which must accept it, and must hold the same statements as the same plan holding a
 * harmless twin of each value (same length, letters instead of the hostile characters): no
 * value may add a line, rule, record, stanza or shell command. A second wall test writes the
 * values into the database behind the API's back, as an old version or a hand edit could, and
 * asks the same of every render. No shell command from a value may ever run. */
#include "consumers.h"
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resource.h"

#include <sqlite3.h>

#define SEED NETSOT_SOURCE_DIR "/db/seed/hybrid-cloud.json"

static struct srv S;
static char *ad, *ed;
static char marker[200];   /* a file that only an injected command would create */
static int failures;       /* each is printed; a test fails at its end, so one run shows all */

/* The object of each resource that the attack writes to: one that every render reads. */
static const struct {
	const char *res, *query;
} victims[] = {
	{ "vlans", "vid=20" },
	{ "prefixes", "prefix=10.10.20.0/24" },
	{ "ip-ranges", "start_address=10.10.50.10" },
	{ "ip-addresses", "address=10.10.20.10" },
	{ "hosts", "name=pve-node-1" },
	{ "ports", "name=LAN2.5-3" },
	{ "wan-links", "name=wan1" },
	{ "services", "name=ssh" },
	{ "firewall-rules", "name=router-ssh-management" },
	{ "dns-zones", "name=local" },
	{ "dns-records", "name=victim" },
};

#define NVICTIMS (sizeof(victims) / sizeof(victims[0]))

static long long victim_id[NVICTIMS];
static long long host_router, host_pve1, host_k3s;

/* Every target, with the consumer that reads it; host and zone parameters are looked up by id
 * each time, since the attack renames them. */
enum tparam { TP_NONE, TP_ROUTER, TP_PVE1, TP_K3S, TP_ZONE };

static const struct {
	const char *kind, *path, *origin;
	enum tparam param;
} targets[] = {
	{ "hosts", "hosts", NULL, TP_NONE },
	{ "dnsmasq", "dnsmasq", NULL, TP_NONE },
	{ "bind", "bind?zone=", NULL, TP_ZONE },
	{ "bind", "bind?zone=cluster.local", "cluster.local", TP_NONE },
	{ "bind", "bind?reverse=192.168.1.0/24", "1.168.192.in-addr.arpa", TP_NONE },
	{ "bind", "bind?reverse=10.10.0.0/16", "10.10.in-addr.arpa", TP_NONE },
	{ "nftables", "nftables?host=", NULL, TP_ROUTER },
	{ "nftables", "nftables?host=", NULL, TP_PVE1 },
	{ "iptables", "iptables?host=", NULL, TP_ROUTER },
	{ "iptables", "iptables?host=", NULL, TP_K3S },
	{ "ufw", "ufw?host=", NULL, TP_PVE1 },
	{ "ufw", "ufw?host=", NULL, TP_K3S },
	{ "interfaces", "interfaces?host=", NULL, TP_PVE1 },
	{ "interfaces", "interfaces?host=", NULL, TP_ROUTER },
	{ "mwan3", "mwan3", NULL, TP_NONE },
	{ "k3s", "k3s", NULL, TP_NONE },
	{ "ansible", "ansible-inventory", NULL, TP_NONE },
};

#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

/* The hostile values; "%M" stands for the marker file's path. NUL and the longest value are
 * made by hostile_value(). */
static const char *const hostile[] = {
	"a\nb",
	"LAN1\n    post-up touch %M",
	"a\rb",
	"a\"b",
	"a'b",
	"a;b",
	"a#b",
	"a{b}",
	"{{ lookup('pipe','touch %M') }}",
	"$(touch %M)",
	"`touch %M`",
	"a$b",
	"a\\b",
	"a\\",
	"-a",
	"a b",
	"a,b",
	"caf\xc3\xa9",
	"a\xe2\x80\xa8" "b",          /* U+2028 LINE SEPARATOR */
	"\xe2\x80\xae" "evil",        /* U+202E RIGHT-TO-LEFT OVERRIDE */
	"a\tb",
	"a\x7f",
	"\xff\xfe",                   /* not UTF-8 */
	"..",
	"a/b",
	"a:b",
	"*",
	"@",
	"a b'; touch %M; echo '",
	"\" ; touch %M ; echo \"",
	"x\n}\ntable inet owned {",
	"wan_1",
	"wan-1",
	"<NUL>",
	"<LONGEST>",
};

#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static char *
subst_marker(const char *v)
{
	char *out = malloc(strlen(v) + 4 * sizeof(marker) + 1), *o = out;

	assert_non_null(out);
	for (; *v != '\0'; v++) {
		if (v[0] == '%' && v[1] == 'M') {
			o += sprintf(o, "%s", marker);
			v++;
		} else
			*o++ = *v;
	}
	*o = '\0';
	return out;
}

/* The longest value a field allows: labels of letters under 63, dotted, up to its maximum. */
static json_t *
longest(const struct field *f)
{
	size_t max = f->max ? (size_t)f->max : 255, i;
	char *s = malloc(max + 1);
	json_t *v;

	assert_non_null(s);
	for (i = 0; i < max; i++)
		s[i] = (i % 64 == 63) ? '.' : 'a' + (char)(i % 26);
	if (s[max - 1] == '.')
		s[max - 1] = 'z';
	s[max] = '\0';
	v = json_string(s);
	free(s);
	return v;
}

/* The k-th hostile value as a JSON string for field f, and its harmless twin: the same bytes
 * but every byte that is not a letter, digit or space made an 'x'. */
static void
hostile_value(size_t k, const struct field *f, json_t **value, json_t **twin)
{
	char *s, *t;
	size_t i, len;

	if (strcmp(hostile[k], "<NUL>") == 0) {
		*value = json_stringn("a\0b", 3);
		*twin = json_string("axb");
		return;
	}
	if (strcmp(hostile[k], "<LONGEST>") == 0) {
		*value = longest(f);
		*twin = json_deep_copy(*value);
		return;
	}
	s = subst_marker(hostile[k]);
	len = strlen(s);
	t = strdup(s);
	assert_non_null(t);
	for (i = 0; i < len; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == ' '))
			t[i] = 'x';
	/* Not UTF-8 is no JSON string at all: sent as raw text below. */
	*value = json_stringn_nocheck(s, len);
	*twin = json_string(t);
	free(s);
	free(t);
}

/* The body that puts a value into a field: strings as they are, one list item, or a host
 * variable (as its value, or as its name). */
static json_t *
body_for(const struct field *f, json_t *v, bool as_key)
{
	json_t *b = json_object();

	if (f->type == FT_LIST)
		json_object_set_new(b, f->name, json_pack("[O]", v));
	else if (f->type == FT_OBJECT && as_key)
		json_object_set_new(b, f->name, json_pack("{s:s}",
		    json_string_length(v) > 0 && !memchr(json_string_value(v), 0,
		    json_string_length(v)) ? json_string_value(v) : "x", "x"));
	else if (f->type == FT_OBJECT)
		json_object_set_new(b, f->name, json_pack("{s:O}", "netsot_probe", v));
	else
		json_object_set(b, f->name, v);
	return b;
}

/* The fields a value can reach a render through: text, lists and objects, not read-only. */
static bool
attackable(const struct field *f)
{
	return !(f->flags & F_READONLY) && (f->type == FT_TEXT || f->type == FT_LIST ||
	    f->type == FT_OBJECT);
}

static const struct field tags_field = { .name = "tags", .type = FT_LIST, .max = 64 };

static long long
find_id(const char *res, const char *query)
{
	char url[256];

	snprintf(url, sizeof(url), "/api/v1/%s?%s", res, query);
	return api_first_id(&S, ad, url);
}

/* The current value of a field of a victim, as text (for the parameters of renders). */
static char *
current(const char *res, long long id, const char *field)
{
	char url[160], *out;
	struct resp r;
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "/api/v1/%s/%lld", res, id);
	assert_int_equal(api(&S, "GET", url, ad, NULL, &r), 200);
	out = curl_easy_escape(c, json_string_value(json_object_get(r.json, field)), 0);
	resp_free(&r);
	curl_easy_cleanup(c);
	return out;
}

static int
setup(void **state)
{
	struct resp r;
	char *seed;

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "ad", "admin", TEST_PASSWORD);
	srv_add_user(&S, "ed", "editor", TEST_PASSWORD);
	srv_start(&S, NULL);
	ad = login(&S, "ad", TEST_PASSWORD);
	ed = login(&S, "ed", TEST_PASSWORD);
	consumers_dir = S.dir;
	snprintf(marker, sizeof(marker), "%s/owned", S.dir);
	assert_non_null(seed = read_file(SEED, NULL));
	assert_int_equal(api(&S, "POST", "/api/v1/import", ad, seed, &r), 200);
	resp_free(&r);
	free(seed);
	api_create(&S, ad, "/api/v1/dns-records", "{\"zone_id\":%lld,\"name\":\"victim\","
	    "\"type\":\"TXT\",\"value\":\"hello\"}", find_id("dns-zones", "name=local"));
	host_router = find_id("hosts", "name=router");
	host_pve1 = find_id("hosts", "name=pve-node-1");
	host_k3s = find_id("hosts", "name=k3s");
	for (size_t i = 0; i < NVICTIMS; i++)
		victim_id[i] = find_id(victims[i].res, victims[i].query);
	/* Every writable resource has a victim: a resource added later is attacked too. */
	for (size_t i = 0; resource_table[i] != NULL; i++) {
		size_t v;

		/* Users, tokens and settings: test_own_routes_stay_out. */
		if (resource_table[i]->flags & (R_READONLY | R_OWN_ROUTES))
			continue;
		for (v = 0; v < NVICTIMS && strcmp(victims[v].res, resource_table[i]->name) != 0;
		    v++)
			;
		if (v == NVICTIMS)
			fail_msg("resource %s has no victim in test_api_inject.c",
			    resource_table[i]->name);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ad);
	srv_down(&S, ed, NULL);
	return 0;
}

static char *
render_path(size_t t, char **origin)
{
	static const long long *const hosts[] = { [TP_ROUTER] = &host_router,
		[TP_PVE1] = &host_pve1, [TP_K3S] = &host_k3s };
	char *param = NULL, *path;

	*origin = targets[t].origin ? strdup(targets[t].origin) : NULL;
	if (targets[t].param == TP_ZONE) {
		param = current("dns-zones", victim_id[9], "name");
		free(*origin);
		*origin = strdup(param);
	} else if (targets[t].param != TP_NONE)
		param = current("hosts", *hosts[targets[t].param], "name");
	if (asprintf(&path, "/api/v1/render/%s%s", targets[t].path, param ? param : "") < 0)
		fail();
	curl_free(param);
	return path;
}

/* What a file holds as its consumer sees it: the statements, not their words. */
static char *
shape(const char *kind, const char *origin, const char *text)
{
	char file[256], out[300], *s, *line, *save = NULL, *copy, *tok, *save2;
	size_t n = 0, cap = 4096, i;
	int rc = 0;

	snprintf(file, sizeof(file), "%s/shape-in", S.dir);
	snprintf(out, sizeof(out), "%s/shape-out", S.dir);
	consumers_spit(file, text);
	if (strcmp(kind, "nftables") == 0)
		rc = consumers_sh("unshare -n sh -c 'nft -f %s && nft list ruleset' > %s", file,
		    out);
	else if (strcmp(kind, "iptables") == 0)
		rc = consumers_sh("unshare -n sh -c 'iptables-legacy-restore %s && "
		    "iptables-legacy-save' | grep '^[-:]' | sed 's/\\[.*//' > %s", file, out);
	else if (strcmp(kind, "ufw") == 0)
		/* The script as sh runs it, each ufw command as its argument count. */
		rc = consumers_sh("cd %s && sh -c 'ufw() { echo \"ufw $#\"; }; . %s' > %s", S.dir,
		    file, out);
	else if (strcmp(kind, "bind") == 0)
		rc = consumers_sh("named-compilezone -q -k fail -i local -f text -F text -o %s %s "
		    "%s", out, origin, file);
	else if (strcmp(kind, "ansible") == 0) {
		json_t *inv = json_loads(text, 0, NULL), *g, *hv;
		const char *key;
		size_t hosts = 0, vars = 0;

		assert_non_null(inv);
		json_object_foreach(inv, key, g)
			hosts += json_array_size(json_object_get(g, "hosts"));
		json_object_foreach(json_object_get(json_object_get(inv, "_meta"), "hostvars"),
		    key, hv)
			vars += json_object_size(hv);
		if (asprintf(&s, "groups %zu hosts %zu vars %zu", json_object_size(inv), hosts,
		    vars) < 0)
			fail();
		json_decref(inv);
		return s;
	} else
		consumers_spit(out, text);
	if (rc != 0)
		return strdup("refused by its consumer");
	/* Per line that is not blank or a comment: how many words it has. */
	copy = read_file(out, NULL);
	assert_non_null(copy);
	s = malloc(cap);
	assert_non_null(s);
	s[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		for (i = 0, tok = strtok_r(line, " \t", &save2); tok != NULL;
		    tok = strtok_r(NULL, " \t", &save2))
			i++;
		if (n + 16 >= cap && (s = realloc(s, cap *= 2)) == NULL)
			fail();
		n += (size_t)sprintf(s + n, "%zu ", i);
	}
	free(copy);
	return s;
}

/* Renders every target; with check, each goes to its consumer too. Returns their shapes. */
static char **
render_all(bool check)
{
	char **shapes = calloc(NTARGETS, sizeof(*shapes)), *path, *origin;
	struct resp r;
	size_t t;

	assert_non_null(shapes);
	for (t = 0; t < NTARGETS; t++) {
		path = render_path(t, &origin);
		if (api(&S, "GET", path, ed, NULL, &r) != 200)
			fail_msg("GET %s: %ld %s", path, r.status, r.body);
		if (check && consumers_run(targets[t].kind, origin, r.body) != 0) {
			char log[300], *out;

			snprintf(log, sizeof(log), "%s/sh.out", S.dir);
			out = read_file(log, NULL);
			print_error("%s: refused by its consumer:\n%s\n%s\n", path, r.body,
			    out ? out : "");
			free(out);
			failures++;
		}
		shapes[t] = shape(targets[t].kind, origin, r.body);
		resp_free(&r);
		free(path);
		free(origin);
	}
	return shapes;
}

static void
shapes_free(char **s)
{
	for (size_t t = 0; s != NULL && t < NTARGETS; t++)
		free(s[t]);
	free(s);
}

/* One write through the API; 200 or a 422 that names the field. */
static bool
api_write(size_t v, const struct field *f, json_t *value, bool as_key)
{
	char url[128], *body;
	json_t *b = body_for(f, value, as_key);
	struct resp r;
	long status;

	snprintf(url, sizeof(url), "/api/v1/%s/%lld", victims[v].res, victim_id[v]);
	body = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(b);
	if (body == NULL) {
		/* Not UTF-8: the raw bytes in a JSON string, which must be refused as JSON. */
		if (asprintf(&body, "{\"%s\":\"%s\"}", f->name, json_string_value(value)) < 0)
			fail();
		status = api(&S, "PATCH", url, ad, body, &r);
		assert_int_equal(status, 400);
		resp_free(&r);
		free(body);
		return false;
	}
	status = api(&S, "PATCH", url, ad, body, &r);
	if (strstr(body, "\\u0000") != NULL) {
		/* NUL is not even JSON that netsot reads: no field ever holds one. */
		assert_int_equal(status, 400);
		resp_free(&r);
		free(body);
		return false;
	}
	/* A 409 is a refusal too where the field clashes (a zone holding records keeps its
	 * name, whatever the new one). */
	if (status != 200 && ((status != 422 && status != 409) ||
	    json_object_get(json_object_get(r.json, "errors"), f->name) == NULL))
		fail_msg("PATCH %s %s: %ld %s (expected 200, or 422 naming %s)", url, body,
		    status, r.body, f->name);
	resp_free(&r);
	free(body);
	return status == 200;
}

/* Every attackable field of every victim gets value k (its twin when twin is set); the fields
 * that took the hostile value are marked in took[], and with twin only those are written. */
static size_t
apply_round(size_t k, bool twin, bool took[NVICTIMS][32][2])
{
	const struct resource *res;
	const struct field *f;
	size_t v, i, n, accepted = 0;
	json_t *value, *harmless;
	int key;

	for (v = 0; v < NVICTIMS; v++) {
		res = resource_find(victims[v].res);
		assert_non_null(res);
		for (n = 0; res->fields[n].name != NULL; n++)
			;
		assert_true(n < 31);
		for (i = 0; i < 32; i++) {
			if (i < 31 && (i >= n || !attackable(&res->fields[i])))
				continue;
			if (i == 31 && (res->flags & R_NO_META))
				continue;
			f = i == 31 ? &tags_field : &res->fields[i];
			for (key = 0; key < (f->type == FT_OBJECT ? 2 : 1); key++) {
				if (twin && !took[v][i][key])
					continue;
				hostile_value(k, f, &value, &harmless);
				if (twin)
					/* A twin that breaks a rule leaves the hostile value in place. */
					(void)api_write(v, f, harmless, key);
				else if ((took[v][i][key] = api_write(v, f, value, key)))
					accepted++;
				json_decref(value);
				json_decref(harmless);
			}
		}
	}
	return accepted;
}

static void
assert_no_marker(const char *what)
{
	struct stat st;

	if (stat(marker, &st) == 0)
		fail_msg("%s ran a command of a value: %s exists", what, marker);
}

/* Whether a shape holds no more statements than another: the render may leave out what it
 * cannot carry, never add. */
static bool
shape_within(const char *evil, const char *twin)
{
	size_t ne = 0, nt = 0;
	long a, b;
	char *end;

	if (strncmp(evil, "groups", 6) == 0) {
		/* The inventory: groups, hosts and vars, each no more. */
		while (*evil != '\0' && *twin != '\0') {
			evil += strcspn(evil, "0123456789");
			twin += strcspn(twin, "0123456789");
			a = strtol(evil, &end, 10);
			evil = end;
			b = strtol(twin, &end, 10);
			twin = end;
			if (a > b)
				return false;
		}
		return true;
	}
	if (strcmp(evil, "refused by its consumer") == 0)
		return false;
	for (; *evil != '\0'; evil++)
		ne += *evil == ' ';
	for (; *twin != '\0'; twin++)
		nt += *twin == ' ';
	return ne <= nt;
}

static void
compare(const char *what, const char *value, char **twin, char **evil, bool exact)
{
	for (size_t t = 0; t < NTARGETS; t++)
		if (exact ? strcmp(twin[t], evil[t]) != 0 : !shape_within(evil[t], twin[t])) {
			print_error("%s: value '%s': %s%s holds other statements than with its "
			    "harmless twin:\n twin: %s\n value: %s\n", what, value, targets[t].path,
			    targets[t].param != TP_NONE ? "..." : "", twin[t], evil[t]);
			failures++;
		}
}

/* Through the API: refused with a 422 naming the field, or accepted and harmless. */
static void
test_api_values(void **state)
{
	static bool took[NVICTIMS][32][2];
	char **before, **twin, **evil;
	size_t k, accepted, total = 0, rounds = 0;

	(void)state;
	if (geteuid() != 0)
		fail_msg("the consumer checks need root (unshare -n): run the tests as root");
	before = render_all(true);
	shapes_free(before);
	for (k = 0; k < NHOSTILE; k++) {
		memset(took, 0, sizeof(took));
		accepted = apply_round(k, false, took);
		total += accepted;
		if (accepted == 0)
			continue;
		rounds++;
		evil = render_all(true);
		assert_no_marker("a render's consumer");
		apply_round(k, true, took);
		twin = render_all(false);
		compare("API", hostile[k], twin, evil, true);
		shapes_free(twin);
		shapes_free(evil);
	}
	print_message("%zu hostile values accepted in %zu rounds, each rendered into files every "
	    "consumer accepted with the statements of its harmless twin\n", total, rounds);
	assert_true(total > 0);
	assert_no_marker("the attack");
	assert_int_equal(failures, 0);
}

/* The second wall: values that never passed the API (a hand edit, an older version) still
 * cannot start a line, rule or command in any render. */
static const char *const smuggled[] = {
	"a\nb",
	"LAN1\n    post-up touch %M",
	"x\n}\ntable inet owned {",
	"a'b",
	"a\"b",
	"a;b",
	"a\\",
	"$(touch %M)",
	"a b",
};

static void
sql_write(size_t v, const struct field *f, const char *value)
{
	const struct resource *res = resource_find(victims[v].res);
	char *quoted, *sql, *text;
	json_t *j;

	if (f->type == FT_LIST)
		j = json_pack("[s]", value);
	else if (f->type == FT_OBJECT)
		j = json_pack("{s:s}", "netsot_probe", value);
	else
		j = NULL;
	text = j ? json_dumps(j, JSON_COMPACT) : strdup(value);
	json_decref(j);
	quoted = sqlite3_mprintf("%Q", text);
	if (asprintf(&sql, "UPDATE %s SET %s = %s WHERE id = %lld;", res->table, f->name, quoted,
	    victim_id[v]) < 0)
		fail();
	srv_sql(&S, sql);
	sqlite3_free(quoted);
	free(sql);
	free(text);
}

static void
sql_round(size_t k, bool twin)
{
	const struct resource *res;
	const struct field *f;
	char *s, *t;
	size_t v, i;

	s = subst_marker(smuggled[k]);
	t = strdup(s);
	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == ' '))
			t[i] = 'x';
	for (v = 0; v < NVICTIMS; v++) {
		res = resource_find(victims[v].res);
		for (f = res->fields; f->name != NULL; f++)
			/* Host and zone names are render parameters, looked up as given. */
			if (attackable(f) && !(strcmp(f->name, "name") == 0 &&
			    (res == resource_find("hosts") || res == resource_find("dns-zones"))))
				sql_write(v, f, twin ? t : s);
	}
	free(s);
	free(t);
}

static void
test_second_wall(void **state)
{
	char **twin, **evil;
	size_t k;

	(void)state;
	failures = 0;
	for (k = 0; k < sizeof(smuggled) / sizeof(smuggled[0]); k++) {
		sql_round(k, false);
		evil = render_all(true);
		assert_no_marker("a render's consumer");
		sql_round(k, true);
		twin = render_all(false);
		compare("hand edit", smuggled[k], twin, evil, false);
		shapes_free(twin);
		shapes_free(evil);
	}
	assert_no_marker("the attack");
	assert_int_equal(failures, 0);
}

/* The inventory with every unsafe mark taken off. */
static json_t *
unmark(json_t *v)
{
	json_t *copy, *item;
	const char *key;
	size_t i;

	if (json_is_object(v) && json_object_size(v) == 1 &&
	    (item = json_object_get(v, "__ansible_unsafe")) != NULL)
		return json_incref(item);
	if (json_is_object(v)) {
		copy = json_object();
		json_object_foreach(v, key, item)
			json_object_set_new(copy, key, unmark(item));
		return copy;
	}
	if (json_is_array(v)) {
		copy = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(copy, unmark(item));
		return copy;
	}
	return json_incref(v);
}

/* A host variable that is a Jinja template is text to Ansible, never a lookup it runs: the
 * inventory marks it unsafe. The same inventory with the mark taken off runs the command, so
 * the check can fail. */
static void
test_ansible_templates(void **state)
{
	char url[96], body[512], file[256], *text, *bare, *out;
	struct resp r;

	(void)state;
	snprintf(url, sizeof(url), "/api/v1/hosts/%lld", host_pve1);
	snprintf(body, sizeof(body), "{\"vars\":{\"netsot_probe\":"
	    "\"{{ lookup('pipe', 'touch %s') }}\"}}", marker);
	assert_int_equal(api(&S, "PATCH", url, ad, body, NULL), 200);
	assert_int_equal(api(&S, "GET", "/api/v1/render/ansible-inventory", ed, NULL, &r), 200);
	text = strdup(r.body);
	resp_free(&r);
	assert_non_null(strstr(text, "\"__ansible_unsafe\": \"{{ lookup("));
	snprintf(file, sizeof(file), "%s/inventory.json", S.dir);
	consumers_spit(file, text);
	assert_int_equal(consumers_sh("printf '#!/bin/sh\\ncat %s\\n' > %s.sh && chmod +x %s.sh && "
	    "ANSIBLE_INVENTORY_ENABLED=script ANSIBLE_INVENTORY_UNPARSED_FAILED=true "
	    "ansible all -i %s.sh -c local -m debug -a var=netsot_probe", file, file, file,
	    file), 0);
	snprintf(file, sizeof(file), "%s/sh.out", S.dir);
	out = read_file(file, NULL);
	assert_non_null(strstr(out, "lookup('pipe'"));
	free(out);
	assert_no_marker("Ansible reading a host variable");
	/* Without the mark: Ansible runs the lookup. */
	{
		json_t *inv = json_loads(text, 0, NULL), *bare_inv = unmark(inv);

		bare = json_dumps(bare_inv, JSON_INDENT(1));
		json_decref(inv);
		json_decref(bare_inv);
	}
	assert_null(strstr(bare, "__ansible_unsafe"));
	snprintf(file, sizeof(file), "%s/bare.json", S.dir);
	consumers_spit(file, bare);
	consumers_sh("printf '#!/bin/sh\\ncat %s\\n' > %s.sh && chmod +x %s.sh && "
	    "ansible all -i %s.sh -c local -m debug -a var=netsot_probe", file, file, file,
	    file);
	if (access(marker, F_OK) != 0)
		fail_msg("the unmarked inventory did not run the lookup: the check proves nothing");
	unlink(marker);
	free(bare);
	free(text);
}

/* Users, tokens and settings have no victim above: no text of theirs may reach a render. A
 * user and a token are made with a probe in every text field they show, and no render may
 * hold it; a resource of their kind that no probe covers fails here, so one added later is
 * not forgotten. */
static void
test_own_routes_stay_out(void **state)
{
	static const char probe[] = "probe7q2x";
	/* The body is before, the probe, then after. */
	static const struct {
		const char *res, *before, *after;
	} probes[] = {
		{ "users", "{\"username\":\"", "\",\"role\":\"viewer\","
		  "\"password\":\"long enough\"}" },
		{ "tokens", "{\"name\":\"", "\",\"role\":\"viewer\"}" },
	};
	char path[64], body[256];
	const struct field *f;
	struct resp r;
	size_t i, p, t;

	(void)state;
	for (i = 0; resource_table[i] != NULL; i++) {
		if (!(resource_table[i]->flags & R_OWN_ROUTES))
			continue;
		for (p = 0; p < sizeof(probes) / sizeof(probes[0]) &&
		    strcmp(probes[p].res, resource_table[i]->name) != 0; p++)
			;
		for (f = resource_table[i]->fields; f->name != NULL; f++)
			if ((f->type == FT_TEXT || f->type == FT_LIST || f->type == FT_OBJECT) &&
			    !(f->flags & F_WRITEONLY) && !(f->flags & F_READONLY) &&
			    p == sizeof(probes) / sizeof(probes[0]))
				fail_msg("%s.%s is text with no probe", resource_table[i]->name,
				    f->name);
		if (p == sizeof(probes) / sizeof(probes[0]))
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s", probes[p].res);
		snprintf(body, sizeof(body), "%s%s%s", probes[p].before, probe, probes[p].after);
		assert_int_equal(api(&S, "POST", path, ad, body, &r), 201);
		assert_non_null(strstr(r.body, probe));
		resp_free(&r);
	}
	for (t = 0; t < NTARGETS; t++) {
		char *origin, *rp = render_path(t, &origin);

		assert_int_equal(api(&S, "GET", rp, ed, NULL, &r), 200);
		if (strstr(r.body, probe) != NULL)
			fail_msg("%s holds a user's or token's text", rp);
		resp_free(&r);
		free(rp);
		free(origin);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_values),
		cmocka_unit_test(test_own_routes_stay_out),
		cmocka_unit_test(test_ansible_templates),
		/* Last: it leaves values in the database that the API would refuse. */
		cmocka_unit_test(test_second_wall),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
