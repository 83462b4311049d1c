package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
)

// TestLiveOverviewUpdates: an analyst opens an event's live overview; a
// visitor answers a question; the figure changes on the open page without
// a reload (Server-Sent Events and static/overview.js, under the CSP).
func TestLiveOverviewUpdates(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	hash, _ := apptest.CheapHasher.Hash("correct horse battery staple")
	if _, err := srv.DB.CreateStaff(ctx, "analyst@x.example", "Phân tích", hash, []staff.Role{staff.Analyst}); err != nil {
		t.Fatal(err)
	}
	an := newTab(t, srv, "vi")
	an.visit("/console/login")
	an.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "analyst@x.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"))
	an.click(`form[action="/console/login"] button`)
	an.visit("/console/events/" + event.DefaultID + "/overview")
	if got := an.text(`[data-stat="answers"]`); got != "0" {
		t.Fatalf("answers before play = %q, want 0", got)
	}
	// The stream is open once the status says so.
	live := msg(t, "vi", "console.overview_live")
	quoted, _ := json.Marshal(live)
	run(an, "wait for the stream", chromedp.Poll[bool](`document.getElementById("overview-status").textContent === `+string(quoted),
		chromedp.WithPollingTimeout(10*time.Second)))
	an.audit()

	online, err := srv.DB.Event(ctx, event.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	play := srv.Server.Web.Play
	a, err := play.Start(ctx, "kids", "vi", event.Device{Event: online})
	if err != nil {
		t.Fatal(err)
	}
	answered := false
	for _, id := range a.Items {
		if it := play.Bank().Item(id); it.Type == quiz.Single {
			if _, err := play.Answer(ctx, a.ID, id, "", quiz.Response{Choice: it.Options[0].ID}); err != nil {
				t.Fatal(err)
			}
			answered = true
			break
		}
	}
	if !answered {
		t.Fatal("the kids quiz has no single-choice item")
	}
	run(an, "wait for the new figure", chromedp.Poll[bool](`document.querySelector('[data-stat="answers"]').textContent === "1"`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if got := an.text(`[data-stat="attempts_started"]`); got != "1" {
		t.Errorf("attempts started after play = %q, want 1", got)
	}
}
