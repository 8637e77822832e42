DROP TRIGGER search_datasets_update ON datasets;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
