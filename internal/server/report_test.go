package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/staff"
)

// responderSetup makes the responders' key pair (the private key in a
// file outside the data dir) and returns settings that use it.
func responderSetup(t *testing.T) (app.Settings, string) {
	t.Helper()
	s := apptest.Settings(t)
	priv, pub, err := help.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "responder.key")
	if err := os.WriteFile(keyFile, help.EncodePrivateKey(priv), 0o600); err != nil {
		t.Fatal(err)
	}
	s.ResponderKey = keyFile
	return s, string(help.EncodePublicKey(pub))
}

// pngFile is a small real picture.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, 10, color.RGBA{200, 0, 0, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// askForm builds the multipart help form.
func askForm(t *testing.T, fields url.Values, files map[string][]byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("evidence", name)
		fw.Write(data)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/help/ask?lang=en", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

var receiptRE = regexp.MustCompile(`id="receipt-code">([0-9A-Z-]+)<`)
var secretRE = regexp.MustCompile(`id="receipt-secret">([0-9A-Z-]+)<`)

const (
	canaryWords   = "CANARY-DESCRIPTION-7f3a9 kẻ xấu dọa mình"
	canaryContact = "canary.contact.9b2@x.example"
)

func TestHelpRequestIsPrivateAndReachesAResponder(t *testing.T) {
	s, pubPEM := responderSetup(t)
	in, log := apptest.Start(t, s)
	h := in.Server.Handler()
	ctx := context.Background()
	get := func(path string, c *http.Cookie) (*http.Response, string) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		if c != nil {
			r.AddCookie(c)
		}
		res := do(t, h, r)
		return res, body(t, res)
	}

	// A fresh install: no form, the hotlines instead.
	if res, _ := get("/help/ask", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/help" {
		t.Errorf("ask without responders = %d %s, want back to the hub", res.StatusCode, res.Header.Get("Location"))
	}
	if _, page := get("/help?lang=en", nil); strings.Contains(page, `href="/help/ask"`) {
		t.Error("the hub offers the form before any responder is set up")
	}
	if err := in.DB.SetResponderPublicKey(ctx, []byte(pubPEM), "cli"); err != nil {
		t.Fatal(err)
	}
	responder := signIn(t, in, "r@x.example", staff.Responder)

	res, page := get("/help/ask?lang=en", nil)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(page, "Are you in danger right now?") {
		t.Fatalf("ask = %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if _, page := get("/help/ask/danger?lang=en", nil); !strings.Contains(page, `href="tel:113"`) || strings.Index(page, "tel:113") > strings.Index(page, "tel:111") {
		t.Error("the danger page does not show 113 first")
	}

	// Bad input keeps what the child typed.
	res = do(t, h, askForm(t, url.Values{"description": {"mình sợ lắm"}, "contact_kind": {"email"}, "contact_email": {"not an email"}}, nil))
	page = body(t, res)
	if res.StatusCode != 400 || !strings.Contains(page, "Please choose what is closest") || !strings.Contains(page, "That email address does not look right.") ||
		!strings.Contains(page, "mình sợ lắm") {
		t.Errorf("bad form = %d", res.StatusCode)
	}
	res = do(t, h, askForm(t, url.Values{"topic": {"grooming"}}, map[string][]byte{"a.exe": []byte("MZ\x90\x00 this is not a picture")}))
	if page := body(t, res); res.StatusCode != 400 || !strings.Contains(page, "Only JPEG, PNG or WebP pictures") {
		t.Errorf("a renamed program as evidence = %d", res.StatusCode)
	}

	// The request.
	res = do(t, h, askForm(t, url.Values{"topic": {"sextortion"}, "platform": {"zalo"}, "happened": {"today"}, "description": {canaryWords},
		"contact_kind": {"email"}, "contact_email": {canaryContact}, "consent": {"on"}}, map[string][]byte{"chat.png": pngFile(t)}))
	page = body(t, res)
	rm, sm := receiptRE.FindStringSubmatch(page), secretRE.FindStringSubmatch(page)
	if res.StatusCode != 200 || rm == nil || sm == nil || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("submit = %d:\n%s", res.StatusCode, page)
	}
	receipt, secret := rm[1], sm[1]
	if strings.Contains(res.Header.Get("Location"), secret) {
		t.Error("the secret is in a URL")
	}

	// The canary is nowhere in plain text: database, WAL, data dir, backup, logs.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := in.DB.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	dirs := []string{in.Settings.DataDir, filepath.Dir(backup)}
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, canary := range []string{"CANARY-DESCRIPTION-7f3a9", canaryContact} {
				if bytes.Contains(b, []byte(canary)) {
					t.Errorf("%s holds %q in plain text", p, canary)
				}
			}
			return nil
		})
	}
	for _, canary := range []string{"CANARY-DESCRIPTION-7f3a9", canaryContact, secret} {
		if strings.Contains(log.String(), canary) {
			t.Errorf("the log holds %q", canary)
		}
	}

	// The reporter checks; a wrong secret and an unknown receipt answer alike.
	check := func(receipt, secret string) string {
		r := form("/help/status?lang=en", url.Values{"receipt": {receipt}, "secret": {secret}})
		return body(t, do(t, h, r))
	}
	if page := check(strings.ToLower(receipt), secret); !strings.Contains(page, "Received, waiting for a helper") {
		t.Errorf("status with the right secret:\n%s", page)
	}
	wrong, unknown := check(receipt, "AAAAA-AAAAA-AAAAA-AAAAA"), check(help.NewReceipt(), secret)
	if !strings.Contains(wrong, "is not right") || wrong != strings.Replace(unknown, help.NewReceipt(), receipt, 1) && !strings.Contains(unknown, "is not right") {
		t.Error("a wrong secret and an unknown receipt do not answer alike")
	}

	// The responder: urgent at the top, the case opened, every view audited.
	_, inbox := get("/console/cases?lang=en", responder)
	m := regexp.MustCompile(`href="/console/cases/([0-9a-f]{32})"`).FindStringSubmatch(inbox)
	if m == nil || !strings.Contains(inbox, "Urgent") {
		t.Fatalf("inbox:\n%s", inbox)
	}
	id := m[1]
	res, page = get("/console/cases/"+id+"?lang=en", responder)
	if res.StatusCode != 200 || !strings.Contains(page, "CANARY-DESCRIPTION-7f3a9") || !strings.Contains(page, canaryContact) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("case view = %d", res.StatusCode)
	}
	if strings.Contains(page, `class="case-image"`) {
		t.Error("evidence shown before a reveal")
	}
	r := form("/console/cases/"+id+"/files/1/reveal", nil)
	r.AddCookie(responder)
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Fatalf("reveal = %d", res.StatusCode)
	}
	if res, img := get("/console/cases/"+id+"/files/1", responder); res.StatusCode != 200 || !bytes.HasPrefix([]byte(img), []byte("\x89PNG")) {
		t.Errorf("evidence = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	entries, _ := in.DB.AuditEntries(ctx, storeFilter("r@x.example"))
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	for _, want := range []string{"case.view", "case.reveal", "case.file"} {
		if !seen[want] {
			t.Errorf("no %s in the audit log", want)
		}
	}
	// A status the reporter sees, in words the responder chose.
	r = form("/console/cases/"+id+"/status", url.Values{"status": {"referred"}, "public_message": {"Chúng mình đang giúp bạn."}})
	r.AddCookie(responder)
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Fatalf("status = %d", res.StatusCode)
	}
	if page := check(receipt, secret); !strings.Contains(page, "Being helped") || !strings.Contains(page, "Chúng mình đang giúp bạn.") {
		t.Error("the reporter does not see the new status")
	}
	// Export: only after a referral to that partner; opens with the passphrase.
	exp := func(partner string) *http.Response {
		r := form("/console/cases/"+id+"/export", url.Values{"partner": {partner}, "passphrase": {"a long shared passphrase"}})
		r.AddCookie(responder)
		return do(t, h, r)
	}
	if res := exp("police-cyber"); res.StatusCode != http.StatusConflict {
		t.Errorf("export before a referral = %d, want 409", res.StatusCode)
	}
	r = form("/console/cases/"+id+"/referrals", url.Values{"partner": {"police-cyber"}, "shared": {"the case export"}})
	r.AddCookie(responder)
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Fatalf("referral = %d", res.StatusCode)
	}
	res = exp("police-cyber")
	sealed := []byte(body(t, res))
	if res.StatusCode != 200 || bytes.Contains(sealed, []byte("CANARY-DESCRIPTION-7f3a9")) {
		t.Fatalf("export = %d", res.StatusCode)
	}
	if pkg, err := help.OpenExport(sealed, "a long shared passphrase", nil); err != nil || !bytes.HasPrefix(pkg, []byte("PK")) {
		t.Errorf("open export: %v", err)
	}
	// Referral without consent is refused without the override permission.
	if res2 := do(t, h, askForm(t, url.Values{"topic": {"cyberbullying"}}, nil)); res2.StatusCode != 200 {
		t.Fatalf("a request without consent = %d", res2.StatusCode)
	}
	inbox2, _ := in.DB.Inbox(ctx, false, 0)
	var noConsent string
	for _, c := range inbox2 {
		if c.Topic == "cyberbullying" {
			noConsent = c.ID
		}
	}
	r = form("/console/cases/"+noConsent+"/referrals", url.Values{"partner": {"police-cyber"}, "shared": {"everything"}})
	r.AddCookie(responder)
	if res := do(t, h, r); res.StatusCode != 403 {
		t.Errorf("referral without consent or permission = %d, want 403", res.StatusCode)
	}

	// An admin who is not a responder cannot open a case.
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	if res, _ := get("/console/cases/"+id, admin); res.StatusCode != 403 {
		t.Errorf("admin opens a case: %d", res.StatusCode)
	}

	// Tampered ciphertext is an error, never garbage.
	raw, err := sql.Open("sqlite", in.Settings.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `UPDATE reports SET description = contact WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if res, page := get("/console/cases/"+id, responder); res.StatusCode != 500 || strings.Contains(page, canaryContact) {
		t.Errorf("tampered case = %d", res.StatusCode)
	}
}

func TestHelpAPI(t *testing.T) {
	s, pubPEM := responderSetup(t)
	// Each call from its own address (through the test's "proxy"), so
	// the per-client limit on help requests does not stop the table.
	s.TrustedProxies = "192.0.2.1"
	in, _ := apptest.Start(t, s)
	client := 0
	h := in.Server.Handler()
	ctx := context.Background()
	post := func(path, body, bearer string) (int, map[string]any) {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		client++
		r.Header.Set("X-Forwarded-For", "10.9.0."+strconv.Itoa(client))
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		res := do(t, h, r)
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	if status, _ := post("/api/v1/reports", `{"topic":"grooming"}`, ""); status != 403 {
		t.Errorf("API before responders = %d, want 403", status)
	}
	in.DB.SetResponderPublicKey(ctx, []byte(pubPEM), "cli")
	signIn(t, in, "r@x.example", staff.Responder)
	status, out := post("/api/v1/reports", `{"topic":"grooming","asked_to_meet":true,"description":"anh ấy bảo đừng nói với ai"}`, "")
	if status != 201 || out["receipt"] == nil || out["secret"] == nil {
		t.Fatalf("create = %d %v", status, out)
	}
	status, st := post("/api/v1/reports/status", `{"receipt":"`+out["receipt"].(string)+`","secret":"`+out["secret"].(string)+`"}`, "")
	if status != 200 || st["status"] != "new" {
		t.Errorf("status = %d %v", status, st)
	}
	if status, _ := post("/api/v1/reports/status", `{"receipt":"`+out["receipt"].(string)+`","secret":"nope"}`, ""); status != 404 {
		t.Errorf("wrong secret = %d", status)
	}
	for _, tt := range []struct{ name, body string }{
		{"unknown topic", `{"topic":"aliens"}`},
		{"bad evidence", `{"topic":"grooming","evidence":["not base64!!"]}`},
		{"too many files", `{"topic":"grooming","evidence":["a","b","c","d"]}`},
		{"unknown field", `{"topic":"grooming","ip":"1.2.3.4"}`},
		{"control characters", "{\"topic\":\"grooming\",\"contact_kind\":\"phone\",\"contact\":\"090\\u0007\"}"},
	} {
		if status, out := post("/api/v1/reports", tt.body, ""); status != 400 || out["error"] == nil {
			t.Errorf("%s = %d %v", tt.name, status, out)
		}
	}
	if status, _ := post("/api/v1/partner/reports", `{"topic":"grooming"}`, "nap_wrong"); status != 401 {
		t.Errorf("partner with a bad token = %d", status)
	}
	if err := in.DB.CreatePartnerToken(ctx, staff.TokenHash("nap_good"), "tiktok", "cli"); err != nil {
		t.Fatal(err)
	}
	if status, _ := post("/api/v1/partner/reports", `{"topic":"cyberbullying"}`, "nap_good"); status != 201 {
		t.Errorf("partner = %d", status)
	}
}

func TestHelpIntakeIsRateLimited(t *testing.T) {
	s, pubPEM := responderSetup(t)
	in, _ := apptest.Start(t, s)
	h := in.Server.Handler()
	in.DB.SetResponderPublicKey(context.Background(), []byte(pubPEM), "cli")
	signIn(t, in, "r@x.example", staff.Responder)
	limited := false
	for range 8 {
		res := do(t, h, askForm(t, url.Values{"topic": {"cyberbullying"}}, nil))
		if res.StatusCode == http.StatusTooManyRequests {
			limited = true
			if page := body(t, res); !strings.Contains(page, "call 113") {
				t.Error("the rate-limit page does not point to 113")
			}
			break
		}
	}
	if !limited {
		t.Error("eight help requests from one client in a row were all taken")
	}
	// Status checks too: a secret cannot be guessed at speed.
	for i := range 20 {
		res := do(t, h, form("/help/status", url.Values{"receipt": {help.NewReceipt()}, "secret": {"x"}}))
		if res.StatusCode == http.StatusTooManyRequests {
			return
		}
		if i == 19 {
			t.Error("twenty status checks in a row were all answered")
		}
	}
}

// TestCasesNeedTheSecondFactor: a responder who signed in with a password
// only is sent to set up the second factor, never into a case.
func TestCasesNeedTheSecondFactor(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	if _, err := in.DB.CreateStaff(context.Background(), "r@x.example", "Responder", hash, []staff.Role{staff.Responder}); err != nil {
		t.Fatal(err)
	}
	res := do(t, h, form("/console/login", url.Values{"email": {"r@x.example"}, "password": {testPassword}}))
	if res.StatusCode != 303 || res.Header.Get("Location") != "/console/totp" {
		t.Fatalf("responder sign-in = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	c := res.Cookies()[0]
	for _, path := range []string{"/console/cases", "/console/cases/" + help.NewCaseID()} {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(c)
		if res := do(t, h, r); res.StatusCode != 303 || res.Header.Get("Location") != "/console/totp" {
			t.Errorf("%s before the second factor = %d %s", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
}
