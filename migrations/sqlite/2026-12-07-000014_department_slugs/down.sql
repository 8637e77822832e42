-- Back to one slug per dataset across the portal, without `public_since`.
-- Rebuilt with foreign keys off, as up.sql.
-- Fails here, with nothing changed, when two departments now share a slug.
CREATE UNIQUE INDEX datasets_slug_check ON datasets (slug);
DROP INDEX datasets_slug_check;
PRAGMA foreign_keys = OFF;
BEGIN;
-- A trigger on departments names datasets; it is dropped while the table is away.
DROP TRIGGER search_departments_update;
CREATE TABLE datasets_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '',
    theme_id INTEGER NOT NULL REFERENCES themes (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    maintainer TEXT NOT NULL,
    open_class TEXT NOT NULL CHECK (open_class IN ('unconditional', 'conditional', 'closed')),
    open_conditions TEXT,
    legal_basis TEXT,
    update_frequency TEXT NOT NULL CHECK (update_frequency IN
        ('realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'annual', 'irregular')),
    published_at TIMESTAMP,
    last_updated_at TIMESTAMP NOT NULL,
    record_count BIGINT NOT NULL DEFAULT 0 CHECK (record_count >= 0),
    temporal_start DATE,
    temporal_end DATE,
    spatial_coverage TEXT NOT NULL CHECK (length(spatial_coverage) = 6),
    license TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    priority BOOLEAN NOT NULL DEFAULT 0,
    view_count BIGINT NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    download_count BIGINT NOT NULL DEFAULT 0 CHECK (download_count >= 0),
    created_at TIMESTAMP NOT NULL,
    modified_at TIMESTAMP NOT NULL,
    -- Art. 22 / DESIGN §2: conditional and closed data need a legal basis, and conditional
    -- data the conditions an applicant must meet.
    CHECK (open_class = 'unconditional' OR (legal_basis IS NOT NULL AND legal_basis <> '')),
    CHECK (open_class <> 'conditional' OR (open_conditions IS NOT NULL AND open_conditions <> '')),
    -- A published dataset has a publication date (so every ordering by it is the same on both
    -- back-ends, which place NULLs differently).
    CHECK (status <> 'published' OR published_at IS NOT NULL),
    CHECK (temporal_start IS NULL OR temporal_end IS NULL OR temporal_start <= temporal_end)
)
;
INSERT INTO datasets_rebuilt SELECT
    id, slug, code, title, summary, keywords, theme_id, department_id, maintainer, open_class,
    open_conditions, legal_basis, update_frequency, published_at, last_updated_at, record_count,
    temporal_start, temporal_end, spatial_coverage, license, status, priority, view_count,
    download_count, created_at, modified_at
FROM datasets;
DROP TABLE datasets;
ALTER TABLE datasets_rebuilt RENAME TO datasets;
CREATE INDEX datasets_visibility ON datasets (status, open_class);
CREATE INDEX datasets_theme ON datasets (theme_id);
CREATE INDEX datasets_department ON datasets (department_id);
CREATE INDEX datasets_last_updated ON datasets (last_updated_at);
CREATE INDEX datasets_downloads ON datasets (download_count);
CREATE TRIGGER search_datasets_insert AFTER INSERT ON datasets
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.id);
END;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at ON datasets
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.id);
END;
CREATE TRIGGER search_datasets_delete AFTER DELETE ON datasets
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (OLD.id);
END;
CREATE TRIGGER search_departments_update AFTER UPDATE OF slug, name ON departments
BEGIN
    INSERT INTO search_outbox (dataset_id) SELECT id FROM datasets WHERE department_id = NEW.id;
END;
COMMIT;
PRAGMA foreign_keys = ON;
