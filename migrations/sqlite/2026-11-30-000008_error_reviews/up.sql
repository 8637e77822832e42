-- Error reviews (复核, Art. 26): anyone reports an error in a dataset; the providing department
-- answers within 10 working days, extendable once by up to 10 with a recorded reason. The
-- status, the answer and the extension are public; who reported is not.
CREATE TABLE error_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    resource_id INTEGER REFERENCES resources (id),
    -- Where: a row (number or description) and a field, as the reporter gave them.
    location_row TEXT NOT NULL,
    location_field TEXT NOT NULL,
    description TEXT NOT NULL CHECK (description <> ''),
    correction TEXT NOT NULL,
    evidence_key TEXT,
    evidence_name TEXT,
    evidence_type TEXT,
    -- The reporter: an account, or an anonymous contact (e-mail or mobile). Never shown publicly.
    reporter_id INTEGER REFERENCES users (id),
    reporter_contact TEXT,
    -- received, reviewing, corrected, not_error
    status TEXT NOT NULL
        CHECK (status IN ('received', 'reviewing', 'corrected', 'not_error')),
    due_on DATE NOT NULL,
    -- One extension, with its reason.
    extended_due_on DATE,
    extension_reason TEXT,
    answer TEXT,
    -- The resource version that carries the correction, when there is one.
    corrected_version_id INTEGER REFERENCES resource_versions (id),
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    answered_by INTEGER REFERENCES users (id),
    CHECK (reporter_id IS NOT NULL OR (reporter_contact IS NOT NULL AND reporter_contact <> '')),
    CHECK (extended_due_on IS NULL OR (extension_reason IS NOT NULL AND extension_reason <> '')),
    CHECK (status NOT IN ('corrected', 'not_error') OR (answer IS NOT NULL AND answer <> ''))
);
CREATE INDEX error_reviews_dataset ON error_reviews (dataset_id, status);
CREATE INDEX error_reviews_queue ON error_reviews (status, due_on);
