#include "api.h"

#include "dnszone.h"

/* GET /api/v1/dns-zones/{id}/records: stored and derived records together, each marked. */
int
api_dns_records(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *arr;

	if ((db = http_db(r, err)) == NULL || dnszone_records(db, r->id, &arr, err) == -1)
		return -1;
	http_reply_list(rep, arr);
	return 0;
}
