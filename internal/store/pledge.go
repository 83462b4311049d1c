package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
)

// PledgeOptions returns the published pledge options in the pack's order.
func (db *DB) PledgeOptions(ctx context.Context) ([]pledge.Option, error) {
	var out []pledge.Option
	err := db.readJSON(ctx, `SELECT data FROM pledge_options ORDER BY position, id`, func() any {
		out = append(out, pledge.Option{})
		return &out[len(out)-1]
	})
	if err != nil {
		return nil, fmt.Errorf("pledge options: %w", err)
	}
	return out, nil
}

// SavePledgeOptionDraft stores an edited option as its next version.
func (db *DB) SavePledgeOptionDraft(ctx context.Context, o pledge.Option, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "pledge_option", o.ID, o, author, note)
}

// PledgeOptionVersions lists an option's versions, newest first.
func (db *DB) PledgeOptionVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "pledge_option", id)
}

// PledgeOptionVersion returns one version of an option.
func (db *DB) PledgeOptionVersion(ctx context.Context, id string, version int) (ContentVersion, pledge.Option, error) {
	var o pledge.Option
	v, err := db.version(ctx, "pledge_option", id, version, &o)
	return v, o, err
}

// PublishPledgeOptionVersion makes a version the published option.
func (db *DB) PublishPledgeOptionVersion(ctx context.Context, id string, version int, author string) error {
	if _, _, err := db.PledgeOptionVersion(ctx, id, version); err != nil {
		return err
	}
	return db.publish(ctx, "pledge_option", id, version, author, `UPDATE pledge_options SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`)
}

// NewPledge is a pledge to store, with what the caller worked out.
type NewPledge struct {
	Pledge pledge.Pledge
	// IdempotencyKey (optional) makes a retry return the first pledge;
	// RequestHash tells a retry from a different request reusing a key.
	IdempotencyKey, RequestHash string
	// Flag is the block-list entry the name matched ("" if none): the
	// pledge is stored and its name held for an editor.
	Flag string
	// VoucherCode is a fresh code to issue if the pledge qualifies (made
	// on a kiosk station); empty means never.
	VoucherCode string
}

// CreatedPledge is the stored pledge and its voucher, if one was issued.
// Replayed says the idempotency key returned an earlier pledge.
type CreatedPledge struct {
	Pledge   pledge.Pledge
	Voucher  *pledge.Voucher
	Replayed bool
}

// CreatePledge stores a pledge, its choices, its moderation flag and its
// voucher together, and returns once they are durable. Pledges are
// group-committed on SQLite (see grouped).
func (db *DB) CreatePledge(ctx context.Context, n NewPledge) (CreatedPledge, error) {
	var out CreatedPledge
	err := db.grouped(ctx, true, func(ctx context.Context, tx *Tx) error {
		var err error
		out, err = createPledge(ctx, tx, n)
		return err
	})
	if err != nil && n.IdempotencyKey != "" && db.dialect.isUniqueViolation(err) {
		// Two instances took the same key at once: the other one won.
		out, err = db.replay(ctx, n)
	}
	if err != nil {
		return CreatedPledge{}, fmt.Errorf("create pledge: %w", err)
	}
	return out, nil
}

