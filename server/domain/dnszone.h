/* DNS zones: serials, which zone a name falls in, the records a zone holds, stored and
 * derived from IP addresses' DNS names (A/AAAA in forward zones, PTR in reverse zones), and
 * the checks at write time that keep every zone renderable for BIND and dnsmasq alike. */
#ifndef NETSOT_DNSZONE_H
#define NETSOT_DNSZONE_H

#include <jansson.h>
#include <stdbool.h>

#include "ipaddr.h"

struct api_err;
struct db;
struct actor;

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
/* Between begin and end, this thread's dnszone_find answers from the zones as begin read them,
 * without a query: for a plan import while it writes kinds that add, rename and remove no zone
 * (serials may move). end is a no-op when nothing was begun. */
int dnszone_cache_begin(struct db *db, struct api_err *err);
void dnszone_cache_end(void);
/* A full name in wire format is at most 255 bytes: 253 in text without the final dot. */
#define DNSZONE_NAME_MAX 253
/* The longest CNAME chain followed (dnsmasq and resolvers give up on long ones). */
#define DNSZONE_CHAIN_MAX 8
/* The longest TXT value, counted as written in quotes (each '"' and '\' escaped): dnsmasq
 * reads a configuration line into 1,024 bytes and parses a longer one's rest as a new line,
 * and "txt-record=" (11) + the longest name (253) + "," + 750 + 3 strings' quotes and commas
 * (8) is 1,023. BIND takes the same strings. */
#define DNSZONE_TXT_MAX 750

/* Whether fqdn is zone or a name below it (any case). */
bool dnszone_under(const char *fqdn, const char *zone);
/* A record's name or target relative to zone ("@", "www", or absolute "x.y.") as a full name
 * without the final dot; -1 when it is longer than DNSZONE_NAME_MAX or buf. */
int dnszone_fqdn(const char *name, const char *zone, char *buf, size_t len);
/* A TXT value's length in quotes, its '"' and '\' escaped. */
size_t dnszone_txt_len(const char *v);

/* The checks of one stored record about to be written (id 0 for a new one): its full name fits
 * and lies in this zone and no more specific one, a CNAME is alone at its name, not at the apex,
 * and leads to no loop; targets fit; a TXT fits dnsmasq's line; an MX or SRV target inside the
 * zone has an address. With deferred (a plan import, checked whole at its end by
 * dnszone_verify_all) the target's address may come later. 422 or 409 naming the field. */
int dnszone_check_record(struct db *db, long long id, long long zone_id, const char *name,
    const char *type, const char *value, bool deferred, struct api_err *err);
/* The checks of a zone about to be written (id 0 for a new one): a zone holding stored records
 * keeps its name, a new name takes no other zone's records or needed addresses, and a name
 * server (soa_mname) inside the zone has an address in it (unless deferred). */
int dnszone_check_zone(struct db *db, long long id, const char *name, const char *mname,
    bool renamed, bool deferred, struct api_err *err);
/* Before the address of fqdn goes away (the stored A/AAAA record skip_record is deleted or
 * changed, or the IP address skip_addr loses that dns_name): 409 when a zone still needs it
 * (its name server, an MX or SRV target) and no other address remains. */
int dnszone_check_release(struct db *db, const char *fqdn, long long skip_record,
    long long skip_addr, const char *field, struct api_err *err);
/* Before an IP address takes dns_name: 409 when a CNAME owns the name. */
int dnszone_check_address_name(struct db *db, const char *dns_name, struct api_err *err);
/* Whether a's write is a plan import (HTTP or command line): its objects come in kind order
 * (zones before their records), so needs of an address are checked at its end. */
bool dnszone_deferred(const struct actor *a);
/* Every zone's name server and MX/SRV targets have their addresses: the end of a plan import. */
int dnszone_verify_all(struct db *db, struct api_err *err);

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
