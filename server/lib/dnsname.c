#include "dnsname.h"

#include <string.h>

bool
dnsname_valid(const char *s)
{
	size_t i, label = 0;

	if (strlen(s) == 0 || strlen(s) > 253)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c == '-' && label > 0)) || ++label > 63)
			return false;
	}
	return label > 0 && s[i - 1] != '-';
}

bool
dnsname_valid_target(const char *s)
{
	char buf[256];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return dnsname_valid(buf);
}

bool
dnsname_valid_owner(const char *s)
{
	char buf[256];
	size_t i;

	if (strcmp(s, "@") == 0)
		return true;
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	else if (strcmp(s, "*") == 0)
		return true;
	if (strlen(s) >= sizeof(buf))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		buf[i] = s[i] == '_' ? 'x' : s[i];
	buf[i] = '\0';
	return dnsname_valid(buf);
}
