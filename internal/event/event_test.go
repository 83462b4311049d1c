package event_test

import (
	"reflect"
	"strings"
	"testing"
	_ "time/tzdata" // zones as the binary has them, whatever the machine has

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
)

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		in, want event.Event
	}{
		{
			event.Event{ID: "fair-2025", Name: "Ngày hội", Place: "Hà Nội", StartsOn: "2025-03-04", EndsOn: "2025-03-05", Timezone: "Asia/Bangkok"},
			event.Event{ID: "fair-2025", Name: "Ngày hội", Place: "Hà Nội", StartsOn: "2025-03-04", EndsOn: "2025-03-05", Timezone: "Asia/Bangkok", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz},
		},
		{ // trimmed, timezone defaulted
			event.Event{ID: "  online ", Name: "\tOnline\n", Place: "  "},
			event.Event{ID: "online", Name: "Online", Timezone: "Asia/Ho_Chi_Minh", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz},
		},
		{ // shortest and longest ids, one-day event, UTC
			event.Event{ID: "abc", Name: "x", StartsOn: "2025-01-01", EndsOn: "2025-01-01", Timezone: "UTC"},
			event.Event{ID: "abc", Name: "x", StartsOn: "2025-01-01", EndsOn: "2025-01-01", Timezone: "UTC", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz},
		},
		{
			event.Event{ID: strings.Repeat("a", 64), Name: strings.Repeat("ạ", 120), Place: strings.Repeat("ạ", 120), EndsOn: "2025-12-31"},
			event.Event{ID: strings.Repeat("a", 64), Name: strings.Repeat("ạ", 120), Place: strings.Repeat("ạ", 120), EndsOn: "2025-12-31", Timezone: "Asia/Ho_Chi_Minh", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz},
		},
		{
			event.Event{ID: "0-9", Name: "Digits", StartsOn: "2024-02-29"},
			event.Event{ID: "0-9", Name: "Digits", StartsOn: "2024-02-29", Timezone: "Asia/Ho_Chi_Minh", KioskIdleSeconds: event.DefaultKioskIdle, KioskQuiz: event.DefaultKioskQuiz},
		},
	}
	for _, tt := range tests {
		got := tt.in
		if err := got.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Validate(%+v) left %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	long := strings.Repeat("ạ", 121)
	tests := []struct {
		name  string
		e     event.Event
		field string
		key   string
	}{
		{"empty id", event.Event{Name: "x"}, "id", "error.event_id"},
		{"two-letter id", event.Event{ID: "ab", Name: "x"}, "id", "error.event_id"},
		{"65-letter id", event.Event{ID: strings.Repeat("a", 65), Name: "x"}, "id", "error.event_id"},
		{"capitals", event.Event{ID: "Fair", Name: "x"}, "id", "error.event_id"},
		{"leading dash", event.Event{ID: "-fair", Name: "x"}, "id", "error.event_id"},
		{"trailing dash", event.Event{ID: "fair-", Name: "x"}, "id", "error.event_id"},
		{"underscore", event.Event{ID: "fair_1", Name: "x"}, "id", "error.event_id"},
		{"inner space", event.Event{ID: "a fair", Name: "x"}, "id", "error.event_id"},
		{"non-ASCII id", event.Event{ID: "hội-chợ", Name: "x"}, "id", "error.event_id"},
		{"newline in id", event.Event{ID: "fair\nx", Name: "x"}, "id", "error.event_id"},
		{"empty name", event.Event{ID: "fair"}, "name", "error.event_name"},
		{"blank name", event.Event{ID: "fair", Name: " \t "}, "name", "error.event_name"},
		{"121-letter name", event.Event{ID: "fair", Name: long}, "name", "error.event_name"},
		{"121-letter place", event.Event{ID: "fair", Name: "x", Place: long}, "place", "error.event_place"},
		{"unknown timezone", event.Event{ID: "fair", Name: "x", Timezone: "Mars/Olympus"}, "timezone", "error.event_timezone"},
		{"Local", event.Event{ID: "fair", Name: "x", Timezone: "Local"}, "timezone", "error.event_timezone"},
		{"kiosk idle too short", event.Event{ID: "fair", Name: "x", KioskIdleSeconds: 5}, "kiosk_idle_seconds", "error.event_kiosk_idle"},
		{"kiosk idle too long", event.Event{ID: "fair", Name: "x", KioskIdleSeconds: 7200}, "kiosk_idle_seconds", "error.event_kiosk_idle"},
		{"relative path", event.Event{ID: "fair", Name: "x", Timezone: "../../../etc/passwd"}, "timezone", "error.event_timezone"},
		{"absolute path", event.Event{ID: "fair", Name: "x", Timezone: "/etc/localtime"}, "timezone", "error.event_timezone"},
		{"padded timezone", event.Event{ID: "fair", Name: "x", Timezone: " UTC"}, "timezone", "error.event_timezone"},
		{"February 30", event.Event{ID: "fair", Name: "x", StartsOn: "2025-02-30"}, "starts_on", "error.event_date"},
		{"not a leap year", event.Event{ID: "fair", Name: "x", StartsOn: "2025-02-29"}, "starts_on", "error.event_date"},
		{"day first", event.Event{ID: "fair", Name: "x", StartsOn: "04-03-2025"}, "starts_on", "error.event_date"},
		{"date and time", event.Event{ID: "fair", Name: "x", StartsOn: "2025-03-04T10:00:00Z"}, "starts_on", "error.event_date"},
		{"short month", event.Event{ID: "fair", Name: "x", EndsOn: "2025-3-04"}, "ends_on", "error.event_date"},
		{"bad end", event.Event{ID: "fair", Name: "x", StartsOn: "2025-03-04", EndsOn: "soon"}, "ends_on", "error.event_date"},
		{"end before start", event.Event{ID: "fair", Name: "x", StartsOn: "2025-03-05", EndsOn: "2025-03-04"}, "ends_on", "error.event_dates_order"},
	}
	for _, tt := range tests {
		e := tt.e
		err := e.Validate()
		if err == nil {
			t.Errorf("Validate(%s %+v) = nil, want an error on %q", tt.name, tt.e, tt.field)
			continue
		}
		got := errs.As(err)
		if got.Code != errs.Invalid || got.Field != tt.field || got.Key != tt.key {
			t.Errorf("Validate(%s) = %q, want code %q, field %q, key %q", tt.name, err, errs.Invalid, tt.field, tt.key)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range event.Kinds {
		if got, err := event.ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v, want %q", k, got, err, k)
		}
	}
	for _, s := range []string{"", "Kiosk", " kiosk", "printer", "kiosk\x00"} {
		got, err := event.ParseKind(s)
		if err == nil || errs.As(err).Field != "kind" || errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ParseKind(%q) = %q, %v, want an invalid-kind error", s, got, err)
		}
	}
}

func TestValidateStationName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Kiosk 1", "Kiosk 1", true},
		{"  Quầy quà \n", "Quầy quà", true},
		{strings.Repeat("ạ", 120), strings.Repeat("ạ", 120), true},
		{strings.Repeat("ạ", 121), "", false},
		{"", "", false},
		{" \t\n", "", false},
	}
	for _, tt := range tests {
		got, err := event.ValidateStationName(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ValidateStationName(%q) = %q, %v, want %q (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (errs.CodeOf(err) != errs.Invalid || errs.As(err).Field != "name") {
			t.Errorf("ValidateStationName(%q) error = %v, want invalid on field name", tt.in, err)
		}
	}
}
