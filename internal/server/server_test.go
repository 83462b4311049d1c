package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/api"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/server"
)

// do sends one request through the whole handler stack, no network.
func do(t *testing.T, h http.Handler, r *http.Request) *http.Response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var securityHeaders = map[string]string{
	"Content-Security-Policy": server.ContentSecurityPolicy,
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "no-referrer",
	"Permissions-Policy":      server.PermissionsPolicy,
}

// samplePath turns a route pattern into a concrete path to request.
func samplePath(pattern string) (method, path string) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "GET", pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x")
	return method, path
}

func TestEveryResponseHasSecurityHeaders(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	for _, rt := range in.Server.Routes() {
		method, path := samplePath(rt.Pattern)
		t.Run(rt.Pattern, func(t *testing.T) {
			res := do(t, h, httptest.NewRequest(method, path, nil))
			for k, want := range securityHeaders {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s %s: %s = %q, want %q", method, path, k, got, want)
				}
			}
			if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("CSP lacks frame-ancestors 'none'")
			}
		})
	}
}

func TestCSPHasNoInlineOrOtherHosts(t *testing.T) {
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(server.ContentSecurityPolicy, bad) {
			t.Errorf("CSP contains %q", bad)
		}
	}
	if !strings.HasPrefix(server.ContentSecurityPolicy, "default-src 'self'") {
		t.Errorf("CSP = %q, want default-src 'self' first", server.ContentSecurityPolicy)
	}
	for _, f := range []string{"camera=()", "microphone=()", "geolocation=()"} {
		if !strings.Contains(server.PermissionsPolicy, f) {
			t.Errorf("Permissions-Policy lacks %s", f)
		}
	}
}

func TestNotFound(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	tests := []struct {
		name, path, acceptLang, cookie string
		wantType, wantText             string
	}{
		{"vietnamese by default", "/no-such-page", "", "", "text/html", "Không tìm thấy trang"},
		{"english from Accept-Language", "/no-such-page", "en-GB,en;q=0.9", "", "text/html", "Page not found"},
		{"english from ?lang", "/no-such-page?lang=en", "", "", "text/html", "Page not found"},
		{"cookie beats Accept-Language", "/no-such-page", "en", "na_lang=vi", "text/html", "Không tìm thấy trang"},
		{"wrong method is not found too", "/help/x", "", "", "text/html", "Không tìm thấy trang"},
		{"api answers JSON", "/api/v1/nothing", "", "", "application/json", `"code":"not_found"`},
		{"api in english", "/api/v1/nothing?lang=en", "", "", "application/json", "There is no such API address."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil)
			if tt.acceptLang != "" {
				r.Header.Set("Accept-Language", tt.acceptLang)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			res := do(t, h, r)
			b := body(t, res)
			if res.StatusCode != 404 {
				t.Errorf("GET %s: status %d, want 404", tt.path, res.StatusCode)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), tt.wantType) {
				t.Errorf("GET %s: Content-Type %q, want %s", tt.path, res.Header.Get("Content-Type"), tt.wantType)
			}
			if !strings.Contains(b, tt.wantText) {
				t.Errorf("GET %s: body lacks %q:\n%s", tt.path, tt.wantText, b)
			}
		})
	}
}

func TestLanguageChoiceIsRemembered(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	res := do(t, h, httptest.NewRequest("GET", "/?lang=en", nil))
	var langCookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "na_lang" {
			langCookie = c
		}
	}
	if langCookie == nil || langCookie.Value != "en" || !langCookie.HttpOnly || langCookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("?lang=en set cookie %+v, want na_lang=en HttpOnly SameSite=Lax", langCookie)
	}
	if b := body(t, res); !strings.Contains(b, `<html lang="en">`) {
		t.Errorf("?lang=en page is not English: %.200s", b)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(langCookie)
	if b := body(t, do(t, h, r)); !strings.Contains(b, `<html lang="en">`) {
		t.Errorf("the remembered language was not used: %.200s", b)
	}
	// An unknown ?lang is ignored, not remembered.
	res = do(t, h, httptest.NewRequest("GET", "/?lang=fr", nil))
	if len(res.Cookies()) != 0 || !strings.Contains(body(t, res), `<html lang="vi">`) {
		t.Errorf("?lang=fr should fall back to Vietnamese without a cookie")
	}
}

