/* OpenWrt mwan3 (UCI): an interface per enabled WAN link with its health checks, a member per
 * link in a balanced policy (the links' own metrics and weights) and in a failover policy
 * (one link after another), and a default rule. Names are the links' names as UCI allows. */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"
#include "sbuf.h"

int
render_mwan3(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	/* Balanced order: metric, then weight (heavier first), then name; failover ranks the
	 * same way. */
	static const char sql[] = "SELECT name, weight, metric, track_ips FROM wan_links "
	    "WHERE enabled = 1 ORDER BY metric, weight DESC, name";
	struct sbuf balanced, failover;
	char name[40], ip[IPADDR_STRLEN];
	json_t *track, *v;
	struct ipaddr a;
	sqlite3_stmt *st;
	size_t i;
	int rc, rank = 0, v6;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading WAN links");
	sbuf_init(&balanced, 0);
	sbuf_init(&failover, 0);
	sbuf_puts(out, "\nconfig globals 'globals'\n\toption mmx_mask '0x3F00'\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* UCI section names: letters, digits and '_'. */
		render_safe((const char *)sqlite3_column_text(st, 0), RENDER_ALNUM, name,
		    sizeof(name));
		track = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		v6 = 0;
		json_array_foreach(track, i, v)
			if (ipaddr_parse(json_string_value(v), &a) == 0 && a.family == 6)
				v6++;
		sbuf_printf(out, "\nconfig interface '%s'\n\toption enabled '1'\n", name);
		sbuf_printf(out, "\toption family '%s'\n", v6 > 0 && (size_t)v6 ==
		    json_array_size(track) ? "ipv6" : "ipv4");
		/* Only what parses as an address, written as netsot writes one. */
		json_array_foreach(track, i, v)
			if (ipaddr_parse(json_string_value(v), &a) == 0) {
				ipaddr_format(&a, ip, sizeof(ip));
				sbuf_printf(out, "\tlist track_ip '%s'\n", ip);
			}
		if (json_array_size(track) > 0)
			sbuf_puts(out, "\toption reliability '1'\n\toption count '1'\n"
			    "\toption timeout '2'\n\toption interval '5'\n\toption down '3'\n"
			    "\toption up '3'\n");
		json_decref(track);
		sbuf_printf(out, "\nconfig member '%s_balanced'\n\toption interface '%s'\n"
		    "\toption metric '%d'\n\toption weight '%d'\n", name, name,
		    sqlite3_column_int(st, 2), sqlite3_column_int(st, 1));
		sbuf_printf(out, "\nconfig member '%s_failover'\n\toption interface '%s'\n"
		    "\toption metric '%d'\n\toption weight '1'\n", name, name, ++rank);
		sbuf_printf(&balanced, "\tlist use_member '%s_balanced'\n", name);
		sbuf_printf(&failover, "\tlist use_member '%s_failover'\n", name);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		sbuf_printf(out, "\nconfig policy 'balanced'\n%s\toption last_resort 'unreachable'\n",
		    sbuf_str(&balanced));
		sbuf_printf(out, "\nconfig policy 'failover'\n%s\toption last_resort 'unreachable'\n",
		    sbuf_str(&failover));
		sbuf_puts(out, "\nconfig rule 'default_rule'\n\toption dest_ip '0.0.0.0/0'\n"
		    "\toption family 'ipv4'\n\toption use_policy 'balanced'\n");
	}
	sbuf_free(&balanced);
	sbuf_free(&failover);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading WAN links");
}
