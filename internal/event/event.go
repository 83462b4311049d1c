// Package event holds events (an exhibition, a school day, or "online") and
// their stations (the kiosks, wall screens and souvenir desks of an event),
// and the signed binding that makes a device a station.
package event

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
)

// DefaultID is the event every record belongs to when it does not come from
// a station: visitors on their own phones and computers.
const DefaultID = "online"

// Event is one campaign event.
type Event struct {
	ID       string
	Name     string
	Place    string
	StartsOn string // YYYY-MM-DD, optional
	EndsOn   string // YYYY-MM-DD, optional
	Timezone string // IANA name, e.g. Asia/Ho_Chi_Minh
	// KioskIdleSeconds is how long the event's kiosks wait without a touch
	// before they reset for the next visitor.
	KioskIdleSeconds int
	// KioskQuiz is the quiz the event's kiosks start.
	KioskQuiz string
	// AttractVideos are the library videos (ids) the event's kiosks play
	// in a loop on their attract screen; none shows the still screen.
	AttractVideos []string
	CreatedAt     time.Time
}

// MaxAttractVideos bounds an attract loop: a handful of short films is
// what passers-by see, and each is a database read when the screen loads.
const MaxAttractVideos = 12

// DefaultKioskQuiz is the kiosk round every kiosk starts unless an event
// chooses another quiz.
const DefaultKioskQuiz = "kiosk"

// DefaultKioskIdle is the kiosk inactivity timeout when none is set.
const DefaultKioskIdle = 90

// Kind is what a station is for.
type Kind string

// The kinds of station.
const (
	Kiosk Kind = "kiosk" // visitors play, pledge and find help
	Wall  Kind = "wall"  // a big screen showing the pledge wall
	Desk  Kind = "desk"  // the souvenir desk
)

// Kinds lists every kind.
var Kinds = []Kind{Kiosk, Wall, Desk}

// ParseKind validates a kind.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", errs.Field("kind", "error.station_kind")
}

// Station is one device role at an event.
type Station struct {
	ID        string
	EventID   string
	Kind      Kind
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Revoked reports whether the station was revoked.
func (s Station) Revoked() bool { return s.RevokedAt != nil }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$`)

const (
	maxName  = 120
	dateForm = "2006-01-02"
)

// Validate checks an event before it is stored and normalises its fields.
func (e *Event) Validate() error {
	e.ID = strings.TrimSpace(e.ID)
	e.Name = strings.TrimSpace(e.Name)
	e.Place = strings.TrimSpace(e.Place)
	if !idPattern.MatchString(e.ID) {
		return errs.Field("id", "error.event_id")
	}
	if e.Name == "" || utf8.RuneCountInString(e.Name) > maxName {
		return errs.Field("name", "error.event_name")
	}
	if utf8.RuneCountInString(e.Place) > maxName {
		return errs.Field("place", "error.event_place")
	}
	if e.KioskIdleSeconds == 0 {
		e.KioskIdleSeconds = DefaultKioskIdle
	}
	if e.KioskIdleSeconds < 10 || e.KioskIdleSeconds > 3600 {
		return errs.Field("kiosk_idle_seconds", "error.event_kiosk_idle")
	}
	if e.KioskQuiz == "" {
		e.KioskQuiz = DefaultKioskQuiz
	}
	if e.Timezone == "" {
		e.Timezone = "Asia/Ho_Chi_Minh"
	}
	if _, err := time.LoadLocation(e.Timezone); err != nil || e.Timezone == "Local" {
		return errs.Field("timezone", "error.event_timezone")
	}
	var starts, ends time.Time
	var err error
	if e.StartsOn != "" {
		if starts, err = time.Parse(dateForm, e.StartsOn); err != nil {
			return errs.Field("starts_on", "error.event_date")
		}
	}
	if e.EndsOn != "" {
		if ends, err = time.Parse(dateForm, e.EndsOn); err != nil {
			return errs.Field("ends_on", "error.event_date")
		}
	}
	if !starts.IsZero() && !ends.IsZero() && ends.Before(starts) {
		return errs.Field("ends_on", "error.event_dates_order")
	}
	// The ids are stored comma-separated: only library ids fit.
	if len(e.AttractVideos) > MaxAttractVideos {
		return errs.Field("attract_videos", "error.event_attract_videos")
	}
	for _, id := range e.AttractVideos {
		if id == "" || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return errs.Field("attract_videos", "error.event_attract_videos")
		}
	}
	return nil
}

// ValidateStationName normalises and checks a station's display name.
func ValidateStationName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return "", errs.Field("name", "error.station_name")
	}
	return name, nil
}
