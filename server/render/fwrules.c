#include "render/fwrules.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "hostnet.h"
#include "render.h"
#include "settings.h"

/* A side of the model for a filter on host_id: its interface into the side's VLAN, and its
 * networks per family, as stored. */
static int
render_fwrules_side(struct db *db, const struct firewall_side *m, long long host_id,
    struct fw_side *s, struct api_err *err)
{
	size_t i;

	s->v4 = json_array();
	s->v6 = json_array();
	s->any = m->sel == FW_ANY;
	if (m->sel == FW_VLAN && host_id != 0 && hostnet_vlan_ifname(db, host_id, m->ref,
	    s->ifname, sizeof(s->ifname), err) == -1)
		return -1;
	for (i = 0; i < m->nets.n; i++)
		json_array_append_new(m->nets.v[i].net.addr.family == 4 ? s->v4 : s->v6,
		    json_string(m->nets.v[i].text));
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
    struct fw_rules *out, struct api_err *err)
{
	bool input = strcmp(scope, "input") == 0;
	const struct firewall_rule *m;
	struct fw_rule *r;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (firewall_load(db, scope, input ? host_id : 0, &out->model, err) == -1)
		return -1;
	for (i = 0; i < out->model.rules.n; i++) {
		m = &out->model.rules.v[i];
		r = vec_push_zero(&out->v);
		r->rule = m;
		render_fwrules_name(r->name, sizeof(r->name), (const unsigned char *)m->name);
		render_comment(m->description, r->description, sizeof(r->description));
		r->action = m->action;
		r->protocol = m->protocol;
		render_comment(m->ports, r->ports, sizeof(r->ports));
		r->log = m->log;
		if (render_fwrules_side(db, &m->src, host_id, &r->src, err) == -1)
			goto out;
		/* The destination of an input rule is the host itself. */
		if (input) {
			r->dst.v4 = json_array();
			r->dst.v6 = json_array();
			r->dst.any = true;
		} else if (render_fwrules_side(db, &m->dst, host_id, &r->dst, err) == -1) {
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1)
		render_fwrules_free(out);
	return rc;
}

void
render_fwrules_free(struct fw_rules *rules)
{
	size_t i;

	for (i = 0; i < rules->v.n; i++) {
		json_decref(rules->v.v[i].src.v4);
		json_decref(rules->v.v[i].src.v6);
		json_decref(rules->v.v[i].dst.v4);
		json_decref(rules->v.v[i].dst.v6);
	}
	vec_free(&rules->v);
	firewall_free(&rules->model);
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
