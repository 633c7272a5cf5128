/* The real programs that consume rendered files (VALIDATORS.md), shared by the render tests.
 * The packet-filter checks run in a private network namespace (unshare -n): root, as CI. */
#ifndef NETSOT_TEST_CONSUMERS_H
#define NETSOT_TEST_CONSUMERS_H

#include "harness.h"

/* Where the checks write their files; what a command printed is in <dir>/sh.out. */
extern const char *consumers_dir;

void consumers_spit(const char *path, const char *text);
/* Runs a shell command; its exit status. */
int consumers_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Feeds text to the consumer of its kind (hosts, dnsmasq, bind with arg the zone, nftables,
 * iptables, ufw, interfaces, mwan3, k3s, ansible); its exit status (0: accepted). */
int consumers_run(const char *kind, const char *arg, const char *text);
/* Fails the test, with the consumer's output, unless it accepts (want_ok) or refuses. */
void consumers_assert(const char *kind, const char *arg, const char *text, bool want_ok);

#endif
