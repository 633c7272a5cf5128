#include "netbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "hostnet.h"

/* The one site: netsot has no notion of sites. */
#define NETBOX_SITE_ID 1
#define NETBOX_SITE "netsot"

/* A host's kind: its NetBox role (id = position + 1), and whether it is a virtual machine. */
static const struct {
	const char *kind, *label;
	bool vm;
} netbox_kinds[] = {
	{ "hypervisor", "Hypervisor", false }, { "vm", "VM", true },
	{ "router", "Router", false }, { "appliance", "Appliance", false },
	{ "service", "Service", true }, { "container", "Container", true },
	{ "switch", "Switch", false }, { "storage", "Storage", false },
};

#define NKINDS (sizeof(netbox_kinds) / sizeof(netbox_kinds[0]))

static int
netbox_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(netbox_kinds[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

static const char *
netbox_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s != NULL ? s : "";
}

static json_t *
netbox_choice(const char *value, const char *label)
{
	return json_pack("{s:s, s:s}", "value", value, "label", label);
}

/* NetBox's choice labels are the value capitalised. */
static json_t *
netbox_choice_of(const char *value)
{
	char label[32];

	snprintf(label, sizeof(label), "%s", value);
	if (label[0] >= 'a' && label[0] <= 'z')
		label[0] = (char)(label[0] - 'a' + 'A');
	return netbox_choice(value, label);
}

static json_t *
netbox_site_brief(void)
{
	return json_pack("{s:i, s:s, s:s, s:s}", "id", NETBOX_SITE_ID, "display", NETBOX_SITE,
	    "name", NETBOX_SITE, "slug", NETBOX_SITE);
}

static json_t *
netbox_role_brief(int k)
{
	return json_pack("{s:i, s:s, s:s, s:s}", "id", k + 1, "display", netbox_kinds[k].label,
	    "name", netbox_kinds[k].label, "slug", netbox_kinds[k].kind);
}

/* The host a device's or VM's interface, address or service belongs to. */
static json_t *
netbox_host_brief(long long id, const char *name)
{
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "display", name, "name", name);
}

/* A tag object per name of a JSON list of strings, after those already in tags. */
static void
netbox_tags_add(json_t *tags, const char *list)
{
	json_t *names = json_loads(list, 0, NULL), *t, *v;
	const char *name;
	size_t i, j;
	bool seen;

	json_array_foreach(names, i, v) {
		if ((name = json_string_value(v)) == NULL)
			continue;
		seen = false;
		json_array_foreach(tags, j, t)
			seen |= strcmp(json_string_value(json_object_get(t, "slug")), name) == 0;
		if (!seen)
			json_array_append_new(tags, json_pack("{s:s, s:s, s:s}", "display", name,
			    "name", name, "slug", name));
	}
	json_decref(names);
}

/* An address as NetBox writes it: with the length of its prefix. */
static json_t *
netbox_address(const char *address, int len)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s/%d", address, len);
	return json_string(buf);
}

static int
netbox_family(const char *address)
{
	return strchr(address, ':') != NULL ? 6 : 4;
}

static json_t *
netbox_family_choice(const char *address)
{
	int fam = netbox_family(address);

	return json_pack("{s:i, s:s}", "value", fam, "label", fam == 6 ? "IPv6" : "IPv4");
}

