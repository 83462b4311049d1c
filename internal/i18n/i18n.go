// Package i18n holds the message catalogues (Vietnamese first, English) and
// the language rules: negotiation, plurals, numbers and dates.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is a supported language code.
type Lang string

// The supported languages; Vietnamese is the default.
const (
	VI Lang = "vi"
	EN Lang = "en"
)

// Langs lists the supported languages in display order.
var Langs = []Lang{VI, EN}

// Parse accepts "vi" or "en" (any case, surrounding space ignored).
func Parse(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case VI:
		return VI, true
	case EN:
		return EN, true
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// Negotiate picks the language for a first visit from an Accept-Language
// header; anything unparseable or unsupported gets Vietnamese.
func Negotiate(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return VI
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No || idx != 1 {
		return VI
	}
	return EN
}

//go:embed locales/*.json
var localeFS embed.FS

// entry is one message: a plain string, or plural forms keyed by CLDR
// category ("one", "other").
type entry struct {
	text   string
	plural map[string]string
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &e.text); err == nil {
		return nil
	}
	return json.Unmarshal(b, &e.plural)
}

// Catalog holds every message in every language.
type Catalog struct {
	msgs map[Lang]map[string]entry
}

// Load parses the embedded catalogues and checks that every language has
// exactly the same keys, so a missing translation fails at start, not in
// front of a child.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]entry{}}
	for _, l := range Langs {
		b, err := localeFS.ReadFile("locales/" + string(l) + ".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", l, err)
		}
		m := map[string]entry{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: parse %s.json: %w", l, err)
		}
		for k, e := range m {
			if e.plural != nil && e.plural["other"] == "" {
				return nil, fmt.Errorf("i18n: %s.json: %q has plural forms without \"other\"", l, k)
			}
		}
		c.msgs[l] = m
	}
	if missing := c.diff(VI, EN); len(missing) > 0 {
		return nil, fmt.Errorf("i18n: en.json lacks %s", strings.Join(missing, ", "))
	}
	if missing := c.diff(EN, VI); len(missing) > 0 {
		return nil, fmt.Errorf("i18n: vi.json lacks %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// diff lists keys present in a but not in b.
func (c *Catalog) diff(a, b Lang) []string {
	var out []string
	for k := range c.msgs[a] {
		if _, ok := c.msgs[b][k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists (in every language, as Load guarantees).
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[VI][key]
	return ok
}

// Keys lists every key, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.msgs[VI]))
	for k := range c.msgs[VI] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// For returns a Localizer for one language.
func (c *Catalog) For(l Lang) Localizer {
	if _, ok := c.msgs[l]; !ok {
		l = VI
	}
	return Localizer{Lang: l, cat: c}
}

// Localizer renders messages, numbers and dates in one language. Templates
// get one per request.
type Localizer struct {
	Lang Lang
	cat  *Catalog
}

// T returns the message for key with {name} placeholders replaced by the
// pairs in kv ("name", value, …). An unknown key renders as the key itself
// so the gap is visible; tests assert that templates use only known keys.
func (l Localizer) T(key string, kv ...any) string {
	e, ok := l.cat.msgs[l.Lang][key]
	if !ok {
		return key
	}
	s := e.text
	if e.plural != nil {
		s = e.plural["other"]
	}
	return fill(s, kv)
}

// N returns the plural form of key for n, with {n} replaced by n formatted
// for the language.
func (l Localizer) N(key string, n int64, kv ...any) string {
	e, ok := l.cat.msgs[l.Lang][key]
	if !ok {
		return key
	}
	s := e.text
	if e.plural != nil {
		s = e.plural[pluralCategory(l.Lang, n)]
		if s == "" {
			s = e.plural["other"]
		}
	}
	return fill(s, append([]any{"n", l.Number(n)}, kv...))
}

// pluralCategory applies the CLDR cardinal rules for integers: Vietnamese
// has only "other"; English has "one" for exactly 1.
func pluralCategory(l Lang, n int64) string {
	if l == EN && n == 1 {
		return "one"
	}
	return "other"
}

func fill(s string, kv []any) string {
	if len(kv) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(kv[i])+"}", fmt.Sprint(kv[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Number formats an integer with the language's digit grouping:
// 1.234.567 in Vietnamese, 1,234,567 in English.
func (l Localizer) Number(n int64) string {
	sep := "."
	if l.Lang == EN {
		sep = ","
	}
	digits := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// Date formats a calendar date the way each language writes it in prose:
// "27 tháng 11, 2026" and "27 November 2026".
func (l Localizer) Date(t time.Time) string {
	if l.Lang == EN {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d tháng %d, %d", t.Day(), int(t.Month()), t.Year())
}

// Text is one visible text in both languages, as content packs and the
// database hold it.
type Text struct {
	VI string `yaml:"vi" json:"vi"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang.
func (t Text) In(lang Lang) string {
	if lang == EN {
		return t.EN
	}
	return t.VI
}

// IsZero reports whether both languages are empty.
func (t Text) IsZero() bool { return t.VI == "" && t.EN == "" }
