DROP TABLE error_reviews;
