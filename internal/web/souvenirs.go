package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
)

// The souvenir set-up of an event, on its console page: the souvenir
// items with their stock, and the voucher rules.

// souvenirBlankRows is how many empty rows the form offers for new items.
const souvenirBlankRows = 2

type souvenirsForm struct {
	NeedsQuiz      bool
	PerStationHour int
	Rows           []pledge.SouvenirItem
}

func newSouvenirsForm(s pledge.Souvenirs) souvenirsForm {
	f := souvenirsForm{NeedsQuiz: s.Rules.NeedsQuiz, PerStationHour: s.Rules.PerStationHour, Rows: s.Items}
	for range souvenirBlankRows {
		f.Rows = append(f.Rows, pledge.SouvenirItem{})
	}
	return f
}

// parseSouvenirs reads the form: a row with every field empty is left out
// (the blank rows); any other row is validated by pledge.Souvenirs.Check.
func parseSouvenirs(r *http.Request) (pledge.Souvenirs, error) {
	f := r.PostForm
	ids, vis, ens, stocks := f["item_id"], f["item_vi"], f["item_en"], f["item_stock"]
	if len(vis) != len(ids) || len(ens) != len(ids) || len(stocks) != len(ids) || len(ids) > pledge.MaxSouvenirItems+souvenirBlankRows {
		return pledge.Souvenirs{}, errs.Field("items", "error.form_malformed")
	}
	s := pledge.Souvenirs{Rules: pledge.VoucherRules{NeedsQuiz: f.Get("needs_quiz") == "on"}}
	if v := strings.TrimSpace(f.Get("per_station_hour")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 { // 0 would mean "the default" to Check
			return s, errs.Field("per_station_hour", "error.souvenir_rate")
		}
		s.Rules.PerStationHour = n
	}
	for i := range ids {
		id, vi, en, stock := strings.TrimSpace(ids[i]), strings.TrimSpace(vis[i]), strings.TrimSpace(ens[i]), strings.TrimSpace(stocks[i])
		if id == "" && vi == "" && en == "" && stock == "" {
			continue
		}
		n, err := strconv.Atoi(stock)
		if err != nil {
			return s, errs.Field("items", "error.souvenir_stock")
		}
		s.Items = append(s.Items, pledge.SouvenirItem{ID: id, Name: i18n.Text{VI: vi, EN: en}, Stock: n})
	}
	return s, s.Check()
}

func (h *Handlers) setSouvenirs(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("event")
	if _, err := h.Console.Event(ctx, id); err != nil {
		return err
	}
	s, err := parseSouvenirs(r)
	if err == nil {
		err = h.Console.SetSouvenirs(ctx, id, s, account(ctx).Email)
	}
	if errs.Is(err, errs.Invalid) {
		return h.eventDetail(w, r, http.StatusBadRequest, errs.As(err).MessageKey())
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/events/"+id+"#souvenirs", http.StatusSeeOther)
	return nil
}

// SetSouvenirs serves POST /console/events/{event}/souvenirs.
func (h *Handlers) SetSouvenirs() http.Handler { return h.handle(h.setSouvenirs) }