/* Devices and virtual machines: every host of a physical kind, or of a virtual one. */
static int
netbox_hosts(struct db *db, bool vm, json_t *out, struct api_err *err)
{
	static const char sql[] = "SELECT h.id, h.name, h.kind, h.groups, h.tags, h.description, "
	    "h.created_at, h.updated_at, a.id, a.address, p.prefix_len FROM hosts h "
	    "LEFT JOIN ip_addresses a ON a.id = " HOSTNET_PRIMARY_SQL("h") " "
	    "LEFT JOIN prefixes p ON p.id = a.prefix_id ORDER BY h.id";
	json_t *o, *tags, *ip;
	const char *addr;
	sqlite3_stmt *st;
	int rc, k, fam;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading hosts");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((k = netbox_kind(netbox_text(st, 2))) == -1 || netbox_kinds[k].vm != vm)
			continue;
		tags = json_array();
		/* The host's groups first: they are its Ansible groups in netsot's own inventory. */
		netbox_tags_add(tags, netbox_text(st, 3));
		netbox_tags_add(tags, netbox_text(st, 4));
		ip = json_null();
		if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
			addr = netbox_text(st, 9);
			ip = json_pack("{s:I, s:s, s:o, s:o}", "id",
			    (json_int_t)sqlite3_column_int64(st, 8), "display", addr, "family",
			    netbox_family_choice(addr), "address",
			    netbox_address(addr, sqlite3_column_int(st, 10)));
		}
		o = json_pack("{s:I, s:s, s:s, s:o, s:n, s:n, s:o, s:o, s:n, s:o, s:s, s:s, s:o,"
		    " s:{}, s:{}, s:n, s:s, s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "name", netbox_text(st, 1), "display", netbox_text(st, 1),
		    "role", netbox_role_brief(k), "platform", "tenant",
		    "site", netbox_site_brief(), "status", netbox_choice("active", "Active"),
		    "cluster", "primary_ip", ip,
		    "description", netbox_text(st, 5), "comments", "", "tags", tags,
		    "custom_fields", "config_context", "local_context_data",
		    "created", netbox_text(st, 6), "last_updated", netbox_text(st, 7));
		fam = json_is_null(ip) ? 0 : netbox_family(netbox_text(st, 9));
		json_object_set(o, "primary_ip4", fam == 4 ? ip : json_null());
		json_object_set(o, "primary_ip6", fam == 6 ? ip : json_null());
		if (vm)
			json_object_update_missing_new(o, json_pack("{s:n, s:n, s:n, s:n}", "vcpus",
			    "memory", "disk", "serial"));
		else
			json_object_update_missing_new(o, json_pack("{s:n, s:n, s:n, s:s, s:n, s:n}",
			    "device_type", "location", "rack", "serial", "", "asset_tag",
			    "virtual_chassis"));
		json_array_append_new(out, o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading hosts");
}

static int
netbox_devices(struct db *db, json_t *out, struct api_err *err)
{
	return netbox_hosts(db, false, out, err);
}

static int
netbox_vms(struct db *db, json_t *out, struct api_err *err)
{
	return netbox_hosts(db, true, out, err);
}

/* Where an interface belongs: "device" or "virtual_machine", by its host's kind. */
static const char *
netbox_owner(const char *kind)
{
	int k = netbox_kind(kind);

	return k != -1 && netbox_kinds[k].vm ? "virtual_machine" : "device";
}

/* Interfaces: a port is one (id 2 x the port's id, named by its kernel name, its label the
 * port's name); an interface that only addresses name is one too (id 2 x the lowest such
 * address's id + 1). Both ids stay the same while the plan does not change them. */
#define NETBOX_IFACE_SQL(a) "CASE WHEN " a ".host_id IS NULL OR " a ".interface = '' THEN NULL " \
	"ELSE coalesce((SELECT 2 * o.id FROM ports o WHERE o.host_id = " a ".host_id AND " \
	"o.ifname = " a ".interface), (SELECT 2 * min(b.id) + 1 FROM ip_addresses b WHERE " \
	"b.host_id = " a ".host_id AND b.interface = " a ".interface)) END"

