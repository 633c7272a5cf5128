#include "charrule.h"

#include <string.h>

#include "dnsname.h"
#include "ipaddr.h"

/* Decodes one UTF-8 sequence at s (n bytes left): the code point, or -1 for a malformed,
 * overlong or surrogate sequence. *used gets its length. */
static long
charrule_utf8(const unsigned char *s, size_t n, size_t *used)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	long cp;

	if (s[0] < 0x80) {
		*used = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return -1;
	if (len > n)
		return -1;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*used = len;
	return cp;
}

/* Code points that start a line, hide text or reorder it somewhere a rendered file is read:
 * C0 and C1 controls, DEL, NEL, the line and paragraph separators (YAML and JavaScript break
 * lines there), bidi overrides and isolates ("Trojan Source"), BOM and non-characters. */
static bool
charrule_bad_cp(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0xfeff ||
	    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

bool
charrule_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used;
	long cp;

	while (len > 0) {
		if ((cp = charrule_utf8(p, len, &used)) < 0 || charrule_bad_cp(cp))
			return false;
		p += used;
		len -= used;
	}
	return true;
}

size_t
charrule_clean(const char *in, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t left = strlen(in), used, o = 0;
	long cp;

	if (len == 0)
		return 0;
	while (left > 0) {
		cp = charrule_utf8(p, left, &used);
		if (cp < 0 || charrule_bad_cp(cp)) {
			/* One space for the whole bad sequence (or byte). */
			if (cp < 0)
				used = 1;
			if (o + 1 >= len)
				break;
			out[o++] = ' ';
		} else {
			if (o + used >= len)
				break;
			memcpy(out + o, p, used);
			o += used;
		}
		p += used;
		left -= used;
	}
	out[o] = '\0';
	return o;
}

static bool
charrule_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '_' || c == '-';
}

static bool
charrule_is_name(const char *s, size_t len)
{
	size_t i;

	if (!charrule_word_char((unsigned char)s[0]) || s[0] == '.' || s[0] == '_' ||
	    s[0] == '-')
		return false;
	for (i = 1; i < len; i++)
		if (!charrule_word_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Linux's dev_valid_name() allows more (anything but '/', ':' and whitespace); this keeps to
 * the characters every consumer of a rendered file reads as one word. */
static bool
charrule_ifname(const char *s, size_t len)
{
	size_t i;

	if (len > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!charrule_word_char((unsigned char)s[i]))
			return false;
	return true;
}

static bool
charrule_hostname(const char *s, size_t len)
{
	return strlen(s) == len && dnsname_valid(s);
}

static bool
charrule_dnsname(const char *s, size_t len)
{
	return strlen(s) == len && dnsname_valid_target(s);
}

static bool
charrule_dnsowner(const char *s, size_t len)
{
	return strlen(s) == len && dnsname_valid_owner(s);
}

static bool
charrule_varname(const char *s, size_t len)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool
charrule_ports(const char *s, size_t len)
{
	return strlen(s) == len && strspn(s, "0123456789,-") == len;
}

static bool
charrule_addr(const char *s, size_t len)
{
	struct ipaddr a;

	return strlen(s) == len && ipaddr_parse(s, &a) == 0;
}

/* Any whole UTF-8 sequence but NUL: a secret is hashed or compared, never written out. */
static bool
charrule_secret(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used;
	long cp;

	while (len > 0) {
		if ((cp = charrule_utf8(p, len, &used)) <= 0)
			return false;
		p += used;
		len -= used;
	}
	return true;
}

/* The one table of rules: adding a rule is one line here and one enum value. */
static const struct {
	const char *name;
	const char *says;
	bool (*ok)(const char *s, size_t len);
} charrule_table[CR_COUNT] = {
	[CR_TEXT] = { .name = "text",
	    .says = "printable text without control, line-break or bidi characters",
	    .ok = charrule_text },
	[CR_NAME] = { .name = "name",
	    .says = "letters, digits, '.', '_' and '-', starting with a letter or digit",
	    .ok = charrule_is_name },
	[CR_IFNAME] = { .name = "ifname", .says = "a Linux interface name: 1 to 15 letters, "
	    "digits, '.', '_' or '-', not '.' or '..'", .ok = charrule_ifname },
	[CR_HOSTNAME] = { .name = "hostname", .says = "an RFC 1123 host name: labels of letters, "
	    "digits and inner '-' joined by dots, 253 characters at most",
	    .ok = charrule_hostname },
	[CR_DNSNAME] = { .name = "dnsname", .says = "a DNS name: RFC 1123 labels joined by dots, "
	    "optionally ending in a dot", .ok = charrule_dnsname },
	[CR_DNSOWNER] = { .name = "dnsowner", .says = "'@', or DNS labels of letters, digits, '_' "
	    "and inner '-', optionally under '*.'", .ok = charrule_dnsowner },
	[CR_VARNAME] = { .name = "varname",
	    .says = "a letter or '_', then letters, digits and '_'", .ok = charrule_varname },
	[CR_PORTS] = { .name = "ports", .says = "digits, ',' and '-' (22, 80,443, 5404-5412)",
	    .ok = charrule_ports },
	[CR_ADDR] = { .name = "addr", .says = "an IPv4 or IPv6 address", .ok = charrule_addr },
	[CR_SECRET] = { .name = "secret", .says = "UTF-8 text without NUL",
	    .ok = charrule_secret },
};

bool
charrule_ok(enum charrule rule, const char *s, size_t len)
{
	if ((unsigned)rule >= CR_COUNT)
		return false;
	if (len == 0)
		return true;
	/* Every rule but the secret's is text first: none lets a control character through. */
	if (rule == CR_SECRET)
		return charrule_secret(s, len);
	return charrule_text(s, len) && charrule_table[rule].ok(s, len);
}

const char *
charrule_name(enum charrule rule)
{
	return (unsigned)rule < CR_COUNT ? charrule_table[rule].name : "?";
}

const char *
charrule_says(enum charrule rule)
{
	return (unsigned)rule < CR_COUNT ? charrule_table[rule].says : "?";
}
