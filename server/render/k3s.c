/* /etc/rancher/k3s/config.yaml: cluster-cidr, service-cidr and cluster-dns from the active
 * prefixes with roles kubernetes-pods and kubernetes-services (both families: dual stack) and
 * the first address with role cluster-dns in one of those service prefixes. What the plan
 * lacks is left to K3s's defaults. */
#include "render.h"

#include <string.h>

#include "apierr.h"
#include "db.h"
#include "sbuf.h"

static int
render_k3s_key(struct render_ctx *c, struct sbuf *out, const char *key, const char *sql,
    struct api_err *err)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading prefixes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sbuf_printf(out, "%s%s", n++ ? "," : "", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (n == 0)
		sbuf_printf(out, "# %s: none in the plan, K3s's default applies\n", key);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading prefixes");
}

int
render_k3s(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	static const char pods[] = "SELECT prefix FROM prefixes WHERE role = 'kubernetes-pods' "
	    "AND status = 'active' ORDER BY first_key, prefix_len";
	static const char services[] = "SELECT prefix FROM prefixes WHERE role = "
	    "'kubernetes-services' AND status = 'active' ORDER BY first_key, prefix_len";
	static const char dns[] = "SELECT a.address FROM ip_addresses a JOIN prefixes p "
	    "ON p.id = a.prefix_id WHERE a.role = 'cluster-dns' AND a.status = 'active' "
	    "AND p.role = 'kubernetes-services' AND p.status = 'active' ORDER BY a.addr_key "
	    "LIMIT 1";
	static const struct {
		const char *key, *sql;
	} keys[] = {
		{ .key = "cluster-cidr", .sql = pods },
		{ .key = "service-cidr", .sql = services },
		{ .key = "cluster-dns", .sql = dns },
	};
	struct sbuf v;
	size_t i;
	int rc = 0;

	sbuf_puts(out, "---\n");
	sbuf_init(&v, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == 0; i++) {
		sbuf_reset(&v);
		if ((rc = render_k3s_key(c, &v, keys[i].key, keys[i].sql, err)) != 0)
			break;
		if (sbuf_str(&v)[0] == '#')
			sbuf_puts(out, sbuf_str(&v));
		else
			sbuf_printf(out, "%s: \"%s\"\n", keys[i].key, sbuf_str(&v));
	}
	sbuf_free(&v);
	return rc;
}
