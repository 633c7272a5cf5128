/* Request handlers, one file per group (api_<group>.c); the route table in routes.c ties them
 * to paths. */
#ifndef NETSOT_API_H
#define NETSOT_API_H

#include "http.h"

int api_meta_healthz(struct req *r, struct reply *rep, struct api_err *err);
int api_meta_openapi(struct req *r, struct reply *rep, struct api_err *err);

int api_auth_login(struct req *r, struct reply *rep, struct api_err *err);
int api_auth_me(struct req *r, struct reply *rep, struct api_err *err);
/* The login limiter's key for a user at a client address; with client "" the prefix of all
 * of that user's keys (an admin's unlock). */
void api_auth_user_key(const char *name, const char *client, char *key, size_t len);

int api_users_logout(struct req *r, struct reply *rep, struct api_err *err);
int api_users_unlock(struct req *r, struct reply *rep, struct api_err *err);

/* The generic resource routes: {res} or the route's arg names the resource (api_resource.c). */
int api_resource_list(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_create(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_get(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_replace(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_patch(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_delete(struct req *r, struct reply *rep, struct api_err *err);
int api_resource_changes(struct req *r, struct reply *rep, struct api_err *err);

int api_alloc_ips_list(struct req *r, struct reply *rep, struct api_err *err);
int api_alloc_ips_create(struct req *r, struct reply *rep, struct api_err *err);
int api_alloc_prefixes_create(struct req *r, struct reply *rep, struct api_err *err);

int api_dns_records(struct req *r, struct reply *rep, struct api_err *err);

int api_validate(struct req *r, struct reply *rep, struct api_err *err);
int api_policy_matrix(struct req *r, struct reply *rep, struct api_err *err);
int api_preview(struct req *r, struct reply *rep, struct api_err *err);

int api_plan_export(struct req *r, struct reply *rep, struct api_err *err);
int api_plan_import(struct req *r, struct reply *rep, struct api_err *err);

int api_render(struct req *r, struct reply *rep, struct api_err *err);
int api_render_inventory(struct req *r, struct reply *rep, struct api_err *err);
int api_render_list(struct req *r, struct reply *rep, struct api_err *err);

/* The NetBox-compatible inventory: the route's arg names the collection (api_netbox.c). */
int api_netbox_status(struct req *r, struct reply *rep, struct api_err *err);
int api_netbox_schema(struct req *r, struct reply *rep, struct api_err *err);
int api_netbox_list(struct req *r, struct reply *rep, struct api_err *err);

#endif
