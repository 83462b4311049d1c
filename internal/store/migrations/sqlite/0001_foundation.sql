-- Events and stations: every record a visitor creates carries both.
CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    starts_on  TEXT,              -- YYYY-MM-DD in the event's timezone
    ends_on    TEXT,
    timezone   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE stations (
    id         TEXT PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES events(id),
    kind       TEXT NOT NULL CHECK (kind IN ('kiosk', 'wall', 'desk')),
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX stations_event ON stations(event_id);

-- Server-side secrets shared by every instance (e.g. the key that signs
-- station bindings). Never the help-request private key.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Live instances, for operations; rows of stopped instances are pruned.
CREATE TABLE instances (
    id         TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    seen_at    TIMESTAMP NOT NULL
);

-- When each scheduled job last ran anywhere in the cluster.
CREATE TABLE job_runs (
    name        TEXT PRIMARY KEY,
    last_run_at TIMESTAMP NOT NULL
);
