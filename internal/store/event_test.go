package store_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // zones as the binary has them, whatever the machine has

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

// t0 is the tests' fixed "now": whole microseconds, so that PostgreSQL
// (microsecond timestamps) and SQLite store it exactly.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)

// wantCode fails t unless err carries code (and field, when not empty).
func wantCode(t *testing.T, op string, err error, code errs.Code, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil error, want %s", op, code)
		return
	}
	if got := errs.CodeOf(err); got != code {
		t.Errorf("%s error = %v (code %q), want code %q", op, err, got, code)
		return
	}
	if got := errs.As(err).Field; field != "" && got != field {
		t.Errorf("%s error field = %q, want %q", op, got, field)
	}
}

// wantUTC fails t unless tm is in time.UTC and equal to want.
func wantUTC(t *testing.T, what string, tm, want time.Time) {
	t.Helper()
	if !tm.Equal(want) {
		t.Errorf("%s = %v, want %v", what, tm, want)
	}
	if tm.Location() != time.UTC {
		t.Errorf("%s location = %q, want UTC", what, tm.Location())
	}
}

func TestCreateEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		storetest.SetClock(t0, db)
		in := event.Event{ID: " fair-2025 ", Name: " Ngày hội ", Place: "Hà Nội", StartsOn: "2025-03-04", EndsOn: "2025-03-05", Timezone: "Asia/Bangkok"}
		got, err := db.CreateEvent(ctx, in)
		if err != nil {
			t.Fatalf("CreateEvent: %v", err)
		}
		want := event.Event{ID: "fair-2025", Name: "Ngày hội", Place: "Hà Nội", StartsOn: "2025-03-04", EndsOn: "2025-03-05", Timezone: "Asia/Bangkok", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz, CreatedAt: t0}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CreateEvent(%+v) = %+v, want %+v", in, got, want)
		}

		read, err := db.Event(ctx, "fair-2025")
		if err != nil {
			t.Fatalf("Event: %v", err)
		}
		if read.CreatedAt.Equal(want.CreatedAt) {
			read.CreatedAt = want.CreatedAt // compared below, with its location
		}
		if !reflect.DeepEqual(read, want) {
			t.Errorf("Event(%q) = %+v, want %+v", "fair-2025", read, want)
		}
		wantUTC(t, "Event().CreatedAt", read.CreatedAt, t0)

		// Optional fields stay empty, the timezone defaults.
		if _, err := db.CreateEvent(ctx, event.Event{ID: "bare", Name: "Bare"}); err != nil {
			t.Fatalf("CreateEvent: %v", err)
		}
		read, err = db.Event(ctx, "bare")
		if err != nil {
			t.Fatal(err)
		}
		if read.StartsOn != "" || read.EndsOn != "" || read.Place != "" || read.Timezone != "Asia/Ho_Chi_Minh" {
			t.Errorf("Event(%q) = %+v, want empty place and dates, timezone Asia/Ho_Chi_Minh", "bare", read)
		}
	})
}

func TestCreateEventConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		if _, err := db.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"fair", " fair ", event.DefaultID} {
			_, err := db.CreateEvent(ctx, event.Event{ID: id, Name: "Again"})
			wantCode(t, "CreateEvent(id "+id+")", err, errs.Conflict, "id")
		}
		e, err := db.Event(ctx, "fair")
		if err != nil || e.Name != "Fair" {
			t.Errorf("Event(%q) after conflicts = %+v, %v, want the first one", "fair", e, err)
		}
	})
}

func TestEventNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		for _, id := range []string{"nope", "", "ONLINE"} {
			_, err := db.Event(t.Context(), id)
			wantCode(t, "Event("+id+")", err, errs.NotFound, "")
		}
	})
}

