package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/taxonomy"
)

// ContentStore is what the content editor needs.
type ContentStore interface {
	SaveItemDraft(ctx context.Context, it quiz.Item, author, note string) (store.ContentVersion, error)
	ItemVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	ItemVersion(ctx context.Context, id string, version int) (store.ContentVersion, quiz.Item, error)
	PublishItemVersion(ctx context.Context, id string, version int, author string) error
	ContentConflicts(ctx context.Context) ([]store.ContentConflict, error)
	SaveQuizDraft(ctx context.Context, q quiz.Quiz, author, note string) (store.ContentVersion, error)
	QuizVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	QuizVersion(ctx context.Context, id string, version int) (store.ContentVersion, quiz.Quiz, error)
	PublishQuizVersion(ctx context.Context, id string, version int, author string) error
	Bank(ctx context.Context) (*quiz.Bank, error)
	PledgeOptions(ctx context.Context) ([]pledge.Option, error)
	SavePledgeOptionDraft(ctx context.Context, o pledge.Option, author, note string) (store.ContentVersion, error)
	PledgeOptionVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	PledgeOptionVersion(ctx context.Context, id string, version int) (store.ContentVersion, pledge.Option, error)
	PublishPledgeOptionVersion(ctx context.Context, id string, version int, author string) error
	SaveGuideDraft(ctx context.Context, g help.Guide, author, note string) (store.ContentVersion, error)
	GuideVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	GuideVersion(ctx context.Context, id string, version int) (store.ContentVersion, help.Guide, error)
	PublishGuideVersion(ctx context.Context, id string, version int, author string) error
	SavePlatformDraft(ctx context.Context, p help.Platform, author, note string) (store.ContentVersion, error)
	PlatformVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	PlatformVersion(ctx context.Context, id string, version int) (store.ContentVersion, help.Platform, error)
	PublishPlatformVersion(ctx context.Context, id string, version int, author string) error
	ImportPack(ctx context.Context, items []quiz.Item, quizzes []quiz.Quiz, options []pledge.Option, author string) (store.ImportReport, error)
}

type itemRow struct {
	ID, Type, Topics, Prompt string
}

type contentListPage struct {
	consolePage
	Query     string
	Quizzes   []quizCard
	Items     []itemRow
	Conflicts []store.ContentConflict
}

