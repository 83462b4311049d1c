package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/staff"
)

// bind makes tb's browser the station st through its set-up link.
func (tb *tab) bind(srv *server, st event.Station) {
	tb.t.Helper()
	key, _ := srv.DB.Secret(srv.ctx, "station-binding", 32)
	tb.visit("/station/setup?token=" + url.QueryEscape(event.NewSigner(key).SetupToken(st.ID)))
	tb.click(`form[action="/station/setup"] button`)
}

// TestKioskPledgeSouvenirWallAndDesk is the event journey: the kiosk
// round, its results, the pledge, the souvenir with its QR code and
// voucher, the wall showing the pledge, the verification page on a phone,
// and the desk redeeming the voucher typed as a USB scanner would.
func TestKioskPledgeSouvenirWallAndDesk(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	ev, err := srv.DB.CreateEvent(ctx, event.Event{ID: "le-hoi", Name: "Lễ hội An toàn mạng"})
	if err != nil {
		t.Fatal(err)
	}
	kioskStation, _ := srv.DB.CreateStation(ctx, ev.ID, event.Kiosk, "Kiosk 1")
	wallStation, _ := srv.DB.CreateStation(ctx, ev.ID, event.Wall, "Màn hình lớn")
	if err := srv.DB.SetSouvenirs(ctx, ev.ID, pledge.Souvenirs{Items: []pledge.SouvenirItem{{ID: "keychain", Name: i18n.Text{VI: "Móc khóa", EN: "Keychain"}, Stock: 10}}}, "ed@x.example"); err != nil {
		t.Fatal(err)
	}

	wall := newTab(t, srv, "vi")
	wall.bind(srv, wallStation)
	wall.visit("/wall")
	wall.do("wall connects", chromedp.WaitVisible(chromedp.CSS("#wall-feed")))
	wall.audit()

	kiosk := newTab(t, srv, "vi")
	kiosk.bind(srv, kioskStation)
	kiosk.visit("/kiosk")
	kiosk.click("a.attract")
	kiosk.click(`form[action="/practise/kiosk/start"] button`)
	bank := srv.Server.Web.Play.Bank()
	for i := 0; !strings.HasSuffix(kiosk.location(), "/results"); i++ {
		if i > 20 {
			t.Fatal("the kiosk round never ended")
		}
		if eval[int](kiosk, `document.querySelectorAll('.answer-form, .choice-button').length`) > 0 {
			id := eval[string](kiosk, `(document.querySelector('input[name="item"]') || {}).value || ''`)
			it := bank.Item(id)
			if it == nil {
				t.Fatalf("no item id on the question page (%q)", id)
			}
			kiosk.answerShown(it)
			continue
		}
		switch {
		case eval[int](kiosk, `document.querySelectorAll('form[action$="/finish"] button').length`) > 0:
			kiosk.click(`form[action$="/finish"] button`)
		default:
			kiosk.click(`.feedback a.button, a.button[href*="/play/"]`)
		}
	}
	kiosk.audit()
	kiosk.click(`a.button[href^="/pledge?attempt="]`)
	kiosk.audit()
	kiosk.do("choose and name",
		chromedp.Click(chromedp.CSS(`input[value="tell-adult"]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[value="keep-otp-secret"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#pledge-name"), "Bích Ngọc"),
		chromedp.Click(chromedp.CSS(`input[name="show_name"]`), chromedp.NodeVisible))
	kiosk.click(`.pledge-form button[type="submit"]`)
	m := regexp.MustCompile(`/pledge/([a-z2-7]{26})$`).FindStringSubmatch(kiosk.location())
	if m == nil {
		t.Fatalf("after pledging: at %s", kiosk.location())
	}
	id := m[1]
	run(kiosk, "souvenir image loads", chromedp.Poll[bool](`document.querySelector('.souvenir-image').naturalWidth > 0`, chromedp.WithPollingTimeout(10*time.Second)))
	if n := eval[int](kiosk, `document.querySelectorAll('.qr svg').length`); n != 2 {
		t.Errorf("%d QR codes on the kiosk's souvenir page, want 2 (souvenir and voucher)", n)
	}
	code := kiosk.text(".voucher-code code")
	if _, err := pledge.ParseVoucherCode(code); err != nil {
		t.Fatalf("voucher code %q: %v", code, err)
	}
	if n := eval[int](kiosk, `[...document.querySelectorAll('a[href]')].filter(a => a.host && a.host !== location.host).length`); n != 0 {
		t.Errorf("%d links leave the kiosk", n)
	}
	kiosk.audit()

	// The wall shows it within 5 s, with the name the visitor chose to show.
	run(wall, "the pledge reaches the wall", chromedp.Poll[bool](`[...document.querySelectorAll('#wall-feed .wall-name')].some(e => e.textContent === 'Bích Ngọc')`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if got := wall.text("#wall-total"); got != "1" {
		t.Errorf("wall total = %q, want 1", got)
	}
	wall.audit()

	// A phone scans the QR code: the verification page.
	phone := newTab(t, srv, "en")
	phone.visit("/p/" + id)
	if got := phone.text("h1"); got != "Bích Ngọc made a pledge" {
		t.Errorf("verification heading = %q", got)
	}
	if got := phone.text(".pledge-actions"); !strings.Contains(got, "Tell an adult I trust") {
		t.Errorf("verification actions = %q", got)
	}
	phone.audit()

	// The desk: signed in, typing the code and Enter like a USB scanner.
	hash, _ := apptest.CheapHasher.Hash("correct horse battery staple")
	a, err := srv.DB.CreateStaff(ctx, "desk@x.example", "Quầy quà", hash, []staff.Role{staff.Desk})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.SetStaffEvents(ctx, a.ID, []string{ev.ID}, "boss@x.example"); err != nil {
		t.Fatal(err)
	}
	desk := newTab(t, srv, "en")
	desk.visit("/console")
	desk.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "desk@x.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"))
	desk.click(`form[action="/console/login"] button`)
	desk.click(`a.door[href="/console/desk"]`)
	if !strings.HasSuffix(desk.location(), "/console/desk/"+ev.ID) {
		t.Fatalf("desk at %s", desk.location())
	}
	desk.audit()
	run(desk, "scan", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.SendKeys(chromedp.CSS("#voucher-code"), strings.ToLower(code)+"\n")))
	if got := desk.text(".desk-heading"); got != "Valid — hand over the souvenir" {
		t.Errorf("first scan: %q", got)
	}
	desk.audit()
	run(desk, "scan again", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.SendKeys(chromedp.CSS("#voucher-code"), code+"\n")))
	if got := desk.text(".desk-heading"); got != "Already redeemed" {
		t.Errorf("second scan: %q", got)
	}
}

// TestPledgeOnAPhoneAndItsConsolePages: the pledge form as a phone sees it,
// with its error state, and the console pages behind the pledge, each
// checked by axe.
func TestPledgeOnAPhoneAndItsConsolePages(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	if _, err := srv.DB.CreateEvent(ctx, event.Event{ID: "truong-hoc", Name: "Ngày hội trường"}); err != nil {
		t.Fatal(err)
	}
	phone := newTab(t, srv, "vi")
	phone.visit("/")
	phone.click(`a.door[href="/pledge"]`)
	phone.audit()
	phone.do("a name with an emoji", chromedp.SendKeys(chromedp.CSS("#pledge-name"), "Minh 😀"))
	phone.click(`.pledge-form button[type="submit"]`)
	phone.expectStatus(srv.URL+"/pledge", 400)
	if n := eval[int](phone, `document.querySelectorAll('.field-error').length`); n != 2 {
		t.Errorf("%d field errors, want 2 (no action chosen, the name)", n)
	}
	if got := eval[string](phone, `document.getElementById('pledge-name').value`); got != "Minh 😀" {
		t.Errorf("the name typed was lost: %q", got)
	}
	phone.audit()
	phone.do("fix it",
		chromedp.SetValue(chromedp.CSS("#pledge-name"), "Minh"),
		chromedp.Click(chromedp.CSS(`input[value="think-before-click"]`), chromedp.NodeVisible))
	phone.click(`.pledge-form button[type="submit"]`)
	if !strings.Contains(phone.location(), "/pledge/") {
		t.Fatalf("after pledging: at %s", phone.location())
	}
	if n := eval[int](phone, `document.querySelectorAll('.voucher').length`); n != 0 {
		t.Error("a phone got a voucher")
	}
	phone.audit()
	phone.click(`a[href="/wall"]`)
	phone.audit()

	hash, _ := apptest.CheapHasher.Hash("correct horse battery staple")
	if _, err := srv.DB.CreateStaff(ctx, "editor@x.example", "Biên tập viên", hash, []staff.Role{staff.Editor}); err != nil {
		t.Fatal(err)
	}
	ed := newTab(t, srv, "vi")
	ed.visit("/console")
	ed.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "editor@x.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"))
	ed.click(`form[action="/console/login"] button`)
	ed.visit("/console/events/truong-hoc")
	ed.do("souvenir stock",
		chromedp.SendKeys(chromedp.CSS(`input[name="item_id"]`), "sticker"),
		chromedp.SendKeys(chromedp.CSS(`input[name="item_vi"]`), "Hình dán"),
		chromedp.SendKeys(chromedp.CSS(`input[name="item_en"]`), "Sticker"),
		chromedp.SendKeys(chromedp.CSS(`input[name="item_stock"]`), "200"))
	ed.click(`form.souvenir-setup button[type="submit"]`)
	if got := eval[string](ed, `document.querySelector('input[name="item_stock"]').value`); got != "200" {
		t.Errorf("stock after saving = %q", got)
	}
	ed.audit()
	ed.visit("/console/content/options")
	ed.audit()
	ed.click(`a[href="/console/content/options/tell-adult"]`)
	ed.audit()
	ed.visit("/console/moderation")
	if got := ed.text("#recent-pledges + p + table"); !strings.Contains(got, "Minh") {
		t.Errorf("recent pledges = %q", got)
	}
	ed.audit()
}
