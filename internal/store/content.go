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

// SaveItemDraft stores an edited item as the next version, unpublished.
func (db *DB) SaveItemDraft(ctx context.Context, it quiz.Item, author, note string) (ContentVersion, error) {
	data, err := json.Marshal(it)
	if err != nil {
		return ContentVersion{}, err
	}
	v := ContentVersion{Kind: "item", ObjectID: it.ID, Data: string(data), Author: author, Note: note}
	err = db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM items WHERE id = ?`, it.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &errs.Error{Code: errs.NotFound, Key: "error.item_not_found", Err: fmt.Errorf("item %q", it.ID)}
		}
		var last sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT MAX(version) FROM content_versions WHERE kind = 'item' AND object_id = ?`, it.ID).Scan(&last); err != nil {
			return err
		}
		v.Version, v.CreatedAt = int(last.Int64)+1, tx.Now
		if _, err := tx.exec(ctx, `INSERT INTO content_versions (kind, object_id, version, data, author, note, created_at) VALUES ('item', ?, ?, ?, ?, ?, ?)`,
			it.ID, v.Version, v.Data, author, note, tx.Now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, author, "content.draft", "item:"+it.ID, fmt.Sprintf("version %d", v.Version))
	})
	if err != nil {
		return ContentVersion{}, fmt.Errorf("save draft: %w", err)
	}
	return v, nil
}

// ItemVersions lists an item's versions, newest first.
func (db *DB) ItemVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	rows, err := db.query(ctx, `SELECT version, data, author, note, created_at, published_at FROM content_versions
		WHERE kind = 'item' AND object_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	defer rows.Close()
	var out []ContentVersion
	for rows.Next() {
		v := ContentVersion{Kind: "item", ObjectID: id}
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
	v := ContentVersion{Kind: "item", ObjectID: id, Version: version}
	var pub sql.NullTime
	err := db.queryRow(ctx, `SELECT data, author, note, created_at, published_at FROM content_versions WHERE kind = 'item' AND object_id = ? AND version = ?`,
		id, version).Scan(&v.Data, &v.Author, &v.Note, &v.CreatedAt, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return ContentVersion{}, quiz.Item{}, &errs.Error{Code: errs.NotFound, Key: "error.version_not_found", Err: fmt.Errorf("item %q version %d", id, version)}
	}
	if err != nil {
		return ContentVersion{}, quiz.Item{}, fmt.Errorf("version: %w", err)
	}
	if pub.Valid {
		t := pub.Time.UTC()
		v.PublishedAt = &t
	}
	var it quiz.Item
	if err := json.Unmarshal([]byte(v.Data), &it); err != nil {
		return ContentVersion{}, quiz.Item{}, fmt.Errorf("version %d of %s: %w", version, id, err)
	}
	return v, it, nil
}

// PublishItemVersion makes a version the published item: kiosks and
// phones show it from the next page they load. The item is then the
// console's (a later pack change to it is reported as a conflict).
func (db *DB) PublishItemVersion(ctx context.Context, id string, version int, author string) error {
	v, it, err := db.ItemVersion(ctx, id, version)
	if err != nil {
		return err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE items SET type = ?, data = ?, origin = 'console', updated_at = ? WHERE id = ?`,
			string(it.Type), v.Data, tx.Now, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE content_versions SET published_at = ? WHERE kind = 'item' AND object_id = ? AND version = ?`,
			tx.Now, id, version); err != nil {
			return err
		}
		return appendAudit(ctx, tx, author, "content.publish", "item:"+id, fmt.Sprintf("version %d", version))
	})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}
