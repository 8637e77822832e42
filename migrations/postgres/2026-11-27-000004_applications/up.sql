-- Applications for conditionally open data (有条件开放) and the grants approving them.
CREATE TABLE applications (
    id SERIAL PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    scenario TEXT NOT NULL,
    -- JSON array of field names from the dataset's field dictionary.
    fields TEXT NOT NULL,
    access_mode TEXT NOT NULL,
    period_days INTEGER NOT NULL,
    security_measures TEXT NOT NULL,
    -- An optional PDF (up to 10 MB) in the file store.
    attachment_key TEXT,
    attachment_name TEXT,
    attachment_size BIGINT,
    -- pending, approved, rejected, withdrawn
    status TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    -- 10 working days after submission, by the administrators' calendar.
    due_on DATE NOT NULL,
    decided_at TIMESTAMP,
    decided_by INTEGER REFERENCES users (id),
    reason TEXT,
    -- When the overdue job told the department (once).
    overdue_notified_at TIMESTAMP
);
CREATE INDEX applications_user ON applications (user_id, submitted_at);
CREATE INDEX applications_queue ON applications (dataset_id, status, due_on);

CREATE TABLE grants (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications (id),
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    fields TEXT NOT NULL,
    -- download or api, as applied for: the channel the grant opens.
    access_mode TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    -- Downloads or API calls allowed in all (NULL: no limit), and used so far.
    quota INTEGER,
    used INTEGER NOT NULL DEFAULT 0,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX grants_holder ON grants (user_id, dataset_id);

-- The conversation on an application (the department asking for more information).
CREATE TABLE application_comments (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX application_comments_thread ON application_comments (application_id, id);

-- The in-app inbox, and the same messages queued for a mail sender to drain later.
CREATE TABLE notifications (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE mail_outbox (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
