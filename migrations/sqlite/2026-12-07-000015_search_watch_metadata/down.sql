DROP TRIGGER search_datasets_update;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at ON datasets
BEGIN
    INSERT INTO search_outbox (dataset_id) VALUES (NEW.id);
END;
