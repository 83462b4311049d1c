package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
)

// installAllTypes gives srv a quiz "all" with one shipped item of every
// type, in type order.
func installAllTypes(t *testing.T, srv *server) *quiz.Bank {
	t.Helper()
	bank := srv.Server.Web.Play.Bank()
	var items []quiz.Item
	var ids []string
	for _, typ := range quiz.Types {
	find:
		for _, q := range bank.Quizzes() {
			for _, it := range bank.QuizItems(q) {
				if it.Type == typ {
					items = append(items, *it)
					ids = append(ids, it.ID)
					break find
				}
			}
		}
	}
	if len(items) != len(quiz.Types) {
		t.Fatalf("the shipped quizzes lack an item of some type: %v", ids)
	}
	b := quiz.NewBank(items, []quiz.Quiz{{ID: "all", Title: quiz.Text{VI: "Đủ loại câu hỏi", EN: "Every kind of question"},
		Description: quiz.Text{VI: "Mỗi loại một câu.", EN: "One of each kind."}, Ages: []string{"teens"}, Items: ids}})
	srv.Server.Web.Play.SetBank(b)
	return b
}

// answerShown answers the question on screen by clicking, the way a
// player would, and waits for the feedback.
func (tb *tab) answerShown(it *quiz.Item) {
	tb.t.Helper()
	switch it.Type {
	case quiz.Single, quiz.Multi:
		tb.do("choose", chromedp.Click(chromedp.CSS(".option"), chromedp.NodeVisible))
	case quiz.ScamOrSafe:
		tb.do("verdict", chromedp.Click(chromedp.CSS(`.verdict .option`), chromedp.NodeVisible))
		tb.do("reason", chromedp.Click(chromedp.CSS(`input[name="reason"]`), chromedp.NodeReady))
	case quiz.SpotFlags:
		// Tap two segments; the page must show them selected.
		tb.do("tap", chromedp.Click(chromedp.CSS(`label.seg:nth-of-type(1)`), chromedp.NodeVisible))
		tb.do("tap", chromedp.Click(chromedp.CSS(`label.seg:nth-of-type(2)`), chromedp.NodeVisible))
		if n := eval[int](tb, `document.querySelectorAll('label.seg input:checked').length`); n != 2 {
			tb.t.Errorf("%d segments selected after two taps, want 2", n)
		}
	case quiz.Scenario:
		for eval[int](tb, `document.querySelectorAll('.choice-button').length`) > 0 {
			tb.click(".choice-button")
		}
		return
	}
	tb.click(`.answer-form button[type="submit"]`)
}

// TestPlayEveryType plays one item of every type by clicking, checks the
// feedback, reloads, and finishes.
func TestPlayEveryType(t *testing.T) {
	srv := startServer(t)
	bank := installAllTypes(t, srv)
	tb := newTab(t, srv, "en")
	tb.visit("/")
	tb.click(`a.door[href="/practise"]`)
	tb.audit()
	tb.visit("/practise/all")
	tb.audit()
	tb.click(`form[action="/practise/all/start"] button`)
	for n, id := range bank.Quiz("all").Items {
		it := bank.Item(id)
		if got := tb.text(".play-progress"); !strings.Contains(got, "Question "+string(rune('1'+n))) {
			t.Errorf("progress = %q on item %d", got, n+1)
		}
		tb.audit() // the question
		tb.answerShown(it)
		if n := eval[int](tb, `document.querySelectorAll('#feedback').length`); n != 1 {
			t.Fatalf("%s (%s): no feedback after answering", it.ID, it.Type)
		}
		if it.Type == quiz.SpotFlags {
			if got := eval[int](tb, `document.querySelectorAll('.flag-list li').length`); got != len(it.Flags) {
				t.Errorf("feedback lists %d red flags, want %d", got, len(it.Flags))
			}
		}
		tb.audit() // the feedback
		// A reload shows the same feedback: the answer was kept.
		here := tb.location()
		tb.do("reload", chromedp.Reload())
		if tb.location() != here || eval[int](tb, `document.querySelectorAll('#feedback').length`) != 1 {
			t.Errorf("after a reload: at %s without feedback", tb.location())
		}
		if n < len(quiz.Types)-1 {
			tb.click(`a.button[href$="/` + string(rune('2'+n)) + `"]`)
		}
	}
	tb.click(`form[action$="/finish"] button`)
	if !strings.HasSuffix(tb.location(), "/results") {
		t.Fatalf("after finishing: at %s", tb.location())
	}
	if got := tb.text(".results-score"); !strings.HasPrefix(got, "You scored") {
		t.Errorf("results say %q", got)
	}
	tb.audit()
}

