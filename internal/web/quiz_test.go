package web_test

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/quiz"
)

// browser is a tiny cookie-keeping client over the handler, no network.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
}

func (b *browser) do(method, path string, form url.Values) *http.Response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	res := w.Result()
	for _, c := range res.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	return res
}

func (b *browser) page(path string) (int, string) {
	b.t.Helper()
	res := b.do("GET", path, nil)
	s, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(s)
}

func location(t *testing.T, res *http.Response) string {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		s, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d, want 303: %.400s", res.StatusCode, s)
	}
	u, _ := url.Parse(res.Header.Get("Location"))
	return u.Path
}

// allTypes installs a quiz with one shipped item of every type, in type
// order, and returns the instance and a browser.
func allTypes(t *testing.T) (*app.Instance, *browser) {
	t.Helper()
	in, _ := apptest.MustStart(t)
	bank := in.Server.Web.Play.Bank()
	var items []quiz.Item
	var ids []string
	for _, typ := range quiz.Types {
		for _, q := range bank.Quizzes() {
			for _, it := range bank.QuizItems(q) {
				if it.Type == typ && len(ids) < len(quiz.Types) && !contains(ids, it.ID) && (len(items) == 0 || items[len(items)-1].Type != typ) {
					items = append(items, *it)
					ids = append(ids, it.ID)
				}
			}
		}
	}
	if len(items) != len(quiz.Types) {
		t.Fatalf("shipped quizzes lack an item of some type: have %v", ids)
	}
	in.Server.Web.Play.SetBank(quiz.NewBank(items, []quiz.Quiz{{ID: "all", Title: quiz.Text{VI: "Tất cả", EN: "All"}, Ages: []string{"teens"}, Items: ids}}))
	return in, &browser{t: t, h: in.Server.Handler(), cookies: map[string]string{"na_lang": "en"}}
}

