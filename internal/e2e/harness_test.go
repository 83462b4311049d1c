package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/testenv"
)

// testTimeout bounds one test: server start, browser work and shutdown.
// Most tests take a second or two (most of it axe-core); the journeys
// (a kiosk round through pledge, wall and desk; a help request through
// the responder) take about ten, and three times that on a busy machine.
//
// Tests do not call t.Parallel: CI has two cores, axe keeps one busy, and
// running tabs side by side measured no faster, only noisier.
const testTimeout = 90 * time.Second

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// browser is the one headless Chromium the package shares. It starts with
// the first test that needs it; tests get their own browser context in it.
var browser struct {
	once        sync.Once
	ctx         context.Context // the first tab: keeps the browser alive
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
	dir         string
	output      syncBuffer // what the browser printed, shown if it fails to start
	err         error
}

// browserContext returns the shared browser's context, starting the
// browser the first time. It skips or fails like testenv.Chromium.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	execPath := testenv.Chromium(t)
	browser.once.Do(func() { browser.err = startBrowser(execPath) })
	if browser.err != nil {
		t.Fatalf("start Chromium %s: %v\n%s", execPath, browser.err, browser.output.String())
	}
	return browser.ctx
}

func startBrowser(execPath string) error {
	dir, err := os.MkdirTemp("", "notalone-e2e-chromium-")
	if err != nil {
		return err
	}
	browser.dir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these Chromium keeps trying to reach Google's hosts,
		// which CI's network refuses (see /work/shared/CI-NOTES.md).
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&browser.output),
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root (CI runs as root).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Run starts the browser and ties its life to ctx, which has
	// no deadline: each test's timeout applies to its own tab only.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
		return err
	}
	browser.ctx, browser.cancel, browser.cancelAlloc = ctx, cancel, cancelAlloc
	return nil
}

func stopBrowser() {
	if browser.ctx == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		chromedp.Cancel(browser.ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	browser.cancel()
	browser.cancelAlloc()
	os.RemoveAll(browser.dir)
}

// syncBuffer is a buffer that the browser's output goroutine writes while
// a test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// catalog is the message catalogue, so tests compare pages with the
// translations instead of copies of them.
var catalog = sync.OnceValues(i18n.Load)

// msg returns the message key in lang.
func msg(t *testing.T, lang i18n.Lang, key string, kv ...any) string {
	t.Helper()
	cat, err := catalog()
	if err != nil {
		t.Fatalf("i18n.Load: %v", err)
	}
	return cat.For(lang).T(key, kv...)
}

// server is one running instance for one test.
type server struct {
	*app.Instance
	ctx context.Context // the test's context, with its deadline
}

// startServer starts the real server on port 0 with its own data directory
// and stops it when the test ends. Its warnings go to the test log; an
// error it logs fails the test.
func startServer(t *testing.T) *server {
	t.Helper()
	// Every test here needs both: skip (or fail in CI) before starting
	// anything.
	testenv.Axe(t)
	browserContext(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	s := apptest.Settings(t)
	s.LogLevel = "error"
	if err := s.Resolve(); err != nil {
		t.Fatalf("Settings.Resolve: %v", err)
	}
	logs := &testLog{t: t}
	logger := slog.New(&countingHandler{
		Handler: slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}),
		errors:  &logs.errors,
	})
	in, err := app.Start(ctx, s, logger)
	if err != nil {
		t.Fatalf("app.Start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := in.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		logs.close()
		if n := logs.errors.n(); n > 0 {
			t.Errorf("the server logged %d error(s); see the log above", n)
		}
	})
	return &server{Instance: in, ctx: ctx}
}

// testLog writes the server's log to the test's log until the server stops.
type testLog struct {
	t      *testing.T
	mu     sync.Mutex
	closed bool
	errors counter
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.t.Logf("server: %s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}

func (l *testLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

type counter struct {
	mu sync.Mutex
	v  int
}

func (c *counter) add()   { c.mu.Lock(); c.v++; c.mu.Unlock() }
func (c *counter) n() int { c.mu.Lock(); defer c.mu.Unlock(); return c.v }

// countingHandler counts error records on their way to the log.
type countingHandler struct {
	slog.Handler
	errors *counter
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.errors.add()
	}
	return h.Handler.Handle(ctx, r)
}

func (h *countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &countingHandler{Handler: h.Handler.WithAttrs(as), errors: h.errors}
}

func (h *countingHandler) WithGroup(name string) slog.Handler {
	return &countingHandler{Handler: h.Handler.WithGroup(name), errors: h.errors}
}

// tab is one test's page, in a browser context of its own: cookies,
// storage and cache are not shared with any other tab. (A plain
// chromedp.NewContext on the browser would open a tab in the default
// browser context, which shares cookies: TestTabsAreIsolated fails then.)
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL, e.g. http://127.0.0.1:41234
	rec  *recorder
}

// newTab opens a tab on srv in a fresh browser context whose requests
// carry the Accept-Language header acceptLanguage. Every console error,
// uncaught exception and browser log error (which is where Content-Security-
// Policy violations and failed loads appear) fails the test when it ends.
func newTab(t *testing.T, srv *server, acceptLanguage string) *tab {
	t.Helper()
	bctx := browserContext(t)
	tctx, cancel := context.WithTimeout(bctx, testTimeout)
	rec := &recorder{}
	ctx, closeTab := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(rec.listen))
	tb := &tab{t: t, ctx: ctx, base: srv.URL, rec: rec}
	t.Cleanup(func() {
		closeTab()
		cancel()
	})
	t.Cleanup(tb.checkConsole) // runs first: the tab is still open
	// The first call opens the tab. The extra header is how a browser set to
	// another language asks for pages; fetch() from the page sends it too.
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage},
	}); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	// Reduced motion, as many visitors ask for: the site then scrolls
	// without animation, so a click measured after scrolling lands where
	// it was aimed (with smooth scrolling, a button scrolled into view
	// was still moving when the click landed).
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		t.Fatalf("reduced motion: %v", err)
	}
	return tb
}

