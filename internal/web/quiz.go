package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/quiz"
)

// The quiz pages are plain HTML forms: they work without JavaScript, on any
// phone, with a keyboard and a screen reader, and a reload always lands
// where the player was (the attempt id is in the URL).

type quizCard struct {
	Name, Description, Meta, URL, StartURL string
}

func (h *Handlers) card(q *quiz.Quiz, l i18n.Localizer) quizCard {
	ages := make([]string, len(q.Ages))
	for i, a := range q.Ages {
		ages[i] = l.T("age." + a)
	}
	return quizCard{
		Name: q.Title.In(l.Lang), Description: q.Description.In(l.Lang),
		Meta:     l.N("practise.items", int64(q.ItemCount())) + " · " + strings.Join(ages, ", "),
		URL:      "/practise/" + q.ID,
		StartURL: "/practise/" + q.ID + "/start",
	}
}

type practisePage struct {
	Layout
	Quizzes []quizCard
}

func (h *Handlers) practise(w http.ResponseWriter, r *http.Request) error {
	p := practisePage{Layout: h.layout(r, "practise.title")}
	for _, q := range h.Play.Bank().Quizzes() {
		p.Quizzes = append(p.Quizzes, h.card(q, p.L))
	}
	h.render(w, r, http.StatusOK, "practise", p)
	return nil
}

// Practise serves GET /practise: the quizzes.
func (h *Handlers) Practise() http.Handler { return h.handle(h.practise) }

type quizPage struct {
	Layout
	quizCard
	ShareURL string
	QR       template.HTML
}

func (h *Handlers) quizDetail(w http.ResponseWriter, r *http.Request) error {
	q := h.Play.Bank().Quiz(r.PathValue("quiz"))
	if q == nil {
		return errs.E(errs.NotFound, "error.quiz_not_found")
	}
	p := quizPage{Layout: h.layout(r, "")}
	p.quizCard = h.card(q, p.L)
	p.Title = p.quizCard.Name
	p.ShareURL = h.PublicURL + "/practise/" + q.ID
	qr, err := qrSVG(p.ShareURL)
	if err != nil {
		return err
	}
	p.QR = qr
	h.render(w, r, http.StatusOK, "quiz", p)
	return nil
}

// QuizDetail serves GET /practise/{quiz}: a quiz with its share link and QR
// code for a teacher's board.
func (h *Handlers) QuizDetail() http.Handler { return h.handle(h.quizDetail) }

// qrSVG draws a QR code as inline SVG: crisp at any size on a projector,
// and no image request.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	bm := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" width="240" height="240" aria-hidden="true"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, len(bm), len(bm))
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built only from numbers above
}

func (h *Handlers) start(w http.ResponseWriter, r *http.Request) error {
	d, err := h.device(r.Context(), r)
	if err != nil {
		return err
	}
	a, err := h.Play.Start(r.Context(), r.PathValue("quiz"), i18n.LangFrom(r.Context()), d)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/play/"+a.ID+"/1", http.StatusSeeOther)
	return nil
}

// Start serves POST /practise/{quiz}/start.
func (h *Handlers) Start() http.Handler { return h.handle(h.start) }

// View models: the templates get plain strings and flags.

type optionVM struct {
	ID, Text, Mark string
	Checked        bool
	Correct        bool
}

type segmentVM struct {
	Token, From, Text string
	Checked           bool
	Flag              string // feedback: the flag's name
	Status            string // feedback: found or missed, in words
	Found, FalseTap   bool
	FalseTapLabel     string
}

type messageVM struct {
	Channel, Label, CallLabel, Sender, Time, Subject, Address, Amount string
	Tappable                                                          bool
	Segments                                                          []segmentVM
}

type turnVM struct {
	Messages                    []string
	Reply, Consequence, Verdict string
	Safe                        bool
}

type stepVM struct {
	ID       string
	Messages []string
	Choices  []optionVM
}

type scenarioVM struct {
	Channel, Contact string
	Turns            []turnVM
	Current          *stepVM
}

type itemVM struct {
	ID, Type, Prompt, Verdict string
	Options, Reasons          []optionVM
	Message                   *messageVM
	Scenario                  *scenarioVM
}

type flagVM struct {
	Name, Segment, Explanation, Status string
	Found                              bool
}

type feedbackVM struct {
	Correct            bool
	Heading, ScoreLine string
	Options            []optionVM
	Message            *messageVM
	Notes              []string
	Flags              []flagVM
	Explanation, Tip   string
}

