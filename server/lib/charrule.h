/* Character rules: what characters a stored string may hold. Every text field names one in its
 * resource's field table (struct field .rule), and resource.c enforces it the same way for the
 * API, the command line and plan import, so that no value can carry a line break, a quote or a
 * directive into a rendered file. Renders escape again as a second wall. */
#ifndef NETSOT_CHARRULE_H
#define NETSOT_CHARRULE_H

#include <stdbool.h>
#include <stddef.h>

enum charrule {
	CR_TEXT = 0,   /* free text: printable UTF-8, no control, line or bidi characters */
	CR_NAME,       /* a token: letters, digits, '.', '_', '-'; starts with a letter or digit */
	CR_IFNAME,     /* a Linux interface name: 1 to 15 of letters, digits, '.', '_', '-' */
	CR_HOSTNAME,   /* RFC 1123 host name: labels of letters, digits, inner '-', dot-joined */
	CR_DNSNAME,    /* a DNS name (RFC 1035/1123), optionally absolute with a final dot */
	CR_DNSOWNER,   /* a record's owner: "@", or labels that may hold '_', "*." in front */
	CR_VARNAME,    /* an Ansible variable name: a letter or '_', then letters, digits, '_' */
	CR_PORTS,      /* a port list: digits, ',' and '-' ("22", "80,443", "5404-5412") */
	CR_ADDR,       /* an IP address */
	/* A secret (a password): any UTF-8 without NUL. The one rule that lets control
	 * characters through, for values that are never rendered, shown or stored as given. */
	CR_SECRET,
	CR_COUNT
};

/* Whether s (len bytes, which may hold NULs) keeps the rule. The empty string keeps every
 * rule: whether a field may be empty is the field's business (F_REQUIRED). */
bool charrule_ok(enum charrule rule, const char *s, size_t len);
/* The rule's name ("ifname") and what it allows, for error messages and the API document. */
const char *charrule_name(enum charrule rule);
const char *charrule_says(enum charrule rule);
/* Whether s is printable UTF-8 text without control, line-separator or bidi characters. */
bool charrule_text(const char *s, size_t len);
/* Copies in into out (len bytes with the NUL) as text that keeps CR_TEXT: each character the
 * rule refuses becomes a space, and no UTF-8 sequence is cut; returns the length written. */
size_t charrule_clean(const char *in, char *out, size_t len);

#endif