static int
netbox_interfaces(struct db *db, bool vm, json_t *out, struct api_err *err)
{
	static const char sql[] = "SELECT 2 * o.id, o.host_id, h.name, h.kind, o.ifname, o.name, "
	    "o.description, o.mode, v.id, v.vid, v.name, o.tags, (SELECT json_group_array("
	    "json_object('id', t.id, 'vid', t.vid, 'name', t.name, 'display', t.name)) FROM "
	    "port_tagged_vlans x JOIN vlans t ON t.id = x.vlan_id WHERE x.port_id = o.id), "
	    "(SELECT count(*) FROM ip_addresses a WHERE a.host_id = o.host_id AND "
	    "a.interface = o.ifname) FROM ports o JOIN hosts h ON h.id = o.host_id "
	    "LEFT JOIN vlans v ON v.id = o.untagged_vlan_id "
	    "UNION ALL SELECT 2 * min(a.id) + 1, a.host_id, h.name, h.kind, a.interface, '', '', "
	    "'', NULL, NULL, NULL, '[]', '[]', count(*) FROM ip_addresses a "
	    "JOIN hosts h ON h.id = a.host_id WHERE a.interface != '' AND NOT EXISTS (SELECT 1 "
	    "FROM ports o WHERE o.host_id = a.host_id AND o.ifname = a.interface) "
	    "GROUP BY a.host_id, a.interface ORDER BY 1";
	const char *owner, *mode;
	json_t *o, *tags;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading interfaces");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		owner = netbox_owner(netbox_text(st, 3));
		if ((strcmp(owner, "virtual_machine") == 0) != vm)
			continue;
		mode = netbox_text(st, 7);
		tags = json_array();
		netbox_tags_add(tags, netbox_text(st, 11));
		o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:b, s:n, s:n, s:s, s:o, s:o, s:o, s:I,"
		    " s:{}}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "name", netbox_text(st, 4), "display", netbox_text(st, 4),
		    owner, netbox_host_brief(sqlite3_column_int64(st, 1), netbox_text(st, 2)),
		    "label", netbox_text(st, 5), "enabled", strcmp(mode, "unused") != 0,
		    "mtu", "mac_address", "description", netbox_text(st, 6),
		    "mode", strcmp(mode, "access") == 0 ? netbox_choice("access", "Access") :
		    strcmp(mode, "trunk") == 0 ? netbox_choice("tagged", "Tagged") : json_null(),
		    "untagged_vlan", sqlite3_column_type(st, 8) == SQLITE_NULL ? json_null() :
		    json_pack("{s:I, s:i, s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 8),
		    "vid", sqlite3_column_int(st, 9), "name", netbox_text(st, 10), "display",
		    netbox_text(st, 10)),
		    "tags", tags, "count_ipaddresses", (json_int_t)sqlite3_column_int64(st, 13),
		    "custom_fields");
		json_object_set_new(o, "tagged_vlans", json_loads(netbox_text(st, 12), 0, NULL));
		if (!vm)
			json_object_set_new(o, "type", netbox_choice("other", "Other"));
		json_array_append_new(out, o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading interfaces");
}

static int
netbox_device_interfaces(struct db *db, json_t *out, struct api_err *err)
{
	return netbox_interfaces(db, false, out, err);
}

static int
netbox_vm_interfaces(struct db *db, json_t *out, struct api_err *err)
{
	return netbox_interfaces(db, true, out, err);
}

