-- The showcase (应用展示, Art. 38): applications, research reports and visualisations built on
-- the data, shown once an administrator approves them, on /showcase and on the pages of the
-- datasets they use. Links are checked; dead ones are marked.
CREATE TABLE showcase_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL,
    link TEXT NOT NULL,
    -- application, report, visualisation
    kind TEXT NOT NULL CHECK (kind IN ('application', 'report', 'visualisation')),
    -- The screenshot as re-encoded on the server (JPEG), in the file store.
    screenshot_key TEXT,
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    -- pending, approved, rejected
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by INTEGER REFERENCES users (id),
    decided_at TIMESTAMP,
    reason TEXT,
    -- unchecked, ok, dead
    link_status TEXT NOT NULL CHECK (link_status IN ('unchecked', 'ok', 'dead')),
    link_checked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK (status <> 'rejected' OR (reason IS NOT NULL AND reason <> ''))
);
CREATE INDEX showcase_items_status ON showcase_items (status, created_at);

CREATE TABLE showcase_datasets (
    item_id INTEGER NOT NULL REFERENCES showcase_items (id),
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    PRIMARY KEY (item_id, dataset_id)
);

-- Ratings (one per account and dataset, 1 to 5) and comments on datasets. Comments are shown at
-- once; a reported comment is hidden until the department or an administrator reviews it.
CREATE TABLE dataset_ratings (
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    rated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dataset_id, user_id)
);

CREATE TABLE dataset_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL CHECK (body <> ''),
    -- visible, reported (hidden until reviewed), removed
    status TEXT NOT NULL CHECK (status IN ('visible', 'reported', 'removed')),
    reported_at TIMESTAMP,
    moderated_by INTEGER REFERENCES users (id),
    moderated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX dataset_comments_dataset ON dataset_comments (dataset_id, status, created_at);
