// Package api is the JSON API under /api: the same stores as the HTML side,
// one error shape ({"error":{"code","message","field"}}) and an OpenAPI 3
// document that lists every route.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/metrics"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/web"
)

// Handlers serves the JSON API.
type Handlers struct {
	Catalog *i18n.Catalog
	Play    *quiz.Play
	Devices *event.Devices
	Metrics *metrics.Registry
	Log     *slog.Logger
	// Admin and Content serve /api/v1/admin; BaseURL prefixes station
	// setup links; Hasher hashes new staff passwords; ContentPublished
	// reloads published content on every instance.
	Admin            AdminStore
	Content          AdminContentStore
	Accounts         AdminAccountStore
	Live             AdminLiveStore
	Packs            AdminPackStore
	Hotlines         content.Hotlines
	BaseURL          string
	Hasher           staff.Hasher
	ContentPublished func(context.Context) error
	// Pledges makes pledges (shared with the pages); Vouchers redeems.
	Pledges  *web.Pledges
	Vouchers web.DeskStore
	// Reports takes help requests; Partners resolves partner tokens.
	Reports  *web.Reports
	Partners PartnerTokens
	// Library is the media library; PublicURL prefixes its file URLs.
	Library   MediaStore
	PublicURL string
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
	Field   string    `json:"field,omitempty"`
}

// Error writes err in the API's one error shape, the message in the
// request's language.
func (h *Handlers) Error(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	status := errs.Status(e.Code)
	if status >= 500 {
		h.Log.Error("api request failed", "route", r.Pattern, "err", err)
	}
	if e.Code == errs.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	l := h.Catalog.For(i18n.LangFrom(r.Context()))
	msg := l.T(e.MessageKey())
	// Content problems name file, item and field: the whole list helps.
	if ps, ok := content.AsProblems(err); ok {
		msg += " " + ps.Error()
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: e.Code, Message: msg, Field: e.Field}})
}

// NotFound answers an unknown /api URL.
func (h *Handlers) NotFound(w http.ResponseWriter, r *http.Request) {
	h.Error(w, r, errs.E(errs.NotFound, "error.api_not_found"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func (h *Handlers) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.Error(w, r, err)
		}
	}
}

// decodeJSON reads one JSON value into v, refusing unknown fields,
// trailing data, a wrong content type and bodies over the server's limit,
// each with an error that names the problem.
func decodeJSON(r *http.Request, v any) error {
	return decode(r, v, true, "application/json")
}

// decodeLenient is decodeJSON for bodies other software writes (browser
// reports), whose extra fields we ignore.
func decodeLenient(r *http.Request, v any, contentTypes ...string) error {
	return decode(r, v, false, contentTypes...)
}

func decode(r *http.Request, v any, strict bool, contentTypes ...string) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := false
	for _, ct := range contentTypes {
		ok = ok || mt == ct
	}
	if !ok {
		return errs.E(errs.Invalid, "error.json_content_type")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errs.Error{Code: errs.TooLarge, Err: err}
		}
		return &errs.Error{Code: errs.Invalid, Key: "error.json_malformed", Err: err}
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(body) {
		return errs.E(errs.Invalid, "error.json_utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	err = dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data after the JSON value")
	}
	if err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &errs.Error{Code: errs.Invalid, Key: "error.json_field_type", Field: typeErr.Field, Err: err}
		}
		return &errs.Error{Code: errs.Invalid, Key: "error.json_malformed", Err: err}
	}
	return nil
}

type deviceEvent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type deviceStation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type deviceResponse struct {
	Event   deviceEvent    `json:"event"`
	Station *deviceStation `json:"station"`
}

// device resolves the station binding of the requesting device: the only
// source of a record's event and station.
func (h *Handlers) device(r *http.Request) (event.Device, error) {
	return web.DeviceOf(r.Context(), h.Devices, r)
}

func (h *Handlers) deviceInfo(w http.ResponseWriter, r *http.Request) error {
	d, err := h.device(r)
	if err != nil {
		return err
	}
	resp := deviceResponse{Event: deviceEvent{ID: d.Event.ID, Name: d.Event.Name}}
	if d.Station != nil {
		resp.Station = &deviceStation{ID: d.Station.ID, Name: d.Station.Name, Kind: string(d.Station.Kind)}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// Device serves GET /api/v1/device: the event and station this device
// counts for.
func (h *Handlers) Device() http.Handler { return h.handle(h.deviceInfo) }
