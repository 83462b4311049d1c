package server_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/web"
)

// helpGet requests path in lang, with cookies, and returns the response
// and its page unescaped (so texts compare as the visitor reads them).
func helpGet(t *testing.T, h http.Handler, path string, lang i18n.Lang, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Accept-Language", string(lang))
	for _, c := range cookies {
		r.AddCookie(c)
	}
	res := do(t, h, r)
	return res, html.UnescapeString(body(t, res))
}

var (
	telLink   = regexp.MustCompile(`href="tel:([0-9]+)"`)
	anyLink   = regexp.MustCompile(`(?:href|src|action)="([^"]*)"`)
	leaveLink = regexp.MustCompile(`<a class="leave-button" id="leave-quickly" href="([^"]*)"`)
)

// checkHelpPage checks what every help page has: no-store (no cache, no
// back-forward cache) and Leave quickly going to leaveTo, with its script.
func checkHelpPage(t *testing.T, path string, res *http.Response, page, leaveTo string) {
	t.Helper()
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", path, got)
	}
	m := leaveLink.FindAllStringSubmatch(page, -1)
	if len(m) != 1 || m[0][1] != leaveTo {
		t.Errorf("%s: Leave quickly links = %q, want one to %s", path, m, leaveTo)
	}
	if !regexp.MustCompile(`<script src="/static/help\.[0-9a-f]+\.js" defer>`).MatchString(page) {
		t.Errorf("%s: no help.js", path)
	}
}

func TestHelpHub(t *testing.T) {
	in, _ := apptest.MustStart(t)
	// The form closed, whatever the instance's state: TestHelpAskCard
	// follows it opening.
	in.Server.Web.AskAvailable = nil
	h := in.Server.Handler()
	guides := in.Server.Web.Guides()
	if guides == nil || len(guides.Guides) != len(help.GuideIDs) {
		t.Fatalf("the server has no guides, or not all of them: %v", guides)
	}
	cat, _ := i18n.Load()
	for _, lang := range i18n.Langs {
		l := cat.For(lang)
		// Twice: rendered, then from the page cache.
		for range 2 {
			res, page := helpGet(t, h, "/help", lang)
			if res.StatusCode != 200 {
				t.Fatalf("/help (%s) = %d", lang, res.StatusCode)
			}
			checkHelpPage(t, "/help", res, page, web.DefaultLeaveURL)
			if n := strings.Count(page, `<a class="situation" href="/help/`); n != len(help.GuideIDs) {
				t.Errorf("/help (%s) shows %d situations, want %d", lang, n, len(help.GuideIDs))
			}
			for _, g := range guides.Guides {
				if !strings.Contains(page, `<a class="situation" href="/help/`+g.ID+`">`+g.Title.In(lang)+`</a>`) {
					t.Errorf("/help (%s) lacks the situation %s, %q", lang, g.ID, g.Title.In(lang))
				}
			}
			tel := telLink.FindAllStringSubmatch(page, -1)
			var numbers []string
			for _, m := range tel {
				numbers = append(numbers, m[1])
			}
			for _, x := range in.Server.Web.Content.Hotlines.Hotlines {
				if !slices.Contains(numbers, x.Number) || !strings.Contains(page, x.Name.In(lang)) {
					t.Errorf("/help (%s) lacks a tel: link to %s, %s", lang, x.Number, x.Name.In(lang))
				}
			}
			for _, x := range in.Server.Web.Content.Hotlines.Resources {
				if !strings.Contains(page, x.Name.In(lang)) {
					t.Errorf("/help (%s) lacks the resource %q", lang, x.Name.In(lang))
				}
			}
			if !strings.Contains(page, l.T("help.leave.tip")) {
				t.Errorf("/help (%s) does not tell about Escape", lang)
			}
			// The form is closed: the hotlines it is.
			if strings.Contains(page, `href="/help/ask"`) || !strings.Contains(page, l.T("help.call_above")) {
				t.Errorf("/help (%s) offers the ask form, or not the hotlines, while the form is closed", lang)
			}
		}
	}
}

