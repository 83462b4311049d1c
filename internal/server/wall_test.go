package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
)

type wallEntry struct {
	Key, Name, Actions string
	Options            []string
}

// openWall opens a wall's stream over the network, as wall.js does.
func openWall(t *testing.T, ctx context.Context, in *app.Instance, cookies ...*http.Cookie) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", in.URL+"/wall/stream?lang=en", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("wall stream = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { res.Body.Close() })
	return readEvents(res)
}

// nextPledges waits up to 5 s for the next batch of pledges.
func nextPledges(t *testing.T, events <-chan sseEvent) []wallEntry {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the wall stream ended")
			}
			if ev.name != "pledges" {
				continue
			}
			var batch []wallEntry
			if err := json.Unmarshal([]byte(ev.data), &batch); err != nil {
				t.Fatal(err)
			}
			return batch
		case <-deadline:
			t.Fatal("no pledge reached the wall within 5 s")
		}
	}
}

func postPledge(t *testing.T, in *app.Instance, body string, cookies ...*http.Cookie) string {
	t.Helper()
	r := httptest.NewRequest("POST", "/api/v1/pledges", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	res := do(t, in.Server.Handler(), r)
	var out struct{ ID string }
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 201 {
		t.Fatalf("pledge = %d", res.StatusCode)
	}
	return out.ID
}

func TestWall(t *testing.T) {
	in, _ := apptest.MustStart(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	postPledge(t, in, `{"name":"Lan","show_name":true,"options":["tell-adult"],"lang":"vi"}`)
	postPledge(t, in, `{"name":"Hidden Name","show_name":false,"options":["tell-adult"],"lang":"vi"}`)

	page := body(t, do(t, in.Server.Handler(), httptest.NewRequest("GET", "/wall?lang=en", nil)))
	if !strings.Contains(page, `id="wall-total">2<`) || !strings.Contains(page, ">Lan<") || strings.Contains(page, "Hidden Name") {
		t.Errorf("wall page: total, opted-in name, hidden name wrong:\n%s", page)
	}

	events := openWall(t, ctx, in)
	first := <-events
	if first.name != "stats" || !strings.Contains(first.data, `"total":2`) {
		t.Fatalf("first event = %+v, want the counts", first)
	}
	id := postPledge(t, in, `{"name":"Đức","show_name":true,"options":["block-and-report","be-kind-online"],"lang":"vi"}`)
	batch := nextPledges(t, events)
	if len(batch) != 1 || batch[0].Name != "Đức" || len(batch[0].Options) != 2 || !strings.Contains(batch[0].Actions, "Block and report") {
		t.Errorf("batch = %+v", batch)
	}
	if strings.Contains(batch[0].Key, id) || strings.Contains(page, id) {
		t.Error("the wall shows a pledge id (the verification link)")
	}
	postPledge(t, in, `{"name":"Giấu Tên","options":["tell-adult"],"lang":"vi"}`)
	if batch := nextPledges(t, events); len(batch) != 1 || batch[0].Name != "Someone" {
		t.Errorf("a pledge without show_name = %+v", batch)
	}
}

func TestWallStationShowsItsEvent(t *testing.T) {
	in, _ := apptest.MustStart(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := in.DB.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
		t.Fatal(err)
	}
	wall, _ := in.DB.CreateStation(ctx, "fair", event.Wall, "Big screen")
	kiosk, _ := in.DB.CreateStation(ctx, "fair", event.Kiosk, "Kiosk")
	wallCookie, kioskCookie := bindStation(t, in, wall.ID), bindStation(t, in, kiosk.ID)
	events := openWall(t, ctx, in, wallCookie)
	<-events // the counts
	postPledge(t, in, `{"name":"Online","show_name":true,"options":["tell-adult"],"lang":"vi"}`)
	postPledge(t, in, `{"name":"Tại hội chợ","show_name":true,"options":["tell-adult"],"lang":"vi"}`, kioskCookie)
	batch := nextPledges(t, events)
	for len(batch) == 0 {
		batch = nextPledges(t, events)
	}
	for _, e := range batch {
		if e.Name != "Tại hội chợ" {
			t.Errorf("the event's wall shows %q, from another event", e.Name)
		}
	}
	r := httptest.NewRequest("GET", "/wall?lang=en", nil)
	r.AddCookie(wallCookie)
	if page := body(t, do(t, in.Server.Handler(), r)); !strings.Contains(page, "Pledge wall · Fair") || !strings.Contains(page, `id="wall-total">1<`) {
		t.Errorf("wall station page does not show its event")
	}
}

func TestWallAcrossInstances(t *testing.T) {
	instances := apptest.StartCluster(t, 2)
	a, b := instances[0], instances[1]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := openWall(t, ctx, b)
	<-events
	postPledge(t, a, `{"name":"Cúc","show_name":true,"options":["help-family"],"lang":"vi"}`)
	if batch := nextPledges(t, events); len(batch) != 1 || batch[0].Name != "Cúc" {
		t.Errorf("pledge made on another instance = %+v", batch)
	}
}

func TestOverviewCountsPledgesAndStock(t *testing.T) {
	in, _ := apptest.MustStart(t)
	kiosk := kioskEvent(t, in, 4)
	postPledge(t, in, `{"options":["tell-adult"],"lang":"vi"}`, kiosk)
	s, err := in.DB.EventStats(context.Background(), "fair")
	if err != nil || s.Pledges != 1 || s.VouchersIssued != 1 || s.VouchersRedeemed != 0 || s.StockLeft != 4 {
		t.Errorf("EventStats = %+v, %v", s, err)
	}
}