func TestBadInput(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	big := strings.Repeat("a", server.DefaultBodyLimit+1)
	tests := []struct {
		name, method, path, ctype, body string
		header                          map[string]string
		wantStatus                      int
		wantText                        string
	}{
		{"form over the limit", "POST", "/station/setup", "application/x-www-form-urlencoded", "token=" + big, nil, 413, "Nội dung quá lớn"},
		{"malformed form", "POST", "/station/setup", "application/x-www-form-urlencoded", "token=%zz", nil, 400, "Không đọc được biểu mẫu"},
		{"forged setup token", "POST", "/station/setup", "application/x-www-form-urlencoded", "token=abc.def", nil, 404, "không hợp lệ"},
		{"json over the limit", "POST", "/api/v1/csp-reports", "application/csp-report", `{"csp-report":{"x":"` + big + `"}}`, nil, 413, `"code":"too_large"`},
		{"malformed json", "POST", "/api/v1/csp-reports?lang=en", "application/csp-report", `{"csp-report":`, nil, 400, "couldn't read the JSON"},
		{"wrong content type", "POST", "/api/v1/csp-reports", "text/plain", `{}`, nil, 400, `"code":"invalid"`},
		{"cross-origin form post", "POST", "/station/leave", "application/x-www-form-urlencoded", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403, "bị chặn"},
		{"cross-origin api post", "POST", "/api/v1/csp-reports", "application/csp-report", `{}`, map[string]string{"Origin": "https://evil.example"}, 403, `"code":"forbidden"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ctype)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			res := do(t, h, r)
			b := body(t, res)
			if res.StatusCode != tt.wantStatus {
				t.Errorf("%s %s: status %d, want %d\n%.300s", tt.method, tt.path, res.StatusCode, tt.wantStatus, b)
			}
			if !strings.Contains(b, tt.wantText) {
				t.Errorf("%s %s: body lacks %q:\n%.600s", tt.method, tt.path, tt.wantText, b)
			}
		})
	}
}

func TestCSPReportsAreCounted(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	post := func(ctype, b string) {
		t.Helper()
		r := httptest.NewRequest("POST", "/api/v1/csp-reports", strings.NewReader(b))
		r.Header.Set("Content-Type", ctype)
		if res := do(t, h, r); res.StatusCode != 204 {
			t.Fatalf("report %s: status %d, want 204: %s", ctype, res.StatusCode, body(t, res))
		}
	}
	post("application/csp-report", `{"csp-report":{"document-uri":"http://x/?secret=1","violated-directive":"script-src-elem","blocked-uri":"inline"}}`)
	post("application/reports+json", `[{"type":"csp-violation","body":{"effectiveDirective":"style-src-attr","documentURL":"http://x/"}},{"type":"deprecation","body":{}}]`)
	post("application/csp-report", `{"csp-report":{"violated-directive":"made-up-directive"}}`)
	m := body(t, do(t, h, httptest.NewRequest("GET", "/metrics", nil)))
	for _, want := range []string{
		`notalone_csp_violations_total{directive="script-src-elem"} 1`,
		`notalone_csp_violations_total{directive="style-src-attr"} 1`,
		`notalone_csp_violations_total{directive="other"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, "secret") {
		t.Errorf("metrics carry a reported URL")
	}
}

func TestPublicWritesAreRateLimited(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	statuses := map[int]int{}
	for range 150 {
		r := httptest.NewRequest("POST", "/api/v1/csp-reports", strings.NewReader(`{"csp-report":{}}`))
		r.Header.Set("Content-Type", "application/csp-report")
		statuses[do(t, h, r).StatusCode]++
	}
	if statuses[204] == 0 || statuses[429] == 0 || statuses[204]+statuses[429] != 150 {
		t.Errorf("150 quick reports from one client gave %v, want some 204 then 429", statuses)
	}
	// Another client is not affected.
	r := httptest.NewRequest("POST", "/api/v1/csp-reports", strings.NewReader(`{"csp-report":{}}`))
	r.RemoteAddr = "192.0.2.55:1234"
	r.Header.Set("Content-Type", "application/csp-report")
	if res := do(t, h, r); res.StatusCode != 204 {
		t.Errorf("another client got %d, want 204", res.StatusCode)
	}
}

func TestOperations(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		res := do(t, h, httptest.NewRequest("GET", path, nil))
		if b := body(t, res); res.StatusCode != 200 || !strings.Contains(b, want) {
			t.Errorf("GET %s = %d %q, want 200 %q", path, res.StatusCode, b, want)
		}
	}
	do(t, h, httptest.NewRequest("GET", "/help", nil))
	m := body(t, do(t, h, httptest.NewRequest("GET", "/metrics", nil)))
	for _, want := range []string{
		`notalone_http_requests_total{method="GET",route="GET /help",status="200"} 1`,
		`notalone_http_request_duration_seconds_bucket{route="GET /help",le="+Inf"} 1`,
		`notalone_db_open_connections{pool="write"}`,
		`notalone_db_open_connections{pool="read"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	in.DB.Close()
	if res := do(t, h, httptest.NewRequest("GET", "/readyz", nil)); res.StatusCode != 503 {
		t.Errorf("readyz with the database closed = %d, want 503", res.StatusCode)
	}
}

func TestLogsNeverCarryQueryBodyCookiesOrAddresses(t *testing.T) {
	in, log := apptest.MustStart(t)
	h := in.Server.Handler()
	r := httptest.NewRequest("POST", "/station/setup?secretquery=1", strings.NewReader("token=secretbody"))
	r.RemoteAddr = "198.51.100.7:5555"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", "na_station=secretcookie")
	do(t, h, r)
	out := log.String()
	if !strings.Contains(out, `route="POST /station/setup"`) || !strings.Contains(out, "status=404") {
		t.Errorf("the request was not logged with its route and status:\n%s", out)
	}
	for _, secret := range []string{"secretquery", "secretbody", "secretcookie", "198.51.100.7"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestEveryAPIRouteIsDocumented(t *testing.T) {
	in, _ := apptest.MustStart(t)
	documented, err := api.OpenAPIPaths()
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range in.Server.Routes() {
		method, path, found := strings.Cut(rt.Pattern, " ")
		if !found || !strings.HasPrefix(path, "/api/") {
			continue // catch-alls and pages
		}
		if !documented[method+" "+path] {
			t.Errorf("route %s is missing from the OpenAPI document", rt.Pattern)
		}
		delete(documented, method+" "+path)
	}
	for op := range documented {
		t.Errorf("the OpenAPI document lists %s, which is not a route", op)
	}
	res := do(t, in.Server.Handler(), httptest.NewRequest("GET", "/api/openapi.json", nil))
	var doc map[string]any
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || doc["openapi"] == nil {
		t.Errorf("GET /api/openapi.json is not an OpenAPI document: %v", err)
	}
}

func TestPanicsAreRecovered(t *testing.T) {
	in, log := apptest.MustStart(t)
	// The Web handlers render with templates; a nil Content makes /help panic.
	in.Server.Web.Content = nil
	res := do(t, in.Server.Handler(), httptest.NewRequest("GET", "/help?lang=en", nil))
	b := body(t, res)
	if res.StatusCode != 500 || !strings.Contains(b, "Something went wrong") {
		t.Errorf("panic gave %d:\n%.300s", res.StatusCode, b)
	}
	if strings.Contains(b, "nil pointer") || strings.Contains(b, "goroutine") {
		t.Errorf("the panic leaked into the page")
	}
	if !strings.Contains(log.String(), "panic") {
		t.Errorf("the panic was not logged")
	}
}

func TestStaticAssetsAreImmutable(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	u, err := in.Server.Web.Assets.URL("app.css")
	if err != nil {
		t.Fatal(err)
	}
	res := do(t, h, httptest.NewRequest("GET", u, nil))
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d %q %q", u, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	r := httptest.NewRequest("GET", u, nil)
	r.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if res := do(t, h, r); res.StatusCode != 304 {
		t.Errorf("conditional GET = %d, want 304", res.StatusCode)
	}
	if res := do(t, h, httptest.NewRequest("GET", "/static/app.css", nil)); res.StatusCode != 404 {
		t.Errorf("an unhashed name = %d, want 404", res.StatusCode)
	}
	if res := do(t, h, httptest.NewRequest("GET", "/static/..%2f..%2fgo.mod", nil)); res.StatusCode != 404 {
		t.Errorf("a traversal = %d, want 404", res.StatusCode)
	}
}