// TestCreateEventInvalid checks that the store refuses what Validate
// refuses, with the field to show the error next to. Validate's own cases
// are in package event.
func TestCreateEventInvalid(t *testing.T) {
	long := strings.Repeat("ạ", 121)
	tests := []struct {
		name  string
		e     event.Event
		field string
	}{
		{"empty id", event.Event{Name: "x"}, "id"},
		{"short id", event.Event{ID: "ab", Name: "x"}, "id"},
		{"upper-case id", event.Event{ID: "Fair", Name: "x"}, "id"},
		{"id with space", event.Event{ID: "a fair", Name: "x"}, "id"},
		{"id ends with dash", event.Event{ID: "fair-", Name: "x"}, "id"},
		{"id too long", event.Event{ID: strings.Repeat("a", 65), Name: "x"}, "id"},
		{"empty name", event.Event{ID: "fair"}, "name"},
		{"blank name", event.Event{ID: "fair", Name: " \t "}, "name"},
		{"long name", event.Event{ID: "fair", Name: long}, "name"},
		{"long place", event.Event{ID: "fair", Name: "x", Place: long}, "place"},
		{"unknown timezone", event.Event{ID: "fair", Name: "x", Timezone: "Mars/Olympus"}, "timezone"},
		{"Local timezone", event.Event{ID: "fair", Name: "x", Timezone: "Local"}, "timezone"},
		{"path timezone", event.Event{ID: "fair", Name: "x", Timezone: "../../etc/passwd"}, "timezone"},
		{"bad start", event.Event{ID: "fair", Name: "x", StartsOn: "2025-02-30"}, "starts_on"},
		{"bad end", event.Event{ID: "fair", Name: "x", EndsOn: "4/3/2025"}, "ends_on"},
		{"end before start", event.Event{ID: "fair", Name: "x", StartsOn: "2025-03-05", EndsOn: "2025-03-04"}, "ends_on"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		for _, tt := range tests {
			_, err := db.CreateEvent(t.Context(), tt.e)
			wantCode(t, "CreateEvent("+tt.name+")", err, errs.Invalid, tt.field)
		}
		evs, err := db.Events(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 {
			t.Errorf("Events() after invalid creates = %d events, want only the default", len(evs))
		}
	})
}

func TestEventsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		create := func(id string) {
			t.Helper()
			if _, err := db.CreateEvent(ctx, event.Event{ID: id, Name: id}); err != nil {
				t.Fatal(err)
			}
		}
		create("old")
		clock.Advance(time.Hour)
		create("new-b")
		create("new-a") // same time: ties are broken by id
		clock.Advance(-2 * time.Hour)
		create("oldest")

		evs, err := db.Events(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range evs {
			if e.ID == event.DefaultID { // made when the database was prepared
				continue
			}
			ids = append(ids, e.ID)
			if e.CreatedAt.Location() != time.UTC {
				t.Errorf("Events(): %s created at %v, want UTC", e.ID, e.CreatedAt)
			}
		}
		if want := []string{"new-a", "new-b", "old", "oldest"}; !slices.Equal(ids, want) {
			t.Errorf("Events() = %q, want %q (newest first)", ids, want)
		}
	})
}

func TestEnsureDefaultEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		before, err := db.Event(ctx, event.DefaultID)
		if err != nil {
			t.Fatalf("Event(%q) on a prepared database: %v", event.DefaultID, err)
		}
		if before.Name != "Online" || before.Timezone != "Asia/Ho_Chi_Minh" {
			t.Errorf("Event(%q) = %+v, want name Online, timezone Asia/Ho_Chi_Minh", event.DefaultID, before)
		}
		storetest.SetClock(t0, db)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := db.EnsureDefaultEvent(ctx); err != nil {
					t.Errorf("EnsureDefaultEvent: %v", err)
				}
			})
		}
		wg.Wait()
		after, err := db.Event(ctx, event.DefaultID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, before) {
			t.Errorf("Event(%q) after EnsureDefaultEvent again = %+v, want unchanged %+v", event.DefaultID, after, before)
		}
		evs, err := db.Events(ctx)
		if err != nil || len(evs) != 1 {
			t.Errorf("Events() = %d events, %v, want 1", len(evs), err)
		}
	})
}

func TestCreateStation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		storetest.SetClock(t0, db)
		s, err := db.CreateStation(ctx, event.DefaultID, event.Kiosk, "  Kiosk 1 ")
		if err != nil {
			t.Fatalf("CreateStation: %v", err)
		}
		if s.ID == "" || s.EventID != event.DefaultID || s.Kind != event.Kiosk || s.Name != "Kiosk 1" || s.RevokedAt != nil {
			t.Errorf("CreateStation = %+v, want a live kiosk named %q in %q", s, "Kiosk 1", event.DefaultID)
		}
		got, err := db.Station(ctx, s.ID)
		if err != nil {
			t.Fatalf("Station: %v", err)
		}
		wantUTC(t, "Station().CreatedAt", got.CreatedAt, t0)
		got.CreatedAt = s.CreatedAt
		if got.ID != s.ID || got.EventID != s.EventID || got.Kind != s.Kind || got.Name != s.Name || got.RevokedAt != nil {
			t.Errorf("Station(%q) = %+v, want %+v", s.ID, got, s)
		}

		other, err := db.CreateStation(ctx, event.DefaultID, event.Kiosk, "Kiosk 1")
		if err != nil {
			t.Fatal(err)
		}
		if other.ID == s.ID {
			t.Errorf("two stations got the same id %q", s.ID)
		}
	})
}

