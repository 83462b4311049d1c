package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/store"
)

// The Get help editor: each guide's and each app's texts in both
// languages, step lists one step per line, through the same drafts,
// versions, preview and publishing as quiz items.

type helpContentPage struct {
	consolePage
	Guides, Platforms []optionRow
}

func (h *Handlers) helpContentList(w http.ResponseWriter, r *http.Request) error {
	p := helpContentPage{consolePage: h.consoleLayout(r, "console.help_content")}
	g := h.Guides()
	for _, x := range g.Guides {
		p.Guides = append(p.Guides, optionRow{ID: x.ID, Text: x.Title.In(p.L.Lang), URL: "/console/content/guides/" + x.ID})
	}
	for _, x := range g.Platforms {
		p.Platforms = append(p.Platforms, optionRow{ID: x.ID, Text: x.Name, URL: "/console/content/platforms/" + x.ID, Retired: x.Review})
	}
	h.render(w, r, http.StatusOK, "console_help", p)
	return nil
}

// HelpContentList serves GET /console/content/help.
func (h *Handlers) HelpContentList() http.Handler { return h.handle(h.helpContentList) }

// stepField is a bilingual step list as two textareas, one step per line.
type stepField struct {
	Name, Label string
	VI, EN      string
}

func joinSteps(ts []i18n.Text) (vi, en string) {
	var a, b []string
	for _, t := range ts {
		a, b = append(a, t.VI), append(b, t.EN)
	}
	return strings.Join(a, "\n"), strings.Join(b, "\n")
}

// parseSteps reads two textareas back into steps; the two languages must
// have the same number of lines.
func parseSteps(vi, en string) ([]i18n.Text, bool) {
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	a, b := lines(vi), lines(en)
	if len(a) != len(b) {
		return nil, false
	}
	out := make([]i18n.Text, len(a))
	for i := range a {
		out[i] = i18n.Text{VI: a[i], EN: b[i]}
	}
	return out, true
}

type guideEditPage struct {
	consolePage
	Guide    help.Guide
	IsGuide  bool
	Platform help.Platform
	Call     string
	Steps    []stepField
	Versions versionsView
	Problems []string
}

func (h *Handlers) guideEditPage(r *http.Request, g help.Guide, versions []store.ContentVersion) guideEditPage {
	p := guideEditPage{consolePage: h.consoleLayout(r, "console.help_content"), Guide: g, IsGuide: true, Call: strings.Join(g.Call, " ")}
	p.Title = g.ID
	for _, f := range []struct {
		name  string
		steps []i18n.Text
	}{{"now", g.Now}, {"dont", g.Dont}, {"evidence", g.Evidence}} {
		vi, en := joinSteps(f.steps)
		p.Steps = append(p.Steps, stepField{Name: f.name, Label: p.L.T("help.guide." + f.name), VI: vi, EN: en})
	}
	var published any
	if x, ok := h.Guides().Guide(g.ID); ok {
		published = x
	}
	p.Versions = versionsView{L: p.L, Base: "/console/content/guides/" + g.ID, Versions: versionList(versions, published)}
	return p
}

func (h *Handlers) platformEditPage(r *http.Request, x help.Platform, versions []store.ContentVersion) guideEditPage {
	p := guideEditPage{consolePage: h.consoleLayout(r, "console.help_content"), Platform: x}
	p.Title = x.Name
	for _, f := range []struct {
		name  string
		steps []i18n.Text
	}{{"block", x.Block}, {"report", x.Report}, {"private", x.Private}} {
		vi, en := joinSteps(f.steps)
		p.Steps = append(p.Steps, stepField{Name: f.name, Label: p.L.T("help.guide." + f.name), VI: vi, EN: en})
	}
	var published any
	if y, ok := h.Guides().Platform(x.ID); ok {
		published = y
	}
	p.Versions = versionsView{L: p.L, Base: "/console/content/platforms/" + x.ID, Versions: versionList(versions, published)}
	return p
}

// editable is what an editor starts from: the newest saved version, else
// the published object (found by published), else not found.
func editable[T any](versions []store.ContentVersion, err error, published func() (T, bool)) (T, []store.ContentVersion, error) {
	var x T
	if err != nil {
		return x, nil, err
	}
	if len(versions) > 0 {
		return x, versions, json.Unmarshal([]byte(versions[0].Data), &x)
	}
	x, ok := published()
	if !ok {
		return x, nil, errs.E(errs.NotFound, "error.guide_not_found")
	}
	return x, nil, nil
}

