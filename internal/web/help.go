package web

import (
	"net/http"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
)

// The Get help hub: "at any moment, from any page, a child can find what
// to do now, who to call, how to block and report". Every help page:
//
//   - is sent with Cache-Control: no-store, so it neither lingers in a
//     shared phone's cache nor in the back-forward cache (Chromium keeps
//     no-store pages out of it): Back can never bring it up from memory;
//   - starts with "Leave quickly" (templates/help_parts.html, static/help.js),
//     which replaces the tab's history entry with a neutral page, and keeps
//     at most one help page in the tab's history;
//   - works without JavaScript: plain links, and <details> for the apps.

// DefaultLeaveURL is where "Leave quickly" goes on a phone or a computer: a
// search engine's front page, which is what most quick-exit buttons use
// (it looks ordinary on a screen someone glances at, and a search page in
// the history explains itself). On a kiosk (offline, no outbound links) it
// goes to the attract screen, kioskLeaveURL, instead.
const DefaultLeaveURL = "https://www.google.com/"

// kioskLeaveURL is where "Leave quickly" goes on a kiosk: the attract
// screen, which looks the same as when nobody is using it.
const kioskLeaveURL = "/kiosk"

// leaveURL is the template function behind the "leave" block. It reads
// LeaveURL when a page renders, not when templates are parsed.
func (h *Handlers) leaveURL(kiosk bool) string {
	switch {
	case kiosk:
		return kioskLeaveURL
	case h.LeaveURL == "":
		return DefaultLeaveURL
	}
	return h.LeaveURL
}

// helpNoStore marks a help page as never to be stored, by any cache.
func helpNoStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// askAvailable says whether the ask-for-help form takes requests now.
func (h *Handlers) askAvailable(r *http.Request) bool {
	return h.AskAvailable != nil && h.AskAvailable(r.Context())
}

// askVariant names a cached help page with or without the ask card: the
// form can open or close while the server runs.
func askVariant(page string, ask bool) string {
	if ask {
		return page + "+ask"
	}
	return page
}

// helpAsk is what the hub and the guides tell the "help_ask" block: whether to offer
// the ask-for-help form, and otherwise who is there to talk to (a staff
// member on a kiosk, the hotlines on a phone).
type helpAsk struct {
	AskAvailable bool
}

type hotlineView struct {
	Number, Name, Description, Also, Source, CallLabel string
}

type resourceView struct {
	Name, Description, Source string
}

type situationView struct {
	URL, Title string
}

type helpPage struct {
	Layout
	helpAsk
	Situations []situationView
	Hotlines   []hotlineView
	Resources  []resourceView
}

func (h *Handlers) help(w http.ResponseWriter, r *http.Request) error {
	// A help page must not linger on a shared phone.
	helpNoStore(w)
	ask := h.askAvailable(r)
	h.cachedAs(w, r, "help", askVariant("help", ask), func() any { return h.helpPage(r, ask) })
	return nil
}

func (h *Handlers) helpPage(r *http.Request, ask bool) helpPage {
	p := helpPage{Layout: h.layout(r, "help.title"), helpAsk: helpAsk{AskAvailable: ask}}
	lang := p.L.Lang
	for _, x := range h.Content.Hotlines.Hotlines {
		p.Hotlines = append(p.Hotlines, hotlineView{
			Number: x.Number, Name: x.Name.In(lang), Description: x.Description.In(lang),
			Also: x.Also.In(lang), Source: x.Source,
			CallLabel: p.L.T("help.call", "number", x.Number, "name", x.Name.In(lang)),
		})
	}
	for _, x := range h.Content.Hotlines.Resources {
		p.Resources = append(p.Resources, resourceView{Name: x.Name.In(lang), Description: x.Description.In(lang), Source: x.Source})
	}
	{
		for _, g := range h.Guides().Guides {
			p.Situations = append(p.Situations, situationView{URL: "/help/" + g.ID, Title: g.Title.In(lang)})
		}
	}
	return p
}

// Help serves GET /help: the situations, the hotlines and where else to
// turn, reachable from every page.
func (h *Handlers) Help() http.Handler { return h.handle(h.help) }

type callView struct {
	Number, Name, Label string
}

type platformView struct {
	ID, Name               string
	Block, Report, Private []string
}

type helpGuidePage struct {
	Layout
	helpAsk
	Intro               string
	Now, Dont, Evidence []string
	Calls               []callView
	Platforms           []platformView
}

func (h *Handlers) helpGuide(w http.ResponseWriter, r *http.Request) error {
	helpNoStore(w) // the 404 for an unknown guide too
	g, ok := h.Guides().Guide(r.PathValue("guide"))
	if !ok {
		return errs.E(errs.NotFound, "error.guide_not_found")
	}
	ask := h.askAvailable(r)
	h.cachedAs(w, r, "help_guide", askVariant("help_guide/"+g.ID, ask), func() any { return h.helpGuidePage(r, g, ask) })
	return nil
}

func (h *Handlers) helpGuidePage(r *http.Request, g help.Guide, ask bool) helpGuidePage {
	p := helpGuidePage{Layout: h.layout(r, ""), helpAsk: helpAsk{AskAvailable: ask}}
	lang := p.L.Lang
	p.Title = g.Title.In(lang)
	p.Intro = g.Intro.In(lang)
	p.Now, p.Dont, p.Evidence = texts(g.Now, lang), texts(g.Dont, lang), texts(g.Evidence, lang)
	// The guide's numbers, in its order, named as the hotlines pack names
	// them (LoadGuides accepts only numbers of that pack).
	for _, n := range g.Call {
		c := callView{Number: n, Label: p.L.T("help.guide.call_button", "number", n)}
		for _, x := range h.Content.Hotlines.Hotlines {
			if x.Number == n {
				c.Name = x.Name.In(lang)
			}
		}
		p.Calls = append(p.Calls, c)
	}
	if g.Platforms {
		for _, x := range h.Guides().Platforms {
			p.Platforms = append(p.Platforms, platformView{ID: x.ID, Name: x.Name,
				Block: texts(x.Block, lang), Report: texts(x.Report, lang), Private: texts(x.Private, lang)})
		}
	}
	return p
}

// HelpGuide serves GET /help/{guide}: what to do now in one situation.
func (h *Handlers) HelpGuide() http.Handler { return h.handle(h.helpGuide) }

// texts picks one language of a list of bilingual texts.
func texts(ts []i18n.Text, lang i18n.Lang) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(lang)
	}
	return out
}
