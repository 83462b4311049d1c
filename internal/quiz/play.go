package quiz

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"slices"
	"sync/atomic"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
)

// Store is what play needs from the database. RecordAnswer commits before
// it returns: an acknowledged answer is durable.
type Store interface {
	CreateAttempt(ctx context.Context, a Attempt) error
	Attempt(ctx context.Context, id string) (Attempt, error)
	// AttemptForItem is Attempt with only the answers to one item.
	AttemptForItem(ctx context.Context, id, itemID string) (Attempt, error)
	RecordAnswer(ctx context.Context, a Answer) error
	FinishAttempt(ctx context.Context, id string) (Attempt, error)
}

// Play runs attempts: the one place where the rules of play live, shared by
// the web pages and the JSON API.
type Play struct {
	Store  Store
	Tokens *SegmentTokens
	Now    func() time.Time
	// Notify, when set, is told the event of every attempt started,
	// answered or finished, after the store has committed it (live
	// overviews follow it). It must return quickly and never fail play.
	Notify func(ctx context.Context, eventID string)
	bank   atomic.Pointer[Bank]
}

// NewPlay returns a Play over bank.
func NewPlay(s Store, bank *Bank, tokens *SegmentTokens) *Play {
	p := &Play{Store: s, Tokens: tokens, Now: func() time.Time { return time.Now().UTC() }}
	p.bank.Store(bank)
	return p
}

// Bank returns the current bank.
func (p *Play) Bank() *Bank { return p.bank.Load() }

// SetBank replaces the bank (after content changes).
func (p *Play) SetBank(b *Bank) { p.bank.Store(b) }

// newID is 128 random bits: attempt ids are capabilities (whoever has one
// can answer), so they must not be guessable.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Start begins an attempt on device; a drawn quiz's items are fixed here.
func (p *Play) Start(ctx context.Context, quizID string, lang i18n.Lang, device event.Device) (Attempt, error) {
	bank := p.Bank()
	q := bank.Quiz(quizID)
	if q == nil {
		return Attempt{}, errs.E(errs.NotFound, "error.quiz_not_found")
	}
	now := p.Now()
	a := Attempt{ID: newID(), QuizID: q.ID, Lang: lang, EventID: device.Event.ID, StartedAt: now, LastActiveAt: now}
	if device.Station != nil {
		a.StationID = device.Station.ID
	}
	a.Items = bank.Draw(q)
	if err := p.Store.CreateAttempt(ctx, a); err != nil {
		return Attempt{}, err
	}
	p.notify(ctx, a.EventID)
	return a, nil
}

// Outcome is a recorded answer with what the caller needs to show it.
type Outcome struct {
	Result
	Item    *Item
	Attempt Attempt // as it was before this answer, with its answers to Item only
}

// Answer checks and records one answer. For spot-flags items, segments are
// the opaque tokens the page showed.
func (p *Play) Answer(ctx context.Context, attemptID, itemID, step string, r Response) (Outcome, error) {
	res, it, a, err := p.answer(ctx, attemptID, itemID, step, r)
	if err == nil {
		p.notify(ctx, a.EventID)
	}
	return Outcome{Result: res, Item: it, Attempt: a}, err
}

func (p *Play) answer(ctx context.Context, attemptID, itemID, step string, r Response) (Result, *Item, Attempt, error) {
	fail := func(err error) (Result, *Item, Attempt, error) { return Result{}, nil, Attempt{}, err }
	a, err := p.Store.AttemptForItem(ctx, attemptID, itemID)
	if err != nil {
		return fail(err)
	}
	if a.Finished() {
		return fail(errs.E(errs.Conflict, "error.attempt_finished"))
	}
	if !slices.Contains(a.Items, itemID) {
		return fail(errs.Field("item_id", "error.item_not_in_attempt"))
	}
	it := p.Bank().Item(itemID)
	if it == nil {
		return fail(errs.Field("item_id", "error.item_not_in_attempt"))
	}
	if it.Type == Scenario {
		if slices.ContainsFunc(a.answersFor(itemID), func(an Answer) bool { return an.Step == step }) {
			return fail(errs.E(errs.Conflict, "error.already_answered"))
		}
		want, done := a.nextStep(it)
		if done {
			return fail(errs.E(errs.Conflict, "error.already_answered"))
		}
		if step != want {
			return fail(errs.Field("step", "error.step_out_of_order"))
		}
	} else {
		if step != "" {
			return fail(errs.Field("step", "error.step_not_expected"))
		}
		if len(a.answersFor(itemID)) > 0 {
			return fail(errs.E(errs.Conflict, "error.already_answered"))
		}
	}
	if it.Type == SpotFlags && r.Segments != nil {
		ids, ok := p.Tokens.Resolve(it, r.Segments)
		if !ok {
			return fail(errs.Field("response", "error.response_unknown_segment"))
		}
		r.Segments = ids
	}
	res, err := it.Score(step, r)
	if err != nil {
		return fail(err)
	}
	now := p.Now()
	err = p.Store.RecordAnswer(ctx, Answer{
		AttemptID: a.ID, ItemID: itemID, Step: step, Response: r,
		Correct: res.Correct, Score: res.Score, MaxScore: res.MaxScore,
		TimeTaken: max(0, now.Sub(a.LastActiveAt)), AnsweredAt: now,
	})
	if err != nil {
		return fail(err)
	}
	return res, it, a, nil
}

// Finish closes an attempt and sums it up; finishing again returns the
// same summary.
func (p *Play) Finish(ctx context.Context, attemptID string) (Summary, error) {
	a, err := p.Store.FinishAttempt(ctx, attemptID)
	if err != nil {
		return Summary{}, err
	}
	p.notify(ctx, a.EventID)
	return a.Summarise(p.Bank()), nil
}

// notify tells Notify, if set, that something happened at an event.
func (p *Play) notify(ctx context.Context, eventID string) {
	if p.Notify != nil {
		p.Notify(ctx, eventID)
	}
}
