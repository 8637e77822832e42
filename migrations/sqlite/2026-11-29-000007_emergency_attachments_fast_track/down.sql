DROP TABLE emergency_fast_tracks;
DROP TABLE emergency_attachments;
