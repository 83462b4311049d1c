package api

import (
	"net/http"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/quiz"
)

// The play views never carry answers, flags, scores or feedback: they are
// built from quiz.Item field by field, so a new answer field cannot leak by
// accident.

type quizSummary struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	ItemCount   int      `json:"item_count"`
	AgeBands    []string `json:"age_bands"`
	Topics      []string `json:"topics"`
}

type optionView struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type segmentView struct {
	ID   string `json:"id"`
	From string `json:"from,omitempty"`
	Text string `json:"text"`
}

type messageView struct {
	Channel  string        `json:"channel"`
	Sender   string        `json:"sender"`
	Time     string        `json:"time,omitempty"`
	Subject  string        `json:"subject,omitempty"`
	Address  string        `json:"address,omitempty"`
	Amount   string        `json:"amount,omitempty"`
	Segments []segmentView `json:"segments"`
}

type stepView struct {
	ID       string       `json:"id"`
	Messages []string     `json:"messages"`
	Choices  []optionView `json:"choices"`
}

type scenarioView struct {
	Channel string   `json:"channel"`
	Contact string   `json:"contact"`
	Start   stepView `json:"start"`
}

type itemView struct {
	ID       string        `json:"id"`
	Type     quiz.Type     `json:"type"`
	Topics   []string      `json:"topics"`
	Prompt   string        `json:"prompt"`
	Options  []optionView  `json:"options,omitempty"`
	Message  *messageView  `json:"message,omitempty"`
	Reasons  []optionView  `json:"reasons,omitempty"`
	Scenario *scenarioView `json:"scenario,omitempty"`
}

func options(opts []quiz.Option, l i18n.Lang) []optionView {
	out := make([]optionView, len(opts))
	for i, o := range opts {
		out[i] = optionView{ID: o.ID, Text: o.Text.In(l)}
	}
	return out
}

func (h *Handlers) step(s *quiz.Step, l i18n.Lang) stepView {
	v := stepView{ID: s.ID, Messages: make([]string, len(s.Messages))}
	for i, m := range s.Messages {
		v.Messages[i] = m.In(l)
	}
	for _, c := range s.Choices {
		v.Choices = append(v.Choices, optionView{ID: c.ID, Text: c.Text.In(l)})
	}
	return v
}

func (h *Handlers) itemView(it *quiz.Item, l i18n.Lang) itemView {
	v := itemView{ID: it.ID, Type: it.Type, Topics: it.Topics, Prompt: it.Prompt.In(l)}
	switch it.Type {
	case quiz.Single, quiz.Multi:
		v.Options = options(it.Options, l)
	case quiz.ScamOrSafe:
		v.Reasons = options(it.Reasons, l)
	case quiz.Scenario:
		start, _ := it.Scenario.Step(it.Scenario.Start)
		v.Scenario = &scenarioView{Channel: it.Scenario.Channel, Contact: it.Scenario.Contact.In(l), Start: h.step(start, l)}
	}
	if m := it.Message; m != nil {
		mv := &messageView{Channel: m.Channel, Sender: m.Sender.In(l), Time: m.Time, Subject: m.Subject.In(l), Address: m.Address, Amount: m.Amount}
		for _, s := range m.Segments {
			mv.Segments = append(mv.Segments, segmentView{ID: h.Play.Tokens.Token(it.ID, s.ID), From: s.From, Text: s.Text.In(l)})
		}
		v.Message = mv
	}
	return v
}

// requestLang is the language of a response: ?lang= when given, else
// fallback (e.g. the attempt's language).
func requestLang(r *http.Request, fallback i18n.Lang) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if fallback != "" {
		return fallback
	}
	return i18n.LangFrom(r.Context())
}

func summary(bank *quiz.Bank, q *quiz.Quiz, l i18n.Lang) quizSummary {
	return quizSummary{ID: q.ID, Title: q.Title.In(l), Description: q.Description.In(l),
		ItemCount: q.ItemCount(), AgeBands: q.Ages, Topics: bank.Topics(q)}
}

