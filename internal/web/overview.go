package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/notalone/notalone/internal/broker"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// The live overview of an event for staff: counts that update without a
// reload. Play announces activity at an event on the broker
// (ActivityTopic, through an ActivityNotifier); each open overview follows
// the topic over Server-Sent Events and recounts at most once a second.

// ActivityTopic is the broker topic saying "something happened at an
// event": an attempt started, answered or finished, a pledge made, a
// voucher redeemed. The message is
// {"event":"<id>"}; followers count for themselves.
const ActivityTopic = "event.activity"

type activityMessage struct {
	Event  string `json:"event"`
	Resync bool   `json:"resync"` // see broker.Resync
}

// ActivityNotifier publishes ActivityTopic messages for quiz.Play.Notify.
// Notify runs on every answer (thousands a second at an event), so it only
// marks the event and returns; a goroutine per busy event publishes at
// once, then at most once per Every while activity goes on, and ends when
// the event is quiet. One message stands for any number of answers: a
// follower recounts anyway. This keeps PostgreSQL's NOTIFY (a round trip,
// and a lock taken at commit) off the answer path, and the broker's
// subscribers far from the backlog that would get them dropped.
type ActivityNotifier struct {
	Publish func(ctx context.Context, topic string, data []byte) error
	Every   time.Duration
	Log     *slog.Logger

	mu   sync.Mutex
	busy map[string]bool // event → activity since its last message
}

// Notify marks activity at eventID; it never blocks on the broker.
func (n *ActivityNotifier) Notify(_ context.Context, eventID string) {
	n.mu.Lock()
	_, running := n.busy[eventID]
	if n.busy == nil {
		n.busy = map[string]bool{}
	}
	n.busy[eventID] = running // a running publisher sends again; a new one sends now
	n.mu.Unlock()
	if !running {
		go n.publish(eventID)
	}
}

func (n *ActivityNotifier) publish(eventID string) {
	data, _ := json.Marshal(activityMessage{Event: eventID})
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := n.Publish(ctx, ActivityTopic, data)
		cancel()
		if err != nil && n.Log != nil {
			n.Log.Warn("event activity not published", "event", eventID, "err", err)
		}
		time.Sleep(n.Every)
		n.mu.Lock()
		if !n.busy[eventID] {
			delete(n.busy, eventID)
			n.mu.Unlock()
			return
		}
		n.busy[eventID] = false
		n.mu.Unlock()
	}
}

// OverviewStore counts an event's activity.
type OverviewStore interface {
	EventStats(ctx context.Context, eventID string) (store.EventStats, error)
}

// Subscriber is the part of the broker live pages follow.
type Subscriber interface {
	Subscribe(topic string) *broker.Subscription
}

// How an overview stream behaves.
const (
	// streamRecount is the shortest time between two counts on one
	// stream, however much activity arrives.
	streamRecount = time.Second
	// streamPing keeps proxies and browsers from closing a quiet stream.
	streamPing = 25 * time.Second
	// streamWriteWait bounds each write: a client that stops reading is
	// let go instead of holding the handler.
	streamWriteWait = 15 * time.Second
	// streamMaxAge ends a stream now and then; the browser reconnects at
	// once, which checks the session again (a disabled account stops
	// seeing the figures within this time).
	streamMaxAge = 10 * time.Minute
	// streamRetry is how long (ms) a browser waits before reconnecting.
	streamRetry = 3000
)

// overviewTile is one figure on the overview. Key names it in the stream's
// data and in the page (data-stat); later parts (help requests) add their
// tiles in overviewTiles.
type overviewTile struct {
	Key, Label, Value string
}

func overviewTiles(l i18n.Localizer, s store.EventStats) []overviewTile {
	avg := l.T("console.overview_no_average")
	if s.Scored > 0 {
		avg = strconv.Itoa(int(math.Round(s.AveragePercent))) + "%"
	}
	return []overviewTile{
		{Key: "attempts_started", Label: l.T("console.overview_attempts_started"), Value: l.Number(s.AttemptsStarted)},
		{Key: "attempts_finished", Label: l.T("console.overview_attempts_finished"), Value: l.Number(s.AttemptsFinished)},
		{Key: "average_score", Label: l.T("console.overview_average"), Value: avg},
		{Key: "answers", Label: l.T("console.overview_answers"), Value: l.Number(s.Answers)},
		{Key: "pledges", Label: l.T("console.overview_pledges"), Value: l.Number(s.Pledges)},
		{Key: "vouchers_issued", Label: l.T("console.overview_vouchers_issued"), Value: l.Number(s.VouchersIssued)},
		{Key: "vouchers_redeemed", Label: l.T("console.overview_vouchers_redeemed"), Value: l.Number(s.VouchersRedeemed)},
		{Key: "stock_left", Label: l.T("console.overview_stock_left"), Value: l.Number(s.StockLeft)},
	}
}

type overviewPage struct {
	consolePage
	Event     event.Event
	Stats     []overviewTile
	StreamURL string
	// CanManage shows the way back to the event's page (admins and
	// editors; analysts see the figures only).
	CanManage bool
}

