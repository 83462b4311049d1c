package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestHarness checks that the harness sees what it is meant to catch: a
// page that breaks the CSP, logs an error, throws, and has an image without
// a text alternative. Without it, every other test could pass by looking
// away.
func TestHarness(t *testing.T) {
	srv := startServer(t)
	tb := newTab(t, srv, "vi")
	tb.visit("/")
	if p := tb.rec.take(tb.ctx); len(p) != 0 {
		t.Fatalf("the home page logged %v before the test broke it", p)
	}
	run(tb, "break the page", chromedp.Evaluate[chromedp.Void](`
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.body.append(s);
		const img = document.createElement("img");
		img.src = document.querySelector(".brand-symbol").src;
		document.querySelector("main").append(img);
		console.error("harness: console.error");
		setTimeout(() => { throw new Error("harness: uncaught"); }, 0);
		undefined`))
	run(tb, "wait for the timer", chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 50))`, chromedp.EvalAwaitPromise))

	if eval[bool](tb, `window.inlineRan === true`) {
		t.Errorf("an inline script ran: the page has no CSP that forbids it")
	}
	var kinds []string
	for _, p := range tb.rec.take(tb.ctx) {
		t.Logf("recorded %s", p)
		switch {
		case strings.Contains(p.text, "Content Security Policy"):
			kinds = append(kinds, "csp")
		case strings.Contains(p.text, "harness: console.error"):
			kinds = append(kinds, "console")
		case strings.Contains(p.text, "harness: uncaught"):
			kinds = append(kinds, "exception")
		}
	}
	for _, want := range []string{"csp", "console", "exception"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("the recorder missed the %s problem (recorded %q)", want, kinds)
		}
	}

	var ids []string
	for _, v := range tb.axe() {
		ids = append(ids, v.ID+"/"+v.Impact)
	}
	if !slices.Contains(ids, "image-alt/critical") {
		t.Errorf("axe found %q, want image-alt/critical for an <img> without alt", ids)
	}
}
