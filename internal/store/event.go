package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
)

// CreateEvent stores a new event; an existing id is a conflict.
func (db *DB) CreateEvent(ctx context.Context, e event.Event) (event.Event, error) {
	if err := e.Validate(); err != nil {
		return event.Event{}, err
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		e.CreatedAt = tx.Now
		_, err := tx.exec(ctx, `INSERT INTO events (id, name, place, starts_on, ends_on, timezone, kiosk_idle_seconds, kiosk_quiz, attract_videos, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Name, e.Place, nullString(e.StartsOn), nullString(e.EndsOn), e.Timezone, e.KioskIdleSeconds, e.KioskQuiz, strings.Join(e.AttractVideos, ","), e.CreatedAt)
		return err
	})
	if db.dialect.isUniqueViolation(err) {
		return event.Event{}, &errs.Error{Code: errs.Conflict, Key: "error.event_exists", Field: "id", Err: err}
	}
	if err != nil {
		return event.Event{}, fmt.Errorf("create event: %w", err)
	}
	return e, nil
}

// UpdateEventSettings changes an event's name, place, dates, time zone
// and kiosk settings, attract videos included (its id stays).
func (db *DB) UpdateEventSettings(ctx context.Context, e event.Event) (event.Event, error) {
	if err := e.Validate(); err != nil {
		return event.Event{}, err
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE events SET name = ?, place = ?, starts_on = ?, ends_on = ?, timezone = ?, kiosk_idle_seconds = ?, kiosk_quiz = ?,
			attract_videos = ? WHERE id = ?`,
			e.Name, e.Place, nullString(e.StartsOn), nullString(e.EndsOn), e.Timezone, e.KioskIdleSeconds, e.KioskQuiz, strings.Join(e.AttractVideos, ","), e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Err: fmt.Errorf("event %q", e.ID)}
		}
		return nil
	})
	if err != nil {
		return event.Event{}, fmt.Errorf("update event: %w", err)
	}
	return db.Event(ctx, e.ID)
}

// EnsureDefaultEvent creates the "online" event on first start; running it
// again (or on several instances at once) changes nothing.
func (db *DB) EnsureDefaultEvent(ctx context.Context) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO events (id, name, place, timezone, created_at)
			VALUES (?, ?, '', 'Asia/Ho_Chi_Minh', ?) ON CONFLICT (id) DO NOTHING`,
			event.DefaultID, "Online", tx.Now)
		return err
	})
	if err != nil {
		return fmt.Errorf("ensure default event: %w", err)
	}
	return nil
}

const eventColumns = `id, name, place, starts_on, ends_on, timezone, kiosk_idle_seconds, kiosk_quiz, attract_videos, created_at`

func scanEvent(row interface{ Scan(...any) error }) (event.Event, error) {
	var e event.Event
	var starts, ends sql.NullString
	var videos string
	err := row.Scan(&e.ID, &e.Name, &e.Place, &starts, &ends, &e.Timezone, &e.KioskIdleSeconds, &e.KioskQuiz, &videos, &e.CreatedAt)
	e.StartsOn, e.EndsOn = starts.String, ends.String
	if videos != "" {
		e.AttractVideos = strings.Split(videos, ",")
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}

// Event returns one event.
func (db *DB) Event(ctx context.Context, id string) (event.Event, error) {
	e, err := scanEvent(db.queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return event.Event{}, &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Err: fmt.Errorf("event %q", id)}
	}
	if err != nil {
		return event.Event{}, fmt.Errorf("event %q: %w", id, err)
	}
	return e, nil
}

// Events lists every event, newest first.
func (db *DB) Events(ctx context.Context) ([]event.Event, error) {
	rows, err := db.query(ctx, `SELECT `+eventColumns+` FROM events ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// newStationID is short enough to read aloud at an event and random enough
// not to collide (60 bits); it is not a secret — setup links are signed.
func newStationID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:12]
}

