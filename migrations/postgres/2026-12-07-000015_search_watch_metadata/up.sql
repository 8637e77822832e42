-- The search index now also holds what the CKAN API filters and sorts by: when the record
-- changed (metadata_modified), when it was created, and its licence.
DROP TRIGGER search_datasets_update ON datasets;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at,
    modified_at, created_at, license ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
