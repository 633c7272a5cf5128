#include "render/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"

void
render_names_fqdn(const char *name, const char *zone, char *buf, size_t len)
{
	size_t n = strlen(name);

	if (strcmp(name, "@") == 0)
		snprintf(buf, len, "%s", zone);
	else if (n > 0 && name[n - 1] == '.')
		snprintf(buf, len, "%.*s", (int)(n - 1), name);
	else
		snprintf(buf, len, "%s.%s", name, zone);
}

static bool
render_names_has(const json_t *names, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (strcasecmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/* The entry of an address (index: canonical address to position), made when it is new; the
 * list is sorted at the end. */
static struct render_name *
render_names_entry(struct render_names *rn, json_t *index, size_t *cap, const char *address)
{
	char canon[IPADDR_STRLEN];
	struct render_name *e;
	struct ipaddr a;
	json_t *at;

	if (ipaddr_parse(address, &a) == -1)
		return NULL;
	ipaddr_format(&a, canon, sizeof(canon));
	if ((at = json_object_get(index, canon)) != NULL)
		return &rn->list[json_integer_value(at)];
	if (rn->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if ((e = realloc(rn->list, *cap * sizeof(*e))) == NULL)
			return NULL;
		rn->list = e;
	}
	json_object_set_new(index, canon, json_integer((json_int_t)rn->n));
	e = &rn->list[rn->n++];
	ipaddr_to_key(&a, e->key);
	ipaddr_format(&a, e->address, sizeof(e->address));
	e->names = json_array();
	return e;
}

static int
render_names_cmp(const void *x, const void *y)
{
	return memcmp(((const struct render_name *)x)->key, ((const struct render_name *)y)->key,
	    IPADDR_KEYLEN);
}

int
render_names_load(struct db *db, struct render_names *out, struct api_err *err)
{
	static const char named[] = "SELECT address, dns_name FROM ip_addresses "
	    "WHERE dns_name != '' ORDER BY addr_key";
	static const char stored[] = "SELECT r.type, r.name, r.value, z.name FROM dns_records r "
	    "JOIN dns_zones z ON z.id = r.zone_id ORDER BY z.name, r.name, r.type, r.value";
	char fqdn[512], target[512];
	const char *type, *value;
	struct render_name *e;
	json_t *pair, *index;
	sqlite3_stmt *st;
	size_t cap = 0, i, k;
	int rc, round;
	bool grew;

	memset(out, 0, sizeof(*out));
	out->cnames = json_array();
	out->records = json_array();
	index = json_object();
	/* Addresses with a name come in address order, so the scan for a repeat stays short. */
	if ((st = db_stmt(db, named)) == NULL)
		return db_fail(db, err, "reading names");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((e = render_names_entry(out, index, &cap,
		    (const char *)sqlite3_column_text(st, 0))) == NULL)
			continue;
		/* dns_name is already fully qualified. */
		snprintf(fqdn, sizeof(fqdn), "%s", (const char *)sqlite3_column_text(st, 1));
		if (fqdn[0] != '\0' && fqdn[strlen(fqdn) - 1] == '.')
			fqdn[strlen(fqdn) - 1] = '\0';
		if (!render_names_has(e->names, fqdn))
			json_array_append_new(e->names, json_string(fqdn));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, stored)) == NULL) {
		json_decref(index);
		return db_fail(db, err, "reading names");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		value = (const char *)sqlite3_column_text(st, 2);
		render_names_fqdn((const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 3), fqdn, sizeof(fqdn));
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
			if ((e = render_names_entry(out, index, &cap, value)) != NULL &&
			    !render_names_has(e->names, fqdn))
				json_array_append_new(e->names, json_string(fqdn));
		} else if (strcmp(type, "CNAME") == 0) {
			render_names_fqdn(value, (const char *)sqlite3_column_text(st, 3), target,
			    sizeof(target));
			json_array_append_new(out->cnames, json_pack("[s, s]", fqdn, target));
		} else {
			json_array_append_new(out->records, json_pack("[s, s, s, s]", type, fqdn,
			    value, (const char *)sqlite3_column_text(st, 3)));
		}
	}
	sqlite3_reset(st);
	json_decref(index);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading records");
	/* Aliases join the line of the name they lead to, through chains of CNAMEs too. */
	for (round = 0, grew = true; grew && round < 8; round++) {
		grew = false;
		json_array_foreach(out->cnames, k, pair)
			for (i = 0; i < out->n; i++) {
				e = &out->list[i];
				if (render_names_has(e->names, json_string_value(json_array_get(pair, 1)))
				    && !render_names_has(e->names,
				    json_string_value(json_array_get(pair, 0)))) {
					json_array_append(e->names, json_array_get(pair, 0));
					grew = true;
				}
			}
	}
	qsort(out->list, out->n, sizeof(*out->list), render_names_cmp);
	return 0;
}

void
render_names_free(struct render_names *rn)
{
	size_t i;

	for (i = 0; i < rn->n; i++)
		json_decref(rn->list[i].names);
	free(rn->list);
	json_decref(rn->cnames);
	json_decref(rn->records);
	memset(rn, 0, sizeof(*rn));
}