// recorder keeps what the page reported that a visitor must never cause.
type recorder struct {
	mu       sync.Mutex
	problems []problem
}

type problem struct {
	kind, text, url string
}

func (p problem) String() string {
	s := p.kind + ": " + p.text
	if p.url != "" {
		s += " (" + p.url + ")"
	}
	return s
}

// listen runs on the tab's reading goroutine: it must only record.
func (r *recorder) listen(ev any) {
	var p problem
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		p = problem{kind: "console." + string(ev.Type), text: consoleArgs(ev.Args)}
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			p.url = st.CallFrames[0].URL
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = problem{kind: "uncaught exception", text: d.Text, url: d.URL}
		if d.Exception != nil && d.Exception.Description != "" {
			p.text += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		// Errors, and the security warnings (CSP, mixed content) that a
		// report-only or future policy would turn into errors.
		if e.Level != log.EntryLevelError && !(e.Level == log.EntryLevelWarning && e.Source == log.EntrySourceSecurity) {
			return
		}
		p = problem{kind: "browser log " + string(e.Source) + " " + string(e.Level), text: e.Text, url: e.URL}
	default:
		return
	}
	r.mu.Lock()
	r.problems = append(r.problems, p)
	r.mu.Unlock()
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a == nil:
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// take returns the recorded problems and forgets them, after a round trip
// to the tab: events arrive in order and the listener sees each before the
// answer to a later command, so nothing the page did so far is missed.
func (r *recorder) take(ctx context.Context) []problem {
	chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`0`))
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.problems
	r.problems = nil
	return p
}

// expectStatus takes the problems so far and fails the test on any other
// than the one Chromium logs for a document served from url with status (a
// 404 page, a form sent back with its problems): "Failed to load resource:
// the server responded with a status of …".
func (tb *tab) expectStatus(url string, status int) {
	tb.t.Helper()
	allowed := fmt.Sprintf("Failed to load resource: the server responded with a status of %d ", status)
	for _, p := range tb.rec.take(tb.ctx) {
		if p.url == url && strings.HasPrefix(p.text, allowed) {
			continue
		}
		tb.t.Errorf("the page logged %s", p)
	}
}

func (tb *tab) checkConsole() {
	for _, p := range tb.rec.take(tb.ctx) {
		tb.t.Errorf("the page logged %s", p)
	}
}

// do runs actions in the tab and stops the test on an error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action that returns a value and stops the test on an error.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// visit opens path on the server and returns the document's HTTP status.
func (tb *tab) visit(path string) int64 {
	tb.t.Helper()
	resp := run(tb, "open "+path, chromedp.NavigateResponse(tb.base+path))
	if resp == nil {
		tb.t.Fatalf("open %s: no response", path)
	}
	return resp.Status
}

// click clicks the element sel, e.g. a link or a submit button, and waits
// until the page it leads to has loaded.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	run(tb, "click "+sel, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// location is the current URL.
func (tb *tab) location() string {
	tb.t.Helper()
	return run(tb, "location", chromedp.Location())
}

// lang is the document's <html lang>.
func (tb *tab) lang() string {
	tb.t.Helper()
	return run(tb, "html lang", chromedp.Evaluate[string](`document.documentElement.lang`))
}

// text is the visible text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(run(tb, "text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// eval evaluates a JavaScript expression in the page and awaits it.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, expr, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// axeSource is axe.min.js, read once.
var axeSource = struct {
	once sync.Once
	src  string
	err  error
}{}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  json.RawMessage `json:"target"` // selectors, nested for shadow DOM
	HTML    string          `json:"html"`
	Summary string          `json:"summary"`
}

// axeRun maps axe's results to what a failure message needs.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
})))`

// audit runs axe-core on the current page and fails the test on every
// serious or critical violation; lesser ones are logged.
func (tb *tab) audit() {
	tb.t.Helper()
	where := tb.location()
	for _, v := range tb.axe() {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s (%s) on %s: %s <%s>", v.ID, v.Impact, where, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n\t%s %s", n.Target, n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n\t\t%s", strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
			}
		}
		switch v.Impact {
		case "serious", "critical":
			tb.t.Error(b.String())
		default:
			tb.t.Log(b.String())
		}
	}
}

// axe runs axe-core on the current page and returns every violation.
//
// The script goes in through Runtime.evaluate, which the page's CSP
// (default-src 'self', no inline script) does not apply to, so the audit
// needs no Page.setBypassCSP and sees the page exactly as visitors get it.
// axe itself uses no eval; if it ever did, the recorder would report the
// violation rather than hide it (TestHarness checks both).
func (tb *tab) axe() []axeViolation {
	tb.t.Helper()
	path := testenv.Axe(tb.t)
	axeSource.once.Do(func() {
		b, err := os.ReadFile(path)
		axeSource.src, axeSource.err = string(b), err
	})
	if axeSource.err != nil {
		tb.t.Fatalf("read axe-core: %v", axeSource.err)
	}
	loaded := run(tb, "check for axe", chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if !loaded {
		// The newline keeps a trailing comment in the file from eating
		// the rest.
		run(tb, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource.src+"\n;undefined"))
	}
	return run(tb, "axe.run", chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
}
