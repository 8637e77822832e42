DROP TRIGGER search_datasets_update ON datasets;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at,
    modified_at, created_at, license ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
ALTER TABLE emergency_events DROP COLUMN summary_en;
ALTER TABLE emergency_events DROP COLUMN title_en;
ALTER TABLE themes DROP COLUMN description_en;
ALTER TABLE departments DROP COLUMN description_en;
ALTER TABLE departments DROP COLUMN name_en;
ALTER TABLE datasets DROP COLUMN summary_en;
ALTER TABLE datasets DROP COLUMN title_en;
