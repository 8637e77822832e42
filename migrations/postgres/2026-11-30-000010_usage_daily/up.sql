-- API calls per day (China time), flushed from memory about once a minute, for /stats.
CREATE TABLE usage_daily (
    day DATE PRIMARY KEY,
    api_calls BIGINT NOT NULL DEFAULT 0
);