func createPledge(ctx context.Context, tx *Tx, n NewPledge) (CreatedPledge, error) {
	p := n.Pledge
	if n.IdempotencyKey != "" {
		var id, hash string
		err := tx.queryRow(ctx, `SELECT id, request_hash FROM pledges WHERE idempotency_key = ?`, n.IdempotencyKey).Scan(&id, &hash)
		switch {
		case err == nil && hash != n.RequestHash:
			return CreatedPledge{}, &errs.Error{Code: errs.Conflict, Key: "error.idempotency_reused", Err: errors.New("idempotency key reused for another request")}
		case err == nil:
			return replayIn(ctx, tx, id)
		case !errors.Is(err, sql.ErrNoRows):
			return CreatedPledge{}, err
		}
	}
	opts, err := json.Marshal(p.Options)
	if err != nil {
		return CreatedPledge{}, err
	}
	p.CreatedAt = tx.Now
	if _, err := tx.exec(ctx, `INSERT INTO pledges (id, event_id, station_id, attempt_id, lang, name, show_name, options, age_band, province,
			badge_salt, idempotency_key, request_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.EventID, nullString(p.StationID), nullString(p.AttemptID), string(p.Lang), p.Name, p.ShowName, string(opts),
		p.AgeBand, p.Province, p.BadgeSalt, nullString(n.IdempotencyKey), n.RequestHash, p.CreatedAt); err != nil {
		return CreatedPledge{}, err
	}
	for _, o := range p.Options {
		if _, err := tx.exec(ctx, `INSERT INTO pledge_choices (pledge_id, option_id, event_id) VALUES (?, ?, ?)`, p.ID, o, p.EventID); err != nil {
			return CreatedPledge{}, err
		}
	}
	if n.Flag != "" {
		if _, err := tx.exec(ctx, `INSERT INTO moderation (kind, object_id, reason, event_id, flagged_at, state) VALUES ('pledge', ?, ?, ?, ?, 'pending')`,
			p.ID, "name matches the block list: "+n.Flag, p.EventID, tx.Now); err != nil {
			return CreatedPledge{}, err
		}
		p.NameHeld = true
	}
	out := CreatedPledge{Pledge: p}
	if n.VoucherCode != "" && p.StationID != "" {
		v, err := issueVoucher(ctx, tx, p, n.VoucherCode)
		if err != nil {
			return CreatedPledge{}, err
		}
		out.Voucher = v
	}
	return out, nil
}

// issueVoucher gives p a voucher when its event has souvenirs left that
// no outstanding voucher already claims, the kiosk is under its hourly
// cap, and (if the event asks) p follows a quiz finished on that kiosk that
// has no voucher yet. Otherwise it issues none: that is not an error.
func issueVoucher(ctx context.Context, tx *Tx, p pledge.Pledge, code string) (*pledge.Voucher, error) {
	// Stock and outstanding vouchers are counted together: on PostgreSQL,
	// two kiosks of one event must not both take the last souvenir.
	if err := tx.lock(ctx, voucherLockKey(p.EventID)); err != nil {
		return nil, err
	}
	var needsQuiz bool
	var perHour int
	if err := tx.queryRow(ctx, `SELECT voucher_needs_quiz, vouchers_per_station_hour FROM events WHERE id = ?`, p.EventID).Scan(&needsQuiz, &perHour); err != nil {
		return nil, err
	}
	var stock, outstanding, lastHour int
	if err := tx.queryRow(ctx, `SELECT COALESCE(SUM(stock), 0) FROM souvenir_items WHERE event_id = ?`, p.EventID).Scan(&stock); err != nil {
		return nil, err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM vouchers WHERE event_id = ? AND redeemed_at IS NULL`, p.EventID).Scan(&outstanding); err != nil {
		return nil, err
	}
	if stock-outstanding <= 0 {
		return nil, nil
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM vouchers WHERE station_id = ? AND issued_at > ?`, p.StationID, tx.Now.Add(-time.Hour)).Scan(&lastHour); err != nil {
		return nil, err
	}
	if lastHour >= perHour {
		return nil, nil
	}
	var attempt any
	if needsQuiz {
		if p.AttemptID == "" {
			return nil, nil
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM attempts a WHERE a.id = ? AND a.station_id = ? AND a.finished_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.attempt_id = a.id)`, p.AttemptID, p.StationID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		attempt = p.AttemptID
	}
	if _, err := tx.exec(ctx, `INSERT INTO vouchers (code, pledge_id, event_id, station_id, attempt_id, issued_at) VALUES (?, ?, ?, ?, ?, ?)`,
		code, p.ID, p.EventID, p.StationID, attempt, tx.Now); err != nil {
		return nil, err
	}
	return &pledge.Voucher{Code: code, PledgeID: p.ID, EventID: p.EventID, StationID: p.StationID, IssuedAt: tx.Now}, nil
}