type playPage struct {
	Layout
	AttemptID           string
	Number, Total, Done int
	Item                itemVM
	Answering           bool
	Error               string
	Feedback            *feedbackVM
	IsLast              bool
	AnswerURL           string
	NextURL, FinishURL  string
}

func (h *Handlers) message(it *quiz.Item, l i18n.Localizer, tappable bool) *messageVM {
	m := it.Message
	if m == nil {
		return nil
	}
	vm := &messageVM{Channel: m.Channel, Label: l.T("sim.channel." + m.Channel), CallLabel: l.T("sim.incoming_call"),
		Sender: m.Sender.In(l.Lang), Time: m.Time, Subject: m.Subject.In(l.Lang), Address: m.Address, Amount: m.Amount, Tappable: tappable}
	for _, s := range m.Segments {
		from := s.From
		if from == "" {
			from = "them"
		}
		vm.Segments = append(vm.Segments, segmentVM{Token: h.Play.Tokens.Token(it.ID, s.ID), From: from, Text: s.Text.In(l.Lang)})
	}
	return vm
}

func options(opts []quiz.Option, l i18n.Lang, checked []string) []optionVM {
	out := make([]optionVM, len(opts))
	for i, o := range opts {
		out[i] = optionVM{ID: o.ID, Text: o.Text.In(l), Checked: slices.Contains(checked, o.ID)}
	}
	return out
}

// itemView builds the question, with the player's last input when a
// submission is shown again after an error.
func (h *Handlers) itemView(it *quiz.Item, l i18n.Localizer, in quiz.Response) itemVM {
	vm := itemVM{ID: it.ID, Type: string(it.Type), Prompt: it.Prompt.In(l.Lang), Verdict: in.Verdict}
	switch it.Type {
	case quiz.Single:
		vm.Options = options(it.Options, l.Lang, []string{in.Choice})
	case quiz.Multi:
		vm.Options = options(it.Options, l.Lang, in.Choices)
	case quiz.ScamOrSafe:
		vm.Reasons = options(it.Reasons, l.Lang, []string{in.Reason})
		vm.Message = h.message(it, l, false)
	case quiz.SpotFlags:
		vm.Message = h.message(it, l, true)
		for i := range vm.Message.Segments {
			vm.Message.Segments[i].Checked = slices.Contains(in.Segments, vm.Message.Segments[i].Token)
		}
	}
	return vm
}

// scenarioView shows the conversation so far and the step waiting for a
// reply (nil when it has ended).
func (h *Handlers) scenarioView(it *quiz.Item, a *quiz.Attempt, l i18n.Localizer, waiting string) *scenarioVM {
	d := it.Scenario
	vm := &scenarioVM{Channel: d.Channel, Contact: d.Contact.In(l.Lang)}
	for _, an := range a.Answers {
		if an.ItemID != it.ID {
			continue
		}
		s, ok := d.Step(an.Step)
		if !ok {
			continue
		}
		t := turnVM{}
		for _, m := range s.Messages {
			t.Messages = append(t.Messages, m.In(l.Lang))
		}
		for _, c := range s.Choices {
			if c.ID == an.Response.Choice {
				t.Reply, t.Consequence, t.Safe = c.Text.In(l.Lang), c.Consequence.In(l.Lang), c.Safe
			}
		}
		t.Verdict = l.T("play.unsafe_choice")
		if t.Safe {
			t.Verdict = l.T("play.safe_choice")
		}
		vm.Turns = append(vm.Turns, t)
	}
	if s, ok := d.Step(waiting); ok && waiting != "" {
		cur := &stepVM{ID: s.ID}
		for _, m := range s.Messages {
			cur.Messages = append(cur.Messages, m.In(l.Lang))
		}
		for _, c := range s.Choices {
			cur.Choices = append(cur.Choices, optionVM{ID: c.ID, Text: c.Text.In(l.Lang)})
		}
		vm.Current = cur
	}
	return vm
}

