package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
)

// responderKeyName is the secrets row holding the responders' public key
// (PEM). The private key is never in the database.
const responderKeyName = "responder-public-key"

// ResponderPublicKey returns the responders' public key (PEM), or a
// NotFound error when none was set up: then no help request is taken.
func (db *DB) ResponderPublicKey(ctx context.Context) ([]byte, error) {
	var v []byte
	err := db.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, responderKeyName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.no_responder_key")
	}
	if err != nil {
		return nil, fmt.Errorf("responder key: %w", err)
	}
	return v, nil
}

// SetResponderPublicKey stores (or replaces) the responders' public key.
func (db *DB) SetResponderPublicKey(ctx context.Context, pemBytes []byte, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`, responderKeyName, pemBytes, tx.Now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "responder_key.set", "responder-key", "")
	})
	if err != nil {
		return fmt.Errorf("set responder key: %w", err)
	}
	return nil
}

// NewReport is a help request to store: its clear metadata, and its
// sealed parts (the caller encrypts; the store never sees plain text).
type NewReport struct {
	ID, Receipt, SecretHash       string
	EventID, StationID, Source    string
	Request                       help.Request // Description and Contact are ignored: they travel sealed
	Priority                      help.Priority
	Flags                         []string
	KeyID                         string
	SealedKey                     []byte
	Description, Contact          []byte // sealed; nil when empty
	Files                         []NewReportFile
	EvidenceBytes, EvidenceCapDay int64
}

// NewReportFile is one sealed evidence image and its sealed preview.
type NewReportFile struct {
	MIME          string
	Size          int
	Data, Preview []byte
}

// CreateReport stores a help request, its evidence and an anonymous count,
// in one transaction. Evidence is refused (TooLarge) when it would take
// today's total over the daily cap.
func (db *DB) CreateReport(ctx context.Context, r NewReport) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		day := tx.Now.Format("2006-01-02")
		if r.EvidenceBytes > 0 {
			var used int64
			err := tx.queryRow(ctx, `SELECT bytes FROM evidence_days WHERE day = ?`, day).Scan(&used)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if used+r.EvidenceBytes > r.EvidenceCapDay {
				return errs.E(errs.TooLarge, "error.report_evidence_cap")
			}
			if _, err := tx.exec(ctx, `INSERT INTO evidence_days (day, bytes) VALUES (?, ?)
				ON CONFLICT (day) DO UPDATE SET bytes = evidence_days.bytes + excluded.bytes`, day, r.EvidenceBytes); err != nil {
				return err
			}
		}
		q := r.Request
		if _, err := tx.exec(ctx, `INSERT INTO reports (id, receipt, secret_hash, event_id, station_id, source, topic, platform, happened,
				danger_now, asked_to_meet, isolated, age_band, consent, contact_kind, priority, flags, key_id, sealed_key, description, contact,
				status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?)`,
			r.ID, r.Receipt, r.SecretHash, r.EventID, nullString(r.StationID), r.Source, q.Topic, q.Platform, q.Happened,
			q.DangerNow, q.AskedToMeet, q.Isolated, q.AgeBand, q.Consent, q.ContactKind, int(r.Priority), strings.Join(r.Flags, ","),
			r.KeyID, r.SealedKey, r.Description, r.Contact, tx.Now, tx.Now); err != nil {
			return err
		}
		for i, f := range r.Files {
			if _, err := tx.exec(ctx, `INSERT INTO report_files (report_id, n, mime, size, data, preview) VALUES (?, ?, ?, ?, ?, ?)`,
				r.ID, i+1, f.MIME, f.Size, f.Data, f.Preview); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO report_counts (month, topic, priority, n) VALUES (?, ?, ?, 1)
			ON CONFLICT (month, topic, priority) DO UPDATE SET n = report_counts.n + 1`, tx.Now.Format("2006-01"), q.Topic, int(r.Priority))
		return err
	})
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	return nil
}

// ReportStatus is what a reporter may see: the status, the words a
// responder chose for them, and when it last changed.
type ReportStatus struct {
	Status, Message string
	UpdatedAt       time.Time
}

