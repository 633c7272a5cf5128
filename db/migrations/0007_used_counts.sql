-- How many addresses each prefix and range holds, kept by triggers on every write (the API's
-- and any other), so utilization is a column read, not a count over a million addresses.
ALTER TABLE prefixes ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ip_ranges ADD COLUMN used INTEGER NOT NULL DEFAULT 0;

UPDATE prefixes SET used = (SELECT count(*) FROM ip_addresses a
	WHERE a.addr_key BETWEEN prefixes.first_key AND prefixes.last_key);
UPDATE ip_ranges SET used = (SELECT count(*) FROM ip_addresses a
	WHERE a.addr_key BETWEEN ip_ranges.start_key AND ip_ranges.end_key);

CREATE TRIGGER ip_addresses_used_ins AFTER INSERT ON ip_addresses
BEGIN
	UPDATE prefixes SET used = used + 1
		WHERE first_key <= NEW.addr_key AND last_key >= NEW.addr_key;
	UPDATE ip_ranges SET used = used + 1
		WHERE start_key <= NEW.addr_key AND end_key >= NEW.addr_key;
END;

CREATE TRIGGER ip_addresses_used_del AFTER DELETE ON ip_addresses
BEGIN
	UPDATE prefixes SET used = used - 1
		WHERE first_key <= OLD.addr_key AND last_key >= OLD.addr_key;
	UPDATE ip_ranges SET used = used - 1
		WHERE start_key <= OLD.addr_key AND end_key >= OLD.addr_key;
END;

CREATE TRIGGER ip_addresses_used_upd AFTER UPDATE OF addr_key ON ip_addresses
	WHEN OLD.addr_key != NEW.addr_key
BEGIN
	UPDATE prefixes SET used = used - 1
		WHERE first_key <= OLD.addr_key AND last_key >= OLD.addr_key;
	UPDATE ip_ranges SET used = used - 1
		WHERE start_key <= OLD.addr_key AND end_key >= OLD.addr_key;
	UPDATE prefixes SET used = used + 1
		WHERE first_key <= NEW.addr_key AND last_key >= NEW.addr_key;
	UPDATE ip_ranges SET used = used + 1
		WHERE start_key <= NEW.addr_key AND end_key >= NEW.addr_key;
END;

-- A new or moved prefix or range counts what it now holds, once.
CREATE TRIGGER prefixes_used_ins AFTER INSERT ON prefixes
BEGIN
	UPDATE prefixes SET used = (SELECT count(*) FROM ip_addresses a
		WHERE a.addr_key BETWEEN NEW.first_key AND NEW.last_key) WHERE id = NEW.id;
END;
CREATE TRIGGER prefixes_used_upd AFTER UPDATE OF first_key, last_key ON prefixes
	WHEN OLD.first_key != NEW.first_key OR OLD.last_key != NEW.last_key
BEGIN
	UPDATE prefixes SET used = (SELECT count(*) FROM ip_addresses a
		WHERE a.addr_key BETWEEN NEW.first_key AND NEW.last_key) WHERE id = NEW.id;
END;
CREATE TRIGGER ip_ranges_used_ins AFTER INSERT ON ip_ranges
BEGIN
	UPDATE ip_ranges SET used = (SELECT count(*) FROM ip_addresses a
		WHERE a.addr_key BETWEEN NEW.start_key AND NEW.end_key) WHERE id = NEW.id;
END;
CREATE TRIGGER ip_ranges_used_upd AFTER UPDATE OF start_key, end_key ON ip_ranges
	WHEN OLD.start_key != NEW.start_key OR OLD.end_key != NEW.end_key
BEGIN
	UPDATE ip_ranges SET used = (SELECT count(*) FROM ip_addresses a
		WHERE a.addr_key BETWEEN NEW.start_key AND NEW.end_key) WHERE id = NEW.id;
END;