func TestCreateStationErrors(t *testing.T) {
	tests := []struct {
		name    string
		eventID string
		kind    event.Kind
		station string
		code    errs.Code
		field   string
	}{
		{"unknown event", "nope", event.Kiosk, "Kiosk", errs.NotFound, ""},
		{"empty event", "", event.Wall, "Wall", errs.NotFound, ""},
		{"unknown kind", event.DefaultID, "printer", "Printer", errs.Invalid, "kind"},
		{"empty kind", event.DefaultID, "", "Kiosk", errs.Invalid, "kind"},
		{"kind in capitals", event.DefaultID, "KIOSK", "Kiosk", errs.Invalid, "kind"},
		{"empty name", event.DefaultID, event.Desk, "", errs.Invalid, "name"},
		{"blank name", event.DefaultID, event.Desk, "   ", errs.Invalid, "name"},
		{"long name", event.DefaultID, event.Desk, strings.Repeat("x", 121), errs.Invalid, "name"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		for _, tt := range tests {
			_, err := db.CreateStation(t.Context(), tt.eventID, tt.kind, tt.station)
			wantCode(t, "CreateStation("+tt.name+")", err, tt.code, tt.field)
		}
		ss, err := db.Stations(t.Context(), event.DefaultID)
		if err != nil || len(ss) != 0 {
			t.Errorf("Stations() after failed creates = %v, %v, want none", ss, err)
		}
	})
}

func TestStationsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		if _, err := db.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
			t.Fatal(err)
		}
		create := func(eventID, name string) event.Station {
			t.Helper()
			s, err := db.CreateStation(ctx, eventID, event.Wall, name)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		second := create("fair", "second")
		clock.Advance(time.Minute)
		create("fair", "third")
		create(event.DefaultID, "elsewhere")
		clock.Advance(-time.Hour)
		create("fair", "first")

		got, err := db.Stations(ctx, "fair")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
			if s.EventID != "fair" {
				t.Errorf("Stations(%q) includes %+v of another event", "fair", s)
			}
		}
		if want := []string{"first", "second", "third"}; !slices.Equal(names, want) {
			t.Errorf("Stations(%q) = %q, want %q (oldest first)", "fair", names, want)
		}
		if len(got) == 3 {
			wantUTC(t, "Stations()[1].CreatedAt", got[1].CreatedAt, second.CreatedAt)
		}

		none, err := db.Stations(ctx, "nope")
		if err != nil || len(none) != 0 {
			t.Errorf("Stations(%q) = %v, %v, want none", "nope", none, err)
		}
	})
}

func TestRevokeStation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		s, err := db.CreateStation(ctx, event.DefaultID, event.Kiosk, "Kiosk")
		if err != nil {
			t.Fatal(err)
		}
		keep, err := db.CreateStation(ctx, event.DefaultID, event.Kiosk, "Other")
		if err != nil {
			t.Fatal(err)
		}

		revokedAt := clock.Advance(time.Hour)
		got, err := db.RevokeStation(ctx, s.ID)
		if err != nil {
			t.Fatalf("RevokeStation: %v", err)
		}
		if !got.Revoked() {
			t.Fatalf("RevokeStation(%q) = %+v, want revoked", s.ID, got)
		}
		wantUTC(t, "RevokeStation().RevokedAt", *got.RevokedAt, revokedAt)

		clock.Advance(time.Hour)
		again, err := db.RevokeStation(ctx, s.ID)
		if err != nil {
			t.Fatalf("RevokeStation again: %v", err)
		}
		if again.RevokedAt == nil || !again.RevokedAt.Equal(revokedAt) {
			t.Errorf("RevokeStation again: revoked at %v, want the first time %v", again.RevokedAt, revokedAt)
		}

		read, err := db.Station(ctx, s.ID)
		if err != nil || read.RevokedAt == nil || !read.RevokedAt.Equal(revokedAt) {
			t.Errorf("Station(%q) = %+v, %v, want revoked at %v", s.ID, read, err, revokedAt)
		}
		other, err := db.Station(ctx, keep.ID)
		if err != nil || other.Revoked() {
			t.Errorf("Station(%q) = %+v, %v, want it live", keep.ID, other, err)
		}

		_, err = db.RevokeStation(ctx, "nope")
		wantCode(t, "RevokeStation(nope)", err, errs.NotFound, "")
		_, err = db.Station(ctx, "nope")
		wantCode(t, "Station(nope)", err, errs.NotFound, "")
	})
}

