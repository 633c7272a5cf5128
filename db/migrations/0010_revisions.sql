-- The latest change of each object type, kept by a trigger on the audit log, so a render can
-- name the revision of exactly the data it reads (and answer If-None-Match without rendering)
-- in one index lookup per type (issue 6).
CREATE TABLE revisions (
	object_type TEXT PRIMARY KEY,
	change_id   INTEGER NOT NULL,
	time        TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO revisions (object_type, change_id, time)
	SELECT c.object_type, c.id, c.time FROM changes c
	WHERE c.id = (SELECT max(id) FROM changes d WHERE d.object_type = c.object_type);

CREATE TRIGGER changes_revision AFTER INSERT ON changes
BEGIN
	INSERT INTO revisions (object_type, change_id, time)
		VALUES (NEW.object_type, NEW.id, NEW.time)
		ON CONFLICT (object_type) DO UPDATE SET change_id = excluded.change_id,
			time = excluded.time;
END;
