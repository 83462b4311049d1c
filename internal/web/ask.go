package web

import (
	"errors"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/taxonomy"
)

// Asking for help: a short, trauma-informed form. It is offered only where
// someone can read it (Reports.Available). It never needs an account or a
// parent's consent. The first question is whether the child is in danger
// right now: yes shows the emergency numbers before anything else.
//
// Every page here is sent with Cache-Control: no-store, so nothing stays
// in the back-forward cache of a shared phone; the receipt and its secret
// are shown in a page, never put in a URL.

// reportTopics are the "what happened" choices, in the order shown, in a
// child's words (report.topic.<code>).
var reportTopics = []string{"sextortion", "grooming", "online-kidnapping", "cyberbullying", "phishing", "account-security",
	"shopping-prizes", "romance", "ai-deepfakes", "privacy", "getting-help"}

// appNames are the apps' names, the same in every language.
var appNames = map[string]string{"tiktok": "TikTok", "facebook": "Facebook", "messenger": "Messenger", "instagram": "Instagram",
	"zalo": "Zalo", "youtube": "YouTube", "discord": "Discord", "roblox": "Roblox"}

// MaxReportBody bounds a help request: three pictures and the text.
const MaxReportBody = help.MaxEvidenceFiles*help.MaxEvidenceBytes + 1<<20

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// askOpen sends the visitor back to the hub when nobody here could
// read a request.
func (h *Handlers) askOpen(w http.ResponseWriter, r *http.Request) bool {
	if h.Reports.Available(r.Context()) {
		return true
	}
	http.Redirect(w, r, "/help", http.StatusSeeOther)
	return false
}

type askPage struct {
	Layout
	Emergency []hotlineView
}

func (h *Handlers) emergency(p *askPage) {
	// 113 first: this page is for a child in danger now.
	for _, n := range []string{"113", "111"} {
		for _, x := range h.Content.Hotlines.Hotlines {
			if x.Number == n {
				p.Emergency = append(p.Emergency, hotlineView{Number: x.Number, Name: x.Name.In(p.L.Lang), Description: x.Description.In(p.L.Lang),
					CallLabel: p.L.T("help.call", "number", x.Number, "name", x.Name.In(p.L.Lang))})
			}
		}
	}
}

func (h *Handlers) askStart(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if !h.askOpen(w, r) {
		return nil
	}
	p := askPage{Layout: h.layout(r, "ask.title")}
	p.NoIndex = true
	h.render(w, r, http.StatusOK, "help_ask", p)
	return nil
}

// AskStart serves GET /help/ask: "are you in danger right now?"
func (h *Handlers) AskStart() http.Handler { return h.handle(h.askStart) }

func (h *Handlers) askDanger(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	p := askPage{Layout: h.layout(r, "ask.danger_title")}
	p.NoIndex = true
	h.emergency(&p)
	h.render(w, r, http.StatusOK, "help_danger", p)
	return nil
}

// AskDanger serves GET /help/ask/danger: the emergency numbers, at once.
// It is shown even where the form is not offered.
func (h *Handlers) AskDanger() http.Handler { return h.handle(h.askDanger) }

type askFormPage struct {
	Layout
	Req                                   help.Request
	Topics, Platforms, Happened, AgeBands []choiceVM
	Errors                                map[string]string
	ErrorList                             []string
	ReplyHours, MaxDescription            int
	HadFiles                              bool
}

func (h *Handlers) askForm(r *http.Request, req help.Request, problems []*errs.Error) askFormPage {
	p := askFormPage{Layout: h.layout(r, "ask.title"), Req: req, Errors: map[string]string{}, ReplyHours: h.Reports.ReplyHours,
		MaxDescription: help.MaxDescription}
	p.NoIndex = true
	choices := func(codes []string, prefix, chosen string) []choiceVM {
		var out []choiceVM
		for _, c := range codes {
			out = append(out, choiceVM{Value: c, Label: p.L.T(prefix + c), Selected: c == chosen})
		}
		return out
	}
	p.Topics = choices(reportTopics, "report.topic.", req.Topic)
	p.Platforms = choices(help.Platforms, "report.platform.", req.Platform)
	for i := range p.Platforms {
		if name, ok := appNames[p.Platforms[i].Value]; ok {
			p.Platforms[i].Label = name
		}
	}
	p.Happened = choices(help.Happened, "report.happened.", req.Happened)
	p.AgeBands = choices(taxonomy.Audiences, "pledge.age.", req.AgeBand)
	for _, e := range problems {
		if _, seen := p.Errors[e.Field]; !seen {
			msg := p.L.T(e.MessageKey())
			p.Errors[e.Field] = msg
			p.ErrorList = append(p.ErrorList, msg)
		}
	}
	return p
}

func (h *Handlers) askFormGet(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if !h.askOpen(w, r) {
		return nil
	}
	q := r.URL.Query()
	req := help.Request{DangerNow: q.Get("danger") == "1", ContactKind: help.ContactNone}
	if g, ok := h.Guides().Guide(q.Get("guide")); ok && slices.Contains(reportTopics, g.Topic) {
		req.Topic = g.Topic
	}
	h.render(w, r, http.StatusOK, "help_form", h.askForm(r, req, nil))
	return nil
}

