/* The firewall policy between zones (each VLAN with prefixes, and the WAN), computed from the one
 * firewall model (firewall.h) that the packet-filter renders write out: for each ordered pair,
 * what every host of one zone may open in the other, what only some hosts may, and the rules
 * that decide it. GET /api/v1/policy/matrix answers it; the web UI draws it. */
#ifndef NETSOT_POLICY_H
#define NETSOT_POLICY_H

#include <jansson.h>

struct api_err;
struct db;

/* {"default_action", "zones": [{key, vlan_id, vid, name, prefixes}], "cells": [{from, to, all,
 * allow: [{protocol, ports}], some: [{protocol, ports, rule}], except: [...], rules}]}. */
int policy_matrix(struct db *db, json_t **out, struct api_err *err);

#endif