func TestHelpGuides(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	guides := in.Server.Web.Guides()
	cat, _ := i18n.Load()
	names := map[string]map[i18n.Lang]string{}
	for _, x := range in.Server.Web.Content.Hotlines.Hotlines {
		names[x.Number] = map[i18n.Lang]string{i18n.VI: x.Name.VI, i18n.EN: x.Name.EN}
	}
	for _, g := range guides.Guides {
		for _, lang := range i18n.Langs {
			l := cat.For(lang)
			path := "/help/" + g.ID
			res, page := helpGet(t, h, path, lang)
			if res.StatusCode != 200 {
				t.Errorf("%s (%s) = %d", path, lang, res.StatusCode)
				continue
			}
			checkHelpPage(t, path, res, page, web.DefaultLeaveURL)
			if !strings.Contains(page, "<h1>"+g.Title.In(lang)+"</h1>") || !strings.Contains(page, g.Intro.In(lang)) {
				t.Errorf("%s (%s): no title or intro", path, lang)
			}
			for _, list := range [][]i18n.Text{g.Now, g.Dont, g.Evidence} {
				for _, s := range list {
					if !strings.Contains(page, "<li>"+s.In(lang)+"</li>") {
						t.Errorf("%s (%s) lacks the step %q", path, lang, s.In(lang))
					}
				}
			}
			// The numbers to call, in the guide's order, with their names.
			var tel []string
			for _, m := range telLink.FindAllStringSubmatch(page, -1) {
				tel = append(tel, m[1])
			}
			if !slices.Equal(tel, g.Call) {
				t.Errorf("%s (%s): tel: links %v, want %v", path, lang, tel, g.Call)
			}
			for _, n := range g.Call {
				want := `<span class="call-number">` + l.T("help.guide.call_button", "number", n) + `</span> <span class="call-name">` + names[n][lang] + `</span>`
				if !strings.Contains(page, want) {
					t.Errorf("%s (%s): no call button %s", path, lang, want)
				}
			}
			if !g.Platforms {
				continue
			}
			if n := strings.Count(page, `<details class="platform"`); n != len(help.PlatformIDs) {
				t.Errorf("%s (%s) shows %d apps, want %d", path, lang, n, len(help.PlatformIDs))
			}
			for _, p := range guides.Platforms {
				if !strings.Contains(page, "<summary>"+p.Name+"</summary>") {
					t.Errorf("%s (%s) lacks the app %s", path, lang, p.Name)
				}
				for _, list := range [][]i18n.Text{p.Block, p.Report, p.Private} {
					for _, s := range list {
						if !strings.Contains(page, "<li>"+s.In(lang)+"</li>") {
							t.Errorf("%s (%s), %s: lacks the step %q", path, lang, p.Name, s.In(lang))
						}
					}
				}
			}
			if !strings.Contains(page, l.T("help.guide.platforms_note")) {
				t.Errorf("%s (%s): no note that the apps' steps are general", path, lang)
			}
		}
	}
}

func TestHelpGuideWithoutApps(t *testing.T) {
	in, _ := apptest.MustStart(t)
	g := *in.Server.Web.Guides()
	g.Guides = slices.Clone(g.Guides)
	g.Guides[0].Platforms = false
	in.Server.Web.SetGuides(&g)
	res, page := helpGet(t, in.Server.Handler(), "/help/"+g.Guides[0].ID, i18n.EN)
	if res.StatusCode != 200 || strings.Contains(page, "<details") {
		t.Errorf("a guide without apps = %d, with <details>: %v", res.StatusCode, strings.Contains(page, "<details"))
	}
}

func TestHelpGuideNotFound(t *testing.T) {
	in, _ := apptest.MustStart(t)
	cat, _ := i18n.Load()
	for _, path := range []string{"/help/no-such-guide", "/help/ask-me", "/help/THREATENED-PICTURES"} {
		res, page := helpGet(t, in.Server.Handler(), path, i18n.EN)
		if res.StatusCode != 404 || !strings.Contains(page, cat.For(i18n.EN).T("error.guide_not_found")) {
			t.Errorf("%s = %d:\n%.300s", path, res.StatusCode, page)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", path, got)
		}
		if !strings.Contains(page, `href="/help"`) {
			t.Errorf("%s: no way back to the hub", path)
		}
	}
}

// TestHelpAskCard follows the ask-for-help form opening and closing while
// the server runs: the cached pages follow it.
func TestHelpAskCard(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	var open atomic.Bool
	in.Server.Web.AskAvailable = func(context.Context) bool { return open.Load() }
	cat, _ := i18n.Load()
	l := cat.For(i18n.EN)
	kiosk := kioskEvent(t, in, 1)
	for _, path := range []string{"/help", "/help/bullied"} {
		for _, state := range []bool{false, true, false} {
			open.Store(state)
			_, page := helpGet(t, h, path, i18n.EN)
			hasCard := strings.Contains(page, `<a class="ask-card" href="/help/ask">`) && strings.Contains(page, l.T("help.ask_card.title"))
			if hasCard != state {
				t.Errorf("%s with the form open=%v: ask card shown=%v", path, state, hasCard)
			}
			if got := strings.Contains(page, l.T("help.call_above")); got == state {
				t.Errorf("%s with the form open=%v: the line to the hotlines shown=%v", path, state, got)
			}
			_, page = helpGet(t, h, path, i18n.EN, kiosk)
			if got := strings.Contains(page, l.T("help.staff_here")); got == state {
				t.Errorf("%s on a kiosk with the form open=%v: talk to staff shown=%v", path, state, got)
			}
		}
	}
}

