-- Quiz items and quizzes: the published version of each, as JSON. origin says
-- who wrote it last (the pack loader or an editor in the console);
-- pack_hash is the hash of the pack version last loaded.
CREATE TABLE items (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE quizzes (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMPTZ NOT NULL
);

-- A pack changed something an editor had also changed: the editor's version
-- stayed; editors see these until resolved.
CREATE TABLE content_conflicts (
    kind        TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    pack_hash   TEXT NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    PRIMARY KEY (kind, object_id, pack_hash)
);

-- Attempts and answers hold no personal data: what was played, where, when.
CREATE TABLE attempts (
    id             TEXT PRIMARY KEY,
    quiz_id        TEXT NOT NULL,
    lang           TEXT NOT NULL,
    event_id       TEXT NOT NULL REFERENCES events(id),
    station_id     TEXT REFERENCES stations(id),
    items          TEXT NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    last_active_at TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    score          INTEGER NOT NULL DEFAULT 0,
    max_score      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attempts_event ON attempts(event_id, started_at);

CREATE TABLE answers (
    attempt_id    TEXT NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    step          TEXT NOT NULL DEFAULT '',
    seq           INTEGER NOT NULL,
    response      TEXT NOT NULL,
    correct       BOOLEAN NOT NULL,
    score         INTEGER NOT NULL,
    max_score     INTEGER NOT NULL,
    time_taken_ms INTEGER NOT NULL,
    answered_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (attempt_id, item_id, step)
);

-- How long a kiosk waits without a touch before it asks "still there?"
-- and then clears itself for the next visitor.
ALTER TABLE events ADD COLUMN kiosk_idle_seconds INTEGER NOT NULL DEFAULT 90;
