-- Accounts: real-name registration, sessions, API keys; publishing history and open-class
-- change requests; the working-day calendar; the IP address of audit events.

ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'individual'
    CHECK (kind IN ('individual', 'organisation'));
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'verified'
    CHECK (status IN ('unverified', 'verified', 'disabled'));
-- The person's name (the contact person's, for an organisation) and mobile number.
ALTER TABLE users ADD COLUMN real_name TEXT;
ALTER TABLE users ADD COLUMN mobile TEXT;
-- Never the resident ID number itself: a keyed hash (to refuse duplicates) and a masked form.
ALTER TABLE users ADD COLUMN id_number_hash TEXT;
ALTER TABLE users ADD COLUMN id_number_masked TEXT;
ALTER TABLE users ADD COLUMN org_name TEXT;
ALTER TABLE users ADD COLUMN credit_code TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;
-- One account per person, one per organisation.
CREATE UNIQUE INDEX users_one_per_person ON users (id_number_hash)
    WHERE kind = 'individual' AND id_number_hash IS NOT NULL;
CREATE UNIQUE INDEX users_one_per_organisation ON users (credit_code)
    WHERE kind = 'organisation' AND credit_code IS NOT NULL;

-- Server-side records of logged-in sessions (the cookie carries a token; we keep its hash),
-- so people can see their sessions and log out everywhere.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API keys: shown once, stored as a hash with a visible prefix.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Who changed a dataset, when, what and why.
CREATE TABLE dataset_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dataset_changes_dataset ON dataset_changes (dataset_id, changed_at);

-- A move to a more restrictive open class waits for an administrator.
CREATE TABLE class_change_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    from_class TEXT NOT NULL CHECK (from_class IN ('unconditional', 'conditional', 'closed')),
    to_class TEXT NOT NULL CHECK (to_class IN ('unconditional', 'conditional', 'closed')),
    legal_basis TEXT NOT NULL CHECK (legal_basis <> ''),
    open_conditions TEXT,
    reason TEXT NOT NULL CHECK (reason <> ''),
    requested_by INTEGER REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by INTEGER REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE UNIQUE INDEX class_change_one_pending ON class_change_requests (dataset_id)
    WHERE status = 'pending';

-- Days that differ from Monday-to-Friday: public holidays and make-up workdays (调休).
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
-- 2026 as the State Council arranged it; 2027 provisionally with the statutory days only.
INSERT INTO calendar_days (day, kind, name) VALUES
('2026-01-01', 'holiday', '元旦'),
('2026-01-02', 'holiday', '元旦'),
('2026-01-03', 'holiday', '元旦'),
('2026-01-04', 'workday', '元旦调休上班'),
('2026-02-15', 'holiday', '春节'),
('2026-02-16', 'holiday', '春节'),
('2026-02-17', 'holiday', '春节'),
('2026-02-18', 'holiday', '春节'),
('2026-02-19', 'holiday', '春节'),
('2026-02-20', 'holiday', '春节'),
('2026-02-21', 'holiday', '春节'),
('2026-02-22', 'holiday', '春节'),
('2026-02-23', 'holiday', '春节'),
('2026-02-14', 'workday', '春节调休上班'),
('2026-02-28', 'workday', '春节调休上班'),
('2026-04-04', 'holiday', '清明节'),
('2026-04-05', 'holiday', '清明节'),
('2026-04-06', 'holiday', '清明节'),
('2026-05-01', 'holiday', '劳动节'),
('2026-05-02', 'holiday', '劳动节'),
('2026-05-03', 'holiday', '劳动节'),
('2026-05-04', 'holiday', '劳动节'),
('2026-05-05', 'holiday', '劳动节'),
('2026-05-09', 'workday', '劳动节调休上班'),
('2026-06-19', 'holiday', '端午节'),
('2026-06-20', 'holiday', '端午节'),
('2026-06-21', 'holiday', '端午节'),
('2026-09-25', 'holiday', '中秋节'),
('2026-09-26', 'holiday', '中秋节'),
('2026-09-27', 'holiday', '中秋节'),
('2026-10-01', 'holiday', '国庆节'),
('2026-10-02', 'holiday', '国庆节'),
('2026-10-03', 'holiday', '国庆节'),
('2026-10-04', 'holiday', '国庆节'),
('2026-10-05', 'holiday', '国庆节'),
('2026-10-06', 'holiday', '国庆节'),
('2026-10-07', 'holiday', '国庆节'),
('2026-09-20', 'workday', '国庆节调休上班'),
('2026-10-10', 'workday', '国庆节调休上班'),
('2027-01-01', 'holiday', '元旦（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-02-05', 'holiday', '春节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-02-06', 'holiday', '春节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-02-07', 'holiday', '春节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-02-08', 'holiday', '春节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-04-05', 'holiday', '清明节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-05-01', 'holiday', '劳动节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-05-02', 'holiday', '劳动节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-06-09', 'holiday', '端午节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-09-15', 'holiday', '中秋节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-10-01', 'holiday', '国庆节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-10-02', 'holiday', '国庆节（法定假日，调休待国务院办公厅通知发布后补充）'),
('2027-10-03', 'holiday', '国庆节（法定假日，调休待国务院办公厅通知发布后补充）');

ALTER TABLE audit_events ADD COLUMN ip TEXT;
