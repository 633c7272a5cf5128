-- The used counts of prefixes and ranges are kept by the domain (server/domain/ipam.c, called
-- from the hooks of res_ip_addresses.c, res_prefixes.c and res_ip_ranges.c), beside the
-- prefix_id and parent_id they follow; a plan import recounts them once before its commit.
-- Triggers keep only the bookkeeping of writes (row_counts, revisions, table_revisions).
DROP TRIGGER ip_addresses_used_ins;
DROP TRIGGER ip_addresses_used_del;
DROP TRIGGER ip_addresses_used_upd;
DROP TRIGGER prefixes_used_ins;
DROP TRIGGER prefixes_used_upd;
DROP TRIGGER ip_ranges_used_ins;
DROP TRIGGER ip_ranges_used_upd;

-- Counted once more from the addresses, so a database written by any older netsot (or by hand)
-- starts right; only rows whose count differs are written.
UPDATE prefixes SET used = c.n FROM (SELECT p.id, (SELECT count(*) FROM ip_addresses a
	WHERE a.addr_key BETWEEN p.first_key AND p.last_key) AS n FROM prefixes p) AS c
	WHERE c.id = prefixes.id AND prefixes.used != c.n;
UPDATE ip_ranges SET used = c.n FROM (SELECT r.id, (SELECT count(*) FROM ip_addresses a
	WHERE a.addr_key BETWEEN r.start_key AND r.end_key) AS n FROM ip_ranges r) AS c
	WHERE c.id = ip_ranges.id AND ip_ranges.used != c.n;
