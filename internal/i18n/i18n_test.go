package i18n

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header string
		want   Lang
	}{
		{"", VI},
		{"vi-VN,vi;q=0.9,en;q=0.8", VI},
		{"en-US,en;q=0.9", EN},
		{"en-GB", EN},
		{"fr-FR,en;q=0.5", EN},
		{"fr-FR", VI},
		{"ja,vi;q=0.8,en;q=0.7", VI},
		{"*", VI},
		{"garbage;;;q=xyz", VI},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		url, cookie, accept string
		want                Lang
		chosen              bool
	}{
		{"/", "", "", VI, false},
		{"/?lang=en", "", "", EN, true},
		{"/?lang=EN", "na_lang=vi", "", EN, true},
		{"/?lang=xx", "na_lang=en", "", EN, false},
		{"/", "na_lang=en", "vi", EN, false},
		{"/", "na_lang=zz", "en", EN, false},
		{"/", "", "en", EN, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.url, nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", tt.cookie)
		}
		r.Header.Set("Accept-Language", tt.accept)
		got, chosen := FromRequest(r)
		if got != tt.want || chosen != tt.chosen {
			t.Errorf("FromRequest(%q, cookie %q, accept %q) = %q,%v, want %q,%v", tt.url, tt.cookie, tt.accept, got, chosen, tt.want, tt.chosen)
		}
	}
}

func TestFormatting(t *testing.T) {
	c := mustLoad(t)
	vi, en := c.For(VI), c.For(EN)
	tests := []struct{ got, want string }{
		{vi.Number(2000), "2.000"},
		{en.Number(2000), "2,000"},
		{vi.Number(1234567), "1.234.567"},
		{en.Number(-1234567), "-1,234,567"},
		{en.Number(999), "999"},
		{vi.Date(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)), "27 tháng 11, 2026"},
		{en.Date(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), "5 January 2026"},
		{en.N("home.provinces", 1), "1 province"},
		{en.N("home.provinces", 34), "34 provinces and cities"},
		{en.N("home.provinces", 1000), "1,000 provinces and cities"},
		{vi.N("home.provinces", 1), "1 tỉnh, thành phố"},
		{vi.N("home.provinces", 34), "34 tỉnh, thành phố"},
		{en.T("help.call", "number", "111", "name", "X"), "Call 111, X"},
		{en.T("no.such.key"), "no.such.key"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d = %q, want %q", i, tt.got, tt.want)
		}
	}
}

// TestCatalogues checks every message: both languages present (Load), not
// identical (untranslated), Vietnamese in NFC, placeholders matching.
func TestCatalogues(t *testing.T) {
	c := mustLoad(t)
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, k := range c.Keys() {
		for _, l := range Langs {
			e := c.msgs[l][k]
			texts := []string{e.text}
			for _, v := range e.plural {
				texts = append(texts, v)
			}
			for _, s := range texts {
				if !norm.NFC.IsNormalString(s) {
					t.Errorf("%s.json %s is not NFC", l, k)
				}
			}
		}
		vi, en := c.For(VI).T(k), c.For(EN).T(k)
		if vi == en {
			t.Errorf("%s is the same in both languages: %q", k, vi)
		}
		if a, b := ph.FindAllString(vi, -1), ph.FindAllString(en, -1); len(a) != len(b) {
			t.Errorf("%s: placeholders differ: vi %v, en %v", k, a, b)
		}
	}
}

// TestTemplatesUseKnownKeys finds every literal key in the templates.
func TestTemplatesUseKnownKeys(t *testing.T) {
	c := mustLoad(t)
	files, err := filepath.Glob("../web/templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	call := regexp.MustCompile(`\.L\.[TN] "([a-z0-9_.]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if !c.Has(m[1]) {
				t.Errorf("%s uses unknown key %q", filepath.Base(f), m[1])
			}
		}
	}
}