/* Addresses, each assigned to its host's interface when it names one. */
static int
netbox_ip_addresses(struct db *db, json_t *out, struct api_err *err)
{
	static const char sql[] = "SELECT a.id, a.address, p.prefix_len, a.host_id, h.name, "
	    "h.kind, a.interface, a.dns_name, a.status, a.role, a.description, a.tags, "
	    "a.created_at, a.updated_at, " NETBOX_IFACE_SQL("a") " FROM ip_addresses a "
	    "JOIN prefixes p ON p.id = a.prefix_id LEFT JOIN hosts h ON h.id = a.host_id "
	    "ORDER BY a.id";
	const char *addr, *owner, *role;
	json_t *o, *tags, *obj;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading addresses");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		addr = netbox_text(st, 1);
		role = netbox_text(st, 9);
		tags = json_array();
		netbox_tags_add(tags, netbox_text(st, 11));
		o = json_pack("{s:I, s:o, s:o, s:n, s:n, s:o, s:o, s:s, s:s, s:o, s:{}, s:s, s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "address", netbox_address(addr, sqlite3_column_int(st, 2)),
		    "family", netbox_family_choice(addr),
		    "vrf", "tenant", "status", netbox_choice_of(netbox_text(st, 8)),
		    "role", role[0] != '\0' ? netbox_choice_of(role) : json_null(),
		    "dns_name", netbox_text(st, 7), "description", netbox_text(st, 10),
		    "tags", tags, "custom_fields", "created", netbox_text(st, 12),
		    "last_updated", netbox_text(st, 13));
		json_object_set(o, "display", json_object_get(o, "address"));
		if (sqlite3_column_type(st, 14) == SQLITE_NULL) {
			json_object_update_new(o, json_pack("{s:n, s:n, s:n}", "assigned_object_type",
			    "assigned_object_id", "assigned_object"));
		} else {
			owner = netbox_owner(netbox_text(st, 5));
			obj = json_pack("{s:I, s:s, s:s, s:o}", "id",
			    (json_int_t)sqlite3_column_int64(st, 14), "name", netbox_text(st, 6),
			    "display", netbox_text(st, 6), owner,
			    netbox_host_brief(sqlite3_column_int64(st, 3), netbox_text(st, 4)));
			json_object_update_new(o, json_pack("{s:s, s:I, s:o}", "assigned_object_type",
			    strcmp(owner, "device") == 0 ? "dcim.interface" :
			    "virtualization.vminterface", "assigned_object_id",
			    (json_int_t)sqlite3_column_int64(st, 14), "assigned_object", obj));
		}
		json_array_append_new(out, o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading addresses");
}

static int
netbox_prefixes(struct db *db, json_t *out, struct api_err *err)
{
	static const char sql[] = "SELECT p.id, p.prefix, p.status, p.role, p.description, v.id, "
	    "v.vid, v.name, p.tags, p.created_at, p.updated_at FROM prefixes p "
	    "LEFT JOIN vlans v ON v.id = p.vlan_id ORDER BY p.id";
	const char *prefix, *role;
	json_t *o, *tags;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading prefixes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		prefix = netbox_text(st, 1);
		role = netbox_text(st, 3);
		tags = json_array();
		netbox_tags_add(tags, netbox_text(st, 8));
		o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:n, s:n, s:o, s:o, s:s, s:o, s:{},"
		    " s:s, s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "prefix", prefix,
		    "display", prefix, "family", netbox_family_choice(prefix),
		    "site", netbox_site_brief(),
		    "status", netbox_choice_of(netbox_text(st, 2)), "vrf", "tenant",
		    "role", role[0] != '\0' ? json_pack("{s:s, s:s, s:s}", "display", role, "name",
		    role, "slug", role) : json_null(),
		    "vlan", sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null() :
		    json_pack("{s:I, s:i, s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 5),
		    "vid", sqlite3_column_int(st, 6), "name", netbox_text(st, 7), "display",
		    netbox_text(st, 7)),
		    "description", netbox_text(st, 4), "tags", tags, "custom_fields",
		    "created", netbox_text(st, 9), "last_updated", netbox_text(st, 10));
		json_array_append_new(out, o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading prefixes");
}

static int
netbox_sites(struct db *db, json_t *out, struct api_err *err)
{
	static const char sql[] = "SELECT count(*) FROM prefixes";
	sqlite3_stmt *st;
	json_t *site;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "counting prefixes");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		site = netbox_site_brief();
		json_object_update_new(site, json_pack("{s:o, s:n, s:n, s:n, s:n, s:s, s:I, s:[],"
		    " s:{}}", "status", netbox_choice("active", "Active"), "region", "group",
		    "tenant", "time_zone", "description", "", "prefix_count",
		    (json_int_t)sqlite3_column_int64(st, 0), "tags", "custom_fields"));
		json_array_append_new(out, site);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, err, "counting prefixes");
}

static int
netbox_roles(struct db *db, json_t *out, struct api_err *err)
{
	size_t k;

	(void)db;
	(void)err;
	for (k = 0; k < NKINDS; k++)
		json_array_append_new(out, json_pack("{s:i, s:s, s:s, s:s, s:b, s:s}", "id",
		    (int)k + 1, "display", netbox_kinds[k].label, "name", netbox_kinds[k].label,
		    "slug", netbox_kinds[k].kind, "vm_role", netbox_kinds[k].vm, "description",
		    ""));
	return 0;
}

/* What netsot has no notion of (regions, racks, tenants, platforms, ...): an empty list, so
 * that the plugin's lookups of them succeed. */
