package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/souvenir"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// bindStation makes a device a station through the real set-up flow and
// returns its binding cookie.
func bindStation(t *testing.T, in *app.Instance, stationID string) *http.Cookie {
	t.Helper()
	link := in.Server.Web.Devices.Signer.SetupLink("", stationID)
	u, _ := url.Parse(link)
	res := do(t, in.Server.Handler(), form("/station/setup", url.Values{"token": {u.Query().Get("token")}}))
	for _, c := range res.Cookies() {
		if c.Name == "na_station" {
			return c
		}
	}
	t.Fatalf("set-up of %s gave no binding cookie (%d)", stationID, res.StatusCode)
	return nil
}

// kioskEvent makes an event with a kiosk, a desk and stock, and returns
// the kiosk's binding.
func kioskEvent(t *testing.T, in *app.Instance, stock int) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	if _, err := in.DB.CreateEvent(ctx, event.Event{ID: "fair", Name: "Ngày hội An toàn"}); err != nil {
		t.Fatal(err)
	}
	k, err := in.DB.CreateStation(ctx, "fair", event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.DB.SetSouvenirs(ctx, "fair", pledge.Souvenirs{Items: []pledge.SouvenirItem{{ID: "keychain", Name: i18n.Text{VI: "Móc khóa", EN: "Keychain"}, Stock: stock}}}, "ed@x.example"); err != nil {
		t.Fatal(err)
	}
	return bindStation(t, in, k.ID)
}

func pledgeForm(key string, options []string, extra url.Values) url.Values {
	v := url.Values{"key": {key}, "options": options}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

var pledgeLink = regexp.MustCompile(`^/pledge/([a-z2-7]{26})$`)

func TestPledgeForm(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	get := func(path string, cookies ...*http.Cookie) (*http.Response, string) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		res := do(t, h, r)
		return res, body(t, res)
	}
	post := func(v url.Values, cookies ...*http.Cookie) (*http.Response, string) {
		t.Helper()
		r := form("/pledge?lang=en", v)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		res := do(t, h, r)
		return res, body(t, res)
	}

	// The door, and the step after a quiz.
	if _, page := get("/"); !strings.Contains(page, `href="/pledge"`) {
		t.Error("the home page has no Pledge door")
	}
	res, page := get("/pledge?lang=en")
	if res.StatusCode != 200 || strings.Count(page, `name="options"`) != 12 || !strings.Contains(page, "Never share my password or OTP code") {
		t.Fatalf("pledge form = %d, %d options", res.StatusCode, strings.Count(page, `name="options"`))
	}
	if !strings.Contains(page, `name="show_name">`) || strings.Contains(page, `name="show_name" checked`) {
		t.Error(`"show my name on the wall" must be there and off by default`)
	}

	// Bad input: a clear message, and nothing the visitor typed is lost.
	bad := []struct {
		name    string
		values  url.Values
		message string
	}{
		{"no action", pledgeForm("k0", nil, url.Values{"name": {"Minh"}}), "Please choose at least one thing you promise to do."},
		{"unknown action", pledgeForm("k0", []string{"tell-adult", "fly-to-the-moon"}, nil), "One of the choices is not on the list any more."},
		{"html", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"<script>alert(1)</script>"}}), "A name can only use letters"},
		{"emoji", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"Minh 😀"}}), "A name can only use letters"},
		{"zero width", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"Mi\u200bnh"}}), "A name can only use letters"},
		{"right-to-left override", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"\u202eMinh"}}), "A name can only use letters"},
		{"control", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"Mi\x07nh"}}), "A name can only use letters"},
		{"10,000 characters", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {strings.Repeat("a", 10000)}}), "That name is too long."},
		{"invalid UTF-8", pledgeForm("k0", []string{"tell-adult"}, url.Values{"name": {"Minh\xff"}}), "The name has broken characters."},
		{"unknown province", pledgeForm("k0", []string{"tell-adult"}, url.Values{"province": {"ha-tay"}}), "not one of the 34"},
		{"unknown age", pledgeForm("k0", []string{"tell-adult"}, url.Values{"age_band": {"99"}}), "That age group is not on the list."},
	}
	for _, tt := range bad {
		res, page := post(tt.values)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, tt.message) {
			t.Errorf("%s: %d, want 400 with %q", tt.name, res.StatusCode, tt.message)
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("%s: the name came back as markup", tt.name)
		}
		for _, o := range tt.values["options"] {
			if o == "tell-adult" && !strings.Contains(page, `value="tell-adult" checked`) {
				t.Errorf("%s: the chosen action was lost", tt.name)
			}
		}
		if n := tt.values.Get("name"); n == "Minh" && !strings.Contains(page, `value="Minh"`) {
			t.Errorf("%s: the name was lost", tt.name)
		}
	}
	if st, _ := in.DB.PledgeStats(context.Background(), ""); st.Total != 0 {
		t.Fatalf("refused pledges were stored: %d", st.Total)
	}

	// A good pledge; a double tap (same form key) makes one.
	good := pledgeForm("form-key-1", []string{"tell-adult", "keep-otp-secret"}, url.Values{
		"name": {"Nguyễn Thị Bích Ngọc"}, "show_name": {"on"}, "age_band": {"kids"}, "province": {"ha-noi"}})
	res, _ = post(good)
	m := pledgeLink.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("pledge = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	id := m[1]
	if res2, _ := post(good); res2.Header.Get("Location") != res.Header.Get("Location") {
		t.Errorf("a double tap made a second pledge: %s", res2.Header.Get("Location"))
	}
	if st, _ := in.DB.PledgeStats(context.Background(), ""); st.Total != 1 {
		t.Errorf("total = %d after a double tap, want 1", st.Total)
	}

	res, page = get("/pledge/" + id + "?lang=en")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(page, "/p/"+id+"/souvenir.png") {
		t.Errorf("souvenir page = %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if strings.Contains(page, "voucher-code") {
		t.Error("a pledge made without a kiosk shows a voucher")
	}

	// The verification page: name, actions, date; never age or province.
	res, page = get("/p/" + id + "?lang=en")
	if res.StatusCode != 200 || !strings.Contains(page, "Nguyễn Thị Bích Ngọc made a pledge") || !strings.Contains(page, "Tell an adult I trust") ||
		!strings.Contains(page, `<meta name="robots" content="noindex">`) || res.Header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("verification page = %d:\n%s", res.StatusCode, page)
	}
	for _, private := range []string{"Hà Nội", "8–12", "kids", "ha-noi"} {
		if strings.Contains(page, private) {
			t.Errorf("the verification page shows %q", private)
		}
	}
	if res, _ := get("/p/" + pledge.NewID()); res.StatusCode != 404 {
		t.Errorf("unknown pledge = %d", res.StatusCode)
	}
	if res, _ := get("/p/..%2f..%2fetc"); res.StatusCode != 404 {
		t.Errorf("a traversal id = %d", res.StatusCode)
	}
}

