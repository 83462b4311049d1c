package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

type pledgeOptionView struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

func (h *Handlers) pledgeOptions(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.LangFrom(r.Context())
	if q := r.URL.Query().Get("lang"); q != "" {
		l, ok := i18n.Parse(q)
		if !ok {
			return errs.Field("lang", "error.lang")
		}
		lang = l
	}
	out := struct {
		Options []pledgeOptionView `json:"options"`
	}{Options: []pledgeOptionView{}}
	for _, o := range h.Pledges.Options().Offered() {
		out.Options = append(out.Options, pledgeOptionView{ID: o.ID, Text: o.Text.In(lang)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PledgeOptions serves GET /api/v1/pledge-options?lang=.
func (h *Handlers) PledgeOptions() http.Handler { return h.handle(h.pledgeOptions) }

type pledgeRequest struct {
	Name      string   `json:"name"`
	ShowName  bool     `json:"show_name"`
	Options   []string `json:"options"`
	Lang      string   `json:"lang"`
	AgeBand   string   `json:"age_band"`
	Province  string   `json:"province"`
	AttemptID string   `json:"attempt_id"`
}

type voucherView struct {
	Code  string `json:"code"`
	QRURL string `json:"qr_url"`
}

type createdPledgeView struct {
	ID             string       `json:"id"`
	VerifyURL      string       `json:"verify_url"`
	SouvenirPNGURL string       `json:"souvenir_png_url"`
	SouvenirPDFURL string       `json:"souvenir_pdf_url"`
	Voucher        *voucherView `json:"voucher,omitempty"`
}

func (h *Handlers) createPledge(w http.ResponseWriter, r *http.Request) error {
	var req pledgeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Options) > 50 {
		return errs.Field("options", "error.pledge_unknown_option")
	}
	d, err := h.device(r)
	if err != nil {
		return err
	}
	in := pledge.Input{Name: req.Name, ShowName: req.ShowName, Options: req.Options, Lang: req.Lang, AgeBand: req.AgeBand, Province: req.Province}
	created, problems, err := h.Pledges.Make(r.Context(), in, r.Header.Get("Idempotency-Key"), req.AttemptID, d)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems[0]
	}
	ps := h.Pledges
	out := createdPledgeView{ID: created.Pledge.ID, VerifyURL: ps.VerifyURL(created.Pledge.ID),
		SouvenirPNGURL: ps.VerifyURL(created.Pledge.ID) + "/souvenir.png", SouvenirPDFURL: ps.VerifyURL(created.Pledge.ID) + "/souvenir.pdf"}
	if v := created.Voucher; v != nil {
		qr, err := web.VoucherQR(v.Code)
		if err != nil {
			return err
		}
		out.Voucher = &voucherView{Code: pledge.FormatVoucherCode(v.Code), QRURL: qr}
	}
	status := http.StatusCreated
	if created.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, out)
	return nil
}

// CreatePledge serves POST /api/v1/pledges. Event and station come from
// the device's station binding, never from the body.
func (h *Handlers) CreatePledge() http.Handler { return h.handle(h.createPledge) }

type pledgeView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Options   []string  `json:"options"`
	Actions   []string  `json:"actions"`
	Event     string    `json:"event,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	VerifyURL string    `json:"verify_url"`
}

func (h *Handlers) getPledge(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.Pledges.Store.Pledge(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if p.Hidden {
		return errs.E(errs.NotFound, "error.pledge_hidden")
	}
	e, err := h.Pledges.Store.Event(ctx, p.EventID)
	if err != nil {
		return err
	}
	lang := i18n.LangFrom(ctx)
	out := pledgeView{ID: p.ID, Name: p.CardName(), Options: p.Options, Actions: h.Pledges.Options().Texts(p.Options, lang),
		CreatedAt: p.CreatedAt, VerifyURL: h.Pledges.VerifyURL(p.ID)}
	if e.ID != event.DefaultID {
		out.Event = e.Name
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Pledge serves GET /api/v1/pledges/{id}: what the verification page
// shows (never age band or province).
func (h *Handlers) Pledge() http.Handler { return h.handle(h.getPledge) }

func (h *Handlers) pledgeStats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Pledges.Store.PledgeStats(r.Context(), "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// PledgeStats serves GET /api/v1/pledges/stats: the totals everywhere.
func (h *Handlers) PledgeStats() http.Handler { return h.handle(h.pledgeStats) }

type redeemRequest struct {
	Code    string `json:"code"`
	EventID string `json:"event_id"`
	ItemID  string `json:"item_id"`
}

type redemptionView struct {
	Outcome    string                `json:"outcome"`
	Message    string                `json:"message"`
	RedeemedAt *time.Time            `json:"redeemed_at,omitempty"`
	Where      string                `json:"where,omitempty"`
	By         string                `json:"by,omitempty"`
	Item       string                `json:"item,omitempty"`
	Stock      []pledge.SouvenirItem `json:"stock"`
}

func (h *Handlers) redeem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var req redeemRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	code, err := pledge.ParseVoucherCode(req.Code)
	if err != nil {
		return err
	}
	acct := web.AccountFrom(ctx)
	eventID := req.EventID
	if eventID == "" && len(acct.Events) == 1 {
		eventID = acct.Events[0]
	}
	if eventID == "" {
		return errs.Field("event_id", "error.desk_event_missing")
	}
	if !slices.Contains(acct.Events, eventID) {
		return errs.E(errs.Forbidden, "error.desk_event")
	}
	res, err := h.Pledges.Redeem(ctx, h.Vouchers, store.Redeem{Code: code, EventID: eventID, ItemID: req.ItemID, By: acct.Email})
	if err != nil {
		return err
	}
	l := h.Catalog.For(i18n.LangFrom(ctx))
	v := web.RedemptionView(l, res)
	out := redemptionView{Outcome: res.Outcome, Message: v.Detail, RedeemedAt: res.RedeemedAt, Where: res.Where, By: res.By, Item: res.Item,
		Stock: res.Items}
	if out.Stock == nil {
		out.Stock = []pledge.SouvenirItem{}
	}
	writeJSON(w, web.RedemptionStatus(res.Outcome), out)
	return nil
}

// RedeemVoucher serves POST /api/v1/vouchers/redeem (desk role): 200 for
// the one scan that wins, 409 with when and where for every other.
func (h *Handlers) RedeemVoucher() http.Handler { return h.handle(h.redeem) }