func (h *Handlers) editableGuide(r *http.Request) (help.Guide, []store.ContentVersion, error) {
	id := r.PathValue("guide")
	versions, err := h.Editor.GuideVersions(r.Context(), id)
	return editable(versions, err, func() (help.Guide, bool) { return h.Guides().Guide(id) })
}

func (h *Handlers) editablePlatform(r *http.Request) (help.Platform, []store.ContentVersion, error) {
	id := r.PathValue("platform")
	versions, err := h.Editor.PlatformVersions(r.Context(), id)
	return editable(versions, err, func() (help.Platform, bool) { return h.Guides().Platform(id) })
}

// GuideEdit serves GET /console/content/guides/{guide}.
func (h *Handlers) GuideEdit() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		g, versions, err := h.editableGuide(r)
		if err != nil {
			return err
		}
		noStore(w)
		h.render(w, r, http.StatusOK, "console_guide", h.guideEditPage(r, g, versions))
		return nil
	})
}

// PlatformEdit serves GET /console/content/platforms/{platform}.
func (h *Handlers) PlatformEdit() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		x, versions, err := h.editablePlatform(r)
		if err != nil {
			return err
		}
		noStore(w)
		h.render(w, r, http.StatusOK, "console_guide", h.platformEditPage(r, x, versions))
		return nil
	})
}

// helpNumbers are the hotline numbers a guide may offer.
func (h *Handlers) helpNumbers() []string {
	var out []string
	for _, x := range h.Content.Hotlines.Hotlines {
		out = append(out, x.Number)
	}
	return out
}

// stepsProblem is the problem of two textareas of different lengths.
func stepsProblem(field string) content.Problem {
	return content.Problem{ID: field, Field: field, Message: "Vietnamese and English must have the same number of steps (one per line)"}
}

// stepList names a form's pair of step textareas and where they go.
type stepList struct {
	name string
	into *[]i18n.Text
}

// readSteps fills each list from its two textareas, or records a problem.
func readSteps(f url.Values, lists ...stepList) content.Problems {
	var problems content.Problems
	for _, st := range lists {
		steps, ok := parseSteps(f.Get(st.name+"_vi"), f.Get(st.name+"_en"))
		if !ok {
			problems = append(problems, stepsProblem(st.name))
			continue
		}
		*st.into = steps
	}
	return problems
}

// replaced is the published set with one object swapped for its edit:
// guides and apps are checked as a whole set, as a pack is.
func replaced[T any](all []T, edited T, same func(T) bool) []T {
	out := make([]T, len(all))
	for i, x := range all {
		out[i] = x
		if same(x) {
			out[i] = edited
		}
	}
	return out
}

// refuse shows the editor's page again with the problems, located
// without the file's name.
func (h *Handlers) refuse(w http.ResponseWriter, r *http.Request, p guideEditPage, file string, problems content.Problems) {
	for _, pr := range problems {
		p.Problems = append(p.Problems, strings.TrimPrefix(pr.String(), file+": "))
	}
	p.Error = p.L.T("console.item_problems")
	h.render(w, r, http.StatusBadRequest, "console_guide", p)
}

// GuideSave serves POST /console/content/guides/{guide}: a new draft,
// checked with the whole set of guides as a pack would be.
func (h *Handlers) GuideSave() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		g, versions, err := h.editableGuide(r)
		if err != nil {
			return err
		}
		f := r.PostForm
		g.Title = i18n.Text{VI: strings.TrimSpace(f.Get("title_vi")), EN: strings.TrimSpace(f.Get("title_en"))}
		g.Intro = i18n.Text{VI: strings.TrimSpace(f.Get("intro_vi")), EN: strings.TrimSpace(f.Get("intro_en"))}
		g.Call = strings.Fields(f.Get("call"))
		g.Urgent, g.Platforms = f.Get("urgent") == "on", f.Get("platforms") == "on"
		g.Source = strings.TrimSpace(f.Get("source"))
		problems := readSteps(f, stepList{"now", &g.Now}, stepList{"dont", &g.Dont}, stepList{"evidence", &g.Evidence})
		set := replaced(h.Guides().Guides, g, func(x help.Guide) bool { return x.ID == g.ID })
		if problems = append(problems, help.CheckGuides(set, h.helpNumbers())...); len(problems) > 0 {
			h.refuse(w, r, h.guideEditPage(r, g, versions), help.GuidesFile, problems)
			return nil
		}
		v, err := h.Editor.SaveGuideDraft(r.Context(), g, account(r.Context()).Email, strings.TrimSpace(f.Get("note")))
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/content/guides/%s?saved=%d", g.ID, v.Version), http.StatusSeeOther)
		return nil
	})
}

