package store_test

import (
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func TestModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		flag := func(kind, id, reason string) {
			t.Helper()
			if err := db.FlagForReview(ctx, kind, id, reason, event.DefaultID); err != nil {
				t.Fatalf("FlagForReview(%q, %q): %v", kind, id, err)
			}
		}
		queue := func(state string) []store.ModerationItem {
			t.Helper()
			items, err := db.ModerationQueue(ctx, state, 0)
			if err != nil {
				t.Fatalf("ModerationQueue(%q): %v", state, err)
			}
			return items
		}
		ids := func(items []store.ModerationItem) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.Kind+":"+it.ObjectID)
			}
			return out
		}
		same := func(what string, got, want []string) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s = %q, want %q", what, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %q, want %q", what, got, want)
					return
				}
			}
		}

		flag("pledge", "p2", "name filter: word list")
		clock.Advance(time.Minute)
		flag("pledge", "p1", "reported by a visitor")
		clock.Advance(time.Minute)
		flag("pledge", "p3", "name filter")
		// A second flag of a pending item changes nothing: not its reason,
		// not its place in the queue.
		clock.Advance(time.Minute)
		flag("pledge", "p2", "flagged again")
		pending := queue(store.ModerationPending)
		same("pending queue", ids(pending), []string{"pledge:p2", "pledge:p1", "pledge:p3"})
		if p := pending[0]; p.Reason != "name filter: word list" || !p.FlaggedAt.Equal(t0) || p.State != store.ModerationPending ||
			p.EventID != event.DefaultID || p.DecidedBy != "" || p.DecidedAt != nil {
			t.Errorf("first pending item = %+v", p)
		}
		wantUTC(t, "FlaggedAt", pending[0].FlaggedAt, t0)

		// Decisions record who and when, and each one is audited.
		t1 := clock.Advance(time.Minute)
		if err := db.Decide(ctx, "pledge", "p2", store.ModerationHidden, "ed@x.example"); err != nil {
			t.Fatalf("Decide hide: %v", err)
		}
		t2 := clock.Advance(time.Minute)
		if err := db.Decide(ctx, "pledge", "p1", store.ModerationApproved, "ed@x.example"); err != nil {
			t.Fatalf("Decide approve: %v", err)
		}
		same("pending after two decisions", ids(queue(store.ModerationPending)), []string{"pledge:p3"})
		decided := queue(store.ModerationDecided)
		same("decided, latest first", ids(decided), []string{"pledge:p1", "pledge:p2"})
		if d := decided[1]; d.State != store.ModerationHidden || d.DecidedBy != "ed@x.example" || d.DecidedAt == nil || !d.DecidedAt.Equal(t1) {
			t.Errorf("hidden item = %+v, want hidden by ed@x.example at %v", d, t1)
		} else {
			wantUTC(t, "DecidedAt", *d.DecidedAt, t1)
		}
		same("hidden", ids(queue(store.ModerationHidden)), []string{"pledge:p2"})
		same("approved", ids(queue(store.ModerationApproved)), []string{"pledge:p1"})

		// Deciding again keeps the latest decision; the log keeps both.
		t3 := clock.Advance(time.Minute)
		if err := db.Decide(ctx, "pledge", "p2", store.ModerationApproved, "boss@x.example"); err != nil {
			t.Fatalf("Decide again: %v", err)
		}
		approved := queue(store.ModerationApproved)
		same("approved after the change", ids(approved), []string{"pledge:p2", "pledge:p1"})
		if d := approved[0]; d.DecidedBy != "boss@x.example" || !d.DecidedAt.Equal(t3) {
			t.Errorf("re-decided item = %+v, want approved by boss@x.example at %v", d, t3)
		}
		entries, err := db.AuditEntries(ctx, store.AuditFilter{Action: "moderation."})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ actor, action, object, detail string }{
			{"boss@x.example", "moderation.approve", "pledge:p2", "hidden → approved"},
			{"ed@x.example", "moderation.approve", "pledge:p1", "pending → approved"},
			{"ed@x.example", "moderation.hide", "pledge:p2", "pending → hidden"},
		}
		if len(entries) != len(want) {
			t.Fatalf("audit has %d moderation entries, want %d: %+v", len(entries), len(want), entries)
		}
		for i, w := range want {
			e := entries[i]
			if e.Actor != w.actor || e.Action != w.action || e.Object != w.object || e.Detail != w.detail {
				t.Errorf("audit entry %d = %s %s %s %q, want %s %s %s %q", i, e.Actor, e.Action, e.Object, e.Detail, w.actor, w.action, w.object, w.detail)
			}
		}
		if !entries[2].At.Equal(t1) || !entries[1].At.Equal(t2) {
			t.Errorf("audit times = %v, %v; want %v, %v", entries[2].At, entries[1].At, t1, t2)
		}
		if _, problems, err := db.VerifyAudit(ctx); err != nil || len(problems) > 0 {
			t.Errorf("VerifyAudit = %v, %v", problems, err)
		}

		// An approved item flagged again goes back to the queue, at the
		// end; a hidden one stays hidden.
		clock.Advance(time.Minute)
		if err := db.Decide(ctx, "pledge", "p3", store.ModerationHidden, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		t4 := clock.Advance(time.Minute)
		flag("pledge", "p1", "reported again")
		flag("pledge", "p3", "reported again")
		pending = queue(store.ModerationPending)
		same("pending after flagging again", ids(pending), []string{"pledge:p1"})
		if p := pending[0]; p.Reason != "reported again" || !p.FlaggedAt.Equal(t4) || p.DecidedBy != "" || p.DecidedAt != nil {
			t.Errorf("re-flagged approved item = %+v", p)
		}
		same("hidden after flagging again", ids(queue(store.ModerationHidden)), []string{"pledge:p3"})

		// The same id under another kind is another object.
		flag("name", "p1", "other kind")
		if got := len(queue(store.ModerationPending)); got != 2 {
			t.Errorf("pending = %d, want 2", got)
		}

		// Limits.
		if items, err := db.ModerationQueue(ctx, store.ModerationPending, 1); err != nil || len(items) != 1 {
			t.Errorf("ModerationQueue(limit 1) = %d items, %v", len(items), err)
		}

		// Refusals.
		tests := []struct {
			name            string
			kind, id, state string
			code            errs.Code
		}{
			{"unknown object", "pledge", "nope", store.ModerationHidden, errs.NotFound},
			{"unknown kind", "wish", "p1", store.ModerationHidden, errs.NotFound},
			{"empty id", "pledge", "", store.ModerationHidden, errs.NotFound},
			{"back to pending", "pledge", "p1", store.ModerationPending, errs.Invalid},
			{"unknown state", "pledge", "p1", "deleted", errs.Invalid},
		}
		for _, tt := range tests {
			if err := db.Decide(ctx, tt.kind, tt.id, tt.state, "ed@x.example"); !errs.Is(err, tt.code) {
				t.Errorf("Decide(%q, %q, %q) = %v, want %s", tt.kind, tt.id, tt.state, err, tt.code)
			}
		}
		if _, err := db.ModerationQueue(ctx, "deleted", 10); !errs.Is(err, errs.Invalid) {
			t.Errorf("ModerationQueue(%q) = %v, want invalid", "deleted", err)
		}
		if err := db.FlagForReview(ctx, "", "p9", "r", event.DefaultID); !errs.Is(err, errs.Invalid) {
			t.Errorf("FlagForReview without a kind = %v, want invalid", err)
		}
		if err := db.FlagForReview(ctx, "pledge", "p9", "r", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("FlagForReview without an event = %v, want invalid", err)
		}
		// The refusals wrote nothing to the log.
		if entries, _ := db.AuditEntries(ctx, store.AuditFilter{Action: "moderation."}); len(entries) != 4 {
			t.Errorf("audit has %d moderation entries after refusals, want 4", len(entries))
		}
	})
}
