-- An ingest interrupted by a restart is tried again once; this counts the restarts it met.
ALTER TABLE resource_versions ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
