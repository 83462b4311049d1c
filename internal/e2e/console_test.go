package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// TestEditorPublishesAndKioskShowsIt: an editor signs in, changes an
// item's Vietnamese question, previews it, publishes it, and a kiosk
// playing that item shows the new text.
func TestEditorPublishesAndKioskShowsIt(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	hash, _ := apptest.CheapHasher.Hash("correct horse battery staple")
	if _, err := srv.DB.CreateStaff(ctx, "editor@x.example", "Biên tập viên", hash, []staff.Role{staff.Editor}); err != nil {
		t.Fatal(err)
	}
	// The item to edit: the first of the kids quiz.
	itemID := srv.Server.Web.Play.Bank().Quiz("kids").Items[0]
	newText := "Ai được hỏi mã OTP của bạn? (bản đã sửa)"

	ed := newTab(t, srv, "vi")
	ed.visit("/console")
	ed.audit() // the sign-in page
	ed.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "editor@x.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"))
	ed.click(`form[action="/console/login"] button`)
	ed.audit()
	ed.click(`a.door[href="/console/content"]`)
	ed.audit()
	ed.visit("/console/content/items/" + itemID)
	ed.audit()
	ed.do("edit the question", chromedp.SetValue(chromedp.CSS(`textarea[name="vi:prompt"]`), newText),
		chromedp.SendKeys(chromedp.CSS("#note"), "rõ hơn cho trẻ em"))
	ed.click(`form.item-editor button[type="submit"]`)
	if !strings.Contains(ed.location(), "saved=1") {
		t.Fatalf("after saving: at %s", ed.location())
	}
	// Not live yet: drafts are not played.
	if srv.Server.Web.Play.Bank().Item(itemID).Prompt.VI == newText {
		t.Fatal("a draft went live without publishing")
	}
	ed.click(`a[href$="/versions/1/preview"]`)
	if got := ed.text(".play-prompt"); got != newText {
		t.Errorf("preview shows %q, want %q", got, newText)
	}
	ed.audit()
	ed.visit("/console/content/items/" + itemID)
	ed.click(`form[action$="/versions/1/publish"] button`)
	if !strings.Contains(ed.location(), "published=1") {
		t.Fatalf("after publishing: at %s", ed.location())
	}

	// A kiosk starts the kids quiz: the first item shows the new text.
	st, err := srv.DB.CreateStation(ctx, event.DefaultID, event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := srv.DB.Secret(ctx, "station-binding", 32)
	k := newTab(t, srv, "vi")
	k.visit("/station/setup?token=" + url.QueryEscape(event.NewSigner(key).SetupToken(st.ID)))
	k.click(`form[action="/station/setup"] button`)
	k.visit("/practise/kids")
	k.click(`form[action="/practise/kids/start"] button`)
	if got := k.text(".play-prompt"); got != newText {
		t.Errorf("the kiosk shows %q, want the published %q", got, newText)
	}
	entries, _ := srv.DB.AuditEntries(ctx, storeFilter("editor@x.example"))
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "content.publish") || !strings.Contains(strings.Join(actions, " "), "content.draft") {
		t.Errorf("audit = %v", actions)
	}
}

func storeFilter(actor string) store.AuditFilter { return store.AuditFilter{Actor: actor} }
