-- The emergency zone (Art. 36): events, the datasets opened for them, and the updates the
-- responsible department posts, each with indicator values (name, number, unit, region).
CREATE TABLE emergency_events (
    id SERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- natural_disaster, accident, public_health, social_security
    category TEXT NOT NULL
        CHECK (category IN ('natural_disaster', 'accident', 'public_health', 'social_security')),
    -- I (most severe) to IV, as in the national emergency plans.
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    -- Comma-separated administrative division codes of the affected areas.
    regions TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    summary TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    -- active, closed
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    -- An update is overdue once this many minutes have passed since the last one.
    update_interval_minutes INTEGER NOT NULL CHECK (update_interval_minutes > 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX emergency_events_status ON emergency_events (status, started_at);

CREATE TABLE emergency_datasets (
    event_id INTEGER NOT NULL REFERENCES emergency_events (id),
    dataset_id INTEGER NOT NULL REFERENCES datasets (id),
    PRIMARY KEY (event_id, dataset_id)
);

CREATE TABLE emergency_updates (
    id SERIAL PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES emergency_events (id),
    -- When the figures were taken (given by the department, or the time of posting).
    reported_at TIMESTAMP NOT NULL,
    posted_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL,
    posted_by INTEGER REFERENCES users (id)
);
CREATE INDEX emergency_updates_event ON emergency_updates (event_id, reported_at);

CREATE TABLE emergency_values (
    id SERIAL PRIMARY KEY,
    update_id INTEGER NOT NULL REFERENCES emergency_updates (id),
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    -- An administrative division code, or empty for the whole affected area.
    region TEXT NOT NULL
);
CREATE INDEX emergency_values_update ON emergency_values (update_id);
