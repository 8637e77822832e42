ALTER TABLE resource_versions DROP COLUMN restarts;
