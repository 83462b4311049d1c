package e2e

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
)

// path is the path of the current page.
func (tb *tab) path() string {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	return u.Path
}

// history is the tab's back-forward list, as the browser keeps it.
func (tb *tab) history() (urls []string, current int) {
	tb.t.Helper()
	h, err := chromedp.Call(tb.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		tb.t.Fatalf("Page.getNavigationHistory: %v", err)
	}
	for _, e := range h.Entries {
		urls = append(urls, e.URL)
	}
	return urls, int(h.CurrentIndex)
}

// back goes one step back in the tab's history, as the Back button does,
// and returns the path it lands on once that page is showing. (It cannot
// wait for a load event: a page restored from the back-forward cache fires
// none, and chromedp.NavigateBack waits for one.)
func (tb *tab) back() string {
	tb.t.Helper()
	from := tb.location()
	tb.do("back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		// Errors are expected while the page changes: try again.
		v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[location.href, location.pathname, document.readyState]`))
		if err == nil && len(v) == 3 && v[0] != from && v[2] == "complete" {
			return v[1]
		}
	}
	tb.t.Fatalf("Back from %s: no page showed in 10 s", from)
	return ""
}

// checkLeft checks that the tab is at the neutral page and that Back goes
// to from, with no help page anywhere in the tab's history.
func (tb *tab) checkLeft(srv *server, from string, wantLength int) {
	tb.t.Helper()
	if got, want := tb.location(), srv.Server.Web.LeaveURL; got != want {
		tb.t.Fatalf("after leaving: at %s, want %s", got, want)
	}
	if n := eval[int](tb, `history.length`); n != wantLength {
		tb.t.Errorf("after leaving: history.length = %d, want %d (a help page was added, not replaced)", n, wantLength)
	}
	urls, _ := tb.history()
	for _, u := range urls {
		if strings.Contains(u, "/help") {
			tb.t.Errorf("a help page is still in the tab's history: %q", urls)
		}
	}
	if got := tb.back(); got != from {
		tb.t.Errorf("Back after leaving went to %s, want %s", got, from)
	}
}

// TestHelpLeaveQuickly is a child's way through the hub: from a quiz page,
// Get help → a situation → an app's steps → Leave quickly; Back then goes
// to the quiz page, never to a help page. Both languages, axe on the hub
// and the guide.
func TestHelpLeaveQuickly(t *testing.T) {
	srv := startServer(t)
	// The harness' browser cannot reach the internet: leave to a local page.
	srv.Server.Web.LeaveURL = srv.URL + "/?left"
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			tb := newTab(t, srv, string(lang))
			tb.visit("/practise/kids")
			start := eval[int](tb, `history.length`)

			tb.click("header a.help-button")
			if got := tb.path(); got != "/help" {
				t.Fatalf("Get help led to %s", got)
			}
			if got, want := tb.text("#leave-quickly"), msg(t, lang, "help.leave.button"); got != want {
				t.Errorf("Leave quickly reads %q, want %q", got, want)
			}
			if n := eval[int](tb, `document.querySelectorAll('a.situation').length`); n != len(help.GuideIDs) {
				t.Errorf("the hub shows %d situations, want %d", n, len(help.GuideIDs))
			}
			tb.audit()

			tb.click(`a.situation[href="/help/threatened-pictures"]`)
			if got := tb.path(); got != "/help/threatened-pictures" {
				t.Fatalf("the situation led to %s", got)
			}
			if n := eval[int](tb, `history.length`); n != start+1 {
				t.Errorf("on the guide: history.length = %d, want %d (the guide must replace the hub)", n, start+1)
			}
			tel := eval[[]string](tb, `[...document.querySelectorAll('.calls a[href^="tel:"]')].map(a => a.getAttribute("href"))`)
			if strings.Join(tel, " ") != "tel:111 tel:113" {
				t.Errorf("call buttons = %q, want tel:111 then tel:113", tel)
			}
			if n := eval[int](tb, `document.querySelectorAll('details.platform').length`); n != len(help.PlatformIDs) {
				t.Errorf("the guide shows %d apps, want %d", n, len(help.PlatformIDs))
			}
			// The apps open without a script: <details>.
			tb.do("open TikTok", chromedp.Click(chromedp.CSS(`#app-tiktok > summary`), chromedp.NodeVisible))
			if !eval[bool](tb, `document.getElementById("app-tiktok").open`) {
				t.Fatal("TikTok's steps did not open")
			}
			if got := tb.text(`#app-tiktok .platform-body li`); got == "" {
				t.Error("TikTok's steps are not visible")
			}
			tb.audit()

			tb.click("#leave-quickly")
			tb.checkLeft(srv, "/practise/kids", start+1)
		})
	}
}

