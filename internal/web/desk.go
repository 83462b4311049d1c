package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/store"
)

// DeskStore is what the souvenir desk needs.
type DeskStore interface {
	Event(ctx context.Context, id string) (event.Event, error)
	Souvenirs(ctx context.Context, eventID string) (pledge.Souvenirs, error)
	RedeemVoucher(ctx context.Context, r store.Redeem) (pledge.Redemption, error)
}

// DeskPermissionsPolicy lets the desk page, and only it, use the camera
// (to scan vouchers); every other page denies it.
const DeskPermissionsPolicy = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

type deskEvent struct {
	ID, Name, URL string
}

type deskListPage struct {
	consolePage
	Events []deskEvent
}

func (h *Handlers) deskList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := deskListPage{consolePage: h.consoleLayout(r, "desk.title")}
	for _, id := range account(ctx).Events {
		e, err := h.Vouchers.Event(ctx, id)
		if err != nil {
			continue // an event removed since: nothing to redeem there
		}
		p.Events = append(p.Events, deskEvent{ID: e.ID, Name: e.Name, URL: "/console/desk/" + e.ID})
	}
	if len(p.Events) == 1 {
		http.Redirect(w, r, p.Events[0].URL, http.StatusSeeOther)
		return nil
	}
	h.render(w, r, http.StatusOK, "desk_events", p)
	return nil
}

// DeskEvents serves GET /console/desk: the events this desk member serves.
func (h *Handlers) DeskEvents() http.Handler { return h.handle(h.deskList) }

type stockVM struct {
	ID, Label string
	Stock     int
	Selected  bool
}

type deskPage struct {
	consolePage
	Event     event.Event
	ActionURL string
	Items     []stockVM
	Result    *redemptionVM
	Code      string
}

type redemptionVM struct {
	Outcome, Heading, Detail string
	OK                       bool
}

// deskEvent checks that the signed-in member is assigned to the event:
// another event's desk is not found, rather than forbidden, so a desk
// member does not learn which events exist.
func (h *Handlers) deskEvent(ctx context.Context, id string) (event.Event, error) {
	if !slices.Contains(account(ctx).Events, id) {
		return event.Event{}, errs.E(errs.NotFound, "error.desk_event")
	}
	return h.Vouchers.Event(ctx, id)
}

func (h *Handlers) deskRender(w http.ResponseWriter, r *http.Request, status int, e event.Event, items []pledge.SouvenirItem, chosen string, res *redemptionVM) {
	p := deskPage{consolePage: h.consoleLayout(r, "desk.title"), Event: e, ActionURL: "/console/desk/" + e.ID + "/redeem", Result: res}
	p.Title = p.L.T("desk.title") + " · " + e.Name
	for i, it := range items {
		p.Items = append(p.Items, stockVM{ID: it.ID, Label: p.L.T("desk.stock", "item", it.Name.In(p.L.Lang), "left", p.L.N("desk.left", int64(it.Stock))),
			Stock: it.Stock, Selected: it.ID == chosen || chosen == "" && i == 0})
	}
	w.Header().Set("Permissions-Policy", DeskPermissionsPolicy)
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, "desk", p)
}

func (h *Handlers) deskGet(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.deskEvent(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	s, err := h.Vouchers.Souvenirs(ctx, e.ID)
	if err != nil {
		return err
	}
	h.deskRender(w, r, http.StatusOK, e, s.Items, "", nil)
	return nil
}

// Desk serves GET /console/desk/{event}: scan or type a voucher code.
func (h *Handlers) Desk() http.Handler { return h.handle(h.deskGet) }

func (h *Handlers) deskRedeem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.deskEvent(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	item := r.PostForm.Get("item")
	l := h.Catalog.For(i18n.LangFrom(ctx))
	code, err := pledge.ParseVoucherCode(r.PostForm.Get("code"))
	if err != nil {
		s, serr := h.Vouchers.Souvenirs(ctx, e.ID)
		if serr != nil {
			return serr
		}
		h.deskRender(w, r, http.StatusOK, e, s.Items, item, &redemptionVM{Outcome: "invalid", Heading: l.T("desk.invalid"), Detail: l.T("error.voucher_code")})
		return nil
	}
	stationID := ""
	if d, err := h.device(ctx, r); err == nil && d.Station != nil && d.Station.Kind == event.Desk && d.Event.ID == e.ID {
		stationID = d.Station.ID
	}
	res, err := h.Pledges.Redeem(ctx, h.Vouchers, store.Redeem{Code: code, EventID: e.ID, ItemID: item, By: account(ctx).Email, StationID: stationID})
	if err != nil {
		return err
	}
	// The page answers 200 whatever the scan found: the outcome is on it
	// (the API answers with RedemptionStatus).
	h.deskRender(w, r, http.StatusOK, e, res.Items, item, RedemptionView(l, res))
	return nil
}

// DeskRedeem serves POST /console/desk/{event}/redeem.
func (h *Handlers) DeskRedeem() http.Handler { return h.handle(h.deskRedeem) }

// RedemptionStatus is the HTTP status of a scan's outcome: 200 for the one
// that redeems, 404 for an unknown code, 409 for every other.
func RedemptionStatus(outcome string) int {
	switch outcome {
	case pledge.Redeemed:
		return http.StatusOK
	case pledge.UnknownCode:
		return http.StatusNotFound
	}
	return http.StatusConflict
}

// RedemptionView says what a scan found, in words for the desk.
func RedemptionView(l i18n.Localizer, res pledge.Redemption) *redemptionVM {
	v := &redemptionVM{Outcome: res.Outcome, Heading: l.T("desk.outcome." + res.Outcome), OK: res.Outcome == pledge.Redeemed}
	item := res.Item
	for _, it := range res.Items {
		if it.ID == res.Item {
			item = it.Name.In(l.Lang)
		}
	}
	switch res.Outcome {
	case pledge.Redeemed:
		v.Detail = l.T("desk.detail.redeemed", "item", item)
	case pledge.AlreadyRedeemed:
		when := ""
		if res.RedeemedAt != nil {
			when = res.RedeemedAt.Format("2006-01-02 15:04:05 UTC")
		}
		v.Detail = l.T("desk.detail.already", "when", when, "where", res.Where, "by", res.By, "item", item)
	case pledge.OutOfStock:
		v.Detail = l.T("desk.detail.out_of_stock")
	case pledge.OtherEvent:
		v.Detail = l.T("desk.detail.other_event")
	default:
		v.Detail = l.T("desk.detail.unknown")
	}
	return v
}
