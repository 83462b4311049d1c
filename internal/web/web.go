// Package web is the HTML side: server-rendered pages in Vietnamese and
// English, templates parsed once from the embedded files.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/notalone/notalone/internal/client"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
)

//go:embed templates
var templateFS embed.FS

// pages lists every page template; each is parsed with the layout.
var pages = []string{"home", "help", "help_guide", "error", "station", "station_setup", "practise", "quiz", "play", "results", "kiosk", "kiosk_home",
	"console_login", "console_code", "console_totp", "console_home", "console_account", "console_events", "console_event", "console_audit",
	"console_content", "console_item", "console_users", "console_quiz", "console_packs", "console_moderation", "console_overview", "console_overviews",
	"pledge", "souvenir", "verify", "wall", "desk", "desk_events", "console_options", "console_option",
	"help_ask", "help_danger", "help_form", "help_receipt", "help_status", "console_cases", "console_case",
	"console_help", "console_guide", "learn", "learn_item", "console_media_list", "console_media"}

// Handlers serves the HTML pages.
type Handlers struct {
	Catalog *i18n.Catalog
	Play    *quiz.Play
	// PublicURL is the address printed in share links and QR codes;
	// BaseURL is the one devices in the building use (station setup links).
	PublicURL, BaseURL string
	// Auth signs staff in; Console is the console's store.
	Auth    *staff.Auth
	Console ConsoleStore
	Users   UserStore
	// Editor is the content editor's store; ContentPublished reloads the
	// published content here and tells the other instances to.
	Editor           ContentStore
	ContentPublished func(context.Context) error
	Content          *content.Bundle
	Devices          *event.Devices
	Assets           *Assets
	Log              *slog.Logger
	// Moderation is the moderation queue's store.
	Moderation ModerationStore
	// Overview counts an event's activity for its live overview; Live is
	// the broker that overview follows.
	Overview OverviewStore
	Live     Subscriber
	// Pledges makes pledges and souvenirs; Vouchers is the desk's store.
	Pledges  *Pledges
	Vouchers DeskStore
	// Reports takes help requests and opens them for responders.
	Reports *Reports
	// Library is the media library's store; MediaFiles holds its files
	// (content-addressed, under the data dir).
	Library    LibraryStore
	MediaFiles *media.Store
	// AskAvailable says whether the ask-for-help form can take a request
	// now (nil means it cannot): the help pages offer it only then.
	AskAvailable func(ctx context.Context) bool
	// LeaveURL is where "Leave quickly" goes off a kiosk (DefaultLeaveURL
	// when empty); tests point it at a local page.
	LeaveURL string

	guides atomic.Pointer[help.Guides] // the Get help hub's situations and apps
	tmpl   map[string]*template.Template
	cache  pageCache
	live   liveStreams
}

// New parses every template once; a broken template fails start-up.
func New(h *Handlers) (*Handlers, error) {
	h.tmpl = map[string]*template.Template{}
	funcs := template.FuncMap{"asset": h.Assets.URL, "leaveURL": h.leaveURL}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/message.html", "templates/console_nav.html", "templates/help_parts.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", p, err)
		}
		h.tmpl[p] = t
	}
	return h, nil
}

// Layout is what every page gives the layout template.
type Layout struct {
	L         i18n.Localizer
	Title     string
	NoIndex   bool
	LangLinks []LangLink
	// Kiosk is set on a device bound to a kiosk station: no outbound
	// links, and the idle reset runs.
	Kiosk            bool
	IdleSeconds      int
	CountdownSeconds int
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang    i18n.Lang
	Name    string
	URL     string
	Current bool
}

var langNames = map[i18n.Lang]string{i18n.VI: "Tiếng Việt", i18n.EN: "English"}

// layout builds the common page data for r.
func (h *Handlers) layout(r *http.Request, title string) Layout {
	l := h.Catalog.For(i18n.LangFrom(r.Context()))
	lay := Layout{L: l}
	if title != "" {
		lay.Title = l.T(title)
	}
	for _, lang := range i18n.Langs {
		q := r.URL.Query()
		q.Set("lang", string(lang))
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		lay.LangLinks = append(lay.LangLinks, LangLink{Lang: lang, Name: langNames[lang], URL: u.String(), Current: lang == l.Lang})
	}
	if _, err := r.Cookie(StationCookie); err == nil {
		if d, err := h.device(r.Context(), r); err == nil && d.Station != nil && d.Station.Kind == event.Kiosk {
			lay.Kiosk = true
			lay.IdleSeconds = d.Event.KioskIdleSeconds
			// The "still there?" countdown: long enough to notice and
			// tap, short against the idle time.
			lay.CountdownSeconds = min(15, max(1, lay.IdleSeconds/6))
		}
	}
	return lay
}

// render executes a page into a buffer first, so a template error becomes
// a clean error page instead of half a page.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := h.tmpl[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.Log.Error("render failed", "page", page, "err", err)
		if page != "error" {
			h.Error(w, r, errs.Wrap(errs.Internal, err, "render %s", page))
		}
		return
	}
	writeHTML(w, status, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// pageCache keeps pages that are the same for every ordinary visitor in a
// language (home, help): rendering a template costs ten times more than
// serving bytes, and these are the most visited pages.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string][]byte
}

