package store_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func TestEventStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		if _, err := db.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
			t.Fatal(err)
		}
		stats := func(id string) store.EventStats {
			t.Helper()
			s, err := db.EventStats(ctx, id)
			if err != nil {
				t.Fatalf("EventStats(%q): %v", id, err)
			}
			return s
		}
		if got, want := stats("fair"), (store.EventStats{EventID: "fair"}); got != want {
			t.Errorf("EventStats of a new event = %+v, want %+v", got, want)
		}

		n := 0
		// play starts an attempt at eventID, records answers of the given
		// score and maximum, and finishes it when asked.
		play := func(eventID string, finish bool, scores ...[2]int) {
			t.Helper()
			n++
			a := quiz.Attempt{ID: fmt.Sprintf("a%d", n), QuizID: "kids", Lang: "vi", EventID: eventID, Items: []string{"q1"}, StartedAt: t0, LastActiveAt: t0}
			if err := db.CreateAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
			for i, s := range scores {
				an := quiz.Answer{AttemptID: a.ID, ItemID: fmt.Sprintf("q%d", i), Response: quiz.Response{Choice: "a"},
					Correct: s[0] == s[1], Score: s[0], MaxScore: s[1], AnsweredAt: t0}
				if err := db.RecordAnswer(ctx, an); err != nil {
					t.Fatal(err)
				}
			}
			if finish {
				if _, err := db.FinishAttempt(ctx, a.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		play("fair", true, [2]int{1, 1}, [2]int{0, 1}, [2]int{0, 1}, [2]int{0, 1}) // 25%
		play("fair", true, [2]int{1, 1})                                           // 100%
		play("fair", false, [2]int{1, 1}, [2]int{1, 1})                            // not finished: no average
		play("fair", true)                                                         // finished with nothing to score
		play(event.DefaultID, true, [2]int{0, 1})                                  // another event

		got := stats("fair")
		want := store.EventStats{EventID: "fair", AttemptsStarted: 4, AttemptsFinished: 3, Scored: 2, Answers: 7}
		avg := got.AveragePercent
		got.AveragePercent = 0
		if got != want {
			t.Errorf("EventStats(%q) = %+v, want %+v", "fair", got, want)
		}
		// The mean of 25% and 100%, each attempt counting the same (the
		// answers' total would give 2 of 5, 40%).
		if math.Abs(avg-62.5) > 1e-9 {
			t.Errorf("EventStats(%q).AveragePercent = %v, want 62.5", "fair", avg)
		}
		other := stats(event.DefaultID)
		if other.AttemptsStarted != 1 || other.AttemptsFinished != 1 || other.Scored != 1 || other.AveragePercent != 0 || other.Answers != 1 {
			t.Errorf("EventStats(%q) = %+v", event.DefaultID, other)
		}
		if _, err := db.EventStats(ctx, "no-such-event"); !errs.Is(err, errs.NotFound) {
			t.Errorf("EventStats of an unknown event = %v, want not found", err)
		}
	})
}