static int
netbox_none(struct db *db, json_t *out, struct api_err *err)
{
	(void)db;
	(void)out;
	(void)err;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct db *db, json_t *out, struct api_err *err);
} netbox_collections[] = {
	{ "dcim/devices", netbox_devices },
	{ "virtualization/virtual-machines", netbox_vms },
	{ "dcim/interfaces", netbox_device_interfaces },
	{ "virtualization/interfaces", netbox_vm_interfaces },
	{ "ipam/ip-addresses", netbox_ip_addresses },
	{ "ipam/prefixes", netbox_prefixes },
	{ "dcim/sites", netbox_sites },
	{ "dcim/device-roles", netbox_roles },
	{ "dcim/platforms", netbox_none },
	{ "dcim/regions", netbox_none },
	{ "dcim/site-groups", netbox_none },
	{ "dcim/locations", netbox_none },
	{ "dcim/racks", netbox_none },
	{ "dcim/rack-groups", netbox_none },
	{ "dcim/device-types", netbox_none },
	{ "dcim/manufacturers", netbox_none },
	{ "tenancy/tenants", netbox_none },
	{ "virtualization/clusters", netbox_none },
	{ "ipam/services", netbox_none },
};

int
netbox_list(struct db *db, const char *collection, json_t **out, struct api_err *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(netbox_collections) / sizeof(netbox_collections[0]); i++) {
		if (strcmp(netbox_collections[i].name, collection) != 0)
			continue;
		*out = json_array();
		if (netbox_collections[i].fn(db, *out, err) == 0)
			return 0;
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return api_err_set(err, 404, "no such NetBox collection");
}

/* Filters: the query parameter and where its value is in an object (dotted; an array on the
 * way means any of its elements). "present" filters match true when the value is not null. */
static const struct {
	const char *key, *path;
	bool present;
} netbox_filters[] = {
	{ "id", "id", false },
	{ "name", "name", false },
	{ "role", "role.slug", false },
	{ "site", "site.slug", false },
	{ "status", "status.value", false },
	{ "tag", "tags.slug", false },
	{ "device_id", "device.id", false },
	{ "device", "device.name", false },
	{ "virtual_machine_id", "virtual_machine.id", false },
	{ "virtual_machine", "virtual_machine.name", false },
	{ "assigned_to_interface", "assigned_object_id", true },
	{ "dns_name", "dns_name", false },
};

#define NFILTERS (sizeof(netbox_filters) / sizeof(netbox_filters[0]))

bool
netbox_is_filter(const char *key)
{
	size_t i;

	for (i = 0; i < NFILTERS; i++)
		if (strcmp(netbox_filters[i].key, key) == 0)
			return true;
	return false;
}

/* Whether v, or what path leads to from it, equals value. */
static bool
netbox_match(const json_t *v, const char *path, const char *value, bool present)
{
	char text[32], part[64];
	const json_t *item;
	size_t i, n;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (netbox_match(item, path, value, present))
				return true;
		return false;
	}
	if (*path != '\0') {
		n = strcspn(path, ".");
		snprintf(part, sizeof(part), "%.*s", (int)n, path);
		return netbox_match(json_object_get(v, part), path + n + (path[n] == '.'), value,
		    present);
	}
	if (present)
		return strcmp(value, v != NULL && !json_is_null(v) ? "true" : "false") == 0;
	if (json_is_string(v))
		return strcmp(json_string_value(v), value) == 0;
	if (json_is_integer(v)) {
		snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
		return strcmp(text, value) == 0;
	}
	return false;
}

void
netbox_filter(json_t *results, const char *key, const char *const *values, size_t n)
{
	size_t f, i, j;
	bool keep;

	for (f = 0; f < NFILTERS && strcmp(netbox_filters[f].key, key) != 0; f++)
		;
	if (f == NFILTERS)
		return;
	for (i = json_array_size(results); i-- > 0;) {
		keep = false;
		for (j = 0; j < n && !keep; j++)
			keep = netbox_match(json_array_get(results, i), netbox_filters[f].path,
			    values[j], netbox_filters[f].present);
		if (!keep)
			json_array_remove(results, i);
	}
}

json_t *
netbox_status(void)
{
	return json_pack("{s:s, s:s, s:{}, s:{}, s:i}", "netbox-version", NETBOX_VERSION,
	    "netsot-version", NETSOT_VERSION, "installed-apps", "plugins", "rq-workers-running",
	    0);
}
