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
	const char *name;
	size_t i, l;

	if (render_names_load(c->db, &rn, err) == -1) {
		render_names_free(&rn);
		return -1;
	}
	sbuf_init(&line, 0);
	sbuf_puts(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (i = 0; i < rn.n; i++) {
		sbuf_reset(&line);
		/* glibc skips what is not a host name (a wildcard, an SRV-style label). */
		for (l = rn.list[i].head; l != 0; l = rn.items[l - 1].next) {
			name = rn.items[l - 1].name;
			if (dnsname_valid(name)) {
				sbuf_putc(&line, ' ');
				sbuf_puts(&line, name);
			}
		}
		if (line.len > 0)
			sbuf_printf(out, "%s\t%s\n", rn.list[i].address, sbuf_str(&line) + 1);
	}
	sbuf_free(&line);
	render_names_free(&rn);
	return 0;
}
