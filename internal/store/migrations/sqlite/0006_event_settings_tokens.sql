-- Which quiz an event's kiosks start.
ALTER TABLE events ADD COLUMN kiosk_quiz TEXT NOT NULL DEFAULT 'kiosk';

-- Per-account API tokens for /api/v1/admin (scripts, partner tools). Only
-- a hash is kept; the token is shown once.
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_staff ON api_tokens(staff_id);
