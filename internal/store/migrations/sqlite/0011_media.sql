-- The media library: the published version of each item (JSON), with the
-- columns the library filters and searches on. search is the item's text
-- folded in Go (lower case, no diacritics, đ→d), so search behaves the same
-- here (FTS5) and on PostgreSQL (full-text over the same folded text).
-- Filter columns hold codes between commas (",kids,teens,").
CREATE TABLE media_items (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('video', 'story', 'publication')),
    data       TEXT NOT NULL,
    search     TEXT NOT NULL,
    topics     TEXT NOT NULL,
    audience   TEXT NOT NULL,
    langs      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX media_items_kind ON media_items(kind, position);

-- The full-text index, kept in step with media_items by triggers (so every
-- write path — pack load, console publish — updates it).
CREATE VIRTUAL TABLE media_search USING fts5(id UNINDEXED, search, tokenize = 'unicode61 remove_diacritics 0');
CREATE TRIGGER media_items_ai AFTER INSERT ON media_items BEGIN
    INSERT INTO media_search (id, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER media_items_au AFTER UPDATE OF search ON media_items BEGIN
    DELETE FROM media_search WHERE id = old.id;
    INSERT INTO media_search (id, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER media_items_ad AFTER DELETE ON media_items BEGIN
    DELETE FROM media_search WHERE id = old.id;
END;

-- Which videos a kiosk loops on its attract screen (ids, comma-separated).
ALTER TABLE events ADD COLUMN attract_videos TEXT NOT NULL DEFAULT '';
