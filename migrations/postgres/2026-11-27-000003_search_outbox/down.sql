DROP TRIGGER search_departments_update ON departments;
DROP TRIGGER search_fields ON dataset_fields;
DROP TRIGGER search_formats ON dataset_formats;
DROP TRIGGER search_datasets_update ON datasets;
DROP TRIGGER search_datasets_insert_delete ON datasets;
DROP FUNCTION search_outbox_department();
DROP FUNCTION search_outbox_child();
DROP FUNCTION search_outbox_dataset();
DROP TABLE search_outbox;