// TestHelpEscapeLeaves: Escape pressed three times leaves as the button
// does; once or twice does nothing.
func TestHelpEscapeLeaves(t *testing.T) {
	srv := startServer(t)
	srv.Server.Web.LeaveURL = srv.URL + "/?left"
	tb := newTab(t, srv, "vi")
	tb.visit("/practise/kids")
	start := eval[int](tb, `history.length`)
	tb.click("header a.help-button")
	tb.click(`a.situation[href="/help/fake-police"]`)
	tb.do("Escape twice", chromedp.KeyEvent(kb.Escape+kb.Escape))
	if got := tb.path(); got != "/help/fake-police" {
		t.Fatalf("Escape twice went to %s", got)
	}
	run(tb, "Escape a third time", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(kb.Escape)))
	tb.checkLeft(srv, "/practise/kids", start+1)
}

// TestHelpPagesStayOutOfTheBackForwardCache: a help page left by an
// ordinary link is fetched again on Back, never restored from memory with
// what was on the screen.
func TestHelpPagesStayOutOfTheBackForwardCache(t *testing.T) {
	srv := startServer(t)
	tb := newTab(t, srv, "en")
	tb.visit("/help/bullied")
	tb.do("open an app", chromedp.Click(chromedp.CSS(`#app-zalo > summary`), chromedp.NodeVisible))
	eval[bool](tb, `window.helpMarker = true`)
	tb.click("a.brand")
	if got := tb.back(); got != "/help/bullied" {
		t.Fatalf("Back went to %s", got)
	}
	// Chromium may restore it from the back-forward cache for an instant
	// (no-store does not keep it out any more): help.js reloads it then.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fresh, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`window.helpMarker !== true && !document.body.hidden && document.readyState === "complete"`))
		if err == nil && fresh {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the help page came back from the back-forward cache as it was left")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if eval[bool](tb, `document.getElementById("app-zalo").open`) {
		t.Error("the app opened before leaving is still open after Back")
	}
}

// TestHelpWithTheFormAndOnAKiosk audits the other faces of the help pages:
// with the ask-for-help card, and on a kiosk, where nothing leads off the
// device and Leave quickly goes to the attract screen.
func TestHelpWithTheFormAndOnAKiosk(t *testing.T) {
	srv := startServer(t)
	var open atomic.Bool
	srv.Server.Web.AskAvailable = func(context.Context) bool { return open.Load() }

	open.Store(true)
	phone := newTab(t, srv, "en")
	for _, path := range []string{"/help", "/help/worried-friend"} {
		phone.visit(path)
		if n := eval[int](phone, `document.querySelectorAll('a.ask-card[href="/help/ask"]').length`); n != 1 {
			t.Errorf("%s with the form open: %d ask cards", path, n)
		}
		phone.audit()
	}

	open.Store(false)
	ev, err := srv.DB.CreateEvent(srv.ctx, event.Event{ID: "hoi-cho", Name: "Hội chợ An toàn mạng"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := srv.DB.CreateStation(srv.ctx, ev.ID, event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatal(err)
	}
	kiosk := newTab(t, srv, "vi")
	kiosk.bind(srv, st)
	kiosk.visit("/kiosk/home")
	kiosk.click("header a.help-button")
	kiosk.click(`a.situation[href="/help/bullied"]`)
	if got, want := kiosk.text(".ask-staff"), msg(t, i18n.VI, "help.staff_here"); got != want {
		t.Errorf("on a kiosk: %q, want %q", got, want)
	}
	if n := eval[int](kiosk, `[...document.querySelectorAll('a[href]')].filter(a => a.host && a.host !== location.host).length`); n != 0 {
		t.Errorf("%d links leave the kiosk", n)
	}
	kiosk.audit()
	kiosk.click("#leave-quickly")
	if got := kiosk.path(); got != "/kiosk" {
		t.Errorf("Leave quickly on a kiosk went to %s, want /kiosk", got)
	}
	if got := kiosk.back(); got != "/kiosk/home" {
		t.Errorf("Back after leaving on a kiosk went to %s, want /kiosk/home", got)
	}
}