// voucherLockKey is the advisory lock of one event's vouchers.
func voucherLockKey(eventID string) int64 {
	sum := sha256.Sum256([]byte("vouchers:" + eventID))
	var k int64
	for _, b := range sum[:8] {
		k = k<<8 | int64(b)
	}
	return k
}

// replay returns the pledge an idempotency key made.
func (db *DB) replay(ctx context.Context, n NewPledge) (CreatedPledge, error) {
	var id, hash string
	if err := db.queryRow(ctx, `SELECT id, request_hash FROM pledges WHERE idempotency_key = ?`, n.IdempotencyKey).Scan(&id, &hash); err != nil {
		return CreatedPledge{}, err
	}
	if hash != n.RequestHash {
		return CreatedPledge{}, &errs.Error{Code: errs.Conflict, Key: "error.idempotency_reused", Err: errors.New("idempotency key reused for another request")}
	}
	p, err := db.Pledge(ctx, id)
	if err != nil {
		return CreatedPledge{}, err
	}
	v, err := db.PledgeVoucher(ctx, id)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return CreatedPledge{}, err
	}
	out := CreatedPledge{Pledge: p, Replayed: true}
	if err == nil {
		out.Voucher = &v
	}
	return out, nil
}

func replayIn(ctx context.Context, tx *Tx, id string) (CreatedPledge, error) {
	p, err := scanPledge(tx.queryRow(ctx, pledgeQuery, id))
	if err != nil {
		return CreatedPledge{}, err
	}
	out := CreatedPledge{Pledge: p, Replayed: true}
	v, err := scanVoucher(tx.queryRow(ctx, voucherQuery, id))
	switch {
	case err == nil:
		out.Voucher = &v
	case !errors.Is(err, sql.ErrNoRows):
		return CreatedPledge{}, err
	}
	return out, nil
}

// pledgeQuery reads a pledge with its moderation state.
const pledgeQuery = `SELECT p.id, p.event_id, p.station_id, p.attempt_id, p.lang, p.name, p.show_name, p.options, p.age_band, p.province,
	p.badge_salt, p.created_at, m.state
	FROM pledges p LEFT JOIN moderation m ON m.kind = 'pledge' AND m.object_id = p.id
	WHERE p.id = ?`

func scanPledge(row interface{ Scan(...any) error }) (pledge.Pledge, error) {
	var p pledge.Pledge
	var station, attempt, state sql.NullString
	var lang, opts string
	if err := row.Scan(&p.ID, &p.EventID, &station, &attempt, &lang, &p.Name, &p.ShowName, &opts, &p.AgeBand, &p.Province,
		&p.BadgeSalt, &p.CreatedAt, &state); err != nil {
		return pledge.Pledge{}, err
	}
	p.StationID, p.AttemptID, p.Lang = station.String, attempt.String, i18n.Lang(lang)
	p.CreatedAt = p.CreatedAt.UTC()
	if err := json.Unmarshal([]byte(opts), &p.Options); err != nil {
		return pledge.Pledge{}, fmt.Errorf("pledge %s options: %w", p.ID, err)
	}
	moderated(&p, state.String)
	return p, nil
}

// moderated applies a moderation state: a name waiting for an editor is
// held; a hidden pledge is gone from every public place.
func moderated(p *pledge.Pledge, state string) {
	switch state {
	case ModerationPending:
		p.NameHeld = true
	case ModerationHidden:
		p.NameHeld, p.Hidden = true, true
	}
}

// Pledge returns one pledge.
func (db *DB) Pledge(ctx context.Context, id string) (pledge.Pledge, error) {
	if !pledge.ValidID(id) {
		return pledge.Pledge{}, errs.E(errs.NotFound, "error.pledge_not_found")
	}
	p, err := scanPledge(db.queryRow(ctx, pledgeQuery, id))
	if errors.Is(err, sql.ErrNoRows) {
		return pledge.Pledge{}, &errs.Error{Code: errs.NotFound, Key: "error.pledge_not_found", Err: fmt.Errorf("pledge %q", id)}
	}
	if err != nil {
		return pledge.Pledge{}, fmt.Errorf("pledge: %w", err)
	}
	return p, nil
}

