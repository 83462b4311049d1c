package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
)

// TestHomeLanguage checks the first visit's language: Vietnamese unless the
// browser prefers English, with <html lang> to match.
func TestHomeLanguage(t *testing.T) {
	srv := startServer(t)
	tests := []struct {
		name, acceptLanguage string
		want                 i18n.Lang
	}{
		{"vietnamese browser", "vi-VN,vi;q=0.9", i18n.VI},
		{"unsupported language", "fr-FR,fr;q=0.9", i18n.VI},
		{"english browser", "en-US,en;q=0.9", i18n.EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTab(t, srv, tt.acceptLanguage)
			if got := tb.visit("/"); got != 200 {
				t.Fatalf("GET / = %d, want 200", got)
			}
			if got := tb.lang(); got != string(tt.want) {
				t.Errorf("Accept-Language %q: <html lang> = %q, want %q", tt.acceptLanguage, got, tt.want)
			}
			if got, want := tb.text("h1"), msg(t, tt.want, "home.title"); got != want {
				t.Errorf("Accept-Language %q: h1 = %q, want %q", tt.acceptLanguage, got, want)
			}
			tb.audit()
		})
	}
}

// TestLanguageSwitch follows the switch link to English and checks that the
// choice outlives the ?lang= link (a cookie), on this page and the next.
func TestLanguageSwitch(t *testing.T) {
	srv := startServer(t)
	tb := newTab(t, srv, "vi")
	tb.visit("/")
	if got := tb.lang(); got != "vi" {
		t.Fatalf("before the switch: <html lang> = %q, want vi", got)
	}
	tb.click(`nav.lang-switch a[hreflang="en"]`)
	if got := tb.lang(); got != "en" {
		t.Errorf("after the switch: <html lang> = %q, want en", got)
	}
	if got, want := tb.text("h1"), msg(t, i18n.EN, "home.title"); got != want {
		t.Errorf("after the switch: h1 = %q, want %q", got, want)
	}
	if got := tb.text(`nav.lang-switch a[aria-current="true"]`); got != "English" {
		t.Errorf("after the switch: current language in the switch = %q, want English", got)
	}
	tb.audit()

	// The next page, without ?lang=, is still in English.
	tb.visit("/help")
	if got := tb.lang(); got != "en" {
		t.Errorf("GET /help after the switch: <html lang> = %q, want en", got)
	}
	if got, want := tb.text("h1"), msg(t, i18n.EN, "help.title"); got != want {
		t.Errorf("GET /help after the switch: h1 = %q, want %q", got, want)
	}
	tb.visit("/")
	if got := tb.lang(); got != "en" {
		t.Errorf("GET / after the switch: <html lang> = %q, want en", got)
	}
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.URL + "/"}})
	if err != nil {
		t.Fatalf("Network.getCookies: %v", err)
	}
	var lang *network.Cookie
	for _, c := range res.Cookies {
		if c.Name == i18n.CookieName {
			lang = c
		}
	}
	switch {
	case lang == nil:
		t.Errorf("no %s cookie after the switch", i18n.CookieName)
	case lang.Value != "en" || !lang.HTTPOnly || lang.SameSite != network.CookieSameSiteLax:
		t.Errorf("cookie %s = %q (HttpOnly %v, SameSite %q), want \"en\", HttpOnly, SameSite Lax",
			lang.Name, lang.Value, lang.HTTPOnly, lang.SameSite)
	}

	// And back: the switch works both ways.
	tb.click(`nav.lang-switch a[hreflang="vi"]`)
	if got := tb.lang(); got != "vi" {
		t.Errorf("after switching back: <html lang> = %q, want vi", got)
	}
}

// TestTabsAreIsolated guards the harness: every other test assumes that a
// new tab starts with no cookies, so a language chosen in one does not leak
// into the next.
func TestTabsAreIsolated(t *testing.T) {
	srv := startServer(t)
	first := newTab(t, srv, "vi")
	first.visit("/?lang=en")
	first.visit("/")
	if got := first.lang(); got != "en" {
		t.Fatalf("first tab after ?lang=en: <html lang> = %q, want en", got)
	}
	second := newTab(t, srv, "vi")
	second.visit("/")
	if got := second.lang(); got != "vi" {
		t.Errorf("second tab: <html lang> = %q, want vi (the first tab's cookie leaked)", got)
	}
}

// TestHelp follows the header's help button to /help, which must list the
// national hotlines as links that call them.
func TestHelp(t *testing.T) {
	srv := startServer(t)
	for _, lang := range []i18n.Lang{i18n.VI, i18n.EN} {
		t.Run(string(lang), func(t *testing.T) {
			tb := newTab(t, srv, string(lang))
			tb.visit("/")
			if got, want := tb.text("header a.help-button"), msg(t, lang, "nav.help"); got != want {
				t.Errorf("help button = %q, want %q", got, want)
			}
			tb.click("header a.help-button")
			if u, err := url.Parse(tb.location()); err != nil || u.Path != "/help" {
				t.Fatalf("the help button led to %s, want /help", tb.location())
			}
			if got := tb.lang(); got != string(lang) {
				t.Errorf("/help: <html lang> = %q, want %q", got, lang)
			}
			if got, want := tb.text("h1"), msg(t, lang, "help.title"); got != want {
				t.Errorf("/help: h1 = %q, want %q", got, want)
			}
			tel := eval[[]string](tb, `[...document.querySelectorAll('a[href^="tel:"]')].map(a => a.getAttribute("href"))`)
			for _, want := range []string{"tel:111", "tel:113"} {
				if !slices.Contains(tel, want) {
					t.Errorf("/help: tel: links = %q, want one to %s", tel, want)
				}
			}
			tb.audit()
		})
	}
}

