package event

import (
	"context"
)

// Lookup is what resolving a device needs from the store.
type Lookup interface {
	Station(ctx context.Context, id string) (Station, error)
	Event(ctx context.Context, id string) (Event, error)
}

// Device is the event and, for a bound device, the station a request comes
// from. Records a visitor creates take both from here — never from the
// request body.
type Device struct {
	Event   Event
	Station *Station // nil for an ordinary visitor
}

// Devices resolves binding cookies.
type Devices struct {
	Signer *Signer
	Store  Lookup
}

// Resolve returns the device a binding cookie value proves. An empty,
// forged or malformed value, or one for a revoked or deleted station, is
// ignored: the request counts as an ordinary visitor of the default event.
func (d *Devices) Resolve(ctx context.Context, cookie string) (Device, error) {
	if cookie != "" {
		if b, ok := d.Signer.ParseBinding(cookie); ok {
			if s, err := d.Store.Station(ctx, b.StationID); err == nil && !s.Revoked() {
				e, err := d.Store.Event(ctx, s.EventID)
				if err != nil {
					return Device{}, err
				}
				return Device{Event: e, Station: &s}, nil
			}
		}
	}
	e, err := d.Store.Event(ctx, DefaultID)
	if err != nil {
		return Device{}, err
	}
	return Device{Event: e}, nil
}

// SetupStation checks a setup token and returns the live station it names.
func (d *Devices) SetupStation(ctx context.Context, token string) (Station, Event, bool) {
	id, ok := d.Signer.ParseSetupToken(token)
	if !ok {
		return Station{}, Event{}, false
	}
	s, err := d.Store.Station(ctx, id)
	if err != nil || s.Revoked() {
		return Station{}, Event{}, false
	}
	e, err := d.Store.Event(ctx, s.EventID)
	if err != nil {
		return Station{}, Event{}, false
	}
	return s, e, true
}