const voucherQuery = `SELECT code, pledge_id, event_id, station_id, issued_at, redeemed_at FROM vouchers WHERE pledge_id = ?`

func scanVoucher(row interface{ Scan(...any) error }) (pledge.Voucher, error) {
	var v pledge.Voucher
	var redeemed sql.NullTime
	if err := row.Scan(&v.Code, &v.PledgeID, &v.EventID, &v.StationID, &v.IssuedAt, &redeemed); err != nil {
		return pledge.Voucher{}, err
	}
	v.IssuedAt = v.IssuedAt.UTC()
	if redeemed.Valid {
		t := redeemed.Time.UTC()
		v.RedeemedAt = &t
	}
	return v, nil
}

// PledgeVoucher returns the voucher issued with a pledge.
func (db *DB) PledgeVoucher(ctx context.Context, pledgeID string) (pledge.Voucher, error) {
	v, err := scanVoucher(db.queryRow(ctx, voucherQuery, pledgeID))
	if errors.Is(err, sql.ErrNoRows) {
		return pledge.Voucher{}, errs.E(errs.NotFound, "error.voucher_not_found")
	}
	if err != nil {
		return pledge.Voucher{}, fmt.Errorf("pledge voucher: %w", err)
	}
	return v, nil
}

// PledgeStats counts pledges that are not hidden, in total and per
// option: at one event, or everywhere when eventID is "".
type PledgeStats struct {
	Total    int            `json:"total"`
	ByOption map[string]int `json:"by_option"`
}

