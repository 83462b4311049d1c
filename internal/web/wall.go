package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/broker"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
)

// The pledge wall: a big screen at an event (a device bound to a wall
// station shows its event) and the same page online for everyone (every
// event). The page lists the total, counts per action and the latest
// pledges; static/wall.js follows /wall/stream (Server-Sent Events) and
// keeps them moving. The stream is fed by the broker, so a pledge made on
// any instance reaches every wall.

// How the wall's stream behaves.
const (
	// wallBatch gathers pledges into one event: at hundreds a minute the
	// browser animates a few batches a second, not each pledge.
	wallBatch = 250 * time.Millisecond
	// wallFeed is how many recent pledges the wall lists.
	wallFeed = 30
)

type wallOption struct {
	ID, Text string
	Count    int
}

type wallPage struct {
	Layout
	Scope     string // the event's name, or "" for everywhere
	Total     int
	Options   []wallOption
	Recent    []wallItem
	StreamURL string
}

type wallItem struct {
	Key, Name, Actions string
}

// wallScope is the event a request's wall shows: a wall station's event,
// or every event ("").
func (h *Handlers) wallScope(ctx context.Context, r *http.Request) (event.Device, string, error) {
	d, err := h.device(ctx, r)
	if err != nil {
		return d, "", err
	}
	if d.Station != nil && d.Station.Kind == event.Wall {
		return d, d.Event.ID, nil
	}
	return d, "", nil
}

func (h *Handlers) wall(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, scope, err := h.wallScope(ctx, r)
	if err != nil {
		return err
	}
	st, err := h.Pledges.Store.PledgeStats(ctx, scope)
	if err != nil {
		return err
	}
	recent, err := h.Pledges.Store.RecentPledges(ctx, scope, wallFeed, false)
	if err != nil {
		h.Log.Warn("wall: recent pledges", "err", err)
		return nil // the stream has begun: the browser reconnects
	}
	p := wallPage{Layout: h.layout(r, "wall.title"), Total: st.Total, StreamURL: "/wall/stream"}
	if scope != "" {
		p.Scope = d.Event.Name
	}
	opts := h.Pledges.Options()
	for _, o := range opts.Offered() {
		p.Options = append(p.Options, wallOption{ID: o.ID, Text: o.Text.In(p.L.Lang), Count: st.ByOption[o.ID]})
	}
	for _, pl := range recent {
		wp := wallPledge(pl)
		p.Recent = append(p.Recent, wallItem{Key: wp.Key, Name: wallName(p.L, wp), Actions: joinActions(opts.Texts(pl.Options, p.L.Lang))})
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "wall", p)
	return nil
}

// Wall serves GET /wall.
func (h *Handlers) Wall() http.Handler { return h.handle(h.wall) }

func wallName(l i18n.Localizer, p WallPledge) string {
	if p.Name != "" {
		return p.Name
	}
	return l.T("wall.someone")
}

// joinActions shows a pledge's actions on one line.
func joinActions(texts []string) string { return strings.Join(texts, " · ") }

// wallEntry is one pledge in a stream's "pledges" event, in the wall's
// language. Text is plain: wall.js sets it as text, never as HTML.
type wallEntry struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Actions string   `json:"actions"`
	Options []string `json:"options"`
}

// wallEntry puts a pledge in the wall's language.
func (h *Handlers) wallEntry(l i18n.Localizer, p WallPledge) wallEntry {
	return wallEntry{Key: p.Key, Name: wallName(l, p), Actions: joinActions(h.Pledges.Options().Texts(p.Options, l.Lang)), Options: p.Options}
}

type wallStats struct {
	Total    int            `json:"total"`
	ByOption map[string]int `json:"by_option"`
}

func writeEvent(w io.Writer, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	return err
}

// wallStream sends the counts and the latest pledges on connect (so a
// reconnecting wall is right again at once), then the new pledges in batches every wallBatch, with
// pings, until the client goes, the broker drops it, shutdown, or
// streamMaxAge (the browser reconnects by itself).
func (h *Handlers) wallStream(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	_, scope, err := h.wallScope(ctx, r)
	if err != nil {
		return err
	}
	l := h.Catalog.For(i18n.LangFrom(ctx))
	sub := h.Live.Subscribe(PledgeTopic) // before counting: nothing falls in between
	defer sub.Close()
	st, err := h.Pledges.Store.PledgeStats(ctx, scope)
	if err != nil {
		return err
	}
	// The counts, then the latest pledges, oldest first: one made between
	// the page's render and this subscription is not missed (wall.js skips
	// the ones it shows already, and does not count these again).
	recent, err := h.Pledges.Store.RecentPledges(ctx, scope, wallFeed, false)
	if err != nil {
		return err
	}
	entries := make([]wallEntry, 0, len(recent))
	for i := len(recent) - 1; i >= 0; i-- {
		entries = append(entries, h.wallEntry(l, wallPledge(recent[i])))
	}
	out, ok := startStream(w, func(w io.Writer) error {
		if err := writeEvent(w, "stats", wallStats(st)); err != nil {
			return err
		}
		return writeEvent(w, "recent", entries)
	})
	if !ok {
		return nil
	}
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	maxAge := time.NewTimer(streamMaxAge)
	defer maxAge.Stop()
	flush := time.NewTicker(wallBatch)
	defer flush.Stop()
	var batch []wallEntry
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
				return nil
			}
			if string(msg) == string(broker.Resync) {
				return nil // messages may be lost: reconnect, and recount
			}
			var p WallPledge
			if json.Unmarshal(msg, &p) != nil || (scope != "" && p.Event != scope) {
				continue
			}
			batch = append(batch, h.wallEntry(l, p))
		case <-flush.C:
			if len(batch) == 0 {
				continue
			}
			b := batch
			batch = nil
			if !out.send(func(w io.Writer) error { return writeEvent(w, "pledges", b) }) {
				return nil
			}
		case <-ping.C:
			if !out.ping() {
				return nil
			}
		}
	}
}

// WallStream serves GET /wall/stream.
func (h *Handlers) WallStream() http.Handler { return h.handle(h.wallStream) }
