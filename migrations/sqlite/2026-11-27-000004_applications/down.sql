DROP TABLE grants;
DROP TABLE applications;