func TestSecret(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		ctx := t.Context()
		dsn := e.DSN(t)
		a, b := storetest.MustOpen(t, dsn), storetest.MustOpen(t, dsn) // two instances

		first, err := a.Secret(ctx, "binding", 32)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
			t.Errorf("Secret(%q, 32) = %x, want 32 random bytes", "binding", first)
		}
		for i, db := range []*store.DB{a, b, a} {
			got, err := db.Secret(ctx, "binding", 32)
			if err != nil || !bytes.Equal(got, first) {
				t.Errorf("Secret(%q) call %d = %x, %v, want %x", "binding", i+2, got, err, first)
			}
		}
		other, err := a.Secret(ctx, "other", 16)
		if err != nil || len(other) != 16 || bytes.Equal(other, first[:16]) {
			t.Errorf("Secret(%q, 16) = %x, %v, want 16 new bytes", "other", other, err)
		}

		// Concurrent first calls on both instances agree on one value.
		const n = 8
		got := make([][]byte, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			db := a
			if i%2 == 1 {
				db = b
			}
			wg.Go(func() {
				<-start
				v, err := db.Secret(ctx, "race", 32)
				if err != nil {
					t.Errorf("Secret(%q) in goroutine %d: %v", "race", i, err)
				}
				got[i] = v
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
				t.Errorf("concurrent Secret(%q) %d = %x, want %x like the first", "race", i, got[i], got[0])
			}
		}
	})
}

func TestInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		startedA := t0.Add(-time.Hour).In(time.FixedZone("ICT", 7*3600)) // stored as UTC whatever the zone
		heartbeat := func(id string, started time.Time) {
			t.Helper()
			if err := db.Heartbeat(ctx, id, "v1", started); err != nil {
				t.Fatalf("Heartbeat(%q): %v", id, err)
			}
		}
		heartbeat("a", startedA)
		clock.Advance(time.Minute)
		heartbeat("b", t0.Add(-2*time.Hour))
		clock.Advance(time.Minute)
		heartbeat("c", t0.Add(-30*time.Minute))
		// "a" is seen again; started_at and version stay as first recorded.
		if err := db.Heartbeat(ctx, "a", "v2", t0); err != nil {
			t.Fatal(err)
		}

		all, err := db.Instances(ctx, t0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, in := range all {
			ids = append(ids, in.ID)
		}
		if want := []string{"b", "a", "c"}; !slices.Equal(ids, want) {
			t.Errorf("Instances(t0) = %q, want %q (by start time)", ids, want)
		}
		if len(all) == 3 {
			a := all[1]
			if a.Version != "v1" {
				t.Errorf("instance a version = %q, want %q", a.Version, "v1")
			}
			wantUTC(t, "Instances() a.StartedAt", a.StartedAt, startedA)
			wantUTC(t, "Instances() a.SeenAt", a.SeenAt, t0.Add(2*time.Minute))
		}

		recent, err := db.Instances(ctx, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(recent) != 3 {
			t.Errorf("Instances(t0+1m) = %d instances, want 3 (a was seen again)", len(recent))
		}
		later, err := db.Instances(ctx, t0.Add(90*time.Second))
		if err != nil || len(later) != 2 {
			t.Errorf("Instances(t0+90s) = %v, %v, want a and c", later, err)
		}

		n, err := db.PruneInstances(ctx, t0.Add(90*time.Second))
		if err != nil || n != 1 {
			t.Errorf("PruneInstances(t0+90s) = %d, %v, want 1 (b)", n, err)
		}
		n, err = db.PruneInstances(ctx, t0.Add(90*time.Second))
		if err != nil || n != 0 {
			t.Errorf("PruneInstances again = %d, %v, want 0", n, err)
		}
		left, err := db.Instances(ctx, time.Time{})
		if err != nil || len(left) != 2 {
			t.Errorf("Instances(zero) after prune = %v, %v, want a and c", left, err)
		}
	})
}

func TestEventAttractVideos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		e, err := db.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"})
		if err != nil {
			t.Fatal(err)
		}
		for _, videos := range [][]string{{"scam-call", "otp-1"}, nil} {
			e.AttractVideos = videos
			if _, err := db.UpdateEventSettings(ctx, e); err != nil {
				t.Fatalf("UpdateEventSettings(%q): %v", videos, err)
			}
			read, err := db.Event(ctx, "fair")
			if err != nil || !slices.Equal(read.AttractVideos, videos) {
				t.Errorf("Event() attract videos = %q, %v, want %q", read.AttractVideos, err, videos)
			}
		}
		e.AttractVideos = []string{"a,b"}
		_, err = db.UpdateEventSettings(ctx, e)
		wantCode(t, "UpdateEventSettings with a comma in an id", err, errs.Invalid, "attract_videos")
	})
}
