package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// The responder console: the inbox (priority, then oldest first), the
// case with its evidence blurred until revealed, assignment, status,
// notes, referrals and the encrypted export. Only the responder role, with
// its second factor, reaches these routes (server/routes.go); every view,
// reveal and export is audited.

type caseRow struct {
	store.CaseSummary
	URL, TopicName, PriorityName, StatusName string
	FlagNames                                []string
}

type inboxPage struct {
	consolePage
	Cases  []caseRow
	Closed bool
}

func (h *Handlers) inbox(w http.ResponseWriter, r *http.Request) error {
	closed := r.URL.Query().Get("closed") == "1"
	list, err := h.Reports.Store.Inbox(r.Context(), closed, 0)
	if err != nil {
		return err
	}
	p := inboxPage{consolePage: h.consoleLayout(r, "cases.title"), Closed: closed}
	for _, c := range list {
		row := caseRow{CaseSummary: c, URL: "/console/cases/" + c.ID, TopicName: p.L.T("topic." + c.Topic),
			PriorityName: p.L.T("cases.priority." + c.Priority.String()), StatusName: p.L.T("cases.status." + c.Status)}
		for _, f := range c.Flags {
			row.FlagNames = append(row.FlagNames, p.L.T("flag."+f))
		}
		p.Cases = append(p.Cases, row)
	}
	noStore(w)
	h.render(w, r, http.StatusOK, "console_cases", p)
	return nil
}

// Inbox serves GET /console/cases.
func (h *Handlers) Inbox() http.Handler { return h.handle(h.inbox) }

type casePage struct {
	consolePage
	Case                              help.Case
	Base                              string
	TopicName, PriorityName, Platform string
	StatusName, Happened              string
	FlagNames                         []string
	Files                             []caseFileVM
	Statuses, Partners                []choiceVM
	CanOverride                       bool
	Saved                             string
}

type caseFileVM struct {
	help.File
	Shown                                 bool
	RevealURL, ImageURL, PreviewURL, Name string
}

// openCase loads and opens a case, auditing the view.
func (h *Handlers) openCase(r *http.Request) (store.SealedCase, help.Case, error) {
	ctx := r.Context()
	sc, err := h.Reports.Store.Case(ctx, r.PathValue("case"))
	if err != nil {
		return store.SealedCase{}, help.Case{}, err
	}
	c, _, err := h.Reports.OpenCase(sc)
	if err != nil {
		return store.SealedCase{}, help.Case{}, err
	}
	return sc, c, nil
}

func (h *Handlers) caseView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	_, c, err := h.openCase(r)
	if err != nil {
		return err
	}
	me := account(ctx)
	if err := h.Reports.Store.Audit(ctx, me.Email, "case.view", "case:"+c.ID, ""); err != nil {
		return err
	}
	p := casePage{consolePage: h.consoleLayout(r, "cases.case"), Case: c, Base: "/console/cases/" + c.ID,
		CanOverride: slices.Contains(me.Permissions, staff.ReferralOverride), Saved: r.URL.Query().Get("saved")}
	p.TopicName = p.L.T("topic." + c.Request.Topic)
	p.Title = p.L.T("cases.case") + " " + c.Receipt
	p.PriorityName = p.L.T("cases.priority." + c.Priority.String())
	p.StatusName = p.L.T("cases.status." + c.Status)
	p.Happened = p.L.T("report.happened." + c.Request.Happened)
	p.Platform = p.L.T("report.platform." + c.Request.Platform)
	if name, ok := appNames[c.Request.Platform]; ok {
		p.Platform = name
	}
	for _, f := range c.Flags {
		p.FlagNames = append(p.FlagNames, p.L.T("flag."+f))
	}
	shown, _ := strconv.Atoi(r.URL.Query().Get("show"))
	for _, f := range c.Files {
		n := strconv.Itoa(f.N)
		p.Files = append(p.Files, caseFileVM{File: f, Shown: f.N == shown, Name: p.L.T("cases.evidence_n", "n", f.N),
			RevealURL: p.Base + "/files/" + n + "/reveal", ImageURL: p.Base + "/files/" + n, PreviewURL: p.Base + "/files/" + n + "/preview"})
	}
	for _, s := range help.Statuses {
		p.Statuses = append(p.Statuses, choiceVM{Value: s, Label: p.L.T("cases.status." + s), Selected: s == c.Status})
	}
	for _, pt := range help.Partners {
		p.Partners = append(p.Partners, choiceVM{Value: pt, Label: p.L.T("cases.partner." + pt)})
	}
	noStore(w)
	h.render(w, r, http.StatusOK, "console_case", p)
	return nil
}

