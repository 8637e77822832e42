DROP TABLE mail_outbox;
DROP TABLE notifications;
DROP TABLE grants;
DROP TABLE applications;
