-- Pledge options: the published version of each (JSON, like items), in the
-- order the pack lists them.
CREATE TABLE pledge_options (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    pack_hash  TEXT NOT NULL DEFAULT '',
    origin     TEXT NOT NULL CHECK (origin IN ('pack', 'console')),
    updated_at TIMESTAMP NOT NULL
);

-- Pledges. The id is random (130 bits): it is the verification link.
-- age_band and province feed anonymous counts only. The idempotency key
-- (hashed with the request) makes a retried or double-tapped pledge one.
CREATE TABLE pledges (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events(id),
    station_id      TEXT REFERENCES stations(id),
    attempt_id      TEXT,
    lang            TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    show_name       BOOLEAN NOT NULL,
    options         TEXT NOT NULL,
    age_band        TEXT NOT NULL DEFAULT '',
    province        TEXT NOT NULL DEFAULT '',
    badge_salt      TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    request_hash    TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX pledges_event ON pledges(event_id, created_at);
CREATE INDEX pledges_created ON pledges(created_at);

-- One row per option chosen, for counts per option.
CREATE TABLE pledge_choices (
    pledge_id TEXT NOT NULL REFERENCES pledges(id) ON DELETE CASCADE,
    option_id TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (pledge_id, option_id)
);
CREATE INDEX pledge_choices_event ON pledge_choices(event_id, option_id);

-- Souvenir items at an event and how many are left at the desk.
CREATE TABLE souvenir_items (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    name_vi  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    stock    INTEGER NOT NULL CHECK (stock >= 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (event_id, id)
);

-- Voucher rules per event: whether a voucher needs a finished quiz on the
-- same kiosk, and how many a kiosk may issue per hour.
ALTER TABLE events ADD COLUMN voucher_needs_quiz BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE events ADD COLUMN vouchers_per_station_hour INTEGER NOT NULL DEFAULT 60;

-- Physical-souvenir vouchers: one per pledge at most, one per finished
-- attempt when the event asks. Redemption is a conditional update, so only
-- one scan of a code can ever win.
CREATE TABLE vouchers (
    code             TEXT PRIMARY KEY,
    pledge_id        TEXT NOT NULL UNIQUE REFERENCES pledges(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events(id),
    station_id       TEXT NOT NULL REFERENCES stations(id),
    attempt_id       TEXT UNIQUE,
    issued_at        TIMESTAMP NOT NULL,
    redeemed_at      TIMESTAMP,
    redeemed_by      TEXT,
    redeemed_station TEXT,
    item_id          TEXT
);
CREATE INDEX vouchers_station ON vouchers(station_id, issued_at);
CREATE INDEX vouchers_event ON vouchers(event_id, redeemed_at);
