package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/web"
)

// startAttempt starts an attempt at the default event, as a visitor's
// device would, through the same Play the pages and the API use.
func startAttempt(t *testing.T, in *app.Instance) quiz.Attempt {
	t.Helper()
	ctx := context.Background()
	online, err := in.DB.Event(ctx, event.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := in.Server.Web.Play.Start(ctx, "kids", "en", event.Device{Event: online})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// answerOne answers the attempt's first single- or multiple-choice item
// with its first option and returns the result.
func answerOne(t *testing.T, in *app.Instance, a quiz.Attempt) quiz.Result {
	t.Helper()
	play := in.Server.Web.Play
	for _, id := range a.Items {
		it := play.Bank().Item(id)
		var r quiz.Response
		switch it.Type {
		case quiz.Single:
			r.Choice = it.Options[0].ID
		case quiz.Multi:
			r.Choices = []string{it.Options[0].ID}
		default:
			continue
		}
		out, err := play.Answer(context.Background(), a.ID, id, "", r)
		if err != nil {
			t.Fatal(err)
		}
		return out.Result
	}
	t.Fatalf("attempt %s has no single- or multiple-choice item", a.ID)
	return quiz.Result{}
}

func TestEventOverviewPage(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	analyst := signIn(t, in, "an@x.example", staff.Analyst)
	editor := signIn(t, in, "ed@x.example", staff.Editor)
	get := func(c *http.Cookie, path string) (int, string) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(c)
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}

	finished := startAttempt(t, in)
	res := answerOne(t, in, finished)
	if _, err := in.Server.Web.Play.Finish(context.Background(), finished.ID); err != nil {
		t.Fatal(err)
	}
	answerOne(t, in, startAttempt(t, in))
	startAttempt(t, in)
	pct := int(math.Round(100 * float64(res.Score) / float64(res.MaxScore)))

	status, page := get(analyst, "/console/events/online/overview?lang=en")
	if status != 200 {
		t.Fatalf("overview as analyst = %d", status)
	}
	for _, want := range []string{
		`data-stat="attempts_started">3<`,
		`data-stat="attempts_finished">1<`,
		fmt.Sprintf(`data-stat="average_score">%d%%<`, pct),
		`data-stat="answers">2<`,
		`aria-live="polite"`,
		`data-stream="/console/events/online/overview/stream"`,
		`src="/static/overview.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("overview page lacks %s", want)
		}
	}
	// Analysts see figures only; editors also get back to the event.
	if strings.Contains(page, `href="/console/events/online"`) {
		t.Errorf("the analyst's overview links to the event page, which analysts may not open")
	}
	if _, page := get(editor, "/console/events/online/overview"); !strings.Contains(page, `href="/console/events/online"`) {
		t.Errorf("the editor's overview does not link back to the event")
	}
	if _, page := get(editor, "/console/events/online"); !strings.Contains(page, `href="/console/events/online/overview"`) {
		t.Errorf("the event page does not link to its overview")
	}
	// The script is on this page only.
	if _, page := get(editor, "/console/events/online"); strings.Contains(page, "overview.") && strings.Contains(page, "<script") {
		t.Errorf("the event page loads the overview script")
	}
	if status, _ := get(analyst, "/console/events/nope/overview"); status != 404 {
		t.Errorf("overview of an unknown event = %d, want 404", status)
	}
	if status, _ := get(analyst, "/console/events/nope/overview/stream"); status != 404 {
		t.Errorf("stream of an unknown event = %d, want 404", status)
	}

	// A writer that cannot stream (this recorder cannot move its write
	// deadline) gets the first event and the end of the response.
	r := httptest.NewRequest("GET", "/console/events/online/overview/stream?lang=en", nil)
	r.AddCookie(analyst)
	stream := do(t, h, r)
	if got := stream.Header.Get("Content-Type"); got != "text/event-stream" {
		t.Errorf("stream Content-Type = %q", got)
	}
	if b := body(t, stream); !strings.Contains(b, "event: stats\ndata: {") || !strings.Contains(b, `"attempts_started":3`) {
		t.Errorf("stream on a recorder = %q, want one stats event", b)
	}
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	name, data string
}

// readEvents reads Server-Sent Events from res into a channel, closed when
// the stream ends.
func readEvents(res *http.Response) <-chan sseEvent {
	c := make(chan sseEvent, 64)
	go func() {
		defer close(c)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					c <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return c
}

type streamStats struct {
	Event           string            `json:"event"`
	AttemptsStarted int64             `json:"attempts_started"`
	Answers         int64             `json:"answers"`
	Text            map[string]string `json:"text"`
}

// nextStats waits (generously) for the next stats event.
func nextStats(t *testing.T, events <-chan sseEvent) (streamStats, bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return streamStats{}, false
			}
			if ev.name != "stats" {
				continue
			}
			var s streamStats
			if err := json.Unmarshal([]byte(ev.data), &s); err != nil {
				t.Fatalf("stats data %q: %v", ev.data, err)
			}
			return s, true
		case <-deadline:
			t.Fatal("no stats event within 20 s")
		}
	}
}

// openStream opens the overview stream of the default event over the
// network, as a browser's EventSource would.
func openStream(t *testing.T, ctx context.Context, in *app.Instance, c *http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", in.URL+"/console/events/online/overview/stream?lang=en", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(c)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("stream = %d", res.StatusCode)
	}
	return res
}

func TestEventOverviewStream(t *testing.T) {
	in, _ := apptest.MustStart(t)
	c := signIn(t, in, "an@x.example", staff.Analyst)
	a := startAttempt(t, in)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := openStream(t, ctx, in, c)
	defer res.Body.Close()
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("stream %s = %q, want %q", k, got, want)
		}
	}
	events := readEvents(res)

	// On connect: the figures as they are.
	s, ok := nextStats(t, events)
	if !ok {
		t.Fatal("the stream ended before its first event")
	}
	if s.Event != event.DefaultID || s.AttemptsStarted != 1 || s.Answers != 0 || s.Text["attempts_started"] != "1" {
		t.Errorf("first stats = %+v, want 1 attempt, 0 answers", s)
	}

	// After an answer: the new figures, without asking. (The start just
	// before connecting may announce itself first: wait for the answer.)
	answerOne(t, in, a)
	for s.Answers != 1 {
		if s, ok = nextStats(t, events); !ok {
			t.Fatal("the stream ended before the answer showed")
		}
	}
	if s.AttemptsStarted != 1 || s.Text["answers"] != "1" {
		t.Errorf("stats after an answer = %+v", s)
	}

	// A burst of activity is counted at most about once a second: a burst
	// of messages (fewer than the broker lets a subscriber lag behind),
	// and a bigger burst of activity through play's notifier, which sends
	// only a few messages for it.
	start := time.Now()
	for range 200 {
		in.Broker.Publish(ctx, web.ActivityTopic, []byte(`{"event":"online"}`))
	}
	for range 5000 {
		in.Server.Web.Play.Notify(ctx, event.DefaultID)
	}
	n := 0
	window := time.After(2500 * time.Millisecond)
count:
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended during a burst")
			}
			if ev.name == "stats" {
				n++
			}
		case <-window:
			break count
		}
	}
	if limit := int(time.Since(start).Seconds()) + 2; n < 1 || n > limit {
		t.Errorf("a burst of activity gave %d stats events in %v, want 1 to %d", n, time.Since(start).Round(time.Millisecond), limit)
	}
	// Activity at other events is not this overview's business.
	in.Broker.Publish(ctx, web.ActivityTopic, []byte(`{"event":"elsewhere"}`))
}

// TestShutdownEndsStreams checks that an open stream does not hold up a
// graceful shutdown (http.Server.Shutdown waits for every handler).
func TestShutdownEndsStreams(t *testing.T) {
	s := apptest.Settings(t)
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	in, err := app.Start(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := signIn(t, in, "an@x.example", staff.Analyst)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := openStream(t, ctx, in, c)
	defer res.Body.Close()
	events := readEvents(res)
	if _, ok := nextStats(t, events); !ok {
		t.Fatal("the stream ended before its first event")
	}
	shutCtx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	if err := in.Shutdown(shutCtx); err != nil {
		t.Errorf("Shutdown with an open stream = %v", err)
	}
	select {
	case _, ok := <-events:
		for ok {
			_, ok = <-events
		}
	case <-time.After(20 * time.Second):
		t.Error("the stream is still open after shutdown")
	}
}

// TestEventOverviewAcrossInstances: an answer on one instance reaches an
// overview open on another (PostgreSQL LISTEN/NOTIFY).
func TestEventOverviewAcrossInstances(t *testing.T) {
	instances := apptest.StartCluster(t, 2)
	a, b := instances[0], instances[1]
	c := signIn(t, b, "an@x.example", staff.Analyst)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := openStream(t, ctx, b, c)
	defer res.Body.Close()
	events := readEvents(res)
	s, ok := nextStats(t, events)
	if !ok || s.AttemptsStarted != 0 {
		t.Fatalf("first stats = %+v, %v; want no attempts", s, ok)
	}
	answerOne(t, a, startAttempt(t, a))
	for s.Answers != 1 {
		if s, ok = nextStats(t, events); !ok {
			t.Fatal("the stream ended before the answer on the other instance showed")
		}
	}
	if s.AttemptsStarted != 1 {
		t.Errorf("stats after an answer elsewhere = %+v", s)
	}
}