func TestPledgeAPI(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	call := func(method, path, key, body string) (*http.Response, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		res := do(t, h, r)
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res, out
	}
	res, out := call("GET", "/api/v1/pledge-options?lang=en", "", "")
	if opts, _ := out["options"].([]any); res.StatusCode != 200 || len(opts) != 12 || opts[0].(map[string]any)["text"] != "Tell an adult I trust when something online feels wrong" {
		t.Errorf("options = %d %v", res.StatusCode, out)
	}
	if res, _ := call("GET", "/api/v1/pledge-options?lang=xx", "", ""); res.StatusCode != 400 {
		t.Errorf("options in an unknown language = %d", res.StatusCode)
	}
	body := `{"name":"Đức","show_name":true,"options":["block-and-report"],"lang":"vi"}`
	res, out = call("POST", "/api/v1/pledges", "key-1", body)
	id, _ := out["id"].(string)
	if res.StatusCode != 201 || !pledge.ValidID(id) || out["verify_url"] != in.Settings.PublicURL+"/p/"+id ||
		out["souvenir_png_url"] != in.Settings.PublicURL+"/p/"+id+"/souvenir.png" || out["voucher"] != nil {
		t.Fatalf("create = %d %v", res.StatusCode, out)
	}
	if res, again := call("POST", "/api/v1/pledges", "key-1", body); res.StatusCode != 200 || again["id"] != id {
		t.Errorf("retry with the same key = %d %v, want the first pledge", res.StatusCode, again)
	}
	if res, _ := call("POST", "/api/v1/pledges", "key-1", strings.Replace(body, "Đức", "Minh", 1)); res.StatusCode != 409 {
		t.Errorf("same key, other body = %d, want 409", res.StatusCode)
	}
	for _, tt := range []struct {
		name, key, body string
		want            int
		field           string
	}{
		{"unknown option", "", `{"options":["nope"],"lang":"vi"}`, 400, "options"},
		{"no option", "", `{"options":[],"lang":"vi"}`, 400, "options"},
		{"bad language", "", `{"options":["tell-adult"],"lang":"fr"}`, 400, "lang"},
		{"script name", "", `{"name":"<img src=x onerror=alert(1)>","options":["tell-adult"],"lang":"en"}`, 400, "name"},
		{"long name", "", `{"name":"` + strings.Repeat("ệ", 41) + `","options":["tell-adult"],"lang":"vi"}`, 400, "name"},
		{"event from the body", "", `{"options":["tell-adult"],"lang":"vi","event_id":"fair"}`, 400, ""},
		{"bad key", "key with spaces", `{"options":["tell-adult"],"lang":"vi"}`, 400, "idempotency_key"},
		{"invalid UTF-8", "", "{\"name\":\"\xff\",\"options\":[\"tell-adult\"],\"lang\":\"vi\"}", 400, ""},
	} {
		res, out := call("POST", "/api/v1/pledges", tt.key, tt.body)
		e, _ := out["error"].(map[string]any)
		if res.StatusCode != tt.want || e == nil || e["message"] == "" || (tt.field != "" && e["field"] != tt.field) {
			t.Errorf("%s: %d %v, want %d on field %q", tt.name, res.StatusCode, out, tt.want, tt.field)
		}
	}
	res, out = call("GET", "/api/v1/pledges/"+id+"?lang=en", "", "")
	if res.StatusCode != 200 || out["name"] != "Đức" || out["age_band"] != nil || out["province"] != nil {
		t.Errorf("get = %d %v", res.StatusCode, out)
	}
	res, out = call("GET", "/api/v1/pledges/stats", "", "")
	if by, _ := out["by_option"].(map[string]any); res.StatusCode != 200 || out["total"] != 1.0 || by["block-and-report"] != 1.0 {
		t.Errorf("stats = %d %v", res.StatusCode, out)
	}
}

