package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
)

// StationCookie holds a device's signed station binding.
const StationCookie = "na_station"

type stationPage struct {
	Layout
	Event   event.Event
	Station *event.Station
}

func (h *Handlers) station(w http.ResponseWriter, r *http.Request) error {
	d, err := h.device(r.Context(), r)
	if err != nil {
		return err
	}
	p := stationPage{Layout: h.layout(r, "station.title"), Event: d.Event, Station: d.Station}
	p.NoIndex = true
	h.render(w, r, http.StatusOK, "station", p)
	return nil
}

// Station serves GET /station: what this device is.
func (h *Handlers) Station() http.Handler { return h.handle(h.station) }

type setupPage struct {
	Layout
	Event   event.Event
	Station event.Station
	Token   string
}

// setupGet asks before binding: opening a link must not change anything,
// since link previews and prefetchers open links too.
func (h *Handlers) setupGet(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	s, e, ok := h.Devices.SetupStation(r.Context(), token)
	if !ok {
		return errs.E(errs.NotFound, "error.setup_link")
	}
	p := setupPage{Layout: h.layout(r, "station.setup_title"), Event: e, Station: s, Token: token}
	p.NoIndex = true
	h.render(w, r, http.StatusOK, "station_setup", p)
	return nil
}

// SetupForm serves GET /station/setup?token=…
func (h *Handlers) SetupForm() http.Handler { return h.handle(h.setupGet) }

func (h *Handlers) setupPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	s, _, ok := h.Devices.SetupStation(r.Context(), r.PostForm.Get("token"))
	if !ok {
		return errs.E(errs.NotFound, "error.setup_link")
	}
	// Binding a device is a staff action (it needs the station's secret
	// link), so it goes into the audit log.
	if err := h.Console.Audit(r.Context(), "device", "station.bind", "station:"+s.ID, s.EventID); err != nil {
		return err
	}
	v := h.Devices.Signer.SignBinding(event.Binding{StationID: s.ID, BoundAt: time.Now()})
	http.SetCookie(w, &http.Cookie{
		Name: StationCookie, Value: v, Path: "/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r),
	})
	http.Redirect(w, r, "/station", http.StatusSeeOther)
	return nil
}

// Setup serves POST /station/setup: binds this device to the station.
func (h *Handlers) Setup() http.Handler { return h.handle(h.setupPost) }

func (h *Handlers) leave(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: StationCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r)})
	http.Redirect(w, r, "/station", http.StatusSeeOther)
	return nil
}

// Leave serves POST /station/leave: this device stops being a station.
func (h *Handlers) Leave() http.Handler { return h.handle(h.leave) }

// parseForm reads a urlencoded form body, telling a too-large body (413)
// from a malformed one (400).
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errs.Error{Code: errs.TooLarge, Err: err}
		}
		return &errs.Error{Code: errs.Invalid, Key: "error.form_malformed", Err: err}
	}
	return nil
}
