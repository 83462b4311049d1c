-- The Get help hub's guides and app step lists: the published version of
-- each (JSON), in the pack's order; edited through content_versions like
-- quiz items.
CREATE TABLE help_guides (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE help_platforms (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMP NOT NULL
);
