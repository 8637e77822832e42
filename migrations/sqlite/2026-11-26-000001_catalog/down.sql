DROP TABLE audit_events;
DROP TABLE users;
DROP TABLE resources;
DROP TABLE dataset_formats;
DROP TABLE dataset_fields;
DROP TABLE datasets;
DROP TABLE themes;
DROP TABLE departments;
