package event_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
)

// fakeLookup is an in-memory event.Lookup.
type fakeLookup struct {
	events   map[string]event.Event
	stations map[string]event.Station
	err      error // returned by every call when set
}

func (f *fakeLookup) Station(_ context.Context, id string) (event.Station, error) {
	if f.err != nil {
		return event.Station{}, f.err
	}
	s, ok := f.stations[id]
	if !ok {
		return event.Station{}, errs.E(errs.NotFound, "error.station_not_found")
	}
	return s, nil
}

func (f *fakeLookup) Event(_ context.Context, id string) (event.Event, error) {
	if f.err != nil {
		return event.Event{}, f.err
	}
	e, ok := f.events[id]
	if !ok {
		return event.Event{}, errs.E(errs.NotFound, "error.event_not_found")
	}
	return e, nil
}

func newLookup() *fakeLookup {
	revokedAt := boundAt.Add(time.Hour)
	return &fakeLookup{
		events: map[string]event.Event{
			event.DefaultID: {ID: event.DefaultID, Name: "Online"},
			"fair":          {ID: "fair", Name: "Fair"},
		},
		stations: map[string]event.Station{
			"kiosk1":  {ID: "kiosk1", EventID: "fair", Kind: event.Kiosk, Name: "Kiosk 1"},
			"revoked": {ID: "revoked", EventID: "fair", Kind: event.Wall, Name: "Wall", RevokedAt: &revokedAt},
			"orphan":  {ID: "orphan", EventID: "deleted", Kind: event.Desk, Name: "Desk"},
		},
	}
}

func TestResolve(t *testing.T) {
	s := event.NewSigner(key)
	bind := func(id string) string { return s.SignBinding(event.Binding{StationID: id, BoundAt: boundAt}) }
	valid := bind("kiosk1")
	tests := []struct {
		name      string
		cookie    string
		event     string
		station   string // "" for an ordinary visitor
		wantError bool
	}{
		{"valid binding", valid, "fair", "kiosk1", false},
		{"no cookie", "", event.DefaultID, "", false},
		{"revoked station", bind("revoked"), event.DefaultID, "", false},
		{"deleted station", bind("gone"), event.DefaultID, "", false},
		{"forged", "kiosk1.1741064767.AAAA", event.DefaultID, "", false},
		{"tampered", valid[:len(valid)-1] + "x", event.DefaultID, "", false},
		{"other key", event.NewSigner(otherKey).SignBinding(event.Binding{StationID: "kiosk1", BoundAt: boundAt}), event.DefaultID, "", false},
		{"setup token", s.SetupToken("kiosk1"), event.DefaultID, "", false},
		{"garbage", "\x00\xff;=", event.DefaultID, "", false},
		// A live station whose event cannot be read is a store fault, not a
		// reason to file the device's records under the default event.
		{"station of a missing event", bind("orphan"), "", "", true},
	}
	for _, tt := range tests {
		d := &event.Devices{Signer: s, Store: newLookup()}
		got, err := d.Resolve(context.Background(), tt.cookie)
		if tt.wantError {
			if err == nil {
				t.Errorf("Resolve(%s %q) = %+v, nil, want an error", tt.name, tt.cookie, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Resolve(%s %q) = %v", tt.name, tt.cookie, err)
			continue
		}
		gotStation := ""
		if got.Station != nil {
			gotStation = got.Station.ID
			if got.Station.EventID != got.Event.ID {
				t.Errorf("Resolve(%s): station of event %q with event %q", tt.name, got.Station.EventID, got.Event.ID)
			}
		}
		if got.Event.ID != tt.event || gotStation != tt.station {
			t.Errorf("Resolve(%s %q) = event %q, station %q, want %q, %q", tt.name, tt.cookie, got.Event.ID, gotStation, tt.event, tt.station)
		}
	}
}

func TestResolveStoreDown(t *testing.T) {
	s := event.NewSigner(key)
	down := errors.New("database is down")
	l := newLookup()
	l.err = down
	d := &event.Devices{Signer: s, Store: l}
	for _, cookie := range []string{"", s.SignBinding(event.Binding{StationID: "kiosk1", BoundAt: boundAt})} {
		if got, err := d.Resolve(context.Background(), cookie); !errors.Is(err, down) {
			t.Errorf("Resolve(%q) with the store down = %+v, %v, want the store's error", cookie, got, err)
		}
	}
}

func TestSetupStation(t *testing.T) {
	s := event.NewSigner(key)
	tests := []struct {
		name    string
		token   string
		station string // "" when refused
	}{
		{"valid", s.SetupToken("kiosk1"), "kiosk1"},
		{"revoked", s.SetupToken("revoked"), ""},
		{"unknown station", s.SetupToken("gone"), ""},
		{"missing event", s.SetupToken("orphan"), ""},
		{"forged", "kiosk1.AAAA", ""},
		{"other key", event.NewSigner(otherKey).SetupToken("kiosk1"), ""},
		{"binding", s.SignBinding(event.Binding{StationID: "kiosk1", BoundAt: boundAt}), ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		d := &event.Devices{Signer: s, Store: newLookup()}
		st, ev, ok := d.SetupStation(context.Background(), tt.token)
		if ok != (tt.station != "") || st.ID != tt.station {
			t.Errorf("SetupStation(%s %q) = %q, %v, want %q", tt.name, tt.token, st.ID, ok, tt.station)
		}
		if ok && ev.ID != st.EventID {
			t.Errorf("SetupStation(%s) = event %q for a station of %q", tt.name, ev.ID, st.EventID)
		}
	}
}

func TestStationRevoked(t *testing.T) {
	now := boundAt
	if (event.Station{}).Revoked() {
		t.Error("Station{}.Revoked() = true, want false")
	}
	if !(event.Station{RevokedAt: &now}).Revoked() {
		t.Error("Revoked() with RevokedAt set = false, want true")
	}
}
