-- An Idempotency-Key names one request: a hash of its body is kept with the answer, so a key
-- sent again with another body is refused instead of answered with the first result. Keys
-- stored before this have no hash ('') and replay as before.
ALTER TABLE idempotency_keys ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
