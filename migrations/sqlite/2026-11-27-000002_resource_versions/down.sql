ALTER TABLE resources DROP COLUMN current_version_id;
DROP TABLE resource_versions;
