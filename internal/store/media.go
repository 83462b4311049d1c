package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/media"
)

// codes writes a list as ",a,b," so one LIKE finds a code in it.
func codes(list []string) string { return "," + strings.Join(list, ",") + "," }

// LoadMediaPacks upserts the shipped library items by id, like LoadPacks:
// a console edit wins over a later pack change, which is recorded.
func (db *DB) LoadMediaPacks(ctx context.Context, items []media.Item) (PackReport, error) {
	var rep PackReport
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		rep = PackReport{}
		for i, it := range items {
			data, err := json.Marshal(it)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			hash := hex.EncodeToString(sum[:])
			var oldHash, origin string
			err = tx.queryRow(ctx, `SELECT pack_hash, origin FROM media_items WHERE id = ?`, it.ID).Scan(&oldHash, &origin)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				rep.Inserted++
				_, err = tx.exec(ctx, `INSERT INTO media_items (id, kind, data, search, topics, audience, langs, position, pack_hash, origin, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pack', ?)`,
					it.ID, it.Kind, string(data), it.SearchText(), codes(it.Topics), codes(it.Audience), codes(it.Langs), i, hash, tx.Now)
			case err != nil:
			case oldHash == hash:
				rep.Unchanged++
			case origin == "console":
				rep.Conflicts = append(rep.Conflicts, "media:"+it.ID)
				if _, err = tx.exec(ctx, `INSERT INTO content_conflicts (kind, object_id, pack_hash, detected_at) VALUES ('media', ?, ?, ?)
					ON CONFLICT (kind, object_id, pack_hash) DO NOTHING`, it.ID, hash, tx.Now); err == nil {
					_, err = tx.exec(ctx, `UPDATE media_items SET pack_hash = ? WHERE id = ?`, hash, it.ID)
				}
			default:
				rep.Updated++
				_, err = tx.exec(ctx, `UPDATE media_items SET kind = ?, data = ?, search = ?, topics = ?, audience = ?, langs = ?, position = ?,
					pack_hash = ?, updated_at = ? WHERE id = ?`,
					it.Kind, string(data), it.SearchText(), codes(it.Topics), codes(it.Audience), codes(it.Langs), i, hash, tx.Now, it.ID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PackReport{}, fmt.Errorf("load media packs: %w", err)
	}
	return rep, nil
}

// MediaFilter narrows the library; every field is optional.
type MediaFilter struct {
	Kind, Topic, Audience, Lang string
	// Query is what the visitor typed: it is folded into words and every
	// word must start a word of the item's text.
	Query string
}

// maxMediaList bounds one listing.
const maxMediaList = 500

// MediaItems lists the library in its order, filtered.
func (db *DB) MediaItems(ctx context.Context, f MediaFilter) ([]media.Item, error) {
	q := `SELECT data FROM media_items WHERE 1 = 1`
	var args []any
	add := func(cond string, arg any) {
		q += " AND " + cond
		args = append(args, arg)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Topic != "" {
		add("topics LIKE ?", "%,"+likeEscape(f.Topic)+",%")
	}
	if f.Audience != "" {
		add("audience LIKE ?", "%,"+likeEscape(f.Audience)+",%")
	}
	if f.Lang != "" {
		add("langs LIKE ?", "%,"+likeEscape(f.Lang)+",%")
	}
	if words := media.QueryWords(f.Query); len(words) > 0 {
		if _, pg := db.dialect.(postgres); pg {
			// Each word a prefix, all required: "lua:* & dao:*".
			terms := make([]string, len(words))
			for i, w := range words {
				terms[i] = strings.ReplaceAll(w, "'", "") + ":*"
			}
			add("search_tsv @@ to_tsquery('simple', ?)", strings.Join(terms, " & "))
		} else {
			// FTS5: each word a quoted prefix phrase, all required.
			terms := make([]string, len(words))
			for i, w := range words {
				terms[i] = `"` + strings.ReplaceAll(w, `"`, "") + `"*`
			}
			add("id IN (SELECT id FROM media_search WHERE media_search MATCH ?)", strings.Join(terms, " "))
		}
	}
	q += fmt.Sprintf(" ORDER BY position, id LIMIT %d", maxMediaList)
	var out []media.Item
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("media items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("media items: %w", err)
		}
		var it media.Item
		if err := json.Unmarshal([]byte(data), &it); err != nil {
			return nil, fmt.Errorf("media items: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// likeEscape keeps a filter code from acting as a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer("%", "", "_", "", ",", "").Replace(s)
}

// MediaItem returns one library item.
func (db *DB) MediaItem(ctx context.Context, id string) (media.Item, error) {
	var data string
	err := db.queryRow(ctx, `SELECT data FROM media_items WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return media.Item{}, errs.E(errs.NotFound, "error.media_item_not_found")
	}
	if err != nil {
		return media.Item{}, fmt.Errorf("media item: %w", err)
	}
	var it media.Item
	if err := json.Unmarshal([]byte(data), &it); err != nil {
		return media.Item{}, fmt.Errorf("media item %s: %w", id, err)
	}
	return it, nil
}

// SaveMediaDraft stores an edited (or new) library item as its next
// version, unpublished.
func (db *DB) SaveMediaDraft(ctx context.Context, it media.Item, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "media", it.ID, it, author, note)
}

// MediaVersions lists a library item's versions, newest first.
func (db *DB) MediaVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "media", id)
}

// MediaVersion returns one version of a library item.
func (db *DB) MediaVersion(ctx context.Context, id string, version int) (ContentVersion, media.Item, error) {
	var it media.Item
	v, err := db.version(ctx, "media", id, version, &it)
	return v, it, err
}

// PublishMediaVersion makes a version the published item (adding it to
// the library if it is new), with its search and filter columns, in one
// transaction.
func (db *DB) PublishMediaVersion(ctx context.Context, id string, version int, author string) error {
	v, it, err := db.MediaVersion(ctx, id, version)
	if err != nil {
		return err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		// "WHERE true": without it SQLite reads ON CONFLICT as the
		// start of a join constraint on the SELECT's FROM.
		if _, err := tx.exec(ctx, `INSERT INTO media_items (id, kind, data, search, topics, audience, langs, position, origin, updated_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(position), -1) + 1, 'console', ? FROM media_items WHERE true
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, data = excluded.data, search = excluded.search, topics = excluded.topics,
				audience = excluded.audience, langs = excluded.langs, origin = 'console', updated_at = excluded.updated_at`,
			id, it.Kind, v.Data, it.SearchText(), codes(it.Topics), codes(it.Audience), codes(it.Langs), tx.Now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE content_versions SET published_at = ? WHERE kind = 'media' AND object_id = ? AND version = ?`,
			tx.Now, id, version); err != nil {
			return err
		}
		return appendAudit(ctx, tx, author, "content.publish", "media:"+id, fmt.Sprintf("version %d", version))
	})
	if err != nil {
		return fmt.Errorf("publish media: %w", err)
	}
	return nil
}

// MediaDrafts returns the newest draft of every library item that was
// started in the console and never published, so that editors find it:
// MediaItems lists only published items.
func (db *DB) MediaDrafts(ctx context.Context) ([]media.Item, error) {
	rows, err := db.query(ctx, `SELECT v.data FROM content_versions v
		WHERE v.kind = 'media' AND NOT EXISTS (SELECT 1 FROM media_items m WHERE m.id = v.object_id)
			AND v.version = (SELECT MAX(w.version) FROM content_versions w WHERE w.kind = 'media' AND w.object_id = v.object_id)
		ORDER BY v.object_id`)
	if err != nil {
		return nil, fmt.Errorf("media drafts: %w", err)
	}
	defer rows.Close()
	var out []media.Item
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("media drafts: %w", err)
		}
		var it media.Item
		if err := json.Unmarshal([]byte(data), &it); err != nil {
			return nil, fmt.Errorf("media drafts: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