// ReportStatusFor returns the status of the request with this receipt when
// the secret matches. A wrong secret and an unknown receipt give the same
// NotFound error, after the same work.
func (db *DB) ReportStatusFor(ctx context.Context, receipt, secret string) (ReportStatus, error) {
	var st ReportStatus
	hash := help.HashSecret("") // compared against when the receipt is unknown
	err := db.queryRow(ctx, `SELECT status, public_message, updated_at, secret_hash FROM reports WHERE receipt = ?`, help.NormalReceipt(receipt)).
		Scan(&st.Status, &st.Message, &st.UpdatedAt, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ReportStatus{}, fmt.Errorf("report status: %w", err)
	}
	if !help.SecretMatches(secret, hash) || err != nil {
		return ReportStatus{}, errs.E(errs.NotFound, "error.report_not_found")
	}
	st.UpdatedAt = st.UpdatedAt.UTC()
	return st, nil
}

// CaseSummary is one line of the responders' inbox.
type CaseSummary struct {
	ID, Receipt, Topic, Platform, Status, AssignedTo string
	Priority                                         help.Priority
	Flags                                            []string
	DangerNow, ReviewDue                             bool
	CreatedAt, UpdatedAt                             time.Time
	EvidenceFiles                                    int
}

// Inbox lists open cases (or closed ones, with closed) by priority, then
// oldest first: the order to work through them.
func (db *DB) Inbox(ctx context.Context, closed bool, limit int) ([]CaseSummary, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	where := `status <> 'closed'`
	if closed {
		where = `status = 'closed'`
	}
	rows, err := db.query(ctx, `SELECT r.id, r.receipt, r.topic, r.platform, r.status, COALESCE(r.assigned_to, ''), r.priority, r.flags, r.danger_now,
		r.review_due, r.created_at, r.updated_at, (SELECT COUNT(*) FROM report_files f WHERE f.report_id = r.id)
		FROM reports r WHERE `+where+` ORDER BY r.priority DESC, r.created_at, r.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	var out []CaseSummary
	for rows.Next() {
		var c CaseSummary
		var prio int
		var flags string
		if err := rows.Scan(&c.ID, &c.Receipt, &c.Topic, &c.Platform, &c.Status, &c.AssignedTo, &prio, &flags, &c.DangerNow,
			&c.ReviewDue, &c.CreatedAt, &c.UpdatedAt, &c.EvidenceFiles); err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		c.Priority, c.Flags = help.Priority(prio), splitFlags(flags)
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// SealedCase is a case as stored: the clear metadata in Case, and the
// sealed parts for whoever holds the private key to open.
type SealedCase struct {
	help.Case
	KeyID                string
	SealedKey            []byte
	Description, Contact []byte
	Notes                []SealedNote
}

// SealedNote is a note as stored.
type SealedNote struct {
	help.Note
	Sealed []byte
}

// Case returns one case, sealed.
func (db *DB) Case(ctx context.Context, id string) (SealedCase, error) {
	var c SealedCase
	var station sql.NullString
	var assigned sql.NullString
	var closed sql.NullTime
	var prio int
	var flags string
	q := &c.Request
	err := db.queryRow(ctx, `SELECT id, receipt, event_id, station_id, source, topic, platform, happened, danger_now, asked_to_meet, isolated,
		age_band, consent, contact_kind, priority, flags, key_id, sealed_key, description, contact, status, close_reason, assigned_to,
		public_message, created_at, updated_at, closed_at, review_due FROM reports WHERE id = ?`, id).Scan(
		&c.ID, &c.Receipt, &c.EventID, &station, &c.Source, &q.Topic, &q.Platform, &q.Happened, &q.DangerNow, &q.AskedToMeet, &q.Isolated,
		&q.AgeBand, &q.Consent, &q.ContactKind, &prio, &flags, &c.KeyID, &c.SealedKey, &c.Description, &c.Contact, &c.Status, &c.CloseReason,
		&assigned, &c.PublicMessage, &c.CreatedAt, &c.UpdatedAt, &closed, &c.ReviewDue)
	if errors.Is(err, sql.ErrNoRows) {
		return SealedCase{}, errs.E(errs.NotFound, "error.case_not_found")
	}
	if err != nil {
		return SealedCase{}, fmt.Errorf("case: %w", err)
	}
	c.StationID, c.AssignedTo, c.Priority, c.Flags = station.String, assigned.String, help.Priority(prio), splitFlags(flags)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if closed.Valid {
		t := closed.Time.UTC()
		c.ClosedAt = &t
	}
	if err := db.caseDetails(ctx, &c); err != nil {
		return SealedCase{}, fmt.Errorf("case: %w", err)
	}
	return c, nil
}

// caseDetails reads a case's files, notes and referrals (one query at a
// time: see PledgeStats).
func (db *DB) caseDetails(ctx context.Context, c *SealedCase) error {
	rows, err := db.query(ctx, `SELECT n, mime, size FROM report_files WHERE report_id = ? ORDER BY n`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var f help.File
		if err := rows.Scan(&f.N, &f.MIME, &f.Size); err != nil {
			rows.Close()
			return err
		}
		c.Files = append(c.Files, f)
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT n, author, body, created_at FROM report_notes WHERE report_id = ? ORDER BY n`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n SealedNote
		if err := rows.Scan(&n.N, &n.Author, &n.Sealed, &n.CreatedAt); err != nil {
			rows.Close()
			return err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		c.Notes = append(c.Notes, n)
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT n, partner, shared, consent, override_reason, referred_by, referred_at FROM report_referrals WHERE report_id = ? ORDER BY n`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r help.Referral
		if err := rows.Scan(&r.N, &r.Partner, &r.Shared, &r.Consent, &r.OverrideReason, &r.By, &r.At); err != nil {
			return err
		}
		r.At = r.At.UTC()
		c.Referrals = append(c.Referrals, r)
	}
	return rows.Err()
}

// CaseFile returns an evidence file of a case, sealed (or its sealed
// preview).
func (db *DB) CaseFile(ctx context.Context, id string, n int, preview bool) (mime string, sealed []byte, err error) {
	col := "data"
	if preview {
		col = "preview"
	}
	err = db.queryRow(ctx, `SELECT mime, `+col+` FROM report_files WHERE report_id = ? AND n = ?`, id, n).Scan(&mime, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, errs.E(errs.NotFound, "error.case_file_not_found")
	}
	if err != nil {
		return "", nil, fmt.Errorf("case file: %w", err)
	}
	return mime, sealed, nil
}

// caseChange runs one audited change of a case and stamps updated_at.
func (db *DB) caseChange(ctx context.Context, id, actor, action, detail string, change func(tx *Tx) error) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE reports SET updated_at = ? WHERE id = ?`, tx.Now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "error.case_not_found")
		}
		if err := change(tx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, action, "case:"+id, detail)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// AssignCase gives a case to a responder ("" unassigns).
func (db *DB) AssignCase(ctx context.Context, id, to, actor string) error {
	return db.caseChange(ctx, id, actor, "case.assign", to, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE reports SET assigned_to = ? WHERE id = ?`, nullString(to), id)
		return err
	})
}

// SetCaseStatus moves a case to status, with a reason (required to close)
// and the words the reporter will see when they check.
func (db *DB) SetCaseStatus(ctx context.Context, id, status, reason, publicMessage, actor string) error {
	switch {
	case status == help.StatusClosed && strings.TrimSpace(reason) == "":
		return errs.Field("reason", "error.case_close_reason")
	case status != help.StatusNew && status != help.StatusTriaged && status != help.StatusReferred && status != help.StatusClosed:
		return errs.Field("status", "error.case_status")
	}
	return db.caseChange(ctx, id, actor, "case.status", status+": "+reason, func(tx *Tx) error {
		var closedAt any
		if status == help.StatusClosed {
			closedAt = tx.Now
		}
		_, err := tx.exec(ctx, `UPDATE reports SET status = ?, close_reason = ?, public_message = ?, closed_at = ?, review_due = false WHERE id = ?`,
			status, reason, publicMessage, closedAt, id)
		return err
	})
}

// AddCaseNote adds a sealed internal note.
func (db *DB) AddCaseNote(ctx context.Context, id, author string, sealed []byte) error {
	return db.caseChange(ctx, id, author, "case.note", "", func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO report_notes (report_id, n, author, body, created_at)
			SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ? FROM report_notes WHERE report_id = ?`, id, author, sealed, tx.Now, id)
		return err
	})
}