// TestNotFound checks that an unknown URL gets a 404 page in the visitor's
// language, with a way back.
func TestNotFound(t *testing.T) {
	srv := startServer(t)
	for _, lang := range []i18n.Lang{i18n.VI, i18n.EN} {
		t.Run(string(lang), func(t *testing.T) {
			tb := newTab(t, srv, string(lang))
			const path = "/khong-co-trang-nay"
			if got := tb.visit(path); got != 404 {
				t.Errorf("GET %s = %d, want 404", path, got)
			}
			// Chromium logs every document served with 404; nothing else
			// may appear.
			tb.expectStatus(srv.URL+path, 404)
			if got := tb.lang(); got != string(lang) {
				t.Errorf("404 page: <html lang> = %q, want %q", got, lang)
			}
			if got, want := tb.text("h1"), msg(t, lang, "error.title.not_found"); got != want {
				t.Errorf("404 page: h1 = %q, want %q", got, want)
			}
			if got, want := tb.text("main"), msg(t, lang, "error.page_not_found"); !strings.Contains(got, want) {
				t.Errorf("404 page: main = %q, want it to say %q", got, want)
			}
			if got := run(tb, "robots", chromedp.AttributeValue(chromedp.CSS(`meta[name="robots"]`), "content")); got.Value != "noindex" {
				t.Errorf(`404 page: <meta name="robots"> = %q, want "noindex"`, got.Value)
			}
			tb.audit()
		})
	}
}

// deviceJSON is GET /api/v1/device.
type deviceJSON struct {
	Event struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"event"`
	Station *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"station"`
}

// device asks the API, from the page, what this device is.
func (tb *tab) device() deviceJSON {
	tb.t.Helper()
	return eval[deviceJSON](tb, `fetch("/api/v1/device", {headers: {Accept: "application/json"}}).then(r => {
		if (!r.ok) throw new Error("GET /api/v1/device: " + r.status);
		return r.json();
	})`)
}

// TestStationBinding binds a browser to a kiosk with its setup link, and
// checks that revoking the station in the database unbinds it.
func TestStationBinding(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	ev, err := srv.DB.CreateEvent(ctx, event.Event{ID: "ngay-hoi-2026", Name: "Ngày hội An toàn mạng"})
	if err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	st, err := srv.DB.CreateStation(ctx, ev.ID, event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatalf("CreateStation: %v", err)
	}
	key, err := srv.DB.Secret(ctx, "station-binding", 32)
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	token := event.NewSigner(key).SetupToken(st.ID)
	online, err := srv.DB.Event(ctx, event.DefaultID)
	if err != nil {
		t.Fatalf("Event(%q): %v", event.DefaultID, err)
	}

	tb := newTab(t, srv, "vi")
	tb.visit("/station")
	if got := tb.device(); got.Station != nil || got.Event.ID != event.DefaultID {
		t.Errorf("before setup: device = %+v, want the %q event and no station", got, event.DefaultID)
	}
	tb.audit()

	tb.visit("/station/setup?token=" + url.QueryEscape(token))
	if got := tb.text(".station-card"); !strings.Contains(got, st.Name) || !strings.Contains(got, ev.Name) {
		t.Errorf("setup page: %q, want it to name the station %q and the event %q", got, st.Name, ev.Name)
	}
	if got := tb.device(); got.Station != nil {
		t.Errorf("opening the setup link bound the device (%+v); only Confirm may", got.Station)
	}
	tb.audit()

	tb.click(`form[action="/station/setup"] button[type="submit"]`)
	if u, err := url.Parse(tb.location()); err != nil || u.Path != "/station" {
		t.Fatalf("after Confirm: at %s, want /station", tb.location())
	}
	if got := tb.text(".station-card"); !strings.Contains(got, st.Name) || !strings.Contains(got, ev.Name) {
		t.Errorf("/station after Confirm: %q, want it to name the station %q and the event %q", got, st.Name, ev.Name)
	}
	got := tb.device()
	if got.Station == nil || got.Station.ID != st.ID || got.Station.Name != st.Name || got.Station.Kind != string(event.Kiosk) || got.Event.ID != ev.ID {
		t.Errorf("after Confirm: device = %+v (station %+v), want station %s %q (kiosk) of event %s", got, got.Station, st.ID, st.Name, ev.ID)
	}
	tb.audit()

	if _, err := srv.DB.RevokeStation(ctx, st.ID); err != nil {
		t.Fatalf("RevokeStation: %v", err)
	}
	tb.visit("/station")
	if n := eval[int](tb, `document.querySelectorAll(".station-card").length`); n != 0 {
		t.Errorf("/station after revoking: still shows the station card")
	}
	if got, want := tb.text("main p"), msg(t, i18n.VI, "station.unbound", "event", online.Name); got != want {
		t.Errorf("/station after revoking: %q, want %q", got, want)
	}
	if got := tb.device(); got.Station != nil || got.Event.ID != event.DefaultID {
		t.Errorf("after revoking: device = %+v (station %+v), want the %q event and no station", got, got.Station, event.DefaultID)
	}
	tb.audit()

	// The revoked station's setup link is dead too.
	if got := tb.visit("/station/setup?token=" + url.QueryEscape(token)); got != 404 {
		t.Errorf("setup link of a revoked station: status %d, want 404", got)
	}
	tb.expectStatus(srv.URL+"/station/setup?token="+url.QueryEscape(token), 404)
}
