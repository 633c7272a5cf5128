#include "render/fwrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"
#include "render.h"
#include "settings.h"

static const char render_fwrules_sql[] = "SELECT name, description, action, protocol, "
    "dst_ports, log, src_vlan_id, src_prefix_id, src_host_id, src_cidr, dst_vlan_id, "
    "dst_prefix_id, dst_host_id, dst_cidr FROM firewall_rules WHERE enabled = 1 AND scope = ? "
    "AND (? = 0 OR dst_host_id = ?) ORDER BY priority, id";

static void
render_fwrules_add(struct fw_side *s, const char *cidr)
{
	struct ipnet n;

	if (cidr == NULL || ipnet_parse(cidr, &n) == -1)
		return;
	json_array_append_new(n.addr.family == 4 ? s->v4 : s->v6, json_string(cidr));
}

/* Every row of a query bound with one id, each a CIDR, or an address made a /32 or /128. */
static int
render_fwrules_collect(struct db *db, const char *sql, long long id, bool hosts,
    struct fw_side *s, struct api_err *err)
{
	char cidr[IPNET_STRLEN];
	const char *text;
	sqlite3_stmt *st;
	struct ipaddr a;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "resolving a rule");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		if (hosts && ipaddr_parse(text, &a) == 0) {
			snprintf(cidr, sizeof(cidr), "%s/%d", text, a.family == 4 ? 32 : 128);
			render_fwrules_add(s, cidr);
		} else if (!hosts) {
			render_fwrules_add(s, text);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "resolving a rule");
}

/* One side from its four selector columns (at col: vlan, prefix, host, cidr). */
static int
render_fwrules_side(struct db *db, sqlite3_stmt *row, int col, long long host_id,
    struct fw_side *s, struct api_err *err)
{
	static const char vlan_sql[] = "SELECT prefix FROM prefixes WHERE vlan_id = ? "
	    "ORDER BY first_key, prefix_len";
	static const char prefix_sql[] = "SELECT prefix FROM prefixes WHERE id = ?";
	static const char host_sql[] = "SELECT address FROM ip_addresses WHERE host_id = ? "
	    "ORDER BY addr_key";

	s->v4 = json_array();
	s->v6 = json_array();
	s->any = false;
	if (sqlite3_column_type(row, col) != SQLITE_NULL) {
		if (host_id != 0 && render_host_vlan_ifname(db, host_id,
		    sqlite3_column_int64(row, col), s->ifname, sizeof(s->ifname), err) == -1)
			return -1;
		return render_fwrules_collect(db, vlan_sql, sqlite3_column_int64(row, col), false,
		    s, err);
	}
	if (sqlite3_column_type(row, col + 1) != SQLITE_NULL)
		return render_fwrules_collect(db, prefix_sql, sqlite3_column_int64(row, col + 1),
		    false, s, err);
	if (sqlite3_column_type(row, col + 2) != SQLITE_NULL)
		return render_fwrules_collect(db, host_sql, sqlite3_column_int64(row, col + 2),
		    true, s, err);
	if (sqlite3_column_type(row, col + 3) != SQLITE_NULL) {
		render_fwrules_add(s, (const char *)sqlite3_column_text(row, col + 3));
		return 0;
	}
	s->any = true;
	return 0;
}

/* Names become strings, comments and log prefixes of every filter: only the characters the
 * API allows in one, whatever a hand edit of the database put there. */
static void
render_fwrules_name(char *dst, size_t len, const unsigned char *src)
{
	render_safe(src ? (const char *)src : "", RENDER_ALNUM "-_.", dst, len);
}

int
render_fwrules_policy(struct db *db, long long host_id, struct fw_policy *p,
    struct api_err *err)
{
	json_t *settings;

	if (render_host_is_router(db, host_id, &p->router, err) == -1 ||
	    settings_load(db, &settings, err) == -1)
		return -1;
	p->log = json_is_true(json_object_get(settings, "log_denied"));
	snprintf(p->forward, sizeof(p->forward), "%s",
	    json_string_value(json_object_get(settings, "forward_default_action")));
	snprintf(p->input, sizeof(p->input), "%s",
	    json_string_value(json_object_get(settings, "input_default_action")));
	json_decref(settings);
	return 0;
}

int
render_fwrules_load(struct db *db, const char *scope, long long host_id,
    struct fw_rule **out, size_t *n, struct api_err *err)
{
	struct fw_rule *rules = NULL, *r;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc = -1, step;
	bool input = strcmp(scope, "input") == 0;

	*out = NULL;
	*n = 0;
	/* Its own statement: resolving sides runs cached statements meanwhile. */
	if (sqlite3_prepare_v2(db_handle(db), render_fwrules_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, "reading firewall rules");
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, input ? host_id : 0);
	sqlite3_bind_int64(st, 3, input ? host_id : 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((r = realloc(rules, cap * sizeof(*rules))) == NULL) {
				api_err_set(err, 500, "out of memory");
				goto out;
			}
			rules = r;
		}
		r = &rules[*n];
		memset(r, 0, sizeof(*r));
		(*n)++;
		render_fwrules_name(r->name, sizeof(r->name), sqlite3_column_text(st, 0));
		render_comment((const char *)sqlite3_column_text(st, 1), r->description,
		    sizeof(r->description));
		r->action = strcmp((const char *)sqlite3_column_text(st, 2), "accept") == 0 ?
		    "accept" : strcmp((const char *)sqlite3_column_text(st, 2), "reject") == 0 ?
		    "reject" : "drop";
		r->protocol = strcmp((const char *)sqlite3_column_text(st, 3), "tcp") == 0 ? "tcp" :
		    strcmp((const char *)sqlite3_column_text(st, 3), "udp") == 0 ? "udp" :
		    strcmp((const char *)sqlite3_column_text(st, 3), "icmp") == 0 ? "icmp" : "any";
		render_comment((const char *)sqlite3_column_text(st, 4), r->ports, sizeof(r->ports));
		r->log = sqlite3_column_int(st, 5) != 0;
		if (render_fwrules_side(db, st, 6, host_id, &r->src, err) == -1)
			goto out;
		/* The destination of an input rule is the host itself. */
		if (input) {
			r->dst.v4 = json_array();
			r->dst.v6 = json_array();
			r->dst.any = true;
		} else if (render_fwrules_side(db, st, 10, host_id, &r->dst, err) == -1) {
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		db_fail(db, err, "reading firewall rules");
		goto out;
	}
	*out = rules;
	rules = NULL;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc == -1) {
		render_fwrules_free(rules, *n);
		*n = 0;
	}
	return rc;
}

void
render_fwrules_free(struct fw_rule *rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_decref(rules[i].src.v4);
		json_decref(rules[i].src.v6);
		json_decref(rules[i].dst.v4);
		json_decref(rules[i].dst.v6);
	}
	free(rules);
}

static bool
render_fwrules_side_family(const struct fw_side *s, int family)
{
	if (s->any || s->ifname[0] != '\0')
		return true;
	return json_array_size(family == 4 ? s->v4 : s->v6) > 0;
}

bool
render_fwrules_family(const struct fw_rule *r, int family)
{
	return render_fwrules_side_family(&r->src, family) &&
	    render_fwrules_side_family(&r->dst, family);
}

bool
render_fwrules_has_addresses(const struct fw_rule *r)
{
	return (r->src.ifname[0] == '\0' && !r->src.any) ||
	    (r->dst.ifname[0] == '\0' && !r->dst.any);
}