// esc is how html/template writes a text.
func esc(s string) string { return template.HTMLEscapeString(s) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var segLabel = regexp.MustCompile(`<label class="seg[^"]*"><input type="checkbox" name="segments" value="([^"]+)"[^>]*><span class="seg-text">[^<]*</span></label>`)

func TestPlayEveryTypeThroughForms(t *testing.T) {
	in, b := allTypes(t)
	bank := in.Server.Web.Play.Bank()
	play := location(t, b.do("POST", "/practise/all/start", url.Values{}))
	if !strings.HasSuffix(play, "/1") {
		t.Fatalf("start went to %s", play)
	}
	base := strings.TrimSuffix(play, "/1")
	for n, typ := range quiz.Types {
		path := base + "/" + string(rune('1'+n))
		status, page := b.page(path)
		if status != 200 {
			t.Fatalf("%s = %d", path, status)
		}
		it := bank.Item(bank.Quiz("all").Items[n])
		form := url.Values{"item": {it.ID}}
		switch typ {
		case quiz.Single:
			// Nothing chosen: the same page again, 400, with a message.
			res := b.do("POST", path, form)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 400 || !strings.Contains(string(body), "Please choose an answer") || !strings.Contains(string(body), `name="choice"`) {
				t.Errorf("empty single answer = %d:\n%.500s", res.StatusCode, body)
			}
			form.Set("choice", it.Options[0].ID)
		case quiz.Multi:
			form["choices"] = []string{it.Options[0].ID}
		case quiz.ScamOrSafe:
			// A verdict without a reason keeps the verdict chosen.
			form.Set("verdict", "scam")
			res := b.do("POST", path, form)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 400 || !strings.Contains(string(body), `value="scam" checked`) {
				t.Errorf("verdict without reason = %d, verdict not kept:\n%.500s", res.StatusCode, body)
			}
			form.Set("reason", it.Reasons[0].ID)
		case quiz.SpotFlags:
			labels := segLabel.FindAllStringSubmatch(page, -1)
			if len(labels) != len(it.Message.Segments) {
				t.Fatalf("%d tappable segments drawn, want %d", len(labels), len(it.Message.Segments))
			}
			// Flagged and unflagged segments have identical markup once the
			// token and text are taken out, and no token names a segment.
			shape := func(s string) string {
				s = regexp.MustCompile(`value="[^"]+"`).ReplaceAllString(s, `value=""`)
				s = regexp.MustCompile(`seg-(them|me)`).ReplaceAllString(s, "seg-x")
				return regexp.MustCompile(`<span class="seg-text">[^<]*</span>`).ReplaceAllString(s, "")
			}
			for _, l := range labels {
				if shape(l[0]) != shape(labels[0][0]) {
					t.Errorf("segments differ in markup:\n%s\n%s", l[0], labels[0][0])
				}
				for _, s := range it.Message.Segments {
					if l[1] == s.ID {
						t.Errorf("segment %s shown with its raw id", s.ID)
					}
				}
			}
			for _, f := range it.Flags {
				if strings.Contains(page, "flag."+f.Code) || strings.Contains(page, esc(f.Explanation.EN)) {
					t.Errorf("the question page gives away flag %s", f.Code)
				}
			}
			form["segments"] = []string{labels[0][1]}
		case quiz.Scenario:
			for {
				m := regexp.MustCompile(`name="step" value="([^"]+)"`).FindStringSubmatch(page)
				if m == nil {
					break
				}
				c := regexp.MustCompile(`name="choice" value="([^"]+)"`).FindStringSubmatch(page)
				location(t, b.do("POST", path, url.Values{"item": {it.ID}, "step": {m[1]}, "choice": {c[1]}}))
				_, page = b.page(path)
			}
			if !strings.Contains(page, esc(it.Explanation.EN)) {
				t.Errorf("the finished scenario shows no explanation")
			}
			continue
		}
		if got := location(t, b.do("POST", path, form)); got != path {
			t.Errorf("answer redirected to %s, want %s", got, path)
		}
		// A double tap: the first answer stands and the feedback shows.
		if got := location(t, b.do("POST", path, form)); got != path {
			t.Errorf("second submit redirected to %s", got)
		}
		_, page = b.page(path)
		if !strings.Contains(page, esc(it.Explanation.EN)) || !strings.Contains(page, esc(it.Tip.EN)) {
			t.Errorf("feedback for %s lacks the explanation or tip", it.ID)
		}
		if typ == quiz.SpotFlags {
			for _, f := range it.Flags {
				if !strings.Contains(page, esc(f.Explanation.EN)) {
					t.Errorf("feedback lacks flag %s's explanation", f.Code)
				}
			}
		}
	}
	// Skipping ahead is not possible; the last page offers the results.
	res := b.do("POST", base+"/finish", url.Values{})
	results := location(t, res)
	status, page := b.page(results)
	if status != 200 || !strings.Contains(page, "Your results") || !strings.Contains(page, "Try again") || !strings.Contains(page, "<meter") ||
		!regexp.MustCompile(`Played on \d{1,2} [A-Z][a-z]+ \d{4}`).MatchString(page) {
		t.Errorf("results = %d:\n%.600s", status, page)
	}
	if got := location(t, b.do("GET", base+"/1", nil)); got != results {
		t.Errorf("a finished attempt's item page goes to %s, want the results", got)
	}
}

func TestNoSkippingAheadAndReloadResumes(t *testing.T) {
	_, b := allTypes(t)
	play := location(t, b.do("POST", "/practise/all/start", url.Values{}))
	base := strings.TrimSuffix(play, "/1")
	if got := location(t, b.do("GET", base+"/4", nil)); got != base+"/1" {
		t.Errorf("skipping ahead went to %s, want %s/1", got, base)
	}
	if status, _ := b.page(base + "/99"); status != 404 {
		t.Errorf("an item past the end = %d, want 404", status)
	}
	if status, _ := b.page("/play/NOSUCHATTEMPT/1"); status != 404 {
		t.Errorf("an unknown attempt = %d, want 404", status)
	}
	if got := location(t, b.do("GET", base+"/results", nil)); got != base+"/1" {
		t.Errorf("results before finishing went to %s", got)
	}
}

func TestPractisePagesAndShare(t *testing.T) {
	in, _ := apptest.MustStart(t)
	b := &browser{t: t, h: in.Server.Handler(), cookies: map[string]string{}}
	status, page := b.page("/practise")
	if status != 200 || !strings.Contains(page, `action="/practise/kiosk/start"`) {
		t.Fatalf("practise = %d:\n%.500s", status, page)
	}
	status, page = b.page("/practise/kiosk")
	if status != 200 || !strings.Contains(page, "<svg") || !strings.Contains(page, in.Settings.PublicURL+"/practise/kiosk") {
		t.Errorf("quiz page lacks the share link or QR code: %d", status)
	}
	if status, _ := b.page("/practise/nope"); status != 404 {
		t.Errorf("unknown quiz page = %d", status)
	}
	if status, page := b.page("/"); status != 200 || !strings.Contains(page, `href="/practise"`) {
		t.Errorf("home has no Practise door")
	}
}
