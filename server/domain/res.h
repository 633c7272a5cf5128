/* The resources: one res_<name>.c each, a field table and its hooks. */
#ifndef NETSOT_RES_H
#define NETSOT_RES_H

#include "resource.h"

extern const struct resource res_vlans;
extern const struct resource res_hosts;
extern const struct resource res_changes;
extern const struct resource res_prefixes;
extern const struct resource res_ip_ranges;
extern const struct resource res_ip_addresses;
extern const struct resource res_ports;
extern const struct resource res_wan_links;
extern const struct resource res_services;
extern const struct resource res_firewall_rules;
extern const struct resource res_dns_zones;
extern const struct resource res_dns_records;
extern const struct resource res_users;
/* A login's credentials: a field table for resource_check_input(), no table. */
extern const struct resource res_users_login;
extern const struct resource res_tokens;
extern const struct resource res_settings;

#endif
