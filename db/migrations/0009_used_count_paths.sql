-- The used-count triggers of 0007 found the prefixes and ranges holding an address with a range
-- scan (first_key <= key), which reads every prefix or range below the address: an import of
-- 100,000 addresses into 400 VLANs spent most of its time there. Prefixes nest (CIDR blocks
-- never partly overlap), so the prefixes holding an address are its own prefix (prefix_id, the
-- most specific) and that prefix's parents; ranges never overlap, so the one holding an address
-- is the last range starting at or below it, if that range reaches it. Both are index seeks.
DROP TRIGGER ip_addresses_used_ins;
DROP TRIGGER ip_addresses_used_del;
DROP TRIGGER ip_addresses_used_upd;

CREATE TRIGGER ip_addresses_used_ins AFTER INSERT ON ip_addresses
BEGIN
	UPDATE prefixes SET used = used + 1 WHERE id IN (
		WITH RECURSIVE up (id) AS (
			SELECT NEW.prefix_id
			UNION ALL
			SELECT p.parent_id FROM prefixes p JOIN up ON p.id = up.id
				WHERE p.parent_id IS NOT NULL)
		SELECT id FROM up);
	UPDATE ip_ranges SET used = used + 1 WHERE end_key >= NEW.addr_key AND start_key =
		(SELECT max(start_key) FROM ip_ranges WHERE start_key <= NEW.addr_key);
END;

CREATE TRIGGER ip_addresses_used_del AFTER DELETE ON ip_addresses
BEGIN
	UPDATE prefixes SET used = used - 1 WHERE id IN (
		WITH RECURSIVE up (id) AS (
			SELECT OLD.prefix_id
			UNION ALL
			SELECT p.parent_id FROM prefixes p JOIN up ON p.id = up.id
				WHERE p.parent_id IS NOT NULL)
		SELECT id FROM up);
	UPDATE ip_ranges SET used = used - 1 WHERE end_key >= OLD.addr_key AND start_key =
		(SELECT max(start_key) FROM ip_ranges WHERE start_key <= OLD.addr_key);
END;

-- An address moves with one UPDATE that sets its key and its prefix together.
CREATE TRIGGER ip_addresses_used_upd AFTER UPDATE OF addr_key ON ip_addresses
	WHEN OLD.addr_key != NEW.addr_key
BEGIN
	UPDATE prefixes SET used = used - 1 WHERE id IN (
		WITH RECURSIVE up (id) AS (
			SELECT OLD.prefix_id
			UNION ALL
			SELECT p.parent_id FROM prefixes p JOIN up ON p.id = up.id
				WHERE p.parent_id IS NOT NULL)
		SELECT id FROM up);
	UPDATE ip_ranges SET used = used - 1 WHERE end_key >= OLD.addr_key AND start_key =
		(SELECT max(start_key) FROM ip_ranges WHERE start_key <= OLD.addr_key);
	UPDATE prefixes SET used = used + 1 WHERE id IN (
		WITH RECURSIVE up (id) AS (
			SELECT NEW.prefix_id
			UNION ALL
			SELECT p.parent_id FROM prefixes p JOIN up ON p.id = up.id
				WHERE p.parent_id IS NOT NULL)
		SELECT id FROM up);
	UPDATE ip_ranges SET used = used + 1 WHERE end_key >= NEW.addr_key AND start_key =
		(SELECT max(start_key) FROM ip_ranges WHERE start_key <= NEW.addr_key);
END;