// feedbackView explains an answered item: what was right, every red flag,
// the explanation and what to do.
func (h *Handlers) feedbackView(it *quiz.Item, a *quiz.Attempt, l i18n.Localizer) *feedbackVM {
	var answers []quiz.Answer
	for _, an := range a.Answers {
		if an.ItemID == it.ID {
			answers = append(answers, an)
		}
	}
	if len(answers) == 0 {
		return nil
	}
	score, maxScore := 0, 0
	for _, an := range answers {
		score += an.Score
		maxScore += an.MaxScore
	}
	fb := &feedbackVM{Correct: score == maxScore, Explanation: it.Explanation.In(l.Lang), Tip: it.Tip.In(l.Lang)}
	fb.Heading = l.T("play.feedback.partial")
	if fb.Correct {
		fb.Heading = l.T("play.feedback.correct")
	} else if score == 0 {
		fb.Heading = l.T("play.feedback.wrong")
	}
	fb.ScoreLine = l.T("play.points", "score", score, "max", maxScore)
	r := answers[0].Response
	switch it.Type {
	case quiz.Single, quiz.Multi:
		chosen := append([]string{r.Choice}, r.Choices...)
		for _, o := range it.Options {
			vm := optionVM{Text: o.Text.In(l.Lang), Checked: slices.Contains(chosen, o.ID), Correct: o.Correct}
			vm.Mark = optionMark(l, vm.Checked, o.Correct)
			fb.Options = append(fb.Options, vm)
			if vm.Checked {
				fb.Notes = append(fb.Notes, o.Feedback.In(l.Lang))
			}
		}
	case quiz.ScamOrSafe:
		fb.Message = h.message(it, l, false)
		fb.Notes = append(fb.Notes, l.T("play.verdict_was."+it.Verdict))
		for _, o := range it.Reasons {
			vm := optionVM{Text: o.Text.In(l.Lang), Checked: o.ID == r.Reason, Correct: o.Correct}
			vm.Mark = optionMark(l, vm.Checked, o.Correct)
			fb.Options = append(fb.Options, vm)
			if vm.Checked {
				fb.Notes = append(fb.Notes, o.Feedback.In(l.Lang))
			}
		}
	case quiz.SpotFlags:
		fb.Message = h.message(it, l, false)
		found := 0
		for i, s := range it.Message.Segments {
			seg := &fb.Message.Segments[i]
			tapped := slices.Contains(r.Segments, s.ID)
			for _, f := range it.Flags {
				if f.Segment != s.ID {
					continue
				}
				seg.Flag, seg.Found = l.T("flag."+f.Code), tapped
				status := l.T("play.flag_missed")
				if tapped {
					status = l.T("play.flag_found")
					found++
				}
				seg.Status = status
				fb.Flags = append(fb.Flags, flagVM{Name: l.T("flag." + f.Code), Segment: s.Text.In(l.Lang),
					Explanation: f.Explanation.In(l.Lang), Status: status, Found: tapped})
			}
			if tapped && seg.Flag == "" {
				seg.FalseTap, seg.FalseTapLabel = true, l.T("play.false_tap")
			}
		}
		fb.ScoreLine = l.T("play.flags_found", "found", found, "total", len(it.Flags))
	case quiz.Scenario:
		safe := 0
		for _, an := range answers {
			if an.Correct {
				safe++
			}
		}
		fb.ScoreLine = l.T("play.safe_choices", "safe", safe, "total", len(answers))
	}
	return fb
}

func optionMark(l i18n.Localizer, chosen, correct bool) string {
	switch {
	case chosen && correct:
		return l.T("play.mark.chosen_correct")
	case chosen:
		return l.T("play.mark.chosen_wrong")
	case correct:
		return l.T("play.mark.correct")
	}
	return ""
}

