-- Datasets whose search document may have changed, written by triggers so that every path
-- (services, the demo loader, tests, manual SQL) reaches the search index. The portal drains it
-- before each search and after rebuilding the index; rows stay until the index has them.
-- Download and view counters are not watched (they change on every request).
CREATE TABLE search_outbox (
    id BIGSERIAL PRIMARY KEY,
    dataset_id INTEGER NOT NULL
);

CREATE FUNCTION search_outbox_dataset() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (dataset_id) VALUES (OLD.id);
    ELSE
        INSERT INTO search_outbox (dataset_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION search_outbox_child() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (dataset_id) VALUES (OLD.dataset_id);
    ELSE
        INSERT INTO search_outbox (dataset_id) VALUES (NEW.dataset_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION search_outbox_department() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_outbox (dataset_id) SELECT id FROM datasets WHERE department_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER search_datasets_insert_delete AFTER INSERT OR DELETE ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
CREATE TRIGGER search_formats AFTER INSERT OR DELETE ON dataset_formats
    FOR EACH ROW EXECUTE FUNCTION search_outbox_child();
CREATE TRIGGER search_fields AFTER INSERT OR UPDATE OR DELETE ON dataset_fields
    FOR EACH ROW EXECUTE FUNCTION search_outbox_child();
CREATE TRIGGER search_departments_update AFTER UPDATE OF slug, name ON departments
    FOR EACH ROW EXECUTE FUNCTION search_outbox_department();
