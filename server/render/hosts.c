/* /etc/hosts: the loopback lines, then each address with all its names on one line. */
#include "render.h"

#include "dnsname.h"
#include "render/names.h"
#include "sbuf.h"

int
render_hosts(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct render_names rn;
	struct sbuf line;
	json_t *v;
	size_t i, j;

	if (render_names_load(c->db, &rn, err) == -1) {
		render_names_free(&rn);
		return -1;
	}
	sbuf_init(&line, 0);
	sbuf_puts(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (i = 0; i < rn.n; i++) {
		sbuf_reset(&line);
		/* glibc skips what is not a host name (a wildcard, an SRV-style label). */
		json_array_foreach(rn.list[i].names, j, v)
			if (dnsname_valid(json_string_value(v)))
				sbuf_printf(&line, " %s", json_string_value(v));
		if (line.len > 0)
			sbuf_printf(out, "%s\t%s\n", rn.list[i].address, sbuf_str(&line) + 1);
	}
	sbuf_free(&line);
	render_names_free(&rn);
	return 0;
}