// Case serves GET /console/cases/{case}: the case, opened; each view is
// audited.
func (h *Handlers) Case() http.Handler { return h.handle(h.caseView) }

// caseAction runs a change on a case and goes back to it.
func (h *Handlers) caseAction(do func(r *http.Request, sc store.SealedCase, actor string) error) http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		sc, err := h.Reports.Store.Case(r.Context(), r.PathValue("case"))
		if err != nil {
			return err
		}
		if err := do(r, sc, account(r.Context()).Email); err != nil {
			return err
		}
		http.Redirect(w, r, "/console/cases/"+sc.ID+"?saved=1", http.StatusSeeOther)
		return nil
	})
}

// maxCaseText bounds a note, a reason or a message to the reporter.
const maxCaseText = 4000

func caseText(r *http.Request, field string, required bool) (string, error) {
	s := strings.TrimSpace(r.PostForm.Get(field))
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxCaseText || (required && s == "") {
		return "", errs.Field(field, "error.case_text")
	}
	return s, nil
}

// CaseAssign serves POST /console/cases/{case}/assign: to me, or to no one.
func (h *Handlers) CaseAssign() http.Handler {
	return h.caseAction(func(r *http.Request, sc store.SealedCase, actor string) error {
		to := ""
		if r.PostForm.Get("to") == "me" {
			to = actor
		}
		return h.Reports.Store.AssignCase(r.Context(), sc.ID, to, actor)
	})
}

// CaseStatus serves POST /console/cases/{case}/status.
func (h *Handlers) CaseStatus() http.Handler {
	return h.caseAction(func(r *http.Request, sc store.SealedCase, actor string) error {
		status := r.PostForm.Get("status")
		if !slices.Contains(help.Statuses, status) {
			return errs.Field("status", "error.case_status")
		}
		reason, err := caseText(r, "reason", status == help.StatusClosed)
		if err != nil {
			return err
		}
		msg, err := caseText(r, "public_message", false)
		if err != nil {
			return err
		}
		return h.Reports.Store.SetCaseStatus(r.Context(), sc.ID, status, reason, msg, actor)
	})
}

// CaseNote serves POST /console/cases/{case}/notes: sealed like the case.
func (h *Handlers) CaseNote() http.Handler {
	return h.caseAction(func(r *http.Request, sc store.SealedCase, actor string) error {
		body, err := caseText(r, "body", true)
		if err != nil {
			return err
		}
		sealed, err := h.Reports.SealNote(sc, body)
		if err != nil {
			return err
		}
		return h.Reports.Store.AddCaseNote(r.Context(), sc.ID, actor, sealed)
	})
}

// CaseRefer serves POST /console/cases/{case}/referrals. Without the
// reporter's consent it is refused, unless a responder holding the
// referral_override permission records why (a child in danger).
func (h *Handlers) CaseRefer() http.Handler {
	return h.caseAction(func(r *http.Request, sc store.SealedCase, actor string) error {
		partner := r.PostForm.Get("partner")
		if !slices.Contains(help.Partners, partner) {
			return errs.Field("partner", "error.case_partner")
		}
		shared, err := caseText(r, "shared", true)
		if err != nil {
			return err
		}
		ref := help.Referral{Partner: partner, Shared: shared, Consent: sc.Request.Consent, By: actor}
		if !ref.Consent {
			if !slices.Contains(account(r.Context()).Permissions, staff.ReferralOverride) {
				return errs.E(errs.Forbidden, "error.case_no_consent")
			}
			if ref.OverrideReason, err = caseText(r, "override_reason", true); err != nil {
				return errs.Field("override_reason", "error.case_override_reason")
			}
		}
		return h.Reports.Store.AddReferral(r.Context(), sc.ID, ref)
	})
}

