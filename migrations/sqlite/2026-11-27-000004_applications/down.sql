DROP TABLE mail_outbox;
DROP TABLE notifications;
DROP TABLE application_comments;
DROP TABLE grants;
DROP TABLE applications;
