package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one recorded staff action.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string // staff email, or "system" / "cli"
	Action   string // e.g. "login.ok", "station.revoke"
	Object   string // e.g. "station:ab12cd34ef56"
	Detail   string
	PrevHash string
	Hash     string
}

// auditLockKey serialises appends on PostgreSQL so the chain has no forks.
const auditLockKey = 0x61756469746c6f67 // "auditlog"

// auditHash chains an entry to the one before it. Times are hashed as Unix
// microseconds, which both engines keep exactly.
func auditHash(e AuditEntry) string {
	h := sha256.New()
	for _, part := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UnixMicro(), 10), e.Actor, e.Action, e.Object, e.Detail} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends one entry to the log, chained to the last one.
func (db *DB) Audit(ctx context.Context, actor, action, object, detail string) error {
	err := db.inTx(ctx, func(tx *Tx) error { return appendAudit(ctx, tx, actor, action, object, detail) })
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// appendAudit records an entry inside a transaction that also makes the
// change it records, so a change is never without its entry.
func appendAudit(ctx context.Context, tx *Tx, actor, action, object, detail string) error {
	if err := tx.lock(ctx, auditLockKey); err != nil {
		return err
	}
	e := AuditEntry{At: tx.Now.Truncate(time.Microsecond), Actor: actor, Action: action, Object: object, Detail: detail}
	var last sql.NullInt64
	var prev sql.NullString
	err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	e.Seq, e.PrevHash = last.Int64+1, prev.String
	e.Hash = auditHash(e)
	_, err = tx.exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.Actor, e.Action, e.Object, e.Detail, e.PrevHash, e.Hash)
	return err
}

// AuditFilter narrows the log; empty fields match everything.
type AuditFilter struct {
	Actor, Action, Object string
	Since, Until          time.Time
	Limit                 int
}

// AuditEntries lists entries matching f, newest first.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action LIKE ?"), append(args, strings.ReplaceAll(f.Action, "%", "")+"%")
	}
	if f.Object != "" {
		where, args = append(where, "object = ?"), append(args, f.Object)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.Until.UTC())
	}
	q := `SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	q += " ORDER BY seq DESC LIMIT " + strconv.Itoa(limit)
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit entries: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole chain and reports every entry that was
// edited (its hash no longer matches), removed (a gap in the numbers, or a
// broken link), or inserted out of order. An empty list means intact.
func (db *DB) VerifyAudit(ctx context.Context) (entries int64, problems []string, err error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	var prevSeq int64
	prevHash := ""
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return 0, nil, fmt.Errorf("verify audit: %w", err)
		}
		entries++
		if e.Seq != prevSeq+1 {
			problems = append(problems, fmt.Sprintf("entries %d to %d are missing", prevSeq+1, e.Seq-1))
		}
		if e.PrevHash != prevHash {
			problems = append(problems, fmt.Sprintf("entry %d does not follow entry %d: one of them was changed or removed", e.Seq, prevSeq))
		}
		if auditHash(e) != e.Hash {
			problems = append(problems, fmt.Sprintf("entry %d was edited (%s %s %s)", e.Seq, e.Actor, e.Action, e.Object))
		}
		prevSeq, prevHash = e.Seq, e.Hash
	}
	return entries, problems, rows.Err()
}
