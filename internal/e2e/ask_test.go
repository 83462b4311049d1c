package e2e

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/staff"
)

// TestAskForHelpReachesAResponder is the help journey: from a quiz page to
// a situation guide, a request with a screenshot, the receipt; a responder
// signs in with their second factor, finds it at the top as urgent and
// refers it; the reporter sees the new status with their codes.
func TestAskForHelpReachesAResponder(t *testing.T) {
	srv := startServer(t)
	ctx := srv.ctx
	// The installation has a responder: key pair, and an account with TOTP.
	priv, pub, err := help.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	key, err := help.DecodePrivateKey(help.EncodePrivateKey(priv))
	if err != nil {
		t.Fatal(err)
	}
	srv.Server.Web.Reports.PrivateKeys = []help.PrivateKey{key}
	if err := srv.DB.SetResponderPublicKey(ctx, help.EncodePublicKey(pub), "cli"); err != nil {
		t.Fatal(err)
	}
	hash, _ := apptest.CheapHasher.Hash("correct horse battery staple")
	acct, err := srv.DB.CreateStaff(ctx, "responder@x.example", "Người trực", hash, []staff.Role{staff.Responder})
	if err != nil {
		t.Fatal(err)
	}
	secret := staff.NewTOTPSecret()
	if err := srv.DB.EnableTOTP(ctx, acct.ID, secret, 0, nil); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "tin-nhan.png")
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for x := range 60 {
		img.Set(x, 20, color.RGBA{0, 0, 200, 255})
	}
	f, _ := os.Create(shot)
	png.Encode(f, img)
	f.Close()

	child := newTab(t, srv, "vi")
	child.visit("/practise/kids")
	child.click(`a.help-button`)
	child.click(`a[href="/help/threatened-pictures"]`)
	child.audit()
	child.click(`a[href^="/help/ask"]`)
	child.audit()
	child.click(`a[href="/help/ask/form"]`)
	child.audit()
	child.do("fill the form",
		chromedp.Click(chromedp.CSS(`input[name="topic"][value="sextortion"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#ask-description"), "Một người lạ dọa gửi ảnh của mình cho cả lớp nếu mình không chuyển tiền."),
		chromedp.SetUploadFiles(chromedp.CSS("#ask-evidence"), []string{shot}),
		chromedp.Click(chromedp.CSS(`input[name="consent"]`), chromedp.NodeVisible))
	child.click(`.ask-form button[type="submit"]`)
	receipt, code := child.text("#receipt-code"), child.text("#receipt-secret")
	if help.NormalReceipt(receipt) == "" || len(code) < 20 {
		t.Fatalf("receipt %q, secret %q", receipt, code)
	}
	if strings.Contains(child.location(), code) {
		t.Error("the secret is in the address bar")
	}
	child.audit()

	// The responder: password, then the code from their authenticator.
	r := newTab(t, srv, "en")
	r.visit("/console")
	r.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "responder@x.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"))
	r.click(`form[action="/console/login"] button`)
	r.do("second factor", chromedp.SendKeys(chromedp.CSS("#code"), staff.TOTPCode(secret, time.Now())))
	r.click(`form[action="/console/login/code"] button`)
	r.click(`a.door[href="/console/cases"]`)
	r.audit()
	if got := r.text(".cases-table tbody tr:first-child .case-priority"); got != "Urgent" {
		t.Errorf("the first case is %q, want Urgent", got)
	}
	r.click(".cases-table tbody tr:first-child a")
	if got := r.text(".case-description"); !strings.Contains(got, "dọa gửi ảnh") {
		t.Errorf("case description = %q", got)
	}
	if n := eval[int](r, `document.querySelectorAll('.case-image').length`); n != 0 {
		t.Error("evidence shown before a reveal")
	}
	r.audit()
	r.click(`form[action$="/files/1/reveal"] button`)
	r.do("the picture loads", chromedp.WaitVisible(chromedp.CSS(".case-image")))
	r.do("refer", chromedp.SetValue(chromedp.CSS("#ref-partner"), "hotline-111"),
		chromedp.SendKeys(chromedp.CSS("#ref-shared"), "topic, platform and the child's words"))
	r.click(`form[action$="/referrals"] button`)
	r.audit()

	// The reporter checks with both codes.
	child.visit("/help/status")
	child.do("codes", chromedp.SendKeys(chromedp.CSS("#status-receipt"), receipt), chromedp.SendKeys(chromedp.CSS("#status-secret"), code))
	child.click(`form[action="/help/status"] button`)
	if got := child.text(".status-line"); !strings.Contains(got, "Đang được hỗ trợ") {
		t.Errorf("the reporter sees %q", got)
	}
	child.audit()
}
