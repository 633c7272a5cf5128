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
