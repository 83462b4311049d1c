-- The media library: the published version of each item (JSON), with the
-- columns the library filters and searches on. search is the item's text
-- folded in Go (lower case, no diacritics, đ→d), so search behaves the same
-- here (full-text with the 'simple' configuration over the folded text) and
-- on SQLite (FTS5). Filter columns hold codes between commas.
CREATE TABLE media_items (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('video', 'story', 'publication')),
    data       TEXT NOT NULL,
    search     TEXT NOT NULL,
    search_tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search)) STORED,
    topics     TEXT NOT NULL,
    audience   TEXT NOT NULL,
    langs      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_items_kind ON media_items(kind, position);
CREATE INDEX media_items_search ON media_items USING GIN (search_tsv);

-- Which videos a kiosk loops on its attract screen (ids, comma-separated).
ALTER TABLE events ADD COLUMN attract_videos TEXT NOT NULL DEFAULT '';
