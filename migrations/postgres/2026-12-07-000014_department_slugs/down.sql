-- Back to one slug per dataset across the portal (fails if two departments now share one).
DROP TRIGGER datasets_public_since ON datasets;
DROP FUNCTION datasets_public_since();
DROP INDEX datasets_public_slug;
DROP INDEX datasets_department_slug;
ALTER TABLE datasets DROP COLUMN public_since;
ALTER TABLE datasets ADD CONSTRAINT datasets_slug_key UNIQUE (slug);
