#include "res.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "dnsname.h"
#include "dnszone.h"
#include "freemap.h"
#include "ipam.h"

static const char *const res_ip_addresses_status[] = { "active", "reserved", "dhcp",
	"deprecated", NULL };

static const struct field res_ip_addresses_fields[] = {
	/* Unique through addr_key, which derives from it one to one. */
	{ .name = "address", .type = FT_ADDR,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .sort = "addr_key" },
	{ .name = "prefix_id", .type = FT_REF, .flags = F_READONLY | F_FILTER, .ref = "prefixes" },
	{ .name = "host_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "hosts",
	  .def = "null" },
	{ .name = "interface", .type = FT_TEXT, .flags = F_FILTER, .max = 15, .def = "\"\"",
	  .rule = CR_IFNAME },
	{ .name = "dns_name", .type = FT_TEXT, .flags = F_FILTER | F_SEARCH | F_ORDER, .max = 253,
	  .def = "\"\"", .rule = CR_HOSTNAME },
	{ .name = "status", .type = FT_ENUM, .flags = F_FILTER | F_ORDER,
	  .values = res_ip_addresses_status, .def = "\"active\"" },
	{ .name = "role", .type = FT_TEXT, .flags = F_FILTER, .max = 64, .def = "\"\"",
	  .rule = CR_NAME },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

static const char *const res_ip_addresses_hidden[] = { "addr_key", NULL };

static int
res_ip_addresses_addr(const json_t *obj, struct ipaddr *a)
{
	return ipaddr_parse(json_string_value(json_object_get(obj, "address")), a);
}

/* DNS keeps what it was promised: an address may not take a CNAME's name, nor take from a zone
 * the one address its name server or an MX or SRV target has (dnszone.c). */
static int
res_ip_addresses_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *dns = json_string_value(json_object_get(obj, "dns_name"));
	const char *old = json_string_value(json_object_get(w->old, "dns_name"));
	bool renamed = old == NULL || strcasecmp(old, dns ? dns : "") != 0;

	if (dns != NULL && *dns != '\0' && renamed &&
	    dnszone_check_address_name(w->db, dns, err) == -1)
		return -1;
	if (old != NULL && *old != '\0' && renamed &&
	    dnszone_check_release(w->db, old, 0, w->id, "dns_name", err) == -1)
		return -1;
	return 0;
}

static int
res_ip_addresses_before_delete(struct wctx *w, struct api_err *err)
{
	const char *old = json_string_value(json_object_get(w->old, "dns_name"));

	if (old == NULL || *old == '\0')
		return 0;
	return dnszone_check_release(w->db, old, 0, w->id, "dns_name", err);
}

/* The address lives in the most specific prefix that holds it; none is a 422. */
static int
res_ip_addresses_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	struct ipaddr a;
	long long prefix;
	int rc;

	if (res_ip_addresses_addr(obj, &a) == -1)
		return api_err_field(err, "address", "is not an IP address");
	w->nhidden = 1;
	w->hidden[0].type = HV_BLOB;
	w->hidden[0].len = IPADDR_KEYLEN;
	ipaddr_to_key(&a, w->hidden[0].blob);
	if ((rc = ipam_containing(w->db, w->hidden[0].blob, w->hidden[0].blob, 129, 0, &prefix,
	    err)) == -1)
		return -1;
	if (rc == 0)
		return api_err_field(err, "address", "is not inside any prefix");
	json_object_set_new(obj, "prefix_id", json_integer(prefix));
	return 0;
}

/* An address counts in its prefix, that prefix's parents and its range: the old place loses
 * it, the new one gains it. */
static int
res_ip_addresses_count(struct wctx *w, const json_t *obj, const struct ipaddr *a, int delta,
    struct api_err *err)
{
	unsigned char key[IPADDR_KEYLEN];
	const json_t *prefix = json_object_get(obj, "prefix_id");

	if (!json_is_integer(prefix))
		return api_err_set(err, 500, "an address has no prefix");
	ipaddr_to_key(a, key);
	return ipam_count_address(w->db, key, json_integer_value(prefix), delta, err);
}

/* The free map and the used counts follow every address that appears, moves or goes; a plan
 * import rebuilds both once instead (plan_import.c). */
static int
res_ip_addresses_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	struct ipaddr before, after;
	bool had = w->old != NULL, has = obj != NULL;
	bool deferred = w->a != NULL && w->a->plan;

	if (had && res_ip_addresses_addr(w->old, &before) == -1)
		return api_err_set(err, 500, "a stored address does not parse");
	if (has && res_ip_addresses_addr(obj, &after) == -1)
		return api_err_set(err, 500, "an address does not parse");
	const char *dns_before = had ? json_string_value(json_object_get(w->old, "dns_name")) : "";
	const char *dns_after = has ? json_string_value(json_object_get(obj, "dns_name")) : "";
	bool same = had && has && ipaddr_cmp(&before, &after) == 0;

	/* The zones its derived records live in change when its name or address does. */
	if (!same || strcmp(dns_before, dns_after) != 0) {
		if ((had && dnszone_touch(w->db, dns_before, &before, err) == -1) ||
		    (has && dnszone_touch(w->db, dns_after, &after, err) == -1))
			return -1;
	}
	if (same || deferred)
		return 0;
	if (had && (freemap_release(w->db, &before, err) == -1 ||
	    res_ip_addresses_count(w, w->old, &before, -1, err) == -1))
		return -1;
	if (has && (freemap_use(w->db, &after, err) == -1 ||
	    res_ip_addresses_count(w, obj, &after, 1, err) == -1))
		return -1;
	return 0;
}

/* ?vlan_id=N: the addresses in the prefixes of that VLAN. */
static int
res_ip_addresses_vlan(struct sbuf *where, json_t *binds, const char *const *values, int n,
    struct api_err *err)
{
	char *end;
	long long v;

	(void)n;
	v = strtoll(values[0], &end, 10);
	if (*values[0] == '\0' || *end != '\0' || v <= 0)
		return api_err_field(err, "vlan_id", "must be a positive id");
	sbuf_puts(where, " AND (prefix_id IN (SELECT id FROM prefixes WHERE vlan_id = ?))");
	json_array_append_new(binds, json_integer(v));
	return 0;
}

/* ?vlan=VID: the same by the VLAN's own number. */
static int
res_ip_addresses_vid(struct sbuf *where, json_t *binds, const char *const *values, int n,
    struct api_err *err)
{
	return resource_filter_vid(where, binds, values, n,
	    "prefix_id IN (SELECT id FROM prefixes WHERE vlan_id IN ({vlans}))", err);
}

static const struct rfilter res_ip_addresses_filters[] = {
	{ .name = "vlan_id", .fn = res_ip_addresses_vlan },
	{ .name = "vlan", .fn = res_ip_addresses_vid },
	{ .name = NULL },
};

const struct resource res_ip_addresses = {
	.name = "ip-addresses",
	.table = "ip_addresses",
	.object = "ip-address",
	.fields = res_ip_addresses_fields,
	.hidden = res_ip_addresses_hidden,
	.filters = res_ip_addresses_filters,
	.validate = res_ip_addresses_validate,
	.derive = res_ip_addresses_derive,
	.after = res_ip_addresses_after,
	.before_delete = res_ip_addresses_before_delete,
};
