-- Every change to a piece of content, by whom and when: drafts, and the
-- versions that were published. items and quizzes hold the published one.
CREATE TABLE content_versions (
    kind         TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    data         TEXT NOT NULL,
    author       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    PRIMARY KEY (kind, object_id, version)
);
