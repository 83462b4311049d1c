package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

func TestModerationQueue(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ctx := context.Background()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	get := func(c *http.Cookie, path string) (int, string) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(c)
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}
	post := func(path string) *http.Response {
		t.Helper()
		r := form(path, nil)
		r.AddCookie(ed)
		return do(t, h, r)
	}
	for _, id := range []string{"p1", "p2", "x/y z"} {
		if err := in.DB.FlagForReview(ctx, "pledge", id, "name filter <b>", event.DefaultID); err != nil {
			t.Fatal(err)
		}
	}

	// Editors find the queue from the console home; others do not.
	if _, page := get(ed, "/console"); !strings.Contains(page, `href="/console/moderation"`) {
		t.Errorf("the editor's console home has no moderation tile")
	}
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	if _, page := get(admin, "/console"); strings.Contains(page, `href="/console/moderation"`) {
		t.Errorf("an admin who is not an editor sees the moderation tile")
	}

	status, page := get(ed, "/console/moderation?lang=en")
	if status != 200 {
		t.Fatalf("moderation page = %d", status)
	}
	for _, want := range []string{
		`action="/console/moderation/pledge/p1/approve"`,
		`action="/console/moderation/pledge/p1/hide"`,
		`action="/console/moderation/pledge/x%2Fy%20z/approve"`,
		"name filter &lt;b&gt;",
		"No decisions yet.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("moderation page lacks %s", want)
		}
	}
	if strings.Index(page, "pledge/p1/") > strings.Index(page, "pledge/p2/") {
		t.Errorf("pending items are not oldest first")
	}

	for _, tt := range []struct {
		path string
		want int
	}{
		{"/console/moderation/pledge/p1/approve", 303},
		{"/console/moderation/pledge/p2/hide", 303},
		{"/console/moderation/pledge/x%2Fy%20z/hide", 303},
		{"/console/moderation/pledge/nope/hide", 404},
		{"/console/moderation/pledge/p1/delete", 404},
	} {
		path, want := tt.path, tt.want
		res := post(path)
		if res.StatusCode != want {
			t.Errorf("POST %s = %d, want %d", path, res.StatusCode, want)
		}
		if want == 303 && res.Header.Get("Location") != "/console/moderation" {
			t.Errorf("POST %s redirects to %q, want back to the queue", path, res.Header.Get("Location"))
		}
	}
	// Changing one's mind: the latest decision stands, both are logged.
	if res := post("/console/moderation/pledge/p2/approve"); res.StatusCode != 303 {
		t.Errorf("approve after hide = %d", res.StatusCode)
	}

	_, page = get(ed, "/console/moderation?lang=en")
	for _, want := range []string{"Nothing is waiting for review.", "ed@x.example", "Approved", "Hidden", `<time datetime="`} {
		if !strings.Contains(page, want) {
			t.Errorf("moderation page after decisions lacks %s", want)
		}
	}
	decided, err := in.DB.ModerationQueue(ctx, store.ModerationDecided, 0)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, it := range decided {
		states[it.ObjectID] = it.State
		if it.DecidedBy != "ed@x.example" || it.DecidedAt == nil {
			t.Errorf("decided item %s: by %q at %v", it.ObjectID, it.DecidedBy, it.DecidedAt)
		}
	}
	if states["p1"] != "approved" || states["p2"] != "approved" || states["x/y z"] != "hidden" {
		t.Errorf("states after the decisions = %v", states)
	}

	entries, err := in.DB.AuditEntries(ctx, store.AuditFilter{Action: "moderation."})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Actor != "ed@x.example" {
			t.Errorf("audit entry %d by %q", e.Seq, e.Actor)
		}
		got = append(got, e.Action+" "+e.Object)
	}
	want := []string{"moderation.approve pledge:p2", "moderation.hide pledge:x/y z", "moderation.hide pledge:p2", "moderation.approve pledge:p1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit = %q, want %q", got, want)
	}
}
