-- Immutable versions of a resource. An upload creates version n+1 in 'processing'; the ingest
-- ends it 'ready' (and makes it current), 'blocked' (personal data found, awaiting a decision)
-- or 'failed' (with a report). The previous current version stays served until then.
CREATE TABLE resource_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    status TEXT NOT NULL CHECK (status IN ('processing', 'blocked', 'ready', 'failed')),
    -- The upload as received (deleted once a masked version exists).
    source_name TEXT NOT NULL,
    source_format TEXT NOT NULL CHECK (source_format IN ('csv', 'xlsx', 'xls')),
    source_key TEXT,
    source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
    source_size BIGINT NOT NULL CHECK (source_size >= 0),
    encoding TEXT,
    delimiter TEXT,
    -- The published data: normalised, masked UTF-8 CSV, content-addressed.
    data_key TEXT,
    data_sha256 TEXT,
    data_size BIGINT,
    -- The typed datastore table holding the rows.
    table_name TEXT,
    row_count BIGINT,
    -- Progress while processing: rows read and per mille of the whole job.
    rows_done BIGINT NOT NULL DEFAULT 0,
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1000),
    -- JSON: the inferred (or chosen) columns with statistics; personal-data findings; the
    -- masking decisions; problems found.
    column_info TEXT,
    pii TEXT,
    masking TEXT,
    report TEXT,
    override_reason TEXT,
    override_by INTEGER REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (resource_id, number)
);
CREATE INDEX resource_versions_status ON resource_versions (status);

-- The version the resource serves now (no foreign key: SQLite cannot drop a column that has one).
ALTER TABLE resources ADD COLUMN current_version_id INTEGER;
