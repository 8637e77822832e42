DROP TABLE dataset_comments;
DROP TABLE dataset_ratings;
DROP TABLE showcase_datasets;
DROP TABLE showcase_items;
