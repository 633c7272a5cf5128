-- DNS names compare without case: the checks at write time (a CNAME alone at its name, the
-- address of a name server, CNAME chains) look a name up by these instead of a scan.
CREATE INDEX dns_records_zone_name ON dns_records (zone_id, name COLLATE NOCASE, type);
CREATE INDEX ip_addresses_dns_nocase ON ip_addresses (dns_name COLLATE NOCASE);