// CaseReveal serves POST /console/cases/{case}/files/{n}/reveal: the
// responder chose to see an evidence image; the choice is audited.
func (h *Handlers) CaseReveal() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		sc, err := h.Reports.Store.Case(ctx, r.PathValue("case"))
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 || n > len(sc.Files) {
			return errs.E(errs.NotFound, "error.case_file_not_found")
		}
		if err := h.Reports.Store.Audit(ctx, account(ctx).Email, "case.reveal", "case:"+sc.ID, fmt.Sprintf("evidence %d", n)); err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/cases/%s?show=%d#file-%d", sc.ID, n, n), http.StatusSeeOther)
		return nil
	})
}

func (h *Handlers) caseFile(preview bool) http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		sc, err := h.Reports.Store.Case(ctx, r.PathValue("case"))
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			return errs.E(errs.NotFound, "error.case_file_not_found")
		}
		mime, b, err := h.Reports.CaseFile(ctx, sc, n, preview)
		if err != nil {
			return err
		}
		if !preview {
			if err := h.Reports.Store.Audit(ctx, account(ctx).Email, "case.file", "case:"+sc.ID, fmt.Sprintf("evidence %d", n)); err != nil {
				return err
			}
		}
		noStore(w)
		w.Header().Set("Content-Type", mime)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
		return nil
	})
}

// CaseFile serves GET /console/cases/{case}/files/{n}: the image, audited.
func (h *Handlers) CaseFile() http.Handler { return h.caseFile(false) }

// CasePreview serves GET /console/cases/{case}/files/{n}/preview: a
// few pixels across, drawn blurred.
func (h *Handlers) CasePreview() http.Handler { return h.caseFile(true) }

// CaseExport serves POST /console/cases/{case}/export: the case as an
// encrypted package (JSON and a PDF summary) for one partner.
func (h *Handlers) CaseExport() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if err := parseForm(r); err != nil {
			return err
		}
		sc, c, err := h.openCase(r)
		if err != nil {
			return err
		}
		partner := r.PostForm.Get("partner")
		if !slices.Contains(help.Partners, partner) {
			return errs.Field("partner", "error.case_partner")
		}
		// An export is what a referral shares: the referral (with its
		// grounds — consent or the override) comes first.
		if !slices.ContainsFunc(c.Referrals, func(x help.Referral) bool { return x.Partner == partner }) {
			return errs.E(errs.Conflict, "error.export_needs_referral")
		}
		var files []help.ExportFile
		for _, f := range c.Files {
			mime, b, err := h.Reports.CaseFile(ctx, sc, f.N, false)
			if err != nil {
				return err
			}
			files = append(files, help.ExportFile{N: f.N, MIME: mime, Data: b})
		}
		me := account(ctx)
		pkg, err := help.BuildExport(c, files, partner, me.Email, time.Now().UTC())
		if err != nil {
			return err
		}
		var out []byte
		how := "passphrase"
		if pem := strings.TrimSpace(r.PostForm.Get("public_key")); pem != "" {
			pub, err := help.DecodePublicKey([]byte(pem))
			if err != nil {
				return errs.Field("public_key", "error.export_key")
			}
			out, err = help.EncryptExportKey(pkg, pub)
			if err != nil {
				return err
			}
			how = "key " + pub.ID
		} else if out, err = help.EncryptExportPassphrase(pkg, r.PostForm.Get("passphrase")); err != nil {
			return err
		}
		if err := h.Reports.Store.Audit(ctx, me.Email, "case.export", "case:"+sc.ID, partner+" ("+how+")"); err != nil {
			return err
		}
		noStore(w)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="case-`+c.Receipt+`.notalone-export"`)
		w.Write(out)
		return nil
	})
}
