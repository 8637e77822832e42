-- A version that held untreated personal data can be retired: its table is dropped and its
-- files forgotten; the row stays, for the history and the audit log.
ALTER TABLE resource_versions ADD COLUMN retired_at TIMESTAMP;
ALTER TABLE resource_versions ADD COLUMN retired_reason TEXT;
