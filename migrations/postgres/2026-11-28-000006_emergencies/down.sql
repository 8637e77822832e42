DROP TABLE emergency_values;
DROP TABLE emergency_updates;
DROP TABLE emergency_datasets;
DROP TABLE emergency_events;
