package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
)

// ImportReport says what importing a content pack changed.
type ImportReport struct {
	ItemsAdded, ItemsChanged, ItemsUnchanged       int
	QuizzesAdded, QuizzesChanged, QuizzesUnchanged int
	OptionsAdded, OptionsChanged, OptionsUnchanged int
}

// ImportPack publishes the items, quizzes and pledge options of an imported content pack
// (validated by the caller), in one transaction: all of it or nothing.
// Each object that is new or differs from its published version gets a new
// version in content_versions (noted "imported", published at once) and
// becomes the published one, marked as the console's: a later change to it
// in a shipped pack is then reported as a conflict, like any console edit.
// Objects equal to the published ones are left alone, so importing the
// same pack twice changes nothing; objects missing from the pack are kept.
func (db *DB) ImportPack(ctx context.Context, items []quiz.Item, quizzes []quiz.Quiz, options []pledge.Option, author string) (ImportReport, error) {
	var rep ImportReport
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		rep = ImportReport{}
		seen := map[string]bool{}
		for i := range items {
			it := &items[i]
			res, err := importObject(ctx, tx, seen, "item", it.ID, string(it.Type), it, author)
			if err != nil {
				return err
			}
			tally(res, &rep.ItemsAdded, &rep.ItemsChanged, &rep.ItemsUnchanged)
		}
		for i := range quizzes {
			q := &quizzes[i]
			res, err := importObject(ctx, tx, seen, "quiz", q.ID, "", q, author)
			if err != nil {
				return err
			}
			tally(res, &rep.QuizzesAdded, &rep.QuizzesChanged, &rep.QuizzesUnchanged)
		}
		for i := range options {
			o := &options[i]
			res, err := importObject(ctx, tx, seen, "pledge_option", o.ID, "", o, author)
			if err != nil {
				return err
			}
			tally(res, &rep.OptionsAdded, &rep.OptionsChanged, &rep.OptionsUnchanged)
		}
		return appendAudit(ctx, tx, author, "content.import", "content-pack", fmt.Sprintf(
			"items: %d added, %d changed, %d unchanged; quizzes: %d added, %d changed, %d unchanged; pledge options: %d added, %d changed, %d unchanged",
			rep.ItemsAdded, rep.ItemsChanged, rep.ItemsUnchanged, rep.QuizzesAdded, rep.QuizzesChanged, rep.QuizzesUnchanged,
			rep.OptionsAdded, rep.OptionsChanged, rep.OptionsUnchanged))
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("import pack: %w", err)
	}
	return rep, nil
}

type importResult int

const (
	importAdded importResult = iota
	importChanged
	importUnchanged
)

func tally(res importResult, added, changed, unchanged *int) {
	switch res {
	case importAdded:
		*added++
	case importChanged:
		*changed++
	default:
		*unchanged++
	}
}

// importObject publishes one imported object (typ is the item type, ""
// for a quiz) unless it equals the published one.
func importObject(ctx context.Context, tx *Tx, seen map[string]bool, kind, id, typ string, obj any, author string) (importResult, error) {
	if id == "" || seen[kind+":"+id] {
		return 0, &errs.Error{Code: errs.Invalid, Err: fmt.Errorf("%s %q is missing an id or listed twice", kind, id)}
	}
	seen[kind+":"+id] = true
	data, err := json.Marshal(obj)
	if err != nil {
		return 0, err
	}
	table := contentTables[kind]
	var old string
	err = tx.queryRow(ctx, `SELECT data FROM `+table+` WHERE id = ?`, id).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		switch kind {
		case "item":
			_, err = tx.exec(ctx, `INSERT INTO items (id, type, data, origin, updated_at) VALUES (?, ?, ?, 'console', ?)`, id, typ, string(data), tx.Now)
		case "pledge_option":
			_, err = tx.exec(ctx, `INSERT INTO pledge_options (id, position, data, origin, updated_at)
				SELECT ?, COALESCE(MAX(position), -1) + 1, ?, 'console', ? FROM pledge_options`, id, string(data), tx.Now)
		default:
			_, err = tx.exec(ctx, `INSERT INTO quizzes (id, data, origin, updated_at) VALUES (?, ?, 'console', ?)`, id, string(data), tx.Now)
		}
		if err != nil {
			return 0, err
		}
		return importAdded, importVersion(ctx, tx, kind, id, string(data), author)
	case err != nil:
		return 0, err
	}
	same, err := sameContent(old, data)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	if same {
		return importUnchanged, nil
	}
	switch kind {
	case "item":
		_, err = tx.exec(ctx, `UPDATE items SET type = ?, data = ?, origin = 'console', updated_at = ? WHERE id = ?`, typ, string(data), tx.Now, id)
	case "pledge_option":
		_, err = tx.exec(ctx, `UPDATE pledge_options SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`, string(data), tx.Now, id)
	default:
		_, err = tx.exec(ctx, `UPDATE quizzes SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`, string(data), tx.Now, id)
	}
	if err != nil {
		return 0, err
	}
	return importChanged, importVersion(ctx, tx, kind, id, string(data), author)
}

// importVersion records an imported object as its next version, published.
func importVersion(ctx context.Context, tx *Tx, kind, id, data, author string) error {
	var last sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT MAX(version) FROM content_versions WHERE kind = ? AND object_id = ?`, kind, id).Scan(&last); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO content_versions (kind, object_id, version, data, author, note, created_at, published_at)
		VALUES (?, ?, ?, ?, ?, 'imported', ?, ?)`, kind, id, last.Int64+1, data, author, tx.Now, tx.Now)
	return err
}

// sameContent compares two JSON documents of the same object for meaning:
// an empty list and a missing (null) one are the same (YAML packs write
// both as []).
func sameContent(a string, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	return reflect.DeepEqual(emptyListsAsNull(x), emptyListsAsNull(y)), nil
}

// emptyListsAsNull rewrites a decoded JSON value with every empty array
// replaced by nil.
func emptyListsAsNull(v any) any {
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return nil
		}
		for i := range v {
			v[i] = emptyListsAsNull(v[i])
		}
	case map[string]any:
		for k, e := range v {
			v[k] = emptyListsAsNull(e)
		}
	}
	return v
}
