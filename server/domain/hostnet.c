#include "hostnet.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "charrule.h"
#include "db.h"

int
hostnet_find(struct db *db, const char *name, long long *id, struct api_err *err)
{
	static const char sql[] = "SELECT id FROM hosts WHERE name = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading hosts");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading hosts");
}

/* The first row's text of a query bound with host and VLAN, kept when it is an ifname. */
static int
hostnet_first(struct db *db, const char *sql, long long host_id, long long vlan_id, char *buf,
    size_t len, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading interfaces");
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, vlan_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		if (strlen(buf) < HOSTNET_IFNAME_MAX && charrule_ok(CR_IFNAME, buf, strlen(buf)) &&
		    buf[0] != '\0')
			break;
		buf[0] = '\0';
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading interfaces");
}

int
hostnet_vlan_ifname(struct db *db, long long host_id, long long vlan_id, char *buf, size_t len,
    struct api_err *err)
{
	static const char *const sql[] = {
		/* Its address in one of the VLAN's prefixes. */
		"SELECT a.interface FROM ip_addresses a JOIN prefixes p ON p.id = a.prefix_id "
		"WHERE a.host_id = ? AND p.vlan_id = ? AND a.interface != '' ORDER BY a.addr_key",
		/* A trunk port that tags it. */
		"SELECT p.ifname || '.' || v.vid FROM ports p JOIN port_tagged_vlans t "
		"ON t.port_id = p.id JOIN vlans v ON v.id = t.vlan_id WHERE p.host_id = ? "
		"AND t.vlan_id = ? AND p.mode = 'trunk' ORDER BY p.ifname",
		/* An access port that carries it untagged. */
		"SELECT ifname FROM ports WHERE host_id = ? AND untagged_vlan_id = ? "
		"AND mode IN ('access', 'routed') ORDER BY ifname",
	};
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && buf[0] == '\0'; i++)
		if (hostnet_first(db, sql[i], host_id, vlan_id, buf, len, err) == -1)
			return -1;
	return 0;
}

/* The VLAN of the most specific prefix holding a: its id, or 0. */
static int
hostnet_vlan_of(struct db *db, const struct ipaddr *a, long long *vlan, struct api_err *err)
{
	static const char sql[] = "SELECT vlan_id FROM prefixes WHERE first_key <= ?1 "
	    "AND last_key >= ?1 ORDER BY prefix_len DESC LIMIT 1";
	unsigned char key[IPADDR_KEYLEN];
	sqlite3_stmt *st;
	int rc;

	*vlan = 0;
	ipaddr_to_key(a, key);
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading prefixes");
	sqlite3_bind_blob(st, 1, key, IPADDR_KEYLEN, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*vlan = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading prefixes");
}

int
hostnet_alloc_host(struct db *db, const struct ipaddr *a, json_t *obj, struct api_err *err)
{
	const json_t *name = json_object_get(obj, "host"), *given;
	char ifname[HOSTNET_IFNAME_MAX];
	long long id, vlan;
	int found;

	if (name == NULL)
		return 0;
	if (!json_is_string(name)) {
		api_err_set(err, 400, "the body does not fit an allocation");
		return api_err_field(err, "host", "must be a host's name");
	}
	if ((found = hostnet_find(db, json_string_value(name), &id, err)) == -1)
		return -1;
	if (found == 0)
		return api_err_field(err, "host", "no host is named '%.64s'",
		    json_string_value(name));
	given = json_object_get(obj, "host_id");
	if (given != NULL && !json_is_null(given) && json_integer_value(given) != id)
		return api_err_field(err, "host", "names another host than host_id");
	json_object_set_new(obj, "host_id", json_integer(id));
	if (json_string_length(json_object_get(obj, "interface")) == 0) {
		if (hostnet_vlan_of(db, a, &vlan, err) == -1 ||
		    (vlan != 0 && hostnet_vlan_ifname(db, id, vlan, ifname, sizeof(ifname),
		    err) == -1))
			return -1;
		if (vlan != 0 && ifname[0] != '\0')
			json_object_set_new(obj, "interface", json_string(ifname));
	}
	json_object_del(obj, "host");
	return 0;
}