// decodeQR reads the QR code in an image.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func TestSouvenirIsAVerifiableBadge(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		res := do(t, h, httptest.NewRequest("GET", path, nil))
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		return res, b.Bytes()
	}
	res := do(t, h, form("/pledge", pledgeForm("k", []string{"never-meet-alone"}, url.Values{"name": {"Phúc"}})))
	id := pledgeLink.FindStringSubmatch(res.Header.Get("Location"))[1]

	res, pngBytes := get("/p/" + id + "/souvenir.png")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("souvenir.png = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1080 || b.Dy() != 1350 {
		t.Errorf("souvenir is %v, want 1080×1350", b)
	}
	// The QR code leads to the verification page.
	verify := decodeQR(t, img)
	if verify != in.Settings.PublicURL+"/p/"+id {
		t.Fatalf("QR = %q", verify)
	}
	u, _ := url.Parse(verify)
	if res, page := get(u.Path + "?lang=en"); res.StatusCode != 200 || !strings.Contains(string(page), "Phúc made a pledge") {
		t.Errorf("following the QR code: %d", res.StatusCode)
	}
	if res, pdf := get("/p/" + id + "/souvenir.pdf"); res.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("souvenir.pdf = %d", res.StatusCode)
	}

	// The baked badge: signature, and the documents it points to.
	jws, err := souvenir.Extract(pngBytes)
	if err != nil {
		t.Fatal(err)
	}
	var parts struct {
		Assertion   souvenir.Assertion
		Key         souvenir.CryptographicKey
		Issuer      map[string]any
		BadgeClass  map[string]any
		Revocations souvenir.RevocationList
	}
	fetch := func(rawURL string, into any) int {
		t.Helper()
		u, err := url.Parse(rawURL)
		if err != nil || !strings.HasPrefix(rawURL, in.Settings.PublicURL) {
			t.Fatalf("badge URL %q is not under the public address", rawURL)
		}
		res, b := get(u.Path)
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s: %v", u.Path, err)
		}
		return res.StatusCode
	}
	unverified := jwsPayload(t, jws)
	if fetch(unverified.Verification.Creator, &parts.Key) != 200 {
		t.Fatal("no key document")
	}
	pub, err := souvenir.ParsePublicKeyPEM(parts.Key.PublicKeyPem)
	if err != nil {
		t.Fatal(err)
	}
	if parts.Assertion, err = souvenir.Verify(jws, pub); err != nil {
		t.Fatalf("signature: %v", err)
	}
	a := parts.Assertion
	if a.Context != souvenir.Context || a.Type != "Assertion" || a.Verification.Type != "SignedBadge" || !a.Recipient.Hashed ||
		a.Recipient.Identity != souvenir.HashedRecipient(verify, a.Recipient.Salt).Identity || a.IssuedOn == "" {
		t.Errorf("assertion = %+v", a)
	}
	fetch(a.Badge, &parts.BadgeClass)
	for _, f := range []string{"@context", "type", "id", "name", "description", "image", "criteria", "issuer"} {
		if parts.BadgeClass[f] == nil || parts.BadgeClass[f] == "" {
			t.Errorf("BadgeClass lacks %s: %v", f, parts.BadgeClass)
		}
	}
	fetch(parts.BadgeClass["issuer"].(string), &parts.Issuer)
	for _, f := range []string{"@context", "type", "id", "name", "url", "publicKey", "revocationList"} {
		if parts.Issuer[f] == nil || parts.Issuer[f] == "" {
			t.Errorf("Issuer lacks %s: %v", f, parts.Issuer)
		}
	}
	if parts.Key.Owner != parts.Issuer["id"] || parts.Issuer["publicKey"] != a.Verification.Creator {
		t.Errorf("the key's owner %q is not the issuer %v", parts.Key.Owner, parts.Issuer["id"])
	}
	if res, _ := get(strings.TrimPrefix(parts.BadgeClass["image"].(string), in.Settings.PublicURL)); res.StatusCode != 200 {
		t.Errorf("badge image = %d", res.StatusCode)
	}
	var hosted map[string]any
	if status := fetch(a.ID, &hosted); status != 200 || hosted["revoked"] != nil {
		t.Errorf("hosted assertion = %d %v", status, hosted)
	}

	// Hidden: revoked everywhere, and the souvenir is gone.
	if err := in.DB.Decide(context.Background(), "pledge", id, store.ModerationHidden, "ed@x.example"); err != nil {
		t.Fatal(err)
	}
	if status := fetch(a.ID, &hosted); status != http.StatusGone || hosted["revoked"] != true {
		t.Errorf("hidden pledge's assertion = %d %v, want 410 revoked", status, hosted)
	}
	fetch(parts.Issuer["revocationList"].(string), &parts.Revocations)
	if len(parts.Revocations.RevokedAssertions) != 1 || parts.Revocations.RevokedAssertions[0].ID != a.ID {
		t.Errorf("revocation list = %+v", parts.Revocations)
	}
	for _, p := range []string{"/p/" + id, "/p/" + id + "/souvenir.png", "/p/" + id + "/souvenir.pdf", "/api/v1/pledges/" + id} {
		if res, _ := get(p); res.StatusCode != 404 {
			t.Errorf("%s of a hidden pledge = %d, want 404", p, res.StatusCode)
		}
	}
}

