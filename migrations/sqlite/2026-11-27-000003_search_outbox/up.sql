-- Datasets whose search document may have changed, written by triggers so that every path
-- (services, the demo loader, tests, manual SQL) reaches the search index. The portal drains it
-- before each search and after rebuilding the index; rows stay until the index has them.
-- Download and view counters are not watched (they change on every request).
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL
);

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

CREATE TRIGGER search_formats_insert AFTER INSERT ON dataset_formats
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.dataset_id);
END;

CREATE TRIGGER search_formats_delete AFTER DELETE ON dataset_formats
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (OLD.dataset_id);
END;

CREATE TRIGGER search_fields_insert AFTER INSERT ON dataset_fields
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.dataset_id);
END;

CREATE TRIGGER search_fields_update AFTER UPDATE ON dataset_fields
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.dataset_id);
END;

CREATE TRIGGER search_fields_delete AFTER DELETE ON dataset_fields
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (OLD.dataset_id);
END;

CREATE TRIGGER search_departments_update AFTER UPDATE OF slug, name ON departments
BEGIN
    INSERT INTO search_outbox (dataset_id) SELECT id FROM datasets WHERE department_id = NEW.id;
END;
