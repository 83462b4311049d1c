package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/notalone/notalone/internal/errs"
)

// EventStats are the counts behind an event's live overview for staff.
// They are counts only: nothing in them points at a visitor.
type EventStats struct {
	EventID          string
	AttemptsStarted  int64
	AttemptsFinished int64
	// Scored is how many finished attempts had anything to score (a
	// maximum above 0): the attempts AveragePercent is taken over.
	Scored int64
	// AveragePercent is the mean, over those attempts, of each attempt's
	// score as a percentage of its maximum (each attempt counts the same,
	// however many questions it had); 0 when Scored is 0.
	AveragePercent float64
	// Answers counts every answer recorded (a scenario's steps each count).
	Answers int64
	// Pledges counts the pledges made at the event (hidden ones too: this
	// is activity, not the public wall); vouchers issued and redeemed, and
	// the souvenirs left at the desk.
	Pledges, VouchersIssued, VouchersRedeemed, StockLeft int64
}

// EventStats counts an event's attempts, answers, pledges, vouchers and
// stock in one read. An
// unknown event is not found (rather than all zeros).
func (db *DB) EventStats(ctx context.Context, eventID string) (EventStats, error) {
	s := EventStats{EventID: eventID}
	var avg sql.NullFloat64
	err := db.queryRow(ctx, `SELECT COUNT(a.id), COUNT(a.finished_at),
			COUNT(CASE WHEN a.finished_at IS NOT NULL AND a.max_score > 0 THEN 1 END),
			CAST(AVG(CASE WHEN a.finished_at IS NOT NULL AND a.max_score > 0 THEN 100.0 * a.score / a.max_score END) AS DOUBLE PRECISION),
			(SELECT COUNT(*) FROM answers n JOIN attempts b ON b.id = n.attempt_id WHERE b.event_id = ?),
			(SELECT COUNT(*) FROM pledges p WHERE p.event_id = ?),
			(SELECT COUNT(*) FROM vouchers v WHERE v.event_id = ?),
			(SELECT COUNT(redeemed_at) FROM vouchers v WHERE v.event_id = ?),
			(SELECT COALESCE(SUM(stock), 0) FROM souvenir_items i WHERE i.event_id = ?)
		FROM events e LEFT JOIN attempts a ON a.event_id = e.id
		WHERE e.id = ?
		GROUP BY e.id`, eventID, eventID, eventID, eventID, eventID, eventID).Scan(&s.AttemptsStarted, &s.AttemptsFinished, &s.Scored, &avg, &s.Answers,
		&s.Pledges, &s.VouchersIssued, &s.VouchersRedeemed, &s.StockLeft)
	if errors.Is(err, sql.ErrNoRows) {
		return EventStats{}, &errs.Error{Code: errs.NotFound, Key: "error.event_not_found", Err: fmt.Errorf("event %q", eventID)}
	}
	if err != nil {
		return EventStats{}, fmt.Errorf("event stats: %w", err)
	}
	s.AveragePercent = avg.Float64
	return s, nil
}
