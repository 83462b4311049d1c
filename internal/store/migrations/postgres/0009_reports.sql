-- Help requests. What a child wrote (description, contact, evidence,
-- responders' notes) is stored only encrypted with the case's data key,
-- which is itself sealed to the responders' public key: an instance that
-- only takes requests cannot read them, and deleting the row destroys the
-- key (old backups hold only ciphertext). No IP address is stored. The
-- receipt is the reporter's lookup code; only a hash of their secret is
-- kept.
CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    receipt        TEXT NOT NULL UNIQUE,
    secret_hash    TEXT NOT NULL,
    event_id       TEXT NOT NULL REFERENCES events(id),
    station_id     TEXT,
    source         TEXT NOT NULL,
    topic          TEXT NOT NULL,
    platform       TEXT NOT NULL,
    happened       TEXT NOT NULL,
    danger_now     BOOLEAN NOT NULL,
    asked_to_meet  BOOLEAN NOT NULL,
    isolated       BOOLEAN NOT NULL,
    age_band       TEXT NOT NULL DEFAULT '',
    consent        BOOLEAN NOT NULL,
    contact_kind   TEXT NOT NULL,
    priority       INTEGER NOT NULL,
    flags          TEXT NOT NULL DEFAULT '',
    key_id         TEXT NOT NULL,
    sealed_key     BYTEA NOT NULL,
    description    BYTEA,
    contact        BYTEA,
    status         TEXT NOT NULL CHECK (status IN ('new', 'triaged', 'referred', 'closed')),
    close_reason   TEXT NOT NULL DEFAULT '',
    assigned_to    TEXT,
    public_message TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    closed_at      TIMESTAMPTZ,
    review_due     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX reports_inbox ON reports(status, priority, created_at);
CREATE INDEX reports_closed ON reports(closed_at);

-- Evidence images, re-encoded (no EXIF, no GPS) and sealed like the rest;
-- a tiny blurred preview, sealed too, for the inbox before a reveal.
CREATE TABLE report_files (
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    data       BYTEA NOT NULL,
    preview    BYTEA NOT NULL,
    PRIMARY KEY (report_id, n)
);

-- Responders' internal notes (sealed) and referrals to partners.
CREATE TABLE report_notes (
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    author     TEXT NOT NULL,
    body       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, n)
);

CREATE TABLE report_referrals (
    report_id       TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    n               INTEGER NOT NULL,
    partner         TEXT NOT NULL,
    shared          TEXT NOT NULL,
    consent         BOOLEAN NOT NULL,
    override_reason TEXT NOT NULL DEFAULT '',
    referred_by     TEXT NOT NULL,
    referred_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, n)
);

-- What is left of purged cases: anonymous counts only.
CREATE TABLE report_counts (
    month    TEXT NOT NULL,
    topic    TEXT NOT NULL,
    priority INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (month, topic, priority)
);

-- Evidence bytes taken per day, for the daily cap.
CREATE TABLE evidence_days (
    day   TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
);

-- Partner platforms that send help requests through the API, by token
-- (only a hash is kept; the token is shown once).
CREATE TABLE partner_tokens (
    token_hash TEXT PRIMARY KEY,
    partner    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