func (h *Handlers) overview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.Console.Event(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	s, err := h.Overview.EventStats(ctx, e.ID)
	if err != nil {
		return err
	}
	p := overviewPage{consolePage: h.consoleLayout(r, "console.overview"), Event: e}
	p.Title = p.L.T("console.overview") + " · " + e.Name
	p.Stats = overviewTiles(p.L, s)
	p.StreamURL = "/console/events/" + e.ID + "/overview/stream"
	p.CanManage = p.Account.HasAny(staff.Admin, staff.Editor)
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_overview", p)
	return nil
}

// EventOverview serves GET /console/events/{event}/overview: the event's
// figures, kept up to date by static/overview.js.
func (h *Handlers) EventOverview() http.Handler { return h.handle(h.overview) }

// overviewData is the data of one "stats" event on the stream: the counts,
// and each tile's text in the language of the page.
type overviewData struct {
	Event            string            `json:"event"`
	AttemptsStarted  int64             `json:"attempts_started"`
	AttemptsFinished int64             `json:"attempts_finished"`
	Scored           int64             `json:"scored"`
	AveragePercent   float64           `json:"average_percent"`
	Answers          int64             `json:"answers"`
	Pledges          int64             `json:"pledges"`
	VouchersIssued   int64             `json:"vouchers_issued"`
	VouchersRedeemed int64             `json:"vouchers_redeemed"`
	StockLeft        int64             `json:"stock_left"`
	Text             map[string]string `json:"text"`
}

func writeStats(w io.Writer, l i18n.Localizer, s store.EventStats) error {
	d := overviewData{Event: s.EventID, AttemptsStarted: s.AttemptsStarted, AttemptsFinished: s.AttemptsFinished,
		Scored: s.Scored, AveragePercent: s.AveragePercent, Answers: s.Answers, Pledges: s.Pledges, VouchersIssued: s.VouchersIssued,
		VouchersRedeemed: s.VouchersRedeemed, StockLeft: s.StockLeft, Text: map[string]string{}}
	for _, t := range overviewTiles(l, s) {
		d.Text[t.Key] = t.Value
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: stats\ndata: %s\n\n", b)
	return err
}

// overviewStream sends the event's figures as Server-Sent Events: once on
// connect, then after activity at the event (recounted at most once per
// streamRecount), with a comment as a ping every streamPing. It ends when
// the client goes, when the broker drops the subscription (fallen behind),
// at shutdown, or after streamMaxAge; the browser's EventSource then
// reconnects by itself.
// (startStream says what happens where the writer cannot stream.)
func (h *Handlers) overviewStream(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.Console.Event(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	l := h.Catalog.For(i18n.LangFrom(ctx))
	// Subscribe before the first count, so no activity falls in between.
	sub := h.Live.Subscribe(ActivityTopic)
	defer sub.Close()
	s, err := h.Overview.EventStats(ctx, e.ID)
	if err != nil {
		return err
	}

	st, ok := startStream(w, func(w io.Writer) error { return writeStats(w, l, s) })
	if !ok {
		return nil // cannot stream here: one event, then the end
	}
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	maxAge := time.NewTimer(streamMaxAge)
	defer maxAge.Stop()
	var recount *time.Timer // pending while activity waits to be counted
	var due <-chan time.Time
	defer func() {
		if recount != nil {
			recount.Stop()
		}
	}()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.live.done():
			return nil
		case <-maxAge.C:
			return nil
		case msg, ok := <-sub.C:
			if !ok {
				return nil // dropped by the broker
			}
			if due != nil {
				continue // a count is already coming
			}
			var m activityMessage
			// A resync (the broker reconnected and may have missed
			// messages) concerns every event.
			if json.Unmarshal(msg, &m) != nil || (m.Event != e.ID && !m.Resync) {
				continue
			}
			recount = time.NewTimer(max(0, time.Until(last.Add(streamRecount))))
			due = recount.C
		case <-due:
			due = nil
			s, err := h.Overview.EventStats(ctx, e.ID)
			if err != nil {
				if ctx.Err() == nil {
					h.Log.Warn("overview count failed", "event", e.ID, "err", err)
				}
				return nil
			}
			last = time.Now()
			if !st.send(func(w io.Writer) error { return writeStats(w, l, s) }) {
				return nil
			}
		case <-ping.C:
			if !st.ping() {
				return nil
			}
		}
	}
}

// EventOverviewStream serves GET /console/events/{event}/overview/stream.
func (h *Handlers) EventOverviewStream() http.Handler { return h.handle(h.overviewStream) }

// liveStreams lets shutdown end every open stream: http.Server.Shutdown
// waits for handlers to return, and a stream would otherwise last until its
// client leaves.
type liveStreams struct {
	init, end sync.Once
	c         chan struct{}
}

func (s *liveStreams) done() <-chan struct{} {
	s.init.Do(func() { s.c = make(chan struct{}) })
	return s.c
}

// EndStreams ends every live stream, now and from now on (register it with
// http.Server.RegisterOnShutdown). Browsers reconnect by themselves, to
// another instance or to this one when it is back.
func (h *Handlers) EndStreams() {
	h.live.done()
	h.live.end.Do(func() { close(h.live.c) })
}