// PlatformSave serves POST /console/content/platforms/{platform}.
func (h *Handlers) PlatformSave() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		x, versions, err := h.editablePlatform(r)
		if err != nil {
			return err
		}
		f := r.PostForm
		x.Review, x.ReviewNote = f.Get("review") == "on", strings.TrimSpace(f.Get("review_note"))
		problems := readSteps(f, stepList{"block", &x.Block}, stepList{"report", &x.Report}, stepList{"private", &x.Private})
		set := replaced(h.Guides().Platforms, x, func(y help.Platform) bool { return y.ID == x.ID })
		if problems = append(problems, help.CheckPlatforms(set)...); len(problems) > 0 {
			h.refuse(w, r, h.platformEditPage(r, x, versions), help.PlatformsFile, problems)
			return nil
		}
		v, err := h.Editor.SavePlatformDraft(r.Context(), x, account(r.Context()).Email, strings.TrimSpace(f.Get("note")))
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/content/platforms/%s?saved=%d", x.ID, v.Version), http.StatusSeeOther)
		return nil
	})
}

// GuidePreview serves GET /console/content/guides/{guide}/versions/{version}/preview:
// the guide page as visitors would see this version.
func (h *Handlers) GuidePreview() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		n, err := versionParam(r)
		if err != nil {
			return err
		}
		_, g, err := h.Editor.GuideVersion(r.Context(), r.PathValue("guide"), n)
		if err != nil {
			return err
		}
		p := h.helpGuidePage(r, g, false)
		p.NoIndex = true
		p.Kiosk = r.URL.Query().Get("as") != "phone"
		p.IdleSeconds = 0
		noStore(w)
		h.render(w, r, http.StatusOK, "help_guide", p)
		return nil
	})
}

// PlatformPreview serves GET /console/content/platforms/{platform}/versions/{version}/preview:
// a guide page that shows the apps, with this version of the app.
func (h *Handlers) PlatformPreview() http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		n, err := versionParam(r)
		if err != nil {
			return err
		}
		_, x, err := h.Editor.PlatformVersion(r.Context(), r.PathValue("platform"), n)
		if err != nil {
			return err
		}
		var g help.Guide
		for _, y := range h.Guides().Guides {
			if y.Platforms {
				g = y
				break
			}
		}
		p := h.helpGuidePage(r, g, false)
		for i := range p.Platforms {
			if p.Platforms[i].ID == x.ID {
				p.Platforms[i] = platformView{ID: x.ID, Name: x.Name, Block: texts(x.Block, p.L.Lang), Report: texts(x.Report, p.L.Lang), Private: texts(x.Private, p.L.Lang)}
			}
		}
		p.NoIndex = true
		p.Kiosk = r.URL.Query().Get("as") != "phone"
		p.IdleSeconds = 0
		noStore(w)
		h.render(w, r, http.StatusOK, "help_guide", p)
		return nil
	})
}

// GuidePublish serves POST /console/content/guides/{guide}/versions/{version}/publish.
func (h *Handlers) GuidePublish() http.Handler { return h.handle(h.publishVersion("guide")) }

// GuideRestore serves POST /console/content/guides/{guide}/versions/{version}/restore.
func (h *Handlers) GuideRestore() http.Handler { return h.handle(h.restoreVersion("guide")) }

// PlatformPublish serves POST /console/content/platforms/{platform}/versions/{version}/publish.
func (h *Handlers) PlatformPublish() http.Handler { return h.handle(h.publishVersion("platform")) }

// PlatformRestore serves POST /console/content/platforms/{platform}/versions/{version}/restore.
func (h *Handlers) PlatformRestore() http.Handler { return h.handle(h.restoreVersion("platform")) }