// jwsPayload reads a JWS's payload without checking it (to find the key).
func jwsPayload(t *testing.T, jws string) souvenir.Assertion {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("JWS has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var a souvenir.Assertion
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestKioskVoucherAndDesk(t *testing.T) {
	in, log := apptest.MustStart(t)
	h := in.Server.Handler()
	kiosk := kioskEvent(t, in, 5)
	r := form("/pledge?lang=en", pledgeForm("kiosk-1", []string{"tell-adult"}, nil))
	r.AddCookie(kiosk)
	res := do(t, h, r)
	id := pledgeLink.FindStringSubmatch(res.Header.Get("Location"))[1]

	// The kiosk that made the pledge shows the voucher; no other device does.
	r = httptest.NewRequest("GET", "/pledge/"+id+"?lang=en", nil)
	r.AddCookie(kiosk)
	page := body(t, do(t, h, r))
	m := regexp.MustCompile(`<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the kiosk shows no voucher:\n%s", page)
	}
	code := m[1]
	if page := body(t, do(t, h, httptest.NewRequest("GET", "/pledge/"+id, nil))); strings.Contains(page, code) {
		t.Error("another device sees the voucher")
	}

	// The desk: assigned to the event, the camera allowed on this page only.
	desk := signIn(t, in, "desk@x.example", staff.Desk)
	deskAcct, _ := in.DB.CredentialsByEmail(context.Background(), "desk@x.example")
	if err := in.DB.SetStaffEvents(context.Background(), deskAcct.ID, []string{"fair"}, "boss@x.example"); err != nil {
		t.Fatal(err)
	}
	r = httptest.NewRequest("GET", "/console/desk/fair?lang=en", nil)
	r.AddCookie(desk)
	res = do(t, h, r)
	page = body(t, res)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Permissions-Policy"), "camera=(self)") || !strings.Contains(page, "Keychain — 5 left") {
		t.Fatalf("desk page = %d %q", res.StatusCode, res.Header.Get("Permissions-Policy"))
	}
	redeem := func(code string) (int, string) {
		r := form("/console/desk/fair/redeem?lang=en", url.Values{"code": {code}, "item": {"keychain"}})
		r.AddCookie(desk)
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}
	if status, page := redeem(strings.ToLower(code)); status != 200 || !strings.Contains(page, "Valid — hand over the souvenir") || !strings.Contains(page, "Keychain — 4 left") {
		t.Errorf("first scan = %d", status)
	}
	if status, page := redeem(code); status != 200 || !strings.Contains(page, "Already redeemed") || !strings.Contains(page, "desk@x.example") {
		t.Errorf("second scan = %d", status)
	}
	if status, page := redeem("not a code"); status != 200 || !strings.Contains(page, "16 letters and digits") {
		t.Errorf("garbage = %d", status)
	}
	if status, page := redeem(pledge.FormatVoucherCode(pledge.NewVoucherCode())); status != 200 || !strings.Contains(page, "Unknown code") {
		t.Errorf("unknown code = %d", status)
	}
	// The API answers the same way, 409 with when and where.
	r = httptest.NewRequest("POST", "/api/v1/vouchers/redeem", strings.NewReader(`{"code":"`+code+`"}`))
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(desk)
	res = do(t, h, r)
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 409 || out["outcome"] != "already_redeemed" || out["redeemed_at"] == nil || out["where"] != "Ngày hội An toàn" {
		t.Errorf("API second scan = %d %v", res.StatusCode, out)
	}
	// Voucher codes never reach the log, in any form.
	for _, form := range []string{code, strings.ReplaceAll(code, "-", ""), strings.ToLower(code)} {
		if strings.Contains(log.String(), form) {
			t.Errorf("the log carries the voucher code")
		}
	}
}

func TestRedeemSimultaneousScansOverHTTP(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	kiosk := kioskEvent(t, in, 3)
	r := httptest.NewRequest("POST", "/api/v1/pledges", strings.NewReader(`{"options":["tell-adult"],"lang":"vi"}`))
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(kiosk)
	var created struct {
		Voucher struct{ Code string }
	}
	json.NewDecoder(do(t, h, r).Body).Decode(&created)
	if created.Voucher.Code == "" {
		t.Fatal("a kiosk pledge through the API got no voucher")
	}
	desk := signIn(t, in, "desk@x.example", staff.Desk)
	acct, _ := in.DB.CredentialsByEmail(context.Background(), "desk@x.example")
	in.DB.SetStaffEvents(context.Background(), acct.ID, []string{"fair"}, "boss@x.example")
	statuses := make([]int, 30) // under the per-client burst
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			r := httptest.NewRequest("POST", "/api/v1/vouchers/redeem", strings.NewReader(`{"code":"`+created.Voucher.Code+`"}`))
			r.Header.Set("Content-Type", "application/json")
			r.AddCookie(desk)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			statuses[i] = w.Code
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		} else if s != 409 {
			t.Errorf("a scan answered %d", s)
		}
	}
	if ok != 1 {
		t.Errorf("%d scans succeeded, want exactly 1", ok)
	}
}

func TestConsoleSouvenirsAndPledgeOptions(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	ctx := context.Background()
	if _, err := in.DB.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
		t.Fatal(err)
	}
	send := func(method, path string, v url.Values) (*http.Response, string) {
		t.Helper()
		var r *http.Request
		if method == "POST" {
			r = form(path, v)
		} else {
			r = httptest.NewRequest("GET", path, nil)
		}
		r.AddCookie(ed)
		res := do(t, h, r)
		return res, body(t, res)
	}
	row := func(id, vi, en, stock string) url.Values {
		return url.Values{"item_id": {id, ""}, "item_vi": {vi, ""}, "item_en": {en, ""}, "item_stock": {stock, ""}, "per_station_hour": {"30"}}
	}
	// Bad input: a clear message on the event page, nothing changed.
	for _, tt := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"bad stock", row("keychain", "Móc khóa", "Keychain", "many"), "Stock must be between 0 and 100,000."},
		{"negative stock", row("keychain", "Móc khóa", "Keychain", "-1"), "Stock must be between 0 and 100,000."},
		{"no English name", row("keychain", "Móc khóa", "", "5"), "needs a Vietnamese and an English name"},
		{"bad code", row("Key Chain", "Móc khóa", "Keychain", "5"), "An item code uses lower-case letters"},
		{"mismatched rows", url.Values{"item_id": {"a", "b"}, "item_vi": {"x"}, "item_en": {"y"}, "item_stock": {"1"}}, ""},
		{"rate", url.Values{"per_station_hour": {"0"}}, "between 1 and 3600"},
	} {
		res, page := send("POST", "/console/events/fair/souvenirs?lang=en", tt.v)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, tt.want) {
			t.Errorf("%s: %d, want 400 with %q", tt.name, res.StatusCode, tt.want)
		}
	}
	res, _ := send("POST", "/console/events/fair/souvenirs", row("keychain", "Móc khóa", "Keychain", "25"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save souvenirs = %d", res.StatusCode)
	}
	if s, _ := in.DB.Souvenirs(ctx, "fair"); len(s.Items) != 1 || s.Items[0].Stock != 25 || s.Rules.PerStationHour != 30 {
		t.Errorf("souvenirs = %+v", s)
	}
	if _, page := send("GET", "/console/events/fair?lang=en", nil); !strings.Contains(page, `value="Móc khóa"`) || !strings.Contains(page, `value="25"`) {
		t.Error("the event page does not show the saved stock")
	}

	// Pledge options: draft, refused bad input, preview, publish, live.
	if _, page := send("GET", "/console/content?lang=en", nil); !strings.Contains(page, `href="/console/content/options"`) {
		t.Error("the content page has no way to the pledge options")
	}
	if _, page := send("GET", "/console/content/options?lang=en", nil); !strings.Contains(page, `href="/console/content/options/tell-adult"`) {
		t.Error("the options list lacks an option")
	}
	res, page := send("POST", "/console/content/options/tell-adult?lang=en", url.Values{"text_vi": {"Giống hệt"}, "text_en": {"Giống hệt"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "identical") {
		t.Errorf("untranslated option = %d", res.StatusCode)
	}
	res, _ = send("POST", "/console/content/options/tell-adult", url.Values{"text_vi": {"Kể ngay với người lớn mình tin"}, "text_en": {"Tell an adult I trust straight away"}, "note": {"shorter"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "saved=1") {
		t.Fatalf("save option = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, page := send("GET", "/console/content/options/tell-adult/versions/1/preview?lang=en", nil); res.StatusCode != 200 || !strings.Contains(page, "Tell an adult I trust straight away") || !strings.Contains(page, "disabled") {
		t.Errorf("preview = %d", res.StatusCode)
	}
	if _, page := send("GET", "/pledge?lang=en", nil); strings.Contains(page, "straight away") {
		t.Error("a draft is live before publishing")
	}
	if res, _ := send("POST", "/console/content/options/tell-adult/versions/1/publish", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d", res.StatusCode)
	}
	if _, page := send("GET", "/pledge?lang=en", nil); !strings.Contains(page, "Tell an adult I trust straight away") {
		t.Error("the published option is not on the pledge form")
	}
	// Retiring an option removes it from the form and the API.
	send("POST", "/console/content/options/be-kind-online", url.Values{"text_vi": {"Cư xử tử tế trên mạng như khi gặp mặt"}, "text_en": {"Be as kind online as I am face to face"}, "retired": {"on"}})
	send("POST", "/console/content/options/be-kind-online/versions/1/publish", nil)
	if _, page := send("GET", "/pledge?lang=en", nil); strings.Contains(page, `value="be-kind-online"`) {
		t.Error("a retired option is still offered")
	}
	r := httptest.NewRequest("POST", "/api/v1/pledges", strings.NewReader(`{"options":["be-kind-online"],"lang":"en"}`))
	r.Header.Set("Content-Type", "application/json")
	if res := do(t, h, r); res.StatusCode != 400 {
		t.Errorf("pledging a retired option = %d", res.StatusCode)
	}
}
