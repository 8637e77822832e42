-- Rate-limit tiers of API keys: an administrator makes a key a partner key.
ALTER TABLE api_keys ADD COLUMN tier TEXT NOT NULL DEFAULT 'registered'
    CHECK (tier IN ('registered', 'partner'));
