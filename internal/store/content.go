package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/quiz"
)

// ContentVersion is one saved state of a piece of content.
type ContentVersion struct {
	Kind, ObjectID string
	Version        int
	Data           string
	Author, Note   string
	CreatedAt      time.Time
	PublishedAt    *time.Time
}

// contentTables maps a kind of content to the table of its published
// versions; the name is never taken from a request.
var contentTables = map[string]string{"item": "items", "quiz": "quizzes", "pledge_option": "pledge_options",
	"help_guide": "help_guides", "help_platform": "help_platforms", "media": "media_items"}

// SaveItemDraft stores an edited item as the next version, unpublished.
func (db *DB) SaveItemDraft(ctx context.Context, it quiz.Item, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "item", it.ID, it, author, note)
}

// SaveQuizDraft stores an edited quiz as the next version, unpublished.
func (db *DB) SaveQuizDraft(ctx context.Context, q quiz.Quiz, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "quiz", q.ID, q, author, note)
}

func (db *DB) saveDraft(ctx context.Context, kind, id string, obj any, author, note string) (ContentVersion, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return ContentVersion{}, err
	}
	v := ContentVersion{Kind: kind, ObjectID: id, Data: string(data), Author: author, Note: note}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+contentTables[kind]+` WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		// A library item may start in the console: its first draft has no
		// published row yet.
		if n == 0 && kind != "media" {
			return &errs.Error{Code: errs.NotFound, Key: "error." + kind + "_not_found", Err: fmt.Errorf("%s %q", kind, id)}
		}
		var last sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT MAX(version) FROM content_versions WHERE kind = ? AND object_id = ?`, kind, id).Scan(&last); err != nil {
			return err
		}
		v.Version, v.CreatedAt = int(last.Int64)+1, tx.Now
		if _, err := tx.exec(ctx, `INSERT INTO content_versions (kind, object_id, version, data, author, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			kind, id, v.Version, v.Data, author, note, tx.Now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, author, "content.draft", kind+":"+id, fmt.Sprintf("version %d", v.Version))
	})
	if err != nil {
		return ContentVersion{}, fmt.Errorf("save draft: %w", err)
	}
	return v, nil
}

// ItemVersions lists an item's versions, newest first.
func (db *DB) ItemVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "item", id)
}

// QuizVersions lists a quiz's versions, newest first.
func (db *DB) QuizVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "quiz", id)
}

func (db *DB) versions(ctx context.Context, kind, id string) ([]ContentVersion, error) {
	rows, err := db.query(ctx, `SELECT version, data, author, note, created_at, published_at FROM content_versions
		WHERE kind = ? AND object_id = ? ORDER BY version DESC`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	defer rows.Close()
	var out []ContentVersion
	for rows.Next() {
		v := ContentVersion{Kind: kind, ObjectID: id}
		var pub sql.NullTime
		if err := rows.Scan(&v.Version, &v.Data, &v.Author, &v.Note, &v.CreatedAt, &pub); err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		v.CreatedAt = v.CreatedAt.UTC()
		if pub.Valid {
			t := pub.Time.UTC()
			v.PublishedAt = &t
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ItemVersion returns one version of an item.
func (db *DB) ItemVersion(ctx context.Context, id string, version int) (ContentVersion, quiz.Item, error) {
	var it quiz.Item
	v, err := db.version(ctx, "item", id, version, &it)
	return v, it, err
}

// QuizVersion returns one version of a quiz.
func (db *DB) QuizVersion(ctx context.Context, id string, version int) (ContentVersion, quiz.Quiz, error) {
	var q quiz.Quiz
	v, err := db.version(ctx, "quiz", id, version, &q)
	return v, q, err
}

func (db *DB) version(ctx context.Context, kind, id string, version int, into any) (ContentVersion, error) {
	v := ContentVersion{Kind: kind, ObjectID: id, Version: version}
	var pub sql.NullTime
	err := db.queryRow(ctx, `SELECT data, author, note, created_at, published_at FROM content_versions WHERE kind = ? AND object_id = ? AND version = ?`,
		kind, id, version).Scan(&v.Data, &v.Author, &v.Note, &v.CreatedAt, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return ContentVersion{}, &errs.Error{Code: errs.NotFound, Key: "error.version_not_found", Err: fmt.Errorf("%s %q version %d", kind, id, version)}
	}
	if err != nil {
		return ContentVersion{}, fmt.Errorf("version: %w", err)
	}
	if pub.Valid {
		t := pub.Time.UTC()
		v.PublishedAt = &t
	}
	if err := json.Unmarshal([]byte(v.Data), into); err != nil {
		return ContentVersion{}, fmt.Errorf("version %d of %s %s: %w", version, kind, id, err)
	}
	return v, nil
}

// PublishItemVersion makes a version the published item: kiosks and
// phones show it from the next page they load. The item is then the
// console's (a later pack change to it is reported as a conflict).
func (db *DB) PublishItemVersion(ctx context.Context, id string, version int, author string) error {
	_, it, err := db.ItemVersion(ctx, id, version)
	if err != nil {
		return err
	}
	return db.publish(ctx, "item", id, version, author, `UPDATE items SET type = ?, data = ?, origin = 'console', updated_at = ? WHERE id = ?`, string(it.Type))
}

// PublishQuizVersion is PublishItemVersion for a quiz.
func (db *DB) PublishQuizVersion(ctx context.Context, id string, version int, author string) error {
	if _, _, err := db.QuizVersion(ctx, id, version); err != nil {
		return err
	}
	return db.publish(ctx, "quiz", id, version, author, `UPDATE quizzes SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`)
}

// publish copies a version into the published table with update (whose
// last arguments are data, time and id, after any in lead).
func (db *DB) publish(ctx context.Context, kind, id string, version int, author, update string, lead ...any) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		var data string
		if err := tx.queryRow(ctx, `SELECT data FROM content_versions WHERE kind = ? AND object_id = ? AND version = ?`, kind, id, version).Scan(&data); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, update, append(lead, data, tx.Now, id)...); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE content_versions SET published_at = ? WHERE kind = ? AND object_id = ? AND version = ?`,
			tx.Now, kind, id, version); err != nil {
			return err
		}
		return appendAudit(ctx, tx, author, "content.publish", kind+":"+id, fmt.Sprintf("version %d", version))
	})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}
