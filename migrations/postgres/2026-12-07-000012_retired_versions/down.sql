ALTER TABLE resource_versions DROP COLUMN retired_reason;
ALTER TABLE resource_versions DROP COLUMN retired_at;
