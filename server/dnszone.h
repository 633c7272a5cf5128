/* DNS zones: serials, which zone a name falls in, and the records a zone holds, stored and
 * derived from IP addresses' DNS names (A/AAAA in forward zones, PTR in reverse zones). */
#ifndef NETSOT_DNSZONE_H
#define NETSOT_DNSZONE_H

#include <jansson.h>
#include <stdbool.h>

#include "ipaddr.h"

struct api_err;
struct db;

/* YYYYMMDD00 for today (UTC): serials are YYYYMMDDnn and never go down. */
long long dnszone_today(void);
/* Bumps a zone's serial: the next number, and at least today's first. */
int dnszone_bump(struct db *db, long long zone_id, struct api_err *err);
/* Bumps the zones an address's records live in: the forward zone of dns_name and the reverse
 * zone of the address. Names in no zone change nothing. */
int dnszone_touch(struct db *db, const char *dns_name, const struct ipaddr *a,
    struct api_err *err);
/* The most specific zone holding fqdn: 1 with id (and name when buf is given), 0 for none. */
int dnszone_find(struct db *db, const char *fqdn, long long *id, char *name, size_t len,
    struct api_err *err);
struct dnszone_record {
	long long id;            /* 0 for a derived record */
	char *name;              /* relative to the zone, "@" for the apex */
	const char *type;
	char *value;
	bool has_ttl, derived;
	long long ttl;
};

struct dnszone_records {
	struct dnszone_record *list;
	size_t n;
};

/* Every record of the zone, stored ones first (by name, type, id), then the derived ones (in
 * address order); out is freed with dnszone_record_list_free, also after an error. */
int dnszone_record_list(struct db *db, long long zone_id, struct dnszone_records *out,
    struct api_err *err);
void dnszone_record_list_free(struct dnszone_records *rs);
/* The same as JSON, each marked "stored" or "derived". */
int dnszone_records(struct db *db, long long zone_id, json_t **out, struct api_err *err);

#endif
