package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/notalone/notalone/internal/errs"
)

// The states of a moderated object. ModerationDecided is not a state of
// its own: ModerationQueue takes it to list approved and hidden together.
const (
	ModerationPending  = "pending"
	ModerationApproved = "approved"
	ModerationHidden   = "hidden"
	ModerationDecided  = "decided"
)

// ModerationItem is one object flagged for review: what it is (kind and
// id, e.g. "pledge" and the pledge's id), why it was flagged, and what an
// editor decided, by whom and when.
type ModerationItem struct {
	Kind, ObjectID string
	Reason         string
	// Text is what the visitor wrote that is under review (a pledge's
	// name), for the editor to read.
	Text      string
	EventID   string
	FlaggedAt time.Time
	State     string
	DecidedBy string     // staff email; empty while pending
	DecidedAt *time.Time // nil while pending
}

// maxModerationList bounds one listing of the queue.
const maxModerationList = 1000

// FlagForReview puts an object in the moderation queue. Flagging an object
// that is already pending changes nothing (so callers may flag on every
// save), nor does flagging one already hidden; an approved object flagged
// again goes back to the queue with the new reason.
func (db *DB) FlagForReview(ctx context.Context, kind, objectID, reason, eventID string) error {
	if err := checkModerationObject(kind, objectID); err != nil {
		return err
	}
	if eventID == "" {
		return &errs.Error{Code: errs.Invalid, Field: "event_id", Err: errors.New("flag for review: no event")}
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO moderation (kind, object_id, reason, event_id, flagged_at, state)
			VALUES (?, ?, ?, ?, ?, 'pending')
			ON CONFLICT (kind, object_id) DO UPDATE SET reason = excluded.reason, event_id = excluded.event_id,
				flagged_at = excluded.flagged_at, state = 'pending', decided_by = NULL, decided_at = NULL
			WHERE moderation.state = 'approved'`,
			kind, objectID, reason, eventID, tx.Now)
		return err
	})
	if err != nil {
		return fmt.Errorf("flag for review %s:%s: %w", kind, objectID, err)
	}
	return nil
}

// checkModerationObject refuses an empty or overlong kind or id (a bug in
// the caller: visitors never name these).
func checkModerationObject(kind, objectID string) error {
	if kind == "" || len(kind) > 32 {
		return &errs.Error{Code: errs.Invalid, Field: "kind", Err: fmt.Errorf("moderation: kind %q", kind)}
	}
	if objectID == "" || len(objectID) > 200 {
		return &errs.Error{Code: errs.Invalid, Field: "object_id", Err: fmt.Errorf("moderation: object id %q", objectID)}
	}
	return nil
}

// ModerationQueue lists objects in state: pending ones oldest flagged
// first (the order to work through them), approved or hidden ones — or
// both, with ModerationDecided — latest decision first. limit caps the
// list (at most 1000; 0 means 1000).
func (db *DB) ModerationQueue(ctx context.Context, state string, limit int) ([]ModerationItem, error) {
	if limit <= 0 || limit > maxModerationList {
		limit = maxModerationList
	}
	// Text joins what is under review: a pledge's name.
	const cols = `SELECT kind, object_id, reason, moderation.event_id, flagged_at, state, decided_by, decided_at, COALESCE(p.name, '')
		FROM moderation LEFT JOIN pledges p ON kind = 'pledge' AND p.id = object_id`
	var rows *sql.Rows
	var err error
	switch state {
	case ModerationPending:
		rows, err = db.query(ctx, cols+` WHERE state = 'pending' ORDER BY flagged_at, kind, object_id LIMIT ?`, limit)
	case ModerationApproved, ModerationHidden:
		rows, err = db.query(ctx, cols+` WHERE state = ? ORDER BY decided_at DESC, kind, object_id LIMIT ?`, state, limit)
	case ModerationDecided:
		rows, err = db.query(ctx, cols+` WHERE state <> 'pending' ORDER BY decided_at DESC, kind, object_id LIMIT ?`, limit)
	default:
		return nil, errs.Field("state", "error.moderation_state")
	}
	if err != nil {
		return nil, fmt.Errorf("moderation queue: %w", err)
	}
	defer rows.Close()
	var out []ModerationItem
	for rows.Next() {
		var it ModerationItem
		var by sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&it.Kind, &it.ObjectID, &it.Reason, &it.EventID, &it.FlaggedAt, &it.State, &by, &at, &it.Text); err != nil {
			return nil, fmt.Errorf("moderation queue: %w", err)
		}
		it.FlaggedAt = it.FlaggedAt.UTC()
		it.DecidedBy = by.String
		if at.Valid {
			t := at.Time.UTC()
			it.DecidedAt = &t
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation queue: %w", err)
	}
	return out, nil
}

// Decide approves or hides a flagged object (state is ModerationApproved
// or ModerationHidden), recording who and when, with an audit entry
// ("moderation.approve" or "moderation.hide") in the same transaction.
// Deciding again replaces the decision; the log keeps both.
func (db *DB) Decide(ctx context.Context, kind, objectID, state, actor string) error {
	var action string
	switch state {
	case ModerationApproved:
		action = "moderation.approve"
	case ModerationHidden:
		action = "moderation.hide"
	default:
		return errs.Field("state", "error.moderation_state")
	}
	if err := checkModerationObject(kind, objectID); err != nil {
		return &errs.Error{Code: errs.NotFound, Key: "error.moderation_not_found", Err: err}
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		var was string
		err := tx.queryRow(ctx, `SELECT state FROM moderation WHERE kind = ? AND object_id = ?`, kind, objectID).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) && kind == "pledge" && state == ModerationHidden {
			// Staff may hide any pledge, flagged or not.
			res, err := tx.exec(ctx, `INSERT INTO moderation (kind, object_id, reason, event_id, flagged_at, state, decided_by, decided_at)
				SELECT 'pledge', id, 'hidden by staff', event_id, ?, 'hidden', ?, ? FROM pledges WHERE id = ?`, tx.Now, actor, tx.Now, objectID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return appendAudit(ctx, tx, actor, action, kind+":"+objectID, "unflagged → hidden")
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			return &errs.Error{Code: errs.NotFound, Key: "error.moderation_not_found", Err: fmt.Errorf("%s:%s", kind, objectID)}
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE moderation SET state = ?, decided_by = ?, decided_at = ? WHERE kind = ? AND object_id = ?`,
			state, actor, tx.Now, kind, objectID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, action, kind+":"+objectID, was+" → "+state)
	})
	if err != nil {
		return fmt.Errorf("decide %s:%s: %w", kind, objectID, err)
	}
	return nil
}