// AddReferral records a referral and marks the case referred. The caller
// has checked the grounds (the reporter's consent, or a responder with the
// referral_override permission and a reason).
func (db *DB) AddReferral(ctx context.Context, id string, r help.Referral) error {
	detail := r.Partner + " (" + r.Shared + ")"
	if !r.Consent {
		detail += "; without consent: " + r.OverrideReason
	}
	return db.caseChange(ctx, id, r.By, "case.refer", detail, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO report_referrals (report_id, n, partner, shared, consent, override_reason, referred_by, referred_at)
			SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ?, ?, ? FROM report_referrals WHERE report_id = ?`,
			id, r.Partner, r.Shared, r.Consent, r.OverrideReason, r.By, tx.Now, id); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE reports SET status = 'referred' WHERE id = ? AND status <> 'closed'`, id)
		return err
	})
}

// PurgeCases deletes closed cases closed before closedBefore — rows, files,
// notes and, with them, the sealed data keys — and marks open cases
// created before reviewBefore as due for review. Counts stay in
// report_counts.
func (db *DB) PurgeCases(ctx context.Context, closedBefore, reviewBefore time.Time) (purged, flagged int64, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM reports WHERE status = 'closed' AND closed_at < ?`, closedBefore)
		if err != nil {
			return err
		}
		purged, _ = res.RowsAffected()
		res, err = tx.exec(ctx, `UPDATE reports SET review_due = true WHERE status <> 'closed' AND created_at < ? AND NOT review_due`, reviewBefore)
		if err != nil {
			return err
		}
		flagged, _ = res.RowsAffected()
		if purged > 0 || flagged > 0 {
			return appendAudit(ctx, tx, "system", "case.purge", "reports", fmt.Sprintf("%d purged, %d due for review", purged, flagged))
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("purge cases: %w", err)
	}
	return purged, flagged, nil
}

// ResealCaseKeys re-seals every case's data key with reseal (a key
// rotation), in one transaction; it returns how many it changed.
func (db *DB) ResealCaseKeys(ctx context.Context, newKeyID string, reseal func(id string, sealed []byte) ([]byte, error)) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		n = 0
		rows, err := tx.tx.QueryContext(ctx, db.dialect.rebind(`SELECT id, sealed_key FROM reports WHERE key_id <> ?`), newKeyID)
		if err != nil {
			return err
		}
		type row struct {
			id     string
			sealed []byte
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		for _, r := range all {
			fresh, err := reseal(r.id, r.sealed)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE reports SET sealed_key = ?, key_id = ? WHERE id = ?`, fresh, newKeyID, r.id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reseal case keys: %w", err)
	}
	return n, nil
}

