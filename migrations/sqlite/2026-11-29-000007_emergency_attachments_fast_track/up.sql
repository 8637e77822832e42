-- Files attached to an emergency update (a notice as PDF, a map or photo as PNG/JPEG), kept in
-- the file store under their SHA-256 key.
CREATE TABLE emergency_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id INTEGER NOT NULL REFERENCES emergency_updates (id),
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Told from the file's first bytes, never taken from the client.
    media_type TEXT NOT NULL
        CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX emergency_attachments_update ON emergency_attachments (update_id);

-- Fast-track publishing: a dataset linked to an active event opened unconditionally at once by
-- the responsible department, to be reviewed afterwards by an administrator.
CREATE TABLE emergency_fast_tracks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES emergency_events (id),
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    from_class TEXT NOT NULL,
    from_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TIMESTAMP,
    review_note TEXT
);
CREATE INDEX emergency_fast_tracks_pending ON emergency_fast_tracks (reviewed_at, published_at);
