-- The audit log is searched by request id (GET /api/v1/changes?request_id=, "what did this
-- request do"), and expired idempotency keys are deleted by age on every keyed write: both
-- through an index instead of a scan of the whole table.
CREATE INDEX changes_request_id ON changes (request_id);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
