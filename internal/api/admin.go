package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// AdminStore is what /api/v1/admin needs: the same operations as the
// console, for scripts and partner tools.
type AdminStore interface {
	Events(ctx context.Context) ([]event.Event, error)
	Event(ctx context.Context, id string) (event.Event, error)
	CreateEvent(ctx context.Context, e event.Event) (event.Event, error)
	Stations(ctx context.Context, eventID string) ([]event.Station, error)
	CreateStation(ctx context.Context, eventID string, kind event.Kind, name string) (event.Station, error)
	RevokeStation(ctx context.Context, id string) (event.Station, error)
	AuditEntries(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
	Audit(ctx context.Context, actor, action, object, detail string) error
	StaffList(ctx context.Context) ([]staff.Account, error)
}

type eventJSON struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Place            string    `json:"place"`
	StartsOn         string    `json:"starts_on,omitempty"`
	EndsOn           string    `json:"ends_on,omitempty"`
	Timezone         string    `json:"timezone"`
	KioskIdleSeconds int       `json:"kiosk_idle_seconds"`
	KioskQuiz        string    `json:"kiosk_quiz"`
	CreatedAt        time.Time `json:"created_at"`
}

func toEventJSON(e event.Event) eventJSON {
	return eventJSON{ID: e.ID, Name: e.Name, Place: e.Place, StartsOn: e.StartsOn, EndsOn: e.EndsOn, Timezone: e.Timezone,
		KioskIdleSeconds: e.KioskIdleSeconds, KioskQuiz: e.KioskQuiz, CreatedAt: e.CreatedAt}
}

type stationJSON struct {
	ID        string     `json:"id"`
	EventID   string     `json:"event_id"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	SetupURL  string     `json:"setup_url,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func (h *Handlers) toStationJSON(s event.Station) stationJSON {
	v := stationJSON{ID: s.ID, EventID: s.EventID, Kind: string(s.Kind), Name: s.Name, CreatedAt: s.CreatedAt, RevokedAt: s.RevokedAt}
	if !s.Revoked() {
		v.SetupURL = h.Devices.Signer.SetupLink(h.BaseURL, s.ID)
	}
	return v
}

func (h *Handlers) adminEvents(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Admin.Events(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Events []eventJSON `json:"events"`
	}{Events: []eventJSON{}}
	for _, e := range list {
		out.Events = append(out.Events, toEventJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminEvents serves GET /api/v1/admin/events.
func (h *Handlers) AdminEvents() http.Handler { return h.handle(h.adminEvents) }

func (h *Handlers) adminCreateEvent(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ID               string `json:"id"`
		Name             string `json:"name"`
		Place            string `json:"place"`
		StartsOn         string `json:"starts_on"`
		EndsOn           string `json:"ends_on"`
		Timezone         string `json:"timezone"`
		KioskIdleSeconds int    `json:"kiosk_idle_seconds"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := h.Admin.CreateEvent(r.Context(), event.Event{ID: req.ID, Name: req.Name, Place: req.Place, StartsOn: req.StartsOn,
		EndsOn: req.EndsOn, Timezone: req.Timezone, KioskIdleSeconds: req.KioskIdleSeconds})
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(r.Context(), web.AccountFrom(r.Context()).Email, "event.create", "event:"+e.ID, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toEventJSON(e))
	return nil
}

// AdminCreateEvent serves POST /api/v1/admin/events.
func (h *Handlers) AdminCreateEvent() http.Handler { return h.handle(h.adminCreateEvent) }

func (h *Handlers) adminStations(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Admin.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	list, err := h.Admin.Stations(r.Context(), e.ID)
	if err != nil {
		return err
	}
	out := struct {
		Stations []stationJSON `json:"stations"`
	}{Stations: []stationJSON{}}
	for _, s := range list {
		out.Stations = append(out.Stations, h.toStationJSON(s))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminStations serves GET /api/v1/admin/events/{event}/stations.
func (h *Handlers) AdminStations() http.Handler { return h.handle(h.adminStations) }

func (h *Handlers) adminCreateStation(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	kind, err := event.ParseKind(req.Kind)
	if err != nil {
		return err
	}
	s, err := h.Admin.CreateStation(r.Context(), r.PathValue("event"), kind, req.Name)
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(r.Context(), web.AccountFrom(r.Context()).Email, "station.add", "station:"+s.ID, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h.toStationJSON(s))
	return nil
}

// AdminCreateStation serves POST /api/v1/admin/events/{event}/stations.
func (h *Handlers) AdminCreateStation() http.Handler { return h.handle(h.adminCreateStation) }

func (h *Handlers) adminRevokeStation(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Admin.RevokeStation(r.Context(), r.PathValue("station"))
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(r.Context(), web.AccountFrom(r.Context()).Email, "station.revoke", "station:"+s.ID, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.toStationJSON(s))
	return nil
}

// AdminRevokeStation serves POST /api/v1/admin/stations/{station}/revoke.
func (h *Handlers) AdminRevokeStation() http.Handler { return h.handle(h.adminRevokeStation) }

type auditJSON struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Detail string    `json:"detail"`
	Hash   string    `json:"hash"`
}

func (h *Handlers) adminAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object"), Limit: 1000}
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 && v <= 10000 {
		f.Limit = v
	}
	if t, err := time.Parse(time.RFC3339, q.Get("since")); err == nil {
		f.Since = t
	}
	entries, err := h.Admin.AuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Entries []auditJSON `json:"entries"`
	}{Entries: []auditJSON{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, auditJSON{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Object: e.Object, Detail: e.Detail, Hash: e.Hash})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminAudit serves GET /api/v1/admin/audit.
func (h *Handlers) AdminAudit() http.Handler { return h.handle(h.adminAudit) }

func (h *Handlers) adminStaff(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Admin.StaffList(r.Context())
	if err != nil {
		return err
	}
	type staffJSON struct {
		ID           string     `json:"id"`
		Email        string     `json:"email"`
		DisplayName  string     `json:"display_name"`
		Roles        []string   `json:"roles"`
		Permissions  []string   `json:"permissions"`
		SecondFactor bool       `json:"second_factor"`
		DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	}
	out := struct {
		Staff []staffJSON `json:"staff"`
	}{Staff: []staffJSON{}}
	for _, a := range list {
		v := staffJSON{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Roles: []string{}, Permissions: []string{}, SecondFactor: a.TOTPEnabled, DisabledAt: a.DisabledAt}
		for _, role := range a.Roles {
			v.Roles = append(v.Roles, string(role))
		}
		for _, p := range a.Permissions {
			v.Permissions = append(v.Permissions, string(p))
		}
		out.Staff = append(out.Staff, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminStaff serves GET /api/v1/admin/staff.
func (h *Handlers) AdminStaff() http.Handler { return h.handle(h.adminStaff) }
