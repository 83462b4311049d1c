package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/store"
)

// The pledge options editor: each option's text in both languages, and
// whether it is still offered, through the same drafts, versions and
// publishing as quiz items.

type optionsListPage struct {
	consolePage
	Options []optionRow
}

type optionRow struct {
	ID, Text, URL string
	Retired       bool
}

func (h *Handlers) optionsList(w http.ResponseWriter, r *http.Request) error {
	p := optionsListPage{consolePage: h.consoleLayout(r, "console.pledge_options")}
	for _, o := range h.Pledges.Options().All() {
		p.Options = append(p.Options, optionRow{ID: o.ID, Text: o.Text.In(p.L.Lang), URL: "/console/content/options/" + o.ID, Retired: o.Retired})
	}
	h.render(w, r, http.StatusOK, "console_options", p)
	return nil
}

// PledgeOptionList serves GET /console/content/options.
func (h *Handlers) PledgeOptionList() http.Handler { return h.handle(h.optionsList) }

type optionEditPage struct {
	consolePage
	Option   pledge.Option
	Versions versionsView
	Problems []string
}

// editableOption is the version an editor starts from: the newest saved
// one, else the published option.
func (h *Handlers) editableOption(r *http.Request, id string) (pledge.Option, []store.ContentVersion, error) {
	versions, err := h.Editor.PledgeOptionVersions(r.Context(), id)
	if err != nil {
		return pledge.Option{}, nil, err
	}
	if len(versions) > 0 {
		var o pledge.Option
		err := json.Unmarshal([]byte(versions[0].Data), &o)
		return o, versions, err
	}
	o, ok := h.Pledges.Options().Get(id)
	if !ok {
		return pledge.Option{}, nil, errs.E(errs.NotFound, "error.pledge_option_not_found")
	}
	return o, nil, nil
}

func (h *Handlers) optionEditPage(r *http.Request, o pledge.Option, versions []store.ContentVersion) optionEditPage {
	p := optionEditPage{consolePage: h.consoleLayout(r, "console.pledge_options"), Option: o}
	p.Title = o.ID
	var published any
	if po, ok := h.Pledges.Options().Get(o.ID); ok {
		published = po
	}
	p.Versions = versionsView{L: p.L, Base: "/console/content/options/" + o.ID, Versions: versionList(versions, published)}
	return p
}

func (h *Handlers) optionEdit(w http.ResponseWriter, r *http.Request) error {
	o, versions, err := h.editableOption(r, r.PathValue("option"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_option", h.optionEditPage(r, o, versions))
	return nil
}

// PledgeOptionEdit serves GET /console/content/options/{option}.
func (h *Handlers) PledgeOptionEdit() http.Handler { return h.handle(h.optionEdit) }

func (h *Handlers) optionSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	o, versions, err := h.editableOption(r, r.PathValue("option"))
	if err != nil {
		return err
	}
	f := r.PostForm
	o.Text.VI, o.Text.EN = strings.TrimSpace(f.Get("text_vi")), strings.TrimSpace(f.Get("text_en"))
	o.Retired = f.Get("retired") == "on"
	if problems := content.CheckPledgeOption(o); len(problems) > 0 {
		p := h.optionEditPage(r, o, versions)
		for _, pr := range problems {
			p.Problems = append(p.Problems, pr.Field+": "+pr.Message)
		}
		p.Error = p.L.T("console.item_problems")
		h.render(w, r, http.StatusBadRequest, "console_option", p)
		return nil
	}
	v, err := h.Editor.SavePledgeOptionDraft(ctx, o, account(ctx).Email, strings.TrimSpace(f.Get("note")))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/content/options/%s?saved=%d", o.ID, v.Version), http.StatusSeeOther)
	return nil
}

// PledgeOptionSave serves POST /console/content/options/{option}: a new draft.
func (h *Handlers) PledgeOptionSave() http.Handler { return h.handle(h.optionSave) }

func (h *Handlers) optionPreview(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r)
	if err != nil {
		return err
	}
	_, o, err := h.Editor.PledgeOptionVersion(r.Context(), r.PathValue("option"), n)
	if err != nil {
		return err
	}
	p := h.pledgeForm(r, pledge.Input{Options: []string{o.ID}}, "", "", nil)
	// The form as visitors would see it with this version published.
	var opts []pledgeOptionVM
	for _, x := range h.Pledges.Options().All() {
		if x.ID == o.ID {
			x = o
		}
		if !x.Retired {
			opts = append(opts, pledgeOptionVM{ID: x.ID, Text: x.Text.In(p.L.Lang), Checked: x.ID == o.ID})
		}
	}
	p.Options, p.Preview = opts, true
	p.Kiosk = r.URL.Query().Get("as") != "phone"
	p.IdleSeconds = 0
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "pledge", p)
	return nil
}

// PledgeOptionPreview serves GET /console/content/options/{option}/versions/{version}/preview.
func (h *Handlers) PledgeOptionPreview() http.Handler { return h.handle(h.optionPreview) }

// PledgeOptionPublish serves POST /console/content/options/{option}/versions/{version}/publish.
func (h *Handlers) PledgeOptionPublish() http.Handler { return h.handle(h.publishVersion("option")) }

// PledgeOptionRestore serves POST /console/content/options/{option}/versions/{version}/restore.
func (h *Handlers) PledgeOptionRestore() http.Handler { return h.handle(h.restoreVersion("option")) }