// TestReloadResumes leaves an attempt half way and comes back to it.
func TestReloadResumes(t *testing.T) {
	srv := startServer(t)
	bank := installAllTypes(t, srv)
	tb := newTab(t, srv, "vi")
	tb.visit("/practise/all")
	tb.click(`form[action="/practise/all/start"] button`)
	first := tb.location()
	tb.answerShown(bank.Item(bank.Quiz("all").Items[0]))
	tb.click(`a.button[href$="/2"]`)
	second := tb.location()
	tb.visit("/")
	// Back to the first item's address: it shows the answer given, and the
	// second item is where play goes on.
	u, _ := url.Parse(first)
	tb.visit(u.Path)
	if n := eval[int](tb, `document.querySelectorAll('#feedback').length`); n != 1 {
		t.Errorf("the first item lost its answer")
	}
	u, _ = url.Parse(second)
	tb.visit(u.Path)
	if n := eval[int](tb, `document.querySelectorAll('.answer-form').length`); n != 1 {
		t.Errorf("the second item is not waiting for an answer")
	}
}

// TestKioskIdleReset: a kiosk left alone asks "still there?", counts down,
// and clears the last visitor's game and language.
func TestKioskIdleReset(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	ev, err := srv.DB.CreateEvent(ctx, event.Event{ID: "hoi-cho", Name: "Hội chợ", KioskIdleSeconds: 10})
	if err != nil {
		t.Fatal(err)
	}
	st, err := srv.DB.CreateStation(ctx, ev.ID, event.Kiosk, "Kiosk A")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := srv.DB.Secret(ctx, "station-binding", 32)
	tb := newTab(t, srv, "vi")
	tb.visit("/station/setup?token=" + url.QueryEscape(event.NewSigner(key).SetupToken(st.ID)))
	tb.click(`form[action="/station/setup"] button`)

	tb.visit("/kiosk")
	tb.audit()
	tb.click("a.attract")
	tb.click(`a[hreflang="en"]`)
	if tb.lang() != "en" {
		t.Fatalf("the language switch did not work on the kiosk")
	}
	tb.audit()
	tb.click(`form[action="/practise/kiosk/start"] button`)
	if !strings.Contains(tb.location(), "/play/") {
		t.Fatalf("kiosk start went to %s", tb.location())
	}
	// No outbound links on a kiosk page.
	if n := eval[int](tb, `[...document.querySelectorAll('a[href]')].filter(a => a.host && a.host !== location.host).length`); n != 0 {
		t.Errorf("%d links leave the kiosk", n)
	}
	// Wait for the "still there?" dialog, then for the reset.
	deadline := time.Now().Add(25 * time.Second)
	sawDialog := false
	for time.Now().Before(deadline) {
		if !sawDialog && eval[bool](tb, `!document.getElementById('idle-dialog')?.hidden`) {
			sawDialog = true
			tb.audit()
		}
		if u, err := url.Parse(tb.location()); err == nil && u.Path == "/kiosk" {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if !sawDialog {
		t.Errorf("the kiosk never asked whether anyone was still there")
	}
	if u, _ := url.Parse(tb.location()); u.Path != "/kiosk" {
		t.Fatalf("the kiosk did not reset: still at %s", tb.location())
	}
	tb.do("wait for the attract screen", chromedp.WaitVisible(chromedp.CSS("a.attract")))
	if tb.lang() != "vi" {
		t.Errorf("after the reset the kiosk speaks %q, want vi", tb.lang())
	}
	if n := eval[int](tb, `document.querySelectorAll('.play').length`); n != 0 {
		t.Errorf("the last visitor's game is still on screen")
	}
}