// PledgeStats counts the pledges of an event ("" for every event).
func (db *DB) PledgeStats(ctx context.Context, eventID string) (PledgeStats, error) {
	st := PledgeStats{ByOption: map[string]int{}}
	const notHidden = ` AND NOT EXISTS (SELECT 1 FROM moderation m WHERE m.kind = 'pledge' AND m.object_id = %s AND m.state = 'hidden')`
	// One query at a time: a *sql.Row holds its connection until Scan, and
	// two held at once by many callers would drain the reader pool.
	scope := func(column string) string {
		if eventID == "" {
			return ""
		}
		return " AND " + column + " = ?"
	}
	var args []any
	if eventID != "" {
		args = []any{eventID}
	}
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM pledges p WHERE 1 = 1`+scope("p.event_id")+fmt.Sprintf(notHidden, "p.id"), args...).Scan(&st.Total)
	if err != nil {
		return PledgeStats{}, fmt.Errorf("pledge stats: %w", err)
	}
	rows, err := db.query(ctx, `SELECT c.option_id, COUNT(*) FROM pledge_choices c WHERE 1 = 1`+scope("c.event_id")+fmt.Sprintf(notHidden, "c.pledge_id")+` GROUP BY c.option_id`, args...)
	if err != nil {
		return PledgeStats{}, fmt.Errorf("pledge stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return PledgeStats{}, fmt.Errorf("pledge stats: %w", err)
		}
		st.ByOption[id] = n
	}
	if err := rows.Err(); err != nil {
		return PledgeStats{}, fmt.Errorf("pledge stats: %w", err)
	}
	return st, nil
}

// maxRecentPledges bounds one listing of recent pledges.
const maxRecentPledges = 200

// RecentPledges lists the newest pledges of an event ("" for every
// event), hidden ones included only when withHidden (the console's list).
func (db *DB) RecentPledges(ctx context.Context, eventID string, limit int, withHidden bool) ([]pledge.Pledge, error) {
	if limit <= 0 || limit > maxRecentPledges {
		limit = maxRecentPledges
	}
	q := `SELECT p.id, p.event_id, p.station_id, p.attempt_id, p.lang, p.name, p.show_name, p.options, p.age_band, p.province,
		p.badge_salt, p.created_at, m.state
		FROM pledges p LEFT JOIN moderation m ON m.kind = 'pledge' AND m.object_id = p.id WHERE (? = '' OR p.event_id = ?)`
	if !withHidden {
		q += ` AND (m.state IS NULL OR m.state <> 'hidden')`
	}
	q += ` ORDER BY p.created_at DESC, p.id LIMIT ?`
	rows, err := db.query(ctx, q, eventID, eventID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent pledges: %w", err)
	}
	defer rows.Close()
	var out []pledge.Pledge
	for rows.Next() {
		p, err := scanPledge(rows)
		if err != nil {
			return nil, fmt.Errorf("recent pledges: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RevokedPledge is a hidden pledge: its badge is revoked.
type RevokedPledge struct {
	ID        string
	RevokedAt time.Time
}

// RevokedPledges lists every hidden pledge, newest decision first.
func (db *DB) RevokedPledges(ctx context.Context) ([]RevokedPledge, error) {
	rows, err := db.query(ctx, `SELECT object_id, decided_at FROM moderation WHERE kind = 'pledge' AND state = 'hidden' ORDER BY decided_at DESC, object_id`)
	if err != nil {
		return nil, fmt.Errorf("revoked pledges: %w", err)
	}
	defer rows.Close()
	var out []RevokedPledge
	for rows.Next() {
		var r RevokedPledge
		var at sql.NullTime
		if err := rows.Scan(&r.ID, &at); err != nil {
			return nil, fmt.Errorf("revoked pledges: %w", err)
		}
		r.RevokedAt = at.Time.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Souvenirs returns an event's souvenir items and voucher rules.
func (db *DB) Souvenirs(ctx context.Context, eventID string) (pledge.Souvenirs, error) {
	var s pledge.Souvenirs
	err := db.queryRow(ctx, `SELECT voucher_needs_quiz, vouchers_per_station_hour FROM events WHERE id = ?`, eventID).Scan(&s.Rules.NeedsQuiz, &s.Rules.PerStationHour)
	if errors.Is(err, sql.ErrNoRows) {
		return s, &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Err: fmt.Errorf("event %q", eventID)}
	}
	if err != nil {
		return s, fmt.Errorf("souvenirs: %w", err)
	}
	s.Items, err = souvenirItems(ctx, db.query, eventID)
	if err != nil {
		return s, fmt.Errorf("souvenirs: %w", err)
	}
	return s, nil
}

func souvenirItems(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), eventID string) ([]pledge.SouvenirItem, error) {
	rows, err := query(ctx, `SELECT id, name_vi, name_en, stock FROM souvenir_items WHERE event_id = ? ORDER BY position, id`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pledge.SouvenirItem
	for rows.Next() {
		var it pledge.SouvenirItem
		if err := rows.Scan(&it.ID, &it.Name.VI, &it.Name.EN, &it.Stock); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SetSouvenirs replaces an event's souvenir items (with their stock) and
// voucher rules; the change is audited.
func (db *DB) SetSouvenirs(ctx context.Context, eventID string, s pledge.Souvenirs, actor string) error {
	if err := s.Check(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, voucherLockKey(eventID)); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE events SET voucher_needs_quiz = ?, vouchers_per_station_hour = ? WHERE id = ?`,
			s.Rules.NeedsQuiz, s.Rules.PerStationHour, eventID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Err: fmt.Errorf("event %q", eventID)}
		}
		if _, err := tx.exec(ctx, `DELETE FROM souvenir_items WHERE event_id = ?`, eventID); err != nil {
			return err
		}
		var summary []string
		for i, it := range s.Items {
			if _, err := tx.exec(ctx, `INSERT INTO souvenir_items (event_id, id, name_vi, name_en, stock, position) VALUES (?, ?, ?, ?, ?, ?)`,
				eventID, it.ID, it.Name.VI, it.Name.EN, it.Stock, i); err != nil {
				return err
			}
			summary = append(summary, fmt.Sprintf("%s=%d", it.ID, it.Stock))
		}
		return appendAudit(ctx, tx, actor, "event.souvenirs", "event:"+eventID,
			fmt.Sprintf("needs quiz %t, %d per kiosk-hour, stock %v", s.Rules.NeedsQuiz, s.Rules.PerStationHour, summary))
	})
	if err != nil {
		return fmt.Errorf("set souvenirs: %w", err)
	}
	return nil
}