func (h *Handlers) contentList(w http.ResponseWriter, r *http.Request) error {
	p := contentListPage{consolePage: h.consoleLayout(r, "console.content"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	q := strings.ToLower(p.Query)
	bank := h.Play.Bank()
	seen := map[string]bool{}
	for _, quizItem := range bank.Quizzes() {
		for _, it := range bank.QuizItems(quizItem) {
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			row := itemRow{ID: it.ID, Type: string(it.Type), Topics: strings.Join(it.Topics, ", "), Prompt: it.Prompt.In(p.L.Lang)}
			if q == "" || strings.Contains(strings.ToLower(row.ID+" "+row.Topics+" "+it.Prompt.VI+" "+it.Prompt.EN), q) {
				p.Items = append(p.Items, row)
			}
		}
	}
	slices.SortFunc(p.Items, func(a, b itemRow) int { return strings.Compare(a.ID, b.ID) })
	for _, q := range bank.Quizzes() {
		c := h.card(q, p.L)
		c.URL = "/console/content/quizzes/" + q.ID
		p.Quizzes = append(p.Quizzes, c)
	}
	var err error
	if p.Conflicts, err = h.Editor.ContentConflicts(r.Context()); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_content", p)
	return nil
}

// ContentList serves GET /console/content.
func (h *Handlers) ContentList() http.Handler { return h.handle(h.contentList) }

type textFieldVM struct {
	Path, Label, VI, EN string
	Long                bool
}

type segmentEditVM struct {
	Index                int
	ID, From, VI, EN     string
	Flag                 bool
	Code                 string
	ExplainVI, ExplainEN string
}

type versionVM struct {
	store.ContentVersion
	Current bool
}

// versionsView is what the shared "versions" template draws: every saved
// version of one item or quiz, with preview, publish and restore.
type versionsView struct {
	L        i18n.Localizer
	Base     string // e.g. /console/content/items/q-1
	Versions []versionVM
}

// versionList marks which saved version is the published one.
func versionList(versions []store.ContentVersion, published any) []versionVM {
	var live string
	if published != nil {
		b, _ := json.Marshal(published)
		live = string(b)
	}
	var out []versionVM
	for _, v := range versions {
		out = append(out, versionVM{ContentVersion: v, Current: v.PublishedAt != nil && v.Data == live})
	}
	return out
}

type itemEditPage struct {
	consolePage
	Item      quiz.Item
	Fields    []textFieldVM
	Segments  []segmentEditVM
	Codes     []string
	Versions  versionsView
	Problems  []string
	BaseLabel string
}

// editable returns the version an editor starts from: the newest saved
// one, else the published item.
func (h *Handlers) editable(ctx context.Context, id string) (quiz.Item, []store.ContentVersion, error) {
	versions, err := h.Editor.ItemVersions(ctx, id)
	if err != nil {
		return quiz.Item{}, nil, err
	}
	if len(versions) > 0 {
		var it quiz.Item
		if err := json.Unmarshal([]byte(versions[0].Data), &it); err != nil {
			return quiz.Item{}, nil, err
		}
		return it, versions, nil
	}
	it := h.Play.Bank().Item(id)
	if it == nil {
		return quiz.Item{}, nil, errs.E(errs.NotFound, "error.item_not_found")
	}
	// A deep copy, so editing never touches the bank being played.
	var cp quiz.Item
	b, _ := json.Marshal(it)
	json.Unmarshal(b, &cp)
	return cp, nil, nil
}

func (h *Handlers) itemEditPage(r *http.Request, it quiz.Item, versions []store.ContentVersion) itemEditPage {
	p := itemEditPage{consolePage: h.consoleLayout(r, "console.content"), Item: it, Codes: taxonomy.RedFlags}
	p.Title = it.ID
	p.Versions = versionsView{L: p.L, Base: "/console/content/items/" + it.ID, Versions: versionList(versions, h.Play.Bank().Item(it.ID))}
	for _, f := range it.Texts() {
		// Segment texts are edited beside their flags below.
		if strings.HasPrefix(f.Path, "message.segments.") && it.Type == quiz.SpotFlags {
			continue
		}
		p.Fields = append(p.Fields, textFieldVM{Path: f.Path, Label: f.Path, VI: f.Text.VI, EN: f.Text.EN,
			Long: len(f.Text.VI) > 80 || len(f.Text.EN) > 80})
	}
	if it.Type == quiz.SpotFlags && it.Message != nil {
		for i, s := range it.Message.Segments {
			vm := segmentEditVM{Index: i, ID: s.ID, From: s.From, VI: s.Text.VI, EN: s.Text.EN}
			for _, f := range it.Flags {
				if f.Segment == s.ID {
					vm.Flag, vm.Code, vm.ExplainVI, vm.ExplainEN = true, f.Code, f.Explanation.VI, f.Explanation.EN
				}
			}
			p.Segments = append(p.Segments, vm)
		}
	}
	return p
}

func (h *Handlers) itemEdit(w http.ResponseWriter, r *http.Request) error {
	it, versions, err := h.editable(r.Context(), r.PathValue("item"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_item", h.itemEditPage(r, it, versions))
	return nil
}

// ItemEdit serves GET /console/content/items/{item}.
func (h *Handlers) ItemEdit() http.Handler { return h.handle(h.itemEdit) }

// applyForm copies the edited texts and, for spot-flags items, the flags
// marked on the segments into it.
func applyForm(it *quiz.Item, f map[string][]string) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return strings.ReplaceAll(v[0], "\r\n", "\n")
		}
		return ""
	}
	for _, tf := range it.Texts() {
		if _, ok := f["vi:"+tf.Path]; ok {
			it.SetText(tf.Path, quiz.Text{VI: strings.TrimSpace(get("vi:" + tf.Path)), EN: strings.TrimSpace(get("en:" + tf.Path))})
		}
	}
	if it.Type != quiz.SpotFlags || it.Message == nil {
		return
	}
	var flags []quiz.Flag
	for _, s := range it.Message.Segments {
		if get("flag:"+s.ID) == "" {
			continue
		}
		flags = append(flags, quiz.Flag{Segment: s.ID, Code: get("code:" + s.ID),
			Explanation: quiz.Text{VI: strings.TrimSpace(get("why-vi:" + s.ID)), EN: strings.TrimSpace(get("why-en:" + s.ID))}})
	}
	it.Flags = flags
}

func (h *Handlers) itemSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	it, versions, err := h.editable(ctx, r.PathValue("item"))
	if err != nil {
		return err
	}
	applyForm(&it, r.PostForm)
	if problems := content.CheckItem(&it); len(problems) > 0 {
		p := h.itemEditPage(r, it, versions)
		for _, pr := range problems {
			p.Problems = append(p.Problems, pr.Field+": "+pr.Message)
		}
		p.Error = p.L.T("console.item_problems")
		h.render(w, r, http.StatusBadRequest, "console_item", p)
		return nil
	}
	v, err := h.Editor.SaveItemDraft(ctx, it, account(ctx).Email, strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/content/items/%s?saved=%d", it.ID, v.Version), http.StatusSeeOther)
	return nil
}

// ItemSave serves POST /console/content/items/{item}: a new draft.
func (h *Handlers) ItemSave() http.Handler { return h.handle(h.itemSave) }

func versionParam(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return 0, errs.E(errs.NotFound, "error.version_not_found")
	}
	return v, nil
}

