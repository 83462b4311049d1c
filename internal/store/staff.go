package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/staff"
)

func newStaffID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateStaff adds an account; an email already in use is a conflict.
func (db *DB) CreateStaff(ctx context.Context, email, name, passwordHash string, roles []staff.Role) (staff.Account, error) {
	a := staff.Account{ID: newStaffID(), Email: email, DisplayName: name, Roles: roles}
	err := db.inTx(ctx, func(tx *Tx) error {
		a.CreatedAt = tx.Now
		if _, err := tx.exec(ctx, `INSERT INTO staff (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.ID, email, name, passwordHash, tx.Now); err != nil {
			return err
		}
		return setRoles(ctx, tx, a.ID, roles)
	})
	if db.dialect.isUniqueViolation(err) {
		return staff.Account{}, &errs.Error{Code: errs.Conflict, Key: "error.staff_exists", Field: "email", Err: err}
	}
	if err != nil {
		return staff.Account{}, fmt.Errorf("create staff: %w", err)
	}
	return a, nil
}

func setRoles(ctx context.Context, tx *Tx, id string, roles []staff.Role) error {
	if _, err := tx.exec(ctx, `DELETE FROM staff_roles WHERE staff_id = ?`, id); err != nil {
		return err
	}
	for _, r := range slices.Compact(slices.Sorted(slices.Values(roles))) {
		if _, err := tx.exec(ctx, `INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)`, id, string(r)); err != nil {
			return err
		}
	}
	return nil
}

// SetStaffRoles replaces an account's roles, audited in the same
// transaction.
func (db *DB) SetStaffRoles(ctx context.Context, id string, roles []staff.Role, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, id); err != nil {
			return err
		}
		if err := setRoles(ctx, tx, id, roles); err != nil {
			return err
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		return appendAudit(ctx, tx, actor, "staff.roles", "staff:"+id, strings.Join(names, ","))
	})
	if err != nil {
		return fmt.Errorf("set roles: %w", err)
	}
	return nil
}

func mustExist(ctx context.Context, tx *Tx, id string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM staff WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &errs.Error{Code: errs.NotFound, Key: "error.staff_not_found", Err: fmt.Errorf("staff %q", id)}
	}
	return nil
}

const staffColumns = `id, email, display_name, totp_enabled, disabled_at, created_at, password_hash, totp_secret, totp_last_step, failed_logins, locked_until`

func (db *DB) credentials(ctx context.Context, where string, arg any) (staff.Credentials, error) {
	var c staff.Credentials
	var disabled, locked sql.NullTime
	err := db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where+` = ?`, arg).Scan(
		&c.ID, &c.Email, &c.DisplayName, &c.TOTPEnabled, &disabled, &c.CreatedAt, &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep, &c.FailedLogins, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return staff.Credentials{}, &errs.Error{Code: errs.NotFound, Key: "error.staff_not_found", Err: fmt.Errorf("staff %s %v", where, arg)}
	}
	if err != nil {
		return staff.Credentials{}, fmt.Errorf("staff: %w", err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	if disabled.Valid {
		t := disabled.Time.UTC()
		c.DisabledAt = &t
	}
	if locked.Valid {
		t := locked.Time.UTC()
		c.LockedUntil = &t
	}
	if c.Roles, c.Permissions, err = db.grants(ctx, c.ID); err != nil {
		return staff.Credentials{}, err
	}
	if c.Events, err = db.staffEvents(ctx, c.ID); err != nil {
		return staff.Credentials{}, err
	}
	return c, nil
}

func (db *DB) grants(ctx context.Context, id string) ([]staff.Role, []staff.Permission, error) {
	rows, err := db.query(ctx, `SELECT role FROM staff_roles WHERE staff_id = ? ORDER BY role`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("staff roles: %w", err)
	}
	var roles []staff.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return nil, nil, err
		}
		roles = append(roles, staff.Role(r))
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT permission FROM staff_permissions WHERE staff_id = ? ORDER BY permission`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("staff permissions: %w", err)
	}
	defer rows.Close()
	var perms []staff.Permission
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, nil, err
		}
		perms = append(perms, staff.Permission(p))
	}
	return roles, perms, rows.Err()
}

// CredentialsByEmail returns an account and what signing in checks.
func (db *DB) CredentialsByEmail(ctx context.Context, email string) (staff.Credentials, error) {
	return db.credentials(ctx, "email", email)
}

// CredentialsByID is CredentialsByEmail by id.
func (db *DB) CredentialsByID(ctx context.Context, id string) (staff.Credentials, error) {
	return db.credentials(ctx, "id", id)
}

