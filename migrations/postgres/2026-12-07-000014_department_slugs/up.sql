-- Issue 17, finding 5: a slug is unique within its department, and among the datasets the public
-- may see (published and not closed). A department's drafts and closed datasets no longer block
-- (and so reveal themselves to) another department choosing the same slug.
ALTER TABLE datasets DROP CONSTRAINT datasets_slug_key;
CREATE UNIQUE INDEX datasets_department_slug ON datasets (department_id, slug);
CREATE UNIQUE INDEX datasets_public_slug ON datasets (slug)
    WHERE status = 'published' AND open_class <> 'closed';
