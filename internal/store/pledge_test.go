package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func newPledge(eventID, stationID string, options ...string) pledge.Pledge {
	return pledge.Pledge{ID: pledge.NewID(), EventID: eventID, StationID: stationID, Lang: i18n.VI, Name: "Phúc", ShowName: true,
		Options: options, AgeBand: "kids", Province: "ha-noi", BadgeSalt: pledge.NewSalt()}
}

// eventWithKiosk makes an event with one kiosk and the given souvenirs.
func eventWithKiosk(t *testing.T, db *store.DB, id string, s pledge.Souvenirs) event.Station {
	t.Helper()
	ctx := t.Context()
	if _, err := db.CreateEvent(ctx, event.Event{ID: id, Name: "Ngày hội " + id}); err != nil {
		t.Fatal(err)
	}
	st, err := db.CreateStation(ctx, id, event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSouvenirs(ctx, id, s, "ed@x.example"); err != nil {
		t.Fatal(err)
	}
	return st
}

func keychains(n int) pledge.Souvenirs {
	return pledge.Souvenirs{Items: []pledge.SouvenirItem{{ID: "keychain", Name: i18n.Text{VI: "Móc khóa", EN: "Keychain"}, Stock: n}}}
}

func TestPledgeCreateAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		p := newPledge(event.DefaultID, "", "tell-adult", "keep-otp-secret")
		created, err := db.CreatePledge(ctx, store.NewPledge{Pledge: p, VoucherCode: pledge.NewVoucherCode()})
		if err != nil {
			t.Fatal(err)
		}
		if created.Voucher != nil {
			t.Errorf("a pledge without a station got a voucher: %+v", created.Voucher)
		}
		got, err := db.Pledge(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Phúc" || !got.ShowName || len(got.Options) != 2 || got.AgeBand != "kids" || got.Province != "ha-noi" || got.NameHeld || got.Hidden {
			t.Errorf("Pledge = %+v", got)
		}
		if _, err := db.Pledge(ctx, pledge.NewID()); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown pledge: %v, want not found", err)
		}
		if _, err := db.Pledge(ctx, "../../etc"); !errs.Is(err, errs.NotFound) {
			t.Errorf("malformed id: %v, want not found", err)
		}
		st, err := db.PledgeStats(ctx, "")
		if err != nil || st.Total != 1 || st.ByOption["tell-adult"] != 1 || st.ByOption["keep-otp-secret"] != 1 {
			t.Errorf("PledgeStats = %+v, %v", st, err)
		}
	})
}

func TestPledgeIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		first, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge(event.DefaultID, "", "tell-adult"), IdempotencyKey: "k1", RequestHash: "h1"})
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge(event.DefaultID, "", "tell-adult"), IdempotencyKey: "k1", RequestHash: "h1"})
		if err != nil || !again.Replayed || again.Pledge.ID != first.Pledge.ID {
			t.Errorf("retry = %+v, %v; want the first pledge %s replayed", again, err, first.Pledge.ID)
		}
		if _, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge(event.DefaultID, "", "tell-adult"), IdempotencyKey: "k1", RequestHash: "other"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("key reused for another request: %v, want conflict", err)
		}
		// A double tap: many at once with one key make one pledge.
		var wg sync.WaitGroup
		ids := make([]string, 20)
		for i := range ids {
			wg.Go(func() {
				c, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge(event.DefaultID, "", "think-before-click"), IdempotencyKey: "tap", RequestHash: "h"})
				if err != nil {
					t.Errorf("tap %d: %v", i, err)
				}
				ids[i] = c.Pledge.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("double taps made different pledges: %q", ids)
			}
		}
		if st, _ := db.PledgeStats(ctx, ""); st.Total != 2 {
			t.Errorf("total = %d, want 2", st.Total)
		}
	})
}

func TestPledgeModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		p := newPledge(event.DefaultID, "", "tell-adult")
		if _, err := db.CreatePledge(ctx, store.NewPledge{Pledge: p, Flag: "bad word"}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Pledge(ctx, p.ID)
		if !got.NameHeld || got.CardName() != "" || got.WallName() != "" || got.Hidden {
			t.Errorf("flagged pledge = %+v: want the name held", got)
		}
		queue, _ := db.ModerationQueue(ctx, store.ModerationPending, 0)
		if len(queue) != 1 || queue[0].ObjectID != p.ID || queue[0].Kind != "pledge" {
			t.Fatalf("queue = %+v", queue)
		}
		if err := db.Decide(ctx, "pledge", p.ID, store.ModerationApproved, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Pledge(ctx, p.ID); got.NameHeld || got.WallName() != "Phúc" {
			t.Errorf("approved pledge = %+v", got)
		}
		// Staff can hide any pledge, flagged or not: it leaves the wall,
		// the counts, and its badge is revoked.
		other := newPledge(event.DefaultID, "", "be-kind-online")
		if _, err := db.CreatePledge(ctx, store.NewPledge{Pledge: other}); err != nil {
			t.Fatal(err)
		}
		if err := db.Decide(ctx, "pledge", other.ID, store.ModerationHidden, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Pledge(ctx, other.ID); !got.Hidden {
			t.Errorf("hidden pledge = %+v", got)
		}
		recent, _ := db.RecentPledges(ctx, "", 10, false)
		if len(recent) != 1 || recent[0].ID != p.ID {
			t.Errorf("recent = %+v, want only the visible pledge", recent)
		}
		if st, _ := db.PledgeStats(ctx, ""); st.Total != 1 || st.ByOption["be-kind-online"] != 0 {
			t.Errorf("stats = %+v: a hidden pledge still counts", st)
		}
		revoked, err := db.RevokedPledges(ctx)
		if err != nil || len(revoked) != 1 || revoked[0].ID != other.ID {
			t.Errorf("RevokedPledges = %+v, %v", revoked, err)
		}
		if err := db.Decide(ctx, "pledge", pledge.NewID(), store.ModerationHidden, "ed@x.example"); !errs.Is(err, errs.NotFound) {
			t.Errorf("hide unknown: %v", err)
		}
	})
}

func TestVoucherRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		kiosk := eventWithKiosk(t, db, "fair", keychains(2))
		make := func(stationID, attempt string) *pledge.Voucher {
			t.Helper()
			p := newPledge("fair", stationID, "tell-adult")
			p.AttemptID = attempt
			c, err := db.CreatePledge(ctx, store.NewPledge{Pledge: p, VoucherCode: pledge.NewVoucherCode()})
			if err != nil {
				t.Fatal(err)
			}
			return c.Voucher
		}
		v1 := make(kiosk.ID, "")
		if v1 == nil {
			t.Fatal("a kiosk pledge at an event with stock got no voucher")
		}
		if v, err := db.PledgeVoucher(ctx, v1.PledgeID); err != nil || v.Code != v1.Code {
			t.Errorf("PledgeVoucher = %+v, %v", v, err)
		}
		if make(kiosk.ID, "") == nil {
			t.Fatal("second voucher refused with stock 2")
		}
		// Two outstanding vouchers claim both keychains: no third.
		if v := make(kiosk.ID, ""); v != nil {
			t.Errorf("a voucher beyond the stock: %+v", v)
		}
		// Redeeming one does not free a unit (the keychain left the desk).
		res, err := db.RedeemVoucher(ctx, store.Redeem{Code: v1.Code, EventID: "fair", By: "desk@x.example"})
		if err != nil || res.Outcome != pledge.Redeemed || res.Items[0].Stock != 1 {
			t.Fatalf("redeem = %+v, %v", res, err)
		}
		if v := make(kiosk.ID, ""); v != nil {
			t.Errorf("voucher issued with 1 keychain and 1 outstanding voucher: %+v", v)
		}
		if err := db.SetSouvenirs(ctx, "fair", pledge.Souvenirs{Rules: pledge.VoucherRules{NeedsQuiz: true, PerStationHour: 60}, Items: keychains(50).Items}, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		// The event now wants a finished quiz on the same kiosk, one voucher each.
		if v := make(kiosk.ID, ""); v != nil {
			t.Errorf("voucher without a quiz: %+v", v)
		}
		now := time.Now().UTC()
		for _, a := range []quiz.Attempt{
			{ID: "a-done", QuizID: "kiosk", Lang: i18n.VI, EventID: "fair", StationID: kiosk.ID, Items: []string{"x"}, StartedAt: now, LastActiveAt: now},
			{ID: "a-open", QuizID: "kiosk", Lang: i18n.VI, EventID: "fair", StationID: kiosk.ID, Items: []string{"x"}, StartedAt: now, LastActiveAt: now},
		} {
			if err := db.CreateAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.FinishAttempt(ctx, "a-done"); err != nil {
			t.Fatal(err)
		}
		if v := make(kiosk.ID, "a-open"); v != nil {
			t.Errorf("voucher for an unfinished quiz: %+v", v)
		}
		if v := make(kiosk.ID, "a-done"); v == nil {
			t.Error("no voucher for a finished quiz on the kiosk")
		}
		if v := make(kiosk.ID, "a-done"); v != nil {
			t.Errorf("a second voucher for one quiz: %+v", v)
		}
	})
}

func TestVoucherRateLimitPerStation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		kiosk := eventWithKiosk(t, db, "fair", pledge.Souvenirs{Rules: pledge.VoucherRules{PerStationHour: 2}, Items: keychains(100).Items})
		clock := storetest.SetClock(t0, db)
		issued := 0
		for range 4 {
			c, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge("fair", kiosk.ID, "tell-adult"), VoucherCode: pledge.NewVoucherCode()})
			if err != nil {
				t.Fatal(err)
			}
			if c.Voucher != nil {
				issued++
			}
		}
		if issued != 2 {
			t.Errorf("%d vouchers in one hour, want 2", issued)
		}
		clock.Advance(61 * time.Minute)
		c, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge("fair", kiosk.ID, "tell-adult"), VoucherCode: pledge.NewVoucherCode()})
		if err != nil || c.Voucher == nil {
			t.Errorf("an hour later: %+v, %v; want a voucher", c.Voucher, err)
		}
	})
}

func TestRedeemOnceUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		kiosk := eventWithKiosk(t, db, "fair", keychains(10))
		c, err := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge("fair", kiosk.ID, "tell-adult"), VoucherCode: pledge.NewVoucherCode()})
		if err != nil || c.Voucher == nil {
			t.Fatalf("no voucher: %v", err)
		}
		const scans = 200
		outcomes := make([]string, scans)
		var wg sync.WaitGroup
		for i := range scans {
			wg.Go(func() {
				res, err := db.RedeemVoucher(context.Background(), store.Redeem{Code: c.Voucher.Code, EventID: "fair", By: "desk@x.example"})
				if err != nil {
					t.Errorf("scan %d: %v", i, err)
				}
				outcomes[i] = res.Outcome
			})
		}
		wg.Wait()
		counts := map[string]int{}
		for _, o := range outcomes {
			counts[o]++
		}
		if counts[pledge.Redeemed] != 1 || counts[pledge.AlreadyRedeemed] != scans-1 {
			t.Errorf("outcomes = %v, want exactly one redeemed", counts)
		}
		s, _ := db.Souvenirs(ctx, "fair")
		if s.Items[0].Stock != 9 {
			t.Errorf("stock = %d, want 9", s.Items[0].Stock)
		}
		res, _ := db.RedeemVoucher(ctx, store.Redeem{Code: c.Voucher.Code, EventID: "fair", By: "other@x.example"})
		if res.Outcome != pledge.AlreadyRedeemed || res.By != "desk@x.example" || res.RedeemedAt == nil || res.Where != "Ngày hội fair" || res.Item != "keychain" {
			t.Errorf("second scan = %+v, want when, where and by whom", res)
		}
	})
}

func TestRedeemOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		kiosk := eventWithKiosk(t, db, "fair", keychains(1))
		eventWithKiosk(t, db, "other", keychains(5))
		c, _ := db.CreatePledge(ctx, store.NewPledge{Pledge: newPledge("fair", kiosk.ID, "tell-adult"), VoucherCode: pledge.NewVoucherCode()})
		if c.Voucher == nil {
			t.Fatal("no voucher")
		}
		if res, _ := db.RedeemVoucher(ctx, store.Redeem{Code: pledge.NewVoucherCode(), EventID: "fair", By: "d"}); res.Outcome != pledge.UnknownCode {
			t.Errorf("unknown code: %+v", res)
		}
		if res, _ := db.RedeemVoucher(ctx, store.Redeem{Code: c.Voucher.Code, EventID: "other", By: "d"}); res.Outcome != pledge.OtherEvent {
			t.Errorf("other event's desk: %+v", res)
		}
		// The stock ran out at the desk (counted by hand): the voucher
		// stays valid.
		if err := db.SetSouvenirs(ctx, "fair", keychains(0), "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		if res, _ := db.RedeemVoucher(ctx, store.Redeem{Code: c.Voucher.Code, EventID: "fair", By: "d"}); res.Outcome != pledge.OutOfStock {
			t.Errorf("no stock: %+v", res)
		}
		if err := db.SetSouvenirs(ctx, "fair", keychains(3), "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		if res, _ := db.RedeemVoucher(ctx, store.Redeem{Code: c.Voucher.Code, EventID: "fair", ItemID: "keychain", By: "d"}); res.Outcome != pledge.Redeemed {
			t.Errorf("after restocking: %+v", res)
		}
	})
}

func TestSouvenirsValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		name := i18n.Text{VI: "Móc khóa", EN: "Keychain"}
		for _, s := range []pledge.Souvenirs{
			{Items: []pledge.SouvenirItem{{ID: "Bad ID", Name: name, Stock: 1}}},
			{Items: []pledge.SouvenirItem{{ID: "a", Name: name, Stock: -1}}},
			{Items: []pledge.SouvenirItem{{ID: "a", Name: i18n.Text{VI: "x"}, Stock: 1}}},
			{Items: []pledge.SouvenirItem{{ID: "a", Name: name, Stock: 1}, {ID: "a", Name: name, Stock: 1}}},
			{Rules: pledge.VoucherRules{PerStationHour: 99999}},
		} {
			if err := db.SetSouvenirs(ctx, event.DefaultID, s, "ed@x.example"); !errs.Is(err, errs.Invalid) {
				t.Errorf("SetSouvenirs(%+v) = %v, want invalid", s, err)
			}
		}
		if err := db.SetSouvenirs(ctx, "no-such-event", keychains(1), "ed@x.example"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown event: %v", err)
		}
	})
}

// TestPledgeStatsUnderConcurrency calls PledgeStats from many goroutines
// at once: each must hold one reader connection at a time, or callers
// holding one and waiting for another drain the pool (every wall that
// connects counts).
func TestPledgeStatsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				if _, err := db.PledgeStats(ctx, event.DefaultID); err != nil {
					t.Errorf("PledgeStats: %v", err)
				}
			})
		}
		wg.Wait()
	})
}
