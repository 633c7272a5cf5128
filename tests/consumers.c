/* The real programs that consume rendered files (VALIDATORS.md), shared by the render tests:
 * each check writes the file into consumers_dir and runs its consumer there. */
#include "consumers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dnsname.h"
#include "ipaddr.h"

const char *consumers_dir = "/tmp";

void
consumers_spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

int
consumers_sh(const char *fmt, ...)
{
	char cmd[4096], full[4400];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "( %s ) >%s/sh.out 2>&1", cmd, consumers_dir);
	status = system(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* /etc/hosts has no checker of its own: each line an address and RFC 1123 names. */
static bool
consumers_hosts_ok(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, *tok, *save2;
	struct ipaddr a;
	bool ok = true;
	int names;

	for (line = strtok_r(copy, "\n", &save); line != NULL && ok;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		tok = strtok_r(line, " \t", &save2);
		ok = tok != NULL && ipaddr_parse(tok, &a) == 0;
		for (names = 0; ok && (tok = strtok_r(NULL, " \t", &save2)) != NULL; names++)
			ok = dnsname_valid(tok) || strcmp(tok, "localhost") == 0 ||
			    strncmp(tok, "ip6-", 4) == 0;
		ok = ok && names > 0;
	}
	free(copy);
	return ok;
}

/* The UCI grammar of /etc/config/mwan3, and its cross-references: every member names an
 * interface, every policy members, every rule a policy. */
static bool
consumers_uci_ok(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, type[32], name[64], key[64], val[256];
	char seen[64][320], refs[128][320];
	int nseen = 0, nrefs = 0, i, j;
	bool ok = true, in_section = false;

	for (line = strtok_r(copy, "\n", &save); line != NULL && ok;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if (sscanf(line, "config %31[a-z] '%63[A-Za-z0-9_]'", type, name) == 2 &&
		    strchr(line, '\'') != strrchr(line, '\'')) {
			if (nseen < 64)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s:%s", type, name);
			in_section = true;
			continue;
		}
		if (!in_section || line[0] != '\t' ||
		    (sscanf(line, "\toption %63[a-z_] '%255[^']'", key, val) != 2 &&
		    sscanf(line, "\tlist %63[a-z_] '%255[^']'", key, val) != 2)) {
			ok = false;
			break;
		}
		if (nrefs < 128 && strcmp(key, "interface") == 0)
			snprintf(refs[nrefs++], sizeof(refs[0]), "interface:%s", val);
		else if (nrefs < 128 && strcmp(key, "use_member") == 0)
			snprintf(refs[nrefs++], sizeof(refs[0]), "member:%s", val);
		else if (nrefs < 128 && strcmp(key, "use_policy") == 0)
			snprintf(refs[nrefs++], sizeof(refs[0]), "policy:%s", val);
	}
	for (i = 0; ok && i < nrefs; i++) {
		for (j = 0; j < nseen && strcmp(refs[i], seen[j]) != 0; j++)
			;
		ok = j < nseen;
	}
	free(copy);
	return ok;
}

/* A private copy of ufw's state: --dry-run never touches the host's. */
static void
consumers_ufw_datadir(char *dir, size_t len)
{
	snprintf(dir, len, "%s/ufw", consumers_dir);
	/* A fresh copy each time: reset keeps backups named by the second, and refuses to
	 * overwrite one. */
	assert_int_equal(consumers_sh("rm -rf %s && mkdir -p %s/etc/default %s/lib && "
	    "cp -a /etc/ufw %s/etc/ && cp /etc/default/ufw %s/etc/default/ && "
	    "cp -a /lib/ufw %s/lib/", dir, dir, dir, dir, dir, dir), 0);
}

/* Feeds text to the consumer of its kind; the consumer's exit status (0: accepted). */
int
consumers_run(const char *kind, const char *arg, const char *text)
{
	char file[256], dir[300];

	snprintf(file, sizeof(file), "%s/check-%s", consumers_dir, kind);
	consumers_spit(file, text);
	if (strcmp(kind, "hosts") == 0)
		return consumers_hosts_ok(text) ? 0 : 1;
	if (strcmp(kind, "mwan3") == 0)
		return consumers_uci_ok(text) ? 0 : 1;
	if (strcmp(kind, "dnsmasq") == 0)
		return consumers_sh("dnsmasq --test -C %s", file);
	if (strcmp(kind, "bind") == 0)
		return consumers_sh("named-checkzone -k fail -i local %s %s", arg, file);
	if (strcmp(kind, "nftables") == 0)
		return consumers_sh("unshare -n nft -c -f %s", file);
	if (strcmp(kind, "iptables") == 0)
		return consumers_sh("unshare -n iptables-legacy-restore --test %s", file);
	if (strcmp(kind, "ufw") == 0) {
		consumers_ufw_datadir(dir, sizeof(dir));
		/* Every ufw line of the script, as a dry run against the private copy. */
		return consumers_sh("sed 's#^ufw #ufw --datadir=%s --dry-run #' %s > %s.dry && "
		    "unshare -n sh -e %s.dry", dir, file, file, file);
	}
	if (strcmp(kind, "interfaces") == 0)
		/* ifupdown2's own parser and attribute checks (ifup --syntax-check), for every
		 * interface of the file (with -a it checks the values of "auto" ones only), with its
		 * configuration's addon_syntax_check on so that an unknown keyword fails, in a mount
		 * namespace whose /run is its own: ifup takes /run/network/.lock, and nothing is
		 * configured. (ifup --no-act needs the live links, and fails on a bridge in 3.0.) */
		return consumers_sh("mkdir -p %s/ifstate && sed -e "
		    "'s/^addon_syntax_check=.*/addon_syntax_check=1/' -e "
		    "'s#^state_dir=.*#state_dir=%s/ifstate/#' /etc/network/ifupdown2/ifupdown2.conf "
		    "> %s/ifupdown2.conf && names=$(sed -n 's/^iface \\([^ ]*\\) .*/\\1/p' %s | "
		    "sort -u) && unshare -n -m sh -ec 'mount -t tmpfs tmpfs /run; mkdir /run/network; "
		    "mount --bind \"$1\" /etc/network/ifupdown2/ifupdown2.conf; f=$2; shift 2; "
		    "exec ifup --syntax-check -i \"$f\" -- \"$@\"' sh %s/ifupdown2.conf %s $names",
		    consumers_dir, consumers_dir, consumers_dir, file, consumers_dir, file);
	if (strcmp(kind, "k3s") == 0)
		return consumers_sh("yamllint -s %s", file);
	if (strcmp(kind, "ansible") == 0)
		return consumers_sh("printf '#!/bin/sh\\ncat %s\\n' > %s.sh && chmod +x %s.sh && "
		    "ANSIBLE_INVENTORY_ENABLED=script ANSIBLE_INVENTORY_UNPARSED_FAILED=true "
		    "ansible-inventory -i %s.sh --list", file, file, file, file);
	fail_msg("no consumer for %s", kind);
	return -1;
}

void
consumers_assert(const char *kind, const char *arg, const char *text, bool want_ok)
{
	char log[256], *out;

	if ((consumers_run(kind, arg, text) == 0) != want_ok) {
		snprintf(log, sizeof(log), "%s/sh.out", consumers_dir);
		out = read_file(log, NULL);
		fail_msg("%s (%s): %s by its consumer, expected otherwise\n%s\n%s", kind,
		    arg ? arg : "", want_ok ? "refused" : "accepted", text, out ? out : "");
	}
}