// CreateStation adds a station to an existing event.
func (db *DB) CreateStation(ctx context.Context, eventID string, kind event.Kind, name string) (event.Station, error) {
	name, err := event.ValidateStationName(name)
	if err != nil {
		return event.Station{}, err
	}
	if _, err := event.ParseKind(string(kind)); err != nil {
		return event.Station{}, err
	}
	s := event.Station{ID: newStationID(), EventID: eventID, Kind: kind, Name: name}
	err = db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE id = ?`, eventID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Field: "event", Err: fmt.Errorf("event %q", eventID)}
		}
		s.CreatedAt = tx.Now
		_, err := tx.exec(ctx, `INSERT INTO stations (id, event_id, kind, name, created_at) VALUES (?, ?, ?, ?, ?)`,
			s.ID, s.EventID, string(s.Kind), s.Name, s.CreatedAt)
		return err
	})
	if err != nil {
		return event.Station{}, fmt.Errorf("create station: %w", err)
	}
	return s, nil
}

const stationColumns = `id, event_id, kind, name, created_at, revoked_at`

func scanStation(row interface{ Scan(...any) error }) (event.Station, error) {
	var s event.Station
	var kind string
	var revoked sql.NullTime
	err := row.Scan(&s.ID, &s.EventID, &kind, &s.Name, &s.CreatedAt, &revoked)
	s.Kind = event.Kind(kind)
	s.CreatedAt = s.CreatedAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		s.RevokedAt = &t
	}
	return s, err
}

// Station returns one station, revoked or not.
func (db *DB) Station(ctx context.Context, id string) (event.Station, error) {
	s, err := scanStation(db.queryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return event.Station{}, &errs.Error{Code: errs.NotFound, Key: "error.station_not_found", Err: fmt.Errorf("station %q", id)}
	}
	if err != nil {
		return event.Station{}, fmt.Errorf("station %q: %w", id, err)
	}
	return s, nil
}

// Stations lists an event's stations in the order they were added.
func (db *DB) Stations(ctx context.Context, eventID string) ([]event.Station, error) {
	rows, err := db.query(ctx, `SELECT `+stationColumns+` FROM stations WHERE event_id = ? ORDER BY created_at, id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("stations: %w", err)
	}
	defer rows.Close()
	var out []event.Station
	for rows.Next() {
		s, err := scanStation(rows)
		if err != nil {
			return nil, fmt.Errorf("stations: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RevokeStation ends a station: its setup link and every device bound to it
// stop working. Revoking twice keeps the first time.
func (db *DB) RevokeStation(ctx context.Context, id string) (event.Station, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE stations SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, tx.Now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &errs.Error{Code: errs.NotFound, Key: "error.station_not_found", Err: fmt.Errorf("station %q", id)}
		}
		return nil
	})
	if err != nil {
		return event.Station{}, fmt.Errorf("revoke station: %w", err)
	}
	return db.Station(ctx, id)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Secret returns the named shared secret, creating it with n random bytes
// the first time. Concurrent first calls on several instances agree on one
// value.
func (db *DB) Secret(ctx context.Context, name string, n int) ([]byte, error) {
	return db.GeneratedSecret(ctx, name, func() ([]byte, error) {
		fresh := make([]byte, n)
		_, err := rand.Read(fresh)
		return fresh, err
	})
}

// GeneratedSecret returns the named shared secret, making it with gen the
// first time (gen runs only when the secret is missing: making a key may
// be slow). Concurrent first calls on several instances agree on one value.
func (db *DB) GeneratedSecret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := db.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	fresh, err := gen()
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, fresh, tx.Now); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return v, nil
}

// Heartbeat records that an instance is alive.
func (db *DB) Heartbeat(ctx context.Context, instanceID, version string, startedAt time.Time) error {
	return db.exec1(ctx, "heartbeat", `INSERT INTO instances (id, version, started_at, seen_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, instanceID, version, startedAt.UTC(), db.Now().UTC())
}

// Instance is one running (or recently running) server process.
type Instance struct {
	ID        string
	Version   string
	StartedAt time.Time
	SeenAt    time.Time
}

// Instances lists instances seen since the given time.
func (db *DB) Instances(ctx context.Context, since time.Time) ([]Instance, error) {
	rows, err := db.query(ctx, `SELECT id, version, started_at, seen_at FROM instances WHERE seen_at >= ? ORDER BY started_at, id`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("instances: %w", err)
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		if err := rows.Scan(&in.ID, &in.Version, &in.StartedAt, &in.SeenAt); err != nil {
			return nil, fmt.Errorf("instances: %w", err)
		}
		in.StartedAt, in.SeenAt = in.StartedAt.UTC(), in.SeenAt.UTC()
		out = append(out, in)
	}
	return out, rows.Err()
}

// PruneInstances deletes instances not seen since before.
func (db *DB) PruneInstances(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM instances WHERE seen_at < ?`, before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune instances: %w", err)
	}
	return n, nil
}