// TestHelpOnAKiosk: a kiosk is offline and must not lead anywhere else;
// Leave quickly goes to its attract screen.
func TestHelpOnAKiosk(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	kiosk := kioskEvent(t, in, 1)
	cat, _ := i18n.Load()
	paths := []string{"/help"}
	for _, id := range help.GuideIDs {
		paths = append(paths, "/help/"+id)
	}
	for _, lang := range i18n.Langs {
		for _, path := range paths {
			res, page := helpGet(t, h, path, lang, kiosk)
			if res.StatusCode != 200 || !strings.Contains(page, `<body class="kiosk"`) {
				t.Fatalf("%s (%s) on a kiosk = %d, kiosk layout %v", path, lang, res.StatusCode, strings.Contains(page, `<body class="kiosk"`))
			}
			checkHelpPage(t, path, res, page, "/kiosk")
			for _, m := range anyLink.FindAllStringSubmatch(page, -1) {
				if u := strings.ToLower(m[1]); strings.HasPrefix(u, "http:") || strings.HasPrefix(u, "https:") || strings.HasPrefix(u, "//") {
					t.Errorf("%s (%s) on a kiosk links out: %s", path, lang, m[1])
				}
			}
			if !strings.Contains(page, cat.For(lang).T("help.staff_here")) {
				t.Errorf("%s (%s) on a kiosk does not point to the staff", path, lang)
			}
			if strings.Contains(page, cat.For(lang).T("help.leave.tip")) {
				t.Errorf("%s (%s) on a kiosk tells about the Escape key", path, lang)
			}
		}
	}
}

func TestEditorChangesAGuide(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	send := func(method, path string, v url.Values) (*http.Response, string) {
		t.Helper()
		var r *http.Request
		if method == "POST" {
			r = form(path, v)
		} else {
			r = httptest.NewRequest("GET", path, nil)
		}
		r.AddCookie(ed)
		res := do(t, h, r)
		return res, body(t, res)
	}
	g, _ := in.Server.Web.Guides().Guide("bullied")
	if _, page := send("GET", "/help/bullied?lang=en", nil); !strings.Contains(page, html.EscapeString(g.Now[0].EN)) {
		t.Fatal("the guide page does not show its first step")
	}
	if _, page := send("GET", "/console/content/help?lang=en", nil); !strings.Contains(page, `href="/console/content/guides/bullied"`) || !strings.Contains(page, `href="/console/content/platforms/zalo"`) {
		t.Error("the help content list lacks a guide or an app")
	}
	res, page := send("GET", "/console/content/guides/bullied?lang=en", nil)
	if res.StatusCode != 200 || !strings.Contains(page, html.EscapeString(g.Now[0].VI)) {
		t.Fatalf("guide editor = %d", res.StatusCode)
	}
	steps := func(ts []i18n.Text, first string) (vi, en string) {
		var a, b []string
		for i, x := range ts {
			a, b = append(a, x.VI), append(b, x.EN)
			if i == 0 {
				b[0] = first
			}
		}
		return strings.Join(a, "\n"), strings.Join(b, "\n")
	}
	nowVI, nowEN := steps(g.Now, "Take a deep breath: you are not alone.")
	dontVI, dontEN := steps(g.Dont, g.Dont[0].EN)
	evVI, evEN := steps(g.Evidence, g.Evidence[0].EN)
	v := url.Values{"title_vi": {g.Title.VI}, "title_en": {g.Title.EN}, "intro_vi": {g.Intro.VI}, "intro_en": {g.Intro.EN},
		"now_vi": {nowVI}, "now_en": {nowEN}, "dont_vi": {dontVI}, "dont_en": {dontEN}, "evidence_vi": {evVI}, "evidence_en": {evEN},
		"call": {strings.Join(g.Call, " ")}, "platforms": {"on"}, "source": {g.Source}}
	bad := url.Values{}
	for k, vs := range v {
		bad[k] = vs
	}
	bad.Set("now_en", nowEN+"\nOne more line only in English")
	if res, page := send("POST", "/console/content/guides/bullied?lang=en", bad); res.StatusCode != 400 || !strings.Contains(page, "same number of steps") {
		t.Errorf("mismatched steps = %d", res.StatusCode)
	}
	bad = url.Values{}
	for k, vs := range v {
		bad[k] = vs
	}
	bad.Set("call", "111 999")
	if res, page := send("POST", "/console/content/guides/bullied?lang=en", bad); res.StatusCode != 400 || !strings.Contains(page, "999") {
		t.Errorf("an unknown number = %d", res.StatusCode)
	}
	if res, _ := send("POST", "/console/content/guides/bullied", v); res.StatusCode != 303 {
		t.Fatalf("save = %d", res.StatusCode)
	}
	if res, page := send("GET", "/console/content/guides/bullied/versions/1/preview?lang=en&as=phone", nil); res.StatusCode != 200 || !strings.Contains(page, "Take a deep breath") {
		t.Errorf("preview = %d", res.StatusCode)
	}
	if _, page := send("GET", "/help/bullied?lang=en", nil); strings.Contains(page, "Take a deep breath") {
		t.Error("a draft is live")
	}
	if res, _ := send("POST", "/console/content/guides/bullied/versions/1/publish", nil); res.StatusCode != 303 {
		t.Fatalf("publish = %d", res.StatusCode)
	}
	if _, page := send("GET", "/help/bullied?lang=en", nil); !strings.Contains(page, "Take a deep breath") {
		t.Error("the published step is not on the guide page (cached page not refreshed?)")
	}
}
