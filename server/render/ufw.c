/* ufw: a shell script that opens exactly the host's services, each to the sources the host's
 * input rules give it, in the rules' order (ufw applies the first match). */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "portspec.h"
#include "render/fwrules.h"
#include "sbuf.h"
#include "vec.h"

struct render_ufw_service {
	char name[72];          /* shell-safe */
	char protocol[4];
	char ports[208];        /* ufw syntax: "80,443", "5404:5412" */
	struct portspec ps;
	bool opened;
};

/* Text that goes inside single quotes or a comment: letters, digits and a few signs. */
#define RENDER_UFW_SAFE RENDER_ALNUM " -_.:/()"

struct render_ufw_services {
	VEC(struct render_ufw_service) s;
};

static int
render_ufw_services(struct render_ctx *c, struct render_ufw_services *list,
    struct api_err *err)
{
	static const char sql[] = "SELECT name, protocol, ports FROM services WHERE host_id = ? "
	    "ORDER BY name";
	struct render_ufw_service s;
	sqlite3_stmt *st;
	const char *why;
	char *p;
	int rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading services");
	sqlite3_bind_int64(st, 1, c->host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		render_safe((const char *)sqlite3_column_text(st, 0), RENDER_UFW_SAFE, s.name,
		    sizeof(s.name));
		snprintf(s.protocol, sizeof(s.protocol), "%s",
		    strcmp((const char *)sqlite3_column_text(st, 1), "udp") == 0 ? "udp" : "tcp");
		snprintf(s.ports, sizeof(s.ports), "%s", (const char *)sqlite3_column_text(st, 2));
		if (portspec_parse(s.ports, false, &s.ps, &why) == -1)
			continue;
		for (p = s.ports; *p != '\0'; p++)
			if (*p == '-')
				*p = ':';
		vec_push(&list->s, s);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading services");
}

static void
render_ufw_line(struct sbuf *out, const char *verb, const struct fw_rule *r,
    const struct render_ufw_service *s, const char *from)
{
	sbuf_printf(out, "ufw %s%s proto %s from %s to any port %s comment '%s: %s'\n", verb,
	    r->log ? " log" : "", s->protocol, from, s->ports, r->name, s->name);
}

static void
render_ufw_rule(struct sbuf *out, const struct fw_rule *r, struct render_ufw_service *svc,
    size_t n)
{
	const char *verb = strcmp(r->action, "accept") == 0 ? "allow" :
	    strcmp(r->action, "reject") == 0 ? "reject" : "deny";
	json_t *v;
	size_t i, j;
	int lines = 0;

	sbuf_printf(out, "\n# %s%s%s\n", r->name, r->description[0] ? ": " : "", r->description);
	for (i = 0; i < n; i++) {
		if (!firewall_opens(r->rule, svc[i].protocol, &svc[i].ps))
			continue;
		if (r->src.any) {
			render_ufw_line(out, verb, r, &svc[i], "any");
			lines++;
		}
		/* ufw takes one source a rule: a VLAN is its prefixes, a host its addresses. */
		json_array_foreach(r->src.any ? NULL : r->src.v4, j, v) {
			render_ufw_line(out, verb, r, &svc[i], json_string_value(v));
			lines++;
		}
		json_array_foreach(r->src.any ? NULL : r->src.v6, j, v) {
			render_ufw_line(out, verb, r, &svc[i], json_string_value(v));
			lines++;
		}
		if (strcmp(verb, "allow") == 0 && (r->src.any || json_array_size(r->src.v4) +
		    json_array_size(r->src.v6) > 0))
			svc[i].opened = true;
	}
	if (lines == 0)
		sbuf_printf(out, "# (%s reaches none of the host's services)\n", r->name);
}

int
render_ufw(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct render_ufw_services svc = { 0 };
	struct fw_rules rules;
	struct fw_policy p;
	size_t i;
	int rc = -1;

	memset(&rules, 0, sizeof(rules));
	if (render_fwrules_policy(c->db, c->host_id, &p, err) == -1 ||
	    render_ufw_services(c, &svc, err) == -1 ||
	    render_fwrules_load(c->db, "input", c->host_id, &rules, err) == -1)
		goto out;
	sbuf_printf(out, "# Run as root on %s. Starts from a clean ufw: what the plan does not "
	    "open stays closed.\nset -e\nufw --force reset\n", c->host);
	sbuf_printf(out, "ufw default %s incoming\nufw default allow outgoing\n",
	    strcmp(p.input, "accept") == 0 ? "allow" : strcmp(p.input, "reject") == 0 ? "reject" :
	    "deny");
	sbuf_printf(out, "ufw logging %s\n", p.log ? "low" : "off");
	for (i = 0; i < rules.v.n; i++)
		render_ufw_rule(out, &rules.v.v[i], svc.s.v, svc.s.n);
	sbuf_puts(out, "\n");
	for (i = 0; i < svc.s.n; i++)
		if (!svc.s.v[i].opened)
			sbuf_printf(out, "# not opened: %s (%s %s): no input rule allows it\n",
			    svc.s.v[i].name, svc.s.v[i].protocol, svc.s.v[i].ports);
	sbuf_puts(out, "ufw --force enable\n");
	rc = 0;
out:
	vec_free(&svc.s);
	render_fwrules_free(&rules);
	return rc;
}
