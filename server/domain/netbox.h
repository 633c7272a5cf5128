/* The plan as NetBox's read-only inventory subset: the collections that Ansible's
 * netbox.netbox.nb_inventory plugin reads, in NetBox 4.0's shapes. Hosts of a physical kind are
 * dcim devices, the rest virtualization virtual machines; a host's kind is its role; one site
 * holds everything. docs/api.md ("NetBox-compatible inventory") has the whole mapping. */
#ifndef NETSOT_NETBOX_H
#define NETSOT_NETBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct api_err;
struct db;

/* The NetBox release whose shapes are served; /api/status/ reports it. */
#define NETBOX_VERSION "4.0.0"
/* Its major.minor, the version of the schema document (the plugin's cache key). */
#define NETBOX_API_VERSION "4.0"

/* Every object of a collection ("dcim/devices", "ipam/ip-addresses", ...) in id order, as a new
 * JSON array in *out. 404 for a collection that is not served. */
int netbox_list(struct db *db, const char *collection, json_t **out, struct api_err *err);
/* Whether key is a filter (a query parameter that selects objects). */
bool netbox_is_filter(const char *key);
/* Keeps in results only the objects that match one of values for the filter key (NetBox's OR
 * of a repeated parameter); different keys, applied one after another, AND. */
void netbox_filter(json_t *results, const char *key, const char *const *values, size_t n);
/* The answer of /api/status/. */
json_t *netbox_status(void);

#endif
