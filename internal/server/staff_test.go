package server_test

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

const testPassword = "correct horse battery staple"

// signIn creates an account with roles and returns a session cookie that
// has passed the second factor when the account needs one.
func signIn(t *testing.T, in *app.Instance, email string, roles ...staff.Role) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	a, err := in.DB.CreateStaff(ctx, email, "Tester", hash, roles)
	if err != nil {
		t.Fatal(err)
	}
	token, acct, err := in.Server.Auth.Login(ctx, email, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if acct.NeedsSecondFactor() {
		secret := staff.NewTOTPSecret()
		token, _, err = in.Server.Auth.EnrolTOTP(ctx, token, secret, staff.TOTPCode(secret, time.Now()))
		if err != nil {
			t.Fatalf("enrol %s: %v", a.Email, err)
		}
	}
	return &http.Cookie{Name: "na_staff", Value: token}
}

// TestRoleMatrix requests every staff route as every role, and with no
// session, and checks exactly who gets in.
func TestRoleMatrix(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	// Each request gets a fresh session with its second factor given, so
	// routes that end sessions (sign out everywhere) do not disturb the
	// next request.
	ids := map[string]string{"none": ""}
	for _, r := range staff.Roles {
		hash, _ := apptest.CheapHasher.Hash(testPassword)
		a, err := in.DB.CreateStaff(context.Background(), string(r)+"@x.example", "Tester", hash, []staff.Role{r})
		if err != nil {
			t.Fatal(err)
		}
		ids[string(r)] = a.ID
	}
	session := func(staffID string) *http.Cookie {
		if staffID == "" {
			return nil
		}
		token := fmt.Sprintf("matrix-%s-%d", staffID, time.Now().UnixNano())
		now := time.Now().UTC()
		if err := in.DB.CreateSession(context.Background(), staff.Session{TokenHash: staff.TokenHash(token), StaffID: staffID,
			SecondFactor: true, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return &http.Cookie{Name: "na_staff", Value: token}
	}
	routes := 0
	for _, rt := range in.Server.Routes() {
		if !rt.Staff {
			continue
		}
		routes++
		method, path := samplePath(rt.Pattern)
		for who, id := range ids {
			c := session(id)
			r := httptest.NewRequest(method, path, strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c != nil {
				r.AddCookie(c)
			}
			res := do(t, h, r)
			allowed := who != "none" && (len(rt.Roles) == 0 || slices.Contains(rt.Roles, staff.Role(who)))
			switch {
			case who == "none" && strings.HasPrefix(path, "/api/"):
				if res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s with no session = %d, want 401", rt.Pattern, res.StatusCode)
				}
			case who == "none":
				if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/login") {
					t.Errorf("%s with no session = %d %s, want a redirect to sign in", rt.Pattern, res.StatusCode, loc)
				}
			case allowed && (res.StatusCode == 401 || res.StatusCode == 403 || res.StatusCode >= 500):
				t.Errorf("%s as %s = %d, want allowed (and no server error)", rt.Pattern, who, res.StatusCode)
			case !allowed && res.StatusCode != 403:
				t.Errorf("%s as %s = %d, want 403", rt.Pattern, who, res.StatusCode)
			}
		}
	}
	if routes < 10 {
		t.Errorf("only %d staff routes found", routes)
	}
}

func TestSecondFactorIsRequired(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ctx := context.Background()
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	in.DB.CreateStaff(ctx, "admin@x.example", "Admin", hash, []staff.Role{staff.Admin})
	// Password only: every console page sends the admin to set up TOTP.
	res := do(t, h, form("/console/login", url.Values{"email": {"admin@x.example"}, "password": {testPassword}}))
	if res.StatusCode != 303 || res.Header.Get("Location") != "/console/totp" {
		t.Fatalf("admin sign-in = %d %s, want the TOTP set-up", res.StatusCode, res.Header.Get("Location"))
	}
	c := res.Cookies()[0]
	for _, path := range []string{"/console", "/console/audit", "/console/events"} {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(c)
		if res := do(t, h, r); res.StatusCode != 303 || res.Header.Get("Location") != "/console/totp" {
			t.Errorf("%s before the second factor = %d %s", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	r := httptest.NewRequest("GET", "/console/totp", nil)
	r.AddCookie(c)
	if res := do(t, h, r); res.StatusCode != 200 {
		t.Errorf("TOTP set-up page = %d", res.StatusCode)
	}
}

func TestLoginAnswersAndSessionCookie(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	in.DB.CreateStaff(context.Background(), "ed@x.example", "Ed", hash, []staff.Role{staff.Editor})
	wrong := do(t, h, form("/console/login?lang=en", url.Values{"email": {"ed@x.example"}, "password": {"not the password"}}))
	unknown := do(t, h, form("/console/login?lang=en", url.Values{"email": {"who@x.example"}, "password": {"not the password"}}))
	bw := strings.ReplaceAll(body(t, wrong), "ed@x.example", "EMAIL")
	bu := strings.ReplaceAll(body(t, unknown), "who@x.example", "EMAIL")
	if wrong.StatusCode != 401 || unknown.StatusCode != 401 || bw != bu {
		t.Errorf("wrong password (%d) and unknown email (%d) answer differently", wrong.StatusCode, unknown.StatusCode)
	}
	res := do(t, h, form("/console/login", url.Values{"email": {"ED@x.example"}, "password": {testPassword}, "next": {"//evil.example/x"}}))
	if res.StatusCode != 303 || res.Header.Get("Location") != "/console" {
		t.Fatalf("sign-in = %d %s, want /console (never an outside next)", res.StatusCode, res.Header.Get("Location"))
	}
	c := res.Cookies()[0]
	if c.Name != "na_staff" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || len(c.Value) < 40 {
		t.Errorf("session cookie = %+v", c)
	}
	// A forged cookie is no session; a cross-site POST is refused.
	r := httptest.NewRequest("GET", "/console", nil)
	r.AddCookie(&http.Cookie{Name: "na_staff", Value: "forged"})
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Errorf("forged session = %d", res.StatusCode)
	}
	r = form("/console/events", url.Values{"id": {"x-event"}, "name": {"X"}})
	r.AddCookie(c)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := do(t, h, r); res.StatusCode != 403 {
		t.Errorf("cross-site POST with a session = %d, want 403", res.StatusCode)
	}
	// Logging in from one client too often is slowed down.
	limited := false
	for range 30 {
		if do(t, h, form("/console/login", url.Values{"email": {"ed@x.example"}, "password": {"nope"}})).StatusCode == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Errorf("30 sign-ins in a row from one client were never limited")
	}
}

func TestConsoleEventsAndStations(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	c := signIn(t, in, "ed@x.example", staff.Editor)
	post := func(path string, v url.Values) *http.Response {
		r := form(path, v)
		r.AddCookie(c)
		return do(t, h, r)
	}
	if res := post("/console/events", url.Values{"id": {"x"}, "name": {"Bad id"}}); res.StatusCode != 400 {
		t.Errorf("bad event id = %d, want 400", res.StatusCode)
	}
	res := post("/console/events", url.Values{"id": {"hoi-cho-2026"}, "name": {"Hội chợ <b>2026</b>"}, "kiosk_idle_seconds": {"60"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/console/events/hoi-cho-2026" {
		t.Fatalf("create event = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := post("/console/events/hoi-cho-2026/stations", url.Values{"name": {"Kiosk 1"}, "kind": {"kiosk"}}); res.StatusCode != 303 {
		t.Fatalf("add station = %d", res.StatusCode)
	}
	r := httptest.NewRequest("GET", "/console/events/hoi-cho-2026", nil)
	r.AddCookie(c)
	page := body(t, do(t, h, r))
	if !strings.Contains(page, "/station/setup?token=") || !strings.Contains(page, "<svg") || strings.Contains(page, "<b>2026</b>") {
		t.Errorf("event page lacks the setup link and QR, or shows HTML from a name")
	}
	if res := post("/console/events/hoi-cho-2026/settings", url.Values{"name": {"Hội chợ"}, "kiosk_idle_seconds": {"5"}, "kiosk_quiz": {"kids"}}); res.StatusCode != 400 {
		t.Errorf("idle 5 s = %d, want 400", res.StatusCode)
	}
	if res := post("/console/events/hoi-cho-2026/settings", url.Values{"name": {"Hội chợ"}, "kiosk_idle_seconds": {"120"}, "kiosk_quiz": {"nope"}}); res.StatusCode != 400 {
		t.Errorf("unknown kiosk quiz = %d, want 400", res.StatusCode)
	}
	if res := post("/console/events/hoi-cho-2026/settings", url.Values{"name": {"Hội chợ"}, "timezone": {"Asia/Ho_Chi_Minh"}, "kiosk_idle_seconds": {"120"}, "kiosk_quiz": {"kids"}}); res.StatusCode != 303 {
		t.Errorf("settings = %d", res.StatusCode)
	}
	if e, _ := in.DB.Event(context.Background(), "hoi-cho-2026"); e.KioskQuiz != "kids" || e.KioskIdleSeconds != 120 {
		t.Errorf("event after settings = %+v", e)
	}
	stations, _ := in.DB.Stations(context.Background(), "hoi-cho-2026")
	if res := post("/console/stations/"+stations[0].ID+"/revoke", nil); res.StatusCode != 303 {
		t.Errorf("revoke = %d", res.StatusCode)
	}
	entries, _ := in.DB.AuditEntries(context.Background(), storeFilter("ed@x.example"))
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"login.ok", "event.create", "station.add", "station.revoke"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func form(path string, v url.Values) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func storeFilter(actor string) store.AuditFilter { return store.AuditFilter{Actor: actor} }

func TestAdminManagesAccounts(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	post := func(path string, v url.Values) *http.Response {
		r := form(path, v)
		r.AddCookie(admin)
		return do(t, h, r)
	}
	if res := post("/console/users", url.Values{"email": {"new@x.example"}, "role": {"editor"}, "password": {"short"}}); res.StatusCode != 400 {
		t.Errorf("weak first password = %d, want 400", res.StatusCode)
	}
	if res := post("/console/users", url.Values{"email": {"new@x.example"}, "role": {"responder"}, "password": {testPassword}}); res.StatusCode != 303 {
		t.Fatalf("add user = %d", res.StatusCode)
	}
	c, err := in.DB.CredentialsByEmail(context.Background(), "new@x.example")
	if err != nil || !c.Has(staff.Responder) {
		t.Fatalf("new account = %+v, %v", c.Account, err)
	}
	if res := post("/console/users/"+c.ID+"/grant-override", nil); res.StatusCode != 303 {
		t.Errorf("grant = %d", res.StatusCode)
	}
	if res := post("/console/users/"+c.ID+"/roles", url.Values{"role": {"responder", "analyst"}}); res.StatusCode != 303 {
		t.Errorf("roles = %d", res.StatusCode)
	}
	if res := post("/console/users/"+c.ID+"/disable", nil); res.StatusCode != 303 {
		t.Errorf("disable = %d", res.StatusCode)
	}
	c, _ = in.DB.CredentialsByID(context.Background(), c.ID)
	if !c.Disabled() || !c.Has(staff.Analyst) || !slices.Contains(c.Permissions, staff.ReferralOverride) {
		t.Errorf("after changes: %+v", c.Account)
	}
	// An admin cannot lock themselves out.
	me, _ := in.DB.CredentialsByEmail(context.Background(), "boss@x.example")
	if res := post("/console/users/"+me.ID+"/disable", nil); res.StatusCode != 403 {
		t.Errorf("disable self = %d, want 403", res.StatusCode)
	}
	if res := post("/console/users/"+me.ID+"/roles", url.Values{"role": {"editor"}}); res.StatusCode != 403 {
		t.Errorf("drop own admin role = %d, want 403", res.StatusCode)
	}
	entries, _ := in.DB.AuditEntries(context.Background(), storeFilter("boss@x.example"))
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"staff.add", "permission.grant", "staff.roles", "staff.disable"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func TestAdminAPIWithTokens(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	ed, _ := in.DB.CreateStaff(context.Background(), "script@x.example", "Script", hash, []staff.Role{staff.Editor})
	r := form("/console/users/"+ed.ID+"/tokens", url.Values{"name": {"central"}})
	r.AddCookie(admin)
	page := body(t, do(t, h, r))
	token := regexp.MustCompile(`na_[A-Za-z0-9_-]{40,}`).FindString(page)
	if token == "" {
		t.Fatalf("no token shown:\n%.500s", page)
	}
	api := func(method, path, b, bearer string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}
	if status, _ := api("GET", "/api/v1/admin/events", "", ""); status != 401 {
		t.Errorf("no token = %d, want 401", status)
	}
	if status, _ := api("GET", "/api/v1/admin/events", "", "na_forged"); status != 401 {
		t.Errorf("forged token = %d, want 401", status)
	}
	status, b := api("POST", "/api/v1/admin/events", `{"id":"api-event","name":"Từ API"}`, token)
	if status != 201 || !strings.Contains(b, `"kiosk_quiz":"kiosk"`) {
		t.Errorf("create event by token = %d %s", status, b)
	}
	status, b = api("POST", "/api/v1/admin/events/api-event/stations", `{"kind":"wall","name":"Tường"}`, token)
	if status != 201 || !strings.Contains(b, "/station/setup?token=") {
		t.Errorf("create station = %d %s", status, b)
	}
	if status, _ := api("POST", "/api/v1/admin/events/api-event/stations", `{"kind":"toaster","name":"x"}`, token); status != 400 {
		t.Errorf("bad kind = %d", status)
	}
	if status, _ := api("GET", "/api/v1/admin/audit", "", token); status != 403 {
		t.Errorf("an editor's token reading the audit log = %d, want 403", status)
	}
	// Disabling the account ends its tokens at once.
	in.DB.SetStaffDisabled(context.Background(), ed.ID, true, "test")
	if status, _ := api("GET", "/api/v1/admin/events", "", token); status != 401 {
		t.Errorf("token of a disabled account = %d, want 401", status)
	}
}

func TestEditorEditsAQuiz(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	c := signIn(t, in, "ed@x.example", staff.Editor)
	post := func(path string, v url.Values) *http.Response {
		r := form(path, v)
		r.AddCookie(c)
		return do(t, h, r)
	}
	kids := in.Server.Web.Play.Bank().Quiz("kids")
	good := url.Values{"title_vi": {"Trẻ em (mới)"}, "title_en": {"Kids (new)"}, "description_vi": {kids.Description.VI}, "description_en": {kids.Description.EN},
		"ages": {"kids"}, "items": {strings.Join(kids.Items[:3], "\n")}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("items", "no-such-item")
	if res := post("/console/content/quizzes/kids", bad); res.StatusCode != 400 {
		t.Errorf("unknown item = %d, want 400", res.StatusCode)
	}
	if res := post("/console/content/quizzes/kids", good); res.StatusCode != 303 {
		t.Fatalf("save quiz draft = %d", res.StatusCode)
	}
	if res := post("/console/content/quizzes/kids/versions/1/publish", nil); res.StatusCode != 303 {
		t.Fatalf("publish = %d", res.StatusCode)
	}
	q := in.Server.Web.Play.Bank().Quiz("kids")
	if q.Title.EN != "Kids (new)" || len(q.Items) != 3 {
		t.Errorf("published quiz = %+v", q)
	}
	r := httptest.NewRequest("GET", "/api/v1/quizzes?lang=en", nil)
	if b := body(t, do(t, h, r)); !strings.Contains(b, "Kids (new)") {
		t.Errorf("the API does not show the published quiz")
	}
}

func TestDeskAssignedToEvents(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	desk, _ := in.DB.CreateStaff(context.Background(), "desk@x.example", "Desk", hash, []staff.Role{staff.Desk})
	post := func(v url.Values) int {
		r := form("/console/users/"+desk.ID+"/events", v)
		r.AddCookie(admin)
		return do(t, h, r).StatusCode
	}
	if status := post(url.Values{"event": {"no-such-event"}}); status != 400 {
		t.Errorf("unknown event = %d, want 400", status)
	}
	if status := post(url.Values{"event": {"online"}}); status != 303 {
		t.Errorf("assign = %d", status)
	}
	c, _ := in.DB.CredentialsByID(context.Background(), desk.ID)
	if !slices.Equal(c.Events, []string{"online"}) {
		t.Errorf("desk events = %v", c.Events)
	}
}

func TestAdminContentAPI(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	call := func(method, path, b string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		r.AddCookie(ed)
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}
	status, b := call("GET", "/api/v1/admin/items/q-otp-who-can-ask", "")
	if status != 200 || !strings.Contains(b, `"correct":true`) {
		t.Fatalf("get item = %d %.200s", status, b)
	}
	var got struct {
		Published map[string]any `json:"published"`
	}
	json.Unmarshal([]byte(b), &got)
	got.Published["prompt"] = map[string]string{"vi": "Câu hỏi qua API?", "en": "A question through the API?"}
	draft, _ := json.Marshal(map[string]any{"item": got.Published, "note": "api"})
	if status, b := call("POST", "/api/v1/admin/items/q-otp-who-can-ask/drafts", string(draft)); status != 201 || !strings.Contains(b, `"version":1`) {
		t.Fatalf("draft = %d %s", status, b)
	}
	got.Published["prompt"] = map[string]string{"vi": "<b>HTML</b>", "en": "x"}
	bad, _ := json.Marshal(map[string]any{"item": got.Published})
	if status, b := call("POST", "/api/v1/admin/items/q-otp-who-can-ask/drafts", string(bad)); status != 400 || !strings.Contains(b, "contains HTML") {
		t.Errorf("HTML in a draft = %d %s", status, b)
	}
	if status, _ := call("POST", "/api/v1/admin/items/q-otp-who-can-ask/versions/1/publish", ""); status != 204 {
		t.Errorf("publish = %d", status)
	}
	if p := in.Server.Web.Play.Bank().Item("q-otp-who-can-ask").Prompt.EN; p != "A question through the API?" {
		t.Errorf("published prompt = %q", p)
	}
}

func TestAdminAccountAPI(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	admin := signIn(t, in, "boss@x.example", staff.Admin)
	hash, _ := apptest.CheapHasher.Hash(testPassword)
	other, _ := in.DB.CreateStaff(context.Background(), "desk@x.example", "Desk", hash, []staff.Role{staff.Desk})
	me, _ := in.DB.CredentialsByEmail(context.Background(), "boss@x.example")
	call := func(method, path, b string) int {
		r := httptest.NewRequest(method, path, strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		r.AddCookie(admin)
		return do(t, h, r).StatusCode
	}
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/roles", `{"roles":["desk","analyst"]}`, 204},
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/roles", `{"roles":["king"]}`, 400},
		{"PUT", "/api/v1/admin/staff/" + me.ID + "/roles", `{"roles":["editor"]}`, 403},
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/permissions", `{"permission":"referral_override","granted":true}`, 204},
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/permissions", `{"permission":"everything","granted":true}`, 400},
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/events", `{"events":["online"]}`, 204},
		{"PUT", "/api/v1/admin/staff/" + other.ID + "/events", `{"events":["nowhere"]}`, 400},
		{"PATCH", "/api/v1/admin/events/online", `{"kiosk_idle_seconds":45,"kiosk_quiz":"kids"}`, 200},
		{"PATCH", "/api/v1/admin/events/online", `{"kiosk_idle_seconds":0}`, 400},
		{"PATCH", "/api/v1/admin/events/online", `{"kiosk_quiz":"nope"}`, 400},
		{"PATCH", "/api/v1/admin/events/nowhere", `{}`, 404},
	}
	for _, tt := range tests {
		if got := call(tt.method, tt.path, tt.body); got != tt.want {
			t.Errorf("%s %s %s = %d, want %d", tt.method, tt.path, tt.body, got, tt.want)
		}
	}
	c, _ := in.DB.CredentialsByID(context.Background(), other.ID)
	if !c.Has(staff.Analyst) || len(c.Permissions) != 1 || len(c.Events) != 1 {
		t.Errorf("account after API changes = %+v", c.Account)
	}
	if e, _ := in.DB.Event(context.Background(), "online"); e.KioskIdleSeconds != 45 || e.KioskQuiz != "kids" {
		t.Errorf("event after PATCH = %+v", e)
	}
}

func TestAdminPackModerationAndStatsAPI(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	call := func(method, path, ctype, b string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(b))
		r.Header.Set("Content-Type", ctype)
		r.AddCookie(ed)
		res := do(t, h, r)
		return res.StatusCode, body(t, res)
	}
	status, pack := call("GET", "/api/v1/admin/content/pack", "", "")
	if status != 200 || !strings.HasPrefix(pack, "PK") {
		t.Fatalf("export = %d", status)
	}
	status, b := call("POST", "/api/v1/admin/content/pack", "application/zip", pack)
	if status != 200 || !strings.Contains(b, `"items_changed":0`) || !strings.Contains(b, `"items_added":0`) {
		t.Errorf("re-import of the export = %d %s", status, b)
	}
	if status, b := call("POST", "/api/v1/admin/content/pack", "application/zip", "not a zip"); status != 400 {
		t.Errorf("junk pack = %d %s", status, b)
	}
	if status, _ := call("POST", "/api/v1/admin/content/pack", "application/json", "{}"); status != 400 {
		t.Errorf("wrong content type = %d", status)
	}
	ctx := context.Background()
	if err := in.DB.FlagForReview(ctx, "pledge", "p-123", "name on the block list", "online"); err != nil {
		t.Fatal(err)
	}
	if status, b := call("GET", "/api/v1/admin/moderation", "", ""); status != 200 || !strings.Contains(b, "p-123") {
		t.Errorf("queue = %d %s", status, b)
	}
	if status, _ := call("POST", "/api/v1/admin/moderation/pledge/p-123", "application/json", `{"state":"maybe"}`); status != 400 {
		t.Errorf("bad decision = %d", status)
	}
	if status, _ := call("POST", "/api/v1/admin/moderation/pledge/p-123", "application/json", `{"state":"hidden"}`); status != 204 {
		t.Errorf("hide = %d", status)
	}
	if status, b := call("GET", "/api/v1/admin/events/online/stats", "", ""); status != 200 || !strings.Contains(b, `"attempts_started":0`) {
		t.Errorf("stats = %d %s", status, b)
	}
}

// TestSecondFactorCannotBeReplacedOrSkipped: a password alone can neither
// set up a new second factor over an existing one, nor keep a session
// that becomes an admin's without giving it.
func TestSecondFactorCannotBeReplacedOrSkipped(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ctx := context.Background()
	signIn(t, in, "admin@x.example", staff.Admin) // enrols TOTP
	res := do(t, h, form("/console/login", url.Values{"email": {"admin@x.example"}, "password": {testPassword}}))
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/console/login/code") {
		t.Fatalf("admin sign-in = %d %s, want the code page", res.StatusCode, res.Header.Get("Location"))
	}
	pending := res.Cookies()[0]
	secret := staff.NewTOTPSecret()
	r := form("/console/totp", url.Values{"secret": {base32.StdEncoding.EncodeToString(secret)}, "code": {staff.TOTPCode(secret, time.Now())}})
	r.AddCookie(pending)
	if res := do(t, h, r); res.StatusCode != 409 {
		t.Errorf("re-enrolling with a password-only session = %d, want 409", res.StatusCode)
	}
	r = httptest.NewRequest("GET", "/console/users", nil)
	r.AddCookie(pending)
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Errorf("password-only session on an admin page = %d, want a redirect", res.StatusCode)
	}
	// An editor (no second factor needed) is made admin: the same session
	// must now give it.
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	c, _ := in.DB.CredentialsByEmail(ctx, "ed@x.example")
	in.DB.SetStaffRoles(ctx, c.ID, []staff.Role{staff.Editor, staff.Admin}, "test")
	r = httptest.NewRequest("GET", "/console/users", nil)
	r.AddCookie(ed)
	if res := do(t, h, r); res.StatusCode != 303 || res.Header.Get("Location") != "/console/totp" {
		t.Errorf("newly made admin without a second factor = %d %s, want the TOTP set-up", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestAnalystFindsTheOverview(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	an := signIn(t, in, "an@x.example", staff.Analyst)
	r := httptest.NewRequest("GET", "/console", nil)
	r.AddCookie(an)
	if page := body(t, do(t, h, r)); !strings.Contains(page, `href="/console/overview"`) || strings.Contains(page, `href="/console/events"`) {
		t.Errorf("an analyst's console home lacks the overview tile, or offers event management")
	}
	r = httptest.NewRequest("GET", "/console/overview", nil)
	r.AddCookie(an)
	if page := body(t, do(t, h, r)); !strings.Contains(page, `href="/console/events/online/overview"`) {
		t.Errorf("the overview list lacks the online event")
	}
}