// StaffList lists every account, by email.
func (db *DB) StaffList(ctx context.Context) ([]staff.Account, error) {
	rows, err := db.query(ctx, `SELECT id FROM staff ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("staff list: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]staff.Account, 0, len(ids))
	for _, id := range ids {
		c, err := db.CredentialsByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c.Account)
	}
	return out, nil
}

// SetStaffDisabled disables (or enables) an account, audited in the same
// transaction. Disabling ends its sessions and tokens at once.
func (db *DB) SetStaffDisabled(ctx context.Context, id string, disabled bool, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, id); err != nil {
			return err
		}
		var at any
		if disabled {
			at = tx.Now
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE staff_id = ?`, tx.Now, id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET disabled_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		action := "staff.enable"
		if disabled {
			action = "staff.disable"
		}
		return appendAudit(ctx, tx, actor, action, "staff:"+id, "")
	})
	if err != nil {
		return fmt.Errorf("disable staff: %w", err)
	}
	return nil
}

// SetPassword replaces an account's password hash, clears its lockout and
// ends its sessions except keep (the one that changed it, if any).
func (db *DB) SetPassword(ctx context.Context, id, hash, keep string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, hash, id); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE staff_id = ? AND token_hash <> ?`, id, keep)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// CountLoginFailure counts one sign-in attempt as failed before the
// password is checked (ResetLoginFailures undoes it on success), and locks
// the account for lockFor(failures). It refuses (allowed false) while the
// account is locked; the conditional UPDATE makes parallel attempts queue
// on the row, so none slips past a lock another has just set.
func (db *DB) CountLoginFailure(ctx context.Context, id string, now time.Time, lockFor func(int) time.Duration) (bool, error) {
	allowed := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE staff SET failed_logins = failed_logins + 1 WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)`, id, now.UTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		allowed = true
		var failures int
		if err := tx.queryRow(ctx, `SELECT failed_logins FROM staff WHERE id = ?`, id).Scan(&failures); err != nil {
			return err
		}
		if wait := lockFor(failures); wait > 0 {
			_, err = tx.exec(ctx, `UPDATE staff SET locked_until = ? WHERE id = ?`, now.UTC().Add(wait), id)
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("count login: %w", err)
	}
	return allowed, nil
}

// ResetLoginFailures clears the failure count after a successful sign-in.
func (db *DB) ResetLoginFailures(ctx context.Context, id string) error {
	return db.exec1(ctx, "login reset", `UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id)
}

// EnableTOTP stores a verified secret and the account's new recovery codes
// (hashed), replacing any earlier ones.
func (db *DB) EnableTOTP(ctx context.Context, id string, secret []byte, step int64, recoveryHashes []string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		// Only an account without a second factor enrols: replacing one
		// goes through DisableTOTP (an admin's reset) first.
		res, err := tx.exec(ctx, `UPDATE staff SET totp_secret = ?, totp_enabled = ?, totp_last_step = ? WHERE id = ? AND totp_enabled = ?`, secret, true, step, id, false)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "error.totp_enabled")
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE staff_id = ?`, id); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (staff_id, code_hash) VALUES (?, ?)`, id, h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enable totp: %w", err)
	}
	return nil
}

// UseTOTPStep records the time step of an accepted code; it fails (false)
// when that step or a later one was used already, so a code works once.
func (db *DB) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	return db.execChanged(ctx, "use totp", `UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
}

// UseRecoveryCode spends a recovery code; false when unknown or used.
func (db *DB) UseRecoveryCode(ctx context.Context, id, hash string) (bool, error) {
	return db.execChanged(ctx, "use recovery code", `UPDATE recovery_codes SET used_at = ? WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL`,
		db.Now().UTC(), id, hash)
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s staff.Session) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, staff_id, second_factor, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.TokenHash, s.StaffID, s.SecondFactor, s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns a session by its token hash.
func (db *DB) Session(ctx context.Context, tokenHash string) (staff.Session, error) {
	s := staff.Session{TokenHash: tokenHash}
	err := db.queryRow(ctx, `SELECT staff_id, second_factor, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.StaffID, &s.SecondFactor, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return staff.Session{}, errs.E(errs.Unauthorized, "")
	}
	if err != nil {
		return staff.Session{}, fmt.Errorf("session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return db.exec1(ctx, "touch session", `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, at.UTC(), tokenHash)
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.exec1(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
}

// DeleteStaffSessions ends every session of an account ("sign out
// everywhere").
func (db *DB) DeleteStaffSessions(ctx context.Context, staffID string) error {
	return db.exec1(ctx, "delete sessions", `DELETE FROM sessions WHERE staff_id = ?`, staffID)
}

// DisableTOTP removes an account's second factor and recovery codes (a
// lost phone), audited in the same transaction; accounts that need one set
// it up again at the next sign-in.
func (db *DB) DisableTOTP(ctx context.Context, id, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE staff SET totp_secret = NULL, totp_enabled = ?, totp_last_step = 0 WHERE id = ?`, false, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE staff_id = ?`, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "staff.reset-second-factor", "staff:"+id, "")
	})
	if err != nil {
		return fmt.Errorf("disable totp: %w", err)
	}
	return nil
}