// playItem shows item n (1-based) of an attempt: the question, the
// conversation so far, or the feedback once answered.
func (h *Handlers) playItem(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Play.Store.Attempt(r.Context(), r.PathValue("attempt"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(a.Items) {
		return errs.E(errs.NotFound, "error.page_not_found")
	}
	if a.Finished() {
		http.Redirect(w, r, "/play/"+a.ID+"/results", http.StatusSeeOther)
		return nil
	}
	pos := a.Progress(h.Play.Bank())
	if n-1 > pos.Index {
		// No skipping ahead: go to the first item not done.
		http.Redirect(w, r, fmt.Sprintf("/play/%s/%d", a.ID, pos.Index+1), http.StatusSeeOther)
		return nil
	}
	h.renderPlay(w, r, &a, n, http.StatusOK, "", quiz.Response{})
	return nil
}

// PlayItem serves GET /play/{attempt}/{n}.
func (h *Handlers) PlayItem() http.Handler { return h.handle(h.playItem) }

func (h *Handlers) renderPlay(w http.ResponseWriter, r *http.Request, a *quiz.Attempt, n, status int, errMsg string, in quiz.Response) {
	bank := h.Play.Bank()
	it := bank.Item(a.Items[n-1])
	p := playPage{Layout: h.layout(r, "play.title"), AttemptID: a.ID, Number: n, Total: len(a.Items), Error: errMsg,
		AnswerURL: fmt.Sprintf("/play/%s/%d", a.ID, n), NextURL: fmt.Sprintf("/play/%s/%d", a.ID, n+1),
		FinishURL: "/play/" + a.ID + "/finish", IsLast: n == len(a.Items)}
	p.NoIndex = true
	pos := a.Progress(bank)
	p.Done = pos.Index
	p.Item = h.itemView(it, p.L, in)
	waiting := ""
	if pos.Index == n-1 {
		waiting = pos.Step
	}
	if it.Type == quiz.Scenario {
		p.Item.Scenario = h.scenarioView(it, a, p.L, waiting)
		if waiting == "" {
			p.Feedback = h.feedbackView(it, a, p.L)
		}
	} else if pos.Index == n-1 {
		p.Answering = true
	} else {
		p.Feedback = h.feedbackView(it, a, p.L)
	}
	h.render(w, r, status, "play", p)
}

// responseFromForm reads an answer form; its shape is checked by scoring.
func responseFromForm(r *http.Request, t quiz.Type) quiz.Response {
	f := r.PostForm
	switch t {
	case quiz.Multi:
		return quiz.Response{Choices: nonNil(f["choices"])}
	case quiz.ScamOrSafe:
		return quiz.Response{Verdict: f.Get("verdict"), Reason: f.Get("reason")}
	case quiz.SpotFlags:
		return quiz.Response{Segments: nonNil(f["segments"])}
	}
	return quiz.Response{Choice: f.Get("choice")}
}

// nonNil keeps "nothing chosen" distinct from "no such field".
func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a, err := h.Play.Store.Attempt(r.Context(), r.PathValue("attempt"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(a.Items) || r.PostForm.Get("item") != a.Items[n-1] {
		return errs.E(errs.Invalid, "error.form_malformed")
	}
	it := h.Play.Bank().Item(a.Items[n-1])
	resp := responseFromForm(r, it.Type)
	_, err = h.Play.Answer(r.Context(), a.ID, it.ID, r.PostForm.Get("step"), resp)
	switch {
	case errs.Is(err, errs.Invalid):
		// Show the question again with what the player chose and a message
		// that says what to fix.
		l := h.Catalog.For(i18n.LangFrom(r.Context()))
		msg := l.T(errs.As(err).MessageKey())
		if it.Type == quiz.Single || it.Type == quiz.Scenario {
			msg = l.T("play.choose_one")
		} else if it.Type == quiz.Multi {
			msg = l.T("play.choose_some")
		} else if it.Type == quiz.ScamOrSafe {
			msg = l.T("play.choose_verdict")
		}
		h.renderPlay(w, r, &a, n, http.StatusBadRequest, msg, resp)
		return nil
	case errs.Is(err, errs.Conflict):
		// Answered already (a double tap, or a resubmitted form): the first
		// answer stands; show it.
	case err != nil:
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/play/%s/%d#feedback", a.ID, n), http.StatusSeeOther)
	return nil
}

// Answer serves POST /play/{attempt}/{n}.
func (h *Handlers) Answer() http.Handler { return h.handle(h.answer) }

func (h *Handlers) finish(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Play.Finish(r.Context(), r.PathValue("attempt")); err != nil {
		return err
	}
	http.Redirect(w, r, "/play/"+r.PathValue("attempt")+"/results", http.StatusSeeOther)
	return nil
}

// Finish serves POST /play/{attempt}/finish.
func (h *Handlers) Finish() http.Handler { return h.handle(h.finish) }

type topicVM struct {
	Name            string
	Score, MaxScore int
}

type resultsPage struct {
	Layout
	ScoreLine, FlagsLine, Cheer  string
	Played                       string
	Topics                       []topicVM
	Tips                         []string
	RetryURL, MoreURL, PledgeURL string
	// Learn is library items on the topics with points lost.
	Learn []mediaCard
}

func (h *Handlers) results(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Play.Store.Attempt(r.Context(), r.PathValue("attempt"))
	if err != nil {
		return err
	}
	if !a.Finished() {
		http.Redirect(w, r, fmt.Sprintf("/play/%s/%d", a.ID, a.Progress(h.Play.Bank()).Index+1), http.StatusSeeOther)
		return nil
	}
	bank := h.Play.Bank()
	s := a.Summarise(bank)
	p := resultsPage{Layout: h.layout(r, "results.title"), RetryURL: "/practise/" + a.QuizID + "/start", MoreURL: "/practise",
		PledgeURL: "/pledge?attempt=" + url.QueryEscape(a.ID)}
	p.NoIndex = true
	p.ScoreLine = p.L.T("results.score", "score", s.Score, "max", s.MaxScore)
	// The day, in the event's time zone, for a teacher's screenshot.
	when := a.StartedAt
	if e, err := h.Devices.Store.Event(r.Context(), a.EventID); err == nil {
		if loc, err := time.LoadLocation(e.Timezone); err == nil {
			when = when.In(loc)
		}
	}
	p.Played = p.L.T("results.played", "date", p.L.Date(when))
	if s.FlagsTotal > 0 {
		p.FlagsLine = p.L.T("results.flags", "found", s.FlagsFound, "total", s.FlagsTotal)
	}
	switch {
	case s.MaxScore > 0 && s.Score == s.MaxScore:
		p.Cheer = p.L.T("results.cheer.all")
	case s.MaxScore > 0 && s.Score*2 >= s.MaxScore:
		p.Cheer = p.L.T("results.cheer.most")
	default:
		p.Cheer = p.L.T("results.cheer.some")
	}
	for _, t := range s.Topics {
		p.Topics = append(p.Topics, topicVM{Name: p.L.T("topic." + t.Topic), Score: t.Score, MaxScore: t.MaxScore})
	}
	// The tips to remember: those of items with points lost first, then the
	// rest, five at most.
	var missed, kept []string
	seen := map[string]bool{}
	for _, an := range a.Answers {
		it := bank.Item(an.ItemID)
		if it == nil || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		if an.Score < an.MaxScore {
			missed = append(missed, it.Tip.In(p.L.Lang))
		} else {
			kept = append(kept, it.Tip.In(p.L.Lang))
		}
	}
	p.Tips = append(missed, kept...)
	p.Tips = p.Tips[:min(5, len(p.Tips))]
	var ages []string
	if q := bank.Quiz(a.QuizID); q != nil {
		ages = q.Ages
	}
	p.Learn = h.learnMore(r.Context(), s.Missed, ages, p.L, 3)
	h.render(w, r, http.StatusOK, "results", p)
	return nil
}

// Results serves GET /play/{attempt}/results.
func (h *Handlers) Results() http.Handler { return h.handle(h.results) }

type kioskPage struct {
	Layout
	StartURL string
	// Videos loop on the attract screen (the kiosk's event chooses them).
	Videos []*videoVM
}

func (h *Handlers) kiosk(w http.ResponseWriter, r *http.Request) error {
	p := kioskPage{Layout: h.layout(r, "")}
	p.NoIndex = true
	// The attract screen itself never times out.
	p.IdleSeconds = 0
	if p.Kiosk {
		p.Videos = h.attractVideos(r, p.L.Lang)
	}
	h.render(w, r, http.StatusOK, "kiosk", p)
	return nil
}

// Kiosk serves GET /kiosk: the attract screen.
func (h *Handlers) Kiosk() http.Handler { return h.handle(h.kiosk) }

func (h *Handlers) kioskHome(w http.ResponseWriter, r *http.Request) error {
	d, err := h.device(r.Context(), r)
	if err != nil {
		return err
	}
	quizID := d.Event.KioskQuiz
	if h.Play.Bank().Quiz(quizID) == nil {
		quizID = event.DefaultKioskQuiz
	}
	p := kioskPage{Layout: h.layout(r, "kiosk.home_title"), StartURL: "/practise/" + quizID + "/start"}
	p.NoIndex = true
	h.render(w, r, http.StatusOK, "kiosk_home", p)
	return nil
}

// KioskHome serves GET /kiosk/home: what a visitor sees after touching.
func (h *Handlers) KioskHome() http.Handler { return h.handle(h.kioskHome) }

func (h *Handlers) kioskReset(w http.ResponseWriter, r *http.Request) error {
	// Staff may have signed in on this kiosk: the next visitor must not
	// inherit that.
	if t := StaffToken(r); t != "" {
		if err := h.Auth.Logout(r.Context(), t); err != nil {
			return err
		}
		h.setStaffCookie(w, r, "")
	}
	// Back to the default language for the next visitor.
	http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: string(i18n.VI), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r)})
	w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
	http.Redirect(w, r, "/kiosk", http.StatusSeeOther)
	return nil
}

// KioskReset serves POST /kiosk/reset: the idle reset.
func (h *Handlers) KioskReset() http.Handler { return h.handle(h.kioskReset) }