// AskForm serves GET /help/ask/form.
func (h *Handlers) AskForm() http.Handler { return h.handle(h.askFormGet) }

// requestFromForm reads the form's fields (the API reads JSON).
func requestFromForm(r *http.Request) help.Request {
	f := r.PostForm
	return help.Request{
		Topic: f.Get("topic"), Platform: f.Get("platform"), Happened: f.Get("happened"),
		DangerNow: f.Get("danger_now") == "on", AskedToMeet: f.Get("asked_to_meet") == "on", Isolated: f.Get("isolated") == "on",
		Description: f.Get("description"), ContactKind: f.Get("contact_kind"), Contact: f.Get("contact_" + f.Get("contact_kind")),
		AgeBand: f.Get("age_band"), Consent: f.Get("consent") == "on",
	}
}

type receiptPage struct {
	Layout
	Receipt, Secret string
	ReplyHours      int
	Urgent          bool
	Emergency       []hotlineView
}

func (h *Handlers) askPost(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if !h.askOpen(w, r) {
		return nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errs.Error{Code: errs.TooLarge, Key: "error.report_evidence_size", Err: err}
		}
		return &errs.Error{Code: errs.Invalid, Key: "error.form_malformed", Err: err}
	}
	if r.PostForm == nil {
		if err := parseForm(r); err != nil {
			return err
		}
	}
	req := requestFromForm(r)
	files, err := readUploads(r, "evidence", help.MaxEvidenceFiles, help.MaxEvidenceBytes)
	var problems []*errs.Error
	if err != nil {
		problems = append(problems, errs.As(err))
	}
	var rc Receipt
	if len(problems) == 0 {
		d, err := h.device(r.Context(), r)
		if err != nil {
			return err
		}
		rc, problems, err = h.Reports.Submit(r.Context(), req, files, d, "form")
		if err != nil {
			return err
		}
	} else if checked, more := req.Check(); len(more) > 0 {
		problems, req = append(problems, more...), checked
	}
	if len(problems) > 0 {
		// Keep everything the child typed (pictures must be chosen again:
		// browsers do not keep them).
		if !utf8.ValidString(req.Description) {
			req.Description = ""
		}
		p := h.askForm(r, req, problems)
		p.HadFiles = len(files) > 0 || (r.MultipartForm != nil && len(r.MultipartForm.File["evidence"]) > 0)
		status := http.StatusBadRequest
		if slices.ContainsFunc(problems, func(e *errs.Error) bool { return e.Code == errs.TooLarge }) {
			status = http.StatusRequestEntityTooLarge
		}
		h.render(w, r, status, "help_form", p)
		return nil
	}
	p := receiptPage{Layout: h.layout(r, "ask.receipt_title"), Receipt: rc.Receipt, Secret: rc.Secret, ReplyHours: h.Reports.ReplyHours,
		Urgent: req.DangerNow}
	p.NoIndex = true
	if req.DangerNow {
		ap := askPage{Layout: p.Layout}
		h.emergency(&ap)
		p.Emergency = ap.Emergency
	}
	h.render(w, r, http.StatusOK, "help_receipt", p)
	return nil
}

// AskPost serves POST /help/ask: the request; the receipt in the answer.
func (h *Handlers) AskPost() http.Handler { return h.handle(h.askPost) }

type statusPage struct {
	Layout
	Receipt   string
	Found     bool
	Checked   bool
	Status    string
	Message   string
	UpdatedAt string
}

func (h *Handlers) statusGet(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	p := statusPage{Layout: h.layout(r, "ask.status_title")}
	p.NoIndex = true
	h.render(w, r, http.StatusOK, "help_status", p)
	return nil
}

// StatusForm serves GET /help/status: receipt and secret, to check.
func (h *Handlers) StatusForm() http.Handler { return h.handle(h.statusGet) }

func (h *Handlers) statusPost(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	if err := parseForm(r); err != nil {
		return err
	}
	p := statusPage{Layout: h.layout(r, "ask.status_title"), Checked: true}
	p.NoIndex = true
	receipt := r.PostForm.Get("receipt")
	if utf8.ValidString(receipt) && len(receipt) <= 40 {
		p.Receipt = receipt
	}
	st, err := h.Reports.Store.ReportStatusFor(r.Context(), receipt, r.PostForm.Get("secret"))
	switch {
	case errs.Is(err, errs.NotFound):
		// The same answer for an unknown receipt and a wrong secret.
	case err != nil:
		return err
	default:
		p.Found, p.Status = true, p.L.T("ask.status."+st.Status)
		p.Message = st.Message
		p.UpdatedAt = p.L.Date(st.UpdatedAt)
	}
	h.render(w, r, http.StatusOK, "help_status", p)
	return nil
}

// StatusCheck serves POST /help/status: the secret travels in the body.
func (h *Handlers) StatusCheck() http.Handler { return h.handle(h.statusPost) }
