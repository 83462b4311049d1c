package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/web"
)

// PartnerTokens resolves partner platforms' intake tokens.
type PartnerTokens interface {
	PartnerForToken(ctx context.Context, tokenHash string) (string, error)
}

type reportRequest struct {
	Topic       string   `json:"topic"`
	Platform    string   `json:"platform"`
	Happened    string   `json:"happened"`
	DangerNow   bool     `json:"danger_now"`
	AskedToMeet bool     `json:"asked_to_meet"`
	Isolated    bool     `json:"isolated"`
	Description string   `json:"description"`
	ContactKind string   `json:"contact_kind"`
	Contact     string   `json:"contact"`
	AgeBand     string   `json:"age_band"`
	Consent     bool     `json:"consent"`
	Evidence    []string `json:"evidence"` // base64 images
}

func (q reportRequest) request() help.Request {
	return help.Request{Topic: q.Topic, Platform: q.Platform, Happened: q.Happened, DangerNow: q.DangerNow, AskedToMeet: q.AskedToMeet,
		Isolated: q.Isolated, Description: q.Description, ContactKind: q.ContactKind, Contact: q.Contact, AgeBand: q.AgeBand, Consent: q.Consent}
}

// submitReport takes a help request as JSON and answers the receipt and
// secret (shown once; the secret never travels in a URL).
func (h *Handlers) submitReport(w http.ResponseWriter, r *http.Request, source string) error {
	if !h.Reports.Available(r.Context()) {
		return errs.E(errs.Forbidden, "error.no_responder_key")
	}
	var q reportRequest
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	if len(q.Evidence) > help.MaxEvidenceFiles {
		return errs.Field("evidence", "error.report_evidence_count")
	}
	var files []web.Upload
	for _, e := range q.Evidence {
		if base64.StdEncoding.DecodedLen(len(e)) > help.MaxEvidenceBytes+3 {
			return &errs.Error{Code: errs.TooLarge, Key: "error.report_evidence_size", Field: "evidence"}
		}
		b, err := base64.StdEncoding.DecodeString(e)
		if err != nil {
			return errs.Field("evidence", "error.report_evidence_type")
		}
		files = append(files, web.Upload{Data: b})
	}
	d, err := h.device(r)
	if err != nil {
		return err
	}
	rc, problems, err := h.Reports.Submit(r.Context(), q.request(), files, d, source)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems[0]
	}
	writeJSON(w, http.StatusCreated, map[string]string{"receipt": rc.Receipt, "secret": rc.Secret})
	return nil
}

// CreateReport serves POST /api/v1/reports: a help request.
func (h *Handlers) CreateReport() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error { return h.submitReport(w, r, "api") })
}

// PartnerReport serves POST /api/v1/partner/reports: a help request passed
// on by a partner platform ("Authorization: Bearer <token>").
func (h *Handlers) PartnerReport() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(bearer) == "" {
			return errs.E(errs.Unauthorized, "")
		}
		partner, err := h.Partners.PartnerForToken(r.Context(), staff.TokenHash(strings.TrimSpace(bearer)))
		if err != nil {
			return err
		}
		return h.submitReport(w, r, "partner:"+partner)
	})
}

type statusRequest struct {
	Receipt string `json:"receipt"`
	Secret  string `json:"secret"`
}

// ReportStatus serves POST /api/v1/reports/status: the status a responder
// chose to show. A wrong secret and an unknown receipt answer alike.
func (h *Handlers) ReportStatus() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		var q statusRequest
		if err := decodeJSON(r, &q); err != nil {
			return err
		}
		st, err := h.Reports.Store.ReportStatusFor(r.Context(), q.Receipt, q.Secret)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct {
			Status    string    `json:"status"`
			Message   string    `json:"message"`
			UpdatedAt time.Time `json:"updated_at"`
		}{st.Status, st.Message, st.UpdatedAt})
		return nil
	})
}
