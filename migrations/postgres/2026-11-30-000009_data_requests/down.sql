DROP TABLE data_request_votes;
DROP TABLE data_requests;