// SetPermission grants or revokes a permission, recording who did it in the
// audit log in the same transaction.
func (db *DB) SetPermission(ctx context.Context, id string, p staff.Permission, grant bool, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, id); err != nil {
			return err
		}
		if grant {
			if _, err := tx.exec(ctx, `INSERT INTO staff_permissions (staff_id, permission, granted_by, granted_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (staff_id, permission) DO NOTHING`, id, string(p), actor, tx.Now); err != nil {
				return err
			}
			return appendAudit(ctx, tx, actor, "permission.grant", "staff:"+id, string(p))
		}
		if _, err := tx.exec(ctx, `DELETE FROM staff_permissions WHERE staff_id = ? AND permission = ?`, id, string(p)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "permission.revoke", "staff:"+id, string(p))
	})
	if err != nil {
		return fmt.Errorf("set permission: %w", err)
	}
	return nil
}

// APIToken is a per-account token for /api/v1/admin; only its hash is kept.
type APIToken struct {
	ID         string // the first 12 characters of the hash: shown, never secret
	StaffID    string
	Name       string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// CreateAPIToken stores a new token's hash for an account.
func (db *DB) CreateAPIToken(ctx context.Context, staffID, tokenHash, name, createdBy string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, staffID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO api_tokens (token_hash, staff_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash, staffID, name, createdBy, tx.Now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, createdBy, "token.issue", "staff:"+staffID, tokenHash[:12]+" "+name)
	})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// APITokenStaff returns the account of a live token and records its use.
func (db *DB) APITokenStaff(ctx context.Context, tokenHash string) (string, error) {
	var staffID string
	var last sql.NullTime
	err := db.queryRow(ctx, `SELECT staff_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash).Scan(&staffID, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.Unauthorized, "")
	}
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	// Record use at most once a minute: a script may call often.
	if now := db.Now().UTC(); !last.Valid || now.Sub(last.Time) > time.Minute {
		if err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`, tx.Now, tokenHash)
			return err
		}); err != nil {
			return "", fmt.Errorf("token: %w", err)
		}
	}
	return staffID, nil
}

// APITokens lists an account's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, staffID string) ([]APIToken, error) {
	rows, err := db.query(ctx, `SELECT token_hash, name, created_by, created_at, last_used_at, revoked_at FROM api_tokens WHERE staff_id = ? ORDER BY created_at DESC`, staffID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t := APIToken{StaffID: staffID}
		var hash string
		var used, revoked sql.NullTime
		if err := rows.Scan(&hash, &t.Name, &t.CreatedBy, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		t.ID = hash[:12]
		if used.Valid {
			u := used.Time.UTC()
			t.LastUsedAt = &u
		}
		if revoked.Valid {
			r := revoked.Time.UTC()
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token by its shown id.
func (db *DB) RevokeAPIToken(ctx context.Context, staffID, id, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE staff_id = ? AND substr(token_hash, 1, 12) = ?`, tx.Now, staffID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "error.token_not_found")
		}
		return appendAudit(ctx, tx, actor, "token.revoke", "staff:"+staffID, id)
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

func (db *DB) staffEvents(ctx context.Context, id string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT event_id FROM staff_events WHERE staff_id = ? ORDER BY event_id`, id)
	if err != nil {
		return nil, fmt.Errorf("staff events: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetStaffEvents replaces the events a desk member is assigned to, audited
// in the same transaction.
func (db *DB) SetStaffEvents(ctx context.Context, id string, eventIDs []string, actor string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := mustExist(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM staff_events WHERE staff_id = ?`, id); err != nil {
			return err
		}
		for _, e := range slices.Compact(slices.Sorted(slices.Values(eventIDs))) {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE id = ?`, e).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &errs.Error{Code: errs.Invalid, Key: "error.event_not_found", Field: "events", Err: fmt.Errorf("event %q", e)}
			}
			if _, err := tx.exec(ctx, `INSERT INTO staff_events (staff_id, event_id) VALUES (?, ?)`, id, e); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, actor, "staff.events", "staff:"+id, strings.Join(eventIDs, ","))
	})
	if err != nil {
		return fmt.Errorf("set staff events: %w", err)
	}
	return nil
}
