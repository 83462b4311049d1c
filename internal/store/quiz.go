package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
)

// PackReport says what loading the content packs changed.
type PackReport struct {
	Inserted, Updated, Unchanged int
	// Conflicts are objects ("item:id", "quiz:id") an editor changed in the
	// console and the pack changed too: the editor's version stayed.
	Conflicts []string
}

// LoadPacks upserts the shipped items and quizzes by stable id, in one
// transaction, so several instances starting at once agree. Loading the
// same packs again changes nothing. When a pack object changed since the
// last load but an editor has edited it in the console, the editor wins:
// the conflict is recorded for editors to see.
func (db *DB) LoadPacks(ctx context.Context, items []quiz.Item, quizzes []quiz.Quiz, options []pledge.Option) (PackReport, error) {
	var rep PackReport
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		rep = PackReport{}
		for i := range items {
			if err := loadPackObject(ctx, tx, &rep, "items", "item", items[i].ID, string(items[i].Type), items[i]); err != nil {
				return err
			}
		}
		for i := range quizzes {
			if err := loadPackObject(ctx, tx, &rep, "quizzes", "quiz", quizzes[i].ID, "", quizzes[i]); err != nil {
				return err
			}
		}
		for i := range options {
			if err := loadPackObject(ctx, tx, &rep, "pledge_options", "pledge_option", options[i].ID, i, options[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PackReport{}, fmt.Errorf("load packs: %w", err)
	}
	return rep, nil
}

// loadPackObject upserts one pack object. extra is the table's own
// column: an item's type, a pledge option's position.
func loadPackObject(ctx context.Context, tx *Tx, rep *PackReport, table, kind, id string, extra any, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	var oldHash, origin string
	err = tx.queryRow(ctx, `SELECT pack_hash, origin FROM `+table+` WHERE id = ?`, id).Scan(&oldHash, &origin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		rep.Inserted++
		switch table {
		case "items":
			_, err = tx.exec(ctx, `INSERT INTO items (id, type, data, pack_hash, origin, updated_at) VALUES (?, ?, ?, ?, 'pack', ?)`,
				id, extra, string(data), hash, tx.Now)
		case "pledge_options", "help_guides", "help_platforms": // ordered lists: extra is the position
			_, err = tx.exec(ctx, `INSERT INTO `+table+` (id, position, data, pack_hash, origin, updated_at) VALUES (?, ?, ?, ?, 'pack', ?)`,
				id, extra, string(data), hash, tx.Now)
		default:
			_, err = tx.exec(ctx, `INSERT INTO quizzes (id, data, pack_hash, origin, updated_at) VALUES (?, ?, ?, 'pack', ?)`,
				id, string(data), hash, tx.Now)
		}
		return err
	case err != nil:
		return err
	case oldHash == hash:
		rep.Unchanged++
		return nil
	case origin == "console":
		rep.Conflicts = append(rep.Conflicts, kind+":"+id)
		if _, err := tx.exec(ctx, `INSERT INTO content_conflicts (kind, object_id, pack_hash, detected_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, object_id, pack_hash) DO NOTHING`, kind, id, hash, tx.Now); err != nil {
			return err
		}
		// Remember this pack version so the same conflict is not reported
		// at every start.
		_, err = tx.exec(ctx, `UPDATE `+table+` SET pack_hash = ? WHERE id = ?`, hash, id)
		return err
	}
	rep.Updated++
	switch table {
	case "items":
		_, err = tx.exec(ctx, `UPDATE items SET type = ?, data = ?, pack_hash = ?, updated_at = ? WHERE id = ?`, extra, string(data), hash, tx.Now, id)
	case "pledge_options", "help_guides", "help_platforms":
		_, err = tx.exec(ctx, `UPDATE `+table+` SET position = ?, data = ?, pack_hash = ?, updated_at = ? WHERE id = ?`, extra, string(data), hash, tx.Now, id)
	default:
		_, err = tx.exec(ctx, `UPDATE quizzes SET data = ?, pack_hash = ?, updated_at = ? WHERE id = ?`, string(data), hash, tx.Now, id)
	}
	return err
}

// ContentConflict is a pack change that lost to an editor's change.
type ContentConflict struct {
	Kind, ObjectID string
	DetectedAt     time.Time
}

// ContentConflicts lists unresolved conflicts, newest first.
func (db *DB) ContentConflicts(ctx context.Context) ([]ContentConflict, error) {
	rows, err := db.query(ctx, `SELECT kind, object_id, detected_at FROM content_conflicts WHERE resolved_at IS NULL ORDER BY detected_at DESC, object_id`)
	if err != nil {
		return nil, fmt.Errorf("content conflicts: %w", err)
	}
	defer rows.Close()
	var out []ContentConflict
	for rows.Next() {
		var c ContentConflict
		if err := rows.Scan(&c.Kind, &c.ObjectID, &c.DetectedAt); err != nil {
			return nil, fmt.Errorf("content conflicts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Bank reads every published item and quiz.
func (db *DB) Bank(ctx context.Context) (*quiz.Bank, error) {
	var items []quiz.Item
	if err := db.readJSON(ctx, `SELECT data FROM items ORDER BY id`, func() any { items = append(items, quiz.Item{}); return &items[len(items)-1] }); err != nil {
		return nil, fmt.Errorf("bank: items: %w", err)
	}
	var quizzes []quiz.Quiz
	if err := db.readJSON(ctx, `SELECT data FROM quizzes ORDER BY id`, func() any { quizzes = append(quizzes, quiz.Quiz{}); return &quizzes[len(quizzes)-1] }); err != nil {
		return nil, fmt.Errorf("bank: quizzes: %w", err)
	}
	return quiz.NewBank(items, quizzes), nil
}

func (db *DB) readJSON(ctx context.Context, q string, next func() any) error {
	rows, err := db.query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(data), next()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CreateAttempt stores a new attempt.
func (db *DB) CreateAttempt(ctx context.Context, a quiz.Attempt) error {
	items, _ := json.Marshal(a.Items)
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO attempts (id, quiz_id, lang, event_id, station_id, items, started_at, last_active_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.QuizID, string(a.Lang), a.EventID, nullString(a.StationID), string(items), a.StartedAt.UTC(), a.LastActiveAt.UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("create attempt: %w", err)
	}
	return nil
}

// Attempt returns an attempt with its answers in order.
func (db *DB) Attempt(ctx context.Context, id string) (quiz.Attempt, error) {
	return db.attempt(ctx, id, "")
}

// AttemptForItem returns an attempt with only its answers to one item:
// all that checking a new answer to that item needs.
func (db *DB) AttemptForItem(ctx context.Context, id, itemID string) (quiz.Attempt, error) {
	return db.attempt(ctx, id, itemID)
}

func (db *DB) attempt(ctx context.Context, id, itemID string) (quiz.Attempt, error) {
	var a quiz.Attempt
	var lang, items string
	var station sql.NullString
	var finished sql.NullTime
	err := db.queryRow(ctx, `SELECT id, quiz_id, lang, event_id, station_id, items, started_at, last_active_at, finished_at, score, max_score
		FROM attempts WHERE id = ?`, id).Scan(&a.ID, &a.QuizID, &lang, &a.EventID, &station, &items, &a.StartedAt, &a.LastActiveAt, &finished, &a.Score, &a.MaxScore)
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.Attempt{}, &errs.Error{Code: errs.NotFound, Key: "error.attempt_not_found", Err: fmt.Errorf("attempt %q", id)}
	}
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("attempt: %w", err)
	}
	a.Lang, a.StationID = i18n.Lang(lang), station.String
	a.StartedAt, a.LastActiveAt = a.StartedAt.UTC(), a.LastActiveAt.UTC()
	if finished.Valid {
		t := finished.Time.UTC()
		a.FinishedAt = &t
	}
	if err := json.Unmarshal([]byte(items), &a.Items); err != nil {
		return quiz.Attempt{}, fmt.Errorf("attempt %s items: %w", id, err)
	}
	var rows *sql.Rows
	if itemID == "" {
		rows, err = db.query(ctx, `SELECT item_id, step, seq, response, correct, score, max_score, time_taken_ms, answered_at
		FROM answers WHERE attempt_id = ? ORDER BY seq`, id)
	} else {
		rows, err = db.query(ctx, `SELECT item_id, step, seq, response, correct, score, max_score, time_taken_ms, answered_at
		FROM answers WHERE attempt_id = ? AND item_id = ? ORDER BY seq`, id, itemID)
	}
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("attempt answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		an := quiz.Answer{AttemptID: id}
		var resp string
		var ms int64
		if err := rows.Scan(&an.ItemID, &an.Step, &an.Seq, &resp, &an.Correct, &an.Score, &an.MaxScore, &ms, &an.AnsweredAt); err != nil {
			return quiz.Attempt{}, fmt.Errorf("attempt answers: %w", err)
		}
		if err := json.Unmarshal([]byte(resp), &an.Response); err != nil {
			return quiz.Attempt{}, fmt.Errorf("attempt answers: %w", err)
		}
		an.TimeTaken = time.Duration(ms) * time.Millisecond
		an.AnsweredAt = an.AnsweredAt.UTC()
		a.Answers = append(a.Answers, an)
	}
	return a, rows.Err()
}

// RecordAnswer commits one answer before it returns. The insert itself
// checks that the attempt is still open and that this is the first answer
// to its item and step, so two racing submissions cannot both count.
// Answers are group-committed on SQLite (see grouped).
func (db *DB) RecordAnswer(ctx context.Context, an quiz.Answer) error {
	err := db.grouped(ctx, false, func(ctx context.Context, tx *Tx) error { return recordAnswer(ctx, tx, an) })
	if err != nil {
		return fmt.Errorf("record answer: %w", err)
	}
	return nil
}

func recordAnswer(ctx context.Context, tx *Tx, an quiz.Answer) error {
	resp, err := json.Marshal(an.Response)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `INSERT INTO answers (attempt_id, item_id, step, seq, response, correct, score, max_score, time_taken_ms, answered_at)
		SELECT a.id, ?, ?, (SELECT COUNT(*) + 1 FROM answers WHERE attempt_id = a.id), ?, ?, ?, ?, ?, ?
		FROM attempts a WHERE a.id = ? AND a.finished_at IS NULL
		ON CONFLICT (attempt_id, item_id, step) DO NOTHING`,
		an.ItemID, an.Step, string(resp), an.Correct, an.Score, an.MaxScore, an.TimeTaken.Milliseconds(), an.AnsweredAt.UTC(), an.AttemptID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var finished sql.NullTime
		err := tx.queryRow(ctx, `SELECT finished_at FROM attempts WHERE id = ?`, an.AttemptID).Scan(&finished)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errs.E(errs.NotFound, "error.attempt_not_found")
		case err != nil:
			return err
		case finished.Valid:
			return errs.E(errs.Conflict, "error.attempt_finished")
		}
		return errs.E(errs.Conflict, "error.already_answered")
	}
	_, err = tx.exec(ctx, `UPDATE attempts SET last_active_at = ?, score = score + ?, max_score = max_score + ? WHERE id = ?`,
		an.AnsweredAt.UTC(), an.Score, an.MaxScore, an.AttemptID)
	return err
}

// FinishAttempt marks an attempt finished (once; later calls keep the
// first time) and returns it.
func (db *DB) FinishAttempt(ctx context.Context, id string) (quiz.Attempt, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE attempts SET finished_at = COALESCE(finished_at, ?) WHERE id = ?`, tx.Now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "error.attempt_not_found")
		}
		return nil
	})
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("finish attempt: %w", err)
	}
	return db.Attempt(ctx, id)
}