// ReportCounts returns the anonymous counts: month → topic → priority → n.
func (db *DB) ReportCounts(ctx context.Context) (map[string]map[string]map[help.Priority]int, error) {
	rows, err := db.query(ctx, `SELECT month, topic, priority, n FROM report_counts ORDER BY month, topic, priority`)
	if err != nil {
		return nil, fmt.Errorf("report counts: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]map[help.Priority]int{}
	for rows.Next() {
		var month, topic string
		var prio, n int
		if err := rows.Scan(&month, &topic, &prio, &n); err != nil {
			return nil, err
		}
		if out[month] == nil {
			out[month] = map[string]map[help.Priority]int{}
		}
		if out[month][topic] == nil {
			out[month][topic] = map[help.Priority]int{}
		}
		out[month][topic][help.Priority(prio)] = n
	}
	return out, rows.Err()
}

// RespondersReady reports whether anyone can read help requests here:
// a public key is set up and at least one active responder account has its
// second factor. Without both, the form is not offered.
func (db *DB) RespondersReady(ctx context.Context) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM secrets WHERE name = ?`, responderKeyName).Scan(&n)
	if err != nil || n == 0 {
		return false, err
	}
	err = db.queryRow(ctx, `SELECT COUNT(*) FROM staff s JOIN staff_roles r ON r.staff_id = s.id
		WHERE r.role = 'responder' AND s.disabled_at IS NULL AND s.totp_enabled`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("responders ready: %w", err)
	}
	return n > 0, nil
}

// CreatePartnerToken stores a partner platform's intake token (its hash).
func (db *DB) CreatePartnerToken(ctx context.Context, tokenHash, partner, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO partner_tokens (token_hash, partner, created_by, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, partner, actor, tx.Now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "partner_token.create", "partner:"+partner, "")
	})
	if err != nil {
		return fmt.Errorf("create partner token: %w", err)
	}
	return nil
}

// PartnerForToken returns the partner a live intake token belongs to.
func (db *DB) PartnerForToken(ctx context.Context, tokenHash string) (string, error) {
	var partner string
	err := db.queryRow(ctx, `SELECT partner FROM partner_tokens WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash).Scan(&partner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.Unauthorized, "")
	}
	if err != nil {
		return "", fmt.Errorf("partner token: %w", err)
	}
	return partner, nil
}
