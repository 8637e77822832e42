-- Issue 17, finding 5: a slug is unique within its department, and among the datasets the public
-- sees or has seen (`public_since`, set by a trigger the first time a dataset is published and
-- not closed, and kept: links, harvesters and the 410 page go on naming it). A department's
-- drafts and never-public closed datasets no longer block (and so reveal themselves to) another
-- department choosing the same slug.
ALTER TABLE datasets DROP CONSTRAINT datasets_slug_key;
ALTER TABLE datasets ADD COLUMN public_since TIMESTAMP;
UPDATE datasets SET public_since = published_at
    WHERE open_class <> 'closed' AND status IN ('published', 'withdrawn') AND published_at IS NOT NULL;
CREATE UNIQUE INDEX datasets_department_slug ON datasets (slug, department_id);
CREATE UNIQUE INDEX datasets_public_slug ON datasets (slug)
    WHERE public_since IS NOT NULL OR (status = 'published' AND open_class <> 'closed');
CREATE FUNCTION datasets_public_since() RETURNS trigger AS $$
BEGIN
    IF NEW.public_since IS NULL AND NEW.status = 'published' AND NEW.open_class <> 'closed' THEN
        NEW.public_since := NEW.modified_at;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER datasets_public_since BEFORE INSERT OR UPDATE OF status, open_class ON datasets
    FOR EACH ROW EXECUTE FUNCTION datasets_public_since();