// cacheKey says whether r may be served from the cache, and under which
// key: only without a station binding (kiosks render their own) and with
// no query but the language switch (anything else would grow the cache).
func cacheKey(page string, r *http.Request) (string, bool) {
	if _, err := r.Cookie(StationCookie); err == nil {
		return "", false
	}
	switch r.URL.RawQuery {
	case "", "lang=vi", "lang=en":
	default:
		return "", false
	}
	return page + "\x00" + string(i18n.LangFrom(r.Context())) + "\x00" + r.URL.RawQuery, true
}

// cached serves page from the cache, rendering it with build the first time.
func (h *Handlers) cached(w http.ResponseWriter, r *http.Request, page string, build func() any) {
	h.cachedAs(w, r, page, page, build)
}

// cachedAs is cached for a page that has variants (one guide of many, with
// or without the ask-for-help card): variant names the one build renders.
func (h *Handlers) cachedAs(w http.ResponseWriter, r *http.Request, page, variant string, build func() any) {
	key, ok := cacheKey(variant, r)
	if ok {
		h.cache.mu.RLock()
		body, hit := h.cache.pages[key]
		h.cache.mu.RUnlock()
		if hit {
			writeHTML(w, http.StatusOK, body)
			return
		}
	}
	var buf bytes.Buffer
	if err := h.tmpl[page].ExecuteTemplate(&buf, "layout", build()); err != nil {
		h.Error(w, r, errs.Wrap(errs.Internal, err, "render %s", page))
		return
	}
	if ok {
		h.cache.mu.Lock()
		if h.cache.pages == nil {
			h.cache.pages = map[string][]byte{}
		}
		h.cache.pages[key] = buf.Bytes()
		h.cache.mu.Unlock()
	}
	writeHTML(w, http.StatusOK, buf.Bytes())
}

type errorPage struct {
	Layout
	Status  int
	Heading string
	Message string
}

// Error renders err as a friendly page in the visitor's language. Internal
// details go to the log, never to the page.
func (h *Handlers) Error(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	status := errs.Status(e.Code)
	if status >= 500 {
		h.Log.Error("request failed", "route", r.Pattern, "err", err)
	}
	if e.Code == errs.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	p := errorPage{Layout: h.layout(r, "error.title."+string(e.Code)), Status: status}
	p.Heading = p.L.T("error.title." + string(e.Code))
	p.Message = p.L.T(e.MessageKey())
	p.NoIndex = true
	h.render(w, r, status, "error", p)
}

// NotFound is the page for every unknown URL.
func (h *Handlers) NotFound(w http.ResponseWriter, r *http.Request) {
	h.Error(w, r, errs.E(errs.NotFound, "error.page_not_found"))
}

// handle adapts a handler that returns an error.
func (h *Handlers) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.Error(w, r, err)
		}
	}
}

// Door is one way into a part of the campaign on the home page. A door
// exists only when the part behind it does.
type Door struct {
	URL, Title, Text string
}

type homePage struct {
	Layout
	Doors []Door
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) error {
	h.cached(w, r, "home", func() any {
		p := homePage{Layout: h.layout(r, "")}
		p.Doors = []Door{
			{URL: "/learn", Title: p.L.T("door.learn.title"), Text: p.L.T("door.learn.text")},
			{URL: "/practise", Title: p.L.T("door.practise.title"), Text: p.L.T("door.practise.text")},
			{URL: "/pledge", Title: p.L.T("door.pledge.title"), Text: p.L.T("door.pledge.text")},
			{URL: "/help", Title: p.L.T("door.help.title"), Text: p.L.T("door.help.text")},
		}
		return p
	})
	return nil
}

// Home serves GET /.
func (h *Handlers) Home() http.Handler { return h.handle(h.home) }

// device resolves the station binding of the requesting device.
func (h *Handlers) device(ctx context.Context, r *http.Request) (event.Device, error) {
	return DeviceOf(ctx, h.Devices, r)
}

// DeviceOf resolves the station binding cookie of r: the one source of the
// event and station of what a request records (pages and API alike).
func DeviceOf(ctx context.Context, devices *event.Devices, r *http.Request) (event.Device, error) {
	v := ""
	if c, err := r.Cookie(StationCookie); err == nil {
		v = c.Value
	}
	return devices.Resolve(ctx, v)
}

// isSecure says whether cookies for r may be marked Secure.
func isSecure(r *http.Request) bool { return client.From(r.Context()).Secure }

// SetGuides publishes the Get help hub's guides and app steps (at start,
// and when an editor publishes a change) and forgets the cached pages that
// show them.
func (h *Handlers) SetGuides(g *help.Guides) {
	h.guides.Store(g)
	h.cache.mu.Lock()
	h.cache.pages = nil
	h.cache.mu.Unlock()
}

// Guides returns the published guides and app steps.
func (h *Handlers) Guides() *help.Guides {
	if g := h.guides.Load(); g != nil {
		return g
	}
	return &help.Guides{}
}
