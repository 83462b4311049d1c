package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
)

// The quiz editor: a quiz's title and description in both languages, its
// audience, and its items (a list played in order, or a pool to draw
// from), through the same drafts, versions and publishing as items.

type quizEditPage struct {
	consolePage
	Quiz     quiz.Quiz
	Items    string // one id per line
	AgeSet   map[string]bool
	Ages     []string
	Versions versionsView
	Problems []string
}

func (h *Handlers) editableQuiz(r *http.Request, id string) (quiz.Quiz, []store.ContentVersion, error) {
	versions, err := h.Editor.QuizVersions(r.Context(), id)
	if err != nil {
		return quiz.Quiz{}, nil, err
	}
	if len(versions) > 0 {
		var q quiz.Quiz
		if err := json.Unmarshal([]byte(versions[0].Data), &q); err != nil {
			return quiz.Quiz{}, nil, err
		}
		return q, versions, nil
	}
	q := h.Play.Bank().Quiz(id)
	if q == nil {
		return quiz.Quiz{}, nil, errs.E(errs.NotFound, "error.quiz_not_found")
	}
	return *q, nil, nil
}

func (h *Handlers) quizEditPage(r *http.Request, q quiz.Quiz, versions []store.ContentVersion) quizEditPage {
	p := quizEditPage{consolePage: h.consoleLayout(r, "console.quizzes"), Quiz: q, Ages: quiz.Ages, AgeSet: map[string]bool{}}
	p.Title = q.ID
	for _, a := range q.Ages {
		p.AgeSet[a] = true
	}
	list := q.Items
	if len(q.Pool) > 0 {
		list = q.Pool
	}
	p.Items = strings.Join(list, "\n")
	var published any
	if pq := h.Play.Bank().Quiz(q.ID); pq != nil {
		published = pq
	}
	p.Versions = versionsView{L: p.L, Base: "/console/content/quizzes/" + q.ID, Versions: versionList(versions, published)}
	return p
}

func (h *Handlers) quizEdit(w http.ResponseWriter, r *http.Request) error {
	q, versions, err := h.editableQuiz(r, r.PathValue("quiz"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_quiz", h.quizEditPage(r, q, versions))
	return nil
}

// QuizEdit serves GET /console/content/quizzes/{quiz}.
func (h *Handlers) QuizEdit() http.Handler { return h.handle(h.quizEdit) }

func (h *Handlers) quizSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	q, versions, err := h.editableQuiz(r, r.PathValue("quiz"))
	if err != nil {
		return err
	}
	f := r.PostForm
	q.Title = quiz.Text{VI: strings.TrimSpace(f.Get("title_vi")), EN: strings.TrimSpace(f.Get("title_en"))}
	q.Description = quiz.Text{VI: strings.TrimSpace(f.Get("description_vi")), EN: strings.TrimSpace(f.Get("description_en"))}
	q.Ages = f["ages"]
	ids := strings.Fields(f.Get("items"))
	q.Items, q.Pool, q.Draw = nil, nil, 0
	if draw, _ := strconv.Atoi(f.Get("draw")); draw > 0 {
		q.Pool, q.Draw = ids, draw
	} else {
		q.Items = ids
	}
	bank := h.Play.Bank()
	if problems := content.CheckQuiz(q, func(id string) bool { return bank.Item(id) != nil }); len(problems) > 0 {
		p := h.quizEditPage(r, q, versions)
		for _, pr := range problems {
			p.Problems = append(p.Problems, pr.Field+": "+pr.Message)
		}
		p.Error = p.L.T("console.item_problems")
		h.render(w, r, http.StatusBadRequest, "console_quiz", p)
		return nil
	}
	v, err := h.Editor.SaveQuizDraft(ctx, q, account(ctx).Email, strings.TrimSpace(f.Get("note")))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/content/quizzes/%s?saved=%d", q.ID, v.Version), http.StatusSeeOther)
	return nil
}

// QuizSave serves POST /console/content/quizzes/{quiz}: a new draft.
func (h *Handlers) QuizSave() http.Handler { return h.handle(h.quizSave) }

func (h *Handlers) quizPreview(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r)
	if err != nil {
		return err
	}
	_, q, err := h.Editor.QuizVersion(r.Context(), r.PathValue("quiz"), n)
	if err != nil {
		return err
	}
	p := quizPage{Layout: h.layout(r, "")}
	p.NoIndex = true
	p.Kiosk = r.URL.Query().Get("as") != "phone"
	p.IdleSeconds = 0
	p.quizCard = h.card(&q, p.L)
	p.Title = p.quizCard.Name
	p.StartURL = "#"
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "quiz", p)
	return nil
}

// QuizPreview serves GET /console/content/quizzes/{quiz}/versions/{version}/preview.
func (h *Handlers) QuizPreview() http.Handler { return h.handle(h.quizPreview) }