func (h *Handlers) quizzes(w http.ResponseWriter, r *http.Request) error {
	l := requestLang(r, "")
	bank := h.Play.Bank()
	out := struct {
		Quizzes []quizSummary `json:"quizzes"`
	}{Quizzes: []quizSummary{}}
	for _, q := range bank.Quizzes() {
		out.Quizzes = append(out.Quizzes, summary(bank, q, l))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Quizzes serves GET /api/v1/quizzes.
func (h *Handlers) Quizzes() http.Handler { return h.handle(h.quizzes) }

func (h *Handlers) quiz(w http.ResponseWriter, r *http.Request) error {
	l := requestLang(r, "")
	bank := h.Play.Bank()
	q := bank.Quiz(r.PathValue("id"))
	if q == nil {
		return errs.E(errs.NotFound, "error.quiz_not_found")
	}
	out := struct {
		quizSummary
		Draw  int        `json:"draw,omitempty"`
		Items []itemView `json:"items"`
	}{quizSummary: summary(bank, q, l)}
	if len(q.Pool) > 0 {
		out.Draw = q.Draw
	}
	for _, it := range bank.QuizItems(q) {
		out.Items = append(out.Items, h.itemView(it, l))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Quiz serves GET /api/v1/quizzes/{id}.
func (h *Handlers) Quiz() http.Handler { return h.handle(h.quiz) }

type startRequest struct {
	QuizID string `json:"quiz_id"`
	Lang   string `json:"lang"`
}

func (h *Handlers) startAttempt(w http.ResponseWriter, r *http.Request) error {
	var req startRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	lang, ok := i18n.Parse(req.Lang)
	if req.Lang == "" {
		lang, ok = i18n.LangFrom(r.Context()), true
	}
	if !ok {
		return errs.Field("lang", "error.lang")
	}
	if req.QuizID == "" {
		return errs.Field("quiz_id", "error.quiz_id_missing")
	}
	d, err := h.device(r)
	if err != nil {
		return err
	}
	a, err := h.Play.Start(r.Context(), req.QuizID, lang, d)
	if err != nil {
		return err
	}
	bank := h.Play.Bank()
	out := struct {
		ID    string     `json:"id"`
		Items []itemView `json:"items"`
	}{ID: a.ID, Items: []itemView{}}
	for _, id := range a.Items {
		out.Items = append(out.Items, h.itemView(bank.Item(id), lang))
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// StartAttempt serves POST /api/v1/attempts.
func (h *Handlers) StartAttempt() http.Handler { return h.handle(h.startAttempt) }

type answerRequest struct {
	ItemID   string         `json:"item_id"`
	Step     string         `json:"step"`
	Response *quiz.Response `json:"response"`
}

type redFlagView struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Segment     string `json:"segment,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	Found       *bool  `json:"found,omitempty"`
}

type answerResponse struct {
	Correct     bool          `json:"correct"`
	Score       int           `json:"score"`
	MaxScore    int           `json:"max_score"`
	Feedback    []string      `json:"feedback"`
	Explanation string        `json:"explanation,omitempty"`
	Tip         string        `json:"tip,omitempty"`
	RedFlags    []redFlagView `json:"red_flags"`
	FalseTaps   int           `json:"false_taps,omitempty"`
	NextStep    *stepView     `json:"next_step,omitempty"`
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request) error {
	var req answerRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.ItemID == "" {
		return errs.Field("item_id", "error.item_id_missing")
	}
	if req.Response == nil {
		return errs.Field("response", "error.response_missing")
	}
	out, err := h.Play.Answer(r.Context(), r.PathValue("id"), req.ItemID, req.Step, *req.Response)
	if err != nil {
		return err
	}
	l := requestLang(r, out.Attempt.Lang)
	loc := h.Catalog.For(l)
	resp := answerResponse{Correct: out.Correct, Score: out.Score, MaxScore: out.MaxScore, Feedback: []string{}, RedFlags: []redFlagView{}, FalseTaps: out.FalseTaps}
	for _, f := range out.Feedback {
		resp.Feedback = append(resp.Feedback, f.In(l))
	}
	if out.Next != nil {
		s := h.step(out.Next, l)
		resp.NextStep = &s
	} else {
		// The item is done: now teach.
		resp.Explanation, resp.Tip = out.Item.Explanation.In(l), out.Item.Tip.In(l)
		if out.Item.Type == quiz.SpotFlags {
			for _, f := range out.Flags {
				found := f.Found
				resp.RedFlags = append(resp.RedFlags, redFlagView{Code: f.Code, Name: loc.T("flag." + f.Code),
					Segment: h.Play.Tokens.Token(out.Item.ID, f.Segment), Explanation: f.Explanation.In(l), Found: &found})
			}
		} else {
			for _, code := range out.Item.RedFlags {
				resp.RedFlags = append(resp.RedFlags, redFlagView{Code: code, Name: loc.T("flag." + code)})
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// Answer serves POST /api/v1/attempts/{id}/answers.
func (h *Handlers) Answer() http.Handler { return h.handle(h.answer) }

type topicView struct {
	Topic    string `json:"topic"`
	Name     string `json:"name"`
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
}

func (h *Handlers) finish(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > 0 {
		var empty struct{}
		if err := decodeJSON(r, &empty); err != nil {
			return err
		}
	}
	s, err := h.Play.Finish(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	loc := h.Catalog.For(requestLang(r, ""))
	out := struct {
		Score      int         `json:"score"`
		MaxScore   int         `json:"max_score"`
		Topics     []topicView `json:"topics"`
		FlagsFound int         `json:"flags_found"`
		FlagsTotal int         `json:"flags_total"`
	}{Score: s.Score, MaxScore: s.MaxScore, Topics: []topicView{}, FlagsFound: s.FlagsFound, FlagsTotal: s.FlagsTotal}
	for _, t := range s.Topics {
		out.Topics = append(out.Topics, topicView{Topic: t.Topic, Name: loc.T("topic." + t.Topic), Score: t.Score, MaxScore: t.MaxScore})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Finish serves POST /api/v1/attempts/{id}/finish.
func (h *Handlers) Finish() http.Handler { return h.handle(h.finish) }