func (h *Handlers) itemPreview(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r)
	if err != nil {
		return err
	}
	_, it, err := h.Editor.ItemVersion(r.Context(), r.PathValue("item"), n)
	if err != nil {
		return err
	}
	p := playPage{Layout: h.layout(r, "play.title"), Number: 1, Total: 1, Answering: it.Type != quiz.Scenario}
	p.NoIndex = true
	// As a kiosk shows it, without the idle reset (or as a phone, ?as=phone).
	p.Kiosk = r.URL.Query().Get("as") != "phone"
	p.IdleSeconds = 0
	p.Item = h.itemView(&it, p.L, quiz.Response{})
	if it.Type == quiz.Scenario {
		p.Item.Scenario = h.scenarioView(&it, &quiz.Attempt{}, p.L, it.Scenario.Start)
	}
	p.AnswerURL = "#"
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "play", p)
	return nil
}

// ItemPreview serves GET /console/content/items/{item}/versions/{version}/preview.
func (h *Handlers) ItemPreview() http.Handler { return h.handle(h.itemPreview) }

// editURL is the editor page of one piece of content.
func editURL(kind, id string) string {
	switch kind {
	case "media":
		return "/console/content/media/" + id
	case "quiz":
		return "/console/content/quizzes/" + id
	}
	return fmt.Sprintf("/console/content/%ss/%s", kind, id)
}

// publishVersion publishes a version of any edited content (an item, a
// quiz, a pledge option, a help guide or app, a library item), and every
// instance shows it from the next page.
func (h *Handlers) publishVersion(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := versionParam(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		id, actor := r.PathValue(kind), account(ctx).Email
		switch kind {
		case "item":
			err = h.Editor.PublishItemVersion(ctx, id, n, actor)
		case "option":
			err = h.Editor.PublishPledgeOptionVersion(ctx, id, n, actor)
		case "guide":
			err = h.Editor.PublishGuideVersion(ctx, id, n, actor)
		case "platform":
			err = h.Editor.PublishPlatformVersion(ctx, id, n, actor)
		case "media":
			err = h.Library.PublishMediaVersion(ctx, id, n, actor)
		default:
			err = h.Editor.PublishQuizVersion(ctx, id, n, actor)
		}
		if err != nil {
			return err
		}
		if err := h.ContentPublished(ctx); err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("%s?published=%d", editURL(kind, id), n), http.StatusSeeOther)
		return nil
	}
}

// restoreVersion makes an earlier version of any edited content the
// newest draft.
func (h *Handlers) restoreVersion(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := versionParam(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		id, actor, note := r.PathValue(kind), account(ctx).Email, fmt.Sprintf("restored from version %d", n)
		var v store.ContentVersion
		switch kind {
		case "item":
			var it quiz.Item
			if _, it, err = h.Editor.ItemVersion(ctx, id, n); err == nil {
				v, err = h.Editor.SaveItemDraft(ctx, it, actor, note)
			}
		case "option":
			var o pledge.Option
			if _, o, err = h.Editor.PledgeOptionVersion(ctx, id, n); err == nil {
				v, err = h.Editor.SavePledgeOptionDraft(ctx, o, actor, note)
			}
		case "guide":
			var g help.Guide
			if _, g, err = h.Editor.GuideVersion(ctx, id, n); err == nil {
				v, err = h.Editor.SaveGuideDraft(ctx, g, actor, note)
			}
		case "platform":
			var x help.Platform
			if _, x, err = h.Editor.PlatformVersion(ctx, id, n); err == nil {
				v, err = h.Editor.SavePlatformDraft(ctx, x, actor, note)
			}
		case "media":
			var it media.Item
			if _, it, err = h.Library.MediaVersion(ctx, id, n); err == nil {
				v, err = h.Library.SaveMediaDraft(ctx, it, actor, note)
			}
		default:
			var q quiz.Quiz
			if _, q, err = h.Editor.QuizVersion(ctx, id, n); err == nil {
				v, err = h.Editor.SaveQuizDraft(ctx, q, actor, note)
			}
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("%s?saved=%d", editURL(kind, id), v.Version), http.StatusSeeOther)
		return nil
	}
}

// ItemPublish serves POST /console/content/items/{item}/versions/{version}/publish.
func (h *Handlers) ItemPublish() http.Handler { return h.handle(h.publishVersion("item")) }

// ItemRestore serves POST /console/content/items/{item}/versions/{version}/restore.
func (h *Handlers) ItemRestore() http.Handler { return h.handle(h.restoreVersion("item")) }

// QuizPublish serves POST /console/content/quizzes/{quiz}/versions/{version}/publish.
func (h *Handlers) QuizPublish() http.Handler { return h.handle(h.publishVersion("quiz")) }

// QuizRestore serves POST /console/content/quizzes/{quiz}/versions/{version}/restore.
func (h *Handlers) QuizRestore() http.Handler { return h.handle(h.restoreVersion("quiz")) }
