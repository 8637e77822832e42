-- Data requests (开放需求): people ask for data not yet open and vote for each other's requests;
-- an administrator routes a request to a department, which answers within a set number of
-- working days and links the dataset once it is published.
CREATE TABLE data_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL,
    intended_use TEXT NOT NULL,
    suggested_department_id INTEGER REFERENCES departments (id),
    requested_by INTEGER NOT NULL REFERENCES users (id),
    -- open (awaiting routing), routed, accepted, declined, published
    status TEXT NOT NULL
        CHECK (status IN ('open', 'routed', 'accepted', 'declined', 'published')),
    department_id INTEGER REFERENCES departments (id),
    routed_at TIMESTAMP,
    due_on DATE,
    answer TEXT,
    answered_at TIMESTAMP,
    answered_by INTEGER REFERENCES users (id),
    dataset_id INTEGER REFERENCES datasets (id),
    votes INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    CHECK (status = 'open' OR (department_id IS NOT NULL AND due_on IS NOT NULL)),
    CHECK (status NOT IN ('accepted', 'declined') OR (answer IS NOT NULL AND answer <> '')),
    CHECK (status <> 'published' OR dataset_id IS NOT NULL)
);
CREATE INDEX data_requests_status ON data_requests (status, created_at);

CREATE TABLE data_request_votes (
    request_id INTEGER NOT NULL REFERENCES data_requests (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