// Redeem is a scan at the souvenir desk.
type Redeem struct {
	Code string // canonical (pledge.ParseVoucherCode)
	// EventID is the event the desk serves; a code of another event is
	// refused, not redeemed.
	EventID string
	// ItemID is the souvenir handed over; "" takes the first item in
	// stock.
	ItemID string
	// By is the staff member's email; StationID the desk station, if the
	// device is one.
	By, StationID string
}

// RedeemVoucher redeems a code at most once, however many desks scan it at
// the same moment: the conditional update lets exactly one win, and the
// stock decrement in the same transaction undoes the win when the item
// has run out.
func (db *DB) RedeemVoucher(ctx context.Context, r Redeem) (pledge.Redemption, error) {
	out := pledge.Redemption{Code: r.Code, EventID: r.EventID}
	err := db.inTx(ctx, func(tx *Tx) error {
		out = pledge.Redemption{Code: r.Code, EventID: r.EventID}
		var eventID string
		err := tx.queryRow(ctx, `SELECT event_id FROM vouchers WHERE code = ?`, r.Code).Scan(&eventID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			out.Outcome = pledge.UnknownCode
			return nil
		case err != nil:
			return err
		case eventID != r.EventID:
			out.Outcome = pledge.OtherEvent
			return nil
		}
		item := r.ItemID
		if item == "" {
			err := tx.queryRow(ctx, `SELECT id FROM souvenir_items WHERE event_id = ? AND stock > 0 ORDER BY position, id LIMIT 1`, r.EventID).Scan(&item)
			if errors.Is(err, sql.ErrNoRows) {
				item = ""
			} else if err != nil {
				return err
			}
		}
		res, err := tx.exec(ctx, `UPDATE vouchers SET redeemed_at = ?, redeemed_by = ?, redeemed_station = ?, item_id = ?
			WHERE code = ? AND redeemed_at IS NULL`, tx.Now, r.By, nullString(r.StationID), item, r.Code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out.Outcome = pledge.AlreadyRedeemed
			return nil
		}
		res, err = tx.exec(ctx, `UPDATE souvenir_items SET stock = stock - 1 WHERE event_id = ? AND id = ? AND stock > 0`, r.EventID, item)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out.Outcome = pledge.OutOfStock
			return errOutOfStock // undo the redemption: the visitor keeps the voucher
		}
		out.Outcome = pledge.Redeemed
		return appendAudit(ctx, tx, r.By, "voucher.redeem", "event:"+r.EventID, "item "+item)
	})
	if errors.Is(err, errOutOfStock) {
		err = nil
	}
	if err != nil {
		return pledge.Redemption{}, fmt.Errorf("redeem voucher: %w", err)
	}
	if out.Outcome == pledge.AlreadyRedeemed || out.Outcome == pledge.Redeemed {
		if err := db.redemptionDetails(ctx, &out); err != nil {
			return pledge.Redemption{}, err
		}
	}
	if out.Items, err = souvenirItems(ctx, db.query, r.EventID); err != nil {
		return pledge.Redemption{}, fmt.Errorf("redeem voucher: %w", err)
	}
	return out, nil
}

var errOutOfStock = errors.New("out of stock")

// redemptionDetails fills in when, where and by whom a code was redeemed.
func (db *DB) redemptionDetails(ctx context.Context, out *pledge.Redemption) error {
	var at sql.NullTime
	var by, item, where sql.NullString
	err := db.queryRow(ctx, `SELECT v.redeemed_at, v.redeemed_by, v.item_id, COALESCE(s.name, e.name)
		FROM vouchers v JOIN events e ON e.id = v.event_id
		LEFT JOIN stations s ON s.id = v.redeemed_station
		WHERE v.code = ?`, out.Code).Scan(&at, &by, &item, &where)
	if err != nil {
		return fmt.Errorf("redemption: %w", err)
	}
	if at.Valid {
		t := at.Time.UTC()
		out.RedeemedAt = &t
	}
	out.By, out.Item, out.Where = by.String, item.String, where.String
	return nil
}
