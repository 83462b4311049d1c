-- Things visitors wrote (pledge names, later others) that wait for an
-- editor, and what was decided. One row per object: flagging it again
-- while pending (or hidden) changes nothing, flagging an approved one puts
-- it back in the queue; the latest decision stays here, and every decision
-- is in the audit log.
CREATE TABLE moderation (
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    event_id   TEXT NOT NULL REFERENCES events(id),
    flagged_at TIMESTAMP NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'hidden')),
    decided_by TEXT,
    decided_at TIMESTAMP,
    PRIMARY KEY (kind, object_id)
);
CREATE INDEX moderation_queue ON moderation(state, flagged_at);
CREATE INDEX moderation_decided ON moderation(decided_at);
