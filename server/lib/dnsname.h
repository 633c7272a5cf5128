/* Host and DNS names: RFC 1123 labels (letters, digits, '-' inside), joined by dots. */
#ifndef NETSOT_DNSNAME_H
#define NETSOT_DNSNAME_H

#include <stdbool.h>

/* At most 253 characters, labels of 1 to 63; a trailing dot is not accepted. */
bool dnsname_valid(const char *s);
/* The same, with an optional trailing dot (targets and SOA names may be absolute). */
bool dnsname_valid_target(const char *s);
/* A record's owner name: "@", or labels of letters, digits and '-' (and '_' for SRV-style
 * names), with a leading "*" label for wildcards. */
bool dnsname_valid_owner(const char *s);

#endif
